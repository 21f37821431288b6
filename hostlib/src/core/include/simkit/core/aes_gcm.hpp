// AES-256-GCM over OpenSSL 3 EVP, for keys at rest in the card's state file (the key store seals
// private scalars and secrets under the card's storage key). Code: aes_gcm.cpp.
#pragma once

#include "simkit/bytes.hpp"

namespace simkit::crypto {

// AES-256-GCM with a 12-byte nonce and a 16-byte tag: encrypt returns ciphertext || tag; decrypt
// takes ciphertext || tag and throws CryptoError when the tag does not verify (tampered data or a
// wrong key). `aad` is authenticated, not encrypted.
bytes aes256_gcm_encrypt(const secure_bytes& key, const bytes& nonce, const bytes& aad, const secure_bytes& plain);
secure_bytes aes256_gcm_decrypt(const secure_bytes& key, const bytes& nonce, const bytes& aad, const bytes& sealed);

}  // namespace simkit::crypto

// Key derivation over OpenSSL 3 EVP_KDF, shared by the card (the key store's COMPUTE HKDF and
// COMPUTE PRF) and the host: HKDF-SHA256 (RFC 5869) and the TLS 1.2 PRF with SHA-256 (RFC 5246
// section 5). Code: kdf.cpp.
#pragma once

#include "simkit/bytes.hpp"

namespace simkit::crypto {

// HKDF-SHA256 (RFC 5869): extract with salt, expand with info to `length` bytes (<= 8160).
secure_bytes hkdf_sha256(const secure_bytes& input_key, const bytes& salt, const bytes& info, std::size_t length);

// HKDF-Extract alone (RFC 5869 2.2): PRK = HMAC-SHA256(salt, input key), 32 bytes; an empty salt
// is 32 zero bytes. TLS 1.3 stacks (wolfSSL's IoT SAFE port) ask the card for this step only.
secure_bytes hkdf_sha256_extract(const secure_bytes& input_key, const bytes& salt);

// The TLS 1.2 PRF, P_SHA256(secret, label || seed), to `length` bytes (>= 1). The label is the
// ASCII label ("master secret", "key expansion"...); pass it empty when `seed` already starts with it.
secure_bytes tls12_prf_sha256(const secure_bytes& secret, const bytes& label, const bytes& seed, std::size_t length);

}  // namespace simkit::crypto

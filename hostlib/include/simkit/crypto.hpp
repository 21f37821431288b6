// Thin RAII wrappers over OpenSSL 3 EVP: randomness, SHA-256, AES (ECB/CBC, no padding),
// AES-CMAC and Triple DES (ECB/CBC, no padding; GlobalPlatform SCP02 and key diversification).
// Every OpenSSL result is checked; failures raise CryptoError naming the call.
#pragma once

#include <memory>

#include "simkit/bytes.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace simkit::crypto {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept;
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept;
};
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* ctx) const noexcept;
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Cryptographically secure random bytes (RAND_bytes).
bytes random_bytes(std::size_t count);

bytes sha256(const uint8_t* data, std::size_t length);
inline bytes sha256(const bytes& data) { return sha256(data.data(), data.size()); }

enum class Direction { Encrypt, Decrypt };

// AES-128/192/256 by key length; input must be a multiple of 16 bytes (no padding).
bytes aes_ecb(Direction dir, const secure_bytes& key, const bytes& input);
bytes aes_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const bytes& input);
// AES-CMAC (NIST SP 800-38B) over input.
bytes aes_cmac(const secure_bytes& key, const bytes& input);

// Triple DES EDE by key length: 16 bytes (2-key, K1 K2 K1) or 24 bytes (3-key); a 16-byte key with
// K1 = K2 is single DES through the same EDE cipher (the default provider has no plain DES). Input must be
// a multiple of 8 bytes (no padding).
bytes des3_ecb(Direction dir, const secure_bytes& key, const bytes& input);
bytes des3_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const bytes& input);

// The same for secrets (keys wrapped under a DEK, derived keys): secure_bytes in, secure_bytes out,
// so no plaintext key outlives its buffer. Pass a ciphertext as secure_bytes to get its plaintext so.
secure_bytes aes_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const secure_bytes& input);
secure_bytes des3_ecb(Direction dir, const secure_bytes& key, const secure_bytes& input);
secure_bytes des3_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const secure_bytes& input);

}  // namespace simkit::crypto

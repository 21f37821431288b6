// AES-256-GCM over OpenSSL 3 EVP (see aes_gcm.hpp).
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "openssl_check.hpp"
#include "openssl_types.hpp"
#include "simkit/core/aes_gcm.hpp"
#include "simkit/crypto.hpp"

namespace simkit::crypto {

using namespace detail;

namespace {
constexpr std::size_t kGcmNonceSize = 12;
constexpr std::size_t kGcmTagSize = 16;
}  // namespace

namespace {
// A GCM context keyed with `key` and `nonce` for `encrypt`, `aad` already absorbed.
CipherCtx gcm_context(bool encrypt, const secure_bytes& key, const bytes& nonce, const bytes& aad) {
    if (key.size() != 32) throw ArgumentError("AES-256-GCM key must be 32 bytes, not " + std::to_string(key.size()));
    if (nonce.size() != kGcmNonceSize) {
        throw ArgumentError("AES-256-GCM nonce must be 12 bytes, not " + std::to_string(nonce.size()));
    }
    Cipher cipher(check_ptr(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr), "EVP_CIPHER_fetch(AES-256-GCM)"));
    CipherCtx ctx(check_ptr(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new"));
    check(EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), nonce.data(), encrypt ? 1 : 0, nullptr),
          "EVP_CipherInit_ex2(AES-256-GCM)");
    if (!aad.empty()) {
        int n = 0;  // a null output buffer makes this update authenticate-only
        check(EVP_CipherUpdate(ctx.get(), nullptr, &n, aad.data(), int_size(aad.size(), "AES-GCM aad")),
              "EVP_CipherUpdate(aad)");
    }
    return ctx;
}
}  // namespace

bytes aes256_gcm_encrypt(const secure_bytes& key, const bytes& nonce, const bytes& aad, const secure_bytes& plain) {
    CipherCtx ctx = gcm_context(true, key, nonce, aad);
    bytes out(plain.size() + kGcmTagSize);
    int n1 = 0, n2 = 0;
    if (!plain.empty()) {
        check(EVP_CipherUpdate(ctx.get(), out.data(), &n1, plain.data(), int_size(plain.size(), "AES-GCM plaintext")),
              "EVP_CipherUpdate");
    }
    check(EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2), "EVP_CipherFinal_ex");
    if (static_cast<std::size_t>(n1 + n2) != plain.size()) fail("EVP_CipherFinal_ex (length)");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out.data() + plain.size(), kGcmTagSize),
        OSSL_PARAM_construct_end(),
    };
    check(EVP_CIPHER_CTX_get_params(ctx.get(), params), "EVP_CIPHER_CTX_get_params(tag)");
    return out;
}

secure_bytes aes256_gcm_decrypt(const secure_bytes& key, const bytes& nonce, const bytes& aad, const bytes& sealed) {
    if (sealed.size() < kGcmTagSize) {
        throw FormatError("AES-GCM sealed data of " + std::to_string(sealed.size()) + " bytes is shorter than its 16-byte tag");
    }
    const std::size_t length = sealed.size() - kGcmTagSize;
    CipherCtx ctx = gcm_context(false, key, nonce, aad);
    secure_bytes out(length);
    int n1 = 0, n2 = 0;
    if (length > 0) {
        check(EVP_CipherUpdate(ctx.get(), out.data(), &n1, sealed.data(), int_size(length, "AES-GCM ciphertext")),
              "EVP_CipherUpdate");
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, const_cast<uint8_t*>(sealed.data() + length),
                                          kGcmTagSize),
        OSSL_PARAM_construct_end(),
    };
    check(EVP_CIPHER_CTX_set_params(ctx.get(), params), "EVP_CIPHER_CTX_set_params(tag)");
    uint8_t final_block[16];
    if (EVP_CipherFinal_ex(ctx.get(), final_block, &n2) != 1) {
        ERR_clear_error();
        throw CryptoError("AES-GCM tag does not verify");
    }
    if (static_cast<std::size_t>(n1 + n2) != length) fail("EVP_CipherFinal_ex (length)");
    return out;
}

}  // namespace simkit::crypto

// OpenSSL 3 EVP wrappers (see crypto.hpp).
#include "simkit/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "simkit/errors.hpp"

namespace simkit::crypto {

void CipherCtxFree::operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
void MdCtxFree::operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
void MacCtxFree::operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }

namespace {
[[noreturn]] void fail(const char* call) {
    char buf[256] = "no OpenSSL error queued";
    unsigned long e = ERR_get_error();
    if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    throw CryptoError(std::string(call) + " failed: " + buf);
}
void check(int ok, const char* call) {
    if (ok != 1) fail(call);
}

const EVP_CIPHER* aes_cipher(std::size_t key_length, bool cbc) {
    switch (key_length) {
        case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
        case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
        case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
        default: throw ArgumentError("AES key must be 16, 24 or 32 bytes, not " + std::to_string(key_length));
    }
}

const EVP_CIPHER* des3_cipher(std::size_t key_length, bool cbc) {
    switch (key_length) {
        case 16: return cbc ? EVP_des_ede_cbc() : EVP_des_ede_ecb();
        case 24: return cbc ? EVP_des_ede3_cbc() : EVP_des_ede3_ecb();
        default: throw ArgumentError("3DES key must be 16 or 24 bytes, not " + std::to_string(key_length));
    }
}

bytes run_cipher(const EVP_CIPHER* cipher, Direction dir, const secure_bytes& key, const uint8_t* iv,
                 const bytes& input) {
    const auto block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher));
    if (input.size() % block != 0) {
        throw ArgumentError(std::string(block == 8 ? "3DES" : "AES") + " input of " + std::to_string(input.size()) +
                            " bytes is not a multiple of " + std::to_string(block));
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) fail("EVP_CIPHER_CTX_new");
    check(EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv, dir == Direction::Encrypt ? 1 : 0, nullptr),
          "EVP_CipherInit_ex2");
    check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "EVP_CIPHER_CTX_set_padding");
    bytes out(input.size() + 16);
    int n1 = 0, n2 = 0;
    check(EVP_CipherUpdate(ctx.get(), out.data(), &n1, input.data(), static_cast<int>(input.size())),
          "EVP_CipherUpdate");
    check(EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2), "EVP_CipherFinal_ex");
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}
}  // namespace

bytes random_bytes(std::size_t count) {
    bytes out(count);
    if (count > 0) check(RAND_bytes(out.data(), static_cast<int>(count)), "RAND_bytes");
    return out;
}

bytes sha256(const uint8_t* data, std::size_t length) {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) fail("EVP_MD_CTX_new");
    check(EVP_DigestInit_ex2(ctx.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex2");
    check(EVP_DigestUpdate(ctx.get(), data, length), "EVP_DigestUpdate");
    bytes out(32);
    unsigned int n = 0;
    check(EVP_DigestFinal_ex(ctx.get(), out.data(), &n), "EVP_DigestFinal_ex");
    out.resize(n);
    return out;
}

bytes aes_ecb(Direction dir, const secure_bytes& key, const bytes& input) {
    return run_cipher(aes_cipher(key.size(), false), dir, key, nullptr, input);
}

bytes aes_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const bytes& input) {
    if (iv.size() != 16) throw ArgumentError("AES-CBC iv must be 16 bytes, not " + std::to_string(iv.size()));
    return run_cipher(aes_cipher(key.size(), true), dir, key, iv.data(), input);
}

bytes des3_ecb(Direction dir, const secure_bytes& key, const bytes& input) {
    return run_cipher(des3_cipher(key.size(), false), dir, key, nullptr, input);
}

bytes des3_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const bytes& input) {
    if (iv.size() != 8) throw ArgumentError("3DES-CBC iv must be 8 bytes, not " + std::to_string(iv.size()));
    return run_cipher(des3_cipher(key.size(), true), dir, key, iv.data(), input);
}

bytes aes_cmac(const secure_bytes& key, const bytes& input) {
    const char* cipher_name = nullptr;
    switch (key.size()) {
        case 16: cipher_name = "AES-128-CBC"; break;
        case 24: cipher_name = "AES-192-CBC"; break;
        case 32: cipher_name = "AES-256-CBC"; break;
        default: throw ArgumentError("AES-CMAC key must be 16, 24 or 32 bytes, not " + std::to_string(key.size()));
    }
    std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr), &EVP_MAC_free);
    if (!mac) fail("EVP_MAC_fetch(CMAC)");
    MacCtx ctx(EVP_MAC_CTX_new(mac.get()));
    if (!ctx) fail("EVP_MAC_CTX_new");
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher_name), 0),
        OSSL_PARAM_construct_end(),
    };
    check(EVP_MAC_init(ctx.get(), key.data(), key.size(), params), "EVP_MAC_init");
    check(EVP_MAC_update(ctx.get(), input.data(), input.size()), "EVP_MAC_update");
    bytes out(16);
    std::size_t n = 0;
    check(EVP_MAC_final(ctx.get(), out.data(), &n, out.size()), "EVP_MAC_final");
    out.resize(n);
    return out;
}

}  // namespace simkit::crypto

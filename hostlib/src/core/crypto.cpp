// OpenSSL 3 EVP wrappers (see crypto.hpp).
#include "simkit/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "simkit/errors.hpp"
#include "openssl_check.hpp"

namespace simkit::crypto {

void CipherCtxFree::operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
void MdCtxFree::operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
void MacCtxFree::operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }

void detail::fail(const char* call) {
    char buf[256] = "no OpenSSL error queued";
    unsigned long e = ERR_get_error();
    if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    throw CryptoError(std::string(call) + " failed: " + buf);
}

namespace {
using detail::check;
using detail::fail;

// The algorithms, fetched from the default library context once per process. OpenSSL 3 fetches
// again on every EVP_CipherInit_ex2 given an EVP_aes_*() / EVP_des_*() object, EVP_MAC_fetch
// searches the provider store on every call, and EVP_MAC_init with a cipher parameter looks the
// cipher up by name: together 45% of the time of an SCP03 APDU (bench/scp03_wrap_bench.cpp, 8.7
// -> 4.8 us per APDU at level 33).
// Fetched objects, and the zero-keyed CMAC contexts that are only ever duplicated, are not changed
// after construction and may be shared between threads; the function-local static makes the first
// use thread-safe. A failed fetch stays null and raises CryptoError at each use.
struct FetchedAlgorithms {
    struct CipherFree {
        void operator()(EVP_CIPHER* c) const noexcept { EVP_CIPHER_free(c); }
    };
    struct MacFree {
        void operator()(EVP_MAC* m) const noexcept { EVP_MAC_free(m); }
    };
    using Cipher = std::unique_ptr<EVP_CIPHER, CipherFree>;

    static Cipher cipher(const char* name) { return Cipher(EVP_CIPHER_fetch(nullptr, name, nullptr)); }

    Cipher aes_ecb[3]{cipher("AES-128-ECB"), cipher("AES-192-ECB"), cipher("AES-256-ECB")};
    Cipher aes_cbc[3]{cipher("AES-128-CBC"), cipher("AES-192-CBC"), cipher("AES-256-CBC")};
    Cipher des_ede_ecb = cipher("DES-EDE-ECB");
    Cipher des_ede_cbc = cipher("DES-EDE-CBC");
    Cipher des_ede3_ecb = cipher("DES-EDE3-ECB");
    Cipher des_ede3_cbc = cipher("DES-EDE3-CBC");
    std::unique_ptr<EVP_MAC, MacFree> cmac{EVP_MAC_fetch(nullptr, "CMAC", nullptr)};
    // CMAC contexts for AES-128/192/256 keyed with zeros, to be duplicated: a duplicate takes the
    // real key without looking the cipher up by name again (as EVP_MAC_init with a cipher does).
    MacCtx cmac_aes[3]{cmac_template(16, "AES-128-CBC"), cmac_template(24, "AES-192-CBC"),
                       cmac_template(32, "AES-256-CBC")};

    MacCtx cmac_template(std::size_t key_length, const char* cipher_name) const {
        if (!cmac) return nullptr;
        MacCtx ctx(EVP_MAC_CTX_new(cmac.get()));
        const uint8_t zero_key[32] = {};
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher_name), 0),
            OSSL_PARAM_construct_end(),
        };
        if (!ctx || EVP_MAC_init(ctx.get(), zero_key, key_length, params) != 1) return nullptr;
        return ctx;
    }
};

const FetchedAlgorithms& algorithms() {
    static const FetchedAlgorithms fetched;
    return fetched;
}

const EVP_CIPHER* fetched(const FetchedAlgorithms::Cipher& cipher, const char* name) {
    if (!cipher) fail((std::string("EVP_CIPHER_fetch(") + name + ")").c_str());
    return cipher.get();
}

const EVP_CIPHER* aes_cipher(std::size_t key_length, bool cbc) {
    const FetchedAlgorithms& a = algorithms();
    switch (key_length) {
        case 16: return cbc ? fetched(a.aes_cbc[0], "AES-128-CBC") : fetched(a.aes_ecb[0], "AES-128-ECB");
        case 24: return cbc ? fetched(a.aes_cbc[1], "AES-192-CBC") : fetched(a.aes_ecb[1], "AES-192-ECB");
        case 32: return cbc ? fetched(a.aes_cbc[2], "AES-256-CBC") : fetched(a.aes_ecb[2], "AES-256-ECB");
        default: throw ArgumentError("AES key must be 16, 24 or 32 bytes, not " + std::to_string(key_length));
    }
}

const EVP_CIPHER* des3_cipher(std::size_t key_length, bool cbc) {
    const FetchedAlgorithms& a = algorithms();
    switch (key_length) {
        case 16: return cbc ? fetched(a.des_ede_cbc, "DES-EDE-CBC") : fetched(a.des_ede_ecb, "DES-EDE-ECB");
        case 24: return cbc ? fetched(a.des_ede3_cbc, "DES-EDE3-CBC") : fetched(a.des_ede3_ecb, "DES-EDE3-ECB");
        default: throw ArgumentError("3DES key must be 16 or 24 bytes, not " + std::to_string(key_length));
    }
}

// Output container = input container: secure_bytes in, secure_bytes out (zeroized when freed).
template <typename Buffer>
Buffer run_cipher(const EVP_CIPHER* cipher, Direction dir, const secure_bytes& key, const uint8_t* iv,
                  const Buffer& input) {
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
    Buffer out(input.size() + 16);
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

secure_bytes aes_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const secure_bytes& input) {
    if (iv.size() != 16) throw ArgumentError("AES-CBC iv must be 16 bytes, not " + std::to_string(iv.size()));
    return run_cipher(aes_cipher(key.size(), true), dir, key, iv.data(), input);
}

secure_bytes des3_ecb(Direction dir, const secure_bytes& key, const secure_bytes& input) {
    return run_cipher(des3_cipher(key.size(), false), dir, key, nullptr, input);
}

secure_bytes des3_cbc(Direction dir, const secure_bytes& key, const bytes& iv, const secure_bytes& input) {
    if (iv.size() != 8) throw ArgumentError("3DES-CBC iv must be 8 bytes, not " + std::to_string(iv.size()));
    return run_cipher(des3_cipher(key.size(), true), dir, key, iv.data(), input);
}

bytes aes_cmac(const secure_bytes& key, const bytes& input) {
    const FetchedAlgorithms& a = algorithms();
    const EVP_MAC_CTX* keyed_with_zeros = nullptr;
    switch (key.size()) {
        case 16: keyed_with_zeros = a.cmac_aes[0].get(); break;
        case 24: keyed_with_zeros = a.cmac_aes[1].get(); break;
        case 32: keyed_with_zeros = a.cmac_aes[2].get(); break;
        default: throw ArgumentError("AES-CMAC key must be 16, 24 or 32 bytes, not " + std::to_string(key.size()));
    }
    if (keyed_with_zeros == nullptr) fail("EVP_MAC_fetch(CMAC) / EVP_MAC_init");
    MacCtx ctx(EVP_MAC_CTX_dup(keyed_with_zeros));
    if (!ctx) fail("EVP_MAC_CTX_dup");
    check(EVP_MAC_init(ctx.get(), key.data(), key.size(), nullptr), "EVP_MAC_init");
    check(EVP_MAC_update(ctx.get(), input.data(), input.size()), "EVP_MAC_update");
    bytes out(16);
    std::size_t n = 0;
    check(EVP_MAC_final(ctx.get(), out.data(), &n, out.size()), "EVP_MAC_final");
    out.resize(n);
    return out;
}

}  // namespace simkit::crypto

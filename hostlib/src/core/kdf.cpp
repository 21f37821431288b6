// HKDF-SHA256 and the TLS 1.2 PRF over OpenSSL 3 EVP_KDF (see kdf.hpp).
#include <openssl/core_names.h>

#include "openssl_check.hpp"
#include "openssl_types.hpp"
#include "simkit/core/kdf.hpp"

namespace simkit::crypto {

using namespace detail;

secure_bytes hkdf_sha256(const secure_bytes& input_key, const bytes& salt, const bytes& info, std::size_t length) {
    if (length == 0 || length > 255 * 32) {
        throw ArgumentError("HKDF-SHA256 output length must be 1..8160 bytes, not " + std::to_string(length));
    }
    Kdf kdf(check_ptr(EVP_KDF_fetch(nullptr, "HKDF", nullptr), "EVP_KDF_fetch(HKDF)"));
    KdfCtx ctx(check_ptr(EVP_KDF_CTX_new(kdf.get()), "EVP_KDF_CTX_new"));
    OSSL_PARAM params[5];
    OSSL_PARAM* p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_data(input_key.data()), input_key.size());
    // An empty salt is HashLen zero bytes (RFC 5869 2.2), which is what OpenSSL uses without one.
    if (!salt.empty()) *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_data(salt.data()), salt.size());
    if (!info.empty()) *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_data(info.data()), info.size());
    *p = OSSL_PARAM_construct_end();
    secure_bytes out(length);
    check(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params), "EVP_KDF_derive(HKDF)");
    return out;
}

secure_bytes hkdf_sha256_extract(const secure_bytes& input_key, const bytes& salt) {
    Kdf kdf(check_ptr(EVP_KDF_fetch(nullptr, "HKDF", nullptr), "EVP_KDF_fetch(HKDF)"));
    KdfCtx ctx(check_ptr(EVP_KDF_CTX_new(kdf.get()), "EVP_KDF_CTX_new"));
    int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
    OSSL_PARAM params[5];
    OSSL_PARAM* p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_data(input_key.data()), input_key.size());
    if (!salt.empty()) *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_data(salt.data()), salt.size());
    *p = OSSL_PARAM_construct_end();
    secure_bytes prk(32);
    check(EVP_KDF_derive(ctx.get(), prk.data(), prk.size(), params), "EVP_KDF_derive(HKDF extract)");
    return prk;
}

secure_bytes tls12_prf_sha256(const secure_bytes& secret, const bytes& label, const bytes& seed, std::size_t length) {
    if (length == 0) throw ArgumentError("TLS 1.2 PRF output length must be at least 1 byte");
    if (secret.empty()) throw ArgumentError("TLS 1.2 PRF secret is empty");
    // OpenSSL's TLS1-PRF takes the label and the seed as one seed: label || seed (RFC 5246 section 5).
    bytes label_and_seed = label;
    label_and_seed.insert(label_and_seed.end(), seed.begin(), seed.end());
    if (label_and_seed.empty()) throw ArgumentError("TLS 1.2 PRF label and seed are both empty");
    Kdf kdf(check_ptr(EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr), "EVP_KDF_fetch(TLS1-PRF)"));
    KdfCtx ctx(check_ptr(EVP_KDF_CTX_new(kdf.get()), "EVP_KDF_CTX_new"));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, param_data(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, param_data(label_and_seed.data()), label_and_seed.size()),
        OSSL_PARAM_construct_end(),
    };
    secure_bytes out(length);
    check(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params), "EVP_KDF_derive(TLS1-PRF)");
    return out;
}

}  // namespace simkit::crypto

// SIGNATURE "ECDSA" with a simkit key: the digest is computed on the host (any SHA-2 digest; the
// input is not secret), the signature on the card (COMPUTE SIGNATURE with a given 32-byte digest).
// P-256 ECDSA uses the leftmost 256 bits of the digest (FIPS 186-4, 6.4), so SHA-384 and SHA-512
// digests are cut to 32 bytes and SHA-224 is left-padded with zeros: the same integer e, the same
// signature as a software key gives. sign() takes a digest already made (pkeyutl -sign);
// digest_sign_* hash the message (dgst -sign, X509_REQ_sign_ctx, TLS CertificateVerify).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "key_object.hpp"
#include "provider_context.hpp"
#include "provider_errors.hpp"
#include "simkit/crypto.hpp"

namespace simkit::provider {
namespace {

constexpr std::size_t kMaxSignatureSize = 72;

// DER AlgorithmIdentifier of ecdsa-with-SHAxxx (RFC 5758 3.2: parameters absent), for
// OSSL_SIGNATURE_PARAM_ALGORITHM_ID (X.509 and CSR signing ask for it).
struct DigestInfo {
    const char* name;  // canonical OpenSSL name
    bytes algorithm_id;
};
const DigestInfo kDigests[] = {
    {"SHA2-224", {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x01}},
    {"SHA2-256", {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02}},
    {"SHA2-384", {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03}},
    {"SHA2-512", {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04}},
};

struct SignatureContext {
    ProviderContext* ctx = nullptr;
    std::string propq;
    std::unique_ptr<KeyObject> key;  // a copy: the EVP_PKEY may go first
    EVP_MD* md = nullptr;            // the digest to hash with, or to expect in sign()
    const DigestInfo* digest = nullptr;
    EVP_MD_CTX* md_ctx = nullptr;    // digest_sign_* only

    ~SignatureContext() {
        EVP_MD_CTX_free(md_ctx);
        EVP_MD_free(md);
    }
};

// Fetches and remembers the digest `name`; only SHA-2 (224..512) is taken.
bool set_digest(SignatureContext& sc, const char* name) {
    EVP_MD* md = EVP_MD_fetch(sc.ctx->libctx, name, kNotThisProvider);
    const DigestInfo* found = nullptr;
    if (md != nullptr) {
        for (const DigestInfo& info : kDigests) {
            if (EVP_MD_is_a(md, info.name)) found = &info;
        }
    }
    if (found == nullptr) {
        EVP_MD_free(md);
        raise_error(sc.ctx, kReasonUnsupported, std::string("digest ") + name + " is not supported: use SHA-224, SHA-256, SHA-384 or SHA-512");
        return false;
    }
    EVP_MD_free(sc.md);
    sc.md = md;
    sc.digest = found;
    return true;
}

// e for P-256: the leftmost 32 bytes of the digest, or the digest left-padded with zeros.
bytes digest_for_p256(const unsigned char* digest, std::size_t size) {
    bytes e(32, 0);
    if (size >= 32) {
        std::copy(digest, digest + 32, e.begin());
    } else {
        std::copy(digest, digest + size, e.begin() + static_cast<std::ptrdiff_t>(32 - size));
    }
    return e;
}

int sign_on_card(SignatureContext& sc, unsigned char* sig, std::size_t* siglen, std::size_t sigsize,
                 const unsigned char* digest, std::size_t digest_size) {
    const bytes e = digest_for_p256(digest, digest_size);
    KeyObject& key = *sc.key;
    const bytes der = guarded<bytes>(sc.ctx, "signing with " + key.where(), bytes{}, [&] {
        return key.session->run([&](KeyStore& store) { return store.sign_digest(key.slot, e); });
    });
    if (der.empty()) return 0;
    if (der.size() > sigsize) {
        raise_error(sc.ctx, kReasonInternal, "signature buffer too small");
        return 0;
    }
    std::memcpy(sig, der.data(), der.size());
    *siglen = der.size();
    return 1;
}

void* signature_newctx(void* provctx, const char* propq) {
    auto* sc = new (std::nothrow) SignatureContext;
    if (sc == nullptr) return nullptr;
    sc->ctx = static_cast<ProviderContext*>(provctx);
    if (propq != nullptr) sc->propq = propq;
    return sc;
}

void signature_freectx(void* sigctx) { delete static_cast<SignatureContext*>(sigctx); }

void* signature_dupctx(void* sigctx) {
    const auto* from = static_cast<SignatureContext*>(sigctx);
    auto copy = std::make_unique<SignatureContext>();
    copy->ctx = from->ctx;
    copy->propq = from->propq;
    if (from->key) copy->key = std::make_unique<KeyObject>(*from->key);
    copy->digest = from->digest;
    if (from->md != nullptr) {
        if (!EVP_MD_up_ref(from->md)) return nullptr;
        copy->md = from->md;
    }
    if (from->md_ctx != nullptr) {
        copy->md_ctx = EVP_MD_CTX_new();
        if (copy->md_ctx == nullptr || !EVP_MD_CTX_copy_ex(copy->md_ctx, from->md_ctx)) return nullptr;
    }
    return copy.release();
}

int signature_set_ctx_params(void* sigctx, const OSSL_PARAM params[]);

int signature_sign_init(void* sigctx, void* keydata, const OSSL_PARAM params[]) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    const auto* key = static_cast<const KeyObject*>(keydata);
    if (key == nullptr || !key->has_private()) {
        raise_error(sc->ctx, kReasonNoKey, "this key has no private half on a card (a public key cannot sign)");
        return 0;
    }
    sc->key = std::make_unique<KeyObject>(*key);
    return signature_set_ctx_params(sc, params);
}

int signature_sign(void* sigctx, unsigned char* sig, std::size_t* siglen, std::size_t sigsize,
                   const unsigned char* tbs, std::size_t tbslen) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    if (sig == nullptr) {
        *siglen = kMaxSignatureSize;
        return 1;
    }
    if (sc->md != nullptr && tbslen != static_cast<std::size_t>(EVP_MD_get_size(sc->md))) {
        raise_error(sc->ctx, kReasonUnsupported, "the data to sign is not a digest of the size the digest set says");
        return 0;
    }
    if (tbslen < 20 || tbslen > 64) {
        raise_error(sc->ctx, kReasonUnsupported,
                    "sign() takes a digest (20..64 bytes), not " + std::to_string(tbslen) + " bytes: hash first");
        return 0;
    }
    return sign_on_card(*sc, sig, siglen, sigsize, tbs, tbslen);
}

int signature_digest_sign_init(void* sigctx, const char* mdname, void* keydata, const OSSL_PARAM params[]) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    if (!signature_sign_init(sc, keydata, params)) return 0;
    if (!set_digest(*sc, mdname != nullptr && *mdname != '\0' ? mdname : "SHA256")) return 0;
    if (sc->md_ctx == nullptr) sc->md_ctx = EVP_MD_CTX_new();
    return sc->md_ctx != nullptr && EVP_DigestInit_ex2(sc->md_ctx, sc->md, nullptr) ? 1 : 0;
}

int signature_digest_sign_update(void* sigctx, const unsigned char* data, std::size_t datalen) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    return sc->md_ctx != nullptr && EVP_DigestUpdate(sc->md_ctx, data, datalen) ? 1 : 0;
}

int signature_digest_sign_final(void* sigctx, unsigned char* sig, std::size_t* siglen, std::size_t sigsize) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    if (sig == nullptr) {
        *siglen = kMaxSignatureSize;
        return 1;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (sc->md_ctx == nullptr || !EVP_DigestFinal_ex(sc->md_ctx, digest, &digest_size)) return 0;
    return sign_on_card(*sc, sig, siglen, sigsize, digest, digest_size);
}

int signature_get_ctx_params(void* sigctx, OSSL_PARAM params[]) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p != nullptr) {
        const DigestInfo* digest = sc->digest != nullptr ? sc->digest : &kDigests[1];
        if (!OSSL_PARAM_set_octet_string(p, digest->algorithm_id.data(), digest->algorithm_id.size())) return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != nullptr && !OSSL_PARAM_set_utf8_string(p, sc->md != nullptr ? EVP_MD_get0_name(sc->md) : "SHA256")) return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE);
    if (p != nullptr && !OSSL_PARAM_set_size_t(p, sc->md != nullptr ? static_cast<std::size_t>(EVP_MD_get_size(sc->md)) : 32))
        return 0;
    return 1;
}

const OSSL_PARAM* signature_gettable_ctx_params(void*, void*) {
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
        OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, nullptr),
        OSSL_PARAM_END,
    };
    return gettable;
}

// The digest for sign() (pkeyutl -pkeyopt digest:sha384); digest_sign_init takes its own.
int signature_set_ctx_params(void* sigctx, const OSSL_PARAM params[]) {
    auto* sc = static_cast<SignatureContext*>(sigctx);
    const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p == nullptr) return 1;
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) return 0;
    if (sc->md_ctx != nullptr) return 1;  // digest_sign in progress: its digest stays
    return set_digest(*sc, name) ? 1 : 0;
}

const OSSL_PARAM* signature_settable_ctx_params(void*, void*) {
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
        OSSL_PARAM_END,
    };
    return settable;
}

}  // namespace

const OSSL_DISPATCH kEcdsaSignatureFunctions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, reinterpret_cast<void (*)()>(signature_newctx)},
    {OSSL_FUNC_SIGNATURE_FREECTX, reinterpret_cast<void (*)()>(signature_freectx)},
    {OSSL_FUNC_SIGNATURE_DUPCTX, reinterpret_cast<void (*)()>(signature_dupctx)},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, reinterpret_cast<void (*)()>(signature_sign_init)},
    {OSSL_FUNC_SIGNATURE_SIGN, reinterpret_cast<void (*)()>(signature_sign)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, reinterpret_cast<void (*)()>(signature_digest_sign_init)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, reinterpret_cast<void (*)()>(signature_digest_sign_update)},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, reinterpret_cast<void (*)()>(signature_digest_sign_final)},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, reinterpret_cast<void (*)()>(signature_get_ctx_params)},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, reinterpret_cast<void (*)()>(signature_gettable_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, reinterpret_cast<void (*)()>(signature_set_ctx_params)},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, reinterpret_cast<void (*)()>(signature_settable_ctx_params)},
    {0, nullptr},
};

}  // namespace simkit::provider

// P-256 key pairs, ECDSA and ECDH over OpenSSL 3 (see ec.hpp). The curve arithmetic is OpenSSL's;
// this file only moves bytes in and out of it. Private scalars live in secure_bytes, BN_secure_new
// bignums (freed with BN_clear_free) and OSSL_PARAM arrays built from them (OSSL_PARAM_free wipes
// the data of secure bignums).
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "openssl_check.hpp"
#include "openssl_types.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"

namespace simkit::crypto {

void PkeyFree::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }

namespace {
using namespace detail;


// P-256, made once: an EC_GROUP is not changed by the calls below, so one serves every thread.
const EC_GROUP* p256_group() {
    static const Group group(check_ptr(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), "EC_GROUP_new_by_curve_name"));
    return group.get();
}

// The scalar as a secure bignum, checked to lie in [1, n-1].
SecretBn scalar_bn(const secure_bytes& private_scalar) {
    if (private_scalar.size() != kP256ScalarSize) {
        throw ArgumentError("P-256 private scalar must be 32 bytes, not " + std::to_string(private_scalar.size()));
    }
    SecretBn d(check_ptr(BN_secure_new(), "BN_secure_new"));
    check_ptr(BN_bin2bn(private_scalar.data(), static_cast<int>(private_scalar.size()), d.get()), "BN_bin2bn");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(p256_group())) >= 0) {
        throw ArgumentError("P-256 private scalar must be in [1, n-1]");
    }
    return d;
}

bytes point_to_bytes(const EC_POINT* point) {
    bytes out(kP256PointSize);
    const std::size_t n =
        EC_POINT_point2oct(p256_group(), point, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr);
    if (n != kP256PointSize) fail("EC_POINT_point2oct");
    return out;
}

// An EVP_PKEY from OSSL_PARAMs: EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR.
Pkey pkey_from_params(OSSL_PARAM* params, int selection) {
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_name(nullptr, "EC", kSoftwareKeys), "EVP_PKEY_CTX_new_from_name(EC)"));
    check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
    EVP_PKEY* key = nullptr;
    check(EVP_PKEY_fromdata(ctx.get(), &key, selection, params), "EVP_PKEY_fromdata");
    return Pkey(key);
}

// A private key for signing and ECDH. ECDSA signing and ECDH need only the scalar, so the public
// point is not computed here (an EC_POINT_mul per operation doubled the cost of an on-card signature).
Pkey private_pkey(const secure_bytes& private_scalar) {
    const SecretBn d = scalar_bn(private_scalar);
    ParamBld bld(check_ptr(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
    check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0),
          "OSSL_PARAM_BLD_push_utf8_string(group)");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()), "OSSL_PARAM_BLD_push_BN(priv)");
    Params params(check_ptr(OSSL_PARAM_BLD_to_param(bld.get()), "OSSL_PARAM_BLD_to_param"));
    return pkey_from_params(params.get(), EVP_PKEY_KEYPAIR);
}

void check_digest(const bytes& digest) {
    if (digest.size() != 32) throw ArgumentError("SHA-256 digest must be 32 bytes, not " + std::to_string(digest.size()));
}
}  // namespace

P256KeyPair p256_generate() {
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_name(nullptr, "EC", kSoftwareKeys), "EVP_PKEY_CTX_new_from_name(EC)"));
    check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
    check(EVP_PKEY_CTX_set_group_name(ctx.get(), kP256GroupName), "EVP_PKEY_CTX_set_group_name");
    EVP_PKEY* raw = nullptr;
    check(EVP_PKEY_generate(ctx.get(), &raw), "EVP_PKEY_generate");
    const Pkey key(raw);

    // The private key as a native-endian integer into a wiped buffer, then big-endian via a secure BN.
    secure_bytes native(kP256ScalarSize);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native.data(), native.size()),
        OSSL_PARAM_construct_end(),
    };
    check(EVP_PKEY_get_params(key.get(), params), "EVP_PKEY_get_params(priv)");
    SecretBn d(check_ptr(BN_secure_new(), "BN_secure_new"));
    BIGNUM* d_raw = d.get();
    check(OSSL_PARAM_get_BN(params, &d_raw), "OSSL_PARAM_get_BN");
    P256KeyPair pair;
    pair.private_scalar.resize(kP256ScalarSize);
    check(BN_bn2binpad(d.get(), pair.private_scalar.data(), 32) == 32 ? 1 : 0, "BN_bn2binpad");
    // The public point as the generated key holds it (no second scalar multiplication).
    pair.public_point.resize(kP256PointSize);
    std::size_t point_size = 0;
    check(EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, pair.public_point.data(),
                                          pair.public_point.size(), &point_size),
          "EVP_PKEY_get_octet_string_param(pub)");
    if (point_size != kP256PointSize || pair.public_point[0] != 0x04) fail("EVP_PKEY_get_octet_string_param(pub form)");
    return pair;
}

bytes p256_public_from_private(const secure_bytes& private_scalar) {
    const SecretBn d = scalar_bn(private_scalar);
    BnCtx bn_ctx(check_ptr(BN_CTX_secure_new(), "BN_CTX_secure_new"));
    Point q(check_ptr(EC_POINT_new(p256_group()), "EC_POINT_new"));
    check(EC_POINT_mul(p256_group(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()), "EC_POINT_mul");
    return point_to_bytes(q.get());
}

bool p256_point_is_valid(const bytes& point) {
    if (point.size() != kP256PointSize || point[0] != 0x04) return false;
    const EC_GROUP* group = p256_group();
    Point p(check_ptr(EC_POINT_new(group), "EC_POINT_new"));
    BnCtx bn_ctx(check_ptr(BN_CTX_new(), "BN_CTX_new"));
    const bool ok = EC_POINT_oct2point(group, p.get(), point.data(), point.size(), bn_ctx.get()) == 1 &&
                    EC_POINT_is_at_infinity(group, p.get()) == 0 && EC_POINT_is_on_curve(group, p.get(), bn_ctx.get()) == 1;
    ERR_clear_error();  // a rejected point leaves its reason queued
    return ok;
}

P256PrivateKey::P256PrivateKey(const secure_bytes& private_scalar) : key_(private_pkey(private_scalar)) {}

bytes P256PrivateKey::sign_digest(const bytes& digest) const {
    check_digest(digest);
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), kSoftwareKeys), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
    check(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), "EVP_PKEY_CTX_set_signature_md");
    std::size_t length = 0;
    check(EVP_PKEY_sign(ctx.get(), nullptr, &length, digest.data(), digest.size()), "EVP_PKEY_sign");
    bytes der(length);
    check(EVP_PKEY_sign(ctx.get(), der.data(), &length, digest.data(), digest.size()), "EVP_PKEY_sign");
    der.resize(length);
    return ecdsa_der_to_raw(der);
}

secure_bytes P256PrivateKey::ecdh(const bytes& peer_point) const {
    const Pkey peer = p256_public_key(peer_point);  // ArgumentError for a point off the curve
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), kSoftwareKeys), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_derive_init(ctx.get()), "EVP_PKEY_derive_init");
    check(EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 1), "EVP_PKEY_derive_set_peer_ex");
    std::size_t length = 0;
    check(EVP_PKEY_derive(ctx.get(), nullptr, &length), "EVP_PKEY_derive");
    secure_bytes secret(length);
    check(EVP_PKEY_derive(ctx.get(), secret.data(), &length), "EVP_PKEY_derive");
    if (length != kP256ScalarSize) fail("EVP_PKEY_derive (length)");
    return secret;
}

bytes p256_sign_message(const secure_bytes& private_scalar, const bytes& message) {
    return p256_sign_digest(private_scalar, sha256(message));
}

bytes p256_sign_digest(const secure_bytes& private_scalar, const bytes& digest) {
    check_digest(digest);
    return P256PrivateKey(private_scalar).sign_digest(digest);
}

secure_bytes p256_ecdh(const secure_bytes& private_scalar, const bytes& peer_point) {
    return P256PrivateKey(private_scalar).ecdh(peer_point);
}

bool p256_verify_digest(const bytes& public_point, const bytes& digest, const bytes& raw_signature) {
    check_digest(digest);
    if (raw_signature.size() != 64) {
        throw ArgumentError("raw ECDSA signature must be 64 bytes (r||s), not " + std::to_string(raw_signature.size()));
    }
    const Pkey key = p256_public_key(public_point);
    const bytes der = ecdsa_raw_to_der(raw_signature);
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), kSoftwareKeys), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_verify_init(ctx.get()), "EVP_PKEY_verify_init");
    check(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), "EVP_PKEY_CTX_set_signature_md");
    // 1 = valid; 0 = wrong signature; below 0 = rejected before the check (r or s out of range).
    const int result = EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size());
    ERR_clear_error();
    return result == 1;
}

Pkey p256_public_key(const bytes& public_point) {
    if (!p256_point_is_valid(public_point)) {
        throw ArgumentError("public key is not an uncompressed P-256 point on the curve (" +
                            std::to_string(public_point.size()) + " bytes)");
    }
    ParamBld bld(check_ptr(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
    check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0),
          "OSSL_PARAM_BLD_push_utf8_string(group)");
    check(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(), public_point.size()),
          "OSSL_PARAM_BLD_push_octet_string(pub)");
    Params params(check_ptr(OSSL_PARAM_BLD_to_param(bld.get()), "OSSL_PARAM_BLD_to_param"));
    return pkey_from_params(params.get(), EVP_PKEY_PUBLIC_KEY);
}

}  // namespace simkit::crypto

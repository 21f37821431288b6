// P-256 keys, ECDSA, ECDH, public-key encodings, HKDF-SHA256 and AES-256-GCM over OpenSSL 3 (see
// ec.hpp). The curve arithmetic is OpenSSL's; this file only moves bytes in and out of it. Private
// scalars live in secure_bytes, BN_secure_new bignums (freed with BN_clear_free) and OSSL_PARAM
// arrays built from them (OSSL_PARAM_free wipes the data of secure bignums).
#include "simkit/ec.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <climits>
#include <cstring>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "openssl_check.hpp"

namespace simkit::crypto {

void PkeyFree::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }

namespace {
using detail::check;
using detail::check_ptr;
using detail::fail;

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using SecretBn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using BnCtx = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using Group = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using Cipher = std::unique_ptr<EVP_CIPHER, Deleter<EVP_CIPHER, EVP_CIPHER_free>>;

constexpr const char* kGroupName = "prime256v1";  // = P-256 = secp256r1
constexpr std::size_t kGcmNonceSize = 12;
constexpr std::size_t kGcmTagSize = 16;

// OSSL_PARAM octet strings want a non-null pointer even for zero bytes.
void* param_data(const uint8_t* data) {
    static const uint8_t empty = 0;  // read, never written
    return const_cast<uint8_t*>(data != nullptr ? data : &empty);
}

int int_size(std::size_t size, const char* what) {
    if (size > static_cast<std::size_t>(INT_MAX)) throw ArgumentError(std::string(what) + " is too long");
    return static_cast<int>(size);
}

Group p256_group() { return Group(check_ptr(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), "EC_GROUP_new_by_curve_name")); }

// The scalar as a secure bignum, checked to lie in [1, n-1].
SecretBn scalar_bn(const EC_GROUP* group, const secure_bytes& private_scalar) {
    if (private_scalar.size() != kP256ScalarSize) {
        throw ArgumentError("P-256 private scalar must be 32 bytes, not " + std::to_string(private_scalar.size()));
    }
    SecretBn d(check_ptr(BN_secure_new(), "BN_secure_new"));
    check_ptr(BN_bin2bn(private_scalar.data(), static_cast<int>(private_scalar.size()), d.get()), "BN_bin2bn");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group)) >= 0) {
        throw ArgumentError("P-256 private scalar must be in [1, n-1]");
    }
    return d;
}

bytes point_to_bytes(const EC_GROUP* group, const EC_POINT* point) {
    bytes out(kP256PointSize);
    const std::size_t n = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr);
    if (n != kP256PointSize) fail("EC_POINT_point2oct");
    return out;
}

bytes public_from_scalar(const EC_GROUP* group, const BIGNUM* d) {
    BnCtx bn_ctx(check_ptr(BN_CTX_secure_new(), "BN_CTX_secure_new"));
    Point q(check_ptr(EC_POINT_new(group), "EC_POINT_new"));
    check(EC_POINT_mul(group, q.get(), d, nullptr, nullptr, bn_ctx.get()), "EC_POINT_mul");
    return point_to_bytes(group, q.get());
}

// An EVP_PKEY from OSSL_PARAMs: EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR.
Pkey pkey_from_params(OSSL_PARAM* params, int selection) {
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), "EVP_PKEY_CTX_new_from_name(EC)"));
    check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
    EVP_PKEY* key = nullptr;
    check(EVP_PKEY_fromdata(ctx.get(), &key, selection, params), "EVP_PKEY_fromdata");
    return Pkey(key);
}

// The key pair of a private scalar, its public point computed from it.
// A private key for signing and ECDH. ECDSA signing and ECDH need only the scalar, so the public
// point is not computed here (an EC_POINT_mul per operation doubled the cost of an on-card signature).
Pkey p256_private_key(const secure_bytes& private_scalar) {
    const Group group = p256_group();
    const SecretBn d = scalar_bn(group.get(), private_scalar);
    ParamBld bld(check_ptr(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
    check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0),
          "OSSL_PARAM_BLD_push_utf8_string(group)");
    check(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()), "OSSL_PARAM_BLD_push_BN(priv)");
    Params params(check_ptr(OSSL_PARAM_BLD_to_param(bld.get()), "OSSL_PARAM_BLD_to_param"));
    return pkey_from_params(params.get(), EVP_PKEY_KEYPAIR);
}

// A big-endian unsigned integer of at most 32 significant bytes, left-padded into out[0..32).
void pad32(const uint8_t* value, std::size_t length, uint8_t* out, const char* what) {
    while (length > 0 && *value == 0) ++value, --length;
    if (length > 32) throw FormatError(std::string("ECDSA signature: ") + what + " is longer than 32 bytes");
    std::memset(out, 0, 32 - length);
    std::memcpy(out + 32 - length, value, length);
}

// One DER length at data[pos] (short form, or long form with 1-2 bytes); advances pos.
std::size_t der_length(const bytes& der, std::size_t& pos) {
    if (pos >= der.size()) throw FormatError("ECDSA signature DER: length missing");
    const uint8_t first = der[pos++];
    if (first < 0x80) return first;
    const std::size_t count = first & 0x7F;
    if (count == 0 || count > 2) throw FormatError("ECDSA signature DER: unsupported length form");
    if (der.size() - pos < count) throw FormatError("ECDSA signature DER: length truncated");
    std::size_t length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | der[pos++];
    return length;
}

// An INTEGER at der[pos..end) holding a non-negative value; its value bytes go to out[0..32).
void der_integer(const bytes& der, std::size_t& pos, std::size_t end, uint8_t* out, const char* what) {
    if (pos >= end || der[pos] != 0x02) throw FormatError(std::string("ECDSA signature DER: ") + what + " is not an INTEGER");
    ++pos;
    const std::size_t length = der_length(der, pos);
    if (pos > end || length > end - pos) throw FormatError(std::string("ECDSA signature DER: ") + what + " overruns the SEQUENCE");
    if (length == 0) throw FormatError(std::string("ECDSA signature DER: ") + what + " is empty");
    if (der[pos] & 0x80) throw FormatError(std::string("ECDSA signature DER: ") + what + " is negative");
    pad32(der.data() + pos, length, out, what);
    pos += length;
}

void append_der_integer(bytes& out, const uint8_t* value) {
    std::size_t skip = 0;
    while (skip < 31 && value[skip] == 0) ++skip;  // keep at least one byte (zero is 02 01 00)
    const bool pad = (value[skip] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<uint8_t>(32 - skip + (pad ? 1 : 0)));
    if (pad) out.push_back(0x00);
    out.insert(out.end(), value + skip, value + 32);
}

// The 32-byte big-endian value of a BIGNUM parameter of a key.
void get_coordinate(const EVP_PKEY* key, const char* name, uint8_t* out) {
    BIGNUM* raw = nullptr;
    check(EVP_PKEY_get_bn_param(key, name, &raw), "EVP_PKEY_get_bn_param");
    const Bn value(raw);
    check(BN_bn2binpad(value.get(), out, 32) == 32 ? 1 : 0, "BN_bn2binpad");
}

void check_digest(const bytes& digest) {
    if (digest.size() != 32) throw ArgumentError("SHA-256 digest must be 32 bytes, not " + std::to_string(digest.size()));
}
}  // namespace

P256KeyPair p256_generate() {
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), "EVP_PKEY_CTX_new_from_name(EC)"));
    check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
    check(EVP_PKEY_CTX_set_group_name(ctx.get(), kGroupName), "EVP_PKEY_CTX_set_group_name");
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
    pair.public_point = p256_public_from_private(pair.private_scalar);
    return pair;
}

bytes p256_public_from_private(const secure_bytes& private_scalar) {
    const Group group = p256_group();
    const SecretBn d = scalar_bn(group.get(), private_scalar);
    return public_from_scalar(group.get(), d.get());
}

bool p256_point_is_valid(const bytes& point) {
    if (point.size() != kP256PointSize || point[0] != 0x04) return false;
    const Group group = p256_group();
    Point p(check_ptr(EC_POINT_new(group.get()), "EC_POINT_new"));
    BnCtx bn_ctx(check_ptr(BN_CTX_new(), "BN_CTX_new"));
    const bool ok = EC_POINT_oct2point(group.get(), p.get(), point.data(), point.size(), bn_ctx.get()) == 1 &&
                    EC_POINT_is_at_infinity(group.get(), p.get()) == 0 &&
                    EC_POINT_is_on_curve(group.get(), p.get(), bn_ctx.get()) == 1;
    ERR_clear_error();  // a rejected point leaves its reason queued
    return ok;
}

bytes p256_sign_message(const secure_bytes& private_scalar, const bytes& message) {
    return p256_sign_digest(private_scalar, sha256(message));
}

bytes p256_sign_digest(const secure_bytes& private_scalar, const bytes& digest) {
    check_digest(digest);
    const Pkey key = p256_private_key(private_scalar);
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
    check(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), "EVP_PKEY_CTX_set_signature_md");
    std::size_t length = 0;
    check(EVP_PKEY_sign(ctx.get(), nullptr, &length, digest.data(), digest.size()), "EVP_PKEY_sign");
    bytes der(length);
    check(EVP_PKEY_sign(ctx.get(), der.data(), &length, digest.data(), digest.size()), "EVP_PKEY_sign");
    der.resize(length);
    return ecdsa_der_to_raw(der);
}

bool p256_verify_digest(const bytes& public_point, const bytes& digest, const bytes& raw_signature) {
    check_digest(digest);
    if (raw_signature.size() != 64) {
        throw ArgumentError("raw ECDSA signature must be 64 bytes (r||s), not " + std::to_string(raw_signature.size()));
    }
    const Pkey key = p256_public_key(public_point);
    const bytes der = ecdsa_raw_to_der(raw_signature);
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_verify_init(ctx.get()), "EVP_PKEY_verify_init");
    check(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), "EVP_PKEY_CTX_set_signature_md");
    // 1 = valid; 0 = wrong signature; below 0 = rejected before the check (r or s out of range).
    const int result = EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size());
    ERR_clear_error();
    return result == 1;
}

secure_bytes p256_ecdh(const secure_bytes& private_scalar, const bytes& peer_point) {
    const Pkey peer = p256_public_key(peer_point);  // ArgumentError for a point off the curve
    const Pkey key = p256_private_key(private_scalar);
    PkeyCtx ctx(check_ptr(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), "EVP_PKEY_CTX_new_from_pkey"));
    check(EVP_PKEY_derive_init(ctx.get()), "EVP_PKEY_derive_init");
    check(EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 1), "EVP_PKEY_derive_set_peer_ex");
    std::size_t length = 0;
    check(EVP_PKEY_derive(ctx.get(), nullptr, &length), "EVP_PKEY_derive");
    secure_bytes secret(length);
    check(EVP_PKEY_derive(ctx.get(), secret.data(), &length), "EVP_PKEY_derive");
    if (length != kP256ScalarSize) fail("EVP_PKEY_derive (length)");
    return secret;
}

bytes ecdsa_raw_to_der(const bytes& raw_signature) {
    if (raw_signature.size() != 64) {
        throw ArgumentError("raw ECDSA signature must be 64 bytes (r||s), not " + std::to_string(raw_signature.size()));
    }
    bytes der;
    der.reserve(72);
    der.push_back(0x30);
    der.push_back(0x00);  // the SEQUENCE length, set below: at most 2 * 35 = 70 bytes, short form
    append_der_integer(der, raw_signature.data());
    append_der_integer(der, raw_signature.data() + 32);
    der[1] = static_cast<uint8_t>(der.size() - 2);
    return der;
}

bytes ecdsa_der_to_raw(const bytes& der_signature) {
    const bytes& der = der_signature;
    if (der.empty() || der[0] != 0x30) throw FormatError("ECDSA signature DER: not a SEQUENCE");
    std::size_t pos = 1;
    const std::size_t length = der_length(der, pos);
    if (length != der.size() - pos) throw FormatError("ECDSA signature DER: SEQUENCE length does not match the data");
    bytes raw(64);
    der_integer(der, pos, der.size(), raw.data(), "r");
    der_integer(der, pos, der.size(), raw.data() + 32, "s");
    if (pos != der.size()) throw FormatError("ECDSA signature DER: bytes after s");
    return raw;
}

Pkey p256_public_key(const bytes& public_point) {
    if (!p256_point_is_valid(public_point)) {
        throw ArgumentError("public key is not an uncompressed P-256 point on the curve (" +
                            std::to_string(public_point.size()) + " bytes)");
    }
    ParamBld bld(check_ptr(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
    check(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0),
          "OSSL_PARAM_BLD_push_utf8_string(group)");
    check(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(), public_point.size()),
          "OSSL_PARAM_BLD_push_octet_string(pub)");
    Params params(check_ptr(OSSL_PARAM_BLD_to_param(bld.get()), "OSSL_PARAM_BLD_to_param"));
    return pkey_from_params(params.get(), EVP_PKEY_PUBLIC_KEY);
}

bytes public_key_to_der(const bytes& public_point) {
    const Pkey key = p256_public_key(public_point);
    const int length = i2d_PUBKEY(key.get(), nullptr);
    if (length <= 0) fail("i2d_PUBKEY");
    bytes der(static_cast<std::size_t>(length));
    uint8_t* p = der.data();
    if (i2d_PUBKEY(key.get(), &p) != length) fail("i2d_PUBKEY");
    return der;
}

std::string public_key_to_pem(const bytes& public_point) {
    const Pkey key = p256_public_key(public_point);
    Bio bio(check_ptr(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PUBKEY(bio.get(), key.get()), "PEM_write_bio_PUBKEY");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) fail("BIO_get_mem_data");
    return std::string(data, static_cast<std::size_t>(length));
}

bytes public_point_from_pem_or_der(const bytes& pem_or_der) {
    static const char kPemStart[] = "-----BEGIN";
    std::size_t start = 0;
    while (start < pem_or_der.size() && std::isspace(pem_or_der[start]) != 0) ++start;
    const bool pem = pem_or_der.size() - start >= sizeof kPemStart - 1 &&
                     std::memcmp(pem_or_der.data() + start, kPemStart, sizeof kPemStart - 1) == 0;
    Pkey key;
    if (pem) {
        Bio bio(check_ptr(BIO_new_mem_buf(pem_or_der.data() + start, int_size(pem_or_der.size() - start, "PEM")),
                          "BIO_new_mem_buf"));
        key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const uint8_t* p = pem_or_der.data();
        key.reset(d2i_PUBKEY(nullptr, &p, int_size(pem_or_der.size(), "DER")));
        if (key && p != pem_or_der.data() + pem_or_der.size()) {
            throw FormatError("public key DER: " + std::to_string(pem_or_der.data() + pem_or_der.size() - p) +
                              " bytes after the SubjectPublicKeyInfo");
        }
    }
    ERR_clear_error();
    if (!key) throw FormatError(std::string("not a SubjectPublicKeyInfo public key in ") + (pem ? "PEM" : "DER"));
    char group[64] = "";
    if (!EVP_PKEY_is_a(key.get(), "EC") || EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr) != 1 ||
        std::strcmp(group, kGroupName) != 0) {
        ERR_clear_error();
        throw FormatError(std::string("public key is not a P-256 key (") + EVP_PKEY_get0_type_name(key.get()) +
                          (group[0] != 0 ? std::string(" ") + group : std::string()) + ")");
    }
    // The affine coordinates, whatever point form (compressed or not) the encoding carried.
    bytes point(kP256PointSize);
    point[0] = 0x04;
    get_coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, point.data() + 1);
    get_coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, point.data() + 33);
    return point;
}

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

// X.509 requests and self-signed certificates for a key that signs on the card (key_certificate.hpp).
#include "simkit/key_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/openssl_ptr.hpp"
#include "simkit/provider_key.hpp"

namespace simkit::cli {

namespace {

using Bio = OpensslPtr<BIO, BIO_free_all>;
using Bn = OpensslPtr<BIGNUM, BN_free>;
using Object = OpensslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Request = OpensslPtr<X509_REQ, X509_REQ_free>;
using Certificate = OpensslPtr<X509, X509_free>;
using Extension = OpensslPtr<X509_EXTENSION, X509_EXTENSION_free>;

void check(int ok, const char* call) {
    if (ok != 1) throw CryptoError(std::string(call) + " failed: " + take_openssl_errors());
}

// Why OpenSSL refused an argument, details included ("string too long (maxsize=2)").
std::string openssl_reasons() {
    std::string text;
    const char* data = nullptr;
    int flags = 0;
    while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        const char* reason = ERR_reason_error_string(code);
        std::string one = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(code));
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') one += std::string(" (") + data + ")";
        text += (text.empty() ? "" : "; ") + one;
    }
    return text.empty() ? "refused by OpenSSL" : text;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size < 0 || (size > 0 && data == nullptr)) throw CryptoError("BIO_get_mem_data failed");
    return std::string(data, static_cast<std::size_t>(size));
}

Bio memory_bio() {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) throw CryptoError("BIO_new failed: " + take_openssl_errors());
    return bio;
}

// A digest-sign context for ECDSA-SHA256 with `key`: the provider signs at *_sign_ctx.
crypto::MdCtx sha256_signer(EVP_PKEY* key) {
    crypto::MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) throw CryptoError("EVP_MD_CTX_new failed");
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1) {
        throw CryptoError("preparing an ECDSA-SHA256 signature: " + take_openssl_errors());
    }
    return ctx;
}

// One extension from its OpenSSL config text ("critical,CA:FALSE"); `what` names the option.
Extension make_extension(X509V3_CTX& v3, int nid, const std::string& value, const std::string& what) {
    Extension ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext) throw ArgumentError(what + " '" + value + "': " + openssl_reasons());
    return ext;
}

std::string join_alt_names(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
    return out;
}

}  // namespace

void X509NameFree::operator()(X509_NAME* name) const noexcept { X509_NAME_free(name); }

X509Name parse_subject(const std::string& text) {
    const std::string where = "--subject '" + text + "': ";
    if (text.empty() || text[0] != '/') throw ArgumentError(where + "expected /TYPE=VALUE[/TYPE=VALUE]..., e.g. /CN=device-42/O=Acme");
    X509Name name(X509_NAME_new());
    if (!name) throw CryptoError("X509_NAME_new failed");
    std::size_t i = 1;
    while (i < text.size()) {
        std::string type;
        while (i < text.size() && text[i] != '=' && text[i] != '/') type += text[i++];
        if (type.empty()) throw ArgumentError(where + "an attribute without a type (TYPE=VALUE)");
        if (i == text.size() || text[i] != '=') throw ArgumentError(where + "'" + type + "' has no '=VALUE'");
        ++i;
        std::string value;
        while (i < text.size() && text[i] != '/') {
            if (text[i] == '\\' && ++i == text.size()) throw ArgumentError(where + "ends in a lone '\\'");
            value += text[i++];
        }
        ++i;  // the '/' before the next attribute
        if (value.empty()) throw ArgumentError(where + "'" + type + "' has an empty value");
        Object object(OBJ_txt2obj(type.c_str(), 0));
        if (!object) {
            ERR_clear_error();
            throw ArgumentError(where + "unknown attribute type '" + type + "' (CN, O, OU, C, ST, L, serialNumber, ... or an OID)");
        }
        if (X509_NAME_add_entry_by_OBJ(name.get(), object.get(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()),
                                       -1, 0) != 1) {
            throw ArgumentError(where + type + ": " + openssl_reasons());
        }
    }
    if (X509_NAME_entry_count(name.get()) == 0) throw ArgumentError(where + "no attributes, e.g. /CN=device-42");
    return name;
}

std::string subject_text(const X509_NAME* name) {
    Bio bio = memory_bio();
    if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        throw CryptoError("X509_NAME_print_ex failed: " + take_openssl_errors());
    }
    return bio_text(bio.get());
}

bytes public_point(EVP_PKEY* key) {
    unsigned char point[133];
    std::size_t size = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &size) != 1) {
        throw CryptoError("reading the public key: " + take_openssl_errors());
    }
    return bytes(point, point + size);
}

SignedPem make_request(EVP_PKEY* key, const CertificateFields& fields) {
    const X509Name subject = parse_subject(fields.subject);
    Request request(X509_REQ_new());
    if (!request) throw CryptoError("X509_REQ_new failed");
    check(X509_REQ_set_version(request.get(), X509_REQ_VERSION_1), "X509_REQ_set_version");
    check(X509_REQ_set_subject_name(request.get(), subject.get()), "X509_REQ_set_subject_name");
    check(X509_REQ_set_pubkey(request.get(), key), "X509_REQ_set_pubkey");
    if (!fields.alt_names.empty()) {
        X509V3_CTX v3;
        X509V3_set_ctx_nodb(&v3);
        X509V3_set_ctx(&v3, nullptr, nullptr, request.get(), nullptr, 0);
        Extension san = make_extension(v3, NID_subject_alt_name, join_alt_names(fields.alt_names), "--san");
        STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
        if (extensions == nullptr || sk_X509_EXTENSION_push(extensions, san.get()) <= 0) {
            sk_X509_EXTENSION_free(extensions);
            throw CryptoError("sk_X509_EXTENSION_push failed");
        }
        const int added = X509_REQ_add_extensions(request.get(), extensions);
        sk_X509_EXTENSION_free(extensions);  // the extension itself is san's
        check(added, "X509_REQ_add_extensions");
    }
    crypto::MdCtx signer = sha256_signer(key);
    if (X509_REQ_sign_ctx(request.get(), signer.get()) <= 0) {
        throw CryptoError("signing the request: " + take_openssl_errors());
    }
    Bio bio = memory_bio();
    check(PEM_write_bio_X509_REQ(bio.get(), request.get()), "PEM_write_bio_X509_REQ");
    return {bio_text(bio.get()), subject_text(subject.get()), {}};
}

SignedPem make_self_signed(EVP_PKEY* key, const CertificateFields& fields) {
    const X509Name subject = parse_subject(fields.subject);
    Certificate cert(X509_new());
    if (!cert) throw CryptoError("X509_new failed");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");

    // 16 random bytes, positive and of full length: 126 random bits.
    bytes serial = crypto::random_bytes(16);
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7F) | 0x40);
    Bn serial_bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!serial_bn || BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        throw CryptoError("setting the serial number: " + take_openssl_errors());
    }
    check(X509_set_subject_name(cert.get(), subject.get()), "X509_set_subject_name");
    check(X509_set_issuer_name(cert.get(), subject.get()), "X509_set_issuer_name");
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), fields.days, 0, nullptr) == nullptr) {
        throw CryptoError("setting the validity: " + take_openssl_errors());
    }
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");

    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    const struct {
        int nid;
        std::string value;
    } extensions[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "clientAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    for (const auto& e : extensions) {
        Extension ext = make_extension(v3, e.nid, e.value, OBJ_nid2sn(e.nid));
        check(X509_add_ext(cert.get(), ext.get(), -1), "X509_add_ext");
    }
    if (!fields.alt_names.empty()) {
        Extension san = make_extension(v3, NID_subject_alt_name, join_alt_names(fields.alt_names), "--san");
        check(X509_add_ext(cert.get(), san.get(), -1), "X509_add_ext");
    }

    crypto::MdCtx signer = sha256_signer(key);
    if (X509_sign_ctx(cert.get(), signer.get()) <= 0) {
        throw CryptoError("signing the certificate: " + take_openssl_errors());
    }
    Bio bio = memory_bio();
    check(PEM_write_bio_X509(bio.get(), cert.get()), "PEM_write_bio_X509");
    return {bio_text(bio.get()), subject_text(subject.get()), serial};
}

}  // namespace simkit::cli

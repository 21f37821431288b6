// The test-only eUICC PKI (see test_pki.hpp): three P-256 keys, three X.509 v3 certificates.
#include "euicc/test_pki.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "euicc/profile_store.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/openssl_ptr.hpp"

namespace simkit::sim::euicc {

namespace {
using Key = OpensslPtr<EVP_PKEY, EVP_PKEY_free>;
using Cert = OpensslPtr<X509, X509_free>;
using Name = OpensslPtr<X509_NAME, X509_NAME_free>;
using Ext = OpensslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using Bignum = OpensslPtr<BIGNUM, BN_clear_free>;
using MdCtx = OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;

void check(int ok, const char* what) {
    if (ok <= 0) throw CryptoError(std::string("test PKI: ") + what + " failed");
}

Key new_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, crypto::kSoftwareKeys, "EC", "P-256"));
    if (!key) throw CryptoError("test PKI: P-256 key generation failed");
    return key;
}

Name name_of(const std::string& cn, const std::string& serial_number = {}) {
    Name name(X509_NAME_new());
    if (!name) throw CryptoError("test PKI: X509_NAME_new failed");
    const auto add = [&](const char* field, const std::string& value) {
        check(X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()), -1, 0),
              "X509_NAME_add_entry_by_txt");
    };
    add("O", "simkit TEST ONLY");
    add("CN", cn);
    if (!serial_number.empty()) add("serialNumber", serial_number);
    return name;
}

// A certificate for `subject_key` signed by `issuer_key` (`issuer` null: self-signed).
Cert make_certificate(EVP_PKEY* subject_key, const Name& subject, EVP_PKEY* issuer_key, X509* issuer, bool ca) {
    Cert cert(X509_new());
    if (!cert) throw CryptoError("test PKI: X509_new failed");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    bytes serial = crypto::random_bytes(16);
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7F) | 0x40);
    Bignum serial_bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!serial_bn || BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        throw CryptoError("test PKI: setting the serial number failed");
    }
    check(X509_set_subject_name(cert.get(), subject.get()), "X509_set_subject_name");
    check(X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject.get()),
          "X509_set_issuer_name");
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), 36500, 0, nullptr) == nullptr) {
        throw CryptoError("test PKI: setting the validity failed");
    }
    check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    const std::pair<int, const char*> extensions[] = {
        {NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
        {NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    for (const auto& [nid, value] : extensions) {
        Ext ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
        if (!ext) throw CryptoError(std::string("test PKI: extension ") + OBJ_nid2sn(nid));
        check(X509_add_ext(cert.get(), ext.get(), -1), "X509_add_ext");
    }
    MdCtx md(EVP_MD_CTX_new());
    if (!md) throw CryptoError("test PKI: EVP_MD_CTX_new failed");
    check(EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, crypto::kSoftwareKeys, issuer_key, nullptr), "EVP_DigestSignInit_ex");
    check(X509_sign_ctx(cert.get(), md.get()), "X509_sign_ctx");
    return cert;
}

bytes der_of(X509* cert) {
    unsigned char* out = nullptr;
    const int n = i2d_X509(cert, &out);
    if (n <= 0) throw CryptoError("test PKI: i2d_X509 failed");
    bytes der(out, out + n);
    OPENSSL_free(out);
    return der;
}

secure_bytes private_scalar(EVP_PKEY* key) {
    BIGNUM* raw = nullptr;
    check(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw), "EVP_PKEY_get_bn_param");
    Bignum bn(raw);
    secure_bytes out(32);
    check(BN_bn2binpad(bn.get(), out.data(), 32), "BN_bn2binpad");
    return out;
}
}  // namespace

TestPki make_test_pki(const std::string& eid_digits) {
    const Key ci_key = new_key(), eum_key = new_key(), euicc_key = new_key();
    const Cert ci = make_certificate(ci_key.get(), name_of("simkit test CI"), ci_key.get(), nullptr, true);
    const Cert eum = make_certificate(eum_key.get(), name_of("simkit test EUM"), ci_key.get(), ci.get(), true);
    const Cert euicc = make_certificate(euicc_key.get(), name_of("simkit test eUICC", eid_digits), eum_key.get(), eum.get(), false);
    TestPki pki;
    pki.ci_certificate = der_of(ci.get());
    pki.eum_certificate = der_of(eum.get());
    pki.euicc_certificate = der_of(euicc.get());
    pki.euicc_key = private_scalar(euicc_key.get());
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ci.get());
    if (ski == nullptr) throw CryptoError("test PKI: the CI certificate has no subject key identifier");
    pki.ci_pkid = bytes(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
    return pki;
}

void add_missing_pki(PersistentState& state) {
    if (state.get(kEuiccKeyRecord) != nullptr && state.get(kEuiccCertificateRecord) != nullptr &&
        state.get(kEumCertificateRecord) != nullptr && state.get(kCiPkidRecord) != nullptr) {
        return;
    }
    const secure_bytes* eid = state.get(kEidRecord);
    if (eid == nullptr) throw StateError("euicc/eid missing");
    const TestPki pki = make_test_pki(eid_to_digits(to_bytes(*eid)));
    state.put(kCiCertificateRecord, to_secure(pki.ci_certificate));
    state.put(kEumCertificateRecord, to_secure(pki.eum_certificate));
    state.put(kEuiccCertificateRecord, to_secure(pki.euicc_certificate));
    state.put(kEuiccKeyRecord, pki.euicc_key);
    state.put(kCiPkidRecord, to_secure(pki.ci_pkid));
}

}  // namespace simkit::sim::euicc

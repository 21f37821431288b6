// X.509 for a key that signs elsewhere (`simkit key csr|selfsign`): a subject name read from
// OpenSSL's "/K=V/K=V" form, and a PKCS#10 request or a self-signed v3 certificate signed through
// EVP_DigestSign with ECDSA-SHA256, so that a provider key (simkit_provider) signs on the card.
// Everything comes out as PEM. Every OpenSSL result is checked: bad input raises ArgumentError
// naming the option, a failed signature CryptoError with OpenSSL's (the provider's) messages.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct X509_name_st X509_NAME;

namespace simkit::cli {

struct X509NameFree {
    void operator()(X509_NAME* name) const noexcept;
};
using X509Name = std::unique_ptr<X509_NAME, X509NameFree>;

// "/CN=device-42/O=Acme": attributes by short name, long name or dotted OID, values UTF-8, '\'
// escapes the next character ("/O=A\/B" is O "A/B"). ArgumentError for anything else.
X509Name parse_subject(const std::string& text);
// The name as RFC 4514 writes it ("O=Acme,CN=device-42"), UTF-8 kept.
std::string subject_text(const X509_NAME* name);

// What goes into a request or certificate besides the key.
struct CertificateFields {
    std::string subject;                  // "/CN=..."
    std::vector<std::string> alt_names;   // "DNS:x", "IP:y", "email:z", "URI:u"
    int days = 365;                       // selfsign only
};

struct SignedPem {
    std::string pem;
    std::string subject;  // subject_text of the parsed subject
    bytes serial;         // selfsign only
};

// A PKCS#10 request (v1) for `key`, signed with it (ECDSA-SHA256); alt names go in as an extension
// request.
SignedPem make_request(EVP_PKEY* key, const CertificateFields& fields);
// A self-signed X.509 v3 certificate for `key`: a random 16-byte serial, valid from now for
// fields.days, basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical),
// extendedKeyUsage clientAuth, subject and authority key identifiers, alt names if any.
SignedPem make_self_signed(EVP_PKEY* key, const CertificateFields& fields);

// The key's public point (04||X||Y) as OpenSSL hands it out.
bytes public_point(EVP_PKEY* key);

}  // namespace simkit::cli

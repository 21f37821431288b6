// A throwaway PKI and in-memory TLS for simkit's tests and benchmarks: software P-256 keys, a test
// CA, certificates issued to any public EVP_PKEY (a software key or a provider key on a card),
// client and server SSL_CTX for mutual TLS 1.3 or TLS 1.2 (ECDHE-ECDSA), and one complete handshake
// between them through a BIO pair, pumped in the calling thread (no sockets, no other threads).
//   const test_tls::TestCa ca = test_tls::make_test_ca();
//   const auto client_cert = test_tls::issue_certificate(ca, card_key.get(), test_tls::CertRole::Client, "card");
//   auto client = test_tls::make_client_ctx({test_tls::TlsVersion::Tls13, client_cert.get(), card_key.get(), ca.cert.get()});
//   const test_tls::HandshakeResult result = test_tls::run_handshake(client.get(), server.get());
// Setup failures raise CryptoError with OpenSSL's error queue; a handshake that fails is a result.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>

#include "simkit/ec.hpp"
#include "simkit/core/openssl_ptr.hpp"

namespace simkit::test_tls {

using Certificate = OpensslPtr<X509, X509_free>;
using SslCtx = OpensslPtr<SSL_CTX, SSL_CTX_free>;
using Ssl = OpensslPtr<SSL, SSL_free>;

// A fresh software P-256 key pair.
crypto::Pkey make_p256_key();

// A self-signed CA (basicConstraints critical CA:TRUE, keyCertSign) with a software P-256 key.
struct TestCa {
    crypto::Pkey key;
    Certificate cert;
};
TestCa make_test_ca(const std::string& common_name = "simkit test CA");

// Server: extendedKeyUsage serverAuth and subjectAltName DNS:localhost. Client: clientAuth.
enum class CertRole { Server, Client };

// A certificate for `subject_key`'s public half (any EVP_PKEY, a provider key included), CN
// `common_name`, valid from a minute ago for a day, signed by the CA with ECDSA-SHA256 (X509_sign_ctx).
Certificate issue_certificate(const TestCa& ca, EVP_PKEY* subject_key, CertRole role, const std::string& common_name);

// PEM files: a certificate; a software private key (unencrypted PKCS#8).
void write_certificate_pem(const std::filesystem::path& path, X509* cert);
void write_private_key_pem(const std::filesystem::path& path, EVP_PKEY* key);

// "CN=simkit test client" (RFC 2253 order) of a certificate's subject.
std::string subject_text(X509* cert);

enum class TlsVersion {
    Tls13,            // TLS 1.3 only (any cipher suite, ECDSA signatures)
    Tls12EcdheEcdsa,  // TLS 1.2 only, ECDHE-ECDSA-AES-GCM cipher suites
};

// One side of a mutual-TLS connection: its certificate and key (the key may live on a card) and the
// CA that must have issued the peer's certificate.
struct EndpointConfig {
    TlsVersion version = TlsVersion::Tls13;
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    X509* trusted_ca = nullptr;
    OSSL_LIB_CTX* libctx = nullptr;  // nullptr: OpenSSL's default library context
};

// The server requires a client certificate and verifies it against the CA (SSL_VERIFY_PEER |
// SSL_VERIFY_FAIL_IF_NO_PEER_CERT); it sends no session tickets, so every handshake is a full one.
SslCtx make_server_ctx(const EndpointConfig& config);
// The client verifies the server's certificate against the CA and its name against "localhost".
SslCtx make_client_ctx(const EndpointConfig& config);

struct HandshakeResult {
    bool ok = false;                  // both sides finished the handshake
    std::string version;              // "TLSv1.3" (as the server negotiated it)
    std::string cipher;               // "TLS_AES_256_GCM_SHA384"
    std::string client_cert_subject;  // the client certificate the server received, "" when none
    long server_verify_result = X509_V_OK;  // the server's verdict on the client certificate
    std::string error;                // why it failed: the SSL error codes and OpenSSL's error queue
};

// One complete handshake between a new client SSL from `client` and a new server SSL from `server`,
// connected by a BIO pair and driven alternately in this thread until both finish or one fails.
HandshakeResult run_handshake(SSL_CTX* client, SSL_CTX* server);

}  // namespace simkit::test_tls

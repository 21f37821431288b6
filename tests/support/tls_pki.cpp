// The test PKI and in-memory TLS of tls_pki.hpp: keys, CA, certificates, PEM files, SSL_CTX for
// mutual TLS, and the BIO-pair handshake pump.
#include "tls_pki.hpp"

#include "simkit/provider_key.hpp"  // take_openssl_errors

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"

namespace simkit::test_tls {
namespace {

constexpr long kValidSeconds = 24L * 60 * 60;
constexpr long kBackdateSeconds = 60;
constexpr int kMaxHandshakeRounds = 64;  // a handshake needs a handful; more means it is stuck
constexpr const char* kServerName = "localhost";
constexpr const char* kTls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free_all(bio); }
};
struct BnFree {
    void operator()(BIGNUM* bn) const noexcept { BN_free(bn); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Bignum = std::unique_ptr<BIGNUM, BnFree>;

[[noreturn]] void fail(const std::string& what) {
    const std::string queue = take_openssl_errors();
    throw CryptoError(what + " failed" + (queue.empty() ? "" : ": " + queue));
}

void check(int rc, const char* what) {
    if (rc <= 0) fail(what);
}

// A random positive 63-bit serial number.
void set_random_serial(X509* cert) {
    Bignum serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) fail("BN_to_ASN1_INTEGER");
}

void set_common_name(X509_NAME* name, const std::string& common_name) {
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0),
          "X509_NAME_add_entry_by_txt CN");
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (extension == nullptr) fail(std::string("X509V3_EXT_conf_nid ") + OBJ_nid2sn(nid) + "=" + value);
    const int rc = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    check(rc, "X509_add_ext");
}

// Version 3, serial, validity, subject CN, issuer name and public key: a certificate still to sign.
Certificate new_certificate(EVP_PKEY* subject_key, const std::string& common_name, X509* issuer) {
    Certificate cert(X509_new());
    if (!cert) fail("X509_new");
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    set_random_serial(cert.get());
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr) fail("X509_gmtime_adj notBefore");
    if (X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds) == nullptr) fail("X509_gmtime_adj notAfter");
    set_common_name(X509_get_subject_name(cert.get()), common_name);
    X509_NAME* issuer_name = issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get());
    check(X509_set_issuer_name(cert.get(), issuer_name), "X509_set_issuer_name");
    check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
    return cert;
}

void sign_with_sha256(X509* cert, EVP_PKEY* signer_key) {
    crypto::MdCtx md(EVP_MD_CTX_new());
    if (!md) fail("EVP_MD_CTX_new");
    check(EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, signer_key, nullptr), "EVP_DigestSignInit_ex");
    check(X509_sign_ctx(cert, md.get()), "X509_sign_ctx");
}

void set_protocol(SSL_CTX* ctx, TlsVersion version) {
    const int protocol = version == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    check(SSL_CTX_set_min_proto_version(ctx, protocol), "SSL_CTX_set_min_proto_version");
    check(SSL_CTX_set_max_proto_version(ctx, protocol), "SSL_CTX_set_max_proto_version");
    if (version == TlsVersion::Tls12EcdheEcdsa) check(SSL_CTX_set_cipher_list(ctx, kTls12Ciphers), "SSL_CTX_set_cipher_list");
}

// The context both sides share: protocol, own certificate and key, the trusted CA, no session cache.
SslCtx new_endpoint_ctx(const EndpointConfig& config, const SSL_METHOD* method) {
    if (config.cert == nullptr || config.key == nullptr || config.trusted_ca == nullptr) {
        throw ArgumentError("EndpointConfig needs cert, key and trusted_ca");
    }
    SslCtx ctx(SSL_CTX_new_ex(config.libctx, nullptr, method));
    if (!ctx) fail("SSL_CTX_new_ex");
    set_protocol(ctx.get(), config.version);
    check(SSL_CTX_use_certificate(ctx.get(), config.cert), "SSL_CTX_use_certificate");
    check(SSL_CTX_use_PrivateKey(ctx.get(), config.key), "SSL_CTX_use_PrivateKey");
    check(SSL_CTX_check_private_key(ctx.get()), "SSL_CTX_check_private_key");
    check(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), config.trusted_ca), "X509_STORE_add_cert");
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    return ctx;
}

const char* ssl_error_name(int code) {
    switch (code) {
        case SSL_ERROR_SSL: return "SSL_ERROR_SSL";
        case SSL_ERROR_SYSCALL: return "SSL_ERROR_SYSCALL";
        case SSL_ERROR_ZERO_RETURN: return "SSL_ERROR_ZERO_RETURN (peer closed)";
        case SSL_ERROR_WANT_X509_LOOKUP: return "SSL_ERROR_WANT_X509_LOOKUP";
        case SSL_ERROR_WANT_ASYNC: return "SSL_ERROR_WANT_ASYNC";
        default: return "SSL error";
    }
}

// One SSL_do_handshake step of one side. Returns an error text when the side failed, "" otherwise.
std::string step(SSL* ssl, const char* side, bool& done) {
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
        done = true;
        return "";
    }
    const int code = SSL_get_error(ssl, rc);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return "";
    const std::string queue = take_openssl_errors();
    std::string text = std::string(side) + ": " + ssl_error_name(code);
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) text += std::string(" (peer certificate: ") + X509_verify_cert_error_string(verify) + ")";
    return queue.empty() ? text : text + ": " + queue;
}

}  // namespace

crypto::Pkey make_p256_key() {
    crypto::Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) fail("EVP_PKEY_Q_keygen P-256");
    return key;
}

TestCa make_test_ca(const std::string& common_name) {
    TestCa ca{make_p256_key(), nullptr};
    ca.cert = new_certificate(ca.key.get(), common_name, nullptr);
    add_extension(ca.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.cert.get(), ca.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    sign_with_sha256(ca.cert.get(), ca.key.get());
    return ca;
}

Certificate issue_certificate(const TestCa& ca, EVP_PKEY* subject_key, CertRole role, const std::string& common_name) {
    if (subject_key == nullptr) throw ArgumentError("issue_certificate: subject_key is null");
    Certificate cert = new_certificate(subject_key, common_name, ca.cert.get());
    add_extension(cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    if (role == CertRole::Server) {
        add_extension(cert.get(), ca.cert.get(), NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), ca.cert.get(), NID_subject_alt_name, (std::string("DNS:") + kServerName).c_str());
    } else {
        add_extension(cert.get(), ca.cert.get(), NID_ext_key_usage, "clientAuth");
    }
    sign_with_sha256(cert.get(), ca.key.get());
    return cert;
}

void write_certificate_pem(const std::filesystem::path& path, X509* cert) {
    Bio out(BIO_new_file(path.c_str(), "w"));
    if (!out) fail("BIO_new_file " + path.string());
    check(PEM_write_bio_X509(out.get(), cert), "PEM_write_bio_X509");
}

void write_private_key_pem(const std::filesystem::path& path, EVP_PKEY* key) {
    Bio out(BIO_new_file(path.c_str(), "w"));
    if (!out) fail("BIO_new_file " + path.string());
    check(PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
}

std::string subject_text(X509* cert) {
    Bio out(BIO_new(BIO_s_mem()));
    if (!out) fail("BIO_new");
    if (X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) fail("X509_NAME_print_ex");
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

SslCtx make_server_ctx(const EndpointConfig& config) {
    SslCtx ctx = new_endpoint_ctx(config, TLS_server_method());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    check(SSL_CTX_add_client_CA(ctx.get(), config.trusted_ca), "SSL_CTX_add_client_CA");
    check(SSL_CTX_set_num_tickets(ctx.get(), 0), "SSL_CTX_set_num_tickets");
    return ctx;
}

SslCtx make_client_ctx(const EndpointConfig& config) {
    SslCtx ctx = new_endpoint_ctx(config, TLS_client_method());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

HandshakeResult run_handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
    ERR_clear_error();
    Ssl client(SSL_new(client_ctx));
    Ssl server(SSL_new(server_ctx));
    if (!client || !server) fail("SSL_new");
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    check(BIO_new_bio_pair(&client_end, 0, &server_end, 0), "BIO_new_bio_pair");
    SSL_set_bio(client.get(), client_end, client_end);  // each SSL owns its end now
    SSL_set_bio(server.get(), server_end, server_end);
    check(SSL_set1_host(client.get(), kServerName), "SSL_set1_host");
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());

    HandshakeResult result;
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < kMaxHandshakeRounds && result.error.empty() && !(client_done && server_done); ++round) {
        if (!client_done) result.error = step(client.get(), "client", client_done);
        if (!server_done && result.error.empty()) result.error = step(server.get(), "server", server_done);
    }
    result.ok = client_done && server_done;
    if (!result.ok && result.error.empty()) {
        result.error = "handshake stalled after " + std::to_string(kMaxHandshakeRounds) + " rounds";
    }
    result.version = SSL_get_version(server.get());
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(server.get())) result.cipher = SSL_CIPHER_get_name(cipher);
    if (X509* peer = SSL_get0_peer_certificate(server.get())) result.client_cert_subject = subject_text(peer);
    result.server_verify_result = SSL_get_verify_result(server.get());
    return result;
}

}  // namespace simkit::test_tls

// simkit's OpenSSL provider through open_provider_key(): a key generated on a sim: card (a fresh
// state file per test) signs through EVP_DigestSign on the card, and the signature verifies with a
// plain software public key built from the card's point; the key matches certificates issued for it;
// it authenticates a TLS 1.3 and a TLS 1.2 client in an in-memory mutual-TLS handshake, from two
// threads at once on one card; bad URIs, empty slots and PIN-bound keys fail with messages that say
// why (the card's status word, the PIN, the tries left).
// The provider keeps a card session per card URI for the process lifetime, so every test prepares
// its card (KeyStore::generate) with the Card closed before the provider opens the same file.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "keystore_test_support.hpp"
#include "simkit/card.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/provider_key.hpp"
#include "tls_pki.hpp"

using Catch::Matchers::Contains;
using simkit::bytes;
using simkit::secure_bytes;
using namespace simkit::test_tls;

namespace {

constexpr uint8_t kSlot = 1;
const secure_bytes kUserPin{'1', '2', '3', '4'};

// A sim: card in its own temporary directory with a key pair generated in kSlot. The Card is closed
// again when the constructor returns: the provider must be the state file's only opener.
struct PreparedCard {
    explicit PreparedCard(bool pin_bound = false) {
        simkit::Card card = simkit::Card::open(card_uri);
        simkit::KeyStore store(card);
        store.generate(kSlot, pin_bound);
        public_point = store.public_key(kSlot);
    }
    std::string key_uri(uint8_t slot = kSlot) const { return "simkit:slot=" + std::to_string(slot) + ";card=" + card_uri; }

    simkit::test::TempStateDir dir;
    std::string card_uri = "sim:" + dir.file();
    bytes public_point;
};

bytes sign_message(EVP_PKEY* key, const char* digest, const bytes& message) {
    simkit::crypto::MdCtx md(EVP_MD_CTX_new());
    REQUIRE(md);
    REQUIRE(EVP_DigestSignInit_ex(md.get(), nullptr, digest, nullptr, nullptr, key, nullptr) == 1);
    std::size_t size = 0;
    REQUIRE(EVP_DigestSign(md.get(), nullptr, &size, message.data(), message.size()) == 1);
    bytes signature(size);
    const bool signed_ok = EVP_DigestSign(md.get(), signature.data(), &size, message.data(), message.size()) == 1;
    INFO((signed_ok ? "" : simkit::take_openssl_errors()));
    REQUIRE(signed_ok);
    signature.resize(size);
    return signature;
}

// OpenSSL's default provider verifying with a software key made from the card's public point.
bool software_verifies(const bytes& point, const char* digest, const bytes& message, const bytes& der_signature) {
    const simkit::crypto::Pkey public_key = simkit::crypto::p256_public_key(point);
    simkit::crypto::MdCtx md(EVP_MD_CTX_new());
    REQUIRE(md);
    REQUIRE(EVP_DigestVerifyInit_ex(md.get(), nullptr, digest, nullptr, nullptr, public_key.get(), nullptr) == 1);
    return EVP_DigestVerify(md.get(), der_signature.data(), der_signature.size(), message.data(), message.size()) == 1;
}

bytes encoded_public_key(EVP_PKEY* key) {
    std::size_t size = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &size) == 1);
    bytes point(size);
    REQUIRE(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &size) == 1);
    point.resize(size);
    return point;
}

// The message of the exception open_provider_key throws; FAIL when it throws none or another kind.
std::string open_error(const std::string& uri, const simkit::ProviderKeyOptions& options = {}) {
    try {
        simkit::open_provider_key(uri, options);
    } catch (const simkit::FormatError& error) {
        return error.what();
    } catch (const simkit::CryptoError& error) {
        return error.what();
    }
    FAIL("open_provider_key(" << uri << ") succeeded");
    return "";
}

// A server (software key) and a client whose key is `client_key`, with certificates from one CA.
struct MutualTls {
    MutualTls(EVP_PKEY* client_key, TlsVersion version)
        : client_cert(issue_certificate(ca, client_key, CertRole::Client, "simkit card client")),
          server_cert(issue_certificate(ca, server_key.get(), CertRole::Server, "localhost")),
          client(make_client_ctx({version, client_cert.get(), client_key, ca.cert.get()})),
          server(make_server_ctx({version, server_cert.get(), server_key.get(), ca.cert.get()})) {}

    TestCa ca = make_test_ca();
    simkit::crypto::Pkey server_key = make_p256_key();
    Certificate client_cert;
    Certificate server_cert;
    SslCtx client;
    SslCtx server;
};

}  // namespace

TEST_CASE("a provider key signs on the card: SHA-256 and SHA-384 verify with the card's public key", "[provider]") {
    const PreparedCard card;
    const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri());
    REQUIRE(key);
    const bytes message = simkit::from_hex("48656C6C6F2C2070726F766964657221");

    for (const char* digest : {"SHA256", "SHA384"}) {
        INFO(digest);
        const bytes signature = sign_message(key.get(), digest, message);
        CHECK(software_verifies(card.public_point, digest, message, signature));
        CHECK_FALSE(software_verifies(card.public_point, digest, simkit::from_hex("00"), signature));
    }
}

TEST_CASE("a provider key's public key is the card's", "[provider]") {
    const PreparedCard card;
    const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri());
    CHECK(EVP_PKEY_is_a(key.get(), "EC"));
    CHECK(EVP_PKEY_get_bits(key.get()) == 256);
    CHECK(encoded_public_key(key.get()) == card.public_point);
    const simkit::crypto::Pkey software_public = simkit::crypto::p256_public_key(card.public_point);
    CHECK(EVP_PKEY_eq(key.get(), software_public.get()) == 1);
    CHECK(EVP_PKEY_eq(key.get(), make_p256_key().get()) != 1);
    simkit::take_openssl_errors();  // the refused comparison's errors
}

TEST_CASE("a certificate issued for a provider key matches it; one for another key does not", "[provider]") {
    const PreparedCard card;
    const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri());
    const TestCa ca = make_test_ca();
    const Certificate own = issue_certificate(ca, key.get(), CertRole::Client, "simkit card client");
    const simkit::crypto::Pkey other_key = make_p256_key();
    const Certificate other = issue_certificate(ca, other_key.get(), CertRole::Client, "someone else");

    CHECK(EVP_PKEY_eq(key.get(), X509_get0_pubkey(own.get())) == 1);
    CHECK(X509_check_private_key(own.get(), key.get()) == 1);
    CHECK(EVP_PKEY_eq(key.get(), X509_get0_pubkey(other.get())) != 1);
    CHECK(X509_check_private_key(other.get(), key.get()) != 1);
    simkit::take_openssl_errors();  // the refused comparisons' errors
}

TEST_CASE("mutual TLS with the client key on the card", "[provider]") {
    const PreparedCard card;
    const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri());

    SECTION("TLS 1.3") {
        const MutualTls tls(key.get(), TlsVersion::Tls13);
        const HandshakeResult result = run_handshake(tls.client.get(), tls.server.get());
        INFO(result.error);
        REQUIRE(result.ok);
        CHECK(result.version == "TLSv1.3");
        CHECK(result.client_cert_subject == "CN=simkit card client");
        CHECK(result.server_verify_result == X509_V_OK);
    }
    SECTION("TLS 1.2 ECDHE-ECDSA") {
        const MutualTls tls(key.get(), TlsVersion::Tls12EcdheEcdsa);
        const HandshakeResult result = run_handshake(tls.client.get(), tls.server.get());
        INFO(result.error);
        REQUIRE(result.ok);
        CHECK(result.version == "TLSv1.2");
        CHECK_THAT(result.cipher, Catch::Matchers::StartsWith("ECDHE-ECDSA-"));
        CHECK(result.client_cert_subject == "CN=simkit card client");
        CHECK(result.server_verify_result == X509_V_OK);
    }
}

TEST_CASE("two threads handshake concurrently with provider keys on one card", "[provider]") {
    constexpr int kHandshakesPerThread = 10;
    const PreparedCard card;
    std::vector<std::string> failures[2];
    int successes[2] = {0, 0};

    // Each thread opens its own EVP_PKEY on the same key URI (one card session underneath) and
    // its own SSL_CTX pair; nothing from Catch2 runs inside the threads.
    auto client_thread = [&](int index) {
        try {
            const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri());
            const MutualTls tls(key.get(), TlsVersion::Tls13);
            for (int i = 0; i < kHandshakesPerThread; ++i) {
                const HandshakeResult result = run_handshake(tls.client.get(), tls.server.get());
                if (result.ok && result.client_cert_subject == "CN=simkit card client") {
                    ++successes[index];
                } else {
                    failures[index].push_back(result.error);
                }
            }
        } catch (const std::exception& error) {
            failures[index].push_back(error.what());
        }
    };
    std::thread first(client_thread, 0);
    std::thread second(client_thread, 1);
    first.join();
    second.join();

    for (int index = 0; index < 2; ++index) {
        INFO("thread " << index << ": " << (failures[index].empty() ? "" : failures[index].front()));
        CHECK(failures[index].empty());
        CHECK(successes[index] == kHandshakesPerThread);
    }
}

TEST_CASE("open_provider_key refuses bad key URIs with the reason", "[provider]") {
    const PreparedCard card;
    CHECK_THAT(open_error("not a key uri"), Contains("simkit:"));
    CHECK_THAT(open_error("simkit:card=" + card.card_uri), Contains("slot"));
    CHECK_THAT(open_error("simkit:slot=banana;card=" + card.card_uri), Contains("banana"));
    CHECK_THAT(open_error("simkit:slot=1;colour=red;card=" + card.card_uri), Contains("colour"));
}

TEST_CASE("open_provider_key names the card's status word for a slot without a key", "[provider]") {
    const PreparedCard card;
    SECTION("a slot the card does not have: 6A88") {
        const std::string message = open_error(card.key_uri(9));
        CHECK_THAT(message, Contains("6A88"));
        CHECK_THAT(message, Contains("slot 9"));
    }
    SECTION("a factory slot with no key pair generated: 6984") {
        const std::string message = open_error(card.key_uri(2));
        CHECK_THAT(message, Contains("6984"));
        CHECK_THAT(message, Contains("slot 2"));
    }
}

TEST_CASE("a PIN-bound key on the card needs the user PIN", "[provider]") {
    const PreparedCard card(/*pin_bound=*/true);

    SECTION("without a PIN the message says the key needs one") {
        CHECK_THAT(open_error(card.key_uri()), Contains("PIN"));
    }
    SECTION("with the user PIN it opens and signs on the card") {
        simkit::ProviderKeyOptions options;
        options.pin = kUserPin;
        const simkit::crypto::Pkey key = simkit::open_provider_key(card.key_uri(), options);
        const bytes message = simkit::from_hex("0102030405");
        CHECK(software_verifies(card.public_point, "SHA256", message, sign_message(key.get(), "SHA256", message)));
    }
    SECTION("a wrong PIN fails naming the tries left") {
        simkit::ProviderKeyOptions options;
        options.pin = secure_bytes{'9', '9', '9', '9'};
        const std::string message = open_error(card.key_uri(), options);
        CHECK_THAT(message, Contains("PIN"));
        CHECK_THAT(message, Contains("2 tries left"));
        CHECK_THAT(message, !Contains("9999"));
    }
}

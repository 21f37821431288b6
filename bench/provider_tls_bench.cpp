// Full TLS 1.3 mutual-auth handshakes per second in memory (tests/support/tls_pki.hpp: a BIO pair
// pumped in this thread, no session resumption, no tickets) with the client key on a sim: card
// through simkit's OpenSSL provider, against the same handshake with a software P-256 client key, in
// the same run:
//   Software   the client key is a software P-256 key (OpenSSL's default provider);
//   Card       the client key is open_provider_key("simkit:slot=1;card=sim:DIR/card.state"): the
//              CertificateVerify signature is made on the simulated card (state file, no PIN);
// and, to split the handshake figure into handshake and card cost, one EVP_DigestSign (SHA-256, a
// 130-byte message like TLS 1.3's CertificateVerify input) with each key, and the card's signature
// without the provider (KeyStore::sign_digest on a second card in the same directory), so that
// Card_EvpSign - KeyStore_SignDigest is what the provider adds and Card_EvpSign - Software_EvpSign
// is what a handshake pays for its signature on the card.
// After the table it prints the ratios (goal: Card / Software handshake <= 1.5x) and the split; with
// --benchmark_repetitions=N the figures are the medians.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "bench_cards.hpp"
#include "ratio_reporter.hpp"
#include "simkit/card.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/provider_key.hpp"
#include "tls_pki.hpp"

namespace {

using namespace simkit::test_tls;

constexpr uint8_t kSlot = 0x01;

// Generates a key pair in kSlot of the sim: card `card_uri` and closes the card again.
void generate_on_card(const std::string& card_uri) {
    simkit::Card card = simkit::Card::open(card_uri);
    simkit::KeyStore(card).generate(kSlot);
}

// A client (key `client_key`) and a server (software key) for mutual TLS 1.3 under one test CA.
struct MutualTls13 {
    MutualTls13(const TestCa& ca, EVP_PKEY* client_key, EVP_PKEY* server_key)
        : client_cert(issue_certificate(ca, client_key, CertRole::Client, "simkit bench client")),
          server_cert(issue_certificate(ca, server_key, CertRole::Server, "localhost")),
          client(make_client_ctx({TlsVersion::Tls13, client_cert.get(), client_key, ca.cert.get()})),
          server(make_server_ctx({TlsVersion::Tls13, server_cert.get(), server_key, ca.cert.get()})) {}
    Certificate client_cert;
    Certificate server_cert;
    SslCtx client;
    SslCtx server;
};

void handshakes(benchmark::State& state, const MutualTls13& tls) {
    for (auto _ : state) {
        const HandshakeResult result = run_handshake(tls.client.get(), tls.server.get());
        if (!result.ok) {
            state.SkipWithError(("handshake failed: " + result.error).c_str());
            break;
        }
    }
    state.counters["handshakes/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

const simkit::bytes& certificate_verify_input() {
    static const simkit::bytes input(130, 0x20);  // 64 spaces, context string, 0, transcript hash
    return input;
}

void evp_signs(benchmark::State& state, EVP_PKEY* key) {
    const simkit::bytes& message = certificate_verify_input();
    unsigned char signature[80];
    for (auto _ : state) {
        simkit::crypto::MdCtx md(EVP_MD_CTX_new());
        std::size_t size = sizeof signature;
        if (!md || EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) != 1 ||
            EVP_DigestSign(md.get(), signature, &size, message.data(), message.size()) != 1) {
            state.SkipWithError(("EVP_DigestSign failed: " + simkit::take_openssl_errors()).c_str());
            break;
        }
        benchmark::DoNotOptimize(signature);
    }
}

void keystore_signs(benchmark::State& state, simkit::KeyStore& store) {
    const simkit::bytes digest = simkit::crypto::sha256(certificate_verify_input());
    for (auto _ : state) benchmark::DoNotOptimize(store.sign_digest(kSlot, digest));
}

// Microseconds of `name` minus `baseline`, when both ran.
void print_difference(const simkit::bench::RatioReporter& reporter, const char* label, const char* name, const char* baseline) {
    const auto ours = reporter.micros(name), base = reporter.micros(baseline);
    if (ours && base) std::printf("%-54s %10.1f\n", label, *ours - *base);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    const simkit::bench::BenchTempDir temp;
    const std::string provider_card = temp.sim_uri("provider");
    const std::string direct_card = temp.sim_uri("direct");
    generate_on_card(provider_card);
    generate_on_card(direct_card);

    const TestCa ca = make_test_ca();
    const simkit::crypto::Pkey server_key = make_p256_key();
    const simkit::crypto::Pkey software_key = make_p256_key();
    const simkit::crypto::Pkey card_key =
        simkit::open_provider_key("simkit:slot=" + std::to_string(kSlot) + ";card=" + provider_card);
    const MutualTls13 software_tls(ca, software_key.get(), server_key.get());
    const MutualTls13 card_tls(ca, card_key.get(), server_key.get());
    simkit::Card card = simkit::Card::open(direct_card);
    simkit::KeyStore store(card);

    benchmark::RegisterBenchmark("BM_Software_Tls13Handshake", handshakes, std::cref(software_tls));
    benchmark::RegisterBenchmark("BM_Card_Tls13Handshake", handshakes, std::cref(card_tls));
    benchmark::RegisterBenchmark("BM_Software_EvpSign", evp_signs, software_key.get());
    benchmark::RegisterBenchmark("BM_Card_EvpSign", evp_signs, card_key.get());
    benchmark::RegisterBenchmark("BM_KeyStore_SignDigest", keystore_signs, std::ref(store));

    simkit::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios("vs software key (goal <= 1.5x for the handshake)", "us/op",
                          {{"BM_Card_Tls13Handshake", "BM_Software_Tls13Handshake"},
                           {"BM_Card_EvpSign", "BM_Software_EvpSign"},
                           {"BM_KeyStore_SignDigest", "BM_Software_EvpSign"}});
    std::printf("\n%-54s %10s\n", "where a card handshake's extra time goes", "us");
    print_difference(reporter, "card handshake - software handshake", "BM_Card_Tls13Handshake", "BM_Software_Tls13Handshake");
    print_difference(reporter, "  of it the signature: card sign - software sign", "BM_Card_EvpSign", "BM_Software_EvpSign");
    print_difference(reporter, "  of that the provider: EVP on card - KeyStore alone", "BM_Card_EvpSign", "BM_KeyStore_SignDigest");
    const auto handshake_extra = [&]() -> std::optional<double> {
        const auto card = reporter.micros("BM_Card_Tls13Handshake"), software = reporter.micros("BM_Software_Tls13Handshake");
        const auto card_sign = reporter.micros("BM_Card_EvpSign"), software_sign = reporter.micros("BM_Software_EvpSign");
        if (!card || !software || !card_sign || !software_sign) return std::nullopt;
        return (*card - *software) - (*card_sign - *software_sign);
    }();
    if (handshake_extra) std::printf("%-54s %10.1f\n", "  the rest (not the signature)", *handshake_extra);
    benchmark::Shutdown();
    return 0;
}

// On-card P-256 signing (hash given, COMPUTE SIGNATURE INIT + UPDATE) and key generation (GENERATE
// KEY PAIR) through the host KeyStore client — the full APDU path: KeyStore -> simkit::Card ->
// transport -> card runtime -> key store applet -> object store -> OpenSSL — against bare OpenSSL
// EVP in the same run:
//   Evp        EVP_PKEY_sign of a SHA-256 digest with a P-256 key (a new EVP_PKEY_CTX per signature),
//              EVP_PKEY_keygen P-256 (a new EVP_PKEY_CTX per key);
//   StateFile  the sim: transport on a state file in a temporary directory: every GENERATE KEY PAIR
//              commits the state file (write + fsync + rename), signing writes nothing;
//   Memory     the same card with its state in memory (sim::make_memory_card behind a Transport),
//              so StateFile - Memory is the cost of the commit;
//   Crypto     the card's own crypto calls alone (P256PrivateKey::sign_digest with the slot's key
//              loaded once, as the card's key cache keeps it; ImportEach imports the scalar for every
//              signature; crypto::p256_generate), to split the on-card figure into crypto and
//              APDU/applet layers.
// After the table it prints the ratios (goal <= 1.5x against Evp); with --benchmark_repetitions=N
// the ratios are of the medians.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "bench_cards.hpp"
#include "ratio_reporter.hpp"
#include "simkit/card.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/keystore_client.hpp"
#include "simulated_card.hpp"

namespace {

constexpr uint8_t kSlot = 0x01;

void check(int rc, const char* what) {
    if (rc <= 0) throw std::runtime_error(std::string(what) + " failed");
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

Pkey evp_p256_keygen() {
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx) throw std::runtime_error("EVP_PKEY_CTX_new_from_name failed");
    check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
    check(EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256"), "EVP_PKEY_CTX_set_group_name");
    EVP_PKEY* key = nullptr;
    check(EVP_PKEY_keygen(ctx.get(), &key), "EVP_PKEY_keygen");
    return Pkey(key);
}

const simkit::bytes& digest() {
    static const simkit::bytes d = simkit::crypto::sha256(simkit::from_hex("48656C6C6F2C206B65792073746F726521"));
    return d;
}

void BM_Evp_SignDigest(benchmark::State& state) {
    const Pkey key = evp_p256_keygen();
    const simkit::bytes& d = digest();
    unsigned char sig[80];
    for (auto _ : state) {
        PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
        if (!ctx) throw std::runtime_error("EVP_PKEY_CTX_new_from_pkey failed");
        check(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
        check(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), "EVP_PKEY_CTX_set_signature_md");
        std::size_t length = sizeof sig;
        check(EVP_PKEY_sign(ctx.get(), sig, &length, d.data(), d.size()), "EVP_PKEY_sign");
        benchmark::DoNotOptimize(sig);
    }
}

void BM_Evp_Keygen(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(evp_p256_keygen());
}

// What the card does per signature: the slot's key is loaded once (keystore/private_key_cache.hpp).
void BM_Crypto_SignDigest(benchmark::State& state) {
    const simkit::crypto::P256KeyPair pair = simkit::crypto::p256_generate();
    const simkit::crypto::P256PrivateKey key(pair.private_scalar);
    for (auto _ : state) benchmark::DoNotOptimize(key.sign_digest(digest()));
}

// The same with the scalar imported into OpenSSL for every signature (what the card did before the cache).
void BM_Crypto_SignDigestImportEach(benchmark::State& state) {
    const simkit::crypto::P256KeyPair pair = simkit::crypto::p256_generate();
    for (auto _ : state) benchmark::DoNotOptimize(simkit::crypto::p256_sign_digest(pair.private_scalar, digest()));
}

void BM_Crypto_Keygen(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(simkit::crypto::p256_generate());
}

void sign_on(benchmark::State& state, simkit::Card& card) {
    simkit::KeyStore keystore(card);
    keystore.generate(kSlot);
    for (auto _ : state) benchmark::DoNotOptimize(keystore.sign_digest(kSlot, digest()));
}

void keygen_on(benchmark::State& state, simkit::Card& card) {
    simkit::KeyStore keystore(card);
    for (auto _ : state) benchmark::DoNotOptimize(keystore.generate(kSlot));
}

void BM_StateFile_SignDigest(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit::Card card = simkit::Card::open(temp.sim_uri());
    sign_on(state, card);
}

void BM_Memory_SignDigest(benchmark::State& state) {
    simkit::Card card(std::make_unique<simkit::bench::MemoryTransport>());
    sign_on(state, card);
}

void BM_StateFile_Keygen(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit::Card card = simkit::Card::open(temp.sim_uri());
    keygen_on(state, card);
}

void BM_Memory_Keygen(benchmark::State& state) {
    simkit::Card card(std::make_unique<simkit::bench::MemoryTransport>());
    keygen_on(state, card);
}


}  // namespace

BENCHMARK(BM_Evp_SignDigest);
BENCHMARK(BM_Crypto_SignDigest);
BENCHMARK(BM_Crypto_SignDigestImportEach);
BENCHMARK(BM_StateFile_SignDigest);
BENCHMARK(BM_Memory_SignDigest);
BENCHMARK(BM_Evp_Keygen);
BENCHMARK(BM_Crypto_Keygen);
BENCHMARK(BM_StateFile_Keygen);
BENCHMARK(BM_Memory_Keygen);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    simkit::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios("vs bare EVP", "us/op",
                          {{"BM_Crypto_SignDigest", "BM_Evp_SignDigest"},
                           {"BM_Crypto_SignDigestImportEach", "BM_Evp_SignDigest"},
                           {"BM_StateFile_SignDigest", "BM_Evp_SignDigest"},
                           {"BM_Memory_SignDigest", "BM_Evp_SignDigest"},
                           {"BM_Crypto_Keygen", "BM_Evp_Keygen"},
                           {"BM_StateFile_Keygen", "BM_Evp_Keygen"},
                           {"BM_Memory_Keygen", "BM_Evp_Keygen"}});
    const auto file = reporter.micros("BM_StateFile_Keygen"), memory = reporter.micros("BM_Memory_Keygen");
    if (file && memory) std::printf("%-54s %10.1f\n", "state file commit per keygen (us)", *file - *memory);
    benchmark::Shutdown();
    return 0;
}

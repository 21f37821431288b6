// The C API's own cost (issue 11): the same operations on a sim: card through simkit.h
// (simkit_transmit, simkit_keystore_sign) and through the C++ host library it wraps
// (Card::transmit_bytes, KeyStore::sign), in the same run; prints the ratios (C over C++).
// The C side adds a mutex, the error border and the copies into caller buffers.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <stdexcept>

#include "bench_cards.hpp"
#include "ratio_reporter.hpp"
#include "simkit.h"
#include "simkit/card.hpp"
#include "simkit/keystore_client.hpp"

namespace {
const simkit::bytes kSelectIsd = simkit::from_hex("00A4040008A000000151000000");
const simkit::bytes kMessage = simkit::from_hex("68656c6c6f2066726f6d20746865206465766963652066697277617265");
constexpr uint8_t kSlot = 1;

simkit_card* open_c_card(const std::string& uri) {
    simkit_card* card = nullptr;
    if (simkit_open(uri.c_str(), &card) != SIMKIT_OK) throw std::runtime_error(simkit_last_error(nullptr));
    return card;
}

void BM_Cpp_SelectIsd(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit::Card card = simkit::Card::open(temp.sim_uri());
    for (auto _ : state) benchmark::DoNotOptimize(card.transmit_bytes(kSelectIsd));
}

void BM_C_SelectIsd(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit_card* card = open_c_card(temp.sim_uri());
    uint8_t response[SIMKIT_MAX_SHORT_RESPONSE];
    for (auto _ : state) {
        size_t response_len = sizeof response;
        uint16_t sw = 0;
        if (simkit_transmit(card, kSelectIsd.data(), kSelectIsd.size(), response, &response_len, &sw) != SIMKIT_OK) {
            state.SkipWithError(simkit_last_error(card));
            break;
        }
        benchmark::DoNotOptimize(sw);
    }
    simkit_close(&card);
}

void BM_Cpp_Sign(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit::Card card = simkit::Card::open(temp.sim_uri());
    simkit::KeyStore keystore(card);
    keystore.generate(kSlot);
    for (auto _ : state) benchmark::DoNotOptimize(keystore.sign(kSlot, kMessage));
}

void BM_C_Sign(benchmark::State& state) {
    simkit::bench::BenchTempDir temp;
    simkit_card* card = open_c_card(temp.sim_uri());
    if (simkit_keystore_generate(card, kSlot, 0) != SIMKIT_OK) state.SkipWithError(simkit_last_error(card));
    uint8_t signature[SIMKIT_ECDSA_DER_MAX_LEN];
    for (auto _ : state) {
        size_t signature_len = sizeof signature;
        if (simkit_keystore_sign(card, kSlot, kMessage.data(), kMessage.size(), signature, &signature_len) != SIMKIT_OK) {
            state.SkipWithError(simkit_last_error(card));
            break;
        }
        benchmark::DoNotOptimize(signature_len);
    }
    simkit_close(&card);
}
}  // namespace

BENCHMARK(BM_Cpp_SelectIsd);
BENCHMARK(BM_C_SelectIsd);
BENCHMARK(BM_Cpp_Sign);
BENCHMARK(BM_C_Sign);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    simkit::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios("C API vs C++ host library", "us/op",
                          {{"BM_C_SelectIsd", "BM_Cpp_SelectIsd"}, {"BM_C_Sign", "BM_Cpp_Sign"}});
    benchmark::Shutdown();
    return 0;
}

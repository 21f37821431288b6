// In-process APDU round trips on a simulated card, in APDUs/s: SELECT ISD and GET DATA through the
// card runtime directly (the bare baseline) and through the host library's sim: path
// (simkit::Card -> transport -> card). Ratios between them are the cost of the host layers.
#include <benchmark/benchmark.h>


#include "bench_cards.hpp"
#include "simkit/card.hpp"
#include "simulated_card.hpp"

namespace {
const simkit::bytes kSelectIsd = simkit::from_hex("00A4040008A000000151000000");
const simkit::bytes kGetDataKeys = simkit::from_hex("80CA00E000");

void run_card(benchmark::State& state, const simkit::bytes& command) {
    auto card = simkit::sim::make_memory_card();
    for (auto _ : state) benchmark::DoNotOptimize(card->transmit(command));
    state.counters["APDUs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void run_host(benchmark::State& state, const simkit::bytes& command) {
    simkit::bench::BenchTempDir temp;  // the host path needs a state file: one per run
    simkit::Card card = simkit::Card::open(temp.sim_uri());
    for (auto _ : state) benchmark::DoNotOptimize(card.transmit_bytes(command));
    state.counters["APDUs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_CardRuntime_SelectIsd(benchmark::State& s) { run_card(s, kSelectIsd); }
void BM_CardRuntime_GetData(benchmark::State& s) { run_card(s, kGetDataKeys); }
void BM_HostSim_SelectIsd(benchmark::State& s) { run_host(s, kSelectIsd); }
void BM_HostSim_GetData(benchmark::State& s) { run_host(s, kGetDataKeys); }
}  // namespace

BENCHMARK(BM_CardRuntime_SelectIsd);
BENCHMARK(BM_HostSim_SelectIsd);
BENCHMARK(BM_CardRuntime_GetData);
BENCHMARK(BM_HostSim_GetData);
BENCHMARK_MAIN();

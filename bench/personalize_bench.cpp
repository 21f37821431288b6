// The personalization line per card (CardPersonalizer::personalize: USIM data written, ISD keys
// rotated to KDF3-diversified keys, verified), one fresh card per iteration (a new Luhn-valid ICCID,
// random K/OPc; record.ok checked, the benchmark aborts otherwise), one benchmark per layer so the
// differences tell where the time goes:
//   StateFile_Journal  what `simkit personalize --batch --jobs 1` does per card: the card on a state
//                      file DIR/<iccid>.state (every command that changes the card commits it: write +
//                      fsync + rename) and a SQLite journal (WAL, synchronous=FULL) with one durable row
//                      per step from on_step, then a Done row;
//   StateFile          the same without the journal, so StateFile_Journal - StateFile is the journal;
//   Memory             the same card with its state in memory (sim::make_memory_card behind a
//                      Transport), no journal: no fsync at all, only APDUs + card and host crypto, so
//                      StateFile - Memory is the state file commits;
//   JournalRow         one durable journal row alone (the unit of the journal's share);
//   Crypto             the bare baseline, no card: the host-side crypto of one card as the personalizer
//                      computes it once — diversify_keys (KDF3) of a KDD, the three KCVs, one MILENAGE
//                      f2345 + build_autn (the personalizer diversifies a few more times and runs
//                      SCP03 sessions on top; those are in Memory).
// DIR is a new directory under std::filesystem::temp_directory_path() ($TMPDIR, else /tmp), printed
// first: it must be on a real disk (a tmpfs makes fsync free). The counters give journal rows and
// APDUs per card (5 journal rows; strace of the CLI batch also shows 9 state-file commits = 18
// fsyncs per card, and one fdatasync per journal row). After the table: the ratios, the per-card
// split and cards/s = 1e6 / us per card. bench/run_line_bench.sh times the CLI batch with --jobs.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "bench_cards.hpp"
#include "ratio_reporter.hpp"
#include "simkit/aka.hpp"
#include "simkit/card.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/crypto.hpp"
#include "simkit/diversify.hpp"
#include "simkit/milenage.hpp"
#include "simkit/personalization.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simulated_card.hpp"

namespace {

using namespace simkit;
using personalize::Step;

bool g_failed = false;  // a card that did not personalize: main exits 1

personalize::LineKeys line_keys() {
    personalize::LineKeys keys;  // scheme Kdf3, KVN 30 -> 31, as tools/simkit/personalize_command.cpp
    static const secure_bytes master = to_secure(crypto::random_bytes(16));
    keys.master = master;
    const secure_bytes factory = to_secure(from_hex("404142434445464748494A4B4C4D4E4F"));
    keys.current = scp::StaticKeys{factory, factory, factory};
    return keys;
}

// A fresh card's row: ICCID 8988211 + 11-digit serial + Luhn digit, IMSI 00101 + 10 digits, random K/OPc.
personalize::CardData next_card() {
    static unsigned long long serial = 0;
    char digits[32];
    std::snprintf(digits, sizeof digits, "8988211%011llu", ++serial);
    personalize::CardData data;
    data.iccid = std::string(digits) + uicc::luhn_check_digit(digits);
    std::snprintf(digits, sizeof digits, "00101%010llu", serial);
    data.imsi = digits;
    data.ki = to_secure(crypto::random_bytes(16));
    data.opc = to_secure(crypto::random_bytes(16));
    return data;
}

bool check_ok(benchmark::State& state, const personalize::CardRecord& record) {
    if (record.ok) return true;
    g_failed = true;
    state.SkipWithError(("card " + record.iccid + " failed: " + record.error).c_str());
    return false;
}

// One card per iteration on a state file, with or without the journal.
void state_file_line(benchmark::State& state, bool journaled) {
    bench::BenchTempDir temp;
    const auto journal = journaled ? personalize::open_sqlite_journal((temp.dir / "line.journal").string(),
                                                                      personalize::JournalOpen::CreateNew)
                                   : nullptr;
    personalize::CardPersonalizer personalizer(line_keys());
    long rows = 0;
    for (auto _ : state) {
        const personalize::CardData data = next_card();  // ~1 us: the CSV row's share
        Card card = Card::open(temp.sim_uri(data.iccid));
        const auto record = personalizer.personalize(card, data, [&](Step step, const personalize::CardRecord&) {
            if (!journal) return;
            journal->record(data.iccid, step, "{}");
            ++rows;
        });
        if (journal) {
            journal->record(data.iccid, Step::Done, "{}");
            ++rows;
        }
        if (!check_ok(state, record)) break;
    }
    state.counters["rows/card"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
}

void BM_StateFile_Journal(benchmark::State& state) { state_file_line(state, true); }
void BM_StateFile(benchmark::State& state) { state_file_line(state, false); }

void BM_Memory(benchmark::State& state) {
    personalize::CardPersonalizer personalizer(line_keys());
    long apdus = 0;
    for (auto _ : state) {
        const personalize::CardData data = next_card();
        Card card(std::make_unique<bench::MemoryTransport>(&apdus));
        if (!check_ok(state, personalizer.personalize(card, data))) break;
    }
    state.counters["apdus/card"] = static_cast<double>(apdus) / static_cast<double>(state.iterations());
}

void BM_JournalRow(benchmark::State& state) {
    bench::BenchTempDir temp;
    const auto journal = personalize::open_sqlite_journal((temp.dir / "line.journal").string(), personalize::JournalOpen::CreateNew);
    const std::string iccid = next_card().iccid;
    for (auto _ : state) journal->record(iccid, Step::Started, "{}");
}

void BM_Crypto(benchmark::State& state) {
    const personalize::LineKeys keys = line_keys();
    const personalize::CardData data = next_card();
    const bytes kdd = crypto::random_bytes(10);
    const bytes sqn{0x00, 0x00, 0x00, 0x00, 0x00, 0x21}, amf{0x80, 0x00};
    for (auto _ : state) {
        const scp::StaticKeys k = diversify_keys(keys.scheme, keys.master, kdd);
        benchmark::DoNotOptimize(key_check_value(keys.scheme, k.enc));
        benchmark::DoNotOptimize(key_check_value(keys.scheme, k.mac));
        benchmark::DoNotOptimize(key_check_value(keys.scheme, k.dek));
        const milenage::Milenage m(data.ki, data.opc);
        const bytes rand = crypto::random_bytes(16);
        benchmark::DoNotOptimize(aka::build_autn(m, rand, sqn, amf));
        benchmark::DoNotOptimize(m.f2345(rand));
    }
}

}  // namespace

BENCHMARK(BM_Crypto);
BENCHMARK(BM_JournalRow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Memory)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StateFile)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_StateFile_Journal)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    std::printf("state files and journals under %s\n", std::filesystem::temp_directory_path().c_str());
    simkit::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios("per card", "us/card",
                          {{"BM_StateFile_Journal", "BM_Memory"},
                           {"BM_StateFile", "BM_Memory"},
                           {"BM_StateFile_Journal", "BM_StateFile"},
                           {"BM_Memory", "BM_Crypto"}});
    const auto journal = reporter.micros("BM_StateFile_Journal"), file = reporter.micros("BM_StateFile"),
               memory = reporter.micros("BM_Memory"), crypto = reporter.micros("BM_Crypto"), row = reporter.micros("BM_JournalRow");
    std::printf("\n%-54s %10s\n", "split of one card", "us/card");
    if (journal && file) std::printf("%-54s %10.1f\n", "journal (StateFile_Journal - StateFile)", *journal - *file);
    if (row) std::printf("%-54s %10.1f\n", "  5 rows at JournalRow (started..verified, done)", 5 * *row);
    if (file && memory) std::printf("%-54s %10.1f\n", "state file commits (StateFile - Memory)", *file - *memory);
    if (memory && crypto) std::printf("%-54s %10.1f\n", "APDUs, card, SCP03 sessions (Memory - Crypto)", *memory - *crypto);
    if (crypto) std::printf("%-54s %10.1f\n", "host crypto baseline (Crypto)", *crypto);
    std::printf("\n%-54s %10s\n", "throughput", "cards/s");
    for (const char* name : {"BM_StateFile_Journal", "BM_StateFile", "BM_Memory"}) {
        if (const auto us = reporter.micros(name); us && *us > 0) std::printf("%-54s %10.1f\n", name, 1e6 / *us);
    }
    benchmark::Shutdown();
    return g_failed ? 1 : 0;
}

// APDU round trips over PC/SC to a card served through vpcd: simkit's `pcsc:` transport
// (simkit::Card::transmit, with response completion) against a bare SCardTransmit loop on the same
// reader, in the same run. Goals: hostlib / bare <= 1.05, and <= 0.4 ms per APDU over vpcd.
//
// Needs a running pcscd with a card; bench/run_pcsc_bench.py starts an isolated one and passes
// the reader in $SIMKIT_BENCH_READER (default "Virtual PCD 00 00") and the socket in
// $PCSCLITE_CSOCK_NAME.
#include <winscard.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/card.hpp"

namespace {

const simkit::bytes kSelectIsd = simkit::from_hex("00A4040008A000000151000000");
const simkit::bytes kGetDataKeyInfo = simkit::from_hex("80CA00E000");

std::string reader_name() {
    const char* env = std::getenv("SIMKIT_BENCH_READER");
    return env != nullptr && *env != '\0' ? env : "Virtual PCD 00 00";
}

// The bare baseline: one context, one connection, SCardTransmit into a fixed buffer.
class BareConnection {
public:
    BareConnection() {
        check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_), "SCardEstablishContext");
        const std::string reader = full_reader_name(reader_name());
        check(SCardConnect(context_, reader.c_str(), SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_,
                           &protocol_),
              "SCardConnect");
    }
    ~BareConnection() {
        SCardDisconnect(card_, SCARD_RESET_CARD);
        SCardReleaseContext(context_);
    }
    BareConnection(const BareConnection&) = delete;
    BareConnection& operator=(const BareConnection&) = delete;

    // Returns the SW; throws when the call fails.
    unsigned transmit(const simkit::bytes& command) {
        const SCARD_IO_REQUEST pci{protocol_, sizeof(SCARD_IO_REQUEST)};
        DWORD length = sizeof buffer_;
        check(SCardTransmit(card_, &pci, command.data(), static_cast<DWORD>(command.size()), nullptr, buffer_, &length),
              "SCardTransmit");
        if (length < 2) throw std::runtime_error("short response");
        return (buffer_[length - 2] << 8) | buffer_[length - 1];
    }

private:
    static void check(LONG rc, const char* call) {
        if (rc != SCARD_S_SUCCESS) throw std::runtime_error(std::string(call) + ": " + pcsc_stringify_error(rc));
    }
    // The first reader whose name contains `part`.
    std::string full_reader_name(const std::string& part) const {
        DWORD length = 0;
        check(SCardListReaders(context_, nullptr, nullptr, &length), "SCardListReaders");
        std::string names(length, '\0');
        check(SCardListReaders(context_, nullptr, names.data(), &length), "SCardListReaders");
        for (std::size_t start = 0; start < names.size() && names[start] != '\0';) {
            const std::string name = names.c_str() + start;
            if (name.find(part) != std::string::npos) return name;
            start += name.size() + 1;
        }
        throw std::runtime_error("no reader matches '" + part + "'");
    }

    SCARDCONTEXT context_ = 0;
    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
    BYTE buffer_[258 + 65536];
};

void run_bare(benchmark::State& state, const simkit::bytes& command) {
    try {
        BareConnection connection;
        for (auto _ : state) {
            if (connection.transmit(command) != 0x9000) state.SkipWithError("card did not answer 9000");
        }
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

void run_hostlib(benchmark::State& state, const simkit::bytes& command) {
    try {
        simkit::Card card = simkit::Card::open("pcsc:" + reader_name());
        const simkit::CommandApdu apdu = simkit::CommandApdu::parse(command);
        for (auto _ : state) {
            if (card.transmit(apdu).sw() != 0x9000) state.SkipWithError("card did not answer 9000");
        }
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

// Both loops in one benchmark, alternating blocks of kBlock APDUs on two connections to the same
// card, so drift and scheduling noise of the machine hit both alike. Counters: median µs per APDU
// of each side's blocks, and their ratio (the figure the 1.05 goal is checked against).
constexpr int kBlock = 8;

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

void run_paired(benchmark::State& state, const simkit::bytes& command) {
    using Clock = std::chrono::steady_clock;
    try {
        BareConnection bare;
        simkit::Card card = simkit::Card::open("pcsc:" + reader_name());
        const simkit::CommandApdu apdu = simkit::CommandApdu::parse(command);
        std::vector<double> bare_blocks;
        std::vector<double> host_blocks;
        for (auto _ : state) {
            const auto t0 = Clock::now();
            for (int i = 0; i < kBlock; ++i) benchmark::DoNotOptimize(bare.transmit(command));
            const auto t1 = Clock::now();
            for (int i = 0; i < kBlock; ++i) benchmark::DoNotOptimize(card.transmit(apdu).sw());
            const auto t2 = Clock::now();
            bare_blocks.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / kBlock);
            host_blocks.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / kBlock);
        }
        const double bare_us = median(bare_blocks);
        const double host_us = median(host_blocks);
        state.counters["bare_us"] = bare_us;
        state.counters["hostlib_us"] = host_us;
        state.counters["ratio"] = bare_us > 0 ? host_us / bare_us : 0;
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

void BM_Paired_SelectIsd(benchmark::State& state) { run_paired(state, kSelectIsd); }
void BM_Paired_GetData(benchmark::State& state) { run_paired(state, kGetDataKeyInfo); }
BENCHMARK(BM_Paired_SelectIsd)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Paired_GetData)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Bare_SelectIsd(benchmark::State& state) { run_bare(state, kSelectIsd); }
void BM_Hostlib_SelectIsd(benchmark::State& state) { run_hostlib(state, kSelectIsd); }
void BM_Bare_GetData(benchmark::State& state) { run_bare(state, kGetDataKeyInfo); }
void BM_Hostlib_GetData(benchmark::State& state) { run_hostlib(state, kGetDataKeyInfo); }

// Real time: the work happens in pcscd and the card daemon, not in this process's CPU time.
BENCHMARK(BM_Bare_SelectIsd)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Hostlib_SelectIsd)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Bare_GetData)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Hostlib_GetData)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

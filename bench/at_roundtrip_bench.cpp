// APDU round trips over the at: transport — simkit::Card -> AT+CSIM/CGLA on a pty ->
// `simkit-card serve --at-pty` -> card — against the in-process sim: baseline in the same run,
// as wall-clock time per APDU (one APDU per iteration) and APDUs/s. The program starts the
// modem itself: simkit-card is looked up in $SIMKIT_BIN_DIR, else next to this program
// (build/bin). bench/run_at_bench.sh runs it.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "simkit/card.hpp"

extern char** environ;

namespace {
namespace fs = std::filesystem;
const simkit::bytes kSelectIsd = simkit::from_hex("00A4040008A000000151000000");
const simkit::bytes kGetDataKeys = simkit::from_hex("80CA00E000");

fs::path bin_dir() {
    if (const char* env = std::getenv("SIMKIT_BIN_DIR"); env != nullptr && *env != '\0') return env;
    return fs::read_symlink("/proc/self/exe").parent_path();
}

// One `simkit-card serve --at-pty` in a temporary directory, stopped with SIGTERM at the end.
class ModemProcess {
public:
    ModemProcess() {
        std::string pattern = (fs::temp_directory_path() / "simkit-at-bench.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        const std::string program = (bin_dir() / "simkit-card").string();
        const std::string state = (dir_ / "card.state").string();
        const std::string link = (dir_ / "modem").string();
        const char* argv[] = {program.c_str(), "serve", "--state", state.c_str(), "--at-pty", link.c_str(),
                              "--log-level", "warn", nullptr};
        if (::posix_spawn(&pid_, program.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
            fs::remove_all(dir_);
            throw std::runtime_error("cannot start " + program);
        }
        for (int i = 0; i < 500 && !fs::is_symlink(link); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!fs::is_symlink(link)) {
            stop();
            throw std::runtime_error(program + " created no pty link");
        }
        link_ = link;
    }
    ~ModemProcess() { stop(); }
    const std::string& link() const { return link_; }
    fs::path dir() const { return dir_; }

private:
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    pid_t pid_ = -1;
    fs::path dir_;
    std::string link_;
};

std::unique_ptr<ModemProcess> g_modem;  // this program's one modem, started in main

void round_trips(benchmark::State& state, simkit::Card& card, const simkit::bytes& command) {
    for (auto _ : state) benchmark::DoNotOptimize(card.transmit_bytes(command));
    state.counters["APDUs/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Sim(benchmark::State& state, const simkit::bytes& command) {
    simkit::Card card = simkit::Card::open("sim:" + (g_modem->dir() / "sim.state").string());
    round_trips(state, card, command);
}

void BM_At(benchmark::State& state, const simkit::bytes& command, const std::string& options) {
    simkit::Card card = simkit::Card::open("at:" + g_modem->link() + options);
    round_trips(state, card, command);
}

void BM_AtLogicalChannel(benchmark::State& state) {
    simkit::Card card = simkit::Card::open("at:" + g_modem->link());
    const simkit::bytes opened = card.transmit_bytes(simkit::from_hex("0070000000"));
    if (opened.size() != 3) {
        state.SkipWithError("MANAGE CHANNEL failed");
        return;
    }
    const uint8_t channel = opened[0];
    simkit::bytes select = kSelectIsd;
    select[0] = channel;
    card.transmit_bytes(select);
    simkit::bytes get_data = kGetDataKeys;
    get_data[0] = static_cast<uint8_t>(0x80 | channel);
    round_trips(state, card, get_data);
    card.transmit_bytes({0x00, 0x70, 0x80, channel});
}
}  // namespace

BENCHMARK_CAPTURE(BM_Sim, select_isd, kSelectIsd)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Sim, get_data, kGetDataKeys)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_At, select_isd, kSelectIsd, "")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_At, get_data, kGetDataKeys, "")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_At, get_data_with_echo, kGetDataKeys, "?ate0=0")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AtLogicalChannel)->Unit(benchmark::kMicrosecond)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    try {
        g_modem = std::make_unique<ModemProcess>();
    } catch (const std::exception& e) {
        std::cerr << "at_roundtrip_bench: " << e.what() << " (set SIMKIT_BIN_DIR to the directory of simkit-card)\n";
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    g_modem.reset();
    return 0;
}

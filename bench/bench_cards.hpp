// What simkit's benchmarks share: a temporary directory for sim: state files (removed afterwards),
// and the simulated card with its state in memory behind the host's Transport interface (what sim:
// does with a file, without the file), optionally counting the APDUs it answers.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "simkit/transport.hpp"
#include "simulated_card.hpp"

namespace simkit::bench {

struct BenchTempDir {
    std::filesystem::path dir;
    BenchTempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "simkit-bench.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir = pattern;
    }
    ~BenchTempDir() { std::filesystem::remove_all(dir); }
    BenchTempDir(const BenchTempDir&) = delete;
    BenchTempDir& operator=(const BenchTempDir&) = delete;
    // The URI of card NAME's state file DIR/NAME.state.
    std::string sim_uri(const std::string& name = "card") const { return "sim:" + (dir / (name + ".state")).string(); }
};

class MemoryTransport : public Transport {
public:
    // `apdus`, when given, is incremented for every APDU.
    explicit MemoryTransport(long* apdus = nullptr) : apdus_(apdus) {}
    bytes transmit(const bytes& command) override {
        if (apdus_ != nullptr) ++*apdus_;
        return card_->transmit(command);
    }
    bytes atr() override { return card_->atr(); }
    void reset() override { card_->reset(); }
    std::string description() const override { return "memory card"; }

private:
    long* apdus_;
    std::unique_ptr<sim::Card> card_ = sim::make_memory_card();
};

}  // namespace simkit::bench

// What the state and power-cut tests share: a temporary directory removed afterwards, and the
// records of a state file read back through a fresh PersistentState (the way the card reads them).
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "storage/persistent_state.hpp"

namespace simkit::test {

class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/simkit-test-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        path = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name = "card.state") const { return path + "/" + name; }
    std::string path;
};

inline std::map<std::string, bytes> records_of(const std::string& path) {
    sim::PersistentState state = sim::PersistentState::open(path, [](sim::PersistentState&) { FAIL("state file vanished"); });
    std::map<std::string, bytes> out;
    for (const auto& name : state.names()) out[name] = to_bytes(*state.get(name));
    return out;
}

}  // namespace simkit::test

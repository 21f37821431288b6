// Names of the GlobalPlatform records in the persistent state (specs/state-format.md):
// "gp/keyset/<KVN hex>/<key id>" holds one static key (1 ENC, 2 MAC, 3 DEK).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "storage/persistent_state.hpp"

namespace simkit::sim::records {

inline constexpr const char* kCardSerial = "card/serial";
inline constexpr const char* kKeySetPrefix = "gp/keyset/";

inline std::string key_name(uint8_t kvn, uint8_t key_id) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "gp/keyset/%02X/%u", static_cast<unsigned>(kvn), static_cast<unsigned>(key_id));
    return buf;
}

// The key version numbers present in the state, ascending.
inline std::vector<uint8_t> key_set_versions(const PersistentState& state) {
    std::vector<uint8_t> out;
    for (const auto& name : state.names(kKeySetPrefix)) {
        const std::string kvn_hex = name.substr(std::char_traits<char>::length(kKeySetPrefix), 2);
        const auto kvn = static_cast<uint8_t>(std::stoul(kvn_hex, nullptr, 16));
        if (out.empty() || out.back() != kvn) out.push_back(kvn);
    }
    return out;
}

}  // namespace simkit::sim::records

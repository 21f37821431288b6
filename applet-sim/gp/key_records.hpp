// Names of the GlobalPlatform records in the persistent state (specs/state-format.md, specs/isd.md):
//   gp/keyset/<KVN hex>/<key id>   one static key (1 ENC, 2 MAC, 3 DEK)
//   gp/keyset/<KVN hex>/info       protocol (02|03), i parameter, key type (80 DES | 88 AES)
//   gp/scp03/sequence              3-byte SCP03 sequence counter (pseudo-random card challenges)
//   gp/scp02/sequence              2-byte SCP02 sequence counter (session key derivation)
//   gp/kdd                         10-byte key diversification data sent in INITIALIZE UPDATE
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "storage/persistent_state.hpp"

namespace simkit::sim::records {

inline constexpr const char* kCardSerial = "card/serial";
inline constexpr const char* kKeySetPrefix = "gp/keyset/";
inline constexpr const char* kScp03Sequence = "gp/scp03/sequence";
inline constexpr const char* kScp02Sequence = "gp/scp02/sequence";
inline constexpr const char* kKeyDiversificationData = "gp/kdd";

inline std::string key_set_prefix(uint8_t kvn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "gp/keyset/%02X/", static_cast<unsigned>(kvn));
    return buf;
}

inline std::string key_name(uint8_t kvn, uint8_t key_id) {
    return key_set_prefix(kvn) + std::to_string(static_cast<unsigned>(key_id));
}

inline std::string key_set_info_name(uint8_t kvn) { return key_set_prefix(kvn) + "info"; }

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

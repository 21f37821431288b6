// The security domain's key sets as the card keeps them: load one by KVN (or the default), write and
// erase them, and the defaults a state file from an older simkit lacks (a migration that adds
// records and never changes existing ones).
#pragma once

#include <optional>
#include <vector>

#include "simkit/core/gp_commands.hpp"
#include "simkit/scp.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim {

inline constexpr uint8_t kFactoryKvn = 0x30;
// At most this many key sets (PUT KEY of one more answers 6A84).
inline constexpr std::size_t kMaxKeySets = 16;

struct KeySet {
    uint8_t kvn = 0;
    scp::Protocol protocol = scp::Protocol::Scp03;
    uint8_t i = 0x70;
    uint8_t key_type = gp::kKeyTypeAes;
    scp::StaticKeys keys;
};

// The i parameter a new key set gets: SCP03 70 (pseudo-random challenge, R-MAC, R-ENC), SCP02 15.
uint8_t default_i(scp::Protocol protocol);
// True when `i` is one this card speaks for the protocol: SCP03 60, 61, 70, 71; SCP02 15, 55.
bool i_is_supported(scp::Protocol protocol, uint8_t i);

// The complete key set with this KVN (ENC, MAC, DEK present), or nothing.
std::optional<KeySet> load_key_set(const PersistentState& state, uint8_t kvn);
// KVN 00 in INITIALIZE UPDATE: the complete key set with the lowest KVN.
std::optional<KeySet> default_key_set(const PersistentState& state);
// Versions of complete key sets, ascending.
std::vector<uint8_t> complete_key_set_versions(const PersistentState& state);
// Stages the key set (keys and info record); stages erasure of nothing else.
void store_key_set(PersistentState& state, const KeySet& set);
// Stages erasure of every record of the key set.
void erase_key_set(PersistentState& state, uint8_t kvn);

// Factory key set KVN 30 (AES-128 404142...4F, SCP03 i=70) and the GP records below.
void write_gp_factory_defaults(PersistentState& state);
// Adds what an older state lacks: key set info records (every key of a state older than the secure
// channel is AES: SCP03 i=70), sequence counters at 0, the KDD made from the card serial.
void add_missing_gp_records(PersistentState& state);

}  // namespace simkit::sim

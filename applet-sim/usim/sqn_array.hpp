// The USIM's sequence-number store (3GPP TS 33.102 Annex C.3.2): SQN = SEQ || IND, with IND the
// low `ind_bits` bits (default 5: an array of 32 SEQ values). A received SQN is fresh when its SEQ
// is greater than the SEQ stored for its IND, not more than `delta` above the highest SEQ accepted
// (C.2.1, wrap-around protection) and, when `limit` is set, not more than `limit` below it (C.2.2).
// Accepting stores SEQ in its slot. On a stale SQN the card answers AUTS with SQN_MS = the greatest
// stored SEQ(i) || i, so the network's SQN_MS + 1 is fresh whatever its IND (specs/usim.md).
// Records: usim/sqn/config (ind_bits 1 byte, delta 6, limit 6) and usim/sqn/array (6 bytes per slot).
#pragma once

#include <cstdint>
#include <vector>

#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::usim {

inline constexpr const char* kSqnConfigRecord = "usim/sqn/config";
inline constexpr const char* kSqnArrayRecord = "usim/sqn/array";

struct SqnConfig {
    uint8_t ind_bits = 5;                 // 0..10: 2^ind_bits slots
    uint64_t delta = uint64_t{1} << 28;   // TS 33.102 C.2.1: maximum SEQ step ahead of the highest
    uint64_t limit = 0;                   // C.2.2: maximum age below the highest; 0 = not checked
};

class SqnArray {
public:
    // Reads config and array from the state (defaults when absent).
    explicit SqnArray(const PersistentState& state);

    const SqnConfig& config() const noexcept { return config_; }
    // True when `sqn` (6 bytes) is fresh by the rules above.
    bool fresh(const bytes& sqn) const;
    // Records an accepted SQN in its IND slot (call only after fresh()).
    void accept(const bytes& sqn);
    // SQN_MS for AUTS: the greatest SEQ(i) || i over all slots (6 bytes).
    bytes sqn_ms() const;
    // Writes the array (and the config) into the state; the card commits before answering.
    void save(PersistentState& state) const;

    // Factory records for a fresh card or a state file without them.
    static void write_defaults(PersistentState& state, const SqnConfig& config = {});

private:
    uint64_t highest_seq() const;
    SqnConfig config_;
    std::vector<uint64_t> seq_;  // per IND
};

// 6 bytes big-endian <-> 48-bit value (ArgumentError for another length).
uint64_t sqn_value(const bytes& sqn);
bytes sqn_bytes(uint64_t value);

}  // namespace simkit::sim::usim

// A development shortcut, not SGP.22: installs a profile straight into a card state, without an
// SM-DP+ download (the host CLI's `simkit euicc add-test-profile`, tests, `simkit demo`). The profile
// arrives disabled, with its own USIM data (specs/euicc.md "Card side"): EF.ICCID and EF.IMSI from
// the digits, K and OPc, a fresh SQN array, and the other USIM files and MILENAGE constants copied
// from the card's factory defaults. Enable it with ES10c EnableProfile like any other profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/es10.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::euicc {

struct TestProfileSpec {
    std::string iccid;   // 18..20 decimal digits (as printed; no Luhn check is imposed)
    std::string imsi;    // 6..15 decimal digits
    secure_bytes k;      // 16 bytes
    secure_bytes opc;    // 16 bytes
    std::optional<std::string> profile_name;           // <= 64 bytes UTF-8
    std::optional<std::string> service_provider_name;  // <= 32 bytes
    std::optional<std::string> nickname;               // <= 64 bytes
    es10::ProfileClass profile_class = es10::ProfileClass::Operational;
    std::optional<bytes> policy_rules;  // PprIds BIT STRING content (unused-bits byte first), e.g. 06 40 = PPR1
};

// What was installed.
struct InstalledProfile {
    unsigned number = 0;  // 1.. (the record set euicc/profile/NN/)
    bytes isdp_aid;       // A0000005591010FFFFFFFF89000010 00 for 1, ...1100 for 2 ...
};

// Stages the new profile in `state` (the caller commits; a card commits when its command ends).
// Adds the eUICC records first if the state has none (as a card does on open). ArgumentError,
// naming the argument, for bad digits or key lengths, an ICCID already on the card, and no free
// profile slot (16 profiles at most).
InstalledProfile add_test_profile(PersistentState& state, const TestProfileSpec& spec);

}  // namespace simkit::sim::euicc

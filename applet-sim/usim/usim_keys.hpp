// The USIM's subscriber keys in the card state: K and OPc (16 bytes each) and the MILENAGE constants
// r1..r5/c1..c5 (TS 35.206; the specification's defaults unless personalized). A fresh card carries
// the TS 35.208 test set 1 K and OPc as documented test keys, like a developer test SIM. K and OPc
// are written at personalization (inside SCP03) and no command reads them back. specs/usim.md.
#pragma once

#include "simkit/milenage.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::usim {

inline constexpr const char* kKRecord = "usim/k";
inline constexpr const char* kOpcRecord = "usim/opc";
inline constexpr const char* kMilenageConstantsRecord = "usim/milenage/constants";  // r1..r5 (5) || c1..c5 (80)

// MILENAGE keyed with the card's K and OPc (SwError 6F00 when the records are missing or damaged).
milenage::Milenage card_milenage(const PersistentState& state);

// The constants record <-> Constants (ArgumentError for a malformed value).
secure_bytes encode_constants(const milenage::Constants& constants);
milenage::Constants decode_constants(const secure_bytes& record);

// Factory records (test set 1 keys, default constants); add_missing writes only absent ones.
void write_default_keys(PersistentState& state);
void add_missing_keys(PersistentState& state);

}  // namespace simkit::sim::usim

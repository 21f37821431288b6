// The simulated card's Answer To Reset (ISO/IEC 7816-3 8.2): it offers exactly the protocol the card
// follows — T=0 only (no interface bytes, no TCK) when the card answers case-4 commands with 61xx,
// T=1 only (TD1 = 01, TCK) otherwise — so pcscd cannot activate a protocol the card does not speak.
// Historical bytes announce selection by full/partial DF name, extended Lc/Le and card-assigned
// logical channels.
#pragma once

#include "simkit/bytes.hpp"

namespace simkit::sim {

// The ATR for T=0 (`t0`) or T=1 behaviour.
bytes build_atr(bool t0);
// True when the ATR is well formed at its end: the TCK is correct when a protocol other than T=0 is
// indicated, absent when only T=0 is (used by tests and by the host for sanity).
bool atr_check_byte_valid(const bytes& atr);

}  // namespace simkit::sim

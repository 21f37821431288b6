// The simulated card's Answer To Reset (ISO/IEC 7816-3 8.2): T=0 and T=1 offered, historical bytes
// announcing selection by full/partial DF name, extended Lc/Le and card-assigned logical channels.
#pragma once

#include "simkit/bytes.hpp"

namespace simkit::sim {

// The ATR with its check byte TCK (XOR of T0..last historical byte).
bytes build_atr();
// True when the ATR's TCK is present and correct (used by tests and by the host for sanity).
bool atr_check_byte_valid(const bytes& atr);

}  // namespace simkit::sim

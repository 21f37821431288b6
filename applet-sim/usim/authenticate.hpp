// AUTHENTICATE (INS 88, TS 31.102 7.1.2) of the USIM: the 3G security context (P2 81: RAND and AUTN
// checked with MILENAGE, SQN freshness by the SQN array, answers RES/CK/IK/Kc, AUTS or 9862) and the
// GSM context (P2 80: SRES and Kc by c2/c3). specs/usim.md "AUTHENTICATE".
#pragma once

#include "runtime/applet.hpp"

namespace simkit::sim::usim {

ResponseApdu authenticate(CommandContext& ctx);

}  // namespace simkit::sim::usim

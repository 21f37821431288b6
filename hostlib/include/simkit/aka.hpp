// UMTS AKA messages over MILENAGE (3GPP TS 33.102 section 6.3): the network's AUTN and the card's
// check of it, and the card's resynchronisation token AUTS with the network's recovery of SQN_MS.
// Shared by the card (AUTHENTICATE) and the host (AKA calculator). Code: hostlib/src/core/aka.cpp.
//
// Lengths: RAND 16 bytes, SQN 6, AMF 2, AUTN 16, AUTS 14; wrong lengths raise ArgumentError naming
// the parameter. MACs are compared in constant time (CRYPTO_memcmp).
#pragma once

#include <optional>

#include "simkit/bytes.hpp"
#include "simkit/milenage.hpp"

namespace simkit::aka {

// SQN + n, modulo 2^48 (6 bytes; ArgumentError for another length): the network's next SQN, e.g.
// SQN_MS + 1 after a resynchronisation.
bytes sqn_add(const bytes& sqn, uint64_t n);

// AUTN = (SQN xor AK) || AMF || MAC-A, with AK = f5(RAND) and MAC-A = f1(RAND, SQN, AMF).
bytes build_autn(const milenage::Milenage& m, const bytes& rand, const bytes& sqn, const bytes& amf);

// The card's reading of an AUTN: SQN recovered with AK, the AMF, and whether MAC-A verifies. SQN and
// AMF are meaningful only when mac_ok (the freshness check of SQN is the caller's).
struct AutnCheck {
    bool mac_ok = false;
    bytes sqn;
    bytes amf;
};
AutnCheck open_autn(const milenage::Milenage& m, const bytes& rand, const bytes& autn);

// The AMF that MAC-S is computed with in AUTS (TS 33.102 6.3.3: a dummy value of all zeros).
inline const bytes& resync_amf() {
    static const bytes zero{0x00, 0x00};
    return zero;
}

// AUTS = (SQN_MS xor AK*) || MAC-S, with AK* = f5*(RAND) and MAC-S = f1*(RAND, SQN_MS, AMF 0000).
bytes build_auts(const milenage::Milenage& m, const bytes& rand, const bytes& sqn_ms);

// The network's reading of an AUTS: SQN_MS, or nullopt when MAC-S does not verify.
std::optional<bytes> sqn_ms_from_auts(const milenage::Milenage& m, const bytes& rand, const bytes& auts);

}  // namespace simkit::aka

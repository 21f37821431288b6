// MILENAGE (3GPP TS 35.206): the 3G authentication and key generation functions f1, f1*, f2, f3,
// f4, f5, f5* over AES-128 (OpenSSL EVP), the OPc derivation from OP, and the TS 33.102 section
// 6.8.1.2 GSM conversion functions c2/c3 (SRES, Kc). Shared by the card (the USIM's AUTHENTICATE)
// and the host (AKA calculator, `simkit milenage`). Code: hostlib/src/core/milenage.cpp.
//
// A Milenage object holds K's AES key schedule (one EVP context) and OPc for any number of calls:
// that reuse is what makes it faster than a context per block (bench/milenage_bench.cpp). The
// context is used by every call, so one object must not be used by two threads at once (make one
// per thread; they are cheap). The AKA messages built on it (AUTN, AUTS) are in simkit/aka.hpp.
// Lengths: K, OP, OPc, RAND 16 bytes; SQN, AK 6; AMF 2; MAC-A/MAC-S, RES 8; CK, IK 16; SRES 4; Kc 8.
// Wrong lengths raise ArgumentError naming the parameter.
#pragma once

#include <array>
#include <cstdint>

#include "simkit/bytes.hpp"
#include "simkit/crypto.hpp"

namespace simkit::milenage {

// The TS 35.206 constants r1..r5 (rotations in bits) and c1..c5 (16 bytes each). Defaults are the
// specification's: r = 64, 0, 32, 64, 96; c1 = 0, c2 = ..01, c3 = ..02, c4 = ..04, c5 = ..08.
struct Constants {
    std::array<uint8_t, 5> r{64, 0, 32, 64, 96};
    std::array<bytes, 5> c{
        bytes(16, 0x00),
        bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01},
        bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02},
        bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04},
        bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08},
    };
    // ArgumentError unless every r is a multiple of 8 below 128 and every c is 16 bytes.
    void validate() const;
};

// OPc = OP xor E_K(OP).
secure_bytes opc_from_op(const secure_bytes& k, const secure_bytes& op);

// f1 and f1*: network authentication code MAC-A and resynchronisation code MAC-S.
struct MacPair {
    bytes mac_a;  // f1
    bytes mac_s;  // f1*
};

// f2..f5 for one RAND: RES (the 8-byte RES TS 35.206 defines), CK, IK, AK.
struct Vectors {
    bytes res;
    secure_bytes ck;
    secure_bytes ik;
    bytes ak;
};

class Milenage {
public:
    Milenage(const secure_bytes& k, const secure_bytes& opc, Constants constants = {});

    MacPair f1(const bytes& rand, const bytes& sqn, const bytes& amf) const;
    Vectors f2345(const bytes& rand) const;
    bytes f5_star(const bytes& rand) const;  // AK for resynchronisation (AK*)

private:
    void encrypt(const uint8_t in[16], uint8_t out[16]) const;  // E_K(in), one AES-128 block
    crypto::CipherCtx k_;  // AES-128-ECB keyed with K, no padding, reused for every block
    secure_bytes opc_;
    Constants constants_;
};

// TS 33.102 6.8.1.2: the GSM triplet values from the UMTS ones.
// c2: the XOR of the 4-byte words of RES (4..16 bytes, zero-padded to 16); for the 8-byte RES of
// f2, the XOR of its two halves.
bytes sres_from_res(const bytes& res);
// c3: Kc = CK1 xor CK2 xor IK1 xor IK2 (the 8-byte halves of CK and IK).
secure_bytes kc_from_ck_ik(const secure_bytes& ck, const secure_bytes& ik);

}  // namespace simkit::milenage

// UMTS AKA AUTN and AUTS over MILENAGE (TS 33.102 6.3; see simkit/aka.hpp).
#include "simkit/aka.hpp"

#include <string>

#include "simkit/errors.hpp"

namespace simkit::aka {

namespace {
void require_length(const bytes& value, std::size_t length, const char* name) {
    if (value.size() != length) {
        throw ArgumentError(std::string("AKA ") + name + " must be " + std::to_string(length) + " bytes, not " +
                            std::to_string(value.size()));
    }
}

// a[0..5] xor b[0..5]
bytes xor6(const uint8_t* a, const bytes& b) {
    bytes out(6);
    for (std::size_t i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
    return out;
}
}  // namespace

bytes build_autn(const milenage::Milenage& m, const bytes& rand, const bytes& sqn, const bytes& amf) {
    require_length(rand, 16, "RAND");
    require_length(sqn, 6, "SQN");
    require_length(amf, 2, "AMF");
    const milenage::Vectors v = m.f2345(rand);
    bytes autn = xor6(sqn.data(), v.ak);
    autn.insert(autn.end(), amf.begin(), amf.end());
    const milenage::MacPair macs = m.f1(rand, sqn, amf);
    autn.insert(autn.end(), macs.mac_a.begin(), macs.mac_a.end());
    return autn;
}

AutnCheck open_autn(const milenage::Milenage& m, const bytes& rand, const bytes& autn) {
    require_length(rand, 16, "RAND");
    require_length(autn, 16, "AUTN");
    const milenage::Vectors v = m.f2345(rand);
    AutnCheck out;
    out.sqn = xor6(autn.data(), v.ak);
    out.amf.assign(autn.begin() + 6, autn.begin() + 8);
    const milenage::MacPair expected = m.f1(rand, out.sqn, out.amf);
    out.mac_ok = ct_equal(expected.mac_a.data(), expected.mac_a.size(), autn.data() + 8, 8);
    return out;
}

bytes build_auts(const milenage::Milenage& m, const bytes& rand, const bytes& sqn_ms) {
    require_length(rand, 16, "RAND");
    require_length(sqn_ms, 6, "SQN_MS");
    bytes auts = xor6(sqn_ms.data(), m.f5_star(rand));
    const milenage::MacPair macs = m.f1(rand, sqn_ms, resync_amf());
    auts.insert(auts.end(), macs.mac_s.begin(), macs.mac_s.end());
    return auts;
}

std::optional<bytes> sqn_ms_from_auts(const milenage::Milenage& m, const bytes& rand, const bytes& auts) {
    require_length(rand, 16, "RAND");
    require_length(auts, 14, "AUTS");
    bytes sqn_ms = xor6(auts.data(), m.f5_star(rand));
    const milenage::MacPair expected = m.f1(rand, sqn_ms, resync_amf());
    if (!ct_equal(expected.mac_s.data(), expected.mac_s.size(), auts.data() + 6, 8)) return std::nullopt;
    return sqn_ms;
}

bytes sqn_add(const bytes& sqn, uint64_t n) {
    if (sqn.size() != 6) throw ArgumentError("SQN must be 6 bytes, not " + std::to_string(sqn.size()));
    uint64_t value = 0;
    for (uint8_t b : sqn) value = (value << 8) | b;
    value = (value + n) & ((uint64_t{1} << 48) - 1);
    bytes out(6);
    for (std::size_t i = 6; i-- > 0; value >>= 8) out[i] = static_cast<uint8_t>(value);
    return out;
}

}  // namespace simkit::aka

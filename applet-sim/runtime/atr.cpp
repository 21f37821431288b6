// ATR construction (see atr.hpp).
#include "runtime/atr.hpp"

namespace simkit::sim {

namespace {
// Historical bytes (ISO 7816-4 8.1.1): category 80 (compact-TLV), card service data 31 C0
// (selection by full and partial DF name), card capabilities 73 C0 01 5F: DF selection by full /
// partial name; data coding; extended Lc/Le, channel numbers assigned by card and by host, 8 or
// more logical channels.
constexpr uint8_t kHistorical[] = {0x80, 0x31, 0xC0, 0x73, 0xC0, 0x01, 0x5F};
}  // namespace

bytes build_atr(bool t0) {
    bytes atr{0x3B};
    if (t0) {
        // T0 = 0x: no interface bytes, so T=0 is the only protocol (ISO 7816-3 8.2.3), and no TCK.
        atr.push_back(static_cast<uint8_t>(sizeof kHistorical));
        for (const uint8_t b : kHistorical) atr.push_back(b);
        return atr;
    }
    // T0 = 8x: TD1 present; TD1 = 01: T=1 is the first and only protocol offered; then TCK.
    atr.push_back(static_cast<uint8_t>(0x80 | sizeof kHistorical));
    atr.push_back(0x01);
    for (const uint8_t b : kHistorical) atr.push_back(b);
    uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];
    atr.push_back(tck);
    return atr;
}

bool atr_check_byte_valid(const bytes& atr) {
    if (atr.size() < 2) return false;
    // Only T=0 indicated (no TD1, or TD1 naming T=0 with nothing after): no TCK (ISO 7816-3 8.2.5).
    const bool td1 = (atr[1] & 0x80) != 0;
    if (!td1) return atr.size() == 2u + (atr[1] & 0x0F);
    if (atr.size() < 3) return false;
    uint8_t x = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
    return x == 0;
}

}  // namespace simkit::sim

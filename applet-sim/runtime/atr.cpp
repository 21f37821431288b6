// ATR construction (see atr.hpp).
#include "runtime/atr.hpp"

namespace simkit::sim {

bytes build_atr() {
    // TS=3B direct convention; T0=8x: TD1 present, x historical bytes;
    // TD1=80: T=0, TD2 present; TD2=01: T=1.
    // Historical bytes (ISO 7816-4 8.1.1): category 80 (compact-TLV), card service data 31 C0
    // (selection by full and partial DF name), card capabilities 73 C0 01 5F: DF selection by full /
    // partial name; data coding; extended Lc/Le, channel numbers assigned by card and by host,
    // 8 or more logical channels.
    constexpr uint8_t kHistorical[] = {0x80, 0x31, 0xC0, 0x73, 0xC0, 0x01, 0x5F};
    bytes atr{0x3B, static_cast<uint8_t>(0x80 | sizeof kHistorical), 0x80, 0x01};
    for (const uint8_t b : kHistorical) atr.push_back(b);
    uint8_t tck = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) tck ^= atr[i];
    atr.push_back(tck);
    return atr;
}

bool atr_check_byte_valid(const bytes& atr) {
    if (atr.size() < 3) return false;
    uint8_t x = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
    return x == 0;
}

}  // namespace simkit::sim

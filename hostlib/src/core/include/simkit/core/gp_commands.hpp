// GlobalPlatform command codes and key types (GP Card Specification 2.3 section 11), one copy for the
// card (applet-sim/gp) and the host (GpClient). The secure channel's own INS codes are in scp.hpp.
#pragma once

#include <cstdint>

namespace simkit::gp {

inline constexpr uint8_t kCla = 0x80;
inline constexpr uint8_t kInsGetData = 0xCA;
inline constexpr uint8_t kInsGetStatus = 0xF2;
inline constexpr uint8_t kInsPutKey = 0xD8;
inline constexpr uint8_t kInsDelete = 0xE4;
inline constexpr uint8_t kInsStoreData = 0xE2;

// GET STATUS: more entries follow (ask again with P2 03).
inline constexpr uint16_t kSwMoreData = 0x6310;

// Key types of PUT KEY and the key information template.
inline constexpr uint8_t kKeyTypeDes = 0x80;
inline constexpr uint8_t kKeyTypeAes = 0x88;

}  // namespace simkit::gp

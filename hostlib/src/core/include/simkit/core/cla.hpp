// The class byte (ISO/IEC 7816-4 5.4.1, GlobalPlatform 11.1.4): logical channel number, secure
// messaging and chaining bits. One decoder for card and host.
#pragma once

#include <cstdint>
#include <optional>

namespace simkit {

enum class ClaKind : uint8_t {
    Interindustry,  // 0x00-0x0F first interindustry, 0x40-0x7F further interindustry
    Proprietary,    // bit 8 set (GlobalPlatform 0x80-0x8F, 0xC0-0xCF, 0xE0-0xEF ...)
};

struct ClaInfo {
    ClaKind kind;
    uint8_t channel;         // 0..19
    bool chaining;           // command chaining: more commands of the chain follow
    bool secure_messaging;   // SM indicated
};

constexpr uint8_t kMaxLogicalChannels = 20;

// Decodes a CLA; nothing for classes the card does not know (0x20-0x3F reserved, 0xFF invalid).
std::optional<ClaInfo> decode_cla(uint8_t cla) noexcept;

// The CLA of `base` (its class bits: proprietary bit, SM) moved onto `channel` 0..19.
// Interindustry 0x00 on channel 5 gives 0x41; proprietary 0x80 on channel 1 gives 0x81.
uint8_t cla_for_channel(uint8_t base, uint8_t channel);

}  // namespace simkit

// CLA decoding/encoding (see cla.hpp).
#include "simkit/core/cla.hpp"

#include <string>

#include "simkit/errors.hpp"

namespace simkit {

std::optional<ClaInfo> decode_cla(uint8_t cla) noexcept {
    if (cla == 0xFF) return std::nullopt;
    const bool proprietary = (cla & 0x80) != 0;
    const uint8_t c = cla & 0x7F;
    ClaInfo info{proprietary ? ClaKind::Proprietary : ClaKind::Interindustry, 0, false, false};
    if ((c & 0x40) == 0) {
        if ((c & 0x20) != 0) return std::nullopt;  // 001x xxxx: reserved for future use
        info.channel = c & 0x03;
        info.chaining = (c & 0x10) != 0;
        info.secure_messaging = (c & 0x0C) != 0;
    } else {
        info.channel = static_cast<uint8_t>(4 + (c & 0x0F));
        info.chaining = (c & 0x10) != 0;
        info.secure_messaging = (c & 0x20) != 0;
    }
    return info;
}

uint8_t cla_for_channel(uint8_t base, uint8_t channel) {
    if (channel >= kMaxLogicalChannels) {
        throw ArgumentError("cla_for_channel: channel " + std::to_string(channel) + " is not 0..19");
    }
    const auto info = decode_cla(base);
    if (!info) throw ArgumentError("cla_for_channel: base CLA is reserved or invalid");
    const uint8_t proprietary = base & 0x80;
    const uint8_t chaining = info->chaining ? 0x10 : 0x00;
    if (channel < 4) {
        // A further class has one SM bit. Moved onto a first class it becomes GlobalPlatform's
        // proprietary SM (b3, CLA 84) for proprietary classes and ISO "SM per clause 6, header not
        // processed" (b4, 10 in b4-b3; ISO 7816-4 tables 2 and 3) for interindustry ones.
        uint8_t sm = 0x00;
        if (info->secure_messaging) sm = (base & 0x40) == 0 ? (base & 0x0C) : (proprietary ? 0x04 : 0x08);
        return static_cast<uint8_t>(proprietary | chaining | sm | channel);
    }
    const uint8_t sm = info->secure_messaging ? 0x20 : 0x00;
    return static_cast<uint8_t>(proprietary | 0x40 | sm | chaining | (channel - 4));
}

}  // namespace simkit

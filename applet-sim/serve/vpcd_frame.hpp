// The vpcd wire protocol (vsmartcard's pcscd driver <-> a virtual card), apart from any socket:
// every message is a 2-byte big-endian length followed by that many bytes. A 1-byte message is a
// control code (0 power off, 1 power on, 2 reset, 4 get ATR; only the ATR is answered); anything
// longer is a C-APDU answered with its R-APDU. Header-only so unit tests need no socket library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "serve/shared_card.hpp"
#include "simkit/bytes.hpp"
#include "simkit/core/log.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim::vpcd {

constexpr std::size_t kMaxPayload = 0xFFFF;

enum class MessageKind { PowerOff, PowerOn, Reset, GetAtr, Apdu, Unknown };

inline MessageKind classify(const bytes& payload) {
    if (payload.size() >= 2) return MessageKind::Apdu;
    if (payload.empty()) return MessageKind::Unknown;
    switch (payload[0]) {
        case 0: return MessageKind::PowerOff;
        case 1: return MessageKind::PowerOn;
        case 2: return MessageKind::Reset;
        case 4: return MessageKind::GetAtr;
        default: return MessageKind::Unknown;
    }
}

// Length prefix + payload, ready for one send(). Payloads longer than 65535 bytes cannot be framed.
inline std::optional<bytes> encode_frame(const bytes& payload) {
    if (payload.size() > kMaxPayload) return std::nullopt;
    bytes frame;
    frame.reserve(payload.size() + 2);
    append_u16(frame, static_cast<uint16_t>(payload.size()));
    frame.insert(frame.end(), payload.begin(), payload.end());
    return frame;
}

// Collects bytes from the stream as they arrive (in any pieces) and hands out whole payloads.
class FrameReader {
public:
    void feed(const uint8_t* data, std::size_t length) { buffer_.insert(buffer_.end(), data, data + length); }

    // The next complete payload, or nothing until more bytes arrive.
    std::optional<bytes> next() {
        const std::size_t available = buffer_.size() - offset_;
        if (available < 2 || available < 2 + static_cast<std::size_t>(read_u16(buffer_.data() + offset_))) {
            compact();
            return std::nullopt;
        }
        const std::size_t length = read_u16(buffer_.data() + offset_);
        const auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(offset_ + 2);
        bytes payload(begin, begin + static_cast<std::ptrdiff_t>(length));
        offset_ += 2 + length;
        return payload;
    }

    // Bytes of an unfinished frame are waiting (a peer that leaves now left mid-frame).
    bool mid_frame() const noexcept { return buffer_.size() > offset_; }
    std::size_t buffered() const noexcept { return buffer_.size() - offset_; }

private:
    void compact() {
        if (offset_ == 0) return;
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset_));
        offset_ = 0;
    }

    bytes buffer_;
    std::size_t offset_ = 0;
};

// Does what one vpcd message asks of the card and returns the payload to send back, if any.
// Never throws: a card failure becomes 6F00 so vpcd always gets its answer.
inline std::optional<bytes> answer_message(SharedCard& card, const bytes& payload) {
    switch (classify(payload)) {
        case MessageKind::PowerOff:
            log::debug("vpcd", "power off");
            card.power_off();
            return std::nullopt;
        case MessageKind::PowerOn:
            log::debug("vpcd", "power on");
            card.power_on();
            return std::nullopt;
        case MessageKind::Reset:
            log::debug("vpcd", "reset");
            card.reset();
            return std::nullopt;
        case MessageKind::GetAtr: return card.atr();
        case MessageKind::Unknown:
            log::warn("vpcd", "ignoring unknown vpcd message of " + std::to_string(payload.size()) + " byte(s): " +
                                  to_hex(payload));
            return std::nullopt;
        case MessageKind::Apdu: break;
    }
    bytes response;
    try {
        response = card.transmit(payload, "vpcd");
    } catch (const std::exception& e) {
        log::error("vpcd", std::string("card failed on an APDU: ") + e.what());
        response = bytes{0x6F, 0x00};
    }
    if (response.size() > kMaxPayload) {
        log::error("vpcd", "R-APDU of " + std::to_string(response.size()) + " bytes does not fit a vpcd frame");
        response = bytes{0x6F, 0x00};
    }
    return response;
}

}  // namespace simkit::sim::vpcd

// An applet selected by AID on the basic channel, or on a logical channel of its own (MANAGE CHANNEL
// open, then SELECT there); the logical channel is closed when this goes. What the host clients of
// on-card applets (KeyStore, Euicc) share.
#pragma once

#include <cstdint>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/card.hpp"

namespace simkit {

class AppletChannel {
public:
    // ArgumentError for an AID that is not 5 to 16 bytes; SwError naming `applet_name` ("SELECT ISD-R A000...: 6A82 file or application not found")
    // when the card has no such applet; FormatError when MANAGE CHANNEL answers no channel number.
    // A channel opened for a SELECT that fails is closed again.
    AppletChannel(Card& card, const bytes& aid, bool logical_channel, const std::string& applet_name);
    ~AppletChannel();
    AppletChannel(const AppletChannel&) = delete;
    AppletChannel& operator=(const AppletChannel&) = delete;

    // 0 = the basic channel.
    uint8_t channel() const noexcept { return channel_; }
    // `cla` (e.g. 00 or 80) with this channel's bits.
    uint8_t cla(uint8_t base_cla) const;

private:
    void close() noexcept;

    Card& card_;
    uint8_t channel_ = 0;
};

}  // namespace simkit

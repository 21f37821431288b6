#include "simkit/applet_channel.hpp"

#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"

namespace simkit {
namespace {

constexpr uint8_t kInsManageChannel = 0x70;
constexpr uint8_t kInsSelect = 0xA4;

}  // namespace

AppletChannel::AppletChannel(Card& card, const bytes& aid, bool logical_channel, const std::string& applet_name)
    : card_(card) {
    if (aid.size() < 5 || aid.size() > 16) {
        throw ArgumentError("the AID of the " + applet_name + " is 5 to 16 bytes, got " + std::to_string(aid.size()));
    }
    if (logical_channel) {
        const ResponseApdu opened = card_.transmit(CommandApdu::case2(0x00, kInsManageChannel, 0x00, 0x00, 1));
        const bytes& data = opened.require_ok("MANAGE CHANNEL open");
        if (data.size() != 1 || data[0] == 0 || data[0] >= kMaxLogicalChannels) {
            throw FormatError("MANAGE CHANNEL open: the card answered " + to_hex(data) + ", not a channel number 1..19");
        }
        channel_ = data[0];
    }
    try {
        card_.transmit(CommandApdu::case4(cla(0x00), kInsSelect, 0x04, 0x00, aid, 256))
            .require_ok("SELECT " + applet_name + " " + to_hex(aid));
    } catch (...) {
        close();
        throw;
    }
}

AppletChannel::~AppletChannel() { close(); }

uint8_t AppletChannel::cla(uint8_t base_cla) const { return cla_for_channel(base_cla, channel_); }

void AppletChannel::close() noexcept {
    if (channel_ == 0) return;
    try {
        card_.transmit(CommandApdu::case1(0x00, kInsManageChannel, 0x80, channel_));
    } catch (...) {
        // Closing is a courtesy: the channel also ends with the card session.
    }
    channel_ = 0;
}

}  // namespace simkit

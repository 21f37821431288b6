// The runtime's own commands: SELECT by DF name (full or partial AID, first/last/next/previous
// occurrence) and MANAGE CHANNEL open/close (ISO/IEC 7816-4 11.1.1 and 11.1.2).
#include "runtime/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
bool aid_matches(const bytes& aid, const bytes& prefix) {
    return prefix.size() <= aid.size() && std::equal(prefix.begin(), prefix.end(), aid.begin());
}
}  // namespace

ResponseApdu Card::select_by_name(const CommandApdu& apdu, const ClaInfo& cla) {
    const uint8_t p2 = apdu.p2();
    if ((p2 & 0xF0) != 0) throw SwError(sw::kIncorrectP1P2);
    if (apdu.data().size() > 16) throw SwError(sw::kWrongLength);
    const uint8_t occurrence = p2 & 0x03;  // 0 first/only, 1 last, 2 next, 3 previous
    const uint8_t answer = p2 & 0x0C;      // 0 FCI, 4 FCP, 8 FMD, C none

    Channel& channel = channels_[cla.channel];
    const bool opening = !channel.open;

    Applet* chosen = nullptr;
    if (apdu.data().empty()) {
        // GlobalPlatform: SELECT by name without data selects the Issuer Security Domain.
        chosen = default_applet_;
    } else {
        const int count = static_cast<int>(applets_.size());
        int current = -1;
        for (int i = 0; i < count; ++i) {
            if (applets_[i].get() == channel.applet) current = i;
        }
        const bool relative = (occurrence == 2 || occurrence == 3) && current >= 0 &&
                              aid_matches(channel.applet->aid(), apdu.data());
        if (occurrence == 0 || occurrence == 2) {
            for (int i = relative && occurrence == 2 ? current + 1 : 0; i < count && !chosen; ++i) {
                if (aid_matches(applets_[i]->aid(), apdu.data())) chosen = applets_[i].get();
            }
        } else {
            for (int i = relative && occurrence == 3 ? current - 1 : count - 1; i >= 0 && !chosen; --i) {
                if (aid_matches(applets_[i]->aid(), apdu.data())) chosen = applets_[i].get();
            }
        }
    }
    if (chosen == nullptr) throw SwError(sw::kFileNotFound);

    // Selecting on an unopened channel opens it (implicit opening, ISO 7816-4 5.1.1.2).
    channel.open = true;
    select_on_channel(channel, chosen);
    try {
        CommandContext ctx{apdu, cla, state_, channel.session.get(), &applets_};
        ResponseApdu fci = chosen->on_select(ctx);
        if (answer == 0x0C) fci.data().clear();
        return fci;
    } catch (...) {
        select_on_channel(channel, nullptr);
        if (opening) close_channel(channel);
        throw;
    }
}

ResponseApdu Card::manage_channel(const CommandApdu& apdu, const ClaInfo& cla) {
    if (!apdu.data().empty()) throw SwError(sw::kWrongLength);
    Channel& origin = channels_[cla.channel];
    if (!origin.open) throw SwError(sw::kLogicalChannelNotSupported);
    const uint8_t p1 = apdu.p1(), p2 = apdu.p2();

    if (p1 == 0x00) {  // open
        uint8_t number = p2;
        if (number == 0) {
            for (uint8_t n = 1; n < options_.channels && number == 0; ++n) {
                if (!channels_[n].open) number = n;
            }
            if (number == 0) throw SwError(sw::kLogicalChannelNotSupported);  // none free
        } else if (number >= options_.channels) {
            throw SwError(sw::kIncorrectP1P2);
        } else if (channels_[number].open) {
            throw SwError(sw::kConditionsNotSatisfied);
        }
        Channel& opened = channels_[number];
        opened.open = true;
        // Opened from the basic channel: the default applet; from another: that channel's applet.
        select_on_channel(opened, cla.channel == 0 ? default_applet_ : origin.applet);
        // The file position: the MF (inactive) from the basic channel, else the origin's current
        // files; PIN1/ADM1 must be verified again on the new channel.
        opened.files = cla.channel == 0 ? initial_file_position() : origin.files;
        opened.files.pin1 = {};
        opened.files.adm1 = {};
        if (p2 != 0) return ResponseApdu::ok();
        return ResponseApdu::ok({number});
    }
    if (p1 == 0x80) {  // close
        const uint8_t number = p2 == 0 ? cla.channel : p2;
        if (number == 0 || number >= options_.channels) throw SwError(sw::kIncorrectP1P2);
        if (!channels_[number].open) throw SwError(sw::kLogicalChannelNotSupported);
        close_channel(channels_[number]);
        return ResponseApdu::ok();
    }
    throw SwError(sw::kIncorrectP1P2);
}

}  // namespace simkit::sim

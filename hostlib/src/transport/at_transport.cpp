// The at: transport (see at_transport.hpp and specs/at-modem.md).
#include "transport/at_transport.hpp"

#include "simkit/apdu.hpp"
#include "simkit/core/apdu_trace.hpp"
#include "simkit/core/decimal.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/log.hpp"
#include "simkit/status_words.hpp"

namespace simkit {

namespace {
constexpr uint8_t kInsManageChannel = 0x70;
constexpr uint8_t kInsSelect = 0xA4;

bytes status(uint16_t sw) { return {static_cast<uint8_t>(sw >> 8), static_cast<uint8_t>(sw)}; }

unsigned parse_unsigned(const CardUri& uri, const std::string& key, const std::string& value, unsigned long max) {
    const auto n = parse_decimal(value, 9);
    if (!n || *n > max) {
        throw FormatError("card URI " + uri.text + ": option " + key + "=" + value + " is not a number 0.." +
                          std::to_string(max));
    }
    return static_cast<unsigned>(*n);
}

std::string describe_failure(const at::AtReply& reply) {
    if (reply.result == at::AtResult::CmeError && reply.cme_code) {
        const std::string meaning = at::cme_error_meaning(*reply.cme_code);
        return reply.final_line + (meaning.empty() ? "" : " (" + meaning + ")");
    }
    return reply.final_line;
}
}  // namespace

AtTransportOptions AtTransportOptions::from_uri(const CardUri& uri) {
    AtTransportOptions out;
    for (const auto& [key, value] : uri.options) {
        if (key == "baud") {
            out.baud = parse_unsigned(uri, key, value, 4000000);
            if (!is_supported_baud(out.baud)) throw FormatError("card URI " + uri.text + ": baud=" + value + " is not a standard rate");
        } else if (key == "timeout") {
            out.timeout_ms = parse_unsigned(uri, key, value, 600000);
            if (out.timeout_ms == 0) throw FormatError("card URI " + uri.text + ": timeout must be at least 1 ms");
        } else if (key == "max_apdu") {
            out.max_apdu = parse_unsigned(uri, key, value, 65544);
        } else if (key == "channels") {
            if (value == "auto") out.channels = Channels::Auto;
            else if (value == "ccho") out.channels = Channels::Ccho;
            else if (value == "csim") out.channels = Channels::Csim;
            else throw FormatError("card URI " + uri.text + ": channels must be auto, ccho or csim");
        } else if (key == "ate0") {
            if (value != "0" && value != "1") throw FormatError("card URI " + uri.text + ": ate0 must be 0 or 1");
            out.ate0 = value == "1";
        } else {
            throw FormatError("card URI " + uri.text + ": unknown option '" + key +
                              "' (at: knows baud, timeout, max_apdu, channels, ate0)");
        }
    }
    return out;
}

AtTransport::AtTransport(const CardUri& uri)
    : options_(AtTransportOptions::from_uri(uri)), port_(uri.target, options_.baud) {
    // A half-typed line left by an earlier client makes the first AT fail: try again.
    for (int attempt = 1;; ++attempt) {
        const at::AtReply reply = command("AT", "", "AT");
        if (reply.result == at::AtResult::Ok) break;
        if (attempt == 3) throw TransportError(description() + ": modem answers " + reply.final_line + " to AT");
    }
    if (options_.ate0) command("ATE0", "", "ATE0");
    command("AT+CMEE=1", "", "AT+CMEE=1");  // numeric +CME ERROR where supported; ignored otherwise
    switch (options_.channels) {
        case AtTransportOptions::Channels::Ccho: use_ccho_ = true; break;
        case AtTransportOptions::Channels::Csim: use_ccho_ = false; break;
        case AtTransportOptions::Channels::Auto:
            use_ccho_ = command("AT+CCHO=?", "", "AT+CCHO=?").result == at::AtResult::Ok;
            break;
    }
    log::debug("at", description() + ": logical channels via " + (use_ccho_ ? "AT+CCHO/CGLA" : "AT+CSIM"));
}

AtTransport::~AtTransport() { close_all_channels(); }

at::AtReply AtTransport::command(const std::string& line, const std::string& prefix, const std::string& what) {
    const auto deadline = SerialPort::Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
    const std::string timeout_text = " within " + std::to_string(options_.timeout_ms) + " ms (URI option timeout=MS)";
    port_.discard_input();
    if (!port_.write_all(line + "\r", deadline)) {
        throw TransportError(description() + ": could not send " + what + timeout_text);
    }
    at::AtReplyCollector collector(line, prefix);
    while (!collector.done()) {
        const std::string data = port_.read_some(deadline);
        if (data.empty()) throw TransportError(description() + ": no final result code for " + what + timeout_text);
        try {
            collector.feed(data);
        } catch (const FormatError& e) {
            throw TransportError(description() + ": bad answer to " + what + ": " + e.what());
        }
    }
    for (const auto& urc : collector.reply().unsolicited) log::debug("at", "ignored unsolicited " + urc);
    return collector.reply();
}

void AtTransport::require_ok(const at::AtReply& reply, const std::string& what) const {
    if (reply.result != at::AtResult::Ok) {
        throw TransportError(description() + ": modem answered " + describe_failure(reply) + " to " + what);
    }
}

bytes AtTransport::csim(const bytes& apdu) {
    const std::string hex = to_hex(apdu);
    const std::string what = "AT+CSIM (" + trace_command(apdu) + ")";
    const at::AtReply reply = command("AT+CSIM=" + std::to_string(hex.size()) + ",\"" + hex + "\"", "+CSIM", what);
    require_ok(reply, what);
    try {
        return at::response_from_reply(reply, "+CSIM");
    } catch (const FormatError& e) {
        throw TransportError(description() + ": bad answer to " + what + ": " + e.what());
    }
}

bytes AtTransport::cgla(LogicalChannel& channel, const bytes& apdu) {
    bytes sent = apdu;
    sent[0] = cla_for_channel(apdu[0], 0);  // the modem sets the channel bits from the session
    const std::string hex = to_hex(sent);
    const std::string session = std::to_string(*channel.session);
    const std::string what = "AT+CGLA (session " + session + ", " + trace_command(apdu) + ")";
    const at::AtReply reply =
        command("AT+CGLA=" + session + "," + std::to_string(hex.size()) + ",\"" + hex + "\"", "+CGLA", what);
    if (reply.result == at::AtResult::CmeError && reply.cme_code == 21) {
        channel.session.reset();  // the modem no longer knows the session: the channel is gone
        channel.open = false;
        return status(sw::kLogicalChannelNotSupported);
    }
    require_ok(reply, what);
    try {
        return at::response_from_reply(reply, "+CGLA");
    } catch (const FormatError& e) {
        throw TransportError(description() + ": bad answer to " + what + ": " + e.what());
    }
}

bytes AtTransport::transmit(const bytes& command) {
    if (options_.max_apdu != 0 && command.size() > options_.max_apdu) {
        throw TransportError(description() + ": APDU of " + std::to_string(command.size()) +
                             " bytes is longer than the modem takes (URI option max_apdu=" +
                             std::to_string(options_.max_apdu) + "); send it in shorter commands");
    }
    if (command.empty()) throw TransportError(description() + ": empty APDU");
    const auto cla = command.size() >= 4 ? decode_cla(command[0]) : std::nullopt;
    if (!cla) return csim(command);
    if (cla->kind == ClaKind::Interindustry && command[1] == kInsManageChannel && use_ccho_) {
        return manage_channel(command, *cla);
    }
    if (cla->channel != 0 && use_ccho_) return on_logical_channel(command, *cla);
    bytes response = csim(command);
    if (cla->kind == ClaKind::Interindustry) track_csim_channels(command, *cla, response);
    return response;
}

// In csim mode the card's channels are opened by the caller's own commands: note them so they can
// be closed at the end (MANAGE CHANNEL open/close, and SELECT opening a channel implicitly).
void AtTransport::track_csim_channels(const bytes& apdu, const ClaInfo& cla, const bytes& response) {
    if (response.size() < 2 || response[response.size() - 2] != 0x90 || response.back() != 0x00) return;
    if (apdu[1] == kInsSelect && cla.channel != 0) channels_[cla.channel].open = true;
    if (apdu[1] != kInsManageChannel) return;
    const uint8_t p1 = apdu[2], p2 = apdu[3];
    uint8_t number = 0;
    if (p1 == 0x00) number = p2 != 0 ? p2 : (response.size() == 3 ? response[0] : 0);
    if (p1 == 0x80) number = p2 != 0 ? p2 : cla.channel;
    if (number == 0 || number >= kMaxLogicalChannels) return;
    channels_[number].open = p1 == 0x00;
}

bytes AtTransport::manage_channel(const bytes& apdu, const ClaInfo& cla) {
    if (apdu.size() > 5) return status(sw::kWrongLength);  // MANAGE CHANNEL carries no data
    const uint8_t p1 = apdu[2], p2 = apdu[3];
    if (cla.channel != 0 && !channels_[cla.channel].open) return status(sw::kLogicalChannelNotSupported);
    if (p1 == 0x00) {
        uint8_t number = p2;
        if (number == 0) {
            for (uint8_t n = 1; n < kMaxLogicalChannels && number == 0; ++n) {
                if (!channels_[n].open) number = n;
            }
            if (number == 0) return status(sw::kLogicalChannelNotSupported);
        } else if (number >= kMaxLogicalChannels) {
            return status(sw::kIncorrectP1P2);
        } else if (channels_[number].open) {
            return status(sw::kConditionsNotSatisfied);
        }
        channels_[number].open = true;
        if (p2 != 0) return status(sw::kSuccess);
        return {number, 0x90, 0x00};
    }
    if (p1 == 0x80) {
        const uint8_t number = p2 != 0 ? p2 : cla.channel;
        if (number == 0 || number >= kMaxLogicalChannels) return status(sw::kIncorrectP1P2);
        if (!channels_[number].open) return status(sw::kLogicalChannelNotSupported);
        return close_channel(number) ? status(sw::kSuccess) : status(sw::kNoPreciseDiagnosis);
    }
    return status(sw::kIncorrectP1P2);
}

bytes AtTransport::on_logical_channel(const bytes& apdu, const ClaInfo& cla) {
    LogicalChannel& channel = channels_[cla.channel];
    if (!channel.session) {
        // A modem opens channels only by selecting an application: wait for SELECT by AID.
        std::optional<CommandApdu> select;
        if (cla.kind == ClaKind::Interindustry && apdu[1] == kInsSelect && apdu[2] == 0x04) {
            try {
                select = CommandApdu::parse(apdu);
            } catch (const FormatError&) {
            }
        }
        if (!select || select->data().empty()) {
            return status(channel.open ? sw::kConditionsNotSatisfied : sw::kLogicalChannelNotSupported);
        }
        const std::string aid = to_hex(select->data());
        const std::string what = "AT+CCHO (" + aid + ")";
        const at::AtReply reply = command("AT+CCHO=\"" + aid + "\"", "+CCHO", what);
        if (reply.result != at::AtResult::Ok) {
            log::debug("at", description() + ": " + what + " answered " + describe_failure(reply));
            return status(sw::kFileNotFound);
        }
        try {
            channel.session = at::session_from_reply(reply);
        } catch (const FormatError& e) {
            throw TransportError(description() + ": bad answer to " + what + ": " + e.what());
        }
        channel.open = true;
        // The SELECT is sent again on the new session so the caller gets the card's own answer.
    }
    return cgla(channel, apdu);
}

bool AtTransport::close_channel(uint8_t number) {
    LogicalChannel& channel = channels_[number];
    const std::optional<unsigned long> session = channel.session;
    channel = LogicalChannel{};
    if (session) {
        const std::string id = std::to_string(*session);
        const at::AtReply reply = command("AT+CCHC=" + id, "+CCHC", "AT+CCHC=" + id);
        if (reply.result != at::AtResult::Ok) {
            log::warn("at", description() + ": AT+CCHC=" + id + " answered " + describe_failure(reply));
            return false;
        }
        return true;
    }
    if (!use_ccho_) {
        const bytes response = csim({0x00, kInsManageChannel, 0x80, number});
        return response.size() == 2 && response[0] == 0x90 && response[1] == 0x00;
    }
    return true;
}

void AtTransport::close_all_channels() noexcept {
    bool modem_answers = true;
    for (uint8_t n = 1; n < kMaxLogicalChannels; ++n) {
        if (!channels_[n].open) continue;
        if (!modem_answers) {  // one timeout is enough: do not wait again for every channel
            channels_[n] = LogicalChannel{};
            continue;
        }
        try {
            close_channel(n);
        } catch (const std::exception& e) {
            log::warn("at", description() + ": closing channel " + std::to_string(n) + ": " + e.what());
            channels_[n] = LogicalChannel{};
            modem_answers = false;
        }
    }
}

void AtTransport::reset() { close_all_channels(); }

}  // namespace simkit

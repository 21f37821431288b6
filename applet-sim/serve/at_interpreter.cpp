// AT command execution against the card (see at_interpreter.hpp and specs/at-modem.md).
#include "serve/at_interpreter.hpp"

#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/log.hpp"

namespace simkit::sim {

namespace {
constexpr const char* kManufacturer = "simkit";
constexpr const char* kModel = "simkit-card AT modem";

bool sw_success(const bytes& response) {
    if (response.size() < 2) return false;
    const uint8_t sw1 = response[response.size() - 2];
    return sw1 == 0x90 || sw1 == 0x61 || sw1 == 0x62 || sw1 == 0x63;
}
}  // namespace

AtInterpreter::AtInterpreter(AtModemOptions options, ApduExchange exchange)
    : options_(std::move(options)), exchange_(std::move(exchange)), echo_(options_.echo) {
    if (!exchange_) throw ArgumentError("AtInterpreter: exchange is empty");
}

std::string AtInterpreter::execute(const AtLine& line) {
    if (line.too_long) return at_error();
    try {
        return run(parse_at_command_line(line.text));
    } catch (const FormatError&) {
        return at_error();
    } catch (const std::exception& e) {
        log::warn("at", std::string("command failed: ") + e.what());
        return cme_error(cme::kOperationNotAllowed);
    }
}

std::string AtInterpreter::run(const AtCommandLine& command) {
    std::string information;
    for (const AtBasicCommand& basic : command.basic) {
        switch (basic.letter) {
            case 'E':
                if (basic.value > 1) return at_error();
                echo_ = basic.value == 1;
                break;
            case 'V':
            case 'Q':
                if (basic.value != (basic.letter == 'V' ? 1 : 0)) return at_error();  // only V1 Q0
                break;
            case 'Z':
                echo_ = options_.echo;
                cmee_ = 1;
                break;
            case 'I':
                information += at_line(std::string(kManufacturer) + " " + kModel);
                break;
            default: return at_error();
        }
    }
    if (!command.extended) return answer(information);
    std::string extended = run_extended(command);
    if (information.empty()) return extended;
    return information + extended;  // ATI+CGMI: rare; information first
}

std::string AtInterpreter::run_extended(const AtCommandLine& command) {
    const std::string& name = *command.extended;
    const bool is_channel_command = name == "+CSIM" || name == "+CCHO" || name == "+CCHC" || name == "+CGLA" ||
                                    name == "+CRSM";
    if (command.form == AtForm::Test) {
        if (is_channel_command) return answer("");
        if (name == "+CMEE") return answer(at_line(prefixed("+CMEE", "(0-2)")));
        if (name == "+CGMI" || name == "+CGMM" || name == "+CIMI") return answer("");
        return at_error();
    }
    if (name == "+CGMI" && command.form == AtForm::Action) return answer(at_line(kManufacturer));
    if (name == "+CGMM" && command.form == AtForm::Action) return answer(at_line(kModel));
    if (name == "+CIMI" && command.form == AtForm::Action) return cimi();
    if (name == "+CMEE") return cmee(command);
    if (!is_channel_command) return at_error();
    if (command.form != AtForm::Set) return at_error();
    if (name == "+CSIM") return csim(command);
    if (name == "+CCHO") return ccho(command);
    if (name == "+CCHC") return cchc(command);
    if (name == "+CGLA") return cgla(command);
    return crsm(command);
}

std::string AtInterpreter::cmee(const AtCommandLine& command) {
    if (command.form == AtForm::Read) return answer(at_line(prefixed("+CMEE", std::to_string(cmee_))));
    if (command.form != AtForm::Set || command.parameters.size() != 1) return at_error();
    const auto mode = at_number(command.parameters[0]);
    if (!mode || *mode > 2) return cme_error(cme::kIncorrectParameters);
    cmee_ = static_cast<int>(*mode);
    return answer("");
}

std::optional<bytes> AtInterpreter::apdu_parameters(const AtCommandLine& command, std::size_t first,
                                                    std::string& error) const {
    const auto length = at_number(command.parameters[first]);
    const std::string& hex = command.parameters[first + 1].text;
    if (!length || *length != hex.size() || hex.empty() || hex.size() % 2 != 0) {
        error = cme_error(cme::kIncorrectParameters);
        return std::nullopt;
    }
    bytes apdu;
    try {
        apdu = from_hex(hex);
    } catch (const FormatError&) {
        error = cme_error(cme::kIncorrectParameters);
        return std::nullopt;
    }
    if (options_.max_apdu_length != 0 && apdu.size() > options_.max_apdu_length) {
        error = cme_error(cme::kTextStringTooLong);
        return std::nullopt;
    }
    return apdu;
}

std::string AtInterpreter::hex_response(std::string_view name, const bytes& response) const {
    const std::string hex = to_hex(response);
    return answer(at_line(prefixed(name, std::to_string(hex.size()) + ",\"" + hex + "\"")));
}

std::string AtInterpreter::csim(const AtCommandLine& command) {
    if (command.parameters.size() != 2) return cme_error(cme::kIncorrectParameters);
    std::string error;
    const auto apdu = apdu_parameters(command, 0, error);
    if (!apdu) return error;
    return hex_response("+CSIM", exchange_(*apdu));
}

std::string AtInterpreter::ccho(const AtCommandLine& command) {
    if (command.parameters.size() != 1 || command.parameters[0].text.empty()) {
        return cme_error(cme::kIncorrectParameters);
    }
    bytes aid;
    try {
        aid = from_hex(command.parameters[0].text);
    } catch (const FormatError&) {
        return cme_error(cme::kIncorrectParameters);
    }
    if (aid.empty() || aid.size() > 16) return cme_error(cme::kIncorrectParameters);

    const bytes opened = exchange_({0x00, 0x70, 0x00, 0x00, 0x01});
    if (opened.size() != 3 || opened[1] != 0x90 || opened[2] != 0x00 || opened[0] == 0 ||
        opened[0] >= kMaxLogicalChannels) {
        return cme_error(cme::kOperationNotAllowed);
    }
    const uint8_t channel = opened[0];
    bytes select{cla_for_channel(0x00, channel), 0xA4, 0x04, 0x00, static_cast<uint8_t>(aid.size())};
    select.insert(select.end(), aid.begin(), aid.end());
    select.push_back(0x00);
    const bytes selected = exchange_(select);
    if (!sw_success(selected)) {
        exchange_({0x00, 0x70, 0x80, channel});
        log::debug("at", "AT+CCHO: SELECT " + to_hex(aid) + " answered " + to_hex(selected));
        return cme_error(cme::kOperationNotAllowed);
    }
    unsigned long session = channel;
    if (options_.large_session_ids) {
        // Numbers unrelated to the channel, never reused while open, as some modems hand out.
        do {
            next_large_session_ = next_large_session_ % 900000 + 1;
            session = 100000 + next_large_session_ * 7 + channel;
        } while (sessions_.count(session) != 0);
    }
    sessions_[session] = channel;
    const std::string id = std::to_string(session);
    return answer(at_line(options_.bare_ccho ? id : prefixed("+CCHO", id)));
}

std::string AtInterpreter::cchc(const AtCommandLine& command) {
    if (command.parameters.size() != 1) return cme_error(cme::kIncorrectParameters);
    const auto session = at_number(command.parameters[0]);
    if (!session) return cme_error(cme::kIncorrectParameters);
    const auto it = sessions_.find(*session);
    if (it == sessions_.end()) return cme_error(cme::kInvalidIndex);
    const uint8_t channel = it->second;
    sessions_.erase(it);
    const bytes closed = exchange_({0x00, 0x70, 0x80, channel});
    if (closed.size() != 2 || closed[0] != 0x90 || closed[1] != 0x00) return cme_error(cme::kOperationNotAllowed);
    return answer("");
}

std::string AtInterpreter::cgla(const AtCommandLine& command) {
    if (command.parameters.size() != 3) return cme_error(cme::kIncorrectParameters);
    const auto session = at_number(command.parameters[0]);
    if (!session) return cme_error(cme::kIncorrectParameters);
    std::string error;
    auto apdu = apdu_parameters(command, 1, error);
    if (!apdu) return error;
    const auto it = sessions_.find(*session);
    if (it == sessions_.end()) return cme_error(cme::kInvalidIndex);
    // The client sends its class byte for channel 0; the session says which channel it means.
    if (decode_cla((*apdu)[0])) (*apdu)[0] = cla_for_channel((*apdu)[0], it->second);
    return hex_response("+CGLA", exchange_(*apdu));
}

std::string AtInterpreter::prefixed(std::string_view name, std::string_view value) const {
    std::string out(name);
    out += options_.space_after_colon ? ": " : ":";
    out.append(value);
    return out;
}

std::string AtInterpreter::answer(const std::string& information) const {
    if (options_.unsolicited.empty()) return information + at_ok();
    const std::string urc = at_line(options_.unsolicited);
    return urc + information + urc + at_ok();
}

std::string AtInterpreter::cme_error(int code) const {
    const std::string urc = options_.unsolicited.empty() ? "" : at_line(options_.unsolicited);
    if (cmee_ == 0) return urc + at_error();
    return urc + at_cme_error(code, cmee_ == 2);
}

}  // namespace simkit::sim

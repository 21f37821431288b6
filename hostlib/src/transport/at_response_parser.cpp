// AT reply collection and answer parsing (see at_response_parser.hpp).
#include "transport/at_response_parser.hpp"

#include <cctype>

#include "simkit/core/decimal.hpp"
#include "simkit/errors.hpp"

namespace simkit::at {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == '\0')) s.remove_prefix(1);
    while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::optional<unsigned long> parse_number(std::string_view s) { return parse_decimal(trim(s), 10); }

// The text after "<prefix>:" or nothing when `line` does not start with it.
std::optional<std::string_view> after_prefix(std::string_view line, std::string_view prefix) {
    if (prefix.empty() || !starts_with_ci(line, prefix)) return std::nullopt;
    std::string_view rest = trim(line.substr(prefix.size()));
    if (rest.empty() || rest.front() != ':') return std::nullopt;
    return trim(rest.substr(1));
}
}  // namespace

AtReplyCollector::AtReplyCollector(std::string command, std::string prefix)
    : command_(std::move(command)), prefix_(std::move(prefix)) {}

bool AtReplyCollector::feed(std::string_view data) {
    for (const char c : data) {
        if (done()) return true;
        if (c == '\r' || c == '\n') {
            take_line(partial_);
            partial_.clear();
            continue;
        }
        if (partial_.size() >= kMaxReplyLineLength) {
            throw FormatError("modem sent a line longer than " + std::to_string(kMaxReplyLineLength) + " characters");
        }
        partial_.push_back(c);
    }
    return done();
}

void AtReplyCollector::take_line(std::string_view raw) {
    const std::string_view line = trim(raw);
    if (line.empty()) return;
    // Echo of this command, or a late echo of an earlier one: answers never start with "AT".
    if (iequals(line, trim(command_)) || starts_with_ci(line, "AT")) return;
    if (line == "OK") {
        reply_.result = AtResult::Ok;
    } else if (line == "ERROR" || starts_with_ci(line, "+CMS ERROR") || line == "NO CARRIER") {
        reply_.result = AtResult::Error;
    } else if (starts_with_ci(line, "+CME ERROR")) {
        reply_.result = AtResult::CmeError;
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            const auto code = parse_number(line.substr(colon + 1));
            if (code && *code < 100000) reply_.cme_code = static_cast<int>(*code);
        }
    } else if (!line.empty() && line.front() == '+' && !after_prefix(line, prefix_)) {
        reply_.unsolicited.emplace_back(line);
        return;
    } else {
        reply_.information.emplace_back(line);
        return;
    }
    reply_.final_line = std::string(line);
}

bytes parse_hex_answer(std::string_view line, std::string_view prefix) {
    const auto rest = after_prefix(trim(line), prefix);
    if (!rest) throw FormatError("expected '" + std::string(prefix) + ": <length>,\"<hex>\"', got '" + std::string(line) + "'");
    const auto comma = rest->find(',');
    if (comma == std::string_view::npos) throw FormatError(std::string(prefix) + " answer has no ',': '" + std::string(line) + "'");
    const auto length = parse_number(rest->substr(0, comma));
    std::string_view hex = trim(rest->substr(comma + 1));
    if (hex.size() >= 2 && hex.front() == '"' && hex.back() == '"') hex = hex.substr(1, hex.size() - 2);
    if (!length) throw FormatError(std::string(prefix) + " answer has no length: '" + std::string(line) + "'");
    if (*length != hex.size()) {
        throw FormatError(std::string(prefix) + " answer says " + std::to_string(*length) + " hex digits but carries " +
                          std::to_string(hex.size()));
    }
    for (const char c : hex) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            throw FormatError(std::string(prefix) + " answer carries a non-hex character");
        }
    }
    return from_hex(hex);
}

bytes response_from_reply(const AtReply& reply, std::string_view prefix) {
    for (const auto& line : reply.information) {
        if (!after_prefix(line, prefix)) continue;
        bytes response = parse_hex_answer(line, prefix);
        if (response.size() < 2) throw FormatError(std::string(prefix) + " answer carries no status word");
        return response;
    }
    throw FormatError("modem answered OK without a " + std::string(prefix) + " line");
}

unsigned long session_from_reply(const AtReply& reply) {
    for (const auto& line : reply.information) {
        if (const auto rest = after_prefix(line, "+CCHO")) {
            if (const auto n = parse_number(*rest)) return *n;
            throw FormatError("+CCHO answer is not a number: '" + line + "'");
        }
        if (const auto n = parse_number(line)) return *n;
    }
    throw FormatError("modem answered AT+CCHO without a session id");
}

std::string cme_error_meaning(int code) {
    switch (code) {
        case 0: return "phone failure";
        case 3: return "operation not allowed";
        case 4: return "operation not supported";
        case 10: return "SIM not inserted";
        case 13: return "SIM failure";
        case 14: return "SIM busy";
        case 15: return "SIM wrong";
        case 21: return "invalid index";
        case 24: return "text string too long";
        case 25: return "invalid characters in text string";
        case 50: return "incorrect parameters";
        case 100: return "unknown";
        default: return "";
    }
}

}  // namespace simkit::at

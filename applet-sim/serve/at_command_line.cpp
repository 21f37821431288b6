// AT command lines: collection, parsing and result-code formatting (see at_command_line.hpp).
#include "serve/at_command_line.hpp"

#include <algorithm>
#include <cctype>

#include "simkit/core/decimal.hpp"
#include "simkit/errors.hpp"

namespace simkit::sim {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_noise(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7F;
}
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void skip_spaces(std::string_view text, std::size_t& pos) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
}

std::vector<AtParameter> parse_parameters(std::string_view text) {
    std::vector<AtParameter> out;
    std::size_t pos = 0;
    while (true) {
        skip_spaces(text, pos);
        AtParameter parameter;
        if (pos < text.size() && text[pos] == '"') {
            const std::size_t close = text.find('"', pos + 1);
            if (close == std::string_view::npos) throw FormatError("AT parameter: unterminated string");
            parameter.text = std::string(text.substr(pos + 1, close - pos - 1));
            parameter.quoted = true;
            pos = close + 1;
            skip_spaces(text, pos);
            if (pos < text.size() && text[pos] != ',') throw FormatError("AT parameter: junk after a string");
        } else {
            const std::size_t comma = std::min(text.find(',', pos), text.size());
            std::string_view token = text.substr(pos, comma - pos);
            while (!token.empty() && is_space(token.back())) token.remove_suffix(1);
            if (token.find('"') != std::string_view::npos) throw FormatError("AT parameter: stray quote");
            parameter.text = std::string(token);
            pos = comma;
        }
        out.push_back(std::move(parameter));
        if (pos >= text.size()) return out;
        ++pos;  // the comma
    }
}
}  // namespace

std::optional<AtLine> AtLineCollector::push(char c) {
    if (c == '\r' || c == '\n') {
        if (buffer_.empty() && !overflow_) return std::nullopt;
        AtLine line{std::move(buffer_), overflow_};
        buffer_.clear();
        overflow_ = false;
        return line;
    }
    if (c == '\b') {
        if (!buffer_.empty() && !overflow_) buffer_.pop_back();
        return std::nullopt;
    }
    if (buffer_.size() >= kMaxAtLineLength) {
        overflow_ = true;
        return std::nullopt;
    }
    buffer_.push_back(c);
    return std::nullopt;
}

AtCommandLine parse_at_command_line(std::string_view line) {
    std::size_t pos = 0;
    while (pos < line.size() && is_noise(line[pos])) ++pos;
    if (line.size() - pos < 2 || upper(line[pos]) != 'A' || upper(line[pos + 1]) != 'T') {
        throw FormatError("not an AT command line");
    }
    pos += 2;
    AtCommandLine out;
    while (true) {
        skip_spaces(line, pos);
        if (pos >= line.size()) return out;
        const char c = upper(line[pos]);
        if (c == '+') break;
        if (c != 'E' && c != 'I' && c != 'Z' && c != 'V' && c != 'Q') {
            throw FormatError(std::string("unknown basic AT command '") + line[pos] + "'");
        }
        ++pos;
        AtBasicCommand basic{c, 0};
        int digits = 0;
        while (pos < line.size() && is_digit(line[pos])) {
            if (++digits > 3) throw FormatError("basic AT command value too long");
            basic.value = basic.value * 10 + (line[pos] - '0');
            ++pos;
        }
        out.basic.push_back(basic);
    }

    // One extended command: +NAME, then =?, =params, ? or nothing.
    std::string name = "+";
    ++pos;
    while (pos < line.size() && std::isalnum(static_cast<unsigned char>(line[pos]))) name.push_back(upper(line[pos++]));
    if (name.size() == 1) throw FormatError("extended AT command without a name");
    out.extended = name;
    skip_spaces(line, pos);
    std::string_view rest = line.substr(pos);
    if (rest.empty()) {
        out.form = AtForm::Action;
        return out;
    }
    std::size_t tail = 1;
    if (rest[0] == '?') {
        out.form = AtForm::Read;
    } else if (rest[0] == '=') {
        std::size_t after = 1;
        skip_spaces(rest, after);
        if (after < rest.size() && rest[after] == '?') {
            out.form = AtForm::Test;
            tail = after + 1;
        } else {
            out.form = AtForm::Set;
            out.parameters = parse_parameters(rest.substr(1));
            return out;
        }
    } else {
        throw FormatError("junk after extended AT command " + name);
    }
    skip_spaces(rest, tail);
    if (tail != rest.size()) throw FormatError("junk after extended AT command " + name);
    return out;
}

std::optional<unsigned long> at_number(const AtParameter& parameter) {
    if (parameter.quoted) return std::nullopt;
    return parse_decimal(parameter.text, 9);
}

std::string at_line(std::string_view text) {
    std::string out = "\r\n";
    out.append(text);
    out.append("\r\n");
    return out;
}

std::string at_ok() { return at_line("OK"); }
std::string at_error() { return at_line("ERROR"); }

const char* at_cme_error_text(int code) {
    switch (code) {
        case cme::kOperationNotAllowed: return "operation not allowed";
        case cme::kOperationNotSupported: return "operation not supported";
        case cme::kSimFailure: return "SIM failure";
        case cme::kInvalidIndex: return "invalid index";
        case cme::kTextStringTooLong: return "text string too long";
        case cme::kIncorrectParameters: return "incorrect parameters";
        default: return "unknown";
    }
}

std::string at_cme_error(int code, bool verbose) {
    return at_line("+CME ERROR: " + (verbose ? std::string(at_cme_error_text(code)) : std::to_string(code)));
}

}  // namespace simkit::sim

// Key URIs (see key_uri.hpp and specs/provider.md).
#include "simkit/key_uri.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "simkit/errors.hpp"

namespace simkit {

namespace {

constexpr std::string_view kScheme = "simkit:";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view value, const std::string& uri, const std::string& name) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '%') {
            out.push_back(value[i]);
            continue;
        }
        if (i + 2 >= value.size()) {
            throw FormatError("key URI " + uri + ": " + name + ": '%' must be followed by two hex digits");
        }
        const int hi = hex_value(value[i + 1]), lo = hex_value(value[i + 2]);
        if (hi < 0 || lo < 0) throw FormatError("key URI " + uri + ": " + name + ": '%' must be followed by two hex digits");
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

}  // namespace

uint8_t parse_key_id(const std::string& what, std::string_view text) {
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::string_view digits = hex ? text.substr(2) : text;
    int value = 0;
    bool ok = !digits.empty() && digits.size() <= 3;
    for (char c : digits) {
        if (!ok) break;
        const int d = hex ? hex_value(c) : (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : -1);
        if (d < 0) ok = false;
        value = value * (hex ? 16 : 10) + d;
    }
    if (!ok || value > 255) {
        throw ArgumentError(what + " '" + std::string(text) + "' is not a key ID 0..255 (decimal, or hex as 0x05)");
    }
    return static_cast<uint8_t>(value);
}

bool KeyUri::has_scheme(std::string_view uri) { return iequals_prefix(uri, kScheme); }

KeyUri KeyUri::parse(std::string_view uri) {
    const std::string text(uri);
    if (!has_scheme(uri)) throw FormatError("key URI " + text + ": must start with simkit: (e.g. simkit:slot=1;card=pcsc:0)");
    KeyUri key;
    key.text = text;
    bool have_slot = false;
    std::string_view rest = uri.substr(kScheme.size());
    while (!rest.empty()) {
        const std::size_t end = rest.find(';');
        const std::string_view attribute = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        if (attribute.empty()) continue;
        const std::size_t equals = attribute.find('=');
        if (equals == std::string_view::npos) {
            throw FormatError("key URI " + text + ": '" + std::string(attribute) + "' is not NAME=VALUE");
        }
        const std::string name(attribute.substr(0, equals));
        const std::string value = percent_decode(attribute.substr(equals + 1), text, name);
        if (name == "slot") {
            try {
                key.slot = parse_key_id("slot", value);
            } catch (const ArgumentError& e) {
                throw FormatError("key URI " + text + ": " + e.what());
            }
            have_slot = true;
        } else if (name == "card") {
            if (value.empty()) throw FormatError("key URI " + text + ": card= is empty");
            key.card = value;
        } else if (name == "pin-file") {
            key.pin_file = value;
        } else if (name == "pin-env") {
            key.pin_env = value;
        } else if (name == "pin") {
            throw FormatError("key URI: a PIN is never written in the URI (URIs end up in command lines and logs); "
                              "use pin-file=PATH or pin-env=NAME");
        } else {
            throw FormatError("key URI " + text + ": unknown attribute '" + name + "' (known: slot, card, pin-file, pin-env)");
        }
    }
    if (!have_slot) throw FormatError("key URI " + text + ": slot=N is required (e.g. simkit:slot=1;card=pcsc:0)");
    if (key.pin_file && key.pin_env) throw FormatError("key URI " + text + ": give pin-file or pin-env, not both");
    return key;
}

std::optional<secure_bytes> KeyUri::read_pin() const {
    std::string pin;
    if (pin_file) {
        std::ifstream in(*pin_file);
        if (!in) throw ArgumentError("key URI: cannot read the PIN file '" + *pin_file + "'");
        std::getline(in, pin);
        if (!pin.empty() && pin.back() == '\r') pin.pop_back();
    } else if (pin_env) {
        const char* value = std::getenv(pin_env->c_str());
        if (value == nullptr) throw ArgumentError("key URI: the PIN variable $" + *pin_env + " is not set");
        pin = value;
    } else {
        return std::nullopt;
    }
    bool digits = pin.size() >= 4 && pin.size() <= 8;
    for (char c : pin) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    secure_bytes out(pin.begin(), pin.end());
    secure_wipe(pin.data(), pin.size());
    if (!digits) throw ArgumentError("key URI: the PIN from " + std::string(pin_file ? "pin-file" : "pin-env") + " is not 4 to 8 digits");
    return out;
}

}  // namespace simkit

// Hex parsing/printing, secure wiping and constant-time comparison.
#include "simkit/bytes.hpp"

#include <openssl/crypto.h>

#include "simkit/errors.hpp"

namespace simkit {

void secure_wipe(void* data, std::size_t length) noexcept {
    if (data != nullptr && length > 0) OPENSSL_cleanse(data, length);
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

template <typename Out>
Out parse_hex(std::string_view hex) {
    Out out;
    out.reserve(hex.size() / 2);
    int high = -1;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        char c = hex[i];
        if (c == ' ' || c == ':' || c == '\t') {
            if (high >= 0) throw FormatError("hex: separator inside a byte at position " + std::to_string(i));
            continue;
        }
        int v = hex_value(c);
        if (v < 0) {
            // Printable characters quoted, others as 0xNN, so the message stays readable text.
            const auto u = static_cast<unsigned char>(c);
            const std::string shown = u >= 0x20 && u < 0x7F ? "'" + std::string(1, c) + "'" : "0x" + to_hex(&u, 1);
            throw FormatError("hex: " + shown + " at position " + std::to_string(i) + " is not a hex digit");
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<uint8_t>((high << 4) | v));
            high = -1;
        }
    }
    if (high >= 0) throw FormatError("hex: odd number of hex digits (" + std::to_string(out.size() * 2 + 1) + ")");
    return out;
}
}  // namespace

bytes from_hex(std::string_view hex) { return parse_hex<bytes>(hex); }
secure_bytes secure_from_hex(std::string_view hex) { return parse_hex<secure_bytes>(hex); }

std::string to_hex(const uint8_t* data, std::size_t length) {
    static const char digits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(length * 2);
    for (std::size_t i = 0; i < length; ++i) {
        s.push_back(digits[data[i] >> 4]);
        s.push_back(digits[data[i] & 0x0F]);
    }
    return s;
}
std::string to_hex(const bytes& data) { return to_hex(data.data(), data.size()); }
std::string to_hex(const secure_bytes& data) { return to_hex(data.data(), data.size()); }

bool ct_equal(const uint8_t* a, std::size_t a_len, const uint8_t* b, std::size_t b_len) noexcept {
    if (a_len != b_len) return false;
    if (a_len == 0) return true;
    return CRYPTO_memcmp(a, b, a_len) == 0;
}

}  // namespace simkit

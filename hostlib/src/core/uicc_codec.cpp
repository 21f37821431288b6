// ICCID, IMSI and Luhn encodings (see simkit/core/uicc_codec.hpp).
#include "simkit/core/uicc_codec.hpp"

#include "simkit/errors.hpp"

namespace simkit::uicc {

namespace {
constexpr std::size_t kIccidEfSize = 10;

bool all_digits(std::string_view s) noexcept {
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// Packs digits two per byte, first digit of each pair in the low nibble, F-padded to `size` bytes.
bytes pack_swapped(std::string_view nibbles, std::size_t size) {
    bytes out(size, 0xFF);
    for (std::size_t i = 0; i < nibbles.size(); ++i) {
        const uint8_t v = static_cast<uint8_t>(nibbles[i] - '0');
        uint8_t& b = out[i / 2];
        b = (i % 2 == 0) ? static_cast<uint8_t>((b & 0xF0) | v) : static_cast<uint8_t>((b & 0x0F) | (v << 4));
    }
    return out;
}

// Nibble i of `ef` in swapped order (low nibble of byte i/2 first).
uint8_t nibble(const bytes& ef, std::size_t i) {
    const uint8_t b = ef[i / 2];
    return i % 2 == 0 ? (b & 0x0F) : (b >> 4);
}
}  // namespace

char luhn_check_digit(std::string_view digits) {
    if (digits.empty() || !all_digits(digits)) throw ArgumentError("luhn_check_digit: digits must be decimal digits");
    int sum = 0;
    bool twice = true;  // the rightmost payload digit is doubled
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (twice) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        twice = !twice;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool luhn_valid(std::string_view digits) noexcept {
    if (digits.size() < 2 || !all_digits(digits)) return false;
    return luhn_check_digit(digits.substr(0, digits.size() - 1)) == digits.back();
}

bytes encode_iccid(std::string_view digits) {
    if (digits.empty() || digits.size() > 2 * kIccidEfSize || !all_digits(digits)) {
        throw ArgumentError("encode_iccid: digits must be 1..20 decimal digits");
    }
    return pack_swapped(digits, kIccidEfSize);
}

std::string decode_iccid(const bytes& ef) {
    std::string out;
    for (std::size_t i = 0; i < 2 * ef.size(); ++i) {
        const uint8_t v = nibble(ef, i);
        if (v == 0x0F) break;
        if (v > 9) throw FormatError("EF.ICCID: nibble " + std::to_string(i) + " is not a decimal digit");
        out.push_back(static_cast<char>('0' + v));
    }
    if (out.empty()) throw FormatError("EF.ICCID: no digits");
    return out;
}

bytes encode_imsi(std::string_view digits) {
    if (digits.size() < 6 || digits.size() > 15 || !all_digits(digits)) {
        throw ArgumentError("encode_imsi: digits must be 6..15 decimal digits");
    }
    const bool odd = digits.size() % 2 == 1;
    std::string nibbles(1, odd ? static_cast<char>('0' + 9) : static_cast<char>('0' + 1));
    nibbles += digits;
    bytes body = pack_swapped(nibbles, kImsiEfSize - 1);
    bytes out{static_cast<uint8_t>((digits.size() + 2) / 2)};
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::string decode_imsi(const bytes& ef) {
    if (ef.size() < 2) throw FormatError("EF.IMSI: fewer than 2 bytes");
    const std::size_t length = ef[0];
    if (length < 1 || length > 8 || length + 1 > ef.size()) {
        throw FormatError("EF.IMSI: length byte " + std::to_string(length) + " out of range");
    }
    const bytes body(ef.begin() + 1, ef.begin() + 1 + static_cast<std::ptrdiff_t>(length));
    const uint8_t parity = nibble(body, 0) & 0x0F;
    if ((parity & 0x07) != 0x01) throw FormatError("EF.IMSI: first nibble is not the IMSI type (x001)");
    const bool odd = (parity & 0x08) != 0;
    const std::size_t count = 2 * length - 1 - (odd ? 0 : 1);
    std::string out;
    for (std::size_t i = 1; i <= count; ++i) {
        const uint8_t v = nibble(body, i);
        if (v > 9) throw FormatError("EF.IMSI: digit " + std::to_string(i) + " is not decimal");
        out.push_back(static_cast<char>('0' + v));
    }
    if (!odd && nibble(body, 2 * length - 1) != 0x0F) throw FormatError("EF.IMSI: even IMSI without F filler");
    if (out.size() < 6) throw FormatError("EF.IMSI: fewer than 6 digits");
    return out;
}

}  // namespace simkit::uicc

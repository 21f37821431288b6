// Unsigned decimal parsing (see decimal.hpp).
#include "simkit/core/decimal.hpp"

#include <string>

#include "simkit/errors.hpp"

namespace simkit {

std::optional<unsigned long> parse_decimal(std::string_view text, std::size_t max_digits) {
    if (max_digits == 0 || max_digits > 19) throw ArgumentError("parse_decimal: max_digits must be 1..19");
    if (text.empty() || text.size() > max_digits) return std::nullopt;
    unsigned long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    return value;
}

}  // namespace simkit

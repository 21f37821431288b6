// The one parser of unsigned decimal numbers in text (AT lengths and session ids, URI options,
// ports): digits only, no sign, no spaces, at most `max_digits` digits (1..9 fit any unsigned long
// without overflow checks; up to 19 allowed).
#pragma once

#include <optional>
#include <string_view>

namespace simkit {

std::optional<unsigned long> parse_decimal(std::string_view text, std::size_t max_digits);

}  // namespace simkit

// Minimal JSON output for --json: string escaping and object/array building by hand.
#pragma once

#include <string>
#include <string_view>

namespace simkit::cli {

// A JSON string literal, quotes included, with control characters escaped.
std::string json_string(std::string_view text);

}  // namespace simkit::cli

// A key on a card, named by one string: the names OpenSSL programs take for the on-card key
// (`-key simkit:slot=1;card=pcsc:0`) through simkit's OpenSSL provider (issue 12), and the
// C++ helper built on it. Syntax (specs/provider.md):
//   simkit:ATTR=VALUE[;ATTR=VALUE]...
//   slot=N          the key store's key ID, 0..255 (decimal, or hex as 0x05); required
//   card=URI        the card URI (sim:PATH, pcsc:NAME|INDEX, at:DEVICE); default $SIMKIT_CARD
//   pin-file=PATH   the user PIN for a PIN-bound key: the first line of PATH
//   pin-env=NAME    ... or the environment variable NAME
// Values are percent-decoded (RFC 3986 %XX), so a card URI holding ';' or '%' writes them as %3B
// and %25; everything else, ':' '?' '&' '=' '/' and spaces included, may stand as it is. A PIN is
// never part of the URI (`pin=` is refused): URIs end up in command lines, configs and logs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "simkit/bytes.hpp"

namespace simkit {

struct KeyUri {
    uint8_t slot = 0;
    std::optional<std::string> card;      // nullopt: $SIMKIT_CARD
    std::optional<std::string> pin_file;
    std::optional<std::string> pin_env;
    std::string text;                     // as given (holds no secret)

    // FormatError naming the problem (unknown attribute, missing slot, bad %XX, pin=...).
    static KeyUri parse(std::string_view uri);
    // True for strings OpenSSL should hand to simkit ("simkit:" prefix, any case).
    static bool has_scheme(std::string_view uri);
    // The user PIN from pin-file or pin-env; nullopt when the URI names neither. ArgumentError when
    // the file cannot be read, the variable is unset, or the PIN is not 4..8 digits.
    std::optional<secure_bytes> read_pin() const;
};

// A key ID as the CLI and key URIs write it: decimal ("10") or hex with 0x ("0x0A"); a leading
// zero is still decimal. ArgumentError naming `what` otherwise.
uint8_t parse_key_id(const std::string& what, std::string_view text);

}  // namespace simkit

// Card URIs name a card everywhere (CLI --card, Python simkit.open, C simkit_open):
//   sim:PATH            in-process simulated card, state file PATH (created if absent)
//   pcsc:NAME|INDEX     PC/SC reader by name substring or index
//   at:DEVICE           modem on a serial device, AT+CSIM/CCHO/CGLA
// Options follow a '?' as key=value pairs joined by '&' (e.g. at:/dev/ttyUSB2?baud=115200).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace simkit {

enum class CardScheme { Sim, Pcsc, At };

struct CardUri {
    CardScheme scheme;
    std::string target;                         // PATH, NAME|INDEX or DEVICE
    std::map<std::string, std::string> options;  // after '?'
    std::string text;                           // the URI as given

    // Throws FormatError naming the three forms when the URI is not one of them.
    static CardUri parse(std::string_view uri);
    std::optional<std::string> option(const std::string& key) const;
};

// One line listing the URI forms, for error messages and --help.
const char* card_uri_forms();
// The explicit URI if given and non-empty, else $SIMKIT_CARD, else a FormatError naming the forms.
CardUri resolve_card_uri(const std::optional<std::string>& explicit_uri);

}  // namespace simkit

// Card URI parsing (see card_uri.hpp).
#include "simkit/card_uri.hpp"

#include <cstdlib>

#include "simkit/errors.hpp"

namespace simkit {

const char* card_uri_forms() { return "sim:PATH (simulated card), pcsc:NAME|INDEX (PC/SC reader), at:DEVICE (AT modem)"; }

CardUri CardUri::parse(std::string_view uri) {
    const auto colon = uri.find(':');
    if (colon == std::string_view::npos) {
        throw FormatError("card URI '" + std::string(uri) + "' has no scheme; use " + card_uri_forms());
    }
    const std::string_view scheme = uri.substr(0, colon);
    std::string_view rest = uri.substr(colon + 1);
    CardUri out{CardScheme::Sim, "", {}, std::string(uri)};
    if (scheme == "sim") {
        out.scheme = CardScheme::Sim;
    } else if (scheme == "pcsc") {
        out.scheme = CardScheme::Pcsc;
    } else if (scheme == "at") {
        out.scheme = CardScheme::At;
    } else {
        throw FormatError("card URI scheme '" + std::string(scheme) + "' is unknown; use " + card_uri_forms());
    }
    const auto question = rest.find('?');
    if (question != std::string_view::npos) {
        std::string_view query = rest.substr(question + 1);
        rest = rest.substr(0, question);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const std::string_view pair = query.substr(0, amp);
            const auto eq = pair.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                throw FormatError("card URI option '" + std::string(pair) + "' is not key=value");
            }
            out.options[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
            query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        }
    }
    if (rest.empty() && out.scheme != CardScheme::Pcsc) {
        throw FormatError("card URI '" + std::string(uri) + "' names no " +
                          (out.scheme == CardScheme::Sim ? "state file (sim:PATH)" : "device (at:DEVICE)"));
    }
    out.target = std::string(rest);
    return out;
}

std::optional<std::string> CardUri::option(const std::string& key) const {
    const auto it = options.find(key);
    if (it == options.end()) return std::nullopt;
    return it->second;
}

CardUri resolve_card_uri(const std::optional<std::string>& explicit_uri) {
    if (explicit_uri && !explicit_uri->empty()) return CardUri::parse(*explicit_uri);
    const char* env = std::getenv("SIMKIT_CARD");
    if (env != nullptr && *env != '\0') return CardUri::parse(env);
    throw FormatError(std::string("no card given: pass --card URI or set SIMKIT_CARD; forms: ") + card_uri_forms());
}

}  // namespace simkit

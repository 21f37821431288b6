// How simkit prints: the one JSON printer behind every --json, and the answer lines of the commands
// that send APDUs (apdu, scp03, scp02): '<data hex> <SW>' per APDU, or with --json one array of
// {command, response, sw, meaning} (the command as traced: PINs and keys masked).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "simkit/apdu.hpp"

namespace simkit::cli {

// Lowercase hex, as every --json prints bytes.
std::string lower_hex(const bytes& data);
std::string lower_hex(const secure_bytes& data);
// The hex of one option's value; a FormatError names the option ("--rand: odd number of hex digits").
bytes option_hex(const std::string& option, const std::string& text);
// The same for a secret option (keys): secure_bytes, and the text wiped.
secure_bytes option_secret_hex(const std::string& option, std::string& text);

// Indented JSON on stdout; bytes that are not UTF-8 (none expected) become U+FFFD instead of failing.
void print_json(const nlohmann::ordered_json& value);

class AnswerPrinter {
public:
    explicit AnswerPrinter(bool json) : json_(json) {}
    // Prints the answer line now, or keeps it for the JSON array.
    void add(const bytes& command, const ResponseApdu& response);
    // Prints the JSON array (nothing in line mode).
    void finish() const;

private:
    bool json_;
    nlohmann::ordered_json answers_ = nlohmann::ordered_json::array();
};

}  // namespace simkit::cli

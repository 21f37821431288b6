// What the chapters of `simkit demo` share: a heading printer and an APDU exchange that shows the
// command and the answer as the trace prints them (PINs and keys masked). Each chapter past the
// first lives in its own demo_*.cpp and is declared here.
#pragma once

#include <filesystem>
#include <iostream>
#include <string>

#include "simkit/core/apdu_trace.hpp"
#include "simkit/card.hpp"

namespace simkit::cli {

class Story {
public:
    explicit Story(Card& card) : card_(card) {}
    static void say(const std::string& text) { std::cout << "\n== " << text << "\n"; }
    ResponseApdu send(const std::string& hex) {
        const bytes command = from_hex(hex);
        const bytes response = card_.transmit_bytes(command);
        std::cout << "  > " << trace_command(command) << "\n  < " << trace_response(response) << "\n";
        return ResponseApdu::parse(response);
    }

private:
    Card& card_;
};

// demo_usim.cpp: ICCID and IMSI, an AKA with the card's test keys, a resynchronisation.
void tell_usim(const std::string& uri);
// demo_line.cpp: three fresh cards DIR/<ICCID>.state through the personalization line, twice (exactly once).
void tell_line(const std::filesystem::path& dir);

}  // namespace simkit::cli

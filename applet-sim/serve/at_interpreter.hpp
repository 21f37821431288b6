// The modem's SIM interface as a state machine without I/O: executes one AT command line against
// a card (through an APDU exchange function) and returns the bytes the modem writes back.
// Keeps the modem state: echo, +CMEE mode and the +CCHO sessions (session id -> logical channel).
// The pty loop (at_modem.cpp), unit tests and the fuzz target all drive it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "serve/at_command_line.hpp"
#include "serve/at_modem.hpp"
#include "simkit/bytes.hpp"

namespace simkit::sim {

class AtInterpreter {
public:
    // C-APDU in wire form -> R-APDU (data + SW); the card behind the modem.
    using ApduExchange = std::function<bytes(const bytes&)>;

    AtInterpreter(AtModemOptions options, ApduExchange exchange);

    // Echo state (ATE0/ATE1): whether the loop echoes received characters.
    bool echo() const noexcept { return echo_; }

    // Executes one command line (without its terminator) and returns everything the modem sends
    // in answer: information responses, the final result code and injected URCs. Never throws.
    std::string execute(const AtLine& line);

    // Open +CCHO sessions, for tests.
    const std::map<unsigned long, uint8_t>& sessions() const noexcept { return sessions_; }

private:
    std::string run(const AtCommandLine& command);
    std::string run_extended(const AtCommandLine& command);
    std::string csim(const AtCommandLine& command);
    std::string ccho(const AtCommandLine& command);
    std::string cchc(const AtCommandLine& command);
    std::string cgla(const AtCommandLine& command);
    // at_sim_files.cpp: the modem's own file access on the basic channel.
    std::string crsm(const AtCommandLine& command);
    std::string cimi();
    bytes sim_exchange(bytes apdu);  // 61xx fetched, 6Cxx re-sent
    // SELECT of `fileid` (from the MF, or from ADF.USIM for its files / 7FFF paths) along `path`;
    // the last answer (FCP and SW, or the failing SW).
    bytes select_file(uint16_t fileid, const std::vector<uint16_t>& path);
    std::string cmee(const AtCommandLine& command);

    // "+NAME: " or "+NAME:" per the space-after-colon quirk.
    std::string prefixed(std::string_view name, std::string_view value) const;
    // Information lines, optional URCs around them, and OK.
    std::string answer(const std::string& information) const;
    std::string cme_error(int code) const;
    // Checks "<length>,\"<hex>\"" at `first`; returns the APDU or nothing (the error is in `error`).
    std::optional<bytes> apdu_parameters(const AtCommandLine& command, std::size_t first, std::string& error) const;
    std::string hex_response(std::string_view name, const bytes& response) const;

    AtModemOptions options_;
    ApduExchange exchange_;
    bool echo_;
    int cmee_ = 1;  // 0: plain ERROR, 1: numeric +CME ERROR, 2: verbose +CME ERROR
    std::map<unsigned long, uint8_t> sessions_;
    unsigned long next_large_session_ = 0;
};

}  // namespace simkit::sim

// Serves a card as a cellular modem's SIM interface on a pseudo-terminal: AT, ATE0/1, ATI,
// AT+CGMI, AT+CSIM, AT+CCHO/CCHC/CGLA, AT+CRSM ... (specs/at-modem.md; commands are
// interpreted by at_interpreter.hpp). A symlink points at the
// pty's slave side; a client that closes and reopens it is served again.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "serve/shared_card.hpp"

namespace simkit::sim {

struct AtModemOptions {
    std::string link;                   // symlink to create, pointing at the pty slave
    bool echo = true;                   // initial echo state (ATE1)
    bool space_after_colon = true;      // "+CSIM: 4,..." vs "+CSIM:4,..."
    std::string unsolicited;            // e.g. "+CREG: 1": injected between response lines when set
    std::size_t max_apdu_length = 0;    // 0 = unlimited; longer APDUs get +CME ERROR
    bool large_session_ids = false;     // +CCHO hands out large numbers, not channel numbers
    bool bare_ccho = false;             // AT+CCHO answers "<n>" (the 27.007 form), not "+CCHO: <n>"
};

// Creates the pty and link, serves until `stop`, removes the link.
void run_at_modem(SharedCard& card, const AtModemOptions& options, const std::atomic<bool>& stop);

}  // namespace simkit::sim

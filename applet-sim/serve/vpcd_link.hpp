// Serves a card to pcscd's vpcd driver (vsmartcard): the card connects to vpcd's TCP port.
// Framing: 2-byte big-endian length + payload; 1-byte control messages 0 power off, 1 power on,
// 2 reset, 4 get ATR; anything longer is a C-APDU answered with the R-APDU.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "serve/shared_card.hpp"

namespace simkit::sim {

struct VpcdOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 35963;
};

// Parses "HOST:PORT" (or just PORT); throws ArgumentError.
VpcdOptions parse_vpcd_address(const std::string& text);

// Connects to vpcd and serves `card` until `stop` becomes true; reconnects with backoff when
// vpcd/pcscd goes away. Returns when stopped.
void run_vpcd_link(SharedCard& card, const VpcdOptions& options, const std::atomic<bool>& stop);

}  // namespace simkit::sim

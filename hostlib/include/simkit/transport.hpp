// A transport moves APDU bytes to a card and back: in-process simulated card, PC/SC reader or AT
// modem. Nothing above it knows which one it is. Protocol chores (61xx GET RESPONSE, 6Cxx re-send)
// happen once, in transmit_complete(), not in callers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/card_uri.hpp"

namespace simkit {

// Proof of exclusive access to a card (see Transport::begin_exclusive): while it lives, no other
// application's APDU comes between this one's. Destroying it ends the exclusivity, leaving the card
// as it is. Destroy it before the transport it came from.
class ExclusiveAccess {
public:
    ExclusiveAccess() = default;
    virtual ~ExclusiveAccess() = default;
    ExclusiveAccess(const ExclusiveAccess&) = delete;
    ExclusiveAccess& operator=(const ExclusiveAccess&) = delete;
};

class Transport {
public:
    virtual ~Transport() = default;
    // One exchange, exactly as given: C-APDU bytes in, R-APDU bytes (data + SW) out.
    // Throws TransportError when the card cannot be reached.
    virtual bytes transmit(const bytes& command) = 0;
    virtual bytes atr() = 0;
    // Warm reset: channels and sessions end; persistent card state stays.
    virtual void reset() = 0;
    // Human-readable name ("sim:/tmp/card.state", reader name, modem device).
    virtual std::string description() const = 0;
    // Holds the card for a multi-APDU flow (e.g. an SCP03 session) until the token is destroyed.
    // Blocks while another application holds it. pcsc: overrides this with a PC/SC transaction. The
    // default token does nothing, which is right for the others: sim: is a card inside this process
    // whose state file is locked to it while open; at: talks over one serial line, where another
    // program's AT commands would break every exchange anyway (one conversation per line).
    virtual std::unique_ptr<ExclusiveAccess> begin_exclusive() { return std::make_unique<ExclusiveAccess>(); }
};

// Opens the transport a URI names. Throws TransportError (or FormatError for a bad URI).
std::unique_ptr<Transport> open_transport(const CardUri& uri);

// Sees every exchange on the wire (command, response), for --trace.
using ApduObserver = std::function<void(const bytes& command, const bytes& response)>;

// Sends `command` and completes it: on 6Cxx re-sends with Le = xx, on 61xx fetches the rest with
// GET RESPONSE on the command's logical channel, concatenating data. Returns data + final SW.
bytes transmit_complete(Transport& transport, const bytes& command, const ApduObserver& observer = {});

}  // namespace simkit

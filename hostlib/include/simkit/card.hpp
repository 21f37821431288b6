// The host's handle on a card, opened from a card URI. Commands go through the transport with
// GET RESPONSE / 6Cxx handled, so callers see whole responses.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "simkit/apdu.hpp"
#include "simkit/transport.hpp"

namespace simkit {

class Card {
public:
    // Opens the card named by `uri` (or $SIMKIT_CARD when empty).
    static Card open(const std::optional<std::string>& uri = std::nullopt);
    explicit Card(std::unique_ptr<Transport> transport);

    // Whole response: 61xx and 6Cxx handled.
    ResponseApdu transmit(const CommandApdu& command);
    // Exactly one exchange, no chores.
    ResponseApdu transmit_raw(const CommandApdu& command);
    // Bytes in, bytes out (commands that may be malformed on purpose); `complete` does the chores.
    bytes transmit_bytes(const bytes& command, bool complete = true);

    bytes atr() { return transport_->atr(); }
    void reset() { transport_->reset(); }
    // Exclusive access for a multi-APDU flow until the returned token is destroyed (which must happen
    // before this Card goes): `auto held = card.exclusive();` See Transport::begin_exclusive.
    std::unique_ptr<ExclusiveAccess> exclusive() { return transport_->begin_exclusive(); }
    std::string description() const { return transport_->description(); }
    Transport& transport() noexcept { return *transport_; }
    // Every wire exchange goes to `observer` (for traces; see apdu_trace.hpp for masking).
    void set_observer(ApduObserver observer) { observer_ = std::move(observer); }

private:
    std::unique_ptr<Transport> transport_;
    ApduObserver observer_;
};

}  // namespace simkit

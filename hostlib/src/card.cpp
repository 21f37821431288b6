// Host Card handle (see card.hpp).
#include "simkit/card.hpp"

#include "simkit/errors.hpp"

namespace simkit {

Card Card::open(const std::optional<std::string>& uri) { return Card(open_transport(resolve_card_uri(uri))); }

Card::Card(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {
    if (!transport_) throw ArgumentError("Card: transport is null");
}

ResponseApdu Card::transmit(const CommandApdu& command) {
    return ResponseApdu::parse(transmit_complete(*transport_, command.encode(), observer_));
}

ResponseApdu Card::transmit_raw(const CommandApdu& command) {
    return ResponseApdu::parse(transmit_bytes(command.encode(), false));
}

bytes Card::transmit_bytes(const bytes& command, bool complete) {
    if (complete) return transmit_complete(*transport_, command, observer_);
    bytes response = transport_->transmit(command);
    if (observer_) observer_(command, response);
    return response;
}

}  // namespace simkit

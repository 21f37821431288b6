// The `sim:` transport (see sim_transport.hpp).
#include "transport/sim_transport.hpp"

#include "simkit/errors.hpp"
#include "simulated_card.hpp"

namespace simkit {

namespace {
sim::CardOptions card_options(const CardUri& uri) {
    sim::CardOptions options;
    const auto t0 = uri.option("t0");
    if (t0 && *t0 != "0" && *t0 != "1") throw FormatError("sim: option t0 must be 0 or 1, not '" + *t0 + "'");
    options.t0 = t0 && *t0 == "1";
    return options;
}
}  // namespace

SimTransport::SimTransport(const CardUri& uri)
    : state_path_(uri.target), card_(sim::open_simulated_card(uri.target, card_options(uri))) {}

SimTransport::~SimTransport() = default;

bytes SimTransport::transmit(const bytes& command) { return card_->transmit(command); }
bytes SimTransport::atr() { return card_->atr(); }
void SimTransport::reset() { card_->reset(); }
std::string SimTransport::description() const { return "sim:" + state_path_; }

}  // namespace simkit

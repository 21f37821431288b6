// The `sim:` transport (see sim_transport.hpp).
#include "transport/sim_transport.hpp"

#include "simulated_card.hpp"

namespace simkit {

SimTransport::SimTransport(const std::string& state_path)
    : state_path_(state_path), card_(sim::open_simulated_card(state_path)) {}

SimTransport::~SimTransport() = default;

bytes SimTransport::transmit(const bytes& command) { return card_->transmit(command); }
bytes SimTransport::atr() { return card_->atr(); }
void SimTransport::reset() { card_->reset(); }
std::string SimTransport::description() const { return "sim:" + state_path_; }

}  // namespace simkit

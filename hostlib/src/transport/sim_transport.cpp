// The `sim:` transport (see sim_transport.hpp).
#include "transport/sim_transport.hpp"

#include "simkit/errors.hpp"
#include "simulated_card.hpp"

namespace simkit {

namespace {
// T=0 by default, as a real SIM (TS 102 221); `t1=1` (or `t0=0`) for T=1 behaviour.
sim::CardOptions card_options(const CardUri& uri) {
    sim::CardOptions options;
    const auto t0 = uri.option("t0");
    const auto t1 = uri.option("t1");
    if (t0 && *t0 != "0" && *t0 != "1") throw FormatError("sim: option t0 must be 0 or 1, not '" + *t0 + "'");
    if (t1 && *t1 != "0" && *t1 != "1") throw FormatError("sim: option t1 must be 0 or 1, not '" + *t1 + "'");
    const bool want_t1 = (t1 && *t1 == "1") || (t0 && *t0 == "0");
    const bool want_t0 = (t0 && *t0 == "1") || (t1 && *t1 == "0");
    if (want_t0 && want_t1) throw FormatError("sim: options t0 and t1 contradict each other");
    options.t0 = !want_t1;
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

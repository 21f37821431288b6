// Placeholder until the AT modem front end lands.
#include "serve/at_modem.hpp"

#include "simkit/errors.hpp"

namespace simkit::sim {
void run_at_modem(SharedCard&, const AtModemOptions&, const std::atomic<bool>&) { throw ArgumentError("--at-pty is not built yet"); }
}  // namespace simkit::sim

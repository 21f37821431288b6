// Placeholder until the vpcd front end lands.
#include "serve/vpcd_link.hpp"

#include "simkit/errors.hpp"

namespace simkit::sim {
VpcdOptions parse_vpcd_address(const std::string&) { throw ArgumentError("--vpcd is not built yet"); }
void run_vpcd_link(SharedCard&, const VpcdOptions&, const std::atomic<bool>&) {}
}  // namespace simkit::sim

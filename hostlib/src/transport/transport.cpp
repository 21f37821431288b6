// open_transport: the one place where a card URI's scheme picks its transport.
#include "simkit/errors.hpp"
#include "simkit/transport.hpp"
#include "transport/sim_transport.hpp"

namespace simkit {

std::unique_ptr<Transport> open_transport(const CardUri& uri) {
    switch (uri.scheme) {
        case CardScheme::Sim: return std::make_unique<SimTransport>(uri);
        case CardScheme::Pcsc: throw TransportError("pcsc: transport is not built yet (" + uri.text + ")");
        case CardScheme::At: throw TransportError("at: transport is not built yet (" + uri.text + ")");
    }
    throw TransportError("unknown card URI scheme in " + uri.text);
}

}  // namespace simkit

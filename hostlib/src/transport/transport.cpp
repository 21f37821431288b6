// open_transport: the one place where a card URI's scheme picks its transport.
#include "simkit/errors.hpp"
#include "simkit/transport.hpp"
#include "transport/at_transport.hpp"
#include "transport/sim_transport.hpp"
#include "transport/pcsc_transport.hpp"

namespace simkit {

std::unique_ptr<Transport> open_transport(const CardUri& uri) {
    switch (uri.scheme) {
        case CardScheme::Sim: return std::make_unique<SimTransport>(uri);
        case CardScheme::Pcsc: return std::make_unique<PcscTransport>(PcscOptions::from_uri(uri));
        case CardScheme::At: return std::make_unique<AtTransport>(uri);
    }
    throw TransportError("unknown card URI scheme in " + uri.text);
}

}  // namespace simkit

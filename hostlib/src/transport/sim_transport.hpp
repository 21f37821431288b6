// The `sim:` transport: a simulated card in this process, its state in a file.
// URI options: t0=1 gives the card T=0 behaviour (61xx for case-4 answers, 6Cxx for a wrong Le).
#pragma once

#include <memory>

#include "simkit/transport.hpp"

namespace simkit::sim {
class Card;
}

namespace simkit {

class SimTransport : public Transport {
public:
    explicit SimTransport(const CardUri& uri);
    ~SimTransport() override;
    bytes transmit(const bytes& command) override;
    bytes atr() override;
    void reset() override;
    std::string description() const override;

private:
    std::string state_path_;
    std::unique_ptr<sim::Card> card_;
};

}  // namespace simkit

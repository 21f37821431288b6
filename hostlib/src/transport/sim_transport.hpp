// The `sim:` transport: a simulated card in this process, its state in a file.
// URI options: the card follows T=0 by default (61xx for case-4 answers, 6Cxx for a wrong Le), as a
// real SIM; t1=1 (or t0=0) gives T=1 behaviour. The ATR offers exactly the protocol followed.
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

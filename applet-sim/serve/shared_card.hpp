// One simulated card reached by several front ends (vpcd, AT pty): every access holds the lock,
// so the card sees one APDU at a time.
#pragma once

#include <memory>
#include <mutex>

#include "runtime/card.hpp"

namespace simkit::sim {

class SharedCard {
public:
    explicit SharedCard(std::unique_ptr<Card> card) : card_(std::move(card)) {}

    bytes transmit(const bytes& command) {
        std::lock_guard<std::mutex> lock(mutex_);
        return card_->transmit(command);
    }
    bytes atr() {
        std::lock_guard<std::mutex> lock(mutex_);
        return card_->atr();
    }
    void power_on() {
        std::lock_guard<std::mutex> lock(mutex_);
        card_->power_on();
    }
    void power_off() {
        std::lock_guard<std::mutex> lock(mutex_);
        card_->power_off();
    }
    void reset() {
        std::lock_guard<std::mutex> lock(mutex_);
        card_->reset();
    }

private:
    std::mutex mutex_;
    std::unique_ptr<Card> card_;
};

}  // namespace simkit::sim

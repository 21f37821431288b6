// One simulated card reached by several front ends (vpcd, AT pty): every access holds the lock,
// so the card sees one APDU at a time. At log level trace every exchange is logged, masked
// (PINs and keys never reach the log), whichever front end it came from.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "runtime/card.hpp"
#include "simkit/core/apdu_trace.hpp"
#include "simkit/core/log.hpp"

namespace simkit::sim {

class SharedCard {
public:
    explicit SharedCard(std::unique_ptr<Card> card) : card_(std::move(card)) {}

    // `front_end` names where the command came from in the trace ("vpcd", "at").
    bytes transmit(const bytes& command, std::string_view front_end) {
        const bool trace = log::enabled(log::Level::Trace);
        if (trace) log::write(log::Level::Trace, front_end, "> " + trace_command(command));
        bytes response;
        bool limit_reached = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            response = card_->transmit(command);
            limit_reached = ++answered_ == apdu_limit_;
        }
        if (trace) log::write(log::Level::Trace, front_end, "< " + trace_response(response));
        if (limit_reached && on_limit_) on_limit_();
        return response;
    }
    // After `count` (> 0) answered APDUs, `on_reached` runs once (simkit-card serve --leave-after:
    // the card leaves the reader part-way through a host's work, as a card pulled out would).
    void set_apdu_limit(std::size_t count, std::function<void()> on_reached) {
        std::lock_guard<std::mutex> lock(mutex_);
        apdu_limit_ = count;
        on_limit_ = std::move(on_reached);
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
    std::size_t answered_ = 0;
    std::size_t apdu_limit_ = 0;  // 0: none
    std::function<void()> on_limit_;
};

}  // namespace simkit::sim

#include "card_sessions.hpp"

#include "simkit/status_words.hpp"

namespace simkit::provider {

CardSession::~CardSession() { close_locked(); }

bool CardSession::worth_reopening(uint16_t sw) const noexcept {
    // The key's own answers: another try on a fresh session would say the same.
    if ((sw & 0xFFF0) == 0x63C0) return false;  // PIN wrong
    switch (sw) {
        case 0x6A88:  // no such key
        case 0x6A80:  // bad data
        case 0x6985:  // the slot may not sign
        case 0x6983:  // PIN blocked
        case 0x6581:  // the card could not write its state
            return false;
        case 0x6982:  // PIN not verified: after a reset, verifying again helps if we know it
            return pin_.has_value();
        default:
            return true;
    }
}

void CardSession::open_locked() {
    card_.emplace(Card::open(card_uri_));
    try {
        store_.emplace(*card_);
        if (pin_) store_->verify_pin(*pin_);
    } catch (...) {
        close_locked();
        throw;
    }
}

void CardSession::close_locked() noexcept {
    store_.reset();
    card_.reset();
}

void CardSession::verify_pin(const secure_bytes& pin) {
    std::lock_guard lock(mutex_);
    if (!store_) open_locked();
    try {
        store_->verify_pin(pin);
    } catch (const PinError&) {
        pin_.reset();
        throw;
    }
    pin_ = pin;
}

std::shared_ptr<CardSession> CardSessions::get(const std::string& card_uri) {
    std::lock_guard lock(mutex_);
    auto& session = sessions_[card_uri];
    if (!session) session = std::make_shared<CardSession>(card_uri);
    return session;
}

}  // namespace simkit::provider

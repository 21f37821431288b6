// The provider's card sessions: one open card per card URI in the process, shared by every key on
// it (a sim: state file admits one opener, a PC/SC reader one conversation at a time), with the key
// store applet selected. Threads take turns: a whole operation (a signature's INIT, UPDATE and
// answer) runs under the session's lock, so the APDUs of two TLS handshakes never interleave.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/keystore_client.hpp"

namespace simkit::provider {

class CardSession {
public:
    explicit CardSession(std::string card_uri) : card_uri_(std::move(card_uri)) {}
    ~CardSession();
    CardSession(const CardSession&) = delete;
    CardSession& operator=(const CardSession&) = delete;

    const std::string& card_uri() const noexcept { return card_uri_; }

    // Runs `operation(KeyStore&)` under the lock. The card is opened and the applet selected on first
    // use, and the remembered PIN verified after each (re)open. When the operation fails the way a
    // card reset or a lost connection does (TransportError; a status word that is not one of the
    // key's own answers, e.g. 6D00 from a card that lost its selection), the card is closed, opened
    // again and the operation tried once more; a card that cannot be reopened gives its error.
    template <class Operation>
    auto run(Operation&& operation) -> std::invoke_result_t<Operation&, KeyStore&> {
        std::lock_guard lock(mutex_);
        for (int attempt = 0;; ++attempt) {
            try {
                if (!store_) open_locked();
                return operation(*store_);
            } catch (const TransportError&) {
                close_locked();
                if (attempt > 0) throw;
            } catch (const SwError& error) {
                if (attempt > 0 || !worth_reopening(error.sw())) throw;
                close_locked();
            }
        }
    }

    // Verifies the user PIN now and remembers it (zeroizing memory) for reopenings. PinError when
    // the card refuses it (the PIN is then forgotten).
    void verify_pin(const secure_bytes& pin);

private:
    bool worth_reopening(uint16_t sw) const noexcept;
    void open_locked();
    void close_locked() noexcept;

    std::mutex mutex_;
    std::string card_uri_;
    std::optional<Card> card_;
    std::optional<KeyStore> store_;  // refers to *card_: reset before it
    std::optional<secure_bytes> pin_;
};

// The sessions of one provider instance, by card URI as written (after $SIMKIT_CARD is applied).
class CardSessions {
public:
    std::shared_ptr<CardSession> get(const std::string& card_uri);

private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<CardSession>> sessions_;
};

}  // namespace simkit::provider

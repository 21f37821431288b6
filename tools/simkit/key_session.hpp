// What `simkit key` and `simkit pin` share: the card options (--card, --channel, --trace), the user
// PIN taken from --pin or $SIMKIT_PIN (wiped once used, never printed), and one card session with
// the key store applet selected, the PIN verified first when given.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "simkit/card.hpp"
#include "simkit/keystore_client.hpp"

namespace simkit::cli {

struct KeySessionOptions {
    std::optional<std::string> card;
    std::string pin;  // from --pin or $SIMKIT_PIN; wiped by take_secret()
    bool logical_channel = false;
    bool trace = false;
};

// Registers --card, --channel and --trace on `command`.
void add_key_session_options(CLI::App* command, KeySessionOptions& options);
// Registers `--pin` (with $SIMKIT_PIN) for key commands: verified before the operation.
void add_pin_option(CLI::App* command, std::string& pin, const std::string& help);

// A secret option's text as secure_bytes; the string is wiped.
secure_bytes take_secret(std::string& text);

// One card session: the card opened, the key store selected (PIN verified when options.pin is set).
class KeySession {
public:
    explicit KeySession(KeySessionOptions& options, bool verify_pin = true);
    KeyStore& store() { return *store_; }
    Card& card() { return card_; }
    bool pin_verified() const noexcept { return pin_verified_; }

private:
    Card card_;
    std::optional<KeyStore> store_;
    bool pin_verified_ = false;
};

}  // namespace simkit::cli

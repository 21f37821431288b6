// The card session of `simkit key` and `simkit pin` (see key_session.hpp).
#include "simkit/key_session.hpp"

#include <iostream>

#include "simkit/core/apdu_trace.hpp"
#include "simkit/card_uri.hpp"

namespace simkit::cli {

void add_key_session_options(CLI::App* command, KeySessionOptions& options) {
    command->add_option("--card", options.card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    command->add_flag("--channel", options.logical_channel,
                      "open a logical channel (MANAGE CHANNEL) for the key store instead of the basic channel");
    command->add_flag("--trace", options.trace, "print every exchange on the wire to stderr (PINs masked)");
}

void add_pin_option(CLI::App* command, std::string& pin, const std::string& help) {
    command->add_option("--pin", pin, help)->envname("SIMKIT_PIN");
}

secure_bytes take_secret(std::string& text) {
    secure_bytes out(text.begin(), text.end());
    secure_wipe(text.data(), text.size());
    text.clear();
    return out;
}

KeySession::KeySession(KeySessionOptions& options, bool verify_pin) : card_(Card::open(options.card)) {
    if (options.trace) {
        card_.set_observer([](const bytes& command, const bytes& response) {
            std::cerr << "> " << trace_command(command) << "\n< " << trace_response(response) << "\n";
        });
    }
    KeyStoreOptions store_options;
    store_options.logical_channel = options.logical_channel;
    store_.emplace(card_, store_options);
    if (verify_pin && !options.pin.empty()) {
        store_->verify_pin(take_secret(options.pin));
        pin_verified_ = true;
    }
}

}  // namespace simkit::cli

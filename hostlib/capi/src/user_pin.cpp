// simkit_verify_pin: ISO 7816-4 VERIFY of the user PIN through the key store applet.
#include "capi_state.hpp"

using simkit::capi::CardState;
using simkit::capi::Failure;

extern "C" int simkit_verify_pin(simkit_card* card, const uint8_t* pin, size_t pin_len, int* tries_left) {
    if (tries_left != nullptr) *tries_left = -1;
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card&) {
        simkit::capi::require(pin, "pin");
        if (pin_len == 0) throw Failure{SIMKIT_E_INVALID_ARGUMENT, "pin is empty"};
        simkit::secure_bytes copy(pin, pin + pin_len);  // wiped when this call ends
        try {
            simkit::capi::keystore_of(state).verify_pin(copy);
        } catch (const simkit::PinError& e) {
            if (tries_left != nullptr) *tries_left = e.tries_left().value_or(-1);
            throw;
        }
        return SIMKIT_OK;
    });
}

// The card's user PIN as ISO 7816-4 / ETSI TS 102 221 commands: VERIFY (20), CHANGE REFERENCE DATA
// (24), RESET RETRY COUNTER (2C) with the PUK. A reusable component: an applet keeps a PinStatus in
// its per-channel session and forwards these commands here (the key store now, the USIM later).
// The try counter is decremented and committed to the state file before the comparison, so a
// power cut between decrement and answer never gives a free try. specs/keystore.md documents it.
#pragma once

#include <string>

#include "runtime/applet.hpp"
#include "simkit/apdu.hpp"

namespace simkit::sim {

// Volatile, per logical channel: whether the user PIN was verified on this channel.
struct PinStatus {
    bool verified = false;
};

// Record names of a PIN, its tries (2 bytes: left, max), its PUK and the PUK's tries.
struct PinRecords {
    std::string pin;
    std::string pin_tries;
    std::string puk;
    std::string puk_tries;
};

class UserPin {
public:
    // The card's user PIN and PUK (records in simulated_card.hpp).
    UserPin();
    explicit UserPin(PinRecords records) : records_(std::move(records)) {}

    // P2 of the user PIN: 01 (TS 102 221 PIN1) or 81; anything else 6A88.
    static bool is_user_pin_reference(uint8_t p2) noexcept { return p2 == 0x01 || p2 == 0x81; }
    // True when command data of INS 24/2C is PIN material (starts with an ASCII digit) rather than
    // an IoT SAFE TLV (PUT PUBLIC KEY INIT / VERIFY SIGNATURE INIT share these INS).
    static bool looks_like_pin_data(const bytes& data) noexcept {
        return !data.empty() && data[0] >= '0' && data[0] <= '9';
    }

    ResponseApdu verify(CommandContext& ctx, PinStatus& status) const;
    ResponseApdu change_reference_data(CommandContext& ctx, PinStatus& status) const;
    ResponseApdu reset_retry_counter(CommandContext& ctx, PinStatus& status) const;

private:
    PinRecords records_;
};

}  // namespace simkit::sim

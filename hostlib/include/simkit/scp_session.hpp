// The host side of a GlobalPlatform secure channel (SCP03 or SCP02) over any simkit::Card:
// SELECT the security domain, INITIALIZE UPDATE, verify the card cryptogram (before anything of the
// host's leaves), EXTERNAL AUTHENTICATE, then wrap every command and unwrap every answer.
// The session holds Card::exclusive() for its whole life, so no other application's APDU comes
// between its commands (which would break the MAC chain).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "simkit/card.hpp"
#include "simkit/scp.hpp"

namespace simkit {

// Supplies the static keys once the card has answered INITIALIZE UPDATE: plain keys ignore the
// answer; diversified keys use its KDD (see diversify.hpp).
using ScpKeySource = std::function<scp::StaticKeys(const scp::InitUpdateResponse&)>;
ScpKeySource fixed_keys(scp::StaticKeys keys);
// ENC = MAC = DEK = key.
ScpKeySource single_key(const secure_bytes& key);

struct ScpOptions {
    scp::Protocol protocol = scp::Protocol::Scp03;  // the protocol expected; another answer is an error
    uint8_t kvn = 0x00;                             // 00: the card's default key set
    uint8_t level = 0x33;                           // see scp::parse_level
    std::optional<bytes> security_domain_aid;       // SELECTed first; default: the ISD (SELECT without data)
    bool select = true;                             // false: talk to whatever is selected on the channel
    uint8_t channel = 0;                            // logical channel, 0..19 (already open)
    std::optional<bytes> host_challenge;            // tests only; random otherwise (8, or 16 for S16)
    bool s16 = false;                               // SCP03 S16 mode (16-byte challenge, MACs)
};

class ScpSession {
public:
    // Opens the channel. Throws SecureChannelError when the card cryptogram does not match (the
    // message names a likely wrong key or KVN), when EXTERNAL AUTHENTICATE is refused, or when the
    // card's protocol, S8/S16 mode or i parameter is not what `options` expects (the i parameter must
    // allow R-MAC / R-ENCRYPTION when the level asks for them), or when the INITIALIZE UPDATE answer is
    // malformed; SwError when SELECT or INITIALIZE UPDATE fail (e.g. 6A88: no key set with that KVN);
    // ArgumentError for options that make no sense (level, channel, challenge length). Nothing of the
    // host's (no host cryptogram) is sent before the card cryptogram has verified.
    ScpSession(Card& card, const ScpKeySource& keys, const ScpOptions& options);
    ~ScpSession();
    ScpSession(const ScpSession&) = delete;
    ScpSession& operator=(const ScpSession&) = delete;

    // Wraps `plain` (its CLA's channel bits are replaced by the session's channel), sends it with
    // GET RESPONSE handled, unwraps the answer. Any status word comes back as it is; a response
    // whose R-MAC does not verify throws SecureChannelError and ends the session. So does any other
    // failure once wrapping began (transport, a command too long to wrap): the MAC chain cannot be
    // resynchronised. On a closed session transmit throws SecureChannelError ("session closed").
    ResponseApdu transmit(const CommandApdu& plain);

    // Every plain command and answer of the session, and their wrapped forms, for --trace.
    using Observer = std::function<void(const CommandApdu& plain, const bytes& wrapped_command,
                                        const bytes& wrapped_response, const ResponseApdu& plain_response)>;
    void set_observer(Observer observer) { observer_ = std::move(observer); }

    const scp::InitUpdateResponse& card_info() const noexcept { return init_update_; }
    uint8_t level() const noexcept;
    scp::Protocol protocol() const noexcept { return init_update_.protocol; }
    // The keys the session was opened with (for PUT KEY's DEK encryption and KCV checks).
    const scp::SecureMessaging& channel() const noexcept { return *channel_; }
    bool is_open() const noexcept { return open_; }

private:
    Card& card_;
    std::unique_ptr<ExclusiveAccess> exclusive_;
    scp::InitUpdateResponse init_update_;
    std::unique_ptr<scp::SecureMessaging> channel_;
    uint8_t channel_number_ = 0;
    bool open_ = false;
    Observer observer_;
};

}  // namespace simkit

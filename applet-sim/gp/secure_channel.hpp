// The card side of a GlobalPlatform secure channel on one logical channel: INITIALIZE UPDATE,
// EXTERNAL AUTHENTICATE, then unwrapping commands and wrapping answers. One reusable component:
// it lives in the session of whichever applet is selected on the channel (the ISD, later the key
// store and the USIM) and uses the security domain's key sets. Any failure ends the session.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "runtime/applet.hpp"
#include "simkit/scp.hpp"

namespace simkit::sim {

class SecureChannelSession {
public:
    // INITIALIZE UPDATE (80 50 KVN 00, host challenge): ends any session, advances and stages the
    // sequence counter (the runtime commits it before the answer leaves), answers the card challenge
    // and cryptogram. `aid` is the security domain's, for the pseudo-random challenge.
    ResponseApdu initialize_update(CommandContext& ctx, const bytes& aid);
    // EXTERNAL AUTHENTICATE (84 82 level 00, host cryptogram + C-MAC). 6982 and the session ends
    // when the cryptogram or MAC is wrong.
    ResponseApdu external_authenticate(CommandContext& ctx);

    // A wrapped command of the authenticated session -> the plain command. Throws SwError(6982)
    // and ends the session on a wrong MAC, bad padding, or a command without secure messaging.
    CommandApdu unwrap(const CommandApdu& wrapped);
    ResponseApdu wrap(const ResponseApdu& plain);

    bool authenticated() const noexcept { return channel_ != nullptr && authenticated_; }
    // The session's level; 0 when not authenticated.
    uint8_t level() const noexcept { return authenticated() ? channel_->level() : 0; }
    // Throws SwError(6982) unless the session is authenticated with every bit of `minimum_level`.
    void require(uint8_t minimum_level) const;
    const scp::SecureMessaging& messaging() const;
    void close() noexcept;

private:
    // Between INITIALIZE UPDATE and EXTERNAL AUTHENTICATE.
    struct Handshake {
        scp::Protocol protocol = scp::Protocol::Scp03;
        uint8_t i = 0;
        std::size_t s = 8;  // host cryptogram and C-MAC length (S8/S16)
        bytes expected_host_cryptogram;
        // The established channel's crypto state at a level (holds the session keys).
        std::function<std::unique_ptr<scp::SecureMessaging>(uint8_t level)> open_channel;
    };

    std::optional<Handshake> handshake_;
    std::unique_ptr<scp::SecureMessaging> channel_;
    bool authenticated_ = false;
};

}  // namespace simkit::sim

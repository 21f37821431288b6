// An applet that speaks GlobalPlatform secure messaging: it answers INITIALIZE UPDATE and EXTERNAL
// AUTHENTICATE with the security domain's key sets, unwraps every command of an authenticated
// session before its INS table sees it and wraps the answer, and takes STORE DATA in DGI form
// (GP 2.3 11.11) for the DGIs it consumes. The ISD is one; the key store and the USIM will be too.
#pragma once

#include "gp/secure_channel.hpp"
#include "runtime/applet.hpp"

namespace simkit::sim {

// The per-channel session of such an applet; subclasses that keep more derive from it.
struct SecureChannelAppletSession : AppletSession {
    SecureChannelSession secure_channel;
    uint8_t next_store_data_block = 0;  // P2 STORE DATA expects next
};

class SecureChannelApplet : public Applet {
public:
    SecureChannelApplet(bytes aid, std::string name);

    std::unique_ptr<AppletSession> new_session() const override;
    // Secure messaging first: INITIALIZE UPDATE / EXTERNAL AUTHENTICATE go to the secure channel;
    // in an authenticated session every command must be wrapped (6982 and the session ends
    // otherwise) and its answer is wrapped; outside one, wrapped commands get 6982.
    ResponseApdu process(CommandContext& ctx) override;

    // The secure channel of the command's channel (the session is always this applet's).
    static SecureChannelSession& secure_channel(CommandContext& ctx);

protected:
    // The security domain whose key sets this applet uses; its AID goes into pseudo-random
    // challenges. Default: the Issuer Security Domain.
    virtual bytes security_domain_aid() const;
    // One DGI of STORE DATA, decrypted if it came encrypted. Throw SwError to refuse it (6A88 for a
    // DGI the applet does not know). Default: every DGI is unknown.
    virtual void store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value);

private:
    ResponseApdu store_data(CommandContext& ctx);
};

}  // namespace simkit::sim

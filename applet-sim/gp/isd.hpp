// The GlobalPlatform Issuer Security Domain: FCI, GET DATA (card recognition data, CPLC, IIN, CIN,
// key information), and over its secure channel (SCP03/SCP02, secure_channel_applet.hpp) GET
// STATUS, PUT KEY, DELETE key and STORE DATA. specs/isd.md documents every command.
#pragma once

#include "gp/secure_channel_applet.hpp"

namespace simkit::sim {

class IssuerSecurityDomain : public SecureChannelApplet {
public:
    static const bytes kDefaultAid;  // A000000151000000

    IssuerSecurityDomain();
    void write_factory_defaults(PersistentState& state) const override;
    void add_missing_records(PersistentState& state) const override;
    ResponseApdu on_select(CommandContext& ctx) override;
    uint8_t life_cycle() const override { return 0x0F; }  // SECURED
    bytes privileges() const override { return bytes{0x9E, 0xFE, 0x80}; }
    std::unique_ptr<AppletSession> new_session() const override;

protected:
    void store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) override;

private:
    ResponseApdu get_data(CommandContext& ctx);
    // isd_registry.cpp
    ResponseApdu get_status(CommandContext& ctx);
    // isd_keys.cpp
    ResponseApdu put_key(CommandContext& ctx);
    ResponseApdu delete_key(CommandContext& ctx);
};

// The ISD's per-channel session: the secure channel and where GET STATUS continues after 6310.
struct IsdSession : SecureChannelAppletSession {
    uint8_t status_p1 = 0;
    std::size_t status_next = 0;  // index of the next entry; 0 = no continuation pending
};

}  // namespace simkit::sim

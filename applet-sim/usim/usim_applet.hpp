// The USIM application (3GPP TS 31.102) as an applet with the AID of ADF.USIM. The runtime makes it
// the channel's applet when ADF.USIM is selected (SELECT by AID, or a file-system SELECT into the
// ADF), so commands the file system does not answer (AUTHENTICATE 88) reach it. The
// files of ADF.USIM belong to the card's file system (uicc/), not to this applet. specs/usim.md.
#pragma once

#include "gp/secure_channel_applet.hpp"

namespace simkit::sim {

class UsimApplet : public SecureChannelApplet {
public:
    UsimApplet();
    // K, OPc, MILENAGE constants and the SQN array (the USIM files belong to uicc::FileSystem).
    void write_factory_defaults(PersistentState& state) const override;
    void add_missing_records(PersistentState& state) const override;
    // On an eUICC with no profile enabled the USIM is absent: SELECT of ADF.USIM answers 6A82.
    ResponseApdu on_select(CommandContext& ctx) override;

protected:
    // Personalization inside an SCP03 session (usim/personalization.cpp): K, OPc, constants, SQN
    // configuration, transparent EF contents.
    void store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) override;
};

}  // namespace simkit::sim

// The GlobalPlatform Issuer Security Domain: answers SELECT with its FCI and GET DATA for card
// data (card recognition data, CPLC, IIN/CIN, key information). Its secure channel (SCP03/SCP02)
// arrives as its own files under gp/.
#pragma once

#include "runtime/applet.hpp"

namespace simkit::sim {

class IssuerSecurityDomain : public Applet {
public:
    static const bytes kDefaultAid;  // A000000151000000

    IssuerSecurityDomain();
    void write_factory_defaults(PersistentState& state) const override;
    ResponseApdu on_select(CommandContext& ctx) override;

private:
    ResponseApdu get_data(CommandContext& ctx);
};

}  // namespace simkit::sim

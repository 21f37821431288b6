// The USIM applet (see usim_applet.hpp): AUTHENTICATE (usim/authenticate.cpp) and the records it
// needs: K, OPc, MILENAGE constants (usim/usim_keys.hpp) and the SQN array (usim/sqn_array.hpp).
#include "usim/usim_applet.hpp"

#include "euicc/profile_store.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "uicc/file_tree.hpp"
#include "usim/authenticate.hpp"
#include "usim/sqn_array.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim {

UsimApplet::UsimApplet() : SecureChannelApplet(uicc::kUsimAid, "USIM") {
    on_ins(0x88, ClaAccept::Interindustry, [](CommandContext& ctx) {
        // Selected before its profile was disabled: the USIM is gone (specs/euicc.md "Card side").
        if (!euicc::usim_present(ctx.state)) throw SwError(sw::kFileNotFound, "no profile enabled");
        return usim::authenticate(ctx);
    });
}

void UsimApplet::write_factory_defaults(PersistentState& state) const {
    usim::write_default_keys(state);
    usim::SqnArray::write_defaults(state);
}

ResponseApdu UsimApplet::on_select(CommandContext& ctx) {
    if (!euicc::usim_present(ctx.state)) throw SwError(sw::kFileNotFound, "no profile enabled");
    return SecureChannelApplet::on_select(ctx);
}

void UsimApplet::add_missing_records(PersistentState& state) const {
    usim::add_missing_keys(state);
    if (state.get(usim::kSqnConfigRecord) == nullptr || state.get(usim::kSqnArrayRecord) == nullptr) {
        usim::SqnArray::write_defaults(state);
    }
}

}  // namespace simkit::sim

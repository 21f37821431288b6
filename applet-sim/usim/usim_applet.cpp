// The USIM applet (see usim_applet.hpp): AUTHENTICATE (usim/authenticate.cpp) and the records it
// needs: K, OPc, MILENAGE constants (usim/usim_keys.hpp) and the SQN array (usim/sqn_array.hpp).
#include "usim/usim_applet.hpp"

#include "uicc/file_tree.hpp"
#include "usim/authenticate.hpp"
#include "usim/sqn_array.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim {

UsimApplet::UsimApplet() : SecureChannelApplet(uicc::kUsimAid, "USIM") {
    on_ins(0x88, ClaAccept::Interindustry, [](CommandContext& ctx) { return usim::authenticate(ctx); });
}

void UsimApplet::write_factory_defaults(PersistentState& state) const {
    usim::write_default_keys(state);
    usim::SqnArray::write_defaults(state);
}

void UsimApplet::add_missing_records(PersistentState& state) const {
    usim::add_missing_keys(state);
    if (state.get(usim::kSqnConfigRecord) == nullptr || state.get(usim::kSqnArrayRecord) == nullptr) {
        usim::SqnArray::write_defaults(state);
    }
}

}  // namespace simkit::sim

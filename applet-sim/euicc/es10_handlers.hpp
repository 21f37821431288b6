// The ISD-R's ES10 handlers, one per request tag: each takes the DER request (already known to be
// one TLV with its tag) and returns the DER answer. Decoding errors throw FormatError (the ISD-R
// answers 6A80); SGP.22 outcomes are result codes inside the answer. specs/euicc.md "Card side".
#pragma once

#include <cstdint>

#include "euicc/isdr_applet.hpp"
#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::euicc {

struct Es10Call {
    PersistentState& state;
    IsdrSession& session;
    const bytes& request;
};

using Es10Handler = bytes (*)(Es10Call&);

// For the empty requests (BFxx {}): FormatError unless `request` has outer tag `tag`; content, if
// any, is ignored as DER extensibility allows.
void expect_tag(const bytes& request, uint32_t tag);

// The handler for an outer tag, or nullptr for a tag the ISD-R does not take.
Es10Handler es10_handler(uint32_t tag);
// True for requests whose answer is one result INTEGER (BFxx { 80 code }).
bool answers_result_code(uint32_t tag);

// ES10c (es10c_handlers.cpp).
bytes get_eid(Es10Call& call);
bytes profile_info_list(Es10Call& call);
bytes enable_profile(Es10Call& call);
bytes disable_profile(Es10Call& call);
bytes delete_profile(Es10Call& call);
bytes set_nickname(Es10Call& call);
bytes euicc_memory_reset(Es10Call& call);
// ES10a and ES10b: addresses, challenge, RAT (es10ab_handlers.cpp).
bytes get_configured_addresses(Es10Call& call);
bytes set_default_dp_address(Es10Call& call);
bytes get_euicc_challenge(Es10Call& call);
bytes get_rat(Es10Call& call);
// ES10b: identity and notifications (es10b_handlers.cpp).
bytes get_euicc_info1(Es10Call& call);
bytes get_euicc_info2(Es10Call& call);
bytes list_notification(Es10Call& call);
bytes retrieve_notifications_list(Es10Call& call);
bytes notification_sent(Es10Call& call);

}  // namespace simkit::sim::euicc

// simkit_aka: AUTHENTICATE in the 3G context on the card's USIM (simkit::UsimClient).
#include <cstring>

#include "capi_state.hpp"
#include "simkit/usim_client.hpp"

namespace {

template <typename Bytes>
void put(uint8_t* field, std::size_t capacity, const Bytes& value, size_t* length) {
    if (value.size() > capacity) throw simkit::capi::Failure{SIMKIT_E_INTERNAL, "AUTHENTICATE answer field too long"};
    if (!value.empty()) std::memcpy(field, value.data(), value.size());
    if (length != nullptr) *length = value.size();
}

}  // namespace

extern "C" int simkit_aka(simkit_card* card, const uint8_t* rand, const uint8_t* autn, simkit_aka_answer* answer) {
    return simkit::capi::guarded_on_card(card, [&](simkit::capi::CardState&, simkit::Card& c) {
        simkit::capi::require(rand, "rand");
        simkit::capi::require(autn, "autn");
        simkit::capi::require(answer, "answer");
        std::memset(answer, 0, sizeof *answer);
        simkit::UsimClient usim(c);
        const simkit::AkaAnswer result = usim.authenticate(simkit::bytes(rand, rand + SIMKIT_MILENAGE_RAND_LEN),
                                                           simkit::bytes(autn, autn + SIMKIT_AKA_AUTN_LEN));
        switch (result.result) {
            case simkit::AkaAnswer::Result::Ok:
                answer->result = SIMKIT_AKA_OK;
                put(answer->res, sizeof answer->res, result.res, &answer->res_len);
                put(answer->ck, sizeof answer->ck, result.ck, nullptr);
                put(answer->ik, sizeof answer->ik, result.ik, nullptr);
                put(answer->kc, sizeof answer->kc, result.kc, &answer->kc_len);
                break;
            case simkit::AkaAnswer::Result::SyncFailure:
                answer->result = SIMKIT_AKA_SYNC_FAILURE;
                put(answer->auts, sizeof answer->auts, result.auts, nullptr);
                break;
            case simkit::AkaAnswer::Result::MacFailure:
                answer->result = SIMKIT_AKA_MAC_FAILURE;
                break;
        }
        return SIMKIT_OK;
    });
}

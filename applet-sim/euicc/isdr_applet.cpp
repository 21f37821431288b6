// The ISD-R applet (see isdr_applet.hpp): STORE DATA chaining and dispatch on the ES10 tag.
#include "euicc/isdr_applet.hpp"

#include "euicc/es10_handlers.hpp"
#include "euicc/profile_store.hpp"
#include "euicc/test_pki.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
constexpr uint8_t kInsStoreData = 0xE2;
constexpr uint8_t kP1MoreBlocks = 0x11;
constexpr uint8_t kP1LastBlock = 0x91;

// Runs a joined request. Result-code requests answer undefinedError for any failure that is not
// the request's own fault, so an LPA never sees a bare 6F00.
ResponseApdu run_request(PersistentState& state, IsdrSession& session, const bytes& request) {
    uint32_t tag = 0;
    try {
        tag = es10::message_tag(request);
        if (parse_tlvs(request).size() != 1) throw FormatError("data after the ES10 request");
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData, "not one DER TLV");
    }
    const euicc::Es10Handler handler = euicc::es10_handler(tag);
    if (handler == nullptr) throw SwError(sw::kWrongData, "not an ES10 request the ISD-R takes");
    euicc::Es10Call call{state, session, request};
    try {
        return ResponseApdu::ok(handler(call));
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData, "malformed ES10 request");
    } catch (const SwError&) {
        throw;
    } catch (const std::exception&) {
        state.rollback();
        if (euicc::answers_result_code(tag)) {
            return ResponseApdu::ok(es10::ResultResponse{tag, es10::result::kUndefinedError}.encode());
        }
        if (tag == es10::kTagProfileInfoList) {
            es10::ProfileInfoListResponse r;
            r.error = es10::ProfileInfoListResponse::kUndefinedError;
            return ResponseApdu::ok(r.encode());
        }
        if (tag == es10::kTagListNotification) {
            es10::ListNotificationResponse r;
            r.error = es10::result::kUndefinedError;
            return ResponseApdu::ok(r.encode());
        }
        if (tag == es10::kTagRetrieveNotificationsList) {
            es10::RetrieveNotificationsResponse r;
            r.error = es10::result::kUndefinedError;
            return ResponseApdu::ok(r.encode());
        }
        throw;
    }
}
}  // namespace

IsdrApplet::IsdrApplet() : Applet(euicc::kIsdrAid, "ISD-R") {
    on_ins(kInsStoreData, ClaAccept::Proprietary, [this](CommandContext& ctx) { return store_data(ctx); });
}

std::unique_ptr<AppletSession> IsdrApplet::new_session() const { return std::make_unique<IsdrSession>(); }

void IsdrApplet::write_factory_defaults(PersistentState& state) const { add_missing_records(state); }

void IsdrApplet::add_missing_records(PersistentState& state) const {
    euicc::add_missing_euicc_records(state);
    euicc::add_missing_pki(state);
}

ResponseApdu IsdrApplet::store_data(CommandContext& ctx) {
    auto* session = dynamic_cast<IsdrSession*>(ctx.session);
    if (session == nullptr) throw SwError(sw::kConditionsNotSatisfied);
    const uint8_t p1 = ctx.apdu.p1();
    const uint8_t p2 = ctx.apdu.p2();
    const auto drop_chain = [session] {
        session->chain.clear();
        session->next_block = 0;
    };
    // Block 00 always begins a new request (GlobalPlatform numbers a chain's first block 00, and
    // LPAs start every request there): a chain whose last block never came is abandoned.
    if (p2 == 0) drop_chain();
    if ((p1 != kP1MoreBlocks && p1 != kP1LastBlock) || p2 != session->next_block) {
        drop_chain();
        throw SwError(sw::kIncorrectP1P2, "STORE DATA block out of order");
    }
    if (session->chain.size() + ctx.apdu.data().size() > kMaxRequest) {
        drop_chain();
        throw SwError(sw::kNotEnoughMemory, "ES10 request too long");
    }
    session->chain.insert(session->chain.end(), ctx.apdu.data().begin(), ctx.apdu.data().end());
    if (p1 == kP1MoreBlocks) {
        if (session->next_block == 0xFF) {  // P2 cannot number a 257th block
            drop_chain();
            throw SwError(sw::kNotEnoughMemory, "ES10 request too long");
        }
        ++session->next_block;
        return ResponseApdu::ok();
    }
    const bytes request = std::move(session->chain);
    drop_chain();
    return run_request(ctx.state, *session, request);
}

}  // namespace simkit::sim

// ES10b handlers of the ISD-R about the eUICC's identity and notifications: GetEUICCInfo1/2
// (SGP.22 5.7.8, 5.7.12), ListNotification (5.7.9), RetrieveNotificationsList (5.7.10) and
// NotificationSent / RemoveNotificationFromList (5.7.11).
#include "euicc/es10_handlers.hpp"
#include "euicc/notifications.hpp"
#include "euicc/profile_store.hpp"
#include "euicc/test_pki.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

namespace simkit::sim::euicc {

namespace {
const bytes kSvn = from_hex("020200");  // SGP.22 v2.2.0

bytes ci_pkid(const PersistentState& state) {
    const secure_bytes* pkid = state.get(kCiPkidRecord);
    if (pkid == nullptr) throw StateError("euicc/pki/ci_pkid missing");
    return to_bytes(*pkid);
}
}  // namespace

bytes get_euicc_info1(Es10Call& call) {
    expect_tag(call.request, es10::kTagGetEuiccInfo1);
    es10::EuiccInfo1 info;
    info.svn = kSvn;
    info.ci_pkids_verification = {ci_pkid(call.state)};
    info.ci_pkids_signing = info.ci_pkids_verification;
    return info.encode();
}

bytes get_euicc_info2(Es10Call& call) {
    expect_tag(call.request, es10::kTagGetEuiccInfo2);
    es10::EuiccInfo2 info;
    info.profile_version = from_hex("020300");    // SIMalliance interoperable profile 2.3
    info.svn = kSvn;
    info.firmware_version = from_hex("010000");
    const std::size_t profiles = load_profiles(call.state).size();
    // TS 102 226 8.2.1.7.2: installed applications, free non-volatile memory, free volatile memory.
    info.ext_card_resource = from_hex("8101");
    info.ext_card_resource.push_back(static_cast<uint8_t>(profiles));
    const bytes memory = from_hex("8203010000" "83020800");
    info.ext_card_resource.insert(info.ext_card_resource.end(), memory.begin(), memory.end());
    info.uicc_capability = from_hex("0348");      // usimSupport(1), akaMilenage(4)
    info.ts102241_version = from_hex("090200");
    info.globalplatform_version = from_hex("020300");
    info.rsp_capability = from_hex("0490");       // additionalProfile(0), testProfileSupport(3)
    info.ci_pkids_verification = {ci_pkid(call.state)};
    info.ci_pkids_signing = info.ci_pkids_verification;
    info.pp_version = from_hex("000100");
    info.sas_accreditation_number = "SIMKIT-TEST-ONLY";
    return info.encode();
}

bytes list_notification(Es10Call& call) {
    const auto request = es10::ListNotificationRequest::decode(call.request);
    es10::ListNotificationResponse response;
    response.notifications = list_notifications(call.state, request.filter);
    return response.encode();
}

bytes retrieve_notifications_list(Es10Call& call) {
    const auto request = es10::RetrieveNotificationsRequest::decode(call.request);
    es10::RetrieveNotificationsResponse response;
    for (const auto& m : list_notifications(call.state, request.event)) {
        if (request.seq_number && m.seq_number != *request.seq_number) continue;
        response.notifications.push_back(sign_notification(call.state, m));
    }
    if (response.notifications.empty() && (request.seq_number || request.event)) response.error = 1;  // noResultAvailable
    return response.encode();
}

bytes notification_sent(Es10Call& call) {
    const auto request = es10::NotificationSentRequest::decode(call.request);
    const bool removed = remove_notification(call.state, request.seq_number);
    return es10::ResultResponse{es10::kTagNotificationSent, removed ? es10::result::kOk : es10::result::kNothingToDelete}.encode();
}

}  // namespace simkit::sim::euicc

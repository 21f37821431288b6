// The ISD-R's table from ES10 request tag to handler (see es10_handlers.hpp).
#include <array>
#include <utility>

#include "euicc/es10_handlers.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

namespace simkit::sim::euicc {

namespace {
struct Entry {
    uint32_t tag;
    Es10Handler handler;
    bool result_code;
};

constexpr std::array<Entry, 16> kTable{{
    {es10::kTagGetEuiccData, get_eid, false},
    {es10::kTagProfileInfoList, profile_info_list, false},
    {es10::kTagEnableProfile, enable_profile, true},
    {es10::kTagDisableProfile, disable_profile, true},
    {es10::kTagDeleteProfile, delete_profile, true},
    {es10::kTagSetNickname, set_nickname, true},
    {es10::kTagEuiccMemoryReset, euicc_memory_reset, true},
    {es10::kTagGetEuiccConfiguredAddresses, get_configured_addresses, false},
    {es10::kTagSetDefaultDpAddress, set_default_dp_address, true},
    {es10::kTagGetEuiccChallenge, get_euicc_challenge, false},
    {es10::kTagGetRat, get_rat, false},
    {es10::kTagGetEuiccInfo1, get_euicc_info1, false},
    {es10::kTagGetEuiccInfo2, get_euicc_info2, false},
    {es10::kTagListNotification, list_notification, false},
    {es10::kTagRetrieveNotificationsList, retrieve_notifications_list, false},
    {es10::kTagNotificationSent, notification_sent, true},
}};
}  // namespace

void expect_tag(const bytes& request, uint32_t tag) {
    if (es10::message_tag(request) != tag) throw FormatError("unexpected ES10 tag");
}

Es10Handler es10_handler(uint32_t tag) {
    for (const Entry& e : kTable) {
        if (e.tag == tag) return e.handler;
    }
    return nullptr;
}

bool answers_result_code(uint32_t tag) {
    for (const Entry& e : kTable) {
        if (e.tag == tag) return e.result_code;
    }
    return false;
}

}  // namespace simkit::sim::euicc

// ES10c handlers of the ISD-R (SGP.22 5.7.14-5.7.21): GetEID, ProfileInfoList, Enable/Disable/
// Delete profile, SetNickname, eUICCMemoryReset. Policy rules and Test Profiles (SGP.21 TPRO8, TPRO10):
// specs/euicc.md "Policy rules". Result codes as SGP.22 lists them; every state
// change is staged and committed by the card with the command (one atomic write).
#include <algorithm>

#include "euicc/es10_handlers.hpp"
#include "euicc/notifications.hpp"
#include "euicc/profile_store.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

namespace simkit::sim::euicc {

namespace {
namespace r = es10::result;

bytes result(uint32_t tag, uint8_t code) { return es10::ResultResponse{tag, code}.encode(); }

// The tags of a tagList (5C): 1-byte tags, and multi-byte ones such as 9F70.
std::vector<uint32_t> tags_of(const bytes& list) {
    std::vector<uint32_t> tags;
    for (std::size_t i = 0; i < list.size();) {
        uint32_t tag = list[i++];
        if ((tag & 0x1F) == 0x1F) {
            while (i < list.size()) {
                const uint8_t b = list[i++];
                tag = (tag << 8) | b;
                if ((b & 0x80) == 0) break;
            }
        }
        tags.push_back(tag);
    }
    return tags;
}

// Only the fields whose tags the LPA asked for.
es10::ProfileInfo filtered(const es10::ProfileInfo& all, const std::vector<uint32_t>& tags) {
    const auto wants = [&](uint32_t t) { return std::find(tags.begin(), tags.end(), t) != tags.end(); };
    es10::ProfileInfo out;
    if (wants(0x5A)) out.iccid = all.iccid;
    if (wants(0x4F)) out.isdp_aid = all.isdp_aid;
    if (wants(0x9F70)) out.state = all.state;
    if (wants(0x90)) out.nickname = all.nickname;
    if (wants(0x91)) out.service_provider_name = all.service_provider_name;
    if (wants(0x92)) out.profile_name = all.profile_name;
    if (wants(0x93)) out.icon_type = all.icon_type;
    if (wants(0x94)) out.icon = all.icon;
    if (wants(0x95)) out.profile_class = all.profile_class;
    if (wants(0x99)) out.policy_rules = all.policy_rules;
    return out;
}

bool matches(const StoredProfile& p, const es10::ProfileInfoListRequest::SearchCriteria& search) {
    if (search.profile) {
        const auto& id = *search.profile;
        return id.kind == es10::ProfileIdentifier::Kind::IsdpAid ? p.isdp_aid() == id.value
                                                                 : es10::iccid_matches(p.iccid, id.value);
    }
    if (search.profile_class) return p.profile_class == *search.profile_class;
    return true;
}
}  // namespace

bytes get_eid(Es10Call& call) {
    es10::GetEidRequest::decode(call.request);
    const secure_bytes* eid = call.state.get(kEidRecord);
    if (eid == nullptr) throw StateError("euicc/eid missing");
    return es10::GetEidResponse{to_bytes(*eid)}.encode();
}

bytes profile_info_list(Es10Call& call) {
    const auto request = es10::ProfileInfoListRequest::decode(call.request);
    es10::ProfileInfoListResponse response;
    const std::vector<uint32_t> tags = request.tag_list ? tags_of(*request.tag_list) : std::vector<uint32_t>{};
    for (const StoredProfile& p : load_profiles(call.state)) {
        if (request.search && !matches(p, *request.search)) continue;
        response.profiles.push_back(request.tag_list ? filtered(p.info(), tags) : p.info());
    }
    return response.encode();
}

bytes enable_profile(Es10Call& call) {
    const auto request = es10::ProfileOperationRequest::decode(call.request);
    if (request.tag != es10::kTagEnableProfile) throw FormatError("not an EnableProfileRequest");
    const auto target = find_profile(call.state, request.profile);
    if (!target) return result(request.tag, r::kIccidOrAidNotFound);
    if (target->state != es10::ProfileState::Disabled) return result(request.tag, r::kProfileNotInDisabledState);
    const auto current = enabled_profile(call.state);
    const bool target_is_test = target->profile_class == es10::ProfileClass::Test;
    const bool current_is_test = current && current->profile_class == es10::ProfileClass::Test;
    // While a Test Profile enabled over a non-test profile is enabled, only that profile, or another
    // Test Profile, may follow it (SGP.21 TPRO10, SGP.22 5.7.16 wrongProfileReenabling).
    const auto before_test = enabled_before_test(call.state);
    if (before_test && current_is_test && !target_is_test && before_test->number != target->number) {
        return result(request.tag, r::kWrongProfileReenabling);
    }
    // PPR1 of the enabled profile refuses the switch, except to a Test Profile (SGP.21 TPRO8).
    if (current && current->has_ppr1() && !target_is_test) return result(request.tag, r::kDisallowedByPolicy);
    if (target_is_test && current && !current_is_test) {
        set_enabled_before_test(call.state, &*current);  // a test period starts over `current`
    } else if (!(target_is_test && current_is_test)) {
        // A non-test profile ends the test period (the remembered profile itself, or none was
        // remembered); a Test Profile from no enabled profile starts one with nothing to return to.
        // Test -> test keeps the remembered profile.
        set_enabled_before_test(call.state, nullptr);
    }
    switch_usim_data(call.state, current ? &*current : nullptr, &*target);
    if (current) add_notification(call.state, es10::NotificationEvent::Disable, current->iccid);
    add_notification(call.state, es10::NotificationEvent::Enable, target->iccid);
    return result(request.tag, r::kOk);
}

bytes disable_profile(Es10Call& call) {
    const auto request = es10::ProfileOperationRequest::decode(call.request);
    if (request.tag != es10::kTagDisableProfile) throw FormatError("not a DisableProfileRequest");
    const auto target = find_profile(call.state, request.profile);
    if (!target) return result(request.tag, r::kIccidOrAidNotFound);
    if (target->state != es10::ProfileState::Enabled) return result(request.tag, r::kProfileNotInEnabledState);
    if (target->has_ppr1()) return result(request.tag, r::kDisallowedByPolicy);
    // Disabling a Test Profile enables the non-test profile enabled before the test period, if any
    // (SGP.21 TPRO10).
    const auto before_test = target->profile_class == es10::ProfileClass::Test ? enabled_before_test(call.state)
                                                                               : std::nullopt;
    switch_usim_data(call.state, &*target, before_test ? &*before_test : nullptr);
    set_enabled_before_test(call.state, nullptr);
    add_notification(call.state, es10::NotificationEvent::Disable, target->iccid);
    if (before_test) add_notification(call.state, es10::NotificationEvent::Enable, before_test->iccid);
    return result(request.tag, r::kOk);
}

bytes delete_profile(Es10Call& call) {
    const auto request = es10::DeleteProfileRequest::decode(call.request);
    const uint32_t tag = es10::kTagDeleteProfile;
    const auto target = find_profile(call.state, request.profile);
    if (!target) return result(tag, r::kIccidOrAidNotFound);
    if (target->state != es10::ProfileState::Disabled) return result(tag, r::kProfileNotInDisabledState);
    if (target->has_ppr2()) return result(tag, r::kDisallowedByPolicy);
    erase_profile(call.state, *target);
    add_notification(call.state, es10::NotificationEvent::Delete, target->iccid);
    return result(tag, r::kOk);
}

bytes set_nickname(Es10Call& call) {
    const auto request = es10::SetNicknameRequest::decode(call.request);
    const uint32_t tag = es10::kTagSetNickname;
    if (request.nickname.size() > 64) throw FormatError("profileNickname longer than 64 bytes");
    auto target = find_profile(call.state, es10::ProfileIdentifier{es10::ProfileIdentifier::Kind::Iccid, request.iccid});
    if (!target) return result(tag, r::kIccidOrAidNotFound);  // iccidNotFound
    target->nickname = request.nickname.empty() ? std::nullopt : std::optional<std::string>(request.nickname);
    save_profile(call.state, *target);
    return result(tag, r::kOk);
}

bytes euicc_memory_reset(Es10Call& call) {
    const auto request = es10::EuiccMemoryResetRequest::decode(call.request);
    const uint32_t tag = es10::kTagEuiccMemoryReset;
    bool changed = false;
    // Policy rules do not protect profiles from a memory reset (SGP.22 5.7.19); provisioning
    // profiles are kept.
    for (const StoredProfile& p : load_profiles(call.state)) {
        const bool operational = p.profile_class == es10::ProfileClass::Operational;
        const bool test = p.profile_class == es10::ProfileClass::Test;
        if ((operational && request.delete_operational_profiles) || (test && request.delete_field_loaded_test_profiles)) {
            erase_profile(call.state, p);
            changed = true;
        }
    }
    if (request.reset_default_smdp_address && call.state.get(kDefaultDpAddressRecord) != nullptr) {
        call.state.erase(kDefaultDpAddressRecord);
        changed = true;
    }
    return result(tag, changed ? r::kOk : r::kNothingToDelete);
}

}  // namespace simkit::sim::euicc

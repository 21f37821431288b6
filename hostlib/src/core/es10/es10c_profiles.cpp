// ES10c profile messages: ProfileInfo, GetEID, ProfileInfoList, Enable/Disable/Delete, SetNickname,
// eUICCMemoryReset (SGP.22 5.7.14-5.7.20).
#include "simkit/es10.hpp"

#include "es10_der.hpp"
#include "simkit/errors.hpp"

namespace simkit::es10 {

namespace {
void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

template <typename Enum>
Enum read_enum(const Tlv& tlv, uint64_t max, const char* message, const char* field) {
    return static_cast<Enum>(der::read_integer(tlv, max, message, field));
}
}  // namespace

// --- ProfileInfo (E3) ----------------------------------------------------------------------------

Tlv ProfileInfo::to_tlv() const {
    bytes v;
    if (iccid) append(v, encode_tlv(0x5A, *iccid));
    if (isdp_aid) append(v, encode_tlv(0x4F, *isdp_aid));
    if (state) append(v, encode_tlv(0x9F70, der::integer(static_cast<uint8_t>(*state))));
    if (nickname) append(v, encode_tlv(0x90, der::text(*nickname)));
    if (service_provider_name) append(v, encode_tlv(0x91, der::text(*service_provider_name)));
    if (profile_name) append(v, encode_tlv(0x92, der::text(*profile_name)));
    if (icon_type) append(v, encode_tlv(0x93, der::integer(static_cast<uint8_t>(*icon_type))));
    if (icon) append(v, encode_tlv(0x94, *icon));
    // profileClass is DEFAULT operational: DER leaves the default value out.
    if (profile_class && *profile_class != ProfileClass::Operational) {
        append(v, encode_tlv(0x95, der::integer(static_cast<uint8_t>(*profile_class))));
    }
    if (policy_rules) append(v, encode_tlv(0x99, *policy_rules));
    return Tlv{0xE3, v};
}

ProfileInfo ProfileInfo::from_tlv(const Tlv& e3) {
    constexpr const char* kName = "ProfileInfo";
    if (e3.tag != 0xE3) throw FormatError(std::string(kName) + ": tag " + der::tag_name(e3.tag) + ", expected E3");
    ProfileInfo p;
    for (const Tlv& f : der::children_of(e3, kName, "content")) {
        switch (f.tag) {
            case 0x5A: p.iccid = f.value; break;
            case 0x4F: p.isdp_aid = f.value; break;
            case 0x9F70: p.state = read_enum<ProfileState>(f, 1, kName, "profileState"); break;
            case 0x90: p.nickname = der::read_text(f); break;
            case 0x91: p.service_provider_name = der::read_text(f); break;
            case 0x92: p.profile_name = der::read_text(f); break;
            case 0x93: p.icon_type = read_enum<IconType>(f, 1, kName, "iconType"); break;
            case 0x94: p.icon = f.value; break;
            case 0x95: p.profile_class = read_enum<ProfileClass>(f, 2, kName, "profileClass"); break;
            case 0x99:
                der::check_bit_string(f.value, kName, "profilePolicyRules");
                p.policy_rules = f.value;
                break;
            default: break;  // notificationConfigurationInfo, profileOwner, dpProprietaryData, later fields
        }
    }
    return p;
}

// --- GetEID --------------------------------------------------------------------------------------

bytes GetEidRequest::encode() const { return encode_tlv(kTagGetEuiccData, encode_tlv(0x5C, tag_list)); }

GetEidRequest GetEidRequest::decode(const bytes& der) {
    constexpr const char* kName = "GetEuiccDataRequest";
    const auto fields = der::children_of(der::open_message(der, kTagGetEuiccData, kName), kName, "content");
    return GetEidRequest{der::require(fields, 0x5C, kName, "tagList").value};
}

bytes GetEidResponse::encode() const { return encode_tlv(kTagGetEuiccData, encode_tlv(0x5A, eid)); }

GetEidResponse GetEidResponse::decode(const bytes& der) {
    constexpr const char* kName = "GetEuiccDataResponse";
    const auto fields = der::children_of(der::open_message(der, kTagGetEuiccData, kName), kName, "content");
    const Tlv& eid = der::require(fields, 0x5A, kName, "eidValue");
    if (eid.value.size() != 16) {
        throw FormatError(std::string(kName) + ": eidValue of " + std::to_string(eid.value.size()) + " bytes, expected 16");
    }
    return GetEidResponse{eid.value};
}

// --- ProfileInfoList -----------------------------------------------------------------------------

bytes ProfileInfoListRequest::encode() const {
    bytes v;
    if (search) {
        if (search->profile.has_value() == search->profile_class.has_value()) {
            throw ArgumentError("ProfileInfoListRequest: search names exactly one of a profile or a profile class");
        }
        const bytes criterion = search->profile
                                    ? der::encode_profile_identifier(*search->profile)
                                    : encode_tlv(0x95, der::integer(static_cast<uint8_t>(*search->profile_class)));
        append(v, encode_tlv(0xA0, criterion));
    }
    if (tag_list) append(v, encode_tlv(0x5C, *tag_list));
    return encode_tlv(kTagProfileInfoList, v);
}

ProfileInfoListRequest ProfileInfoListRequest::decode(const bytes& der) {
    constexpr const char* kName = "ProfileInfoListRequest";
    const auto fields = der::children_of(der::open_message(der, kTagProfileInfoList, kName), kName, "content");
    ProfileInfoListRequest r;
    if (const Tlv* a0 = der::find(fields, 0xA0)) {
        const auto criteria = der::children_of(*a0, kName, "searchCriteria");
        if (criteria.size() != 1) throw FormatError(std::string(kName) + ": searchCriteria holds " + std::to_string(criteria.size()) + " fields, expected 1");
        SearchCriteria s;
        if (criteria[0].tag == 0x95) {
            s.profile_class = read_enum<ProfileClass>(criteria[0], 2, kName, "searchCriteria profileClass");
        } else {
            s.profile = der::read_profile_identifier(criteria[0], kName);
        }
        r.search = s;
    }
    if (const Tlv* tags = der::find(fields, 0x5C)) r.tag_list = tags->value;
    return r;
}

bytes ProfileInfoListResponse::encode() const {
    if (error) return encode_tlv(kTagProfileInfoList, encode_tlv(0x81, der::integer(*error)));
    bytes list;
    for (const auto& p : profiles) append(list, p.to_tlv().encode());
    return encode_tlv(kTagProfileInfoList, encode_tlv(0xA0, list));
}

ProfileInfoListResponse ProfileInfoListResponse::decode(const bytes& der) {
    constexpr const char* kName = "ProfileInfoListResponse";
    const auto fields = der::children_of(der::open_message(der, kTagProfileInfoList, kName), kName, "content");
    ProfileInfoListResponse r;
    if (const Tlv* ok = der::find(fields, 0xA0)) {
        for (const Tlv& e3 : der::children_of(*ok, kName, "profileInfoListOk")) r.profiles.push_back(ProfileInfo::from_tlv(e3));
    } else if (const Tlv* err = der::find(fields, 0x81)) {
        r.error = static_cast<uint8_t>(der::read_integer(*err, 0xFF, kName, "profileInfoListError"));
    } else {
        throw FormatError(std::string(kName) + ": missing profileInfoListOk (A0) or profileInfoListError (81)");
    }
    return r;
}

// --- Enable / Disable / Delete -------------------------------------------------------------------

bytes ProfileOperationRequest::encode() const {
    if (tag != kTagEnableProfile && tag != kTagDisableProfile) {
        throw ArgumentError("ProfileOperationRequest: tag " + der::tag_name(tag) + " is neither BF31 nor BF32");
    }
    return encode_tlv(tag, {encode_tlv(0xA0, der::encode_profile_identifier(profile)),
                            encode_tlv(0x81, der::boolean(refresh))});
}

ProfileOperationRequest ProfileOperationRequest::decode(const bytes& der) {
    const uint32_t tag = message_tag(der);
    if (tag != kTagEnableProfile && tag != kTagDisableProfile) {
        throw FormatError("Enable/DisableProfileRequest: outer tag " + der::tag_name(tag) + ", expected BF31 or BF32");
    }
    const char* name = tag == kTagDisableProfile ? "DisableProfileRequest" : "EnableProfileRequest";
    const auto fields = der::children_of(der::open_message(der, tag, name), name, "content");
    const auto id = der::children_of(der::require(fields, 0xA0, name, "profileIdentifier"), name, "profileIdentifier");
    if (id.size() != 1) throw FormatError(std::string(name) + ": profileIdentifier holds " + std::to_string(id.size()) + " fields, expected 1");
    ProfileOperationRequest r;
    r.tag = tag;
    r.profile = der::read_profile_identifier(id[0], name);
    r.refresh = der::read_boolean(der::require(fields, 0x81, name, "refreshFlag"), name, "refreshFlag");
    return r;
}

bytes DeleteProfileRequest::encode() const {
    return encode_tlv(kTagDeleteProfile, der::encode_profile_identifier(profile));
}

DeleteProfileRequest DeleteProfileRequest::decode(const bytes& der) {
    constexpr const char* kName = "DeleteProfileRequest";
    const auto fields = der::children_of(der::open_message(der, kTagDeleteProfile, kName), kName, "content");
    if (fields.size() != 1) {
        throw FormatError(std::string(kName) + ": expected one isdpAid (4F) or iccid (5A), found " + std::to_string(fields.size()) + " fields");
    }
    return DeleteProfileRequest{der::read_profile_identifier(fields[0], kName)};
}

// --- SetNickname ---------------------------------------------------------------------------------

bytes SetNicknameRequest::encode() const {
    if (nickname.size() > 64) throw ArgumentError("SetNicknameRequest: nickname of " + std::to_string(nickname.size()) + " bytes, at most 64");
    return encode_tlv(kTagSetNickname, {encode_tlv(0x5A, iccid), encode_tlv(0x90, der::text(nickname))});
}

SetNicknameRequest SetNicknameRequest::decode(const bytes& der) {
    constexpr const char* kName = "SetNicknameRequest";
    const auto fields = der::children_of(der::open_message(der, kTagSetNickname, kName), kName, "content");
    SetNicknameRequest r;
    r.iccid = der::require(fields, 0x5A, kName, "iccid").value;
    r.nickname = der::read_text(der::require(fields, 0x90, kName, "profileNickname"));
    if (r.nickname.size() > 64) throw FormatError(std::string(kName) + ": profileNickname of " + std::to_string(r.nickname.size()) + " bytes, at most 64");
    return r;
}

// --- eUICCMemoryReset ----------------------------------------------------------------------------

bytes EuiccMemoryResetRequest::encode() const {
    uint8_t bits = 0;
    if (delete_operational_profiles) bits |= 0x80;
    if (delete_field_loaded_test_profiles) bits |= 0x40;
    if (reset_default_smdp_address) bits |= 0x20;
    return encode_tlv(kTagEuiccMemoryReset, encode_tlv(0x82, der::named_bits(bits)));
}

EuiccMemoryResetRequest EuiccMemoryResetRequest::decode(const bytes& der) {
    constexpr const char* kName = "EuiccMemoryResetRequest";
    const auto fields = der::children_of(der::open_message(der, kTagEuiccMemoryReset, kName), kName, "content");
    const uint8_t bits = der::read_named_bits(der::require(fields, 0x82, kName, "resetOptions"), kName, "resetOptions");
    EuiccMemoryResetRequest r;
    r.delete_operational_profiles = (bits & 0x80) != 0;
    r.delete_field_loaded_test_profiles = (bits & 0x40) != 0;
    r.reset_default_smdp_address = (bits & 0x20) != 0;
    return r;
}

}  // namespace simkit::es10

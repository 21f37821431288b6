// ES10b eUICC information: GetEuiccChallenge, EUICCInfo1, EUICCInfo2, GetRAT (SGP.22 5.7.7-5.7.9,
// 5.7.10).
#include "simkit/es10.hpp"

#include "es10_der.hpp"
#include "simkit/errors.hpp"

namespace simkit::es10 {

namespace {
void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// SEQUENCE OF SubjectKeyIdentifier (04 each) under `tag`.
bytes key_id_list(uint32_t tag, const std::vector<bytes>& ids) {
    bytes v;
    for (const auto& id : ids) append(v, encode_tlv(0x04, id));
    return encode_tlv(tag, v);
}

std::vector<bytes> read_key_id_list(const Tlv& list, const char* message, const char* field) {
    std::vector<bytes> out;
    for (const Tlv& id : der::children_of(list, message, field)) {
        if (id.tag != 0x04) {
            throw FormatError(std::string(message) + ": " + field + " holds tag " + der::tag_name(id.tag) +
                              ", expected 04 (SubjectKeyIdentifier)");
        }
        out.push_back(id.value);
    }
    return out;
}

const bytes& bit_string(const Tlv& tlv, const char* message, const char* field) {
    der::check_bit_string(tlv.value, message, field);
    return tlv.value;
}
}  // namespace

// --- GetEuiccChallenge ---------------------------------------------------------------------------

bytes EuiccChallengeResponse::encode() const {
    return encode_tlv(kTagGetEuiccChallenge, encode_tlv(0x80, challenge));
}

EuiccChallengeResponse EuiccChallengeResponse::decode(const bytes& der) {
    constexpr const char* kName = "GetEuiccChallengeResponse";
    const auto fields = der::children_of(der::open_message(der, kTagGetEuiccChallenge, kName), kName, "content");
    const Tlv& c = der::require(fields, 0x80, kName, "euiccChallenge");
    if (c.value.size() != 16) {
        throw FormatError(std::string(kName) + ": euiccChallenge of " + std::to_string(c.value.size()) + " bytes, expected 16");
    }
    return EuiccChallengeResponse{c.value};
}

// --- EUICCInfo1 ----------------------------------------------------------------------------------

bytes EuiccInfo1::encode() const {
    return encode_tlv(kTagGetEuiccInfo1, {encode_tlv(0x82, svn), key_id_list(0xA9, ci_pkids_verification),
                                          key_id_list(0xAA, ci_pkids_signing)});
}

EuiccInfo1 EuiccInfo1::decode(const bytes& der) {
    constexpr const char* kName = "EUICCInfo1";
    const auto fields = der::children_of(der::open_message(der, kTagGetEuiccInfo1, kName), kName, "content");
    EuiccInfo1 info;
    info.svn = der::require(fields, 0x82, kName, "svn").value;
    info.ci_pkids_verification = read_key_id_list(der::require(fields, 0xA9, kName, "euiccCiPKIdListForVerification"),
                                                  kName, "euiccCiPKIdListForVerification");
    info.ci_pkids_signing = read_key_id_list(der::require(fields, 0xAA, kName, "euiccCiPKIdListForSigning"), kName,
                                             "euiccCiPKIdListForSigning");
    return info;
}

// --- EUICCInfo2 ----------------------------------------------------------------------------------

bytes EuiccInfo2::encode() const {
    bytes v;
    append(v, encode_tlv(0x81, profile_version));
    append(v, encode_tlv(0x82, svn));
    append(v, encode_tlv(0x83, firmware_version));
    append(v, encode_tlv(0x84, ext_card_resource));
    append(v, encode_tlv(0x85, uicc_capability));
    if (ts102241_version) append(v, encode_tlv(0x86, *ts102241_version));
    if (globalplatform_version) append(v, encode_tlv(0x87, *globalplatform_version));
    append(v, encode_tlv(0x88, rsp_capability));
    append(v, key_id_list(0xA9, ci_pkids_verification));
    append(v, key_id_list(0xAA, ci_pkids_signing));
    if (euicc_category) append(v, encode_tlv(0x8B, der::integer(*euicc_category)));
    if (forbidden_policy_rules) append(v, encode_tlv(0x99, *forbidden_policy_rules));
    append(v, encode_tlv(0x04, pp_version));
    append(v, encode_tlv(0x0C, der::text(sas_accreditation_number)));
    return encode_tlv(kTagGetEuiccInfo2, v);
}

EuiccInfo2 EuiccInfo2::decode(const bytes& der) {
    constexpr const char* kName = "EUICCInfo2";
    const auto f = der::children_of(der::open_message(der, kTagGetEuiccInfo2, kName), kName, "content");
    EuiccInfo2 info;
    info.profile_version = der::require(f, 0x81, kName, "profileVersion").value;
    info.svn = der::require(f, 0x82, kName, "svn").value;
    info.firmware_version = der::require(f, 0x83, kName, "euiccFirmwareVer").value;
    info.ext_card_resource = der::require(f, 0x84, kName, "extCardResource").value;
    info.uicc_capability = bit_string(der::require(f, 0x85, kName, "uiccCapability"), kName, "uiccCapability");
    if (const Tlv* t = der::find(f, 0x86)) info.ts102241_version = t->value;
    if (const Tlv* t = der::find(f, 0x87)) info.globalplatform_version = t->value;
    info.rsp_capability = bit_string(der::require(f, 0x88, kName, "rspCapability"), kName, "rspCapability");
    info.ci_pkids_verification = read_key_id_list(der::require(f, 0xA9, kName, "euiccCiPKIdListForVerification"), kName,
                                                  "euiccCiPKIdListForVerification");
    info.ci_pkids_signing =
        read_key_id_list(der::require(f, 0xAA, kName, "euiccCiPKIdListForSigning"), kName, "euiccCiPKIdListForSigning");
    if (const Tlv* t = der::find(f, 0x8B)) {
        info.euicc_category = static_cast<uint8_t>(der::read_integer(*t, 0xFF, kName, "euiccCategory"));
    }
    if (const Tlv* t = der::find(f, 0x99)) info.forbidden_policy_rules = bit_string(*t, kName, "forbiddenProfilePolicyRules");
    info.pp_version = der::require(f, 0x04, kName, "ppVersion").value;
    info.sas_accreditation_number = der::read_text(der::require(f, 0x0C, kName, "sasAcreditationNumber"));
    return info;
}

// --- GetRAT --------------------------------------------------------------------------------------

bytes RatResponse::encode() const {
    bytes list;
    for (const auto& rule : rules) append(list, rule.encode());
    return encode_tlv(kTagGetRat, encode_tlv(0xA0, list));
}

RatResponse RatResponse::decode(const bytes& der) {
    constexpr const char* kName = "GetRatResponse";
    const auto fields = der::children_of(der::open_message(der, kTagGetRat, kName), kName, "content");
    RatResponse r;
    for (const Tlv& rule : der::children_of(der::require(fields, 0xA0, kName, "rat"), kName, "rat")) {
        if (rule.tag != 0x30) {
            throw FormatError(std::string(kName) + ": rat holds tag " + der::tag_name(rule.tag) +
                              ", expected 30 (ProfilePolicyAuthorisationRule)");
        }
        der::children_of(rule, kName, "ProfilePolicyAuthorisationRule");  // well-formed
        r.rules.push_back(rule);
    }
    return r;
}

}  // namespace simkit::es10

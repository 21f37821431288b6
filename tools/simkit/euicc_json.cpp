// lpac-shaped JSON of ES10 values (see euicc_json.hpp). Bit names are SGP.22's ASN.1 (RSPDefinitions:
// UICCCapability, RspCapability, PprIds); an unnamed set bit shows as "bitN".
#include "simkit/euicc_json.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "simkit/answer_output.hpp"
#include "simkit/errors.hpp"
#include "simkit/tlv.hpp"

namespace simkit::cli {

namespace {

const std::vector<const char*> kUiccCapabilityBits{
    "contactlessSupport", "usimSupport",  "isimSupport",   "csimSupport",       "akaMilenage",
    "akaCave",            "akaTuak128",   "akaTuak256",    "rfu1",              "rfu2",
    "gbaAuthenUsim",      "gbaAuthenISim", "mbmsAuthenUsim", "eapClient",       "javacard",
    "multos",             "multipleUsimSupport", "multipleIsimSupport", "multipleCsimSupport"};
const std::vector<const char*> kRspCapabilityBits{"additionalProfile", "crlSupport", "rpmSupport", "testProfileSupport"};
const std::vector<const char*> kPprBits{"pprUpdateControl", "ppr1", "ppr2"};

// BIT STRING content (unused-bits byte, then the bits from the most significant) as names.
nlohmann::ordered_json bit_names(const bytes& content, const std::vector<const char*>& names) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    if (content.empty()) return out;
    const std::size_t bits = (content.size() - 1) * 8 - std::min<std::size_t>(content[0], 7);
    for (std::size_t bit = 0; bit < bits; ++bit) {
        if (content[1 + bit / 8] & (0x80 >> (bit % 8))) {
            out.push_back(bit < names.size() ? std::string(names[bit]) : "bit" + std::to_string(bit));
        }
    }
    return out;
}

uint64_t unsigned_of(const bytes& value) {
    uint64_t n = 0;
    for (uint8_t b : value) n = (n << 8) | b;
    return n;
}

nlohmann::ordered_json hex_list(const std::vector<bytes>& list) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const bytes& b : list) out.push_back(lower_hex(b));
    return out;
}

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string version_text(const bytes& version) {
    if (version.size() != 3) return lower_hex(version);
    return std::to_string(version[0]) + "." + std::to_string(version[1]) + "." + std::to_string(version[2]);
}

nlohmann::ordered_json profile_json(const es10::ProfileInfo& p) {
    nlohmann::ordered_json out;
    out["iccid"] = p.iccid ? nlohmann::ordered_json(es10::iccid_to_digits(*p.iccid)) : nlohmann::ordered_json(nullptr);
    out["isdpAid"] = p.isdp_aid ? nlohmann::ordered_json(lower_hex(*p.isdp_aid)) : nlohmann::ordered_json(nullptr);
    out["profileState"] = p.state ? nlohmann::ordered_json(es10::to_string(*p.state)) : nlohmann::ordered_json(nullptr);
    out["profileNickname"] = or_null(p.nickname);
    out["serviceProviderName"] = or_null(p.service_provider_name);
    out["profileName"] = or_null(p.profile_name);
    out["iconType"] = p.icon_type ? nlohmann::ordered_json(*p.icon_type == es10::IconType::Png ? "png" : "jpg")
                                  : nlohmann::ordered_json(nullptr);
    out["icon"] = p.icon ? nlohmann::ordered_json(lower_hex(*p.icon)) : nlohmann::ordered_json(nullptr);
    // SGP.22: an absent profileClass means operational.
    out["profileClass"] = es10::to_string(p.profile_class.value_or(es10::ProfileClass::Operational));
    if (p.policy_rules) out["profilePolicyRules"] = bit_names(*p.policy_rules, kPprBits);
    return out;
}

nlohmann::ordered_json euicc_info2_json(const es10::EuiccInfo2& info) {
    nlohmann::ordered_json out;
    out["profileVersion"] = version_text(info.profile_version);
    out["svn"] = version_text(info.svn);
    out["euiccFirmwareVer"] = version_text(info.firmware_version);
    nlohmann::ordered_json resource = nlohmann::ordered_json::object();
    try {
        for (const Tlv& t : parse_tlvs(info.ext_card_resource)) {
            if (t.tag == 0x81) resource["installedApplication"] = unsigned_of(t.value);
            if (t.tag == 0x82) resource["freeNonVolatileMemory"] = unsigned_of(t.value);
            if (t.tag == 0x83) resource["freeVolatileMemory"] = unsigned_of(t.value);
        }
    } catch (const FormatError&) {
        resource["raw"] = lower_hex(info.ext_card_resource);
    }
    out["extCardResource"] = resource;
    out["uiccCapability"] = bit_names(info.uicc_capability, kUiccCapabilityBits);
    out["ts102241Version"] = info.ts102241_version ? nlohmann::ordered_json(version_text(*info.ts102241_version))
                                                   : nlohmann::ordered_json(nullptr);
    out["globalplatformVersion"] = info.globalplatform_version
                                       ? nlohmann::ordered_json(version_text(*info.globalplatform_version))
                                       : nlohmann::ordered_json(nullptr);
    out["rspCapability"] = bit_names(info.rsp_capability, kRspCapabilityBits);
    out["euiccCiPKIdListForVerification"] = hex_list(info.ci_pkids_verification);
    out["euiccCiPKIdListForSigning"] = hex_list(info.ci_pkids_signing);
    if (info.euicc_category) {
        static const char* const kCategories[] = {"other", "basicEuicc", "mediumEuicc", "contactlessEuicc"};
        out["euiccCategory"] = *info.euicc_category < 4 ? nlohmann::ordered_json(kCategories[*info.euicc_category])
                                                        : nlohmann::ordered_json(*info.euicc_category);
    } else {
        out["euiccCategory"] = nullptr;
    }
    out["forbiddenProfilePolicyRules"] = info.forbidden_policy_rules
                                             ? bit_names(*info.forbidden_policy_rules, kPprBits)
                                             : nlohmann::ordered_json(nullptr);
    out["ppVersion"] = version_text(info.pp_version);
    out["sasAcreditationNumber"] = info.sas_accreditation_number;  // SGP.22's ASN.1 spelling
    return out;
}

nlohmann::ordered_json euicc_info1_json(const es10::EuiccInfo1& info) {
    nlohmann::ordered_json out;
    out["svn"] = version_text(info.svn);
    out["euiccCiPKIdListForVerification"] = hex_list(info.ci_pkids_verification);
    out["euiccCiPKIdListForSigning"] = hex_list(info.ci_pkids_signing);
    return out;
}

nlohmann::ordered_json configured_addresses_json(const es10::ConfiguredAddresses& addresses) {
    nlohmann::ordered_json out;
    out["defaultDpAddress"] = or_null(addresses.default_dp_address);
    out["rootDsAddress"] = addresses.root_ds_address;
    return out;
}

nlohmann::ordered_json notification_json(const es10::NotificationMetadata& n) {
    nlohmann::ordered_json out;
    out["seqNumber"] = n.seq_number;
    out["profileManagementOperation"] = es10::to_string(n.event);
    out["notificationAddress"] = n.address;
    out["iccid"] = n.iccid ? nlohmann::ordered_json(es10::iccid_to_digits(*n.iccid)) : nlohmann::ordered_json(nullptr);
    return out;
}

nlohmann::ordered_json rat_json(const es10::RatResponse& rat) {
    static const std::vector<const char*> kPprFlagBits{"consentRequired"};
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const Tlv& rule : rat.rules) {
        nlohmann::ordered_json entry;
        try {
            for (const Tlv& field : rule.children()) {
                if (field.tag == 0x80) entry["pprIds"] = bit_names(field.value, kPprBits);
                if (field.tag == 0x82) entry["pprFlags"] = bit_names(field.value, kPprFlagBits);
                if (field.tag != 0xA1) continue;
                nlohmann::ordered_json operators = nlohmann::ordered_json::array();
                for (const Tlv& op : field.children()) {
                    nlohmann::ordered_json id;
                    for (const Tlv& part : op.children()) {
                        if (part.tag == 0x80) id["plmn"] = lower_hex(part.value);
                        if (part.tag == 0x81) id["gid1"] = lower_hex(part.value);
                        if (part.tag == 0x82) id["gid2"] = lower_hex(part.value);
                    }
                    operators.push_back(id);
                }
                entry["allowedOperators"] = operators;
            }
        } catch (const FormatError&) {
            entry = nlohmann::ordered_json{{"raw", lower_hex(rule.encode())}};
        }
        out.push_back(entry);
    }
    return out;
}

}  // namespace simkit::cli

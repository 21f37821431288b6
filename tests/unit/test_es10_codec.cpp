// ES10 codec (simkit/es10.hpp, hostlib/src/core/es10/): every vector in tests/vectors/es10/*.json,
// built by make_vectors.py with python3-asn1crypto from SGP.22's ASN.1, decodes to its fields and
// its fields encode to its bytes; refused inputs raise FormatError naming what is wrong; ICCID
// helpers, result names and the DER details (INTEGER, BOOLEAN, BIT STRING) in plain sight.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "simkit/errors.hpp"
#include "simkit/es10.hpp"

using namespace simkit;
using namespace simkit::es10;
using json = nlohmann::json;

namespace {

const std::string kDir = std::string(SIMKIT_VECTORS_DIR) + "/es10";

json read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
}

// --- fields <-> JSON (the schema make_vectors.py writes) ------------------------------------------

bytes unhex(const json& j) { return from_hex(j.get<std::string>()); }

template <typename T>
void put(json& j, const char* key, const std::optional<T>& value) {
    if (!value) return;
    if constexpr (std::is_same_v<T, bytes>) {
        j[key] = to_hex(*value);
    } else if constexpr (std::is_enum_v<T>) {
        j[key] = static_cast<int>(*value);
    } else {
        j[key] = *value;
    }
}

template <typename T>
std::optional<T> get(const json& j, const char* key) {
    if (!j.contains(key)) return std::nullopt;
    if constexpr (std::is_same_v<T, bytes>) {
        return unhex(j[key]);
    } else if constexpr (std::is_enum_v<T>) {
        return static_cast<T>(j[key].get<int>());
    } else {
        return j[key].get<T>();
    }
}

json hex_list(const std::vector<bytes>& list) {
    json out = json::array();
    for (const auto& b : list) out.push_back(to_hex(b));
    return out;
}

std::vector<bytes> bytes_list(const json& j) {
    std::vector<bytes> out;
    for (const auto& item : j) out.push_back(unhex(item));
    return out;
}

json id_json(const ProfileIdentifier& id) {
    return json{{"kind", id.kind == ProfileIdentifier::Kind::Iccid ? "iccid" : "isdpAid"}, {"value", to_hex(id.value)}};
}

ProfileIdentifier id_from(const json& j) {
    return ProfileIdentifier{j["kind"] == "iccid" ? ProfileIdentifier::Kind::Iccid : ProfileIdentifier::Kind::IsdpAid,
                             unhex(j["value"])};
}

json info_json(const ProfileInfo& p) {
    json j = json::object();
    put(j, "iccid", p.iccid);
    put(j, "isdp_aid", p.isdp_aid);
    put(j, "state", p.state);
    put(j, "nickname", p.nickname);
    put(j, "service_provider_name", p.service_provider_name);
    put(j, "profile_name", p.profile_name);
    put(j, "icon_type", p.icon_type);
    put(j, "icon", p.icon);
    put(j, "profile_class", p.profile_class);
    put(j, "policy_rules", p.policy_rules);
    return j;
}

ProfileInfo info_from(const json& j) {
    ProfileInfo p;
    p.iccid = get<bytes>(j, "iccid");
    p.isdp_aid = get<bytes>(j, "isdp_aid");
    p.state = get<ProfileState>(j, "state");
    p.nickname = get<std::string>(j, "nickname");
    p.service_provider_name = get<std::string>(j, "service_provider_name");
    p.profile_name = get<std::string>(j, "profile_name");
    p.icon_type = get<IconType>(j, "icon_type");
    p.icon = get<bytes>(j, "icon");
    p.profile_class = get<ProfileClass>(j, "profile_class");
    p.policy_rules = get<bytes>(j, "policy_rules");
    return p;
}

json metadata_json(const NotificationMetadata& m) {
    json j{{"seq_number", m.seq_number}, {"event", static_cast<int>(m.event)}, {"address", m.address}};
    put(j, "iccid", m.iccid);
    return j;
}

NotificationMetadata metadata_from(const json& j) {
    return NotificationMetadata{j["seq_number"].get<uint32_t>(), static_cast<NotificationEvent>(j["event"].get<int>()),
                                j["address"].get<std::string>(), get<bytes>(j, "iccid")};
}

template <typename T, typename F>
json list_json(const std::vector<T>& list, F each) {
    json out = json::array();
    for (const auto& item : list) out.push_back(each(item));
    return out;
}

// One C++ type as the vectors see it: DER -> fields, fields -> DER.
struct Codec {
    std::function<json(const bytes&)> decode;
    std::function<bytes(const json&)> encode;
};

const std::map<std::string, Codec>& codecs() {
    static const std::map<std::string, Codec> table = {
        {"GetEidRequest",
         {[](const bytes& d) { return json{{"tag_list", to_hex(GetEidRequest::decode(d).tag_list)}}; },
          [](const json& f) { return GetEidRequest{unhex(f["tag_list"])}.encode(); }}},
        {"GetEidResponse",
         {[](const bytes& d) { return json{{"eid", to_hex(GetEidResponse::decode(d).eid)}}; },
          [](const json& f) { return GetEidResponse{unhex(f["eid"])}.encode(); }}},
        {"ProfileInfoListRequest",
         {[](const bytes& d) {
              const auto r = ProfileInfoListRequest::decode(d);
              json j = json::object();
              if (r.search) {
                  j["search"] = json::object();
                  if (r.search->profile) j["search"]["profile"] = id_json(*r.search->profile);
                  put(j["search"], "profile_class", r.search->profile_class);
              }
              put(j, "tag_list", r.tag_list);
              return j;
          },
          [](const json& f) {
              ProfileInfoListRequest r;
              if (f.contains("search")) {
                  ProfileInfoListRequest::SearchCriteria s;
                  if (f["search"].contains("profile")) s.profile = id_from(f["search"]["profile"]);
                  s.profile_class = get<ProfileClass>(f["search"], "profile_class");
                  r.search = s;
              }
              r.tag_list = get<bytes>(f, "tag_list");
              return r.encode();
          }}},
        {"ProfileInfoListResponse",
         {[](const bytes& d) {
              const auto r = ProfileInfoListResponse::decode(d);
              json j{{"profiles", list_json(r.profiles, info_json)}};
              put(j, "error", r.error);
              return j;
          },
          [](const json& f) {
              ProfileInfoListResponse r;
              for (const auto& p : f["profiles"]) r.profiles.push_back(info_from(p));
              r.error = get<uint8_t>(f, "error");
              return r.encode();
          }}},
        {"ProfileOperationRequest",
         {[](const bytes& d) {
              const auto r = ProfileOperationRequest::decode(d);
              return json{{"tag", r.tag}, {"profile", id_json(r.profile)}, {"refresh", r.refresh}};
          },
          [](const json& f) {
              return ProfileOperationRequest{f["tag"].get<uint32_t>(), id_from(f["profile"]), f["refresh"].get<bool>()}
                  .encode();
          }}},
        {"DeleteProfileRequest",
         {[](const bytes& d) { return json{{"profile", id_json(DeleteProfileRequest::decode(d).profile)}}; },
          [](const json& f) { return DeleteProfileRequest{id_from(f["profile"])}.encode(); }}},
        {"ResultResponse",
         {[](const bytes& d) {
              const auto r = ResultResponse::decode(d, message_tag(d));
              return json{{"tag", r.tag}, {"code", r.code}};
          },
          [](const json& f) { return ResultResponse{f["tag"].get<uint32_t>(), f["code"].get<uint8_t>()}.encode(); }}},
        {"SetNicknameRequest",
         {[](const bytes& d) {
              const auto r = SetNicknameRequest::decode(d);
              return json{{"iccid", to_hex(r.iccid)}, {"nickname", r.nickname}};
          },
          [](const json& f) { return SetNicknameRequest{unhex(f["iccid"]), f["nickname"].get<std::string>()}.encode(); }}},
        {"EuiccMemoryResetRequest",
         {[](const bytes& d) {
              const auto r = EuiccMemoryResetRequest::decode(d);
              return json{{"delete_operational_profiles", r.delete_operational_profiles},
                          {"delete_field_loaded_test_profiles", r.delete_field_loaded_test_profiles},
                          {"reset_default_smdp_address", r.reset_default_smdp_address}};
          },
          [](const json& f) {
              return EuiccMemoryResetRequest{f["delete_operational_profiles"].get<bool>(),
                                             f["delete_field_loaded_test_profiles"].get<bool>(),
                                             f["reset_default_smdp_address"].get<bool>()}
                  .encode();
          }}},
        {"ConfiguredAddresses",
         {[](const bytes& d) {
              const auto a = ConfiguredAddresses::decode(d);
              json j{{"root_ds_address", a.root_ds_address}};
              put(j, "default_dp_address", a.default_dp_address);
              return j;
          },
          [](const json& f) {
              return ConfiguredAddresses{get<std::string>(f, "default_dp_address"), f["root_ds_address"].get<std::string>()}
                  .encode();
          }}},
        {"SetDefaultDpAddressRequest",
         {[](const bytes& d) { return json{{"address", SetDefaultDpAddressRequest::decode(d).address}}; },
          [](const json& f) { return SetDefaultDpAddressRequest{f["address"].get<std::string>()}.encode(); }}},
        {"EmptyRequest",
         {[](const bytes& d) {
              const uint32_t tag = message_tag(d);
              if (d != empty_request(tag)) throw FormatError("not an empty request");
              return json{{"tag", tag}};
          },
          [](const json& f) { return empty_request(f["tag"].get<uint32_t>()); }}},
        {"EuiccChallengeResponse",
         {[](const bytes& d) { return json{{"challenge", to_hex(EuiccChallengeResponse::decode(d).challenge)}}; },
          [](const json& f) { return EuiccChallengeResponse{unhex(f["challenge"])}.encode(); }}},
        {"EuiccInfo1",
         {[](const bytes& d) {
              const auto i = EuiccInfo1::decode(d);
              return json{{"svn", to_hex(i.svn)},
                          {"ci_pkids_verification", hex_list(i.ci_pkids_verification)},
                          {"ci_pkids_signing", hex_list(i.ci_pkids_signing)}};
          },
          [](const json& f) {
              return EuiccInfo1{unhex(f["svn"]), bytes_list(f["ci_pkids_verification"]), bytes_list(f["ci_pkids_signing"])}
                  .encode();
          }}},
        {"EuiccInfo2",
         {[](const bytes& d) {
              const auto i = EuiccInfo2::decode(d);
              json j{{"profile_version", to_hex(i.profile_version)},
                     {"svn", to_hex(i.svn)},
                     {"firmware_version", to_hex(i.firmware_version)},
                     {"ext_card_resource", to_hex(i.ext_card_resource)},
                     {"uicc_capability", to_hex(i.uicc_capability)},
                     {"rsp_capability", to_hex(i.rsp_capability)},
                     {"ci_pkids_verification", hex_list(i.ci_pkids_verification)},
                     {"ci_pkids_signing", hex_list(i.ci_pkids_signing)},
                     {"pp_version", to_hex(i.pp_version)},
                     {"sas_accreditation_number", i.sas_accreditation_number}};
              put(j, "ts102241_version", i.ts102241_version);
              put(j, "globalplatform_version", i.globalplatform_version);
              put(j, "euicc_category", i.euicc_category);
              put(j, "forbidden_policy_rules", i.forbidden_policy_rules);
              return j;
          },
          [](const json& f) {
              EuiccInfo2 i;
              i.profile_version = unhex(f["profile_version"]);
              i.svn = unhex(f["svn"]);
              i.firmware_version = unhex(f["firmware_version"]);
              i.ext_card_resource = unhex(f["ext_card_resource"]);
              i.uicc_capability = unhex(f["uicc_capability"]);
              i.ts102241_version = get<bytes>(f, "ts102241_version");
              i.globalplatform_version = get<bytes>(f, "globalplatform_version");
              i.rsp_capability = unhex(f["rsp_capability"]);
              i.ci_pkids_verification = bytes_list(f["ci_pkids_verification"]);
              i.ci_pkids_signing = bytes_list(f["ci_pkids_signing"]);
              i.euicc_category = get<uint8_t>(f, "euicc_category");
              i.forbidden_policy_rules = get<bytes>(f, "forbidden_policy_rules");
              i.pp_version = unhex(f["pp_version"]);
              i.sas_accreditation_number = f["sas_accreditation_number"].get<std::string>();
              return i.encode();
          }}},
        {"RatResponse",
         {[](const bytes& d) {
              return json{{"rules", list_json(RatResponse::decode(d).rules, [](const Tlv& t) { return to_hex(t.encode()); })}};
          },
          [](const json& f) {
              RatResponse r;
              for (const auto& rule : f["rules"]) r.rules.push_back(parse_tlvs(unhex(rule)).at(0));
              return r.encode();
          }}},
        {"ListNotificationRequest",
         {[](const bytes& d) {
              json j = json::object();
              put(j, "filter", ListNotificationRequest::decode(d).filter);
              return j;
          },
          [](const json& f) { return ListNotificationRequest{get<NotificationEvent>(f, "filter")}.encode(); }}},
        {"ListNotificationResponse",
         {[](const bytes& d) {
              const auto r = ListNotificationResponse::decode(d);
              json j{{"notifications", list_json(r.notifications, metadata_json)}};
              put(j, "error", r.error);
              return j;
          },
          [](const json& f) {
              ListNotificationResponse r;
              for (const auto& m : f["notifications"]) r.notifications.push_back(metadata_from(m));
              r.error = get<uint8_t>(f, "error");
              return r.encode();
          }}},
        {"RetrieveNotificationsRequest",
         {[](const bytes& d) {
              const auto r = RetrieveNotificationsRequest::decode(d);
              json j = json::object();
              put(j, "seq_number", r.seq_number);
              put(j, "event", r.event);
              return j;
          },
          [](const json& f) {
              return RetrieveNotificationsRequest{get<uint32_t>(f, "seq_number"), get<NotificationEvent>(f, "event")}.encode();
          }}},
        {"RetrieveNotificationsResponse",
         {[](const bytes& d) {
              const auto r = RetrieveNotificationsResponse::decode(d);
              json j{{"notifications", list_json(r.notifications, [](const SignedNotification& n) {
                          return json{{"metadata", metadata_json(n.metadata)},
                                      {"signature", to_hex(n.signature)},
                                      {"euicc_certificate", to_hex(n.euicc_certificate)},
                                      {"eum_certificate", to_hex(n.eum_certificate)}};
                      })}};
              put(j, "error", r.error);
              return j;
          },
          [](const json& f) {
              RetrieveNotificationsResponse r;
              for (const auto& n : f["notifications"]) {
                  r.notifications.push_back(SignedNotification{metadata_from(n["metadata"]), unhex(n["signature"]),
                                                               unhex(n["euicc_certificate"]), unhex(n["eum_certificate"])});
              }
              r.error = get<uint8_t>(f, "error");
              return r.encode();
          }}},
        {"NotificationSentRequest",
         {[](const bytes& d) { return json{{"seq_number", NotificationSentRequest::decode(d).seq_number}}; },
          [](const json& f) { return NotificationSentRequest{f["seq_number"].get<uint32_t>()}.encode(); }}},
    };
    return table;
}

// Decoders for the refused inputs (ResultResponse: as the answer to EnableProfile).
void decode_as(const std::string& type, const bytes& der) {
    if (type == "ResultResponse") {
        ResultResponse::decode(der, kTagEnableProfile);
        return;
    }
    codecs().at(type).decode(der);
}

}  // namespace

TEST_CASE("every ES10 vector decodes to its fields and encodes to its bytes", "[es10]") {
    std::size_t count = 0;
    std::map<std::string, std::size_t> per_type;
    for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
        const std::string type = entry.path().stem().string();
        if (entry.path().extension() != ".json" || type == "negative") continue;
        REQUIRE(codecs().count(type) == 1);
        const Codec& codec = codecs().at(type);
        for (const auto& v : read_json(entry.path().string())) {
            INFO(type << ": " << v["name"].get<std::string>());
            const bytes der = unhex(v["hex"]);
            const json& fields = v["fields"];
            const std::string expected = v.contains("canonical") ? v["canonical"].get<std::string>() : v["hex"].get<std::string>();
            CHECK(codec.decode(der).dump() == fields.dump());
            const bytes encoded = codec.encode(fields);
            CHECK(to_hex(encoded) == expected);
            CHECK(codec.decode(encoded).dump() == codec.decode(from_hex(expected)).dump());  // round trip
            ++count;
            ++per_type[type];
        }
    }
    CHECK(count >= 90);
    for (const auto& [type, codec] : codecs()) {
        INFO(type);
        CHECK(per_type[type] >= 1);  // every message type has vectors
    }
}

TEST_CASE("refused ES10 inputs raise FormatError naming what is wrong", "[es10]") {
    const json negatives = read_json(kDir + "/negative.json");
    CHECK(negatives.size() >= 40);
    for (const auto& v : negatives) {
        const std::string type = v["type"].get<std::string>();
        const std::string error = v["error"].get<std::string>();
        INFO(type << ": " << v["name"].get<std::string>() << " (expects '" << error << "')");
        try {
            decode_as(type, unhex(v["hex"]));
            FAIL("decoded without error");
        } catch (const FormatError& e) {
            CHECK_THAT(std::string(e.what()), Catch::Contains(error));
        }
    }
}

TEST_CASE("ES10 DER details: INTEGER, BOOLEAN, named BIT STRING", "[es10]") {
    CHECK(to_hex(NotificationSentRequest{0}.encode()) == "BF3003800100");
    CHECK(to_hex(NotificationSentRequest{127}.encode()) == "BF300380017F");
    CHECK(to_hex(NotificationSentRequest{128}.encode()) == "BF30048002" "0080");
    CHECK(to_hex(NotificationSentRequest{0xFFFFFFFF}.encode()) == "BF30078005" "00FFFFFFFF");
    CHECK(NotificationSentRequest::decode(from_hex("BF3004800200FF")).seq_number == 255);
    CHECK(NotificationSentRequest::decode(from_hex("BF300480020005")).seq_number == 5);  // BER leading zero accepted

    const ProfileIdentifier id{ProfileIdentifier::Kind::Iccid, iccid_to_bytes("89049032123451234512")};
    CHECK(to_hex(ProfileOperationRequest{kTagEnableProfile, id, true}.encode()) ==
          "BF3111A00C5A0A98400923214315325421" "8101FF");
    CHECK(ProfileOperationRequest::decode(from_hex("BF3111A00C5A0A984009232143153254218101" "01")).refresh);  // BER true

    CHECK(to_hex(ListNotificationRequest{NotificationEvent::Install}.encode()) == "BF2804810207" "80");
    CHECK(to_hex(ListNotificationRequest{NotificationEvent::Enable}.encode()) == "BF2804810206" "40");
    CHECK(to_hex(ListNotificationRequest{NotificationEvent::Disable}.encode()) == "BF2804810205" "20");
    CHECK(to_hex(ListNotificationRequest{NotificationEvent::Delete}.encode()) == "BF2804810204" "10");
    CHECK(to_hex(EuiccMemoryResetRequest{true, true, true}.encode()) == "BF3404820205E0");
    CHECK(to_hex(EuiccMemoryResetRequest{}.encode()) == "BF3403820100");
}

TEST_CASE("ES10 structures round-trip", "[es10]") {
    ProfileInfo p;
    p.iccid = iccid_to_bytes("8988211000000000017");
    p.state = ProfileState::Disabled;
    p.nickname.emplace(1, 'x');
    p.icon = bytes(1024, 0xAB);  // 94 82 04 00
    p.profile_class = ProfileClass::Test;
    CHECK(ProfileInfo::from_tlv(p.to_tlv()) == p);

    // profileClass is DEFAULT operational: DER leaves it out, so it reads back as absent.
    p.profile_class = ProfileClass::Operational;
    const ProfileInfo back = ProfileInfo::from_tlv(p.to_tlv());
    CHECK_FALSE(back.profile_class.has_value());
    CHECK_FALSE(p.to_tlv().find(0x95).has_value());

    const NotificationMetadata m{42, NotificationEvent::Delete, "smdp.example.com", iccid_to_bytes("898821100000000001")};
    CHECK(NotificationMetadata::from_tlv(m.to_tlv()) == m);
    const SignedNotification s{m, bytes(64, 1), from_hex("3003020101"), from_hex("3003020102")};
    const SignedNotification s2 = SignedNotification::from_tlv(s.to_tlv());
    CHECK(s2.metadata == m);
    CHECK(s2.signature == s.signature);
    CHECK(s2.euicc_certificate == s.euicc_certificate);
    CHECK(s2.eum_certificate == s.eum_certificate);
}

TEST_CASE("ES10 encoders refuse values that have no encoding", "[es10]") {
    ProfileInfoListRequest both;
    both.search = ProfileInfoListRequest::SearchCriteria{ProfileIdentifier{}, ProfileClass::Test};
    CHECK_THROWS_AS(both.encode(), ArgumentError);
    ProfileInfoListRequest neither;
    neither.search = ProfileInfoListRequest::SearchCriteria{};
    CHECK_THROWS_AS(neither.encode(), ArgumentError);
    CHECK_THROWS_AS((RetrieveNotificationsRequest{1, NotificationEvent::Enable}.encode()), ArgumentError);
    CHECK_THROWS_AS((SetNicknameRequest{bytes(10, 0x98), std::string(65, 'n')}.encode()), ArgumentError);
    CHECK_THROWS_AS((ProfileOperationRequest{kTagDeleteProfile, ProfileIdentifier{}, true}.encode()), ArgumentError);
}

TEST_CASE("ES10 ICCID helpers", "[es10]") {
    CHECK(to_hex(iccid_to_bytes("89049032123451234512")) == "98400923214315325421");
    CHECK(to_hex(iccid_to_bytes("8988211000000000017")) == "988812010000000010F7");
    CHECK(to_hex(iccid_to_bytes("898821100000000001")) == "988812010000000010FF");
    CHECK(iccid_to_digits(from_hex("98400923214315325421")) == "89049032123451234512");
    CHECK(iccid_to_digits(from_hex("988812010000000010F7")) == "8988211000000000017");
    CHECK(iccid_to_digits(from_hex("988812010000000010FF")) == "898821100000000001");
    CHECK(iccid_to_digits(from_hex("988812010000000010")) == "898821100000000001");  // 9 bytes
    CHECK_THROWS_AS(iccid_to_bytes("89882110000000001"), ArgumentError);      // 17 digits
    CHECK_THROWS_AS(iccid_to_bytes("890490321234512345123"), ArgumentError);  // 21 digits
    CHECK_THROWS_AS(iccid_to_bytes("8904903212345123451A"), ArgumentError);
    CHECK_THROWS_AS(iccid_to_digits(from_hex("9840092321431532542A")), FormatError);

    const bytes padded18 = from_hex("988812010000000010FF");
    const bytes nine = from_hex("988812010000000010");
    CHECK(iccid_matches(padded18, nine));
    CHECK(iccid_matches(nine, padded18));
    CHECK(iccid_matches(padded18, padded18));
    CHECK(iccid_matches(from_hex("988812010000000010F7"), from_hex("988812010000000010F7")));
    CHECK_FALSE(iccid_matches(from_hex("988812010000000010F7"), padded18));  // 19 vs 18 digits
    CHECK_FALSE(iccid_matches(from_hex("98400923214315325421"), from_hex("984009232143153254")));
    CHECK_FALSE(iccid_matches(from_hex("98400923214315325421"), from_hex("98400923214315325412")));
    CHECK_FALSE(iccid_matches(bytes{}, bytes{}));
    CHECK_FALSE(iccid_matches(from_hex("FFFF"), bytes{}));
}

TEST_CASE("ES10 names: result codes, states, classes, events, outer tag", "[es10]") {
    CHECK(result_name(kTagEnableProfile, 0) == "ok");
    CHECK(result_name(kTagEnableProfile, 1) == "iccidOrAidNotFound");
    CHECK(result_name(kTagEnableProfile, 2) == "profileNotInDisabledState");
    CHECK(result_name(kTagEnableProfile, 4) == "wrongProfileReenabling");
    CHECK(result_name(kTagDisableProfile, 2) == "profileNotInEnabledState");
    CHECK(result_name(kTagDeleteProfile, 3) == "disallowedByPolicy");
    CHECK(result_name(kTagSetNickname, 1) == "iccidNotFound");
    CHECK(result_name(kTagEuiccMemoryReset, 1) == "nothingToDelete");
    CHECK(result_name(kTagEuiccMemoryReset, 5) == "catBusy");
    CHECK(result_name(kTagNotificationSent, 1) == "nothingToDelete");
    CHECK(result_name(kTagSetDefaultDpAddress, 127) == "undefinedError");
    CHECK(result_name(kTagDeleteProfile, 9) == "unknown(9)");

    CHECK(to_string(ProfileState::Enabled) == "enabled");
    CHECK(to_string(ProfileState::Disabled) == "disabled");
    CHECK(to_string(ProfileClass::Test) == "test");
    CHECK(to_string(ProfileClass::Provisioning) == "provisioning");
    CHECK(to_string(ProfileClass::Operational) == "operational");
    CHECK(to_string(NotificationEvent::Install) == "install");
    CHECK(to_string(NotificationEvent::Delete) == "delete");

    CHECK(message_tag(from_hex("BF2D00")) == kTagProfileInfoList);
    CHECK(message_tag(empty_request(kTagGetEuiccInfo2)) == kTagGetEuiccInfo2);
    CHECK(to_hex(empty_request(kTagGetEuiccInfo1)) == "BF2000");
    CHECK_THROWS_AS(message_tag(from_hex("BF2D0200")), FormatError);    // truncated
    CHECK_THROWS_AS(message_tag(from_hex("BF2D0000")), FormatError);    // a second TLV follows
    CHECK_THROWS_AS(message_tag(bytes{}), FormatError);
}

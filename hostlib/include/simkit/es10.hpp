// SGP.22 ES10 messages (ES10a, ES10b, ES10c: what a Local Profile Assistant sends the eUICC's ISD-R
// inside STORE DATA) as value types with DER encode/decode on the shared BER-TLV core (tlv.hpp).
// One copy for both sides: the card's ISD-R (applet-sim/euicc) decodes requests and encodes
// answers, the host's simkit::Euicc (euicc_client.hpp) does the reverse. Tags and result codes are
// SGP.22 v2.x's (ASN.1 module RSPDefinitions, AUTOMATIC TAGS); specs/euicc.md lists them.
// decode() throws FormatError naming what is wrong (wrong outer tag, missing mandatory field, bad
// length); unknown optional fields are skipped, as DER extensibility asks.
// Code: hostlib/src/core/es10/*.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/tlv.hpp"

namespace simkit::es10 {

// Outer tags of the requests (the answer has the same tag).
inline constexpr uint32_t kTagGetEuiccData = 0xBF3E;           // GetEID
inline constexpr uint32_t kTagProfileInfoList = 0xBF2D;
inline constexpr uint32_t kTagEnableProfile = 0xBF31;
inline constexpr uint32_t kTagDisableProfile = 0xBF32;
inline constexpr uint32_t kTagDeleteProfile = 0xBF33;
inline constexpr uint32_t kTagEuiccMemoryReset = 0xBF34;
inline constexpr uint32_t kTagSetNickname = 0xBF29;
inline constexpr uint32_t kTagGetEuiccConfiguredAddresses = 0xBF3C;
inline constexpr uint32_t kTagSetDefaultDpAddress = 0xBF3F;
inline constexpr uint32_t kTagGetEuiccInfo1 = 0xBF20;
inline constexpr uint32_t kTagGetEuiccInfo2 = 0xBF22;
inline constexpr uint32_t kTagGetRat = 0xBF43;
inline constexpr uint32_t kTagGetEuiccChallenge = 0xBF2E;
inline constexpr uint32_t kTagListNotification = 0xBF28;
inline constexpr uint32_t kTagRetrieveNotificationsList = 0xBF2B;
inline constexpr uint32_t kTagNotificationSent = 0xBF30;       // RemoveNotificationFromList

// The outer tag of an ES10 message (its first 1-3 bytes); FormatError for bytes that are not one TLV.
uint32_t message_tag(const bytes& der);

enum class ProfileState : uint8_t { Disabled = 0, Enabled = 1 };
enum class ProfileClass : uint8_t { Test = 0, Provisioning = 1, Operational = 2 };
enum class IconType : uint8_t { Jpg = 0, Png = 1 };

// "disabled"/"enabled", "test"/"provisioning"/"operational" (lpac's JSON words).
std::string to_string(ProfileState state);
std::string to_string(ProfileClass profile_class);

// A profile named by its ISD-P AID (4F) or its ICCID (5A, as EF.ICCID holds it: 10 bytes of
// swapped-nibble BCD, F-padded; LPAs may send fewer bytes for 18/19-digit ICCIDs or other padding:
// compare with iccid_matches()).
struct ProfileIdentifier {
    enum class Kind : uint8_t { IsdpAid, Iccid };
    Kind kind = Kind::Iccid;
    bytes value;
    bool operator==(const ProfileIdentifier&) const = default;
};

// ICCID digits <-> EF.ICCID bytes (swapped nibbles, F padding to 10 bytes). ArgumentError for
// anything but 18..20 decimal digits.
bytes iccid_to_bytes(const std::string& digits);
std::string iccid_to_digits(const bytes& stored);
// True when two ICCID encodings name the same ICCID once F padding (and missing trailing bytes) are
// ignored: 10 bytes F-padded, 9 or 10 bytes unpadded, as different LPAs send them.
bool iccid_matches(const bytes& a, const bytes& b);

// ProfileInfo (E3). Fields absent on the wire stay empty; profile_class absent means operational.
// profileClass is DEFAULT operational, so to_tlv() leaves an Operational class out (DER) and it reads
// back as absent.
struct ProfileInfo {
    std::optional<bytes> iccid;                       // 5A
    std::optional<bytes> isdp_aid;                    // 4F
    std::optional<ProfileState> state;                // 9F70
    std::optional<std::string> nickname;              // 90 (UTF-8, <= 64 bytes)
    std::optional<std::string> service_provider_name; // 91 (<= 32)
    std::optional<std::string> profile_name;          // 92 (<= 64)
    std::optional<IconType> icon_type;                // 93
    std::optional<bytes> icon;                        // 94 (<= 1024)
    std::optional<ProfileClass> profile_class;        // 95
    std::optional<bytes> policy_rules;                // 99 PprIds: BIT STRING content (unused-bits byte first)

    Tlv to_tlv() const;
    static ProfileInfo from_tlv(const Tlv& e3);
    bool operator==(const ProfileInfo&) const = default;
};

// --- ES10c -------------------------------------------------------------------------------------

// GetEuiccDataRequest BF3E { 5C tagList } -> GetEuiccDataResponse BF3E { 5A eidValue (16 bytes) }.
struct GetEidRequest {
    bytes tag_list = bytes{0x5A};
    bytes encode() const;
    static GetEidRequest decode(const bytes& der);
};
struct GetEidResponse {
    bytes eid;  // 16 bytes
    bytes encode() const;
    static GetEidResponse decode(const bytes& der);
};

// ProfileInfoListRequest BF2D { [A0 { 4F | 5A | 95 }] [5C tagList] }.
struct ProfileInfoListRequest {
    struct SearchCriteria {
        std::optional<ProfileIdentifier> profile;  // 4F or 5A
        std::optional<ProfileClass> profile_class; // 95 (exactly one of the two)
    };
    std::optional<SearchCriteria> search;
    std::optional<bytes> tag_list;  // 5C: the tags to return (two-byte 9F70 written as 9F 70)
    bytes encode() const;
    static ProfileInfoListRequest decode(const bytes& der);
};
// ProfileInfoListResponse BF2D { A0 { E3... } } or BF2D { 81 error }.
struct ProfileInfoListResponse {
    enum Error : uint8_t { kIncorrectInputValues = 1, kUndefinedError = 127 };
    std::vector<ProfileInfo> profiles;
    std::optional<uint8_t> error;
    bytes encode() const;
    static ProfileInfoListResponse decode(const bytes& der);
};

// EnableProfileRequest BF31 { A0 { 4F | 5A } 81 refreshFlag }; DisableProfileRequest BF32 likewise.
struct ProfileOperationRequest {
    uint32_t tag = kTagEnableProfile;  // kTagEnableProfile or kTagDisableProfile
    ProfileIdentifier profile;
    bool refresh = true;
    bytes encode() const;
    static ProfileOperationRequest decode(const bytes& der);  // either tag
};
// DeleteProfileRequest BF33 { 4F | 5A } (no A0 wrapper: a bare CHOICE).
struct DeleteProfileRequest {
    ProfileIdentifier profile;
    bytes encode() const;
    static DeleteProfileRequest decode(const bytes& der);
};

// The result codes of Enable/Disable/Delete/SetNickname/eUICCMemoryReset/SetDefaultDpAddress/
// NotificationSent (SGP.22 5.7.x); each response holds one INTEGER (80).
namespace result {
inline constexpr uint8_t kOk = 0;
inline constexpr uint8_t kIccidOrAidNotFound = 1;         // enable, disable, delete; SetNickname: iccidNotFound
inline constexpr uint8_t kProfileNotInDisabledState = 2;  // enable, delete
inline constexpr uint8_t kProfileNotInEnabledState = 2;   // disable
inline constexpr uint8_t kDisallowedByPolicy = 3;
inline constexpr uint8_t kWrongProfileReenabling = 4;     // enable
inline constexpr uint8_t kNothingToDelete = 1;            // eUICCMemoryReset, NotificationSent
inline constexpr uint8_t kCatBusy = 5;
inline constexpr uint8_t kUndefinedError = 127;
}  // namespace result
// The name SGP.22 gives `code` in the answer to the request `tag` ("iccidOrAidNotFound").
std::string result_name(uint32_t tag, uint8_t code);

// A response holding one result INTEGER: BFxx { 80 code }.
struct ResultResponse {
    uint32_t tag = kTagEnableProfile;
    uint8_t code = result::kOk;
    bytes encode() const;
    static ResultResponse decode(const bytes& der, uint32_t expected_tag);
};

// SetNicknameRequest BF29 { 5A iccid 90 nickname }.
struct SetNicknameRequest {
    bytes iccid;
    std::string nickname;
    bytes encode() const;
    static SetNicknameRequest decode(const bytes& der);
};

// EuiccMemoryResetRequest BF34 { 82 resetOptions BIT STRING }.
struct EuiccMemoryResetRequest {
    bool delete_operational_profiles = false;      // bit 0
    bool delete_field_loaded_test_profiles = false; // bit 1
    bool reset_default_smdp_address = false;       // bit 2
    bytes encode() const;
    static EuiccMemoryResetRequest decode(const bytes& der);
};

// --- ES10a -------------------------------------------------------------------------------------

// GetEuiccConfiguredAddressesRequest BF3C {} -> BF3C { [80 defaultDpAddress] 81 rootDsAddress }.
struct ConfiguredAddresses {
    std::optional<std::string> default_dp_address;
    std::string root_ds_address;
    bytes encode() const;
    static ConfiguredAddresses decode(const bytes& der);
};
// SetDefaultDpAddressRequest BF3F { 80 address } (empty removes it) -> ResultResponse.
struct SetDefaultDpAddressRequest {
    std::string address;
    bytes encode() const;
    static SetDefaultDpAddressRequest decode(const bytes& der);
};

// --- ES10b -------------------------------------------------------------------------------------

// An empty request BFxx {} (GetEUICCInfo1/2, GetRAT, GetEuiccChallenge, GetEuiccConfiguredAddresses).
bytes empty_request(uint32_t tag);

// GetEuiccChallengeResponse BF2E { 80 challenge (16 bytes) }.
struct EuiccChallengeResponse {
    bytes challenge;
    bytes encode() const;
    static EuiccChallengeResponse decode(const bytes& der);
};

// EUICCInfo1 BF20 { 82 svn  A9 { 04 SKI... }  AA { 04 SKI... } }.
struct EuiccInfo1 {
    bytes svn;                                // 3 bytes, e.g. 02 02 00 (SGP.22 v2.2.0)
    std::vector<bytes> ci_pkids_verification; // subject key identifiers (20 bytes each)
    std::vector<bytes> ci_pkids_signing;
    bytes encode() const;
    static EuiccInfo1 decode(const bytes& der);
};

// EUICCInfo2 BF22: the fields a simulated eUICC can state; the rest of SGP.22's list is optional.
struct EuiccInfo2 {
    bytes profile_version;          // 81 (3 bytes)
    bytes svn;                      // 82
    bytes firmware_version;         // 83
    bytes ext_card_resource;        // 84 (TLVs: 81 installed apps, 82 free NVM, 83 free RAM)
    bytes uicc_capability;          // 85 BIT STRING content
    std::optional<bytes> ts102241_version;        // 86
    std::optional<bytes> globalplatform_version;  // 87
    bytes rsp_capability;           // 88 BIT STRING content
    std::vector<bytes> ci_pkids_verification;     // A9
    std::vector<bytes> ci_pkids_signing;          // AA
    std::optional<uint8_t> euicc_category;        // 8B
    std::optional<bytes> forbidden_policy_rules;  // 99 BIT STRING content
    bytes pp_version;               // 04 (3 bytes)
    std::string sas_accreditation_number;  // 0C
    bytes encode() const;
    static EuiccInfo2 decode(const bytes& der);
};

// GetRatResponse BF43 { A0 { 30 { 80 pprIds A1 { 30 OperatorId... } 82 pprFlags }... } }: kept as
// the encoded rules (the ISD-R's is fixed; the host shows it).
struct RatResponse {
    std::vector<Tlv> rules;  // each a 30 ProfilePolicyAuthorisationRule
    bytes encode() const;
    static RatResponse decode(const bytes& der);
};

// --- Notifications (ES10b) ----------------------------------------------------------------------

// NotificationEvent BIT STRING {install(0), enable(1), disable(2), delete(3)}: one bit set.
enum class NotificationEvent : uint8_t { Install = 0, Enable = 1, Disable = 2, Delete = 3 };
std::string to_string(NotificationEvent event);  // "install", "enable", "disable", "delete"

// NotificationMetadata BF2F { 80 seqNumber 81 event 0C address [5A iccid] }.
struct NotificationMetadata {
    uint32_t seq_number = 0;
    NotificationEvent event = NotificationEvent::Enable;
    std::string address;
    std::optional<bytes> iccid;
    Tlv to_tlv() const;
    static NotificationMetadata from_tlv(const Tlv& bf2f);
    bool operator==(const NotificationMetadata&) const = default;
};

// ListNotificationRequest BF28 { [81 event filter] }.
struct ListNotificationRequest {
    std::optional<NotificationEvent> filter;
    bytes encode() const;
    static ListNotificationRequest decode(const bytes& der);
};
// ListNotificationResponse BF28 { A0 { BF2F... } } or BF28 { 81 error }.
struct ListNotificationResponse {
    std::vector<NotificationMetadata> notifications;
    std::optional<uint8_t> error;
    bytes encode() const;
    static ListNotificationResponse decode(const bytes& der);
};

// OtherSignedNotification 30 { BF2F metadata  5F37 signature  30 euiccCertificate  30 eumCertificate }.
struct SignedNotification {
    NotificationMetadata metadata;
    bytes signature;         // 5F37: raw r||s (64 bytes), over the DER of the BF2F, as SGP.22 signs
    bytes euicc_certificate; // DER
    bytes eum_certificate;   // DER
    Tlv to_tlv() const;
    static SignedNotification from_tlv(const Tlv& sequence);
};

// RetrieveNotificationsListRequest BF2B { [A0 { 80 seqNumber | 81 event }] }.
struct RetrieveNotificationsRequest {
    std::optional<uint32_t> seq_number;
    std::optional<NotificationEvent> event;
    bytes encode() const;
    static RetrieveNotificationsRequest decode(const bytes& der);
};
// RetrieveNotificationsListResponse BF2B { A0 { 30... } } or BF2B { 81 error (1 noResultAvailable) }.
// decode() skips ProfileInstallationResult (BF37) entries of the list: only 30 entries are kept.
struct RetrieveNotificationsResponse {
    std::vector<SignedNotification> notifications;
    std::optional<uint8_t> error;
    bytes encode() const;
    static RetrieveNotificationsResponse decode(const bytes& der);
};

// NotificationSentRequest BF30 { 80 seqNumber } -> ResultResponse (0 ok, 1 nothingToDelete).
struct NotificationSentRequest {
    uint32_t seq_number = 0;
    bytes encode() const;
    static NotificationSentRequest decode(const bytes& der);
};

}  // namespace simkit::es10

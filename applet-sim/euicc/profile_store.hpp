// The eUICC's profiles in the card state (specs/euicc.md "Profiles in the card state", "Card side"):
// the EID, the default SM-DP+ address, and per profile NN (01..16) its metadata under
// euicc/profile/NN/ and, while it is not enabled, its inactive copy of the USIM data under
// euicc/profile/NN/data/<live record name>. The enabled profile's USIM data is the live records
// (usim/..., uicc/ef/...). Every change here is staged; the card commits it with the command.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/es10.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::euicc {

inline constexpr const char* kEidRecord = "euicc/eid";                       // 16 bytes, digits in natural order
inline constexpr const char* kDefaultDpAddressRecord = "euicc/default_dp_address";  // UTF-8, absent: none
// The non-test profile that was enabled when a Test Profile got enabled (SGP.21 TPRO10, SGP.22
// 5.7.16 wrongProfileReenabling): 1 byte, its number; absent: none.
inline constexpr const char* kEnabledBeforeTestRecord = "euicc/enabled_before_test";
inline constexpr const char* kRootDsAddress = "testrootsmds.example.com";  // test-only, fixed
inline constexpr unsigned kMaxProfiles = 16;

// The ISD-R's AID and profile n's ISD-P AID (A0000005591010FFFFFFFF89000010 00 for 1, ...11 00 for 2).
extern const bytes kIsdrAid;
bytes isdp_aid(unsigned number);

// One profile's metadata as kept in the state.
struct StoredProfile {
    unsigned number = 0;
    bytes iccid;  // 10 bytes as EF.ICCID holds it
    es10::ProfileState state = es10::ProfileState::Disabled;
    es10::ProfileClass profile_class = es10::ProfileClass::Operational;
    std::optional<std::string> nickname, service_provider_name, profile_name;
    std::optional<es10::IconType> icon_type;
    std::optional<bytes> icon;
    std::optional<bytes> policy_rules;  // PprIds BIT STRING content

    bytes isdp_aid() const { return euicc::isdp_aid(number); }
    bool has_ppr1() const;  // "disabling of this profile is not allowed"
    bool has_ppr2() const;  // "deletion of this profile is not allowed"
    es10::ProfileInfo info() const;  // every field it has
};

// Profiles in number order (damaged ones are skipped).
std::vector<StoredProfile> load_profiles(const PersistentState& state);
std::optional<StoredProfile> find_profile(const PersistentState& state, const es10::ProfileIdentifier& id);
std::optional<StoredProfile> enabled_profile(const PersistentState& state);
// The non-test profile that was enabled when a Test Profile got enabled (specs/euicc.md "Policy
// rules"), if it still exists and is not a test profile; set_enabled_before_test(state, nullptr)
// forgets it.
std::optional<StoredProfile> enabled_before_test(const PersistentState& state);
void set_enabled_before_test(PersistentState& state, const StoredProfile* profile);
// Writes the metadata records of `profile` (not its data copy).
void save_profile(PersistentState& state, const StoredProfile& profile);
// The lowest free profile number, or 0 when all kMaxProfiles are taken.
unsigned free_profile_number(const PersistentState& state);

// The live USIM data: every record under usim/ and uicc/ef/.
bool is_usim_data(const std::string& record);
// The factory USIM data of a fresh card (every live record), in a memory-only state.
PersistentState factory_usim_data();
// Makes `to_enable`'s copy the live data; if `to_disable` is given, the live data first becomes its
// copy. With only `to_disable`, the live data is copied and left in place (the USIM is absent).
// Metadata states are updated. Live records the new profile's copy lacks get factory defaults.
void switch_usim_data(PersistentState& state, const StoredProfile* to_disable, const StoredProfile* to_enable);
// Erases a profile: metadata and data copy (and the enabled_before_test record if it names it or the
// profile is the enabled one). Erasing
// the enabled profile (eUICCMemoryReset) also resets the live USIM data to the factory defaults: the
// USIM is then absent and keeps no keys of it.
void erase_profile(PersistentState& state, const StoredProfile& profile);

// The USIM is present when a profile is enabled, or when the state is not an eUICC's (no EID).
bool usim_present(const PersistentState& state);

// EID: 32 digits "89" + ... + 2 check digits (GSMA SGP.29: the 32-digit number mod 97 is 1).
std::string eid_check_digits(const std::string& first30);
bool eid_valid(const std::string& digits);
std::string new_eid();  // "89" "999" "001" "00000" "0" + 16 random digits + check digits
bytes eid_to_bytes(const std::string& digits);
std::string eid_to_digits(const bytes& eid);

// Migration of a state from before the eUICC (no EID): an EID, and profile 01 made of the live USIM
// data (ICCID from EF.ICCID, operational, enabled). A state with an EID is left as it is (even with
// no profile: they were deleted). Never changes existing records.
void add_missing_euicc_records(PersistentState& state);

}  // namespace simkit::sim::euicc

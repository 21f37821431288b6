// `simkit euicc`'s JSON: ES10 values shaped as lpac prints them (eidValue, EUICCInfo2 with its
// field names, profile objects with iccid/isdpAid/profileState/..., notification metadata), so
// scripts written for lpac's output read simkit's. Bytes are lowercase hex, versions "a.b.c", BIT
// STRINGs lists of SGP.22's bit names.
#pragma once

#include <nlohmann/json.hpp>

#include "simkit/es10.hpp"

namespace simkit::cli {

nlohmann::ordered_json profile_json(const es10::ProfileInfo& profile);
nlohmann::ordered_json euicc_info2_json(const es10::EuiccInfo2& info);
nlohmann::ordered_json euicc_info1_json(const es10::EuiccInfo1& info);
nlohmann::ordered_json configured_addresses_json(const es10::ConfiguredAddresses& addresses);
nlohmann::ordered_json notification_json(const es10::NotificationMetadata& notification);
// The rules authorisation table: [{pprIds, allowedOperators [{plmn, gid1, gid2}], pprFlags}].
nlohmann::ordered_json rat_json(const es10::RatResponse& rat);

// "2.2.0" for 02 02 00 (any other length: hex).
std::string version_text(const bytes& version);

}  // namespace simkit::cli

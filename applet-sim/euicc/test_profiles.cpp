// add_test_profile (see test_profiles.hpp): a disabled profile whose USIM data copy is the factory
// USIM data with the given ICCID, IMSI, K and OPc and a fresh SQN array.
#include "euicc/test_profiles.hpp"

#include "euicc/profile_store.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "uicc/file_tree.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim::euicc {

namespace {
void check_text(const std::optional<std::string>& value, std::size_t max, const char* what) {
    if (value && value->size() > max) {
        throw ArgumentError(std::string("add_test_profile: ") + what + " longer than " + std::to_string(max) + " bytes");
    }
}

std::string record_of(const uicc::FileTree& tree, const char* ef_name) {
    for (const uicc::FileNode* ef : tree.elementary_files()) {
        if (ef->name == ef_name) return ef->record;
    }
    throw ArgumentError(std::string("add_test_profile: no ") + ef_name + " in the file tree");
}
}  // namespace

InstalledProfile add_test_profile(PersistentState& state, const TestProfileSpec& spec) {
    bytes iccid, imsi;
    try {
        iccid = es10::iccid_to_bytes(spec.iccid);
    } catch (const ArgumentError& e) {
        throw ArgumentError(std::string("add_test_profile: iccid: ") + e.what());
    }
    try {
        imsi = simkit::uicc::encode_imsi(spec.imsi);
    } catch (const ArgumentError& e) {
        throw ArgumentError(std::string("add_test_profile: imsi: ") + e.what());
    }
    if (spec.k.size() != 16) throw ArgumentError("add_test_profile: k must be 16 bytes");
    if (spec.opc.size() != 16) throw ArgumentError("add_test_profile: opc must be 16 bytes");
    check_text(spec.profile_name, 64, "profile_name");
    check_text(spec.service_provider_name, 32, "service_provider_name");
    check_text(spec.nickname, 64, "nickname");
    if (spec.policy_rules && spec.policy_rules->empty()) throw ArgumentError("add_test_profile: policy_rules is empty");

    add_missing_euicc_records(state);
    for (const StoredProfile& p : load_profiles(state)) {
        if (es10::iccid_matches(p.iccid, iccid)) {
            throw ArgumentError("add_test_profile: iccid " + spec.iccid + " is already on the card (profile " +
                                std::to_string(p.number) + ")");
        }
    }
    const unsigned number = free_profile_number(state);
    if (number == 0) throw ArgumentError("add_test_profile: no room: the card holds " + std::to_string(kMaxProfiles) + " profiles");

    PersistentState data = factory_usim_data();  // fresh SQN array, default MILENAGE constants
    const uicc::FileTree tree;
    data.put(record_of(tree, "EF.ICCID"), to_secure(iccid));
    data.put(record_of(tree, "EF.IMSI"), to_secure(imsi));
    data.put(usim::kKRecord, spec.k);
    data.put(usim::kOpcRecord, spec.opc);
    const std::string copy = "euicc/profile/" + to_hex(bytes{static_cast<uint8_t>(number)}) + "/data/";
    for (const auto& name : data.names()) state.put(copy + name, *data.get(name));

    StoredProfile profile;
    profile.number = number;
    profile.iccid = iccid;
    profile.state = es10::ProfileState::Disabled;
    profile.profile_class = spec.profile_class;
    profile.profile_name = spec.profile_name;
    profile.service_provider_name = spec.service_provider_name;
    profile.nickname = spec.nickname;
    profile.policy_rules = spec.policy_rules;
    save_profile(state, profile);
    return InstalledProfile{number, profile.isdp_aid()};
}

}  // namespace simkit::sim::euicc

// The eUICC's profiles in the card state (see profile_store.hpp, specs/euicc.md "Card side").
#include "euicc/profile_store.hpp"

#include <algorithm>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "uicc/file_tree.hpp"
#include "usim/sqn_array.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim::euicc {

const bytes kIsdrAid = from_hex("A0000005591010FFFFFFFF8900000100");

bytes isdp_aid(unsigned number) {
    bytes aid = from_hex("A0000005591010FFFFFFFF8900001000");
    aid[14] = static_cast<uint8_t>(0x10 + (number - 1));
    return aid;
}

namespace {
std::string two_hex(unsigned n) { return to_hex(bytes{static_cast<uint8_t>(n)}); }
std::string profile_prefix(unsigned n) { return "euicc/profile/" + two_hex(n) + "/"; }
std::string data_prefix(unsigned n) { return profile_prefix(n) + "data/"; }

std::optional<std::string> text(const PersistentState& state, const std::string& name) {
    const secure_bytes* v = state.get(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v->begin(), v->end());
}
std::optional<bytes> raw(const PersistentState& state, const std::string& name) {
    const secure_bytes* v = state.get(name);
    if (v == nullptr) return std::nullopt;
    return to_bytes(*v);
}
void put_optional(PersistentState& state, const std::string& name, const std::optional<std::string>& value) {
    if (value) state.put(name, secure_bytes(value->begin(), value->end()));
    else state.erase(name);
}
void put_optional(PersistentState& state, const std::string& name, const std::optional<bytes>& value) {
    if (value) state.put(name, to_secure(*value));
    else state.erase(name);
}

std::optional<StoredProfile> load_profile(const PersistentState& state, unsigned n) {
    const std::string p = profile_prefix(n);
    const secure_bytes* iccid = state.get(p + "iccid");
    const secure_bytes* st = state.get(p + "state");
    const secure_bytes* cls = state.get(p + "class");
    if (iccid == nullptr || st == nullptr || cls == nullptr || st->size() != 1 || cls->size() != 1) return std::nullopt;
    if ((*st)[0] > 1 || (*cls)[0] > 2) return std::nullopt;
    StoredProfile profile;
    profile.number = n;
    profile.iccid = to_bytes(*iccid);
    profile.state = static_cast<es10::ProfileState>((*st)[0]);
    profile.profile_class = static_cast<es10::ProfileClass>((*cls)[0]);
    profile.nickname = text(state, p + "nickname");
    profile.service_provider_name = text(state, p + "spn");
    profile.profile_name = text(state, p + "name");
    if (const secure_bytes* t = state.get(p + "icon_type"); t != nullptr && t->size() == 1 && (*t)[0] <= 1) {
        profile.icon_type = static_cast<es10::IconType>((*t)[0]);
    }
    profile.icon = raw(state, p + "icon");
    profile.policy_rules = raw(state, p + "ppr");
    return profile;
}

bool ppr_bit(const std::optional<bytes>& rules, uint8_t mask) {
    return rules && rules->size() >= 2 && ((*rules)[1] & mask) != 0;
}

std::vector<std::string> live_names(const PersistentState& state) {
    std::vector<std::string> out = state.names("usim/");
    for (auto& n : state.names("uicc/ef/")) out.push_back(std::move(n));
    return out;
}

// Live records a profile's copy lacked (a record a newer build added): factory values.
void add_missing_live_defaults(PersistentState& state) {
    const PersistentState factory = factory_usim_data();
    for (const auto& name : factory.names()) {
        if (state.get(name) == nullptr) state.put(name, *factory.get(name));
    }
}

uint8_t digit_mod97(const std::string& digits) {
    unsigned r = 0;
    for (char c : digits) r = (r * 10 + static_cast<unsigned>(c - '0')) % 97;
    return static_cast<uint8_t>(r);
}
}  // namespace

bool StoredProfile::has_ppr1() const { return ppr_bit(policy_rules, 0x40); }
bool StoredProfile::has_ppr2() const { return ppr_bit(policy_rules, 0x20); }

es10::ProfileInfo StoredProfile::info() const {
    es10::ProfileInfo i;
    i.iccid = iccid;
    i.isdp_aid = isdp_aid();
    i.state = state;
    i.nickname = nickname;
    i.service_provider_name = service_provider_name;
    i.profile_name = profile_name;
    i.icon_type = icon_type;
    i.icon = icon;
    i.profile_class = profile_class;
    i.policy_rules = policy_rules;
    return i;
}

std::vector<StoredProfile> load_profiles(const PersistentState& state) {
    std::vector<StoredProfile> out;
    for (unsigned n = 1; n <= kMaxProfiles; ++n) {
        if (auto p = load_profile(state, n)) out.push_back(std::move(*p));
    }
    return out;
}

std::optional<StoredProfile> find_profile(const PersistentState& state, const es10::ProfileIdentifier& id) {
    for (auto& p : load_profiles(state)) {
        if (id.kind == es10::ProfileIdentifier::Kind::IsdpAid ? p.isdp_aid() == id.value
                                                                : es10::iccid_matches(p.iccid, id.value)) {
            return p;
        }
    }
    return std::nullopt;
}

std::optional<StoredProfile> enabled_profile(const PersistentState& state) {
    for (auto& p : load_profiles(state)) {
        if (p.state == es10::ProfileState::Enabled) return p;
    }
    return std::nullopt;
}

std::optional<StoredProfile> enabled_before_test(const PersistentState& state) {
    const secure_bytes* n = state.get(kEnabledBeforeTestRecord);
    if (n == nullptr || n->size() != 1 || (*n)[0] == 0 || (*n)[0] > kMaxProfiles) return std::nullopt;
    auto profile = load_profile(state, (*n)[0]);
    if (profile && profile->profile_class == es10::ProfileClass::Test) return std::nullopt;
    return profile;
}

void set_enabled_before_test(PersistentState& state, const StoredProfile* profile) {
    if (profile == nullptr) state.erase(kEnabledBeforeTestRecord);
    else state.put(kEnabledBeforeTestRecord, secure_bytes{static_cast<uint8_t>(profile->number)});
}

void save_profile(PersistentState& state, const StoredProfile& profile) {
    const std::string p = profile_prefix(profile.number);
    state.put(p + "iccid", to_secure(profile.iccid));
    state.put(p + "state", secure_bytes{static_cast<uint8_t>(profile.state)});
    state.put(p + "class", secure_bytes{static_cast<uint8_t>(profile.profile_class)});
    put_optional(state, p + "nickname", profile.nickname);
    put_optional(state, p + "spn", profile.service_provider_name);
    put_optional(state, p + "name", profile.profile_name);
    put_optional(state, p + "icon_type",
                 profile.icon_type ? std::optional<bytes>(bytes{static_cast<uint8_t>(*profile.icon_type)}) : std::nullopt);
    put_optional(state, p + "icon", profile.icon);
    put_optional(state, p + "ppr", profile.policy_rules);
}

unsigned free_profile_number(const PersistentState& state) {
    for (unsigned n = 1; n <= kMaxProfiles; ++n) {
        if (state.names(profile_prefix(n)).empty()) return n;
    }
    return 0;
}

bool is_usim_data(const std::string& record) {
    return record.rfind("usim/", 0) == 0 || record.rfind("uicc/ef/", 0) == 0;
}

PersistentState factory_usim_data() {
    PersistentState factory;
    uicc::FileTree{}.write_factory_defaults(factory);
    usim::write_default_keys(factory);
    usim::SqnArray::write_defaults(factory);
    return factory;
}

void switch_usim_data(PersistentState& state, const StoredProfile* to_disable, const StoredProfile* to_enable) {
    if (to_disable != nullptr) {
        const std::string copy = data_prefix(to_disable->number);
        for (const auto& name : state.names(copy)) state.erase(name);
        for (const auto& name : live_names(state)) {
            secure_bytes value = *state.get(name);
            state.put(copy + name, std::move(value));
        }
        StoredProfile disabled = *to_disable;
        disabled.state = es10::ProfileState::Disabled;
        save_profile(state, disabled);
    }
    if (to_enable != nullptr) {
        const std::string copy = data_prefix(to_enable->number);
        for (const auto& name : live_names(state)) {
            if (state.get(copy + name) == nullptr) state.erase(name);
        }
        for (const auto& name : state.names(copy)) {
            const std::string live = name.substr(copy.size());
            secure_bytes value = *state.get(name);
            state.erase(name);
            if (is_usim_data(live)) state.put(live, std::move(value));
        }
        add_missing_live_defaults(state);
        StoredProfile enabled = *to_enable;
        enabled.state = es10::ProfileState::Enabled;
        save_profile(state, enabled);
    }
}

void erase_profile(PersistentState& state, const StoredProfile& profile) {
    for (const auto& name : state.names(profile_prefix(profile.number))) state.erase(name);
    // The record names the profile just erased, or the Test Profile enabled over it is going.
    if (!enabled_before_test(state) || profile.state == es10::ProfileState::Enabled) state.erase(kEnabledBeforeTestRecord);
    if (profile.state == es10::ProfileState::Enabled) {
        for (const auto& name : live_names(state)) state.erase(name);
        add_missing_live_defaults(state);
    }
}

bool usim_present(const PersistentState& state) {
    if (state.get(kEidRecord) == nullptr) return true;
    for (unsigned n = 1; n <= kMaxProfiles; ++n) {
        const secure_bytes* st = state.get(profile_prefix(n) + "state");
        if (st != nullptr && st->size() == 1 && (*st)[0] == 1) return true;
    }
    return false;
}

std::string eid_check_digits(const std::string& first30) {
    const unsigned check = 98u - digit_mod97(first30 + "00");
    return std::string{static_cast<char>('0' + check / 10), static_cast<char>('0' + check % 10)};
}

bool eid_valid(const std::string& digits) {
    if (digits.size() != 32 || digits.rfind("89", 0) != 0) return false;
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    return digit_mod97(digits) == 1;
}

std::string new_eid() {
    std::string digits = "89999001000000";  // 89, country 999 (test), issuer 001, version 00000, 0
    const bytes random = crypto::random_bytes(16);
    for (uint8_t b : random) digits.push_back(static_cast<char>('0' + b % 10));
    return digits + eid_check_digits(digits);
}

bytes eid_to_bytes(const std::string& digits) {
    if (digits.size() != 32) throw ArgumentError("EID must be 32 digits");
    bytes out(16);
    for (std::size_t i = 0; i < 16; ++i) {
        out[i] = static_cast<uint8_t>(((digits[2 * i] - '0') << 4) | (digits[2 * i + 1] - '0'));
    }
    return out;
}

std::string eid_to_digits(const bytes& eid) {
    std::string out;
    for (uint8_t b : eid) {
        out.push_back(static_cast<char>('0' + (b >> 4)));
        out.push_back(static_cast<char>('0' + (b & 0x0F)));
    }
    return out;
}

void add_missing_euicc_records(PersistentState& state) {
    if (state.get(kEidRecord) != nullptr) return;
    state.put(kEidRecord, to_secure(eid_to_bytes(new_eid())));
    if (!load_profiles(state).empty()) return;
    StoredProfile profile;
    profile.number = 1;
    const uicc::FileTree tree;
    std::string imsi;
    for (const uicc::FileNode* ef : tree.elementary_files()) {
        const secure_bytes* live = state.get(ef->record);
        const bytes content = live != nullptr ? to_bytes(*live) : ef->factory;
        if (ef->name == "EF.ICCID") profile.iccid = content;
        if (ef->name == "EF.IMSI") {
            try {
                imsi = simkit::uicc::decode_imsi(content);
            } catch (const Error&) {
                imsi.clear();
            }
        }
    }
    profile.state = es10::ProfileState::Enabled;
    profile.profile_class = es10::ProfileClass::Operational;
    profile.service_provider_name = "simkit";
    profile.profile_name = imsi.empty() ? "simkit USIM" : "simkit USIM " + imsi;
    save_profile(state, profile);
}

}  // namespace simkit::sim::euicc

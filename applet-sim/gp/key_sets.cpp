// Key sets in the persistent state (see key_sets.hpp and specs/isd.md).
#include "gp/key_sets.hpp"

#include <algorithm>

#include "gp/key_records.hpp"

namespace simkit::sim {

namespace {
const secure_bytes* key_of(const PersistentState& state, uint8_t kvn, uint8_t id) {
    return state.get(records::key_name(kvn, id));
}

// The info record of an older state is absent: its keys are AES (SCP03 i=70).
bytes info_of(const PersistentState& state, uint8_t kvn) {
    const secure_bytes* info = state.get(records::key_set_info_name(kvn));
    if (info != nullptr && info->size() == 3) return to_bytes(*info);
    return bytes{0x03, default_i(scp::Protocol::Scp03), gp::kKeyTypeAes};
}

secure_bytes kdd_from_serial(const secure_bytes* serial) {
    secure_bytes kdd{0x53, 0x4B};  // "SK"
    secure_bytes tail(8, 0x00);
    if (serial != nullptr) {
        const std::size_t n = std::min<std::size_t>(8, serial->size());
        std::copy(serial->end() - static_cast<std::ptrdiff_t>(n), serial->end(),
                  tail.begin() + static_cast<std::ptrdiff_t>(8 - n));
    }
    kdd.insert(kdd.end(), tail.begin(), tail.end());
    return kdd;
}

void put_if_absent(PersistentState& state, const std::string& name, secure_bytes value) {
    if (state.get(name) == nullptr) state.put(name, std::move(value));
}
}  // namespace

uint8_t default_i(scp::Protocol protocol) { return protocol == scp::Protocol::Scp03 ? 0x70 : 0x15; }

bool i_is_supported(scp::Protocol protocol, uint8_t i) {
    if (protocol == scp::Protocol::Scp02) return i == 0x15 || i == 0x55;
    return i == 0x60 || i == 0x61 || i == 0x70 || i == 0x71;
}

std::optional<KeySet> load_key_set(const PersistentState& state, uint8_t kvn) {
    const secure_bytes* enc = key_of(state, kvn, 1);
    const secure_bytes* mac = key_of(state, kvn, 2);
    const secure_bytes* dek = key_of(state, kvn, 3);
    if (enc == nullptr || mac == nullptr || dek == nullptr) return std::nullopt;
    const bytes info = info_of(state, kvn);
    KeySet set;
    set.kvn = kvn;
    set.protocol = info[0] == 0x02 ? scp::Protocol::Scp02 : scp::Protocol::Scp03;
    set.i = info[1];
    set.key_type = info[2];
    set.keys = scp::StaticKeys{*enc, *mac, *dek};
    return set;
}

std::vector<uint8_t> complete_key_set_versions(const PersistentState& state) {
    std::vector<uint8_t> out;
    for (const uint8_t kvn : records::key_set_versions(state)) {
        if (key_of(state, kvn, 1) && key_of(state, kvn, 2) && key_of(state, kvn, 3)) out.push_back(kvn);
    }
    return out;
}

std::optional<KeySet> default_key_set(const PersistentState& state) {
    const auto versions = complete_key_set_versions(state);
    if (versions.empty()) return std::nullopt;
    return load_key_set(state, versions.front());
}

void store_key_set(PersistentState& state, const KeySet& set) {
    state.put(records::key_name(set.kvn, 1), set.keys.enc);
    state.put(records::key_name(set.kvn, 2), set.keys.mac);
    state.put(records::key_name(set.kvn, 3), set.keys.dek);
    state.put(records::key_set_info_name(set.kvn),
              secure_bytes{static_cast<uint8_t>(set.protocol), set.i, set.key_type});
}

void erase_key_set(PersistentState& state, uint8_t kvn) {
    for (const auto& name : state.names(records::key_set_prefix(kvn))) state.erase(name);
}

void write_gp_factory_defaults(PersistentState& state) {
    const secure_bytes factory_key = secure_from_hex("404142434445464748494A4B4C4D4E4F");
    store_key_set(state, KeySet{kFactoryKvn, scp::Protocol::Scp03, default_i(scp::Protocol::Scp03), gp::kKeyTypeAes,
                                scp::StaticKeys{factory_key, factory_key, factory_key}});
    add_missing_gp_records(state);
}

void add_missing_gp_records(PersistentState& state) {
    for (const uint8_t kvn : records::key_set_versions(state)) {
        put_if_absent(state, records::key_set_info_name(kvn),
                      secure_bytes{0x03, default_i(scp::Protocol::Scp03), gp::kKeyTypeAes});
    }
    put_if_absent(state, records::kScp03Sequence, secure_bytes(3, 0x00));
    put_if_absent(state, records::kScp02Sequence, secure_bytes(2, 0x00));
    put_if_absent(state, records::kKeyDiversificationData, kdd_from_serial(state.get(records::kCardSerial)));
}

}  // namespace simkit::sim

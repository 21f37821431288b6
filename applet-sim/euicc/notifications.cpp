// Pending notifications as records (see notifications.hpp).
#include "euicc/notifications.hpp"

#include <algorithm>

#include "euicc/profile_store.hpp"
#include "euicc/test_pki.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"

namespace simkit::sim::euicc {

namespace {
constexpr const char* kPrefix = "euicc/notification/";

std::string seq_hex(uint32_t seq) {
    return to_hex(bytes{static_cast<uint8_t>(seq >> 24), static_cast<uint8_t>(seq >> 16), static_cast<uint8_t>(seq >> 8),
                        static_cast<uint8_t>(seq)});
}
std::string prefix_of(uint32_t seq) { return std::string(kPrefix) + seq_hex(seq) + "/"; }

std::vector<uint32_t> sequence_numbers(const PersistentState& state) {
    std::vector<uint32_t> out;
    const std::string prefix(kPrefix);
    for (const auto& name : state.names(prefix)) {
        // euicc/notification/SSSSSSSS/event
        if (name.size() != prefix.size() + 8 + 6 || name.compare(prefix.size() + 8, 6, "/event") != 0) continue;
        try {
            const bytes b = from_hex(name.substr(prefix.size(), 8));
            out.push_back((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
        } catch (const Error&) {
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<es10::NotificationMetadata> load(const PersistentState& state, uint32_t seq) {
    const std::string p = prefix_of(seq);
    const secure_bytes* event = state.get(p + "event");
    const secure_bytes* address = state.get(p + "address");
    if (event == nullptr || address == nullptr || event->size() != 1 || (*event)[0] > 3) return std::nullopt;
    es10::NotificationMetadata m;
    m.seq_number = seq;
    m.event = static_cast<es10::NotificationEvent>((*event)[0]);
    m.address = std::string(address->begin(), address->end());
    if (const secure_bytes* iccid = state.get(p + "iccid")) m.iccid = to_bytes(*iccid);
    return m;
}

void erase_all(PersistentState& state, uint32_t seq) {
    for (const auto& name : state.names(prefix_of(seq))) state.erase(name);
}
}  // namespace

void add_notification(PersistentState& state, es10::NotificationEvent event, const bytes& iccid) {
    uint32_t seq = 1;
    if (const secure_bytes* next = state.get(kNextSeqRecord); next != nullptr && next->size() == 4) {
        seq = (uint32_t{(*next)[0]} << 24) | (uint32_t{(*next)[1]} << 16) | (uint32_t{(*next)[2]} << 8) | (*next)[3];
    }
    std::vector<uint32_t> pending = sequence_numbers(state);
    for (std::size_t i = 0; pending.size() - i >= kMaxNotifications; ++i) erase_all(state, pending[i]);
    const std::string p = prefix_of(seq);
    state.put(p + "event", secure_bytes{static_cast<uint8_t>(event)});
    const secure_bytes* dp = state.get(kDefaultDpAddressRecord);
    const std::string address = dp != nullptr ? std::string(dp->begin(), dp->end()) : std::string(kTestSmdpAddress);
    state.put(p + "address", secure_bytes(address.begin(), address.end()));
    state.put(p + "iccid", to_secure(iccid));
    const uint32_t next = seq + 1;
    state.put(kNextSeqRecord, secure_bytes{static_cast<uint8_t>(next >> 24), static_cast<uint8_t>(next >> 16),
                                           static_cast<uint8_t>(next >> 8), static_cast<uint8_t>(next)});
}

std::vector<es10::NotificationMetadata> list_notifications(const PersistentState& state,
                                                           std::optional<es10::NotificationEvent> filter) {
    std::vector<es10::NotificationMetadata> out;
    for (uint32_t seq : sequence_numbers(state)) {
        auto m = load(state, seq);
        if (m && (!filter || m->event == *filter)) out.push_back(std::move(*m));
    }
    return out;
}

es10::SignedNotification sign_notification(const PersistentState& state, const es10::NotificationMetadata& metadata) {
    const secure_bytes* key = state.get(kEuiccKeyRecord);
    const secure_bytes* euicc_cert = state.get(kEuiccCertificateRecord);
    const secure_bytes* eum_cert = state.get(kEumCertificateRecord);
    if (key == nullptr || euicc_cert == nullptr || eum_cert == nullptr) throw StateError("eUICC key or certificates missing");
    es10::SignedNotification s;
    s.metadata = metadata;
    s.signature = crypto::p256_sign_message(*key, metadata.to_tlv().encode());
    s.euicc_certificate = to_bytes(*euicc_cert);
    s.eum_certificate = to_bytes(*eum_cert);
    return s;
}

bool remove_notification(PersistentState& state, uint32_t seq) {
    if (!load(state, seq)) return false;
    erase_all(state, seq);
    return true;
}

}  // namespace simkit::sim::euicc

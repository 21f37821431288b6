// PUT KEY (GP 2.3 11.8, Amendment D 7.2) and DELETE key (11.2) of the ISD's key sets. A key set is
// written or removed as a whole in one command, so the runtime's atomic commit leaves the old set or
// the new one, never a mix. PUT KEY needs a session with C-MAC and C-DECRYPTION: the keys arrive
// encrypted under the DEK, each with its KCV, which the card checks before anything is stored.
#include "gp/isd.hpp"
#include "gp/key_records.hpp"
#include "gp/key_sets.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

namespace {
// Reads a BER length (1 to 3 bytes) at data[*at]; 6A80 when it runs past the data.
std::size_t read_length(const bytes& data, std::size_t* at) {
    if (*at >= data.size()) throw SwError(sw::kWrongData, "key data truncated");
    const uint8_t first = data[(*at)++];
    if (first < 0x80) return first;
    const std::size_t n = first & 0x7F;
    if (n == 0 || n > 2 || data.size() - *at < n) throw SwError(sw::kWrongData, "bad key data length");
    std::size_t length = 0;
    for (std::size_t k = 0; k < n; ++k) length = (length << 8) | data[(*at)++];
    return length;
}

bytes take(const bytes& data, std::size_t* at, std::size_t n) {
    if (data.size() - *at < n) throw SwError(sw::kWrongData, "key data truncated");
    bytes out(data.begin() + static_cast<std::ptrdiff_t>(*at), data.begin() + static_cast<std::ptrdiff_t>(*at + n));
    *at += n;
    return out;
}

struct ReceivedKey {
    uint8_t type;
    secure_bytes value;
};

// One key component: type, key data, KCV (GP 2.3 Table 11-69). AES key data is either a 1-byte
// clear key length followed by the encrypted, padded key (Amendment D, GlobalPlatformPro) or, when
// its length is a multiple of 16, the encrypted key alone (GP 2.3 Table 11-71, pySim).
ReceivedKey read_key(const bytes& data, std::size_t* at, const scp::SecureMessaging& messaging) {
    const uint8_t type = take(data, at, 1)[0];
    bytes key_data = take(data, at, read_length(data, at));
    const bytes kcv = take(data, at, take(data, at, 1)[0]);
    ReceivedKey key{type, {}};
    if (type == gp::kKeyTypeAes) {
        std::size_t clear_length = key_data.size();
        if (key_data.size() % 16 == 1) {
            clear_length = key_data[0];
            key_data.erase(key_data.begin());
        }
        if (key_data.empty() || key_data.size() % 16 != 0 || clear_length > key_data.size() ||
            (clear_length != 16 && clear_length != 24 && clear_length != 32)) {
            throw SwError(sw::kWrongData, "AES key data");
        }
        key.value = messaging.decrypt_sensitive(key_data);
        key.value.resize(clear_length);
    } else if (type == gp::kKeyTypeDes) {
        if (key_data.size() != 16 || key_data.size() % messaging.block_size() != 0) {
            throw SwError(sw::kWrongData, "3DES key data must be 16 bytes");
        }
        key.value = messaging.decrypt_sensitive(key_data);
    } else {
        throw SwError(sw::kWrongData, "key type not supported");
    }
    if (kcv.size() != 0 && kcv.size() != 3) throw SwError(sw::kWrongData, "KCV length");
    if (kcv.size() == 3) {
        const bytes expected = type == gp::kKeyTypeAes ? scp::kcv_aes(key.value) : scp::kcv_des3(key.value);
        if (!ct_equal(kcv, expected)) throw SwError(sw::kWrongData, "KCV does not match");
    }
    return key;
}
}  // namespace

// 80 D8 P1 P2: P1 the KVN to replace (00: add a key set), P2 b7-b1 the first key id (1), b8 several
// keys. Data: new KVN, then key components for ids P2, P2+1 ... Answer: KVN || KCV of each key.
ResponseApdu IssuerSecurityDomain::put_key(CommandContext& ctx) {
    SecureChannelSession& sc = secure_channel(ctx);
    sc.require(scp::kCMac | scp::kCDecryption);
    const uint8_t replace_kvn = ctx.apdu.p1() & 0x7F;
    if ((ctx.apdu.p1() & 0x80) != 0) throw SwError(sw::kIncorrectP1P2, "more PUT KEY commands are not supported");
    const uint8_t first_id = ctx.apdu.p2() & 0x7F;
    if (first_id < 1 || first_id > 3) throw SwError(sw::kIncorrectP1P2, "key id must be 1..3");
    const bytes& data = ctx.apdu.data();
    if (data.empty()) throw SwError(sw::kWrongLength);
    const uint8_t new_kvn = data[0];
    if (new_kvn < 0x01 || new_kvn > 0x7F) throw SwError(sw::kWrongData, "KVN must be 01..7F");

    std::vector<ReceivedKey> received;
    for (std::size_t at = 1; at < data.size();) received.push_back(read_key(data, &at, sc.messaging()));
    if (received.empty() || first_id + received.size() - 1 > 3) throw SwError(sw::kWrongData, "key ids beyond 3");
    if ((ctx.apdu.p2() & 0x80) == 0 && received.size() != 1) throw SwError(sw::kWrongData, "one key expected");

    KeySet set;
    if (replace_kvn == 0) {
        if (load_key_set(ctx.state, new_kvn) || !ctx.state.names(records::key_set_prefix(new_kvn)).empty()) {
            throw SwError(sw::kConditionsNotSatisfied, "a key set with that KVN exists");
        }
        if (complete_key_set_versions(ctx.state).size() >= kMaxKeySets) throw SwError(sw::kNotEnoughMemory);
        if (first_id != 1 || received.size() != 3) throw SwError(sw::kWrongData, "a new key set needs ENC, MAC, DEK");
    } else {
        auto old = load_key_set(ctx.state, replace_kvn);
        if (!old) throw SwError(sw::kReferencedDataNotFound, "no key set with that KVN");
        if (new_kvn != replace_kvn && !ctx.state.names(records::key_set_prefix(new_kvn)).empty()) {
            throw SwError(sw::kConditionsNotSatisfied, "a key set with the new KVN exists");
        }
        set = std::move(*old);
    }
    secure_bytes* slots[3] = {&set.keys.enc, &set.keys.mac, &set.keys.dek};
    for (std::size_t k = 0; k < received.size(); ++k) *slots[first_id - 1 + k] = received[k].value;
    const uint8_t type = received.front().type;
    for (const auto& key : received) {
        if (key.type != type) throw SwError(sw::kWrongData, "keys of one set must have one type");
    }
    if (set.keys.enc.size() != set.keys.mac.size() || set.keys.mac.size() != set.keys.dek.size()) {
        throw SwError(sw::kWrongData, "keys of one set must have one length");
    }
    const scp::Protocol protocol = type == gp::kKeyTypeAes ? scp::Protocol::Scp03 : scp::Protocol::Scp02;
    if (replace_kvn == 0 || protocol != set.protocol) set.i = default_i(protocol);
    set.protocol = protocol;
    set.key_type = type;
    set.kvn = new_kvn;

    if (replace_kvn != 0) erase_key_set(ctx.state, replace_kvn);
    store_key_set(ctx.state, set);

    bytes answer{new_kvn};
    for (const secure_bytes* key : slots) {
        const bytes kcv = type == gp::kKeyTypeAes ? scp::kcv_aes(*key) : scp::kcv_des3(*key);
        answer.insert(answer.end(), kcv.begin(), kcv.end());
    }
    return ResponseApdu::ok(std::move(answer));
}

// 80 E4 00 00, data D2 01 KVN [D0 01 key id]: removes a key set, or one key of it. The last complete
// key set is never removed (6985): that would lock the card for good.
ResponseApdu IssuerSecurityDomain::delete_key(CommandContext& ctx) {
    secure_channel(ctx).require(scp::kCMac);
    if (ctx.apdu.p1() != 0x00 || (ctx.apdu.p2() & 0x7F) != 0x00) throw SwError(sw::kIncorrectP1P2);
    std::vector<Tlv> fields;
    try {
        fields = parse_tlvs(ctx.apdu.data());
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData);
    }
    const auto kvn_field = find_tlv(fields, 0xD2);
    const auto id_field = find_tlv(fields, 0xD0);
    if (!kvn_field || kvn_field->value.size() != 1 || (id_field && id_field->value.size() != 1)) {
        throw SwError(sw::kWrongData, "DELETE key needs D2 (KVN) and optionally D0 (key id)");
    }
    const uint8_t kvn = kvn_field->value[0];
    if (ctx.state.names(records::key_set_prefix(kvn)).empty()) throw SwError(sw::kReferencedDataNotFound);
    const auto complete = complete_key_set_versions(ctx.state);
    const bool complete_now = std::find(complete.begin(), complete.end(), kvn) != complete.end();
    if (complete_now && complete.size() == 1) throw SwError(sw::kConditionsNotSatisfied, "last key set");
    if (id_field) {
        const uint8_t id = id_field->value[0];
        if (ctx.state.get(records::key_name(kvn, id)) == nullptr) throw SwError(sw::kReferencedDataNotFound);
        ctx.state.erase(records::key_name(kvn, id));
    } else {
        erase_key_set(ctx.state, kvn);
    }
    return ResponseApdu::ok({0x00});
}

}  // namespace simkit::sim

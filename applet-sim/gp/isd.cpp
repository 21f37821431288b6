// Issuer Security Domain: FCI, GET DATA (GlobalPlatform Card Specification 2.3, 11.3 and H.2), the
// DGIs it takes by STORE DATA, and its INS table. GET STATUS is in isd_registry.cpp, PUT KEY and
// DELETE key in isd_keys.cpp.
#include "gp/isd.hpp"

#include <algorithm>

#include "gp/key_records.hpp"
#include "gp/key_sets.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/gp_commands.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

namespace {
// DGIs the ISD takes by STORE DATA (specs/isd.md).
constexpr uint16_t kDgiCardImageNumber = 0x0045;
constexpr uint16_t kDgiKeyDiversificationData = 0x00CF;
constexpr uint16_t kDgiKeySetOptions = 0x7F01;
const bytes kGpOid{0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B};  // 1.2.840.114283

bytes gp_oid(std::initializer_list<uint8_t> arcs) {
    bytes oid = kGpOid;
    oid.insert(oid.end(), arcs.begin(), arcs.end());
    return encode_tlv(0x06, oid);
}

// Card Recognition Data (GP 2.3 H.2): GP card, GP 2.3, and the secure channel protocol and i of the
// default key set (the one INITIALIZE UPDATE with KVN 00 uses).
bytes card_recognition_data(const PersistentState& state) {
    const auto set = default_key_set(state);
    const uint8_t scp = set ? static_cast<uint8_t>(set->protocol) : 0x03;
    const uint8_t i = set ? set->i : default_i(scp::Protocol::Scp03);
    bytes inner = encode_tlv(0x73, {gp_oid({0x01}), encode_tlv(0x60, gp_oid({0x02, 0x02, 0x03})),
                                    encode_tlv(0x63, gp_oid({0x03})), encode_tlv(0x64, gp_oid({0x04, scp, i}))});
    return encode_tlv(0x66, inner);
}

bytes serial_of(const PersistentState& state) {
    const secure_bytes* serial = state.get(records::kCardSerial);
    if (serial == nullptr) throw SwError(sw::kReferencedDataNotFound, "card serial missing from state");
    return to_bytes(*serial);
}

// Card Production Life Cycle data (GP 2.3 H.6): 42 bytes, IC serial number at offset 12.
bytes cplc(const PersistentState& state) {
    bytes value(42, 0x00);
    value[0] = 0x53;  // IC fabricator "S" (simulated)
    value[1] = 0x4B;  // "K"
    // IC serial number: the last 4 bytes of the card serial, right-aligned (zero-filled if shorter).
    const bytes serial = serial_of(state);
    const std::size_t n = std::min<std::size_t>(4, serial.size());
    std::copy(serial.end() - static_cast<std::ptrdiff_t>(n), serial.end(),
              value.begin() + static_cast<std::ptrdiff_t>(16 - n));
    bytes out{0x9F, 0x7F};
    append_length(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

// Key Information Template (GP 2.3 11.3.3.1): C0 {key id, KVN, type 88 AES | 80 DES, length}.
bytes key_information(const PersistentState& state) {
    bytes value;
    for (const auto& kvn : records::key_set_versions(state)) {
        const secure_bytes* info = state.get(records::key_set_info_name(kvn));
        const uint8_t type = info != nullptr && info->size() == 3 ? (*info)[2] : gp::kKeyTypeAes;
        for (uint8_t id = 1; id <= 3; ++id) {
            const secure_bytes* key = state.get(records::key_name(kvn, id));
            if (key == nullptr) continue;
            const bytes entry = encode_tlv(0xC0, bytes{id, kvn, type, static_cast<uint8_t>(key->size())});
            value.insert(value.end(), entry.begin(), entry.end());
        }
    }
    return encode_tlv(0xE0, value);
}
}  // namespace

const bytes IssuerSecurityDomain::kDefaultAid{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

IssuerSecurityDomain::IssuerSecurityDomain() : SecureChannelApplet(kDefaultAid, "ISD") {
    on_ins(gp::kInsGetData, ClaAccept::Any, [this](CommandContext& ctx) { return get_data(ctx); });
    on_ins(gp::kInsGetStatus, ClaAccept::Proprietary, [this](CommandContext& ctx) { return get_status(ctx); });
    on_ins(gp::kInsPutKey, ClaAccept::Proprietary, [this](CommandContext& ctx) { return put_key(ctx); });
    on_ins(gp::kInsDelete, ClaAccept::Proprietary, [this](CommandContext& ctx) { return delete_key(ctx); });
}

std::unique_ptr<AppletSession> IssuerSecurityDomain::new_session() const { return std::make_unique<IsdSession>(); }

void IssuerSecurityDomain::write_factory_defaults(PersistentState& state) const {
    state.put(records::kCardSerial, to_secure(crypto::random_bytes(8)));
    write_gp_factory_defaults(state);
}

void IssuerSecurityDomain::add_missing_records(PersistentState& state) const { add_missing_gp_records(state); }

void IssuerSecurityDomain::store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) {
    switch (dgi) {
        case kDgiCardImageNumber:
            if (value.empty() || value.size() > 16) throw SwError(sw::kWrongData, "CIN must be 1..16 bytes");
            ctx.state.put(records::kCardSerial, value);
            return;
        case kDgiKeyDiversificationData:
            if (value.size() != 10) throw SwError(sw::kWrongData, "KDD must be 10 bytes");
            ctx.state.put(records::kKeyDiversificationData, value);
            return;
        case kDgiKeySetOptions: {
            if (value.size() != 2) throw SwError(sw::kWrongData, "key set options: KVN and i");
            auto set = load_key_set(ctx.state, value[0]);
            if (!set) throw SwError(sw::kReferencedDataNotFound, "no key set with that KVN");
            if (!i_is_supported(set->protocol, value[1])) throw SwError(sw::kWrongData, "i not supported");
            set->i = value[1];
            store_key_set(ctx.state, *set);
            return;
        }
        default: SecureChannelApplet::store_dgi(ctx, dgi, value);
    }
}

ResponseApdu IssuerSecurityDomain::on_select(CommandContext&) {
    // 6F { 84 AID, A5 { 9F65 01 FF: maximum length of data field in a command message } }
    const bytes proprietary = encode_tlv(0xA5, {encode_tlv(0x9F65, bytes{0xFF})});
    return ResponseApdu::ok(encode_tlv(0x6F, {encode_tlv(0x84, aid()), proprietary}));
}

ResponseApdu IssuerSecurityDomain::get_data(CommandContext& ctx) {
    if (!ctx.apdu.data().empty()) throw SwError(sw::kWrongLength);
    switch (ctx.apdu.p1p2()) {
        case 0x0066: return ResponseApdu::ok(card_recognition_data(ctx.state));
        case 0x9F7F: return ResponseApdu::ok(cplc(ctx.state));
        case 0x0042: return ResponseApdu::ok(encode_tlv(0x42, bytes{0x89, 0x99, 0x99}));  // IIN: test range
        case 0x0045: return ResponseApdu::ok(encode_tlv(0x45, serial_of(ctx.state)));
        case 0x00E0: return ResponseApdu::ok(key_information(ctx.state));
        default: throw SwError(sw::kReferencedDataNotFound);
    }
}

}  // namespace simkit::sim

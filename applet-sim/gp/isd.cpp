// Issuer Security Domain: FCI and GET DATA (GlobalPlatform Card Specification 2.3, 11.3 and H.2).
#include "gp/isd.hpp"

#include <algorithm>

#include "gp/key_records.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

namespace {
constexpr uint8_t kInsGetData = 0xCA;
const bytes kGpOid{0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B};  // 1.2.840.114283

bytes gp_oid(std::initializer_list<uint8_t> arcs) {
    bytes oid = kGpOid;
    oid.insert(oid.end(), arcs.begin(), arcs.end());
    return encode_tlv(0x06, oid);
}

// Card Recognition Data (GP 2.3 H.2): GP card, GP 2.3, SCP03 i=70.
bytes card_recognition_data() {
    bytes inner = encode_tlv(0x73, {gp_oid({0x01}), encode_tlv(0x60, gp_oid({0x02, 0x02, 0x03})),
                                    encode_tlv(0x63, gp_oid({0x03})), encode_tlv(0x64, gp_oid({0x04, 0x03, 0x70}))});
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

// Key Information Template (GP 2.3 11.3.3.1): C0 {key id, KVN, type 88 = AES, length}.
bytes key_information(const PersistentState& state) {
    bytes value;
    for (const auto& kvn : records::key_set_versions(state)) {
        for (uint8_t id = 1; id <= 3; ++id) {
            const secure_bytes* key = state.get(records::key_name(kvn, id));
            if (key == nullptr) continue;
            const bytes entry = encode_tlv(0xC0, bytes{id, kvn, 0x88, static_cast<uint8_t>(key->size())});
            value.insert(value.end(), entry.begin(), entry.end());
        }
    }
    return encode_tlv(0xE0, value);
}
}  // namespace

const bytes IssuerSecurityDomain::kDefaultAid{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

IssuerSecurityDomain::IssuerSecurityDomain() : Applet(kDefaultAid, "ISD") {
    on_ins(kInsGetData, ClaAccept::Any, [this](CommandContext& ctx) { return get_data(ctx); });
}

void IssuerSecurityDomain::write_factory_defaults(PersistentState& state) const {
    const secure_bytes factory_key = secure_from_hex("404142434445464748494A4B4C4D4E4F");
    for (uint8_t id = 1; id <= 3; ++id) state.put(records::key_name(0x30, id), factory_key);
    state.put(records::kCardSerial, to_secure(crypto::random_bytes(8)));
}

ResponseApdu IssuerSecurityDomain::on_select(CommandContext&) {
    // 6F { 84 AID, A5 { 9F65 01 FF: maximum length of data field in a command message } }
    const bytes proprietary = encode_tlv(0xA5, {encode_tlv(0x9F65, bytes{0xFF})});
    return ResponseApdu::ok(encode_tlv(0x6F, {encode_tlv(0x84, aid()), proprietary}));
}

ResponseApdu IssuerSecurityDomain::get_data(CommandContext& ctx) {
    if (!ctx.apdu.data().empty()) throw SwError(sw::kWrongLength);
    switch (ctx.apdu.p1p2()) {
        case 0x0066: return ResponseApdu::ok(card_recognition_data());
        case 0x9F7F: return ResponseApdu::ok(cplc(ctx.state));
        case 0x0042: return ResponseApdu::ok(encode_tlv(0x42, bytes{0x89, 0x99, 0x99}));  // IIN: test range
        case 0x0045: return ResponseApdu::ok(encode_tlv(0x45, serial_of(ctx.state)));
        case 0x00E0: return ResponseApdu::ok(key_information(ctx.state));
        default: throw SwError(sw::kReferencedDataNotFound);
    }
}

}  // namespace simkit::sim

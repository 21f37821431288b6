// The key store applet: INS table, sessions, GET DATA, GET RANDOM, the PIN commands and the
// helpers the command files share (see keystore_applet.hpp and specs/keystore.md).
#include "keystore/keystore_applet.hpp"

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

using namespace keystore;

const bytes KeyStoreApplet::kAid = from_hex("A0000005590010");

namespace {
constexpr std::size_t kListPartSize = 240;

bytes application_record() {
    const std::string id = "simkit-iotsafe";
    bytes out;
    auto add = [&out](uint8_t tag, const bytes& value) {
        const bytes t = encode_tlv(tag, value);
        out.insert(out.end(), t.begin(), t.end());
    };
    add(0x10, {0x01});
    add(0x11, bytes(id.begin(), id.end()));
    add(0xB1, {static_cast<uint8_t>(kMaxFiles)});
    add(0xB2, {static_cast<uint8_t>(kMaxPrivateKeys)});
    add(0xB3, {static_cast<uint8_t>(kMaxPublicKeys)});
    add(0xB4, {static_cast<uint8_t>(kMaxSecrets)});
    add(0x90, {0x0F});
    add(0x91, {0x00, 0x01});
    add(0x92, {0x04});
    add(0x93, {0x01});
    add(0x94, {0x03});  // 01 PRF SHA-256 (RFC 5246) | 02 HKDF (RFC 5869)
    add(0xB7, {0x08});
    return out;
}
}  // namespace

KeyStoreApplet::KeyStoreApplet() : SecureChannelApplet(kAid, "keystore") {
    auto bind = [this](ResponseApdu (KeyStoreApplet::*handler)(CommandContext&)) {
        return [this, handler](CommandContext& ctx) { return (this->*handler)(ctx); };
    };
    on_ins(0xCB, ClaAccept::Any, bind(&KeyStoreApplet::get_data));
    on_ins(0x84, ClaAccept::Any, bind(&KeyStoreApplet::get_random));
    on_ins(0xB9, ClaAccept::Any, bind(&KeyStoreApplet::generate_key_pair));
    on_ins(0xCD, ClaAccept::Any, bind(&KeyStoreApplet::read_public_key));
    on_ins(0xD8, ClaAccept::Any, bind(&KeyStoreApplet::put_public_key_update));
    on_ins(0x2A, ClaAccept::Any, [this](CommandContext& ctx) { return signature_init(ctx, false); });
    on_ins(0x2B, ClaAccept::Any, bind(&KeyStoreApplet::compute_signature_update));
    on_ins(0x2D, ClaAccept::Any, bind(&KeyStoreApplet::verify_signature_update));
    on_ins(0x46, ClaAccept::Any, bind(&KeyStoreApplet::compute_dh));
    on_ins(0x48, ClaAccept::Any, bind(&KeyStoreApplet::compute_prf));
    on_ins(0x4A, ClaAccept::Any, bind(&KeyStoreApplet::compute_hkdf));
    on_ins(0xB0, ClaAccept::Any, bind(&KeyStoreApplet::read_file));
    on_ins(0x20, ClaAccept::Any, [this](CommandContext& ctx) { return pin_.verify(ctx, session(ctx).pin); });
    // INS 24 and 2C are both a PIN command and an IoT SAFE session command: PIN data starts with
    // an ASCII digit; a PIN status query has no data and P1 00.
    auto is_pin_command = [](const CommandContext& ctx) {
        return UserPin::looks_like_pin_data(ctx.apdu.data()) || (ctx.apdu.data().empty() && ctx.apdu.p1() == 0x00);
    };
    on_ins(0x24, ClaAccept::Any, [this, is_pin_command](CommandContext& ctx) {
        if (is_pin_command(ctx)) return pin_.change_reference_data(ctx, session(ctx).pin);
        return put_public_key_init(ctx);
    });
    on_ins(0x2C, ClaAccept::Any, [this, is_pin_command](CommandContext& ctx) {
        if (is_pin_command(ctx)) return pin_.reset_retry_counter(ctx, session(ctx).pin);
        return signature_init(ctx, true);
    });
}

void KeyStoreApplet::write_factory_defaults(PersistentState& state) const { write_factory_layout(state); }

void KeyStoreApplet::add_missing_records(PersistentState& state) const { add_missing_layout(state); }

std::unique_ptr<AppletSession> KeyStoreApplet::new_session() const { return std::make_unique<KeyStoreSession>(); }

KeyStoreSession& KeyStoreApplet::session(CommandContext& ctx) {
    auto* s = dynamic_cast<KeyStoreSession*>(ctx.session);
    if (s == nullptr) throw SwError(sw::kNoPreciseDiagnosis, "key store session missing");
    return *s;
}

ResponseApdu KeyStoreApplet::get_data(CommandContext& ctx) {
    const CommandApdu& apdu = ctx.apdu;
    KeyStoreSession& s = session(ctx);
    ObjectStore store(ctx.state);
    if (apdu.p1p2() == 0x0000) {
        if (!apdu.data().empty()) throw SwError(sw::kWrongLength);
        return ResponseApdu::ok(application_record());
    }
    if (apdu.p1() == 0x01 && (apdu.p2() == 0x00 || apdu.p2() == 0x01)) {
        if (!apdu.data().empty()) throw SwError(sw::kWrongLength);
        std::vector<bytes> templates;
        for (ObjectKind kind : {ObjectKind::PrivateKey, ObjectKind::PublicKey, ObjectKind::Secret, ObjectKind::File}) {
            for (const ObjectAttributes& object : store.list(kind)) templates.push_back(store.encode_template(object));
        }
        std::size_t index = apdu.p2() == 0x01 ? s.list_next : 0;
        if (index >= templates.size()) index = 0;
        bytes out;
        while (index < templates.size() && (out.empty() || out.size() + templates[index].size() <= kListPartSize)) {
            out.insert(out.end(), templates[index].begin(), templates[index].end());
            ++index;
        }
        if (index < templates.size()) {
            s.list_next = index;
            return ResponseApdu(std::move(out), sw::kVerifyFailed);  // 6300: more follows
        }
        s.list_next = 0;
        return ResponseApdu::ok(std::move(out));
    }
    const auto kind = kind_of_template_tag(apdu.p1());
    if (!kind || apdu.p2() != 0x00) throw SwError(sw::kIncorrectP1P2);
    if (apdu.data().empty()) throw SwError(sw::kWrongLength);
    const ObjectAttributes object = resolve(store, parse_command_tlvs(apdu.data()), *kind);
    return ResponseApdu::ok(store.encode_template(object));
}

ResponseApdu KeyStoreApplet::get_random(CommandContext& ctx) {
    if (ctx.apdu.p1p2() != 0) throw SwError(sw::kIncorrectP1P2);
    if (!ctx.apdu.data().empty()) throw SwError(sw::kWrongLength);
    const std::size_t n = ctx.apdu.has_le() ? ctx.apdu.ne() : 256;
    return ResponseApdu::ok(crypto::random_bytes(n));
}

namespace keystore {

std::vector<Tlv> parse_command_tlvs(const bytes& data) {
    try {
        return parse_tlvs(data);
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData, "malformed TLV");
    }
}

ObjectAttributes resolve(const ObjectStore& store, const std::vector<Tlv>& tlvs, ObjectKind kind) {
    const KindTags tags = tags_of(kind);
    std::optional<ObjectAttributes> found;
    if (auto id = find_tlv(tlvs, tags.id_tag)) {
        if (id->value.empty() || id->value.size() > kMaxIdLength) throw SwError(sw::kWrongData, "object ID length");
        found = store.find_by_id(kind, id->value);
    } else if (auto label = find_tlv(tlvs, tags.label_tag)) {
        if (label->value.empty() || label->value.size() > kMaxLabelLength) throw SwError(sw::kWrongData, "label length");
        found = store.find_by_label(kind, label->value);
    } else {
        throw SwError(sw::kWrongData, "object ID or label missing");
    }
    if (!found) throw SwError(sw::kReferencedDataNotFound, "no such object");
    return *found;
}

void require_pin(const KeyStoreSession& session, const ObjectAttributes& object) {
    if (object.pin_bound() && !session.pin.verified) throw SwError(sw::kSecurityStatusNotSatisfied, "user PIN not verified");
}

void require_function(const ObjectAttributes& object, uint8_t function) {
    if ((object.functions & function) == 0) throw SwError(sw::kConditionsNotSatisfied, "usage not allowed for this object");
}

bytes public_key_template(const bytes& point) {
    return encode_tlv(0x34, {encode_tlv(0x49, {encode_tlv(0x86, point)})});
}

}  // namespace keystore

}  // namespace simkit::sim

// Key store commands on keys and files: GENERATE KEY PAIR, READ PUBLIC KEY, PUT PUBLIC KEY
// INIT/UPDATE, COMPUTE DH, COMPUTE HKDF, COMPUTE PRF, READ FILE (specs/keystore.md).
#include "keystore/keystore_applet.hpp"
#include "simkit/ec.hpp"
#include "simkit/core/kdf.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

using namespace keystore;

namespace {
constexpr uint8_t kMaxSessionNumber = 0x07;
constexpr std::size_t kMaxPutKeyData = 512;

void require_p1p2_zero(const CommandApdu& apdu) {
    if (apdu.p1p2() != 0) throw SwError(sw::kIncorrectP1P2);
}

void require_data(const CommandApdu& apdu) {
    if (apdu.data().empty()) throw SwError(sw::kWrongLength, "command data missing");
}

bytes single_byte_tlv(const std::vector<Tlv>& tlvs, uint32_t tag, bool* present) {
    auto t = find_tlv(tlvs, tag);
    *present = t.has_value();
    if (!t) return {};
    if (t->value.size() != 1) throw SwError(sw::kWrongData, "one-byte TLV expected");
    return t->value;
}

// The public key object of a pair: found, or created with read access and the default functions.
ObjectAttributes public_of_pair(ObjectStore& store, const bytes& id) {
    if (auto existing = store.find_by_id(ObjectKind::PublicKey, id)) return *existing;
    if (store.list(ObjectKind::PublicKey).size() >= capacity_of(ObjectKind::PublicKey)) {
        throw SwError(sw::kNotEnoughMemory, "no room for the public key");
    }
    ObjectAttributes object;
    object.kind = ObjectKind::PublicKey;
    object.id = id;
    object.access = access::kRead;
    object.functions = default_functions(ObjectKind::PublicKey);
    store.save(object);
    return object;
}

// 91 (hash algorithm), when present, must name SHA-256: 91 02 00 01 (or 91 01 01).
void require_sha256(const std::vector<Tlv>& tlvs) {
    const auto hash = find_tlv(tlvs, 0x91);
    if (!hash) return;
    const bool sha256 = (hash->value.size() == 2 && hash->value[0] == 0x00 && hash->value[1] == 0x01) ||
                        (hash->value.size() == 1 && hash->value[0] == 0x01);
    if (!sha256) throw SwError(sw::kWrongData, "only SHA-256 (91 02 00 01) is supported");
}

bytes id_answer(const bytes& id) {
    bytes out = encode_tlv(0x84, id);
    const bytes pub = encode_tlv(0x85, id);
    out.insert(out.end(), pub.begin(), pub.end());
    return out;
}
}  // namespace

ResponseApdu KeyStoreApplet::generate_key_pair(CommandContext& ctx) {
    require_p1p2_zero(ctx.apdu);
    require_data(ctx.apdu);
    KeyStoreSession& s = session(ctx);
    ObjectStore store(ctx.state);
    const auto tlvs = parse_command_tlvs(ctx.apdu.data());
    ObjectAttributes key = resolve(store, tlvs, ObjectKind::PrivateKey);
    require_function(key, functions::kKeyGeneration);
    if ((key.access & access::kUserPin) != 0 && !s.pin.verified) {
        throw SwError(sw::kSecurityStatusNotSatisfied, "slot needs the user PIN");
    }
    bool has_access = false;
    const bytes requested = single_byte_tlv(tlvs, 0x60, &has_access);
    if (has_access && (requested[0] & ~access::kUserPin) != 0) throw SwError(sw::kWrongData, "only bit 80 of 60 is taken");
    const bool pin_bound = has_access && (requested[0] & access::kUserPin) != 0;

    ObjectAttributes pub = public_of_pair(store, key.id);
    const crypto::P256KeyPair pair = crypto::p256_generate();
    store.put_private_scalar(key.id, pair.private_scalar);
    key.flags = static_cast<uint8_t>((key.flags & ~kFlagKeyPinBound) | (pin_bound ? kFlagKeyPinBound : 0));
    store.save(key);
    store.put_public_point(pub.id, pair.public_point);

    bytes out = id_answer(key.id);
    const bytes tpl = public_key_template(pair.public_point);
    out.insert(out.end(), tpl.begin(), tpl.end());
    return ResponseApdu::ok(std::move(out));
}

ResponseApdu KeyStoreApplet::read_public_key(CommandContext& ctx) {
    require_p1p2_zero(ctx.apdu);
    require_data(ctx.apdu);
    ObjectStore store(ctx.state);
    const ObjectAttributes pub = resolve(store, parse_command_tlvs(ctx.apdu.data()), ObjectKind::PublicKey);
    if ((pub.access & access::kRead) == 0) throw SwError(sw::kSecurityStatusNotSatisfied, "public key not readable");
    const auto point = store.public_point(pub.id);
    if (!point) throw SwError(sw::kReferenceDataNotUsable, "public key slot empty");
    return ResponseApdu::ok(public_key_template(*point));
}

ResponseApdu KeyStoreApplet::put_public_key_init(CommandContext& ctx) {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p2() > kMaxSessionNumber || (apdu.p1() != 0x00 && apdu.p1() != 0x01)) throw SwError(sw::kIncorrectP1P2);
    KeyStoreSession& s = session(ctx);
    s.put_key.erase(apdu.p2());
    if (apdu.p1() == 0x01) return ResponseApdu::ok();  // close: always fine
    require_data(apdu);
    ObjectStore store(ctx.state);
    const ObjectAttributes pub = resolve(store, parse_command_tlvs(apdu.data()), ObjectKind::PublicKey);
    if ((pub.access & access::kUpdate) == 0) throw SwError(sw::kConditionsNotSatisfied, "public key not updatable");
    s.put_key[apdu.p2()] = OperationSession{pub.id, 0, {}, {}};
    return ResponseApdu::ok();
}

ResponseApdu KeyStoreApplet::put_public_key_update(CommandContext& ctx) {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p2() > kMaxSessionNumber || (apdu.p1() != 0x00 && apdu.p1() != 0x80)) throw SwError(sw::kIncorrectP1P2);
    KeyStoreSession& s = session(ctx);
    auto it = s.put_key.find(apdu.p2());
    if (it == s.put_key.end()) throw SwError(sw::kConditionsNotSatisfied, "no PUT PUBLIC KEY session");
    OperationSession op = it->second;
    s.put_key.erase(it);  // put back below unless this block ends the session or fails
    if (op.data.size() + apdu.data().size() > kMaxPutKeyData) throw SwError(sw::kWrongLength, "public key data too long");
    op.data.insert(op.data.end(), apdu.data().begin(), apdu.data().end());
    if (apdu.p1() == 0x00) {
        s.put_key[apdu.p2()] = std::move(op);
        return ResponseApdu::ok();
    }
    const auto tlvs = parse_command_tlvs(op.data);
    const auto outer = find_tlv(tlvs, 0x34);
    if (!outer) throw SwError(sw::kWrongData, "34 template missing");
    std::optional<Tlv> point;
    try {
        if (auto inner = outer->find(0x49)) point = inner->find(0x86);
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData, "malformed public key template");
    }
    if (!point || !crypto::p256_point_is_valid(point->value)) throw SwError(sw::kWrongData, "not a P-256 point");
    ObjectStore store(ctx.state);
    if (!store.find_by_id(ObjectKind::PublicKey, op.id)) throw SwError(sw::kReferencedDataNotFound);
    store.put_public_point(op.id, point->value);
    return ResponseApdu::ok();
}

ResponseApdu KeyStoreApplet::compute_dh(CommandContext& ctx) {
    require_p1p2_zero(ctx.apdu);
    require_data(ctx.apdu);
    KeyStoreSession& s = session(ctx);
    ObjectStore store(ctx.state);
    const auto tlvs = parse_command_tlvs(ctx.apdu.data());
    const ObjectAttributes key = resolve(store, tlvs, ObjectKind::PrivateKey);
    const ObjectAttributes pub = resolve(store, tlvs, ObjectKind::PublicKey);
    require_function(key, functions::kKeyAgreement);
    require_pin(s, key);
    const auto point = store.public_point(pub.id);
    if (!point) throw SwError(sw::kReferenceDataNotUsable, "public key slot empty");
    const auto private_key = private_keys_.get(store, key.id);
    try {
        return ResponseApdu::ok(to_bytes(private_key->ecdh(*point)));
    } catch (const ArgumentError&) {
        throw SwError(sw::kWrongData, "peer point not on P-256");
    }
}

// The input secret of a derivation: a stored secret (86 id / 76 label; functions 08, PIN if bound)
// or one given in the command (D1, or D4 a TLS pre-master secret for COMPUTE PRF).
secure_bytes KeyStoreApplet::derivation_secret(CommandContext& ctx, const std::vector<Tlv>& tlvs, bool accept_pms) {
    KeyStoreSession& s = session(ctx);
    ObjectStore store(ctx.state);
    if (find_tlv(tlvs, 0x86) || find_tlv(tlvs, 0x76)) {
        const ObjectAttributes secret = resolve(store, tlvs, ObjectKind::Secret);
        require_function(secret, functions::kKeyDerivation);
        require_pin(s, secret);
        return store.secret(secret.id);
    }
    if (auto given = find_tlv(tlvs, 0xD1)) return to_secure(given->value);
    if (accept_pms) {
        if (auto pms = find_tlv(tlvs, 0xD4)) return to_secure(pms->value);
    }
    throw SwError(sw::kWrongData, accept_pms ? "secret (86/76/D1/D4) missing" : "secret (86/76/D1) missing");
}

ResponseApdu KeyStoreApplet::compute_hkdf(CommandContext& ctx) {
    if (ctx.apdu.p2() != 0) throw SwError(sw::kIncorrectP1P2);
    require_data(ctx.apdu);
    const auto tlvs = parse_command_tlvs(ctx.apdu.data());
    require_sha256(tlvs);
    const secure_bytes input = derivation_secret(ctx, tlvs, false);
    const auto salt = find_tlv(tlvs, 0xD5);
    const auto info = find_tlv(tlvs, 0xD2);
    const auto length = find_tlv(tlvs, 0xD3);
    if (!length) {
        // No output length: HKDF-Extract alone, the PRK (wolfSSL's TLS 1.3 port sends D1 D5 91).
        if (info) throw SwError(sw::kWrongData, "D2 info without D3 length");
        return ResponseApdu::ok(to_bytes(crypto::hkdf_sha256_extract(input, salt ? salt->value : bytes{})));
    }
    if (length->value.size() != 1 || length->value[0] == 0) throw SwError(sw::kWrongData, "D3 length 1..255");
    return ResponseApdu::ok(to_bytes(crypto::hkdf_sha256(input, salt ? salt->value : bytes{}, info ? info->value : bytes{},
                                                         length->value[0])));
}

ResponseApdu KeyStoreApplet::compute_prf(CommandContext& ctx) {
    if (ctx.apdu.p1() > 0x01 || ctx.apdu.p2() != 0) throw SwError(sw::kIncorrectP1P2);
    require_data(ctx.apdu);
    const auto tlvs = parse_command_tlvs(ctx.apdu.data());
    require_sha256(tlvs);
    const secure_bytes secret = derivation_secret(ctx, tlvs, true);
    const auto label_and_seed = find_tlv(tlvs, 0xD2);
    const auto length = find_tlv(tlvs, 0xD3);
    if (!label_and_seed || label_and_seed->value.empty()) throw SwError(sw::kWrongData, "D2 label and seed missing");
    if (!length || length->value.size() != 1 || length->value[0] == 0) throw SwError(sw::kWrongData, "D3 length 1..255");
    if (secret.empty()) throw SwError(sw::kWrongData, "empty secret");
    return ResponseApdu::ok(to_bytes(crypto::tls12_prf_sha256(secret, {}, label_and_seed->value, length->value[0])));
}

ResponseApdu KeyStoreApplet::read_file(CommandContext& ctx) {
    const CommandApdu& apdu = ctx.apdu;
    if ((apdu.p1() & 0x80) != 0) throw SwError(sw::kIncorrectP1P2, "short file identifiers not supported");
    require_data(apdu);
    ObjectStore store(ctx.state);
    const ObjectAttributes file = resolve(store, parse_command_tlvs(apdu.data()), ObjectKind::File);
    if ((file.access & access::kRead) == 0) throw SwError(sw::kSecurityStatusNotSatisfied, "file not readable");
    const bytes content = store.file(file.id);
    const std::size_t offset = apdu.p1p2();
    if (offset > content.size()) throw SwError(sw::kWrongP1P2, "offset beyond the end of the file");
    const std::size_t n = std::min(apdu.has_le() ? apdu.ne() : std::size_t{256}, content.size() - offset);
    return ResponseApdu::ok(bytes(content.begin() + static_cast<std::ptrdiff_t>(offset),
                                  content.begin() + static_cast<std::ptrdiff_t>(offset + n)));
}

}  // namespace simkit::sim

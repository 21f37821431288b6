// COMPUTE SIGNATURE INIT/UPDATE and VERIFY SIGNATURE INIT/UPDATE: ECDSA P-256 with SHA-256 in
// numbered sessions per logical channel; full-text (01) and hash-given (03) modes
// (specs/keystore.md).
#include "keystore/keystore_applet.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

using namespace keystore;

namespace {
constexpr uint8_t kMaxSessionNumber = 0x07;
constexpr uint8_t kModeFullText = 0x01, kModeHashGiven = 0x03;
constexpr std::size_t kMaxMessage = 64 * 1024;
constexpr std::size_t kSha256Size = 32;

void check_algorithms(const std::vector<Tlv>& tlvs) {
    if (auto hash = find_tlv(tlvs, 0x91)) {
        if (hash->value != bytes{0x00, 0x01} && hash->value != bytes{0x01}) throw SwError(sw::kWrongData, "hash must be SHA-256");
    }
    if (auto sig = find_tlv(tlvs, 0x92)) {
        if (sig->value != bytes{0x04}) throw SwError(sw::kWrongData, "signature algorithm must be ECDSA");
    }
}

// Adds one UPDATE block to the operation: 9B message part (mode 01), 9E hash (mode 03).
void absorb(OperationSession& op, const std::vector<Tlv>& tlvs) {
    if (op.mode == kModeFullText) {
        if (auto part = find_tlv(tlvs, 0x9B)) {
            if (op.data.size() + part->value.size() > kMaxMessage) throw SwError(sw::kNotEnoughMemory, "message too long");
            op.data.insert(op.data.end(), part->value.begin(), part->value.end());
        }
    } else if (auto hash = find_tlv(tlvs, 0x9E)) {
        if (hash->value.size() != kSha256Size) throw SwError(sw::kWrongData, "9E must hold a SHA-256 hash");
        op.hash = hash->value;
    }
}

bytes digest_of(const OperationSession& op) {
    if (op.mode == kModeFullText) return crypto::sha256(op.data);
    if (op.hash.size() != kSha256Size) throw SwError(sw::kWrongData, "hash (9E) missing");
    return op.hash;
}

// The session for an UPDATE, taken out of the map: a block that fails ends the session.
OperationSession take_session(std::map<uint8_t, OperationSession>& sessions, const CommandApdu& apdu) {
    if (apdu.p2() > kMaxSessionNumber || (apdu.p1() != 0x00 && apdu.p1() != 0x80)) throw SwError(sw::kIncorrectP1P2);
    auto it = sessions.find(apdu.p2());
    if (it == sessions.end()) throw SwError(sw::kConditionsNotSatisfied, "no signature session open");
    OperationSession op = std::move(it->second);
    sessions.erase(it);
    return op;
}
}  // namespace

ResponseApdu KeyStoreApplet::signature_init(CommandContext& ctx, bool verify) {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p2() > kMaxSessionNumber || (apdu.p1() != 0x00 && apdu.p1() != 0x01)) throw SwError(sw::kIncorrectP1P2);
    KeyStoreSession& s = session(ctx);
    auto& sessions = verify ? s.verify : s.sign;
    sessions.erase(apdu.p2());
    if (apdu.p1() == 0x01) return ResponseApdu::ok();  // close: always 9000
    if (apdu.data().empty()) throw SwError(sw::kWrongLength);
    ObjectStore store(ctx.state);
    const auto tlvs = parse_command_tlvs(apdu.data());
    const ObjectAttributes key = resolve(store, tlvs, verify ? ObjectKind::PublicKey : ObjectKind::PrivateKey);
    const auto mode = find_tlv(tlvs, 0xA1);
    if (!mode || mode->value.size() != 1) throw SwError(sw::kWrongData, "operation mode (A1) missing");
    if (mode->value[0] != kModeFullText && mode->value[0] != kModeHashGiven) throw SwError(sw::kWrongData, "mode not supported");
    check_algorithms(tlvs);
    require_function(key, functions::kSignature);
    if (verify) {
        if (!store.public_point(key.id)) throw SwError(sw::kReferenceDataNotUsable, "public key slot empty");
    } else {
        require_pin(s, key);
        if (!store.filled(key)) throw SwError(sw::kReferenceDataNotUsable, "private key slot empty");
    }
    sessions[apdu.p2()] = OperationSession{key.id, mode->value[0], {}, {}};
    return ResponseApdu::ok();
}

ResponseApdu KeyStoreApplet::compute_signature_update(CommandContext& ctx) {
    KeyStoreSession& s = session(ctx);
    OperationSession op = take_session(s.sign, ctx.apdu);
    absorb(op, parse_command_tlvs(ctx.apdu.data()));
    if (ctx.apdu.p1() == 0x00) {
        const uint8_t number = ctx.apdu.p2();
        s.sign[number] = std::move(op);
        return ResponseApdu::ok();
    }
    ObjectStore store(ctx.state);
    const auto key = store.find_by_id(ObjectKind::PrivateKey, op.id);
    if (!key) throw SwError(sw::kReferencedDataNotFound);
    require_pin(s, *key);
    const bytes digest = digest_of(op);
    const bytes signature = private_keys_.get(store, op.id)->sign_digest(digest);
    return ResponseApdu::ok(encode_tlv(0x33, signature));
}

ResponseApdu KeyStoreApplet::verify_signature_update(CommandContext& ctx) {
    KeyStoreSession& s = session(ctx);
    OperationSession op = take_session(s.verify, ctx.apdu);
    const auto tlvs = parse_command_tlvs(ctx.apdu.data());
    absorb(op, tlvs);
    if (ctx.apdu.p1() == 0x00) {
        const uint8_t number = ctx.apdu.p2();
        s.verify[number] = std::move(op);
        return ResponseApdu::ok();
    }
    const auto sig = find_tlv(tlvs, 0x33);
    if (!sig) throw SwError(sw::kWrongData, "signature (33) missing");
    bytes raw = sig->value;
    if (raw.size() != 64) {
        try {
            raw = crypto::ecdsa_der_to_raw(raw);
        } catch (const Error&) {
            throw SwError(sw::kWrongData, "signature is neither r||s nor DER");
        }
    }
    ObjectStore store(ctx.state);
    const auto point = store.public_point(op.id);
    if (!point) throw SwError(sw::kReferenceDataNotUsable);
    if (!crypto::p256_verify_digest(*point, digest_of(op), raw)) return ResponseApdu(0x6D01);
    return ResponseApdu::ok();
}

}  // namespace simkit::sim

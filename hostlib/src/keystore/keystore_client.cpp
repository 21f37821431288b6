// simkit::KeyStore: the host side of the IoT SAFE key store (see keystore_client.hpp and
// specs/keystore.md). Commands go out with CLA 00 on the applet's channel; 61xx/6Cxx are the
// Card's business. Multi-APDU operations hold the card exclusively.
#include "simkit/keystore_client.hpp"

#include <algorithm>
#include <cstdio>

#include "simkit/core/cla.hpp"
#include "simkit/crypto.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit {

namespace {

constexpr uint8_t kInsGetData = 0xCB;
constexpr uint8_t kInsGetRandom = 0x84;
constexpr uint8_t kInsGenerateKeyPair = 0xB9;
constexpr uint8_t kInsReadPublicKey = 0xCD;
constexpr uint8_t kInsPutPublicKeyInit = 0x24;
constexpr uint8_t kInsPutPublicKeyUpdate = 0xD8;
constexpr uint8_t kInsSignInit = 0x2A;
constexpr uint8_t kInsSignUpdate = 0x2B;
constexpr uint8_t kInsVerifyInit = 0x2C;
constexpr uint8_t kInsVerifyUpdate = 0x2D;
constexpr uint8_t kInsComputeDh = 0x46;
constexpr uint8_t kInsReadFile = 0xB0;
constexpr uint8_t kInsVerifyPin = 0x20;
constexpr uint8_t kInsChangePin = 0x24;
constexpr uint8_t kInsResetRetryCounter = 0x2C;

constexpr uint16_t kSwMoreData = 0x6300;
constexpr uint16_t kSwSignatureInvalid = 0x6D01;

constexpr uint8_t kAccessPinBound = 0x80;  // proprietary bit of access conditions (60)

constexpr uint8_t kModeFullText = 0x01;
constexpr uint8_t kModeHashGiven = 0x03;  // "pad and sign": the SHA-256 digest is given
constexpr std::size_t kFullTextBlock = 240;
constexpr std::size_t kMaxChunk = 255;
constexpr std::size_t kMaxObjectListParts = 256;

bytes tlv1(uint32_t tag, uint8_t value) { return encode_tlv(tag, bytes{value}); }

// Operation template of signature INIT: key ID, mode, SHA-256 (91 02 00 01), ECDSA (92 01 04).
bytes signature_init_data(uint32_t key_tag, uint8_t slot, uint8_t mode) {
    bytes data = tlv1(key_tag, slot);
    const bytes mode_tlv = tlv1(0xA1, mode);
    data.insert(data.end(), mode_tlv.begin(), mode_tlv.end());
    const bytes hash = encode_tlv(0x91, bytes{0x00, 0x01});
    data.insert(data.end(), hash.begin(), hash.end());
    const bytes algo = tlv1(0x92, 0x04);
    data.insert(data.end(), algo.begin(), algo.end());
    return data;
}

std::optional<uint8_t> byte_of(const Tlv& tlv, uint32_t tag) {
    const auto child = tlv.find(tag);
    if (!child || child->value.size() != 1) return std::nullopt;
    return child->value[0];
}

std::optional<uint16_t> u16_of(const Tlv& tlv, uint32_t tag) {
    const auto child = tlv.find(tag);
    if (!child || child->value.size() != 2) return std::nullopt;
    return read_u16(child->value.data());
}

// 34 { 49 { 86 point } } (GENERATE KEY PAIR / READ PUBLIC KEY answers); 86 at any of those levels.
std::optional<bytes> find_point(const std::vector<Tlv>& list, int depth = 0) {
    for (const Tlv& tlv : list) {
        if (tlv.tag == 0x86 && tlv.value.size() == crypto::kP256PointSize && tlv.value[0] == 0x04) return tlv.value;
    }
    if (depth >= 2) return std::nullopt;
    for (const Tlv& tlv : list) {
        if (tlv.tag != 0x34 && tlv.tag != 0x49) continue;
        try {
            if (auto point = find_point(tlv.children(), depth + 1)) return point;
        } catch (const FormatError&) {
        }
    }
    return std::nullopt;
}

bytes point_from_answer(const bytes& data, const char* command) {
    std::optional<bytes> point;
    try {
        point = find_point(parse_tlvs(data));
    } catch (const FormatError& e) {
        throw FormatError(std::string(command) + ": answer is not BER-TLV (" + e.what() + ")");
    }
    if (!point) throw FormatError(std::string(command) + ": answer has no P-256 point (34 { 49 { 86 41 04 X Y } })");
    return *point;
}

// The 33 40 r||s answer of COMPUTE SIGNATURE UPDATE (also takes wolfSSL's 33 00 40 form).
bytes raw_signature_from_answer(const bytes& data) {
    if (data.size() == 67 && data[0] == 0x33 && data[1] == 0x00 && data[2] == 0x40) return bytes(data.begin() + 3, data.end());
    std::vector<Tlv> list;
    try {
        list = parse_tlvs(data);
    } catch (const FormatError& e) {
        throw FormatError(std::string("COMPUTE SIGNATURE: answer is not BER-TLV (") + e.what() + ")");
    }
    const auto sig = find_tlv(list, 0x33);
    if (!sig || sig->value.size() != 64) {
        throw FormatError("COMPUTE SIGNATURE: answer has no 64-byte raw signature (33 40 r s): " + to_hex(data));
    }
    return sig->value;
}

KeyStoreObject::Kind kind_of_template(uint32_t tag) {
    switch (tag) {
        case 0xC1: return KeyStoreObject::Kind::PrivateKey;
        case 0xC2: return KeyStoreObject::Kind::PublicKey;
        case 0xC3: return KeyStoreObject::Kind::File;
        default: return KeyStoreObject::Kind::Secret;
    }
}

KeyStoreObject object_from_template(const Tlv& tmpl) {
    KeyStoreObject obj;
    obj.kind = kind_of_template(tmpl.tag);
    obj.raw = tmpl.encode();
    uint32_t id_tag = 0, label_tag = 0;
    switch (obj.kind) {
        case KeyStoreObject::Kind::PrivateKey: id_tag = 0x84; label_tag = 0x74; break;
        case KeyStoreObject::Kind::PublicKey: id_tag = 0x85; label_tag = 0x75; break;
        case KeyStoreObject::Kind::Secret: id_tag = 0x86; label_tag = 0x76; break;
        case KeyStoreObject::Kind::File: id_tag = 0x83; label_tag = 0x73; break;
    }
    const auto id = tmpl.find(id_tag);
    if (!id || id->value.empty()) {
        throw FormatError("object list: a " + KeyStoreObject::kind_name(obj.kind) + " template without its ID: " + to_hex(obj.raw));
    }
    obj.id = id->value;
    if (const auto label = tmpl.find(label_tag)) obj.label.assign(label->value.begin(), label->value.end());
    obj.access = byte_of(tmpl, 0x60);
    if (obj.access && obj.kind != KeyStoreObject::Kind::File) obj.pin_bound = (*obj.access & kAccessPinBound) != 0;
    obj.state = byte_of(tmpl, 0x4A);
    obj.type = byte_of(tmpl, 0x4B);
    obj.usage = obj.kind == KeyStoreObject::Kind::File ? byte_of(tmpl, 0x21) : byte_of(tmpl, 0x4E);
    obj.crypto = byte_of(tmpl, 0x61);
    obj.signature_algos = byte_of(tmpl, 0x92);
    obj.hash_algos = u16_of(tmpl, 0x91);
    obj.agreement_algos = byte_of(tmpl, 0x6F);
    obj.derivation_algos = byte_of(tmpl, 0x94);
    if (obj.kind == KeyStoreObject::Kind::File) obj.file_size = u16_of(tmpl, 0x20);
    return obj;
}

std::string pin_tries_text(int tries) {
    if (tries == 0) return "no tries left";
    return std::to_string(tries) + (tries == 1 ? " try left" : " tries left");
}

}  // namespace

// --- PinError ---

PinError::PinError(uint16_t sw, const std::string& what_pin) : SwError(sw, what_pin) {
    char code[8];
    std::snprintf(code, sizeof code, "%04X", static_cast<unsigned>(sw));
    if ((sw & 0xFFF0) == 0x63C0) {
        tries_left_ = sw & 0x0F;
        message_ = what_pin + " wrong: " + pin_tries_text(*tries_left_) + " (" + code + ")";
        if (*tries_left_ == 0) message_ += "; " + what_pin + " blocked";
    } else if (sw == sw::kAuthenticationBlocked) {
        tries_left_ = 0;
        message_ = what_pin + " blocked (" + describe_sw(sw) + ")";
        if (what_pin == "PIN") message_ += ": unblock it with the PUK";
    } else {
        message_ = what_pin + ": " + describe_sw(sw);
    }
}

std::string KeyStoreObject::kind_name(Kind kind) {
    switch (kind) {
        case Kind::PrivateKey: return "private key";
        case Kind::PublicKey: return "public key";
        case Kind::Secret: return "secret";
        case Kind::File: return "file";
    }
    return "object";
}

std::vector<KeyStoreObject> parse_object_list(const bytes& data) {
    std::vector<KeyStoreObject> out;
    std::vector<Tlv> list;
    try {
        list = parse_tlvs(data);
    } catch (const FormatError& e) {
        throw FormatError(std::string("object list is not BER-TLV: ") + e.what());
    }
    for (const Tlv& tmpl : list) {
        if (tmpl.tag < 0xC1 || tmpl.tag > 0xC4) continue;  // unknown templates are skipped, not fatal
        out.push_back(object_from_template(tmpl));
    }
    return out;
}

// --- KeyStore ---

KeyStore::KeyStore(Card& card, KeyStoreOptions options)
    : card_(card), options_(std::move(options)), applet_(card_, options_.aid, options_.logical_channel, "key store applet") {}

KeyStore::~KeyStore() = default;

ResponseApdu KeyStore::transmit(uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data, std::size_t ne) {
    return card_.transmit(CommandApdu::make(applet_.cla(0x00), ins, p1, p2, data, ne));
}

bytes KeyStore::command(const char* name, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data, std::size_t ne) {
    const ResponseApdu response = transmit(ins, p1, p2, data, ne);
    if (!response.is_ok()) throw SwError(response.sw(), name);
    return response.data();
}

std::vector<KeyStoreObject> KeyStore::list() {
    auto held = card_.exclusive();
    bytes all;
    uint8_t p2 = 0x00;
    for (std::size_t part = 0;; ++part) {
        if (part == kMaxObjectListParts) throw FormatError("GET DATA object list: the card kept answering 6300 (256 parts)");
        const ResponseApdu response = transmit(kInsGetData, 0x01, p2, {}, 256);
        all.insert(all.end(), response.data().begin(), response.data().end());
        if (response.sw() == kSwMoreData) {
            p2 = 0x01;
            continue;
        }
        if (!response.is_ok()) throw SwError(response.sw(), "GET DATA object list");
        break;
    }
    return parse_object_list(all);
}

KeyStoreObject KeyStore::private_key_info(uint8_t slot) {
    const bytes data = command("GET DATA private key", kInsGetData, 0xC1, 0x00, tlv1(0x84, slot), 256);
    auto objects = parse_object_list(data);
    if (objects.size() != 1) throw FormatError("GET DATA private key: expected one C1 template, got " + to_hex(data));
    return objects.front();
}

bytes KeyStore::generate(uint8_t slot, bool pin_bound) {
    // specs/keystore.md: 60 01 80 (access, proprietary bit 80) asks for a key that needs the user PIN.
    bytes request = tlv1(0x84, slot);
    if (pin_bound) {
        const bytes access = tlv1(0x60, kAccessPinBound);
        request.insert(request.end(), access.begin(), access.end());
    }
    const bytes data = command("GENERATE KEY PAIR", kInsGenerateKeyPair, 0x00, 0x00, request, 256);
    const bytes point = point_from_answer(data, "GENERATE KEY PAIR");
    if (!crypto::p256_point_is_valid(point)) throw FormatError("GENERATE KEY PAIR: the card's point is not on P-256");
    return point;
}

bytes KeyStore::public_key(uint8_t slot) {
    const bytes data = command("READ PUBLIC KEY", kInsReadPublicKey, 0x00, 0x00, tlv1(0x85, slot), 256);
    const bytes point = point_from_answer(data, "READ PUBLIC KEY");
    if (!crypto::p256_point_is_valid(point)) throw FormatError("READ PUBLIC KEY: the card's point is not on P-256");
    return point;
}

crypto::Pkey KeyStore::public_key_evp(uint8_t slot) { return crypto::p256_public_key(public_key(slot)); }
bytes KeyStore::public_key_der(uint8_t slot) { return crypto::public_key_to_der(public_key(slot)); }
std::string KeyStore::public_key_pem(uint8_t slot) { return crypto::public_key_to_pem(public_key(slot)); }

void KeyStore::put_public_key(uint8_t slot, const bytes& public_point) {
    if (!crypto::p256_point_is_valid(public_point)) {
        throw ArgumentError("put_public_key: public_point is not an uncompressed P-256 point (04 X Y, 65 bytes)");
    }
    auto held = card_.exclusive();
    put_public_key_held(slot, public_point);
}

void KeyStore::put_public_key_held(uint8_t slot, const bytes& public_point) {
    const uint8_t session = options_.session;
    command("PUT PUBLIC KEY INIT", kInsPutPublicKeyInit, 0x00, session, tlv1(0x85, slot));
    try {
        const bytes key = encode_tlv(0x34, {encode_tlv(0x49, {encode_tlv(0x86, public_point)})});
        command("PUT PUBLIC KEY UPDATE", kInsPutPublicKeyUpdate, 0x80, session, key);
    } catch (...) {
        try {
            transmit(kInsPutPublicKeyInit, 0x01, session);
        } catch (...) {
        }
        throw;
    }
}

void KeyStore::close_signature_session(uint8_t ins) {
    try {
        transmit(ins, 0x01, options_.session);
    } catch (...) {
        // Best effort: a failed session also ends at the next INIT.
    }
}

bytes KeyStore::sign_raw(uint8_t slot, const bytes& message, SignMode mode) {
    auto held = card_.exclusive();
    const uint8_t session = options_.session;
    const uint8_t op_mode = mode == SignMode::HashOnHost ? kModeHashGiven : kModeFullText;
    command("COMPUTE SIGNATURE INIT", kInsSignInit, 0x00, session, signature_init_data(0x84, slot, op_mode));
    try {
        if (mode == SignMode::HashOnHost) {
            const bytes answer = command("COMPUTE SIGNATURE UPDATE", kInsSignUpdate, 0x80, session,
                                         encode_tlv(0x9E, message), 256);
            return raw_signature_from_answer(answer);
        }
        std::size_t offset = 0;
        do {
            const std::size_t n = std::min(kFullTextBlock, message.size() - offset);
            const bool last = offset + n == message.size();
            const bytes block(message.begin() + static_cast<std::ptrdiff_t>(offset),
                              message.begin() + static_cast<std::ptrdiff_t>(offset + n));
            const bytes answer = command("COMPUTE SIGNATURE UPDATE", kInsSignUpdate, last ? 0x80 : 0x00, session,
                                         encode_tlv(0x9B, block), last ? 256 : 0);
            offset += n;
            if (last) return raw_signature_from_answer(answer);
        } while (true);
    } catch (...) {
        close_signature_session(kInsSignInit);
        throw;
    }
}

bytes KeyStore::sign(uint8_t slot, const bytes& message, SignMode mode) {
    if (mode == SignMode::FullText && message.empty()) {
        // Full-text mode needs at least one UPDATE with data; an empty message goes as its digest.
        mode = SignMode::HashOnHost;
    }
    const bytes input = mode == SignMode::HashOnHost ? crypto::sha256(message) : message;
    return crypto::ecdsa_raw_to_der(sign_raw(slot, input, mode));
}

bytes KeyStore::sign_digest(uint8_t slot, const bytes& digest) {
    if (digest.size() != 32) throw ArgumentError("sign_digest: digest is " + std::to_string(digest.size()) + " bytes, SHA-256 gives 32");
    return crypto::ecdsa_raw_to_der(sign_raw(slot, digest, SignMode::HashOnHost));
}

bool KeyStore::verify(uint8_t slot, const bytes& message, const bytes& signature) {
    const bytes raw = signature.size() == 64 ? signature : crypto::ecdsa_der_to_raw(signature);
    auto held = card_.exclusive();
    const uint8_t session = options_.session;
    command("VERIFY SIGNATURE INIT", kInsVerifyInit, 0x00, session, signature_init_data(0x85, slot, kModeHashGiven));
    bytes data = encode_tlv(0x9E, crypto::sha256(message));
    const bytes sig = encode_tlv(0x33, raw);
    data.insert(data.end(), sig.begin(), sig.end());
    ResponseApdu response;
    try {
        response = transmit(kInsVerifyUpdate, 0x80, session, data);
    } catch (...) {
        close_signature_session(kInsVerifyInit);
        throw;
    }
    if (response.sw() == kSwSignatureInvalid) return false;
    if (!response.is_ok()) {
        close_signature_session(kInsVerifyInit);
        throw SwError(response.sw(), "VERIFY SIGNATURE UPDATE");
    }
    return true;
}

secure_bytes KeyStore::ecdh_with_slot(uint8_t slot, uint8_t public_slot) {
    bytes data = tlv1(0x84, slot);
    const bytes pub = tlv1(0x85, public_slot);
    data.insert(data.end(), pub.begin(), pub.end());
    bytes secret = command("COMPUTE DH", kInsComputeDh, 0x00, 0x00, data, 256);
    secure_bytes out(secret.begin(), secret.end());
    secure_wipe(secret.data(), secret.size());
    if (out.size() != 32) throw FormatError("COMPUTE DH: the card answered " + std::to_string(out.size()) + " bytes, not a 32-byte x coordinate");
    return out;
}

secure_bytes KeyStore::ecdh(uint8_t slot, const bytes& peer_point, uint8_t peer_slot) {
    if (!crypto::p256_point_is_valid(peer_point)) {
        throw ArgumentError("ecdh: peer_point is not an uncompressed P-256 point (04 X Y, 65 bytes)");
    }
    auto held = card_.exclusive();
    put_public_key_held(peer_slot, peer_point);
    return ecdh_with_slot(slot, peer_slot);
}

bytes KeyStore::random(std::size_t count) {
    if (count == 0 || count > 65536) throw ArgumentError("random: count is " + std::to_string(count) + ", must be 1..65536");
    bytes out;
    out.reserve(count);
    while (out.size() < count) {
        const std::size_t n = std::min(kMaxChunk, count - out.size());
        const bytes part = command("GET RANDOM", kInsGetRandom, 0x00, 0x00, {}, n);
        if (part.size() != n) {
            throw FormatError("GET RANDOM: asked for " + std::to_string(n) + " bytes, the card gave " + std::to_string(part.size()));
        }
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

bytes KeyStore::read_file(uint8_t file_id) {
    auto held = card_.exclusive();
    // The size from GET DATA C3 when the card gives it; otherwise read until a short answer.
    std::optional<std::size_t> size;
    const ResponseApdu info = transmit(kInsGetData, 0xC3, 0x00, tlv1(0x83, file_id), 256);
    if (info.is_ok()) {
        try {
            const auto objects = parse_object_list(info.data());
            if (objects.size() == 1 && objects[0].file_size) size = *objects[0].file_size;
        } catch (const FormatError&) {
        }
    } else if (info.sw() == sw::kFileNotFound || info.sw() == sw::kReferencedDataNotFound) {
        throw SwError(info.sw(), "GET DATA file " + to_hex(bytes{file_id}));
    }
    bytes out;
    const bytes id = tlv1(0x83, file_id);
    while (!size || out.size() < *size) {
        if (out.size() > 0xFFFF) throw FormatError("READ FILE: the file is longer than 65535 bytes");
        const std::size_t want = size ? std::min(kMaxChunk, *size - out.size()) : kMaxChunk;
        const uint16_t offset = static_cast<uint16_t>(out.size());
        const ResponseApdu response =
            transmit(kInsReadFile, static_cast<uint8_t>(offset >> 8), static_cast<uint8_t>(offset), id, want);
        if (!response.is_ok()) {
            // Reading past the end without a known size: the card says so with 6B00/6A86/6282.
            if (!size && !out.empty() &&
                (response.sw() == sw::kWrongP1P2 || response.sw() == sw::kIncorrectP1P2 || response.sw() == 0x6282)) {
                break;
            }
            throw SwError(response.sw(), "READ FILE " + to_hex(bytes{file_id}) + " at offset " + std::to_string(offset));
        }
        out.insert(out.end(), response.data().begin(), response.data().end());
        if (response.data().empty() || (!size && response.data().size() < want)) break;
    }
    return out;
}

// --- user PIN ---

namespace {
// The reference data block: the PIN's ASCII digits padded with FF to 8 bytes (specs/keystore.md).
secure_bytes pin_block(const secure_bytes& pin, const char* what_pin) {
    if (pin.size() < 4 || pin.size() > 8) {
        throw ArgumentError(std::string(what_pin) + " must be 4 to 8 digits (got " + std::to_string(pin.size()) + " characters)");
    }
    for (uint8_t c : pin) {
        if (c < '0' || c > '9') throw ArgumentError(std::string(what_pin) + " must be digits only");
    }
    secure_bytes block(8, 0xFF);
    std::copy(pin.begin(), pin.end(), block.begin());
    return block;
}
constexpr uint8_t kUserPinReference = 0x01;
}  // namespace

void KeyStore::pin_command(const char* name, uint8_t ins, uint8_t p1, const secure_bytes& data, const char* what_pin) {
    bytes wire(data.begin(), data.end());
    ResponseApdu response;
    try {
        response = transmit(ins, p1, kUserPinReference, wire);
    } catch (...) {
        secure_wipe(wire.data(), wire.size());
        throw;
    }
    secure_wipe(wire.data(), wire.size());
    if (response.is_ok()) return;
    const uint16_t sw = response.sw();
    if ((sw & 0xFFF0) == 0x63C0 || sw == sw::kAuthenticationBlocked) throw PinError(sw, what_pin);
    throw SwError(sw, name);
}

void KeyStore::verify_pin(const secure_bytes& pin) {
    pin_command("VERIFY", kInsVerifyPin, 0x00, pin_block(pin, "PIN"), "PIN");
}

void KeyStore::change_pin(const secure_bytes& old_pin, const secure_bytes& new_pin) {
    secure_bytes data = pin_block(old_pin, "PIN");
    const secure_bytes fresh = pin_block(new_pin, "new PIN");
    data.insert(data.end(), fresh.begin(), fresh.end());
    pin_command("CHANGE REFERENCE DATA", kInsChangePin, 0x00, data, "PIN");
}

void KeyStore::unblock_pin(const secure_bytes& puk, const secure_bytes& new_pin) {
    secure_bytes data = pin_block(puk, "PUK");
    const secure_bytes fresh = pin_block(new_pin, "new PIN");
    data.insert(data.end(), fresh.begin(), fresh.end());
    pin_command("RESET RETRY COUNTER", kInsResetRetryCounter, 0x00, data, "PUK");
}

std::optional<int> KeyStore::pin_tries_left() {
    const ResponseApdu response = transmit(kInsVerifyPin, 0x00, kUserPinReference);
    if (response.is_ok()) return std::nullopt;
    if ((response.sw() & 0xFFF0) == 0x63C0) return response.sw() & 0x0F;
    if (response.sw() == sw::kAuthenticationBlocked) return 0;
    throw SwError(response.sw(), "VERIFY (tries left)");
}

}  // namespace simkit

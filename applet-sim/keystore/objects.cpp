// Key store objects in the card state (see objects.hpp and specs/keystore.md).
#include "keystore/objects.hpp"

#include "simkit/crypto.hpp"
#include "simkit/core/aes_gcm.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim::keystore {

namespace {
constexpr std::size_t kNonceSize = 12;
constexpr uint8_t kTagAccess = 0x60, kTagFunctions = 0x61, kTagFileUsage = 0x21, kTagFlags = 0xC0;
constexpr uint8_t kKeyTypeP256 = 0x13, kKeyTypeSecret = 0xA0, kUsageGeneral = 0x01;

bytes one(uint8_t value) { return bytes{value}; }

ObjectAttributes decode_attributes(ObjectKind kind, const bytes& id, const secure_bytes& record) {
    ObjectAttributes object;
    object.kind = kind;
    object.id = id;
    const bytes raw = to_bytes(record);
    for (const Tlv& tlv : parse_tlvs(raw)) {
        const uint8_t v = tlv.value.empty() ? 0 : tlv.value[0];
        if (tlv.tag == tags_of(kind).label_tag) object.label = tlv.value;
        else if (tlv.tag == kTagAccess) object.access = v;
        else if (tlv.tag == kTagFunctions) object.functions = v;
        else if (tlv.tag == kTagFileUsage) object.file_usage = v;
        else if (tlv.tag == kTagFlags) object.flags = v;
    }
    return object;
}

secure_bytes encode_attributes(const ObjectAttributes& object) {
    bytes out;
    if (!object.label.empty()) {
        const bytes t = encode_tlv(tags_of(object.kind).label_tag, object.label);
        out.insert(out.end(), t.begin(), t.end());
    }
    for (const bytes& t : {encode_tlv(kTagAccess, one(object.access)), encode_tlv(kTagFunctions, one(object.functions)),
                           encode_tlv(kTagFileUsage, one(object.file_usage)), encode_tlv(kTagFlags, one(object.flags))}) {
        out.insert(out.end(), t.begin(), t.end());
    }
    return to_secure(out);
}

void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }
}  // namespace

KindTags tags_of(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::PrivateKey: return {0xC1, 0x84, 0x74};
        case ObjectKind::PublicKey: return {0xC2, 0x85, 0x75};
        case ObjectKind::File: return {0xC3, 0x83, 0x73};
        case ObjectKind::Secret: return {0xC4, 0x86, 0x76};
    }
    return {0, 0, 0};
}

std::optional<ObjectKind> kind_of_template_tag(uint32_t tag) {
    for (ObjectKind k : {ObjectKind::PrivateKey, ObjectKind::PublicKey, ObjectKind::File, ObjectKind::Secret}) {
        if (tags_of(k).template_tag == tag) return k;
    }
    return std::nullopt;
}

const char* record_kind(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::PrivateKey: return "private";
        case ObjectKind::PublicKey: return "public";
        case ObjectKind::File: return "file";
        case ObjectKind::Secret: return "secret";
    }
    return "?";
}

std::size_t capacity_of(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::PrivateKey: return kMaxPrivateKeys;
        case ObjectKind::PublicKey: return kMaxPublicKeys;
        case ObjectKind::File: return kMaxFiles;
        case ObjectKind::Secret: return kMaxSecrets;
    }
    return 0;
}

uint8_t default_functions(ObjectKind kind) {
    switch (kind) {
        case ObjectKind::PrivateKey: return functions::kSignature | functions::kKeyGeneration | functions::kKeyAgreement;
        case ObjectKind::PublicKey: return functions::kSignature | functions::kKeyAgreement;
        case ObjectKind::File: return 0;
        case ObjectKind::Secret: return functions::kKeyDerivation;
    }
    return 0;
}

std::string object_record(ObjectKind kind, const bytes& id) {
    return std::string("keystore/") + record_kind(kind) + "/" + to_hex(id);
}

std::string content_record(ObjectKind kind, const bytes& id) {
    const char* part = "";
    switch (kind) {
        case ObjectKind::PrivateKey: part = "/scalar"; break;
        case ObjectKind::PublicKey: part = "/point"; break;
        case ObjectKind::File: part = "/content"; break;
        case ObjectKind::Secret: part = "/value"; break;
    }
    return object_record(kind, id) + part;
}

std::optional<ObjectAttributes> ObjectStore::find_by_id(ObjectKind kind, const bytes& id) const {
    if (id.empty() || id.size() > kMaxIdLength) return std::nullopt;
    const secure_bytes* record = state_.get(object_record(kind, id));
    if (record == nullptr) return std::nullopt;
    return decode_attributes(kind, id, *record);
}

std::optional<ObjectAttributes> ObjectStore::find_by_label(ObjectKind kind, const bytes& label) const {
    for (const ObjectAttributes& object : list(kind)) {
        if (!object.label.empty() && object.label == label) return object;
    }
    return std::nullopt;
}

std::vector<ObjectAttributes> ObjectStore::list(ObjectKind kind) const {
    const std::string prefix = std::string("keystore/") + record_kind(kind) + "/";
    std::vector<ObjectAttributes> out;
    for (const std::string& name : state_.names(prefix)) {
        const std::string rest = name.substr(prefix.size());
        if (rest.find('/') != std::string::npos) continue;  // a content record
        const bytes id = from_hex(rest);
        out.push_back(decode_attributes(kind, id, *state_.get(name)));
    }
    return out;
}

void ObjectStore::save(const ObjectAttributes& object) { state_.put(object_record(object.kind, object.id), encode_attributes(object)); }

void ObjectStore::erase(ObjectKind kind, const bytes& id) {
    state_.erase(content_record(kind, id));
    state_.erase(object_record(kind, id));
}

bool ObjectStore::filled(const ObjectAttributes& object) const {
    return state_.get(content_record(object.kind, object.id)) != nullptr;
}

bytes ObjectStore::seal(const std::string& name, const secure_bytes& plain) {
    const secure_bytes* key = state_.get(kStorageKeyRecord);
    if (key == nullptr || key->size() != 32) throw SwError(sw::kNoPreciseDiagnosis, "storage key missing");
    bytes sealed = crypto::random_bytes(kNonceSize);
    const bytes body = crypto::aes256_gcm_encrypt(*key, sealed, bytes(name.begin(), name.end()), plain);
    append(sealed, body);
    return sealed;
}

secure_bytes ObjectStore::unseal(const std::string& name) const {
    const secure_bytes* key = state_.get(kStorageKeyRecord);
    const secure_bytes* record = state_.get(name);
    if (record == nullptr) throw SwError(sw::kReferenceDataNotUsable, "object empty");
    if (key == nullptr || record->size() < kNonceSize + 16) throw SwError(sw::kNoPreciseDiagnosis, "sealed record unusable");
    const bytes nonce(record->begin(), record->begin() + kNonceSize);
    const bytes body(record->begin() + kNonceSize, record->end());
    return crypto::aes256_gcm_decrypt(*key, nonce, bytes(name.begin(), name.end()), body);
}

void ObjectStore::put_private_scalar(const bytes& id, const secure_bytes& scalar) {
    const std::string name = content_record(ObjectKind::PrivateKey, id);
    state_.put(name, to_secure(seal(name, scalar)));
}

secure_bytes ObjectStore::private_scalar(const bytes& id) const { return unseal(content_record(ObjectKind::PrivateKey, id)); }

const secure_bytes* ObjectStore::sealed_private_scalar(const bytes& id) const {
    return state_.get(content_record(ObjectKind::PrivateKey, id));
}

void ObjectStore::put_public_point(const bytes& id, const bytes& point) {
    state_.put(content_record(ObjectKind::PublicKey, id), to_secure(point));
}

std::optional<bytes> ObjectStore::public_point(const bytes& id) const {
    const secure_bytes* record = state_.get(content_record(ObjectKind::PublicKey, id));
    if (record == nullptr) return std::nullopt;
    return to_bytes(*record);
}

void ObjectStore::put_file(const bytes& id, const bytes& content) { state_.put(content_record(ObjectKind::File, id), to_secure(content)); }

bytes ObjectStore::file(const bytes& id) const {
    const secure_bytes* record = state_.get(content_record(ObjectKind::File, id));
    return record == nullptr ? bytes{} : to_bytes(*record);
}

void ObjectStore::put_secret(const bytes& id, const secure_bytes& value) {
    const std::string name = content_record(ObjectKind::Secret, id);
    state_.put(name, to_secure(seal(name, value)));
}

secure_bytes ObjectStore::secret(const bytes& id) const { return unseal(content_record(ObjectKind::Secret, id)); }

bytes ObjectStore::encode_template(const ObjectAttributes& object) const {
    const KindTags tags = tags_of(object.kind);
    const bool is_filled = filled(object);
    uint8_t shown_access = object.access;
    if (object.pin_bound()) shown_access |= access::kUserPin;
    bytes body;
    if (!object.label.empty()) append(body, encode_tlv(tags.label_tag, object.label));
    append(body, encode_tlv(tags.id_tag, object.id));
    append(body, encode_tlv(kTagAccess, one(shown_access)));
    append(body, encode_tlv(0x4A, one(is_filled ? 0x01 : 0x00)));
    if (object.kind == ObjectKind::File) {
        const bytes content = file(object.id);
        bytes size;
        append_u16(size, static_cast<uint16_t>(content.size()));
        append(body, encode_tlv(0x20, size));
        append(body, encode_tlv(kTagFileUsage, one(object.file_usage == 0 ? 0x01 : object.file_usage)));
    } else if (object.kind == ObjectKind::Secret) {
        append(body, encode_tlv(0x4B, one(kKeyTypeSecret)));
        append(body, encode_tlv(kTagFunctions, one(object.functions)));
        if (object.functions & functions::kKeyDerivation) append(body, encode_tlv(0x94, one(0x03)));
    } else {
        append(body, encode_tlv(0x4B, one(kKeyTypeP256)));
        append(body, encode_tlv(0x4E, one(kUsageGeneral)));
        append(body, encode_tlv(kTagFunctions, one(object.functions)));
        if (object.functions & functions::kSignature) {
            append(body, encode_tlv(0x92, one(0x04)));
            append(body, encode_tlv(0x91, bytes{0x00, 0x01}));
        }
        if (object.functions & functions::kKeyAgreement) append(body, encode_tlv(0x6F, one(0x01)));
    }
    return encode_tlv(tags.template_tag, body);
}

namespace {
ObjectAttributes factory_object(ObjectKind kind, uint8_t id, const std::string& label, uint8_t access_bits,
                                uint8_t file_usage = 0) {
    ObjectAttributes object;
    object.kind = kind;
    object.id = bytes{id};
    object.label = bytes(label.begin(), label.end());
    object.access = access_bits;
    object.functions = default_functions(kind);
    object.file_usage = file_usage;
    return object;
}

void write_layout(PersistentState& state) {
    if (state.get(kStorageKeyRecord) == nullptr) state.put(kStorageKeyRecord, to_secure(crypto::random_bytes(32)));
    ObjectStore store(state);
    const char* private_labels[] = {"device", "key-02", "key-03", "ephemeral"};
    for (uint8_t i = 1; i <= 4; ++i) {
        if (!store.find_by_id(ObjectKind::PrivateKey, bytes{i})) {
            store.save(factory_object(ObjectKind::PrivateKey, i, private_labels[i - 1], 0x00));
        }
    }
    for (uint8_t i = 1; i <= 5; ++i) {
        if (!store.find_by_id(ObjectKind::PublicKey, bytes{i})) {
            const std::string label = i == 5 ? "peer" : "pub-0" + std::to_string(i);
            store.save(factory_object(ObjectKind::PublicKey, i, label, access::kRead | access::kUpdate));
        }
    }
    const char* file_labels[] = {"file-01", "cert-02", "cert-03"};
    for (uint8_t i = 1; i <= 3; ++i) {
        if (!store.find_by_id(ObjectKind::File, bytes{i})) {
            store.save(factory_object(ObjectKind::File, i, file_labels[i - 1], access::kRead | access::kUpdate,
                                      i == 1 ? 0x01 : 0x02));
        }
    }
    if (!store.find_by_id(ObjectKind::Secret, bytes{1})) store.save(factory_object(ObjectKind::Secret, 1, "secret-01", 0x00));
    state.put(kLayoutRecord, secure_bytes{0x01});
}
}  // namespace

void write_factory_layout(PersistentState& state) { write_layout(state); }

void add_missing_layout(PersistentState& state) {
    if (state.get(kLayoutRecord) != nullptr) return;  // the key store is there: never touch it
    write_layout(state);
}

}  // namespace simkit::sim::keystore

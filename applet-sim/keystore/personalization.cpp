// Key store personalization: the STORE DATA DGIs (inside an SCP03 session with C-MAC, see
// secure_channel_applet.hpp) that define objects, write files in offset-addressed chunks, delete
// objects and load key material (specs/keystore.md, "Personalization").
#include "keystore/keystore_applet.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

using namespace keystore;

namespace {
constexpr uint16_t kDgiDefineObject = 0x0101, kDgiWriteFile = 0x0102, kDgiDeleteObject = 0x0103, kDgiLoadKey = 0x0104;

std::vector<Tlv> tlvs_of(const secure_bytes& value) { return parse_command_tlvs(to_bytes(value)); }

uint8_t one_byte(const Tlv& tlv) {
    if (tlv.value.size() != 1) throw SwError(sw::kWrongData, "one-byte TLV expected");
    return tlv.value[0];
}

bytes checked_id(const std::optional<Tlv>& id) {
    if (!id || id->value.empty() || id->value.size() > kMaxIdLength) throw SwError(sw::kWrongData, "object ID (1..4 bytes) missing");
    return id->value;
}

void define_object(ObjectStore& store, const secure_bytes& value) {
    const auto outer = tlvs_of(value);
    if (outer.size() != 1) throw SwError(sw::kWrongData, "one object template expected");
    const auto kind = kind_of_template_tag(outer[0].tag);
    if (!kind) throw SwError(sw::kWrongData, "template must be C1, C2, C3 or C4");
    std::vector<Tlv> fields;
    try {
        fields = outer[0].children();
    } catch (const FormatError&) {
        throw SwError(sw::kWrongData, "malformed object template");
    }
    const KindTags tags = tags_of(*kind);
    const bytes id = checked_id(find_tlv(fields, tags.id_tag));
    ObjectAttributes object;
    if (auto existing = store.find_by_id(*kind, id)) {
        object = *existing;
    } else {
        if (store.list(*kind).size() >= capacity_of(*kind)) throw SwError(sw::kNotEnoughMemory, "object capacity reached");
        object.kind = *kind;
        object.id = id;
        object.access = (*kind == ObjectKind::PublicKey || *kind == ObjectKind::File) ? (access::kRead | access::kUpdate) : 0;
        object.functions = default_functions(*kind);
        object.file_usage = *kind == ObjectKind::File ? 0x01 : 0x00;
    }
    if (auto label = find_tlv(fields, tags.label_tag)) {
        if (label->value.empty() || label->value.size() > kMaxLabelLength) throw SwError(sw::kWrongData, "label 1..60 bytes");
        const auto holder = store.find_by_label(*kind, label->value);
        if (holder && holder->id != id) throw SwError(sw::kWrongData, "label already used");
        object.label = label->value;
    }
    if (auto a = find_tlv(fields, 0x60)) object.access = one_byte(*a);
    if (auto f = find_tlv(fields, 0x61)) object.functions = one_byte(*f);
    if (auto u = find_tlv(fields, 0x21)) object.file_usage = one_byte(*u);
    store.save(object);
}

void write_file(ObjectStore& store, const secure_bytes& value) {
    const auto tlvs = tlvs_of(value);
    const bytes id = checked_id(find_tlv(tlvs, 0x83));
    if (!store.find_by_id(ObjectKind::File, id)) throw SwError(sw::kReferencedDataNotFound, "no such file");
    const auto offset_tlv = find_tlv(tlvs, 0x54);
    const auto data = find_tlv(tlvs, 0x53);
    if (!offset_tlv || offset_tlv->value.size() != 2 || !data) throw SwError(sw::kWrongData, "54 02 offset and 53 data expected");
    const std::size_t offset = read_u16(offset_tlv->value.data());
    bytes content = store.file(id);
    if (offset > content.size()) throw SwError(sw::kWrongData, "offset beyond the end of the file");
    if (offset + data->value.size() > kMaxFileSize) throw SwError(sw::kNotEnoughMemory, "file too big");
    content.resize(offset);
    content.insert(content.end(), data->value.begin(), data->value.end());
    store.put_file(id, content);
}

void delete_object(ObjectStore& store, const secure_bytes& value) {
    const auto tlvs = tlvs_of(value);
    if (tlvs.size() != 1) throw SwError(sw::kWrongData, "one object ID expected");
    for (ObjectKind kind : {ObjectKind::PrivateKey, ObjectKind::PublicKey, ObjectKind::File, ObjectKind::Secret}) {
        if (tlvs[0].tag != tags_of(kind).id_tag) continue;
        const bytes id = checked_id(tlvs[0]);
        if (!store.find_by_id(kind, id)) throw SwError(sw::kReferencedDataNotFound, "no such object");
        store.erase(kind, id);
        return;
    }
    throw SwError(sw::kWrongData, "84, 85, 83 or 86 expected");
}

void load_key(ObjectStore& store, const secure_bytes& value) {
    const auto tlvs = tlvs_of(value);
    const auto material = find_tlv(tlvs, 0x53);
    if (!material) throw SwError(sw::kWrongData, "53 key material missing");
    if (auto key_id = find_tlv(tlvs, 0x84)) {
        const bytes id = checked_id(key_id);
        auto key = store.find_by_id(ObjectKind::PrivateKey, id);
        if (!key) throw SwError(sw::kReferencedDataNotFound, "no such private key");
        const secure_bytes scalar = to_secure(material->value);
        bytes point;
        try {
            point = crypto::p256_public_from_private(scalar);
        } catch (const Error&) {
            throw SwError(sw::kWrongData, "not a P-256 private scalar");
        }
        store.put_private_scalar(id, scalar);
        key->flags = static_cast<uint8_t>(key->flags & ~kFlagKeyPinBound);
        store.save(*key);
        if (!store.find_by_id(ObjectKind::PublicKey, id)) {
            if (store.list(ObjectKind::PublicKey).size() >= capacity_of(ObjectKind::PublicKey)) throw SwError(sw::kNotEnoughMemory);
            ObjectAttributes pub;
            pub.kind = ObjectKind::PublicKey;
            pub.id = id;
            pub.access = access::kRead;
            pub.functions = default_functions(ObjectKind::PublicKey);
            store.save(pub);
        }
        store.put_public_point(id, point);
        return;
    }
    const bytes id = checked_id(find_tlv(tlvs, 0x86));
    if (!store.find_by_id(ObjectKind::Secret, id)) throw SwError(sw::kReferencedDataNotFound, "no such secret");
    if (material->value.empty() || material->value.size() > 64) throw SwError(sw::kWrongData, "secret 1..64 bytes");
    store.put_secret(id, to_secure(material->value));
}
}  // namespace

void KeyStoreApplet::store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) {
    ObjectStore store(ctx.state);
    switch (dgi) {
        case kDgiDefineObject: define_object(store, value); break;
        case kDgiWriteFile: write_file(store, value); break;
        case kDgiDeleteObject: delete_object(store, value); break;
        case kDgiLoadKey: load_key(store, value); break;
        default: SecureChannelApplet::store_dgi(ctx, dgi, value);
    }
}

}  // namespace simkit::sim

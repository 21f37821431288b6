// The key store's objects (private keys, public keys, files, secrets) and how they are kept in the
// card state: one attributes record per object plus its content record; private scalars and
// secrets sealed with AES-256-GCM under the card-unique storage key (specs/keystore.md, "Records").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::keystore {

enum class ObjectKind : uint8_t { PrivateKey, PublicKey, File, Secret };

// Wire tags of a kind: template (C1..C4), ID (84/85/83/86), label (74/75/73/76).
struct KindTags {
    uint8_t template_tag;
    uint8_t id_tag;
    uint8_t label_tag;
};
KindTags tags_of(ObjectKind kind);
std::optional<ObjectKind> kind_of_template_tag(uint32_t tag);
const char* record_kind(ObjectKind kind);  // "private", "public", "file", "secret"

namespace access {
inline constexpr uint8_t kRead = 0x01;
inline constexpr uint8_t kUpdate = 0x02;
inline constexpr uint8_t kUserPin = 0x80;  // proprietary: use needs the user PIN
}  // namespace access
namespace functions {
inline constexpr uint8_t kSignature = 0x01;
inline constexpr uint8_t kKeyGeneration = 0x02;
inline constexpr uint8_t kKeyAgreement = 0x04;
inline constexpr uint8_t kKeyDerivation = 0x08;
}  // namespace functions
inline constexpr uint8_t kFlagKeyPinBound = 0x01;  // the current key was generated PIN-bound

inline constexpr std::size_t kMaxIdLength = 4;
inline constexpr std::size_t kMaxLabelLength = 60;
inline constexpr std::size_t kMaxFileSize = 8192;
inline constexpr std::size_t kMaxPrivateKeys = 8, kMaxPublicKeys = 8, kMaxFiles = 8, kMaxSecrets = 4;

struct ObjectAttributes {
    ObjectKind kind = ObjectKind::PrivateKey;
    bytes id;
    bytes label;
    uint8_t access = 0;
    uint8_t functions = 0;
    uint8_t file_usage = 0;  // files only
    uint8_t flags = 0;

    bool pin_bound() const noexcept { return (access & access::kUserPin) != 0 || (flags & kFlagKeyPinBound) != 0; }
};

std::size_t capacity_of(ObjectKind kind);
uint8_t default_functions(ObjectKind kind);

// A view of the key store records inside a PersistentState (staged like every other change).
class ObjectStore {
public:
    explicit ObjectStore(PersistentState& state) : state_(state) {}

    std::optional<ObjectAttributes> find_by_id(ObjectKind kind, const bytes& id) const;
    std::optional<ObjectAttributes> find_by_label(ObjectKind kind, const bytes& label) const;
    // All objects of a kind, ordered by ID.
    std::vector<ObjectAttributes> list(ObjectKind kind) const;
    void save(const ObjectAttributes& object);
    // Removes the object and its content.
    void erase(ObjectKind kind, const bytes& id);
    // True when the object has content (a key, a value; files: always "filled" once written).
    bool filled(const ObjectAttributes& object) const;

    void put_private_scalar(const bytes& id, const secure_bytes& scalar);
    secure_bytes private_scalar(const bytes& id) const;  // 6984 when empty
    // The private key's record as stored (nonce || AES-GCM ciphertext || tag), nullptr when empty:
    // it changes whenever the key does, so it names a key version without unsealing it.
    const secure_bytes* sealed_private_scalar(const bytes& id) const;
    void put_public_point(const bytes& id, const bytes& point);
    std::optional<bytes> public_point(const bytes& id) const;
    void put_file(const bytes& id, const bytes& content);
    bytes file(const bytes& id) const;
    void put_secret(const bytes& id, const secure_bytes& value);
    secure_bytes secret(const bytes& id) const;  // 6984 when empty

    // The object's template as GET DATA answers it: C1 L { [74 label] 84 id 60 4A 4B ... }.
    bytes encode_template(const ObjectAttributes& object) const;

private:
    bytes seal(const std::string& name, const secure_bytes& plain);
    secure_bytes unseal(const std::string& name) const;
    PersistentState& state_;
};

std::string object_record(ObjectKind kind, const bytes& id);
std::string content_record(ObjectKind kind, const bytes& id);
inline constexpr const char* kStorageKeyRecord = "keystore/storage-key";
inline constexpr const char* kLayoutRecord = "keystore/layout";  // 1 byte: factory layout version

// The factory objects and the storage key (fresh cards); and, on open, the same for a state file
// that has no key store yet (never touches a state that has one).
void write_factory_layout(PersistentState& state);
void add_missing_layout(PersistentState& state);

}  // namespace simkit::sim::keystore

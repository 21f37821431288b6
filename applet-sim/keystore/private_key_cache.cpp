// One loaded private key per slot (see private_key_cache.hpp).
#include "keystore/private_key_cache.hpp"

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim::keystore {

std::shared_ptr<const crypto::P256PrivateKey> PrivateKeyCache::get(const ObjectStore& store, const bytes& id) {
    const secure_bytes* sealed = store.sealed_private_scalar(id);
    if (sealed == nullptr) throw SwError(sw::kReferenceDataNotUsable, "private key slot empty");
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(id);
    if (it != entries_.end() && it->second.sealed == *sealed) return it->second.key;
    auto key = std::make_shared<const crypto::P256PrivateKey>(store.private_scalar(id));
    entries_[id] = Entry{*sealed, key};
    return key;
}

}  // namespace simkit::sim::keystore

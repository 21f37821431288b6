// The key store's private keys loaded into OpenSSL, one per slot, reused while the slot's sealed
// record is unchanged: signing and ECDH then skip unsealing (AES-GCM) and importing the scalar,
// which cost as much as the signature itself. A new key (GENERATE KEY PAIR, personalization) writes
// a new sealed record with a fresh nonce, so a stale entry is never used; a state rolled back by a
// power cut holds the old record, which names the old key. Entries live as long as the card.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "keystore/objects.hpp"
#include "simkit/ec.hpp"

namespace simkit::sim::keystore {

class PrivateKeyCache {
public:
    // The private key in slot `id` (SwError 6984 when the slot is empty).
    std::shared_ptr<const crypto::P256PrivateKey> get(const ObjectStore& store, const bytes& id);

private:
    struct Entry {
        secure_bytes sealed;  // the record the key was loaded from
        std::shared_ptr<const crypto::P256PrivateKey> key;
    };
    std::mutex mutex_;
    std::map<bytes, Entry> entries_;
};

}  // namespace simkit::sim::keystore

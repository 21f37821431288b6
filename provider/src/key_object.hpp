// The provider's key data (KEYMGMT's keydata): a P-256 public point and, for a key loaded from a
// key URI, the card session and slot that hold its private half. A key imported from elsewhere
// (the public key of a certificate, for EVP_PKEY_eq) has the point alone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "card_sessions.hpp"
#include "simkit/bytes.hpp"

namespace simkit::provider {

struct ProviderContext;

struct KeyObject {
    ProviderContext* ctx = nullptr;
    std::shared_ptr<CardSession> session;  // null: public key only
    uint8_t slot = 0;
    std::string name;                      // the key URI (no secret in it), for messages
    bytes public_point;                    // 04 || X || Y; empty until imported

    bool has_private() const noexcept { return session != nullptr; }
    // "slot 1 on sim:card.state"
    std::string where() const;
};

}  // namespace simkit::provider

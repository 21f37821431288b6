// simkit_scp_open, simkit_scp_transmit, simkit_scp_close: a GlobalPlatform secure channel (SCP03 or
// SCP02, simkit::ScpSession) to the card's Issuer Security Domain, as a handle owned by its card.
#include <algorithm>

#include "capi_state.hpp"
#include "simkit/scp.hpp"

namespace simkit::capi {

namespace {

scp::Protocol protocol_from(const simkit_scp_protocol& protocol) {
    switch (enum_value(protocol)) {
        case SIMKIT_SCP02: return scp::Protocol::Scp02;
        case SIMKIT_SCP03: return scp::Protocol::Scp03;
    }
    throw Failure{SIMKIT_E_INVALID_ARGUMENT, "protocol must be SIMKIT_SCP02 or SIMKIT_SCP03"};
}

void check_key_length(scp::Protocol protocol, size_t key_len) {
    const bool aes_length = key_len == 16 || key_len == 24 || key_len == 32;
    const bool ok = protocol == scp::Protocol::Scp02 ? key_len == 16 : aes_length;
    if (!ok) {
        throw Failure{SIMKIT_E_INVALID_ARGUMENT, protocol == scp::Protocol::Scp02
                                                     ? "SCP02 keys must be 16 bytes (3DES)"
                                                     : "SCP03 keys must be 16, 24 or 32 bytes (AES)"};
    }
}

// The caller's key bytes in zeroizing memory (wiped when the session or this call ends).
secure_bytes key_copy(const uint8_t* key, size_t key_len) { return secure_bytes(key, key + key_len); }

}  // namespace

}  // namespace simkit::capi

using simkit::capi::CardState;
using simkit::capi::Failure;

extern "C" int simkit_scp_open(simkit_card* card, simkit_scp_protocol protocol, uint8_t kvn, uint8_t level,
                               const uint8_t* enc, const uint8_t* mac, const uint8_t* dek, size_t key_len,
                               simkit_scp** scp) {
    if (scp != nullptr) *scp = nullptr;
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card& c) {
        simkit::capi::require(scp, "scp");
        simkit::capi::require(enc, "enc");
        simkit::capi::require(mac, "mac");
        simkit::capi::require(dek, "dek");
        simkit::ScpOptions options;
        options.protocol = simkit::capi::protocol_from(protocol);
        simkit::capi::check_key_length(options.protocol, key_len);
        if (!simkit::scp::level_is_valid(options.protocol, level)) {
            throw Failure{SIMKIT_E_INVALID_ARGUMENT, "security level " + simkit::to_hex(&level, 1) +
                                                         " is not one the protocol knows"};
        }
        options.kvn = kvn;
        options.level = level;
        const simkit::scp::StaticKeys keys{simkit::capi::key_copy(enc, key_len), simkit::capi::key_copy(mac, key_len),
                                           simkit::capi::key_copy(dek, key_len)};
        auto handle = std::make_unique<simkit_scp>();
        handle->state = card->state;
        handle->session = std::make_unique<simkit::ScpSession>(c, simkit::fixed_keys(keys), options);
        state.sessions.push_back(handle.get());
        *scp = handle.release();
        return SIMKIT_OK;
    });
}

extern "C" int simkit_scp_transmit(simkit_scp* scp, const uint8_t* apdu, size_t apdu_len, uint8_t* resp,
                                   size_t* resp_len, uint16_t* sw) {
    if (scp == nullptr || !scp->state) {
        simkit::capi::thread_last_error().set_fixed("secure channel handle is NULL (closed or never opened)");
        return SIMKIT_E_INVALID_HANDLE;
    }
    CardState& state = *scp->state;
    std::unique_lock<std::mutex> lock(state.mutex, std::defer_lock);
    if (!simkit::capi::lock_card(lock)) return SIMKIT_E_INTERNAL;
    if (!scp->session) {
        simkit::capi::record_fixed(&state, "the secure channel's card was closed");
        return SIMKIT_E_INVALID_HANDLE;
    }
    return simkit::capi::run_guarded(&state, [&] {
        simkit::capi::require(apdu, "apdu");
        simkit::capi::require(sw, "sw");
        simkit::capi::require_buffer(resp, resp_len, "resp");
        const simkit::CommandApdu command = simkit::CommandApdu::parse(apdu, apdu_len);
        const simkit::ResponseApdu response = scp->session->transmit(command);
        *sw = response.sw();
        simkit::capi::copy_out(response.data().data(), response.data().size(), resp, resp_len, "resp");
        return SIMKIT_OK;
    });
}

extern "C" int simkit_scp_close(simkit_scp** scp) {
    if (scp == nullptr) {
        simkit::capi::thread_last_error().set_fixed("simkit_scp_close: scp is NULL");
        return SIMKIT_E_INVALID_ARGUMENT;
    }
    if (*scp == nullptr) {
        simkit::capi::thread_last_error().set_fixed("simkit_scp_close: the handle is NULL (already closed?)");
        return SIMKIT_E_INVALID_HANDLE;
    }
    std::unique_ptr<simkit_scp> handle(*scp);
    *scp = nullptr;
    const std::shared_ptr<CardState> state = handle->state;
    std::unique_lock<std::mutex> lock(state->mutex, std::defer_lock);
    if (!simkit::capi::lock_card(lock)) {
        *scp = handle.release();  // nothing was closed: the caller keeps the handle
        return SIMKIT_E_INTERNAL;
    }
    auto& sessions = state->sessions;
    sessions.erase(std::remove(sessions.begin(), sessions.end(), handle.get()), sessions.end());
    handle->session.reset();
    handle->state.reset();
    return SIMKIT_OK;
}

// simkit_open, simkit_close, simkit_transmit: the card handle and raw APDUs.
#include <memory>

#include "capi_state.hpp"
#include "simkit/errors.hpp"

namespace simkit::capi {

KeyStore& keystore_of(CardState& state) {
    if (!state.keystore) {
        KeyStoreOptions options;
        options.logical_channel = true;
        state.keystore = std::make_unique<KeyStore>(*state.card, options);
    }
    return *state.keystore;
}

}  // namespace simkit::capi

using simkit::capi::CardState;
using simkit::capi::Failure;

extern "C" int simkit_open(const char* uri, simkit_card** card) {
    return simkit::capi::run_guarded(nullptr, [&] {
        simkit::capi::require(card, "card");
        *card = nullptr;
        auto state = std::make_shared<CardState>();
        std::optional<std::string> given;
        if (uri != nullptr && uri[0] != '\0') given = std::string(uri);
        state->card.emplace(simkit::Card::open(given));
        // Every status word on the wire, for simkit_last_sw (the observer runs under the card's mutex).
        CardState* raw = state.get();
        state->card->set_observer([raw](const simkit::bytes&, const simkit::bytes& response) {
            if (response.size() >= 2) raw->last_sw = simkit::read_u16(response.data() + response.size() - 2);
        });
        auto handle = std::make_unique<simkit_card>();
        handle->state = std::move(state);
        *card = handle.release();
        return SIMKIT_OK;
    });
}

extern "C" int simkit_close(simkit_card** card) {
    if (card == nullptr) {
        simkit::capi::thread_last_error().set_fixed("simkit_close: card is NULL");
        return SIMKIT_E_INVALID_ARGUMENT;
    }
    if (*card == nullptr) {
        simkit::capi::thread_last_error().set_fixed("simkit_close: the handle is NULL (already closed?)");
        return SIMKIT_E_INVALID_HANDLE;
    }
    std::unique_ptr<simkit_card> handle(*card);
    *card = nullptr;
    const std::shared_ptr<CardState> state = handle->state;  // kept alive past the unlock
    std::unique_lock<std::mutex> lock(state->mutex, std::defer_lock);
    if (!simkit::capi::lock_card(lock)) {
        *card = handle.release();  // nothing was closed: the caller keeps the handle
        return SIMKIT_E_INTERNAL;
    }
    // Secure channels end first (they hold the card), then the key store's channel, then the card.
    for (simkit_scp* scp : state->sessions) scp->session.reset();
    state->sessions.clear();
    state->keystore.reset();
    state->card.reset();
    return SIMKIT_OK;
}

extern "C" int simkit_transmit(simkit_card* card, const uint8_t* apdu, size_t apdu_len, uint8_t* resp,
                               size_t* resp_len, uint16_t* sw) {
    return simkit::capi::guarded_on_card(card, [&](CardState&, simkit::Card& c) {
        simkit::capi::require(apdu, "apdu");
        simkit::capi::require(sw, "sw");
        simkit::capi::require_buffer(resp, resp_len, "resp");
        const simkit::CommandApdu command = simkit::CommandApdu::parse(apdu, apdu_len);
        const simkit::ResponseApdu response = c.transmit(command);
        *sw = response.sw();
        simkit::capi::copy_out(response.data().data(), response.data().size(), resp, resp_len, "resp");
        return SIMKIT_OK;
    });
}

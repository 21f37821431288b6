// simkit_keystore_generate, simkit_keystore_public_key, simkit_keystore_sign(_digest): the GSMA IoT
// SAFE key store (simkit::KeyStore) on the card's own logical channel.
#include "capi_state.hpp"

namespace simkit::capi {

namespace {

constexpr std::size_t kSha256Length = 32;

// Signing has a side effect (and a random result), so the buffer is checked before the card works:
// it must hold the longest P-256 DER signature.
void require_signature_room(const uint8_t* sig, size_t* sig_len) {
    require_buffer(sig, sig_len, "sig");
    if (*sig_len < SIMKIT_ECDSA_DER_MAX_LEN) {
        const std::size_t given = *sig_len;
        *sig_len = SIMKIT_ECDSA_DER_MAX_LEN;
        throw Failure{SIMKIT_E_BUFFER_TOO_SMALL, "sig buffer too small: " + std::to_string(SIMKIT_ECDSA_DER_MAX_LEN) +
                                                     " bytes needed, " + std::to_string(given) + " given"};
    }
}

}  // namespace

}  // namespace simkit::capi

using simkit::capi::CardState;
using simkit::capi::Failure;

extern "C" int simkit_keystore_generate(simkit_card* card, uint8_t slot, unsigned flags) {
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card&) {
        if ((flags & ~SIMKIT_KEY_PIN_BOUND) != 0) {
            throw Failure{SIMKIT_E_INVALID_ARGUMENT, "flags: only SIMKIT_KEY_PIN_BOUND is defined"};
        }
        simkit::capi::keystore_of(state).generate(slot, (flags & SIMKIT_KEY_PIN_BOUND) != 0);
        return SIMKIT_OK;
    });
}

extern "C" int simkit_keystore_public_key(simkit_card* card, uint8_t slot, simkit_pubkey_format format, uint8_t* out,
                                          size_t* out_len) {
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card&) {
        simkit::capi::require_buffer(out, out_len, "out");
        simkit::bytes key;
        switch (simkit::capi::enum_value(format)) {
            case SIMKIT_PUBKEY_POINT: key = simkit::capi::keystore_of(state).public_key(slot); break;
            case SIMKIT_PUBKEY_SPKI_DER: key = simkit::capi::keystore_of(state).public_key_der(slot); break;
            default:
                throw Failure{SIMKIT_E_INVALID_ARGUMENT,
                              "format must be SIMKIT_PUBKEY_POINT or SIMKIT_PUBKEY_SPKI_DER"};
        }
        simkit::capi::copy_out(key.data(), key.size(), out, out_len, "out");
        return SIMKIT_OK;
    });
}

extern "C" int simkit_keystore_sign(simkit_card* card, uint8_t slot, const uint8_t* message, size_t message_len,
                                    uint8_t* sig, size_t* sig_len) {
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card&) {
        if (message_len != 0) simkit::capi::require(message, "message");
        simkit::capi::require_signature_room(sig, sig_len);
        const simkit::bytes data = message_len == 0 ? simkit::bytes{} : simkit::bytes(message, message + message_len);
        const simkit::bytes der = simkit::capi::keystore_of(state).sign(slot, data);
        simkit::capi::copy_out(der.data(), der.size(), sig, sig_len, "sig");
        return SIMKIT_OK;
    });
}

extern "C" int simkit_keystore_sign_digest(simkit_card* card, uint8_t slot, const uint8_t* digest, size_t digest_len,
                                           uint8_t* sig, size_t* sig_len) {
    return simkit::capi::guarded_on_card(card, [&](CardState& state, simkit::Card&) {
        simkit::capi::require(digest, "digest");
        if (digest_len != simkit::capi::kSha256Length) {
            throw Failure{SIMKIT_E_INVALID_ARGUMENT,
                          "digest must be 32 bytes (SHA-256), not " + std::to_string(digest_len)};
        }
        simkit::capi::require_signature_room(sig, sig_len);
        const simkit::bytes hash(digest, digest + digest_len);
        const simkit::bytes der = simkit::capi::keystore_of(state).sign_digest(slot, hash);
        simkit::capi::copy_out(der.data(), der.size(), sig, sig_len, "sig");
        return SIMKIT_OK;
    });
}

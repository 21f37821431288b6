// A minimal host for the card-side secure channel tests: INITIALIZE UPDATE and EXTERNAL
// AUTHENTICATE against an in-process sim::Card through the shared SCP core (whose bytes are pinned by
// pySim's published vectors in test_scp_core.cpp), then wrapped commands. It deliberately does not use
// ScpSession, so the card's state machine is tested on its own, including the byte-level negatives
// (flipped MAC bits, replays, truncations) that a well-behaved host never sends.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "runtime/card.hpp"
#include "simkit/crypto.hpp"
#include "simkit/scp02.hpp"
#include "simkit/scp03.hpp"

namespace simkit::test {

inline const secure_bytes kFactoryKey = secure_from_hex("404142434445464748494A4B4C4D4E4F");

struct TestHost {
    explicit TestHost(sim::Card& c) : card(c) {}
    sim::Card& card;
    std::unique_ptr<scp::SecureMessaging> channel;
    scp::InitUpdateResponse info;
    ResponseApdu last_external_authenticate;

    ResponseApdu send_raw(const CommandApdu& command) { return ResponseApdu::parse(card.transmit(command.encode())); }

    // INITIALIZE UPDATE with `kvn`; returns the parsed answer (REQUIREs 9000).
    scp::InitUpdateResponse initialize_update(uint8_t kvn, const bytes& host_challenge) {
        const ResponseApdu r = send_raw(CommandApdu::case4(0x80, 0x50, kvn, 0x00, host_challenge, 256));
        REQUIRE(r.sw() == 0x9000);
        return scp::InitUpdateResponse::parse(r.data());
    }

    // Full handshake; returns the EXTERNAL AUTHENTICATE status word. `corrupt` flips a bit of the
    // host cryptogram (a wrong key on the host's side looks the same to the card).
    uint16_t authenticate(const scp::StaticKeys& keys, uint8_t level, uint8_t kvn = 0, bool corrupt = false) {
        const bytes host_challenge = crypto::random_bytes(8);
        info = initialize_update(kvn, host_challenge);
        if (info.protocol == scp::Protocol::Scp03) REQUIRE(info.card_challenge.size() == 8);  // S16: authenticate_s16
        bytes cryptogram;
        if (info.protocol == scp::Protocol::Scp03) {
            auto session = scp03::derive_session_keys(keys, host_challenge, info.card_challenge);
            REQUIRE(ct_equal(scp03::card_cryptogram(session, host_challenge, info.card_challenge, 8), info.card_cryptogram));
            cryptogram = scp03::host_cryptogram(session, host_challenge, info.card_challenge, 8);
            channel = std::make_unique<scp03::Scp03Channel>(session, keys.dek, level, 8);
        } else {
            const auto counter = static_cast<uint16_t>(*info.sequence_counter);
            auto session = scp02::derive_session_keys(keys, counter);
            REQUIRE(ct_equal(scp02::card_cryptogram(session, host_challenge, counter, info.card_challenge), info.card_cryptogram));
            cryptogram = scp02::host_cryptogram(session, host_challenge, counter, info.card_challenge);
            channel = std::make_unique<scp02::Scp02Channel>(session, level);
        }
        if (corrupt) cryptogram[0] ^= 0x01;
        last_external_authenticate = send_raw(
            channel->wrap_external_authenticate(CommandApdu::case3(0x80, 0x82, level, 0x00, cryptogram)));
        return last_external_authenticate.sw();
    }

    // S16 handshake (16-byte challenges, cryptograms and MACs).
    uint16_t authenticate_s16(const scp::StaticKeys& keys, uint8_t level, uint8_t kvn) {
        const bytes host_challenge = crypto::random_bytes(16);
        info = initialize_update(kvn, host_challenge);
        REQUIRE(info.card_challenge.size() == 16);
        auto session = scp03::derive_session_keys(keys, host_challenge, info.card_challenge);
        REQUIRE(ct_equal(scp03::card_cryptogram(session, host_challenge, info.card_challenge, 16), info.card_cryptogram));
        const bytes cryptogram = scp03::host_cryptogram(session, host_challenge, info.card_challenge, 16);
        channel = std::make_unique<scp03::Scp03Channel>(session, keys.dek, level, 16);
        return send_raw(channel->wrap_external_authenticate(CommandApdu::case3(0x80, 0x82, level, 0x00, cryptogram))).sw();
    }

    // A wrapped command and its unwrapped answer.
    ResponseApdu send(const CommandApdu& plain) {
        const ResponseApdu wrapped = send_raw(channel->wrap_command(plain));
        return channel->unwrap_response(wrapped);
    }
};

inline scp::StaticKeys same_keys(const secure_bytes& key) { return scp::StaticKeys{key, key, key}; }

// The data field of PUT KEY for a whole key set, keys encrypted under the session's DEK.
inline bytes put_key_data(const scp::SecureMessaging& channel, uint8_t new_kvn, const scp::StaticKeys& keys, bool des) {
    bytes data{new_kvn};
    for (const secure_bytes* key : {&keys.enc, &keys.mac, &keys.dek}) {
        secure_bytes padded = *key;
        while (padded.size() % channel.block_size() != 0) padded.push_back(0x00);
        const bytes encrypted = channel.encrypt_sensitive(padded);
        data.push_back(des ? 0x80 : 0x88);
        if (des) {
            data.push_back(static_cast<uint8_t>(encrypted.size()));
        } else {
            data.push_back(static_cast<uint8_t>(encrypted.size() + 1));
            data.push_back(static_cast<uint8_t>(key->size()));
        }
        data.insert(data.end(), encrypted.begin(), encrypted.end());
        const bytes kcv = des ? scp::kcv_des3(*key) : scp::kcv_aes(*key);
        data.push_back(0x03);
        data.insert(data.end(), kcv.begin(), kcv.end());
    }
    return data;
}

}  // namespace simkit::test

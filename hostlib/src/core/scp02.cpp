// SCP02 key derivation and secure messaging (see scp02.hpp; GP Card Specification 2.2 Appendix E).
#include "simkit/scp02.hpp"

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"

namespace simkit::scp02 {

using crypto::Direction;

namespace {
const bytes kZeroIcv(8, 0x00);

secure_bytes session_key(const secure_bytes& static_key, uint8_t c1, uint8_t c2, uint16_t counter) {
    if (static_key.size() != 16) throw ArgumentError("SCP02 keys must be 16 bytes (2-key 3DES)");
    secure_bytes derivation(16, 0x00);
    derivation[0] = c1;
    derivation[1] = c2;
    derivation[2] = static_cast<uint8_t>(counter >> 8);
    derivation[3] = static_cast<uint8_t>(counter);
    return crypto::des3_cbc(Direction::Encrypt, static_key, kZeroIcv, derivation);
}

// The single-DES key K1 || K1 (EDE with equal halves is single DES) of a 2-key 3DES key.
secure_bytes single_des_key(const secure_bytes& key) {
    secure_bytes k1(key.begin(), key.begin() + 8);
    k1.insert(k1.end(), key.begin(), key.begin() + 8);
    return k1;
}

bytes last_block(const bytes& data) { return bytes(data.end() - 8, data.end()); }

bytes cryptogram_input(const bytes& first, uint16_t counter, const bytes& second) {
    bytes input = first;
    append_u16(input, counter);
    input.insert(input.end(), second.begin(), second.end());
    return input;
}
}  // namespace

SessionKeys derive_session_keys(const scp::StaticKeys& keys, uint16_t sequence_counter) {
    return SessionKeys{session_key(keys.mac, 0x01, 0x01, sequence_counter),
                       session_key(keys.mac, 0x01, 0x02, sequence_counter),
                       session_key(keys.enc, 0x01, 0x82, sequence_counter),
                       session_key(keys.dek, 0x01, 0x81, sequence_counter)};
}

bytes full_3des_mac(const secure_bytes& key, const bytes& data) {
    return last_block(crypto::des3_cbc(Direction::Encrypt, key, kZeroIcv, scp::pad80(data, 8)));
}

bytes retail_mac(const secure_bytes& key, const bytes& icv, const bytes& data) {
    if (key.size() != 16) throw ArgumentError("retail_mac: key must be 16 bytes");
    const bytes padded = scp::pad80(data, 8);
    bytes chained = icv;  // H(q-1): single-DES CBC over all blocks but the last
    if (padded.size() > 8) {
        const bytes head(padded.begin(), padded.end() - 8);
        chained = last_block(crypto::des3_cbc(Direction::Encrypt, single_des_key(key), icv, head));
    }
    bytes final_block = last_block(padded);
    for (int i = 0; i < 8; ++i) final_block[i] ^= chained[i];
    // DES_K1(DES^-1_K2(DES_K1(x))) is 2-key 3DES EDE of x.
    return crypto::des3_ecb(Direction::Encrypt, key, final_block);
}

bytes card_cryptogram(const SessionKeys& keys, const bytes& host_challenge, uint16_t sequence_counter,
                      const bytes& card_challenge) {
    return full_3des_mac(keys.enc, cryptogram_input(host_challenge, sequence_counter, card_challenge));
}

bytes host_cryptogram(const SessionKeys& keys, const bytes& host_challenge, uint16_t sequence_counter,
                      const bytes& card_challenge) {
    bytes input;
    append_u16(input, sequence_counter);
    input.insert(input.end(), card_challenge.begin(), card_challenge.end());
    input.insert(input.end(), host_challenge.begin(), host_challenge.end());
    return full_3des_mac(keys.enc, input);
}

bytes pseudo_random_card_challenge(const SessionKeys& keys, const bytes& aid) {
    bytes mac = retail_mac(keys.c_mac, kZeroIcv, aid);
    mac.resize(6);
    return mac;
}

Scp02Channel::Scp02Channel(SessionKeys keys, uint8_t level) : SecureMessaging(level), keys_(std::move(keys)) {
    if (!scp::level_is_valid(scp::Protocol::Scp02, level)) {
        throw ArgumentError("Scp02Channel: security level " + to_hex(&level, 1) + " is not one SCP02 knows");
    }
}

// The ICV of the next C-MAC: zero for the first (EXTERNAL AUTHENTICATE), then the previous C-MAC
// encrypted with single DES under the first half of S-MAC (ICV encryption, E.3.4).
bytes Scp02Channel::next_icv() const {
    if (!last_mac_) return kZeroIcv;
    return crypto::des3_ecb(Direction::Encrypt, single_des_key(keys_.c_mac), *last_mac_);
}

// C-MAC on the modified APDU (E.4.4): the wire CLA (SM bit set), Lc counting the MAC, clear data.
bytes Scp02Channel::command_mac(const CommandApdu& plain, uint8_t wire_cla) {
    if (plain.data().size() + 8 > CommandApdu::kMaxShortNc) {
        throw SecureChannelError("SCP02 carries short APDUs only: command data too long for a C-MAC");
    }
    bytes input{wire_cla, plain.ins(), plain.p1(), plain.p2(), static_cast<uint8_t>(plain.data().size() + 8)};
    input.insert(input.end(), plain.data().begin(), plain.data().end());
    return retail_mac(keys_.c_mac, next_icv(), input);
}

CommandApdu Scp02Channel::wrap(const CommandApdu& plain, bool encrypt) {
    const uint8_t wire_cla = scp::cla_with_secure_messaging(plain.cla());
    const bytes mac = command_mac(plain, wire_cla);
    last_mac_ = mac;
    bytes data = plain.data();
    if (encrypt && (level_ & scp::kCDecryption) != 0 && !data.empty()) {
        data = crypto::des3_cbc(Direction::Encrypt, keys_.enc, kZeroIcv, scp::pad80(data, 8));
    }
    if (data.size() + 8 > CommandApdu::kMaxShortNc) throw SecureChannelError("SCP02: wrapped command exceeds 255 bytes");
    data.insert(data.end(), mac.begin(), mac.end());
    return CommandApdu::make(wire_cla, plain.ins(), plain.p1(), plain.p2(), std::move(data),
                             plain.has_le() ? CommandApdu::kMaxShortNe : 0);
}

CommandApdu Scp02Channel::unwrap(const CommandApdu& wrapped, bool decrypt) {
    if (!scp::cla_has_gp_secure_messaging(wrapped.cla())) {
        throw SecureChannelError("command without GlobalPlatform secure messaging (CLA b4-b3 01) in a secure channel");
    }
    const bytes& data = wrapped.data();
    if (data.size() < 8) throw SecureChannelError("command too short to carry a C-MAC");
    bytes body(data.begin(), data.end() - 8);
    if (decrypt && (level_ & scp::kCDecryption) != 0 && !body.empty()) {
        if (body.size() % 8 != 0) throw SecureChannelError("encrypted command data is not a multiple of 8 bytes");
        auto clear = scp::unpad80(crypto::des3_cbc(Direction::Decrypt, keys_.enc, kZeroIcv, body));
        if (!clear) throw SecureChannelError("decrypted command data has no 80 padding");
        body = std::move(*clear);
    }
    CommandApdu plain = CommandApdu::make(scp::cla_without_secure_messaging(wrapped.cla()), wrapped.ins(), wrapped.p1(),
                                          wrapped.p2(), std::move(body), wrapped.ne());
    const bytes expected = command_mac(plain, wrapped.cla());
    if (!ct_equal(data.data() + data.size() - 8, 8, expected.data(), 8)) throw SecureChannelError("C-MAC does not verify");
    last_mac_ = expected;
    return plain;
}

CommandApdu Scp02Channel::wrap_command(const CommandApdu& plain) { return wrap(plain, true); }
CommandApdu Scp02Channel::wrap_external_authenticate(const CommandApdu& plain) { return wrap(plain, false); }
CommandApdu Scp02Channel::unwrap_command(const CommandApdu& wrapped) { return unwrap(wrapped, true); }
CommandApdu Scp02Channel::unwrap_external_authenticate(const CommandApdu& wrapped) { return unwrap(wrapped, false); }

// i=15 and i=55 have no R-MAC: responses travel as they are, error status words bare.
ResponseApdu Scp02Channel::wrap_response(const ResponseApdu& plain) {
    return scp::response_is_protected(plain.sw()) ? plain : ResponseApdu(plain.sw());
}

ResponseApdu Scp02Channel::unwrap_response(const ResponseApdu& wrapped) { return wrapped; }

bytes Scp02Channel::encrypt_sensitive(const secure_bytes& plain) const {
    return to_bytes(crypto::des3_ecb(Direction::Encrypt, keys_.dek, plain));
}

secure_bytes Scp02Channel::decrypt_sensitive(const bytes& encrypted) const {
    return crypto::des3_ecb(Direction::Decrypt, keys_.dek, to_secure(encrypted));
}

}  // namespace simkit::scp02

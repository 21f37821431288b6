// SCP03 key derivation and secure messaging (see scp03.hpp; GP 2.3 Amendment D sections 4.1.5, 6.2).
#include "simkit/scp03.hpp"

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"

namespace simkit::scp03 {

using crypto::Direction;

secure_bytes kdf_counter_cmac(const secure_bytes& key, const bytes& prefix, const bytes& suffix, std::size_t length) {
    if (length == 0 || length > 255 * 16) throw ArgumentError("kdf_counter_cmac: length must be 1..4080 bytes");
    secure_bytes out;
    bytes input = prefix;
    input.push_back(0x00);  // the counter's place
    input.insert(input.end(), suffix.begin(), suffix.end());
    for (uint8_t i = 1; out.size() < length; ++i) {
        input[prefix.size()] = i;
        bytes block = crypto::aes_cmac(key, input);
        out.insert(out.end(), block.begin(), block.end());
        secure_wipe(block.data(), block.size());  // key material: no copy outlives its use
    }
    out.resize(length);
    return out;
}

secure_bytes derive(const secure_bytes& key, uint8_t constant, const bytes& context, std::size_t length_bits) {
    if (length_bits == 0 || length_bits % 8 != 0 || length_bits > 0xFFFF) {
        throw ArgumentError("scp03::derive: length must be a positive multiple of 8 bits");
    }
    bytes prefix(11, 0x00);
    prefix.push_back(constant);
    prefix.push_back(0x00);  // separation indicator
    append_u16(prefix, static_cast<uint16_t>(length_bits));
    return kdf_counter_cmac(key, prefix, context, length_bits / 8);
}

namespace {
bytes concat(const bytes& a, const bytes& b) {
    bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

void check_challenges(const bytes& host_challenge, const bytes& card_challenge) {
    const std::size_t n = host_challenge.size();
    if ((n != 8 && n != 16) || card_challenge.size() != n) {
        throw ArgumentError("SCP03 challenges must be 8 (S8) or 16 (S16) bytes each, not " + std::to_string(n) + " and " +
                            std::to_string(card_challenge.size()));
    }
}

// The CLA as it enters the C-MAC: channel number zero, b4 0, b3 1 (Amendment D 6.2.4).
uint8_t mac_cla(uint8_t cla) {
    if ((cla & 0x40) == 0) return static_cast<uint8_t>((cla & 0xF0) | 0x04);
    return static_cast<uint8_t>((cla & 0x80) | (cla & 0x10) | 0x04);
}

void append_lc(bytes& out, std::size_t lc, bool extended) {
    if (extended) {
        out.push_back(0x00);
        append_u16(out, static_cast<uint16_t>(lc));
    } else {
        out.push_back(static_cast<uint8_t>(lc));
    }
}
}  // namespace

SessionKeys derive_session_keys(const scp::StaticKeys& keys, const bytes& host_challenge, const bytes& card_challenge) {
    check_challenges(host_challenge, card_challenge);
    const bytes context = concat(host_challenge, card_challenge);
    return SessionKeys{derive(keys.enc, kSessionEnc, context, keys.enc.size() * 8),
                       derive(keys.mac, kSessionMac, context, keys.mac.size() * 8),
                       derive(keys.mac, kSessionRmac, context, keys.mac.size() * 8)};
}

bytes card_cryptogram(const SessionKeys& keys, const bytes& host_challenge, const bytes& card_challenge,
                      std::size_t length) {
    check_challenges(host_challenge, card_challenge);
    return to_bytes(derive(keys.mac, kCardCryptogram, concat(host_challenge, card_challenge), length * 8));
}

bytes host_cryptogram(const SessionKeys& keys, const bytes& host_challenge, const bytes& card_challenge,
                      std::size_t length) {
    check_challenges(host_challenge, card_challenge);
    return to_bytes(derive(keys.mac, kHostCryptogram, concat(host_challenge, card_challenge), length * 8));
}

bytes pseudo_random_card_challenge(const secure_bytes& static_enc, uint32_t sequence_counter, const bytes& aid,
                                   std::size_t length) {
    bytes context{static_cast<uint8_t>(sequence_counter >> 16), static_cast<uint8_t>(sequence_counter >> 8),
                  static_cast<uint8_t>(sequence_counter)};
    context.insert(context.end(), aid.begin(), aid.end());
    return to_bytes(derive(static_enc, kCardChallenge, context, length * 8));
}

Scp03Channel::Scp03Channel(SessionKeys keys, secure_bytes static_dek, uint8_t level, std::size_t mac_length)
    : SecureMessaging(level), keys_(std::move(keys)), static_dek_(std::move(static_dek)), mac_length_(mac_length) {
    if (mac_length_ != 8 && mac_length_ != 16) throw ArgumentError("Scp03Channel: MAC length must be 8 or 16");
    if (!scp::level_is_valid(scp::Protocol::Scp03, level)) {
        throw ArgumentError("Scp03Channel: security level " + to_hex(&level, 1) + " is not one SCP03 knows");
    }
}

bytes Scp03Channel::mac_input(const CommandApdu& header_source, std::size_t lc, const bytes& data) const {
    bytes input = chaining_value_;
    input.push_back(mac_cla(header_source.cla()));
    input.push_back(header_source.ins());
    input.push_back(header_source.p1());
    input.push_back(header_source.p2());
    append_lc(input, lc, header_source.is_extended() || lc > CommandApdu::kMaxShortNc);
    input.insert(input.end(), data.begin(), data.end());
    return input;
}

bytes Scp03Channel::counter_icv(bool response) const {
    bytes block(16, 0x00);
    for (int i = 0; i < 8; ++i) block[15 - i] = static_cast<uint8_t>(encryption_counter_ >> (8 * i));
    if (response) block[0] = 0x80;
    return crypto::aes_ecb(Direction::Encrypt, keys_.enc, block);
}

CommandApdu Scp03Channel::wrap(const CommandApdu& plain, bool encrypt) {
    bytes data = plain.data();
    if (encrypt && (level_ & scp::kCDecryption) != 0) {
        ++encryption_counter_;  // also for a command without data (6.2.6)
        if (!data.empty()) data = crypto::aes_cbc(Direction::Encrypt, keys_.enc, counter_icv(false), scp::pad80(data, 16));
    }
    const std::size_t lc = data.size() + mac_length_;
    if (lc > CommandApdu::kMaxExtendedNc) throw ArgumentError("SCP03: wrapped command data would exceed 65535 bytes");
    const bytes mac = crypto::aes_cmac(keys_.mac, mac_input(plain, lc, data));
    chaining_value_ = mac;
    data.insert(data.end(), mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(mac_length_));
    const bool extended = plain.is_extended() || lc > CommandApdu::kMaxShortNc;
    const std::size_t ne = plain.has_le() ? (extended ? CommandApdu::kMaxExtendedNe : CommandApdu::kMaxShortNe) : 0;
    return CommandApdu::make(scp::cla_with_secure_messaging(plain.cla()), plain.ins(), plain.p1(), plain.p2(),
                             std::move(data), ne, extended);
}

CommandApdu Scp03Channel::unwrap(const CommandApdu& wrapped, bool decrypt) {
    if (!scp::cla_has_gp_secure_messaging(wrapped.cla())) {
        throw SecureChannelError("command without GlobalPlatform secure messaging (CLA b4-b3 01) in a secure channel");
    }
    const bytes& data = wrapped.data();
    if (data.size() < mac_length_) throw SecureChannelError("command too short to carry a C-MAC");
    bytes body(data.begin(), data.end() - static_cast<std::ptrdiff_t>(mac_length_));
    const bytes expected = crypto::aes_cmac(keys_.mac, mac_input(wrapped, data.size(), body));
    if (!ct_equal(data.data() + body.size(), mac_length_, expected.data(), mac_length_)) {
        throw SecureChannelError("C-MAC does not verify");
    }
    chaining_value_ = expected;
    if (decrypt && (level_ & scp::kCDecryption) != 0) {
        ++encryption_counter_;
        if (!body.empty()) {
            if (body.size() % 16 != 0) throw SecureChannelError("encrypted command data is not a multiple of 16 bytes");
            auto clear = scp::unpad80(crypto::aes_cbc(Direction::Decrypt, keys_.enc, counter_icv(false), body));
            if (!clear) throw SecureChannelError("decrypted command data has no 80 padding");
            body = std::move(*clear);
        }
    }
    return CommandApdu::make(scp::cla_without_secure_messaging(wrapped.cla()), wrapped.ins(), wrapped.p1(),
                             wrapped.p2(), std::move(body), wrapped.ne());
}

CommandApdu Scp03Channel::wrap_command(const CommandApdu& plain) { return wrap(plain, true); }
CommandApdu Scp03Channel::wrap_external_authenticate(const CommandApdu& plain) { return wrap(plain, false); }
CommandApdu Scp03Channel::unwrap_command(const CommandApdu& wrapped) { return unwrap(wrapped, true); }
CommandApdu Scp03Channel::unwrap_external_authenticate(const CommandApdu& wrapped) { return unwrap(wrapped, false); }

bytes Scp03Channel::response_mac(const bytes& data, uint16_t sw) const {
    bytes input = chaining_value_;
    input.insert(input.end(), data.begin(), data.end());
    append_u16(input, sw);
    bytes mac = crypto::aes_cmac(keys_.rmac, input);
    mac.resize(mac_length_);
    return mac;
}

ResponseApdu Scp03Channel::wrap_response(const ResponseApdu& plain) {
    if (!scp::response_is_protected(plain.sw())) return ResponseApdu(plain.sw());
    bytes data = plain.data();
    if ((level_ & scp::kREncryption) != 0 && !data.empty()) {
        data = crypto::aes_cbc(Direction::Encrypt, keys_.enc, counter_icv(true), scp::pad80(data, 16));
    }
    if ((level_ & scp::kRMac) != 0) {
        const bytes mac = response_mac(data, plain.sw());
        data.insert(data.end(), mac.begin(), mac.end());
    }
    return ResponseApdu(std::move(data), plain.sw());
}

ResponseApdu Scp03Channel::unwrap_response(const ResponseApdu& wrapped) {
    if (!scp::response_is_protected(wrapped.sw()) || (level_ & scp::kRMac) == 0) return wrapped;
    const bytes& data = wrapped.data();
    if (data.size() < mac_length_) throw SecureChannelError("response carries no R-MAC");
    bytes body(data.begin(), data.end() - static_cast<std::ptrdiff_t>(mac_length_));
    const bytes expected = response_mac(body, wrapped.sw());
    if (!ct_equal(data.data() + body.size(), mac_length_, expected.data(), mac_length_)) {
        throw SecureChannelError("R-MAC does not verify");
    }
    if ((level_ & scp::kREncryption) != 0 && !body.empty()) {
        if (body.size() % 16 != 0) throw SecureChannelError("encrypted response data is not a multiple of 16 bytes");
        auto clear = scp::unpad80(crypto::aes_cbc(Direction::Decrypt, keys_.enc, counter_icv(true), body));
        if (!clear) throw SecureChannelError("decrypted response data has no 80 padding");
        body = std::move(*clear);
    }
    return ResponseApdu(std::move(body), wrapped.sw());
}

bytes Scp03Channel::encrypt_sensitive(const secure_bytes& plain) const {
    return to_bytes(crypto::aes_cbc(Direction::Encrypt, static_dek_, bytes(16, 0x00), plain));
}

secure_bytes Scp03Channel::decrypt_sensitive(const bytes& encrypted) const {
    return crypto::aes_cbc(Direction::Decrypt, static_dek_, bytes(16, 0x00), to_secure(encrypted));
}

}  // namespace simkit::scp03

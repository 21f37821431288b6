// SCP03 (GlobalPlatform Card Specification 2.3 Amendment D): the KDF, session keys, cryptograms,
// the pseudo-random card challenge, and Scp03Channel, the established channel's crypto state
// (C-MAC chaining, encryption counter, R-MAC, R-ENC). Shared by the card and the host.
#pragma once

#include "simkit/scp.hpp"

namespace simkit::scp03 {

// Derivation constants (Amendment D Table 4-1).
inline constexpr uint8_t kCardCryptogram = 0x00;
inline constexpr uint8_t kHostCryptogram = 0x01;
inline constexpr uint8_t kCardChallenge = 0x02;
inline constexpr uint8_t kSessionEnc = 0x04;
inline constexpr uint8_t kSessionMac = 0x06;
inline constexpr uint8_t kSessionRmac = 0x07;

// i parameter bits (Amendment D 5.1).
inline constexpr uint8_t kIS16 = 0x01;
inline constexpr uint8_t kIPseudoRandomChallenge = 0x10;
inline constexpr uint8_t kIRMacSupport = 0x20;
inline constexpr uint8_t kIREncSupport = 0x40;

// NIST SP 800-108 counter-mode KDF with AES-CMAC as PRF and a one-byte counter (from 1) placed
// between a fixed prefix and suffix: output = CMAC(key, prefix || i || suffix) for i = 1, 2 ...
// truncated to `length` bytes. Amendment D and GlobalPlatformPro's KDF3 diversification both fit it.
secure_bytes kdf_counter_cmac(const secure_bytes& key, const bytes& prefix, const bytes& suffix, std::size_t length);
// Amendment D 4.1.5: label 11 x 00 || constant, separator 00, L (bits, 2 bytes), counter, context.
secure_bytes derive(const secure_bytes& key, uint8_t constant, const bytes& context, std::size_t length_bits);

struct SessionKeys {
    secure_bytes enc;   // S-ENC
    secure_bytes mac;   // S-MAC
    secure_bytes rmac;  // S-RMAC
};

// Session keys from the static keys and context = host challenge || card challenge (6.2.1); each
// as long as its static key.
SessionKeys derive_session_keys(const scp::StaticKeys& keys, const bytes& host_challenge, const bytes& card_challenge);
// Card and host authentication cryptograms (6.2.2.2, 6.2.2.3), `length` 8 (S8) or 16 (S16) bytes.
bytes card_cryptogram(const SessionKeys& keys, const bytes& host_challenge, const bytes& card_challenge,
                      std::size_t length);
bytes host_cryptogram(const SessionKeys& keys, const bytes& host_challenge, const bytes& card_challenge,
                      std::size_t length);
// Pseudo-random card challenge (6.2.2.1): derived from the static ENC key with context = sequence
// counter (3 bytes) || AID of the security domain.
bytes pseudo_random_card_challenge(const secure_bytes& static_enc, uint32_t sequence_counter, const bytes& aid,
                                   std::size_t length);

class Scp03Channel final : public scp::SecureMessaging {
public:
    // `mac_length` 8 (S8) or 16 (S16); `static_dek` encrypts sensitive data.
    Scp03Channel(SessionKeys keys, secure_bytes static_dek, uint8_t level, std::size_t mac_length);

    scp::Protocol protocol() const noexcept override { return scp::Protocol::Scp03; }
    std::size_t mac_length() const noexcept override { return mac_length_; }

    CommandApdu wrap_command(const CommandApdu& plain) override;
    CommandApdu wrap_external_authenticate(const CommandApdu& plain) override;
    ResponseApdu unwrap_response(const ResponseApdu& wrapped) override;

    CommandApdu unwrap_command(const CommandApdu& wrapped) override;
    CommandApdu unwrap_external_authenticate(const CommandApdu& wrapped) override;
    ResponseApdu wrap_response(const ResponseApdu& plain) override;

    bytes encrypt_sensitive(const secure_bytes& plain) const override;
    secure_bytes decrypt_sensitive(const bytes& encrypted) const override;
    std::size_t block_size() const noexcept override { return 16; }

private:
    CommandApdu wrap(const CommandApdu& plain, bool encrypt);
    CommandApdu unwrap(const CommandApdu& wrapped, bool decrypt);
    bytes mac_input(const CommandApdu& header_source, std::size_t lc, const bytes& data) const;
    bytes counter_icv(bool response) const;
    bytes response_mac(const bytes& data, uint16_t sw) const;

    SessionKeys keys_;
    secure_bytes static_dek_;
    std::size_t mac_length_;
    bytes chaining_value_ = bytes(16, 0x00);
    uint64_t encryption_counter_ = 0;  // incremented before each C-DECRYPTION command
};

}  // namespace simkit::scp03

// SCP02 (GlobalPlatform Card Specification 2.2 Appendix E), options i=15 and i=55: 3DES session
// keys from the sequence counter, full 3DES MAC cryptograms, C-MAC as ISO 9797-1 MAC algorithm 3 on
// the modified APDU with ICV encryption, C-DECRYPTION with 3DES-CBC. Shared by card and host.
#pragma once

#include "simkit/scp.hpp"

namespace simkit::scp02 {

// i parameter bits (GP 2.2 E.1.1): 3 keys, explicit initiation, ICV encryption; b7 pseudo-random
// card challenge. i=15 and i=55 are what this implementation speaks.
inline constexpr uint8_t kI15 = 0x15;
inline constexpr uint8_t kI55 = 0x55;
inline constexpr uint8_t kIPseudoRandomChallenge = 0x40;

struct SessionKeys {
    secure_bytes c_mac;  // constant 0101
    secure_bytes r_mac;  // 0102
    secure_bytes enc;    // 0182
    secure_bytes dek;    // 0181
};

// E.4.1: 3DES-CBC (zero ICV) over constant || sequence counter || 12 x 00 with each static key.
SessionKeys derive_session_keys(const scp::StaticKeys& keys, uint16_t sequence_counter);
// E.4.2.1: full 3DES MACs with S-ENC over host challenge || counter || card challenge (card) and
// counter || card challenge || host challenge (host).
bytes card_cryptogram(const SessionKeys& keys, const bytes& host_challenge, uint16_t sequence_counter,
                      const bytes& card_challenge);
bytes host_cryptogram(const SessionKeys& keys, const bytes& host_challenge, uint16_t sequence_counter,
                      const bytes& card_challenge);
// i=55: the card challenge is the first 6 bytes of a C-MAC (MAC algorithm 3, zero ICV) over the AID
// with the session C-MAC key of the sequence counter in use.
bytes pseudo_random_card_challenge(const SessionKeys& keys, const bytes& aid);
// ISO 9797-1 MAC algorithm 1 with 3DES (full 3DES CBC-MAC), zero ICV, data padded with pad80.
bytes full_3des_mac(const secure_bytes& key, const bytes& data);
// ISO 9797-1 MAC algorithm 3 (single DES CBC with K1, final block 3DES), data padded with pad80.
bytes retail_mac(const secure_bytes& key, const bytes& icv, const bytes& data);

class Scp02Channel final : public scp::SecureMessaging {
public:
    Scp02Channel(SessionKeys keys, uint8_t level);

    scp::Protocol protocol() const noexcept override { return scp::Protocol::Scp02; }
    std::size_t mac_length() const noexcept override { return 8; }

    CommandApdu wrap_command(const CommandApdu& plain) override;
    CommandApdu wrap_external_authenticate(const CommandApdu& plain) override;
    ResponseApdu unwrap_response(const ResponseApdu& wrapped) override;

    CommandApdu unwrap_command(const CommandApdu& wrapped) override;
    CommandApdu unwrap_external_authenticate(const CommandApdu& wrapped) override;
    ResponseApdu wrap_response(const ResponseApdu& plain) override;

    bytes encrypt_sensitive(const secure_bytes& plain) const override;
    secure_bytes decrypt_sensitive(const bytes& encrypted) const override;
    std::size_t block_size() const noexcept override { return 8; }

private:
    CommandApdu wrap(const CommandApdu& plain, bool encrypt);
    CommandApdu unwrap(const CommandApdu& wrapped, bool decrypt);
    bytes command_mac(const CommandApdu& plain, uint8_t wire_cla);
    bytes next_icv() const;

    SessionKeys keys_;
    std::optional<bytes> last_mac_;  // the previous C-MAC; none before EXTERNAL AUTHENTICATE
};

}  // namespace simkit::scp02

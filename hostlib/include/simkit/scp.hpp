// What SCP03 and SCP02 share, on the card and on the host: security levels, the INITIALIZE UPDATE
// response layout, ISO 9797-1 method 2 padding, key check values, and the SecureMessaging interface
// that an established channel's crypto state implements (scp03.hpp, scp02.hpp). One copy for both
// sides: the card unwraps commands and wraps responses, the host wraps commands and unwraps responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "simkit/apdu.hpp"
#include "simkit/bytes.hpp"

namespace simkit::scp {

inline constexpr uint8_t kInsInitializeUpdate = 0x50;
inline constexpr uint8_t kInsExternalAuthenticate = 0x82;

// Security level bits (GP 2.3 Table 10-1 / 11-21, Amendment D 5.1 / 7.1.2).
inline constexpr uint8_t kCMac = 0x01;
inline constexpr uint8_t kCDecryption = 0x02;
inline constexpr uint8_t kRMac = 0x10;
inline constexpr uint8_t kREncryption = 0x20;

enum class Protocol : uint8_t { Scp02 = 0x02, Scp03 = 0x03 };

// True for the levels a protocol knows: SCP03 01, 03, 11, 13, 33; SCP02 01, 03.
bool level_is_valid(Protocol protocol, uint8_t level) noexcept;
// "C-MAC+C-DECRYPTION+R-MAC+R-ENCRYPTION" (or "none").
std::string describe_level(uint8_t level);
// "mac" -> 01, "mac-enc" -> 03, "full" -> 33 (SCP03) / 03 (SCP02), or two hex digits; ArgumentError
// for anything else or a level the protocol does not know.
uint8_t parse_level(const std::string& text, Protocol protocol);

// ISO/IEC 9797-1 padding method 2: 80 then 00 up to a multiple of `block` (always at least one byte).
bytes pad80(const bytes& data, std::size_t block);
// Removes that padding; nothing when the last non-zero byte is not 80 (the caller refuses it).
std::optional<bytes> unpad80(const bytes& padded);

// Key check values, 3 bytes: AES encrypts 16 bytes of 01 (Amendment D 7.2.2), 3DES 8 zero bytes.
bytes kcv_aes(const secure_bytes& key);
bytes kcv_des3(const secure_bytes& key);

// Static keys of one key set (key identifiers 1, 2, 3).
struct StaticKeys {
    secure_bytes enc;
    secure_bytes mac;
    secure_bytes dek;
};

// The INITIALIZE UPDATE response: SCP03 (Amendment D 7.1.1.6) KDD(10) KVN 03 i challenge cryptogram
// [sequence counter(3) when i says pseudo-random]; SCP02 (GP 2.2 E.5.1.6) KDD(10) KVN 02
// sequence counter(2) challenge(6) cryptogram(8).
struct InitUpdateResponse {
    bytes key_diversification_data;  // 10 bytes
    uint8_t kvn = 0;
    Protocol protocol = Protocol::Scp03;
    uint8_t i = 0;                     // SCP03 i parameter (not on the wire for SCP02)
    std::optional<uint32_t> sequence_counter;
    bytes card_challenge;              // SCP03 8 or 16 bytes, SCP02 6
    bytes card_cryptogram;             // SCP03 8 or 16 bytes, SCP02 8

    bytes encode() const;
    // Throws FormatError naming what is wrong (length, protocol byte).
    static InitUpdateResponse parse(const bytes& data);
};

// The crypto state of an established secure channel: session keys, MAC chaining, counters. Wrapping
// a command advances that state, so commands must be unwrapped in the order they were wrapped.
class SecureMessaging {
public:
    explicit SecureMessaging(uint8_t level) : level_(level) {}
    virtual ~SecureMessaging() = default;
    SecureMessaging(const SecureMessaging&) = delete;
    SecureMessaging& operator=(const SecureMessaging&) = delete;

    uint8_t level() const noexcept { return level_; }
    virtual Protocol protocol() const noexcept = 0;
    // Length of the C-MAC and R-MAC on the wire: 8, or 16 in SCP03 S16 mode.
    virtual std::size_t mac_length() const noexcept = 0;

    // Host side. The wrapped command keeps Le (a case-2/4 command's Le becomes 00: the answer grows).
    virtual CommandApdu wrap_command(const CommandApdu& plain) = 0;
    // EXTERNAL AUTHENTICATE: C-MAC only, whatever the level (its data is never encrypted).
    virtual CommandApdu wrap_external_authenticate(const CommandApdu& plain) = 0;
    // Checks the R-MAC and decrypts as the level says; throws SecureChannelError when it does not
    // verify. Error status words carry no protection and pass through as they are.
    virtual ResponseApdu unwrap_response(const ResponseApdu& wrapped) = 0;

    // Card side. Throws SecureChannelError on a wrong MAC, bad padding or missing secure messaging.
    virtual CommandApdu unwrap_command(const CommandApdu& wrapped) = 0;
    virtual CommandApdu unwrap_external_authenticate(const CommandApdu& wrapped) = 0;
    virtual ResponseApdu wrap_response(const ResponseApdu& plain) = 0;

    // Sensitive data (PUT KEY key components, encrypted STORE DATA) under the data encryption key:
    // SCP03 AES-CBC with a zero ICV and the static DEK, SCP02 3DES-ECB with the session DEK.
    // Input must be a multiple of the block size (block_size()).
    virtual bytes encrypt_sensitive(const secure_bytes& plain) const = 0;
    virtual secure_bytes decrypt_sensitive(const bytes& encrypted) const = 0;
    virtual std::size_t block_size() const noexcept = 0;

protected:
    uint8_t level_;
};

// True when a status word's response carries data and protection (9000, 62xx, 63xx); error status
// words are sent bare (Amendment D 6.2.5).
bool response_is_protected(uint16_t sw) noexcept;

// The CLA with the GlobalPlatform secure messaging indication set (b3 for channels 0-3, b6 for 4-19)
// or cleared.
uint8_t cla_with_secure_messaging(uint8_t cla);
// True when the CLA indicates exactly GlobalPlatform secure messaging: b4-b3 = 01 on channels 0-3
// (ISO's other SM codings, b4 set, are refused: the C-MAC does not cover those bits), b6 on 4-19.
bool cla_has_gp_secure_messaging(uint8_t cla) noexcept;
uint8_t cla_without_secure_messaging(uint8_t cla);

}  // namespace simkit::scp

// The host's client of a GSMA IoT SAFE key store applet (IoT.05; AID A0000005590010) over any
// simkit::Card: the object list, on-card P-256 key generation, public keys (point, EVP_PKEY,
// SubjectPublicKeyInfo DER/PEM), ECDSA-SHA256 signatures returned as minimal DER, verification,
// ECDH, random bytes, files, and the user PIN (VERIFY / CHANGE REFERENCE DATA / RESET RETRY
// COUNTER). The wire format is specs/keystore.md; it speaks the APDUs real IoT SAFE clients send
// (../shared/iotsafe-apdus.md), so it works with a real IoT SAFE SIM as well as simkit's card.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simkit/applet_channel.hpp"
#include "simkit/card.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"

namespace simkit {

// A user PIN or PUK command failed. tries_left() is the count the card reported with 63Cx, 0 when it
// answered 6983 (blocked), nothing for any other status word (6982, 6A88...). The message says it in
// words and never contains the PIN: "PIN wrong: 2 tries left (63C2)", "PIN blocked (6983
// authentication method blocked): unblock it with the PUK".
class PinError : public SwError {
public:
    PinError(uint16_t sw, const std::string& what_pin);
    std::optional<int> tries_left() const noexcept { return tries_left_; }
    bool blocked() const noexcept { return sw() == 0x6983; }
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::optional<int> tries_left_;
    std::string message_;
};

// One entry of the object list (GET DATA 01): a private key (C1), public key (C2), secret (C4) or
// file (C3), with the attributes the card gave. Absent attributes stay empty.
struct KeyStoreObject {
    enum class Kind { PrivateKey, PublicKey, Secret, File };
    Kind kind = Kind::PrivateKey;
    bytes id;                               // 84 / 85 / 86 / 83
    std::string label;                      // 74 / 75 / 76 / 73 (may be empty)
    std::optional<uint8_t> access;          // 60 access conditions
    std::optional<uint8_t> state;           // 4A object state
    std::optional<uint8_t> type;            // 4B key type
    std::optional<uint8_t> usage;           // 4E key specific usage / 21 file usage
    std::optional<uint8_t> crypto;          // 61 crypto functions (bits: 01 sign, 02 keygen, 04 key agreement, 08 derivation)
    std::optional<uint8_t> signature_algos; // 92
    std::optional<uint16_t> hash_algos;     // 91 (2 bytes)
    std::optional<uint8_t> agreement_algos; // 6F
    std::optional<uint8_t> derivation_algos;// 94
    std::optional<uint16_t> file_size;      // 20 (2 bytes, big-endian)
    std::optional<bool> pin_bound;          // access bit 80 (proprietary, specs/keystore.md): use needs the user PIN
    bytes raw;                              // the whole template as the card sent it

    // "private key", "public key", "secret", "file".
    static std::string kind_name(Kind kind);
};

// Decodes the object list as GET DATA 01 answers it (all continuation parts joined): a sequence of
// C1/C2/C3/C4 templates. FormatError for a template without its ID or for bytes that are not BER-TLV.
std::vector<KeyStoreObject> parse_object_list(const bytes& data);

// How sign() feeds the message to the card.
enum class SignMode {
    HashOnHost,  // SHA-256 computed here, sent once: operation mode 03 (pad and sign), 9E 20 digest
    FullText,    // the message itself in UPDATE blocks (9B), the card hashes: operation mode 01
};

struct KeyStoreOptions {
    // false: SELECT on the basic channel (CLA 00). true: MANAGE CHANNEL open, SELECT and every
    // command on the new channel; the destructor closes it.
    bool logical_channel = false;
    // The AID to select (IoT SAFE's by default).
    bytes aid = bytes{0xA0, 0x00, 0x00, 0x05, 0x59, 0x00, 0x10};
    // The session number of signature/verification sessions (P2 of INIT/UPDATE).
    uint8_t session = 0x01;
};

class KeyStore {
public:
    // Selects the applet (on the basic channel or a new logical channel). SwError ("SELECT key store
    // applet: 6A82 file or application not found") when the card has no such applet.
    explicit KeyStore(Card& card, KeyStoreOptions options = {});
    ~KeyStore();
    KeyStore(const KeyStore&) = delete;
    KeyStore& operator=(const KeyStore&) = delete;

    // The logical channel the applet is selected on (0 = basic).
    uint8_t channel() const noexcept { return applet_.channel(); }

    // GET DATA 01 (and 01 01 while the card answers 6300): every object.
    std::vector<KeyStoreObject> list();
    // GET DATA C1 84 01 id: the private key object `slot`.
    KeyStoreObject private_key_info(uint8_t slot);

    // GENERATE KEY PAIR into `slot` (P-256); `pin_bound` sends 60 01 80, asking the card to refuse
    // use of the key without a verified user PIN (specs/keystore.md). The public key gets the same
    // ID. Returns the new public point (04 X Y).
    bytes generate(uint8_t slot, bool pin_bound = false);
    // READ PUBLIC KEY 85 01 slot: the uncompressed point, and its other forms.
    bytes public_key(uint8_t slot);
    crypto::Pkey public_key_evp(uint8_t slot);
    bytes public_key_der(uint8_t slot);
    std::string public_key_pem(uint8_t slot);
    // PUT PUBLIC KEY INIT + UPDATE: stores a P-256 point in public key slot `slot`.
    void put_public_key(uint8_t slot, const bytes& public_point);

    // COMPUTE SIGNATURE with private key `slot` (ECDSA, SHA-256) of `message`; the card's raw r||s
    // comes back as a minimal DER ECDSA-Sig-Value, as OpenSSL expects. Holds the card exclusively for
    // INIT + UPDATEs; on failure it closes the session (2A 01) and rethrows.
    bytes sign(uint8_t slot, const bytes& message, SignMode mode = SignMode::HashOnHost);
    // The same for a SHA-256 digest computed by the caller (32 bytes).
    bytes sign_digest(uint8_t slot, const bytes& digest);
    // VERIFY SIGNATURE with public key `slot`: true when the card accepts, false on 6D01 (does not
    // verify). `der_signature` may be any DER form, raw r||s (64 bytes) is taken too.
    bool verify(uint8_t slot, const bytes& message, const bytes& der_signature);

    // COMPUTE DH between private key `slot` and `peer_point`: the point is first stored with PUT
    // PUBLIC KEY in `peer_slot` (the card's public slot for peers; specs/keystore.md), then COMPUTE
    // DH 84 slot 85 peer_slot. Returns the shared secret (the x coordinate, 32 bytes).
    static constexpr uint8_t kPeerPublicSlot = 0x05;
    secure_bytes ecdh(uint8_t slot, const bytes& peer_point, uint8_t peer_slot = kPeerPublicSlot);
    // COMPUTE DH with a public key already on the card.
    secure_bytes ecdh_with_slot(uint8_t slot, uint8_t public_slot);

    // COMPUTE HKDF (4A): `length` (1..255) bytes of HKDF-SHA256 over the stored secret `secret_slot`
    // (86 id), or over a secret given in the command (D1), with salt (D5, optional) and info (D2).
    secure_bytes hkdf(uint8_t secret_slot, const bytes& salt, const bytes& info, std::size_t length);
    secure_bytes hkdf(const secure_bytes& input_key, const bytes& salt, const bytes& info, std::size_t length);
    // COMPUTE HKDF without an output length: HKDF-Extract alone, the 32-byte PRK (what TLS 1.3
    // stacks ask of the card).
    secure_bytes hkdf_extract(const secure_bytes& input_key, const bytes& salt);
    // COMPUTE PRF (48): `length` (1..255) bytes of the TLS 1.2 PRF with SHA-256 over the stored
    // secret `secret_slot`, or over a secret given in the command (D1), of `label_and_seed` (D2:
    // the ASCII label followed by the seed, e.g. "master secret" || client random || server random).
    secure_bytes prf(uint8_t secret_slot, const bytes& label_and_seed, std::size_t length);
    secure_bytes prf(const secure_bytes& secret, const bytes& label_and_seed, std::size_t length);

    // GET RANDOM: `count` random bytes (1..65536; split into commands of at most 255).
    bytes random(std::size_t count);
    // READ FILE 83 01 id: the whole file, read in chunks until the size from the object list or a
    // short/empty answer.
    bytes read_file(uint8_t file_id);

    // The user PIN (ISO 7816-4 VERIFY 20, CHANGE REFERENCE DATA 24, RESET RETRY COUNTER 2C) on the
    // key store's channel. PinError with the tries left on 63Cx, blocked on 6983.
    void verify_pin(const secure_bytes& pin);
    void change_pin(const secure_bytes& old_pin, const secure_bytes& new_pin);
    void unblock_pin(const secure_bytes& puk, const secure_bytes& new_pin);
    // VERIFY without data: the tries left (nothing if the card says the PIN is already verified).
    std::optional<int> pin_tries_left();

    // One command to the applet on its channel (CLA 00 with the channel bits); the whole answer.
    ResponseApdu transmit(uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {}, std::size_t ne = 0);

private:
    // transmit() that demands 9000 and names the command in the SwError.
    bytes command(const char* name, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {},
                  std::size_t ne = 0);
    void put_public_key_held(uint8_t slot, const bytes& public_point);  // card already held
    void close_signature_session(uint8_t ins);
    // keystore_derivation.cpp: one derivation command (HKDF or PRF) whose request holds a secret;
    // the request and the answer are wiped, a length other than `expected` is a FormatError.
    secure_bytes derive(const char* name, uint8_t ins, bytes request, std::size_t expected);
    bytes sign_raw(uint8_t slot, const bytes& message, SignMode mode);
    void pin_command(const char* name, uint8_t ins, uint8_t p1, const secure_bytes& data, const char* what_pin);

    Card& card_;
    KeyStoreOptions options_;
    AppletChannel applet_;  // the applet selected (after options_: built from them)
};

}  // namespace simkit

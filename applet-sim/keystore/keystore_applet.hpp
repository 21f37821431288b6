// The GSMA IoT SAFE key store applet (AID A0000005590010): keys generated and used on the card,
// certificates and other files, the user PIN, personalization over SCP03 STORE DATA.
// specs/keystore.md documents every command; objects.hpp how objects are kept.
#pragma once

#include <map>

#include "gp/secure_channel_applet.hpp"
#include "keystore/objects.hpp"
#include "keystore/private_key_cache.hpp"
#include "pin/user_pin.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

namespace keystore {
// An open COMPUTE SIGNATURE / VERIFY SIGNATURE / PUT PUBLIC KEY session (per number and channel).
struct OperationSession {
    bytes id;           // the key's ID
    uint8_t mode = 0;   // signature modes: 01 full text, 03 hash given
    bytes data;         // message (mode 01) or concatenated PUT PUBLIC KEY data
    bytes hash;         // mode 03
};
}  // namespace keystore

struct KeyStoreSession : SecureChannelAppletSession {
    PinStatus pin;
    std::map<uint8_t, keystore::OperationSession> sign, verify, put_key;
    std::size_t list_next = 0;  // GET DATA object list: next template index (0: none pending)
};

class KeyStoreApplet : public SecureChannelApplet {
public:
    static const bytes kAid;  // A0000005590010

    KeyStoreApplet();
    void write_factory_defaults(PersistentState& state) const override;
    void add_missing_records(PersistentState& state) const override;
    std::unique_ptr<AppletSession> new_session() const override;

protected:
    void store_dgi(CommandContext& ctx, uint16_t dgi, const secure_bytes& value) override;

private:
    static KeyStoreSession& session(CommandContext& ctx);

    // keystore_applet.cpp
    ResponseApdu get_data(CommandContext& ctx);
    ResponseApdu get_random(CommandContext& ctx);
    // key_commands.cpp
    ResponseApdu generate_key_pair(CommandContext& ctx);
    ResponseApdu read_public_key(CommandContext& ctx);
    ResponseApdu put_public_key_init(CommandContext& ctx);
    ResponseApdu put_public_key_update(CommandContext& ctx);
    ResponseApdu compute_dh(CommandContext& ctx);
    ResponseApdu compute_hkdf(CommandContext& ctx);
    ResponseApdu compute_prf(CommandContext& ctx);
    secure_bytes derivation_secret(CommandContext& ctx, const std::vector<Tlv>& tlvs, bool accept_pms);
    ResponseApdu read_file(CommandContext& ctx);
    // signature_sessions.cpp
    ResponseApdu signature_init(CommandContext& ctx, bool verify);
    ResponseApdu compute_signature_update(CommandContext& ctx);
    ResponseApdu verify_signature_update(CommandContext& ctx);

    UserPin pin_;
    keystore::PrivateKeyCache private_keys_;
};

namespace keystore {
// Shared by the command files: decoding of command data and object look-up.
std::vector<Tlv> parse_command_tlvs(const bytes& data);  // 6A80 on bad TLV
// The object referenced by its ID tag or label tag in `tlvs`: 6A80 if neither, 6A88 if unknown.
ObjectAttributes resolve(const ObjectStore& store, const std::vector<Tlv>& tlvs, ObjectKind kind);
// 6982 unless the PIN is verified on this channel, for PIN-bound objects.
void require_pin(const KeyStoreSession& session, const ObjectAttributes& object);
// 6985 unless the object's functions include `function`.
void require_function(const ObjectAttributes& object, uint8_t function);
// `34 45 49 43 86 41 <point>`
bytes public_key_template(const bytes& point);
}  // namespace keystore

}  // namespace simkit::sim

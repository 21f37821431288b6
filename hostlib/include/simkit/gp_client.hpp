// GlobalPlatform card management over an open ScpSession: GET STATUS (registry), GET DATA key
// information, PUT KEY (add or replace a key set, keys encrypted under the DEK, KCVs checked), DELETE
// KEY and STORE DATA. The commands' wire format is in specs/isd.md.
#pragma once

#include <optional>
#include <vector>

#include "simkit/scp_session.hpp"

namespace simkit {

// One entry of GET STATUS (P2 02: E3 { 4F AID, 9F70 life cycle, C5 privileges }).
struct RegistryEntry {
    bytes aid;
    uint8_t life_cycle = 0;
    bytes privileges;
};

// One key of the key information template (GET DATA 00E0: C0 { id, KVN, type, length }).
struct KeyInfo {
    uint8_t id = 0;
    uint8_t kvn = 0;
    uint8_t type = 0;  // 88 AES, 80 DES
    uint8_t length = 0;
};

// A key set to write with PUT KEY.
struct KeySetUpdate {
    uint8_t new_kvn = 0;
    std::optional<uint8_t> replace_kvn;  // none: add a new key set
    scp::StaticKeys keys;                // all AES (SCP03) or all 16-byte 3DES (SCP02)
    bool des = false;                    // true: key type 80 (3DES, SCP02 key set)
};

class GpClient {
public:
    explicit GpClient(ScpSession& session) : session_(session) {}

    // Every command goes through the session (wrapped); a status word other than 9000 throws SwError
    // whose message names the command ("PUT KEY: 6982 security status not satisfied").

    // P1 80 (ISD), 40 (applications and security domains), 10 (load files and modules), 20 (load
    // files), search criteria 4F 00 (everything). Follows 6310 with "next occurrence" (P2 03) until
    // the card says 9000. 6A88 (nothing matches) is an empty list, except for the ISD (P1 80).
    // FormatError for an entry without AID (4F) or life cycle state (9F70).
    std::vector<RegistryEntry> get_status(uint8_t p1);
    // GET DATA 00E0: every C0 entry of the key information template.
    std::vector<KeyInfo> key_information();
    // PUT KEY 80 D8 <replace KVN or 00> 81: new KVN, then for ENC, MAC, DEK: type, length, key data
    // (AES: clear length || DEK-encrypted key zero-padded to 16; 3DES: 16 DEK-encrypted bytes), 03,
    // KCV. ArgumentError (nothing sent) for keys of the wrong length or a new KVN outside 01..7F.
    // Returns the KCVs the card answered (3 bytes per key), after checking them against the KCVs of
    // the keys sent and the KVN it echoed (SecureChannelError "card returned KCV ... for key 2,
    // expected ..." if they differ).
    std::vector<bytes> put_key(const KeySetUpdate& update);
    // DELETE (80 E4 00 00, D2 01 KVN [D0 01 key id]) of a key set (all its keys) or one key of it.
    void delete_key(uint8_t kvn, std::optional<uint8_t> key_id = std::nullopt);
    // STORE DATA in DGI form (P1 b5-b4 01); `encrypted` sends each DGI value padded with 80 00.. and
    // encrypted under the DEK (P1 b7-b6 11). Whole DGIs are packed into blocks of at most 240 bytes,
    // fewer when the wrapped block would not fit a short APDU (239 at C-DECRYPTION, 223 in S16); a DGI
    // never spans blocks (the card reads each block on its own). P2 numbers the blocks from 00, the
    // last has P1 b8 set. ArgumentError for no DGIs, a DGI longer than a block, or more than 256 blocks.
    void store_data(const std::vector<std::pair<uint16_t, bytes>>& dgis, bool encrypted = false);

private:
    ScpSession& session_;
};

}  // namespace simkit

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

    // P1 80 (ISD), 40 (applications and security domains), 10 (load files and modules), 20 (load
    // files). Follows 6310 with "next occurrence" until the card says 9000.
    std::vector<RegistryEntry> get_status(uint8_t p1);
    std::vector<KeyInfo> key_information();
    // Returns the KCVs the card answered (3 bytes per key), after checking them against the KCVs of
    // the keys sent (SecureChannelError if they differ) and the KVN it echoed.
    std::vector<bytes> put_key(const KeySetUpdate& update);
    // DELETE (E4) of a key set (all its keys) or one key of it.
    void delete_key(uint8_t kvn, std::optional<uint8_t> key_id = std::nullopt);
    // STORE DATA in DGI form (P1 b5-b4 01); `encrypted` sends the DGI values encrypted under the DEK
    // (P1 b7-b6 11). Splits into blocks of at most 240 bytes, last block P1 b8 set.
    void store_data(const std::vector<std::pair<uint16_t, bytes>>& dgis, bool encrypted = false);

private:
    ScpSession& session_;
};

}  // namespace simkit

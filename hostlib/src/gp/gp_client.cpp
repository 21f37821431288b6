// GlobalPlatform card management commands over an open ScpSession (see gp_client.hpp): GET STATUS
// with its 6310 continuation, GET DATA key information, PUT KEY with DEK-encrypted keys and checked
// KCVs, DELETE of keys, STORE DATA in DGI form split into blocks. GP Card Specification 2.3 section 11.
#include "simkit/gp_client.hpp"

#include <algorithm>
#include <string>

#include "simkit/errors.hpp"
#include "simkit/core/gp_commands.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit {

namespace {

constexpr uint8_t kKcvLength = 3;
constexpr std::size_t kStoreDataBlock = 240;
constexpr std::size_t kMaxShortLc = 255;
// A card that keeps saying 6310 would otherwise keep us asking forever.
constexpr int kMaxGetStatusRounds = 256;

std::string hex_byte(uint8_t value) { return to_hex(&value, 1); }

std::string tag_hex(uint32_t tag) {
    bytes encoded;
    append_tag(encoded, tag);
    return to_hex(encoded);
}

// E3 { 4F AID, 9F70 life cycle, C5 privileges } ... (GP 2.3 11.4.3.2, tag-length-value form).
void parse_registry(const bytes& data, std::vector<RegistryEntry>& out) {
    for (const Tlv& entry : parse_tlvs(data)) {
        if (entry.tag != 0xE3) {
            throw FormatError("GET STATUS: the answer holds tag " + tag_hex(entry.tag) + " where an E3 entry was expected");
        }
        RegistryEntry parsed;
        const auto aid = entry.find(0x4F);
        if (!aid || aid->value.empty()) throw FormatError("GET STATUS: an E3 entry has no AID (4F)");
        parsed.aid = aid->value;
        const auto life_cycle = entry.find(0x9F70);
        if (!life_cycle || life_cycle->value.empty()) {
            throw FormatError("GET STATUS: entry " + to_hex(parsed.aid) + " has no life cycle state (9F70)");
        }
        parsed.life_cycle = life_cycle->value[0];  // b2 of 9F70 (if any) is RFU
        if (const auto privileges = entry.find(0xC5)) parsed.privileges = privileges->value;
        out.push_back(std::move(parsed));
    }
}

// A key padded with zero bytes to a multiple of 16 (PUT KEY AES key data, Amendment D 7.2.2).
secure_bytes zero_padded(const secure_bytes& key, std::size_t block) {
    secure_bytes padded = key;
    while (padded.size() % block != 0) padded.push_back(0x00);
    return padded;
}

void check_key_lengths(const KeySetUpdate& update) {
    const secure_bytes* keys[] = {&update.keys.enc, &update.keys.mac, &update.keys.dek};
    const char* names[] = {"ENC", "MAC", "DEK"};
    for (int i = 0; i < 3; ++i) {
        const std::size_t n = keys[i]->size();
        if (update.des ? n != 16 : (n != 16 && n != 24 && n != 32)) {
            throw ArgumentError(std::string("PUT KEY: the new ") + names[i] + " key is " + std::to_string(n) +
                                " bytes; " + (update.des ? "3DES keys are 16 bytes" : "AES keys are 16, 24 or 32 bytes"));
        }
    }
    if (update.new_kvn == 0x00 || update.new_kvn > 0x7F) {
        throw ArgumentError("PUT KEY: new KVN " + hex_byte(update.new_kvn) + " is not a key version number (01..7F)");
    }
    if (update.replace_kvn && (*update.replace_kvn == 0x00)) {
        throw ArgumentError("PUT KEY: KVN 00 cannot be replaced (P1 00 means: add a new key set)");
    }
}

// The longest STORE DATA block whose wrapped command is still a short APDU (Lc <= 255, what the ISD
// announces in 9F65): room for the C-MAC, and with C-DECRYPTION for the padding (at least one byte,
// up to a whole block). SCP03 S8 and SCP02 at C-DECRYPTION: 239; S16: 223; C-MAC only: 240.
std::size_t max_store_data_block(const scp::SecureMessaging& channel) {
    std::size_t room = kMaxShortLc - channel.mac_length();
    if ((channel.level() & scp::kCDecryption) != 0) room = room / channel.block_size() * channel.block_size() - 1;
    return std::min(kStoreDataBlock, room);
}

// DGI || length (1 byte, or FF + 2 bytes from 255 on) || value (GP 2.3 11.11.2.3).
void append_dgi(bytes& out, uint16_t dgi, const bytes& value) {
    append_u16(out, dgi);
    if (value.size() < 0xFF) {
        out.push_back(static_cast<uint8_t>(value.size()));
    } else {
        if (value.size() > 0xFFFF) {
            bytes name;
            append_u16(name, dgi);
            throw ArgumentError("STORE DATA: DGI " + to_hex(name) + " holds more than 65535 bytes");
        }
        out.push_back(0xFF);
        append_u16(out, static_cast<uint16_t>(value.size()));
    }
    out.insert(out.end(), value.begin(), value.end());
}

}  // namespace

std::vector<RegistryEntry> GpClient::get_status(uint8_t p1) {
    std::vector<RegistryEntry> entries;
    uint8_t p2 = 0x02;  // first occurrence, TLV form
    for (int round = 0; round < kMaxGetStatusRounds; ++round) {
        const ResponseApdu answer =
            session_.transmit(CommandApdu::case4(gp::kCla, gp::kInsGetStatus, p1, p2, bytes{0x4F, 0x00}, 256));
        if (answer.sw() == sw::kReferencedDataNotFound && p2 == 0x02 && p1 != 0x80) return entries;  // nothing matches
        if (answer.sw() != sw::kSuccess && answer.sw() != gp::kSwMoreData) {
            throw SwError(answer.sw(), "GET STATUS (P1 " + hex_byte(p1) + ")");
        }
        parse_registry(answer.data(), entries);
        if (answer.sw() == sw::kSuccess) return entries;
        p2 = 0x03;  // next occurrence
    }
    throw Error("GET STATUS: the card still says 6310 (more data) after " +
                             std::to_string(kMaxGetStatusRounds) + " answers");
}

std::vector<KeyInfo> GpClient::key_information() {
    const ResponseApdu answer = session_.transmit(CommandApdu::case2(gp::kCla, gp::kInsGetData, 0x00, 0xE0, 256));
    const bytes& data = answer.require_ok("GET DATA key information");
    const auto list = parse_tlvs(data);
    const auto templ = find_tlv(list, 0xE0);
    if (!templ) throw FormatError("GET DATA key information: the answer has no E0 template");
    std::vector<KeyInfo> keys;
    for (const Tlv& c0 : templ->children()) {
        if (c0.tag != 0xC0) continue;
        if (c0.value.size() < 4) {
            throw FormatError("GET DATA key information: a C0 entry of " + std::to_string(c0.value.size()) +
                              " bytes (at least 4: id, KVN, type, length)");
        }
        keys.push_back({c0.value[0], c0.value[1], c0.value[2], c0.value[3]});
    }
    return keys;
}

std::vector<bytes> GpClient::put_key(const KeySetUpdate& update) {
    check_key_lengths(update);
    const scp::SecureMessaging& channel = session_.channel();
    const secure_bytes* keys[] = {&update.keys.enc, &update.keys.mac, &update.keys.dek};

    bytes data{update.new_kvn};
    std::vector<bytes> expected_kcvs;
    for (const secure_bytes* key : keys) {
        bytes key_data;
        if (update.des) {
            key_data = channel.encrypt_sensitive(*key);  // 16 bytes 3DES-ECB under the DEK
            expected_kcvs.push_back(scp::kcv_des3(*key));
        } else {
            key_data.push_back(static_cast<uint8_t>(key->size()));
            const bytes encrypted = channel.encrypt_sensitive(zero_padded(*key, std::max<std::size_t>(16, channel.block_size())));
            key_data.insert(key_data.end(), encrypted.begin(), encrypted.end());
            expected_kcvs.push_back(scp::kcv_aes(*key));
        }
        data.push_back(update.des ? gp::kKeyTypeDes : gp::kKeyTypeAes);
        data.push_back(static_cast<uint8_t>(key_data.size()));
        data.insert(data.end(), key_data.begin(), key_data.end());
        data.push_back(kKcvLength);
        data.insert(data.end(), expected_kcvs.back().begin(), expected_kcvs.back().end());
    }

    const uint8_t p1 = update.replace_kvn.value_or(0x00);
    const ResponseApdu answer = session_.transmit(CommandApdu::case4(gp::kCla, gp::kInsPutKey, p1, 0x81, std::move(data), 256));
    const bytes& reply = answer.require_ok("PUT KEY");
    if (reply.size() != 1 + 3 * kKcvLength) {
        throw SecureChannelError("PUT KEY: card answered " + std::to_string(reply.size()) +
                                 " bytes, expected 10 (KVN and three KCVs)");
    }
    if (reply[0] != update.new_kvn) {
        throw SecureChannelError("PUT KEY: card returned KVN " + hex_byte(reply[0]) + ", expected " +
                                 hex_byte(update.new_kvn));
    }
    std::vector<bytes> returned;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto from = reply.begin() + static_cast<std::ptrdiff_t>(1 + i * kKcvLength);
        returned.emplace_back(from, from + kKcvLength);
        if (returned.back() != expected_kcvs[i]) {
            throw SecureChannelError("PUT KEY: card returned KCV " + to_hex(returned.back()) + " for key " +
                                     std::to_string(i + 1) + ", expected " + to_hex(expected_kcvs[i]));
        }
    }
    return returned;
}

void GpClient::delete_key(uint8_t kvn, std::optional<uint8_t> key_id) {
    bytes data{0xD2, 0x01, kvn};
    if (key_id) data.insert(data.end(), {0xD0, 0x01, *key_id});
    const ResponseApdu answer = session_.transmit(CommandApdu::case4(gp::kCla, gp::kInsDelete, 0x00, 0x00, std::move(data), 256));
    answer.require_ok("DELETE KEY (KVN " + hex_byte(kvn) + (key_id ? ", key id " + hex_byte(*key_id) : std::string()) + ")");
}

void GpClient::store_data(const std::vector<std::pair<uint16_t, bytes>>& dgis, bool encrypted) {
    if (dgis.empty()) throw ArgumentError("STORE DATA: no DGIs to send");
    const scp::SecureMessaging& channel = session_.channel();

    // Whole DGIs are packed into blocks: the card reads each block on its own (specs/isd.md), so a DGI
    // never spans two blocks.
    const std::size_t block_size = max_store_data_block(channel);
    std::vector<bytes> blocks(1);
    for (const auto& [dgi, value] : dgis) {
        bytes encoded;
        if (encrypted) {
            append_dgi(encoded, dgi, channel.encrypt_sensitive(to_secure(scp::pad80(value, channel.block_size()))));
        } else {
            append_dgi(encoded, dgi, value);
        }
        if (encoded.size() > block_size) {
            bytes name;
            append_u16(name, dgi);
            throw ArgumentError("STORE DATA: DGI " + to_hex(name) + " takes " + std::to_string(encoded.size()) +
                                " bytes encoded, more than one block of " + std::to_string(block_size));
        }
        if (blocks.back().size() + encoded.size() > block_size) blocks.emplace_back();
        blocks.back().insert(blocks.back().end(), encoded.begin(), encoded.end());
    }
    if (blocks.size() > 256) {
        throw ArgumentError("STORE DATA: " + std::to_string(blocks.size()) + " blocks do not fit in P2 (at most 256)");
    }
    for (std::size_t number = 0; number < blocks.size(); ++number) {
        uint8_t p1 = 0x08;                   // b5-b4 01: DGI format
        if (encrypted) p1 |= 0x60;           // b7-b6 11: encrypted data
        if (number + 1 == blocks.size()) p1 |= 0x80;  // b8: last block
        const ResponseApdu answer = session_.transmit(
            CommandApdu::case3(gp::kCla, gp::kInsStoreData, p1, static_cast<uint8_t>(number), blocks[number]));
        answer.require_ok("STORE DATA block " + std::to_string(number));
    }
}

}  // namespace simkit

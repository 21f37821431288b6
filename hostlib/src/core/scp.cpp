// What SCP03 and SCP02 share (see scp.hpp).
#include "simkit/scp.hpp"

#include "simkit/core/cla.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"

namespace simkit::scp {

bool level_is_valid(Protocol protocol, uint8_t level) noexcept {
    if (protocol == Protocol::Scp02) return level == 0x01 || level == 0x03;
    return level == 0x01 || level == 0x03 || level == 0x11 || level == 0x13 || level == 0x33;
}

std::string describe_level(uint8_t level) {
    std::string out;
    const auto add = [&](uint8_t bit, const char* name) {
        if ((level & bit) == 0) return;
        if (!out.empty()) out += '+';
        out += name;
    };
    add(kCMac, "C-MAC");
    add(kCDecryption, "C-DECRYPTION");
    add(kRMac, "R-MAC");
    add(kREncryption, "R-ENCRYPTION");
    return out.empty() ? "none" : out;
}

uint8_t parse_level(const std::string& text, Protocol protocol) {
    uint8_t level = 0;
    if (text == "mac") {
        level = 0x01;
    } else if (text == "mac-enc") {
        level = 0x03;
    } else if (text == "full") {
        level = protocol == Protocol::Scp03 ? 0x33 : 0x03;
    } else {
        bytes value;
        try {
            value = from_hex(text);
        } catch (const FormatError&) {
        }
        if (value.size() != 1) {
            throw ArgumentError("security level '" + text + "' is not mac, mac-enc, full or a hex byte such as 13");
        }
        level = value[0];
    }
    if (!level_is_valid(protocol, level)) {
        throw ArgumentError("security level " + to_hex(&level, 1) + " (" + describe_level(level) + ") is not one " +
                            (protocol == Protocol::Scp03 ? "SCP03 knows (01, 03, 11, 13, 33)" : "SCP02 knows (01, 03)"));
    }
    return level;
}

bytes pad80(const bytes& data, std::size_t block) {
    bytes out = data;
    out.push_back(0x80);
    while (out.size() % block != 0) out.push_back(0x00);
    return out;
}

std::optional<bytes> unpad80(const bytes& padded) {
    std::size_t end = padded.size();
    while (end > 0 && padded[end - 1] == 0x00) --end;
    if (end == 0 || padded[end - 1] != 0x80) return std::nullopt;
    return bytes(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

bytes kcv_aes(const secure_bytes& key) {
    bytes out = crypto::aes_ecb(crypto::Direction::Encrypt, key, bytes(16, 0x01));
    out.resize(3);
    return out;
}

bytes kcv_des3(const secure_bytes& key) {
    bytes out = crypto::des3_ecb(crypto::Direction::Encrypt, key, bytes(8, 0x00));
    out.resize(3);
    return out;
}

bytes InitUpdateResponse::encode() const {
    if (key_diversification_data.size() != 10) throw ArgumentError("InitUpdateResponse: KDD must be 10 bytes");
    bytes out = key_diversification_data;
    out.push_back(kvn);
    out.push_back(static_cast<uint8_t>(protocol));
    if (protocol == Protocol::Scp02) {
        if (!sequence_counter) throw ArgumentError("InitUpdateResponse: SCP02 needs a sequence counter");
        append_u16(out, static_cast<uint16_t>(*sequence_counter));
    } else {
        out.push_back(i);
    }
    out.insert(out.end(), card_challenge.begin(), card_challenge.end());
    out.insert(out.end(), card_cryptogram.begin(), card_cryptogram.end());
    if (protocol == Protocol::Scp03 && sequence_counter) {
        out.push_back(static_cast<uint8_t>(*sequence_counter >> 16));
        append_u16(out, static_cast<uint16_t>(*sequence_counter));
    }
    return out;
}

InitUpdateResponse InitUpdateResponse::parse(const bytes& data) {
    if (data.size() < 12) {
        throw FormatError("INITIALIZE UPDATE response of " + std::to_string(data.size()) + " bytes is too short");
    }
    InitUpdateResponse r;
    r.key_diversification_data.assign(data.begin(), data.begin() + 10);
    r.kvn = data[10];
    const auto at = [&](std::size_t offset, std::size_t n) {
        return bytes(data.begin() + static_cast<std::ptrdiff_t>(offset),
                     data.begin() + static_cast<std::ptrdiff_t>(offset + n));
    };
    if (data[11] == 0x02) {
        if (data.size() != 28) {
            throw FormatError("SCP02 INITIALIZE UPDATE response must be 28 bytes, not " + std::to_string(data.size()));
        }
        r.protocol = Protocol::Scp02;
        r.sequence_counter = read_u16(data.data() + 12);
        r.card_challenge = at(14, 6);
        r.card_cryptogram = at(20, 8);
        return r;
    }
    if (data[11] != 0x03) {
        throw FormatError("INITIALIZE UPDATE response names SCP " + to_hex(&data[11], 1) + ", not 02 or 03");
    }
    if (data.size() < 13) throw FormatError("SCP03 INITIALIZE UPDATE response has no i parameter");
    r.protocol = Protocol::Scp03;
    r.i = data[12];
    const std::size_t s = (r.i & 0x01) != 0 ? 16 : 8;
    const std::size_t plain = 13 + 2 * s;
    if (data.size() != plain && data.size() != plain + 3) {
        throw FormatError("SCP03 INITIALIZE UPDATE response with i=" + to_hex(&r.i, 1) + " must be " +
                          std::to_string(plain) + " or " + std::to_string(plain + 3) + " bytes, not " +
                          std::to_string(data.size()));
    }
    r.card_challenge = at(13, s);
    r.card_cryptogram = at(13 + s, s);
    if (data.size() == plain + 3) {
        r.sequence_counter = (uint32_t{data[plain]} << 16) | read_u16(data.data() + plain + 1);
    }
    return r;
}

bool response_is_protected(uint16_t sw) noexcept {
    return sw == 0x9000 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
}

uint8_t cla_with_secure_messaging(uint8_t cla) {
    return (cla & 0x40) == 0 ? static_cast<uint8_t>(cla | 0x04) : static_cast<uint8_t>(cla | 0x20);
}

bool cla_has_gp_secure_messaging(uint8_t cla) noexcept {
    if (cla == 0xFF) return false;
    return (cla & 0x40) == 0 ? (cla & 0x0C) == 0x04 : (cla & 0x20) != 0;
}

uint8_t cla_without_secure_messaging(uint8_t cla) {
    return (cla & 0x40) == 0 ? static_cast<uint8_t>(cla & ~0x0C) : static_cast<uint8_t>(cla & ~0x20);
}

}  // namespace simkit::scp

// BER-TLV parsing and building.
#include "simkit/tlv.hpp"

#include "simkit/errors.hpp"

namespace simkit {

namespace {
std::string at(std::size_t offset) { return " at offset " + std::to_string(offset); }
}  // namespace

bool Tlv::is_constructed() const noexcept {
    uint32_t first = tag;
    while (first > 0xFF) first >>= 8;
    return (first & 0x20) != 0;
}

std::vector<Tlv> Tlv::children() const { return parse_tlvs(value.data(), value.size()); }

std::optional<Tlv> Tlv::find(uint32_t child_tag) const { return find_tlv(children(), child_tag); }

bytes Tlv::encode() const { return encode_tlv(tag, value); }

Tlv parse_tlv(const uint8_t* data, std::size_t length, std::size_t* offset) {
    std::size_t pos = *offset;
    if (pos >= length) throw FormatError("TLV: no tag" + at(pos));
    const std::size_t start = pos;
    uint8_t first = data[pos++];
    if (first == 0x00 || first == 0xFF) throw FormatError("TLV: invalid tag byte " + to_hex(&first, 1) + at(start));
    uint32_t tag = first;
    if ((first & 0x1F) == 0x1F) {
        // Subsequent tag bytes: bit 8 set means another follows. At most 3 tag bytes in all.
        for (int n = 0;; ++n) {
            if (n == 2) throw FormatError("TLV: tag longer than 3 bytes" + at(start));
            if (pos >= length) throw FormatError("TLV: truncated tag" + at(start));
            const uint8_t next = data[pos++];
            tag = (tag << 8) | next;
            if ((next & 0x80) == 0) break;
        }
    }
    if (pos >= length) {
        throw FormatError("TLV: missing length for tag " + to_hex(data + start, pos - start) + at(start));
    }
    const uint8_t l0 = data[pos++];
    std::size_t value_length = 0;
    if (l0 < 0x80) {
        value_length = l0;
    } else if (l0 == 0x80) {
        throw FormatError("TLV: indefinite length is not allowed" + at(pos - 1));
    } else {
        const std::size_t n = l0 & 0x7F;
        if (n > 3) throw FormatError("TLV: length field of " + std::to_string(n + 1) + " bytes is too long" + at(pos - 1));
        if (length - pos < n) throw FormatError("TLV: truncated length field" + at(pos - 1));
        for (std::size_t i = 0; i < n; ++i) value_length = (value_length << 8) | data[pos++];
    }
    if (length - pos < value_length) {
        throw FormatError("TLV: value of " + std::to_string(value_length) + " bytes runs past the end (" +
                          std::to_string(length - pos) + " left)" + at(start));
    }
    Tlv tlv{tag, bytes(data + pos, data + pos + value_length)};
    *offset = pos + value_length;
    return tlv;
}

std::vector<Tlv> parse_tlvs(const uint8_t* data, std::size_t length) {
    std::vector<Tlv> list;
    std::size_t offset = 0;
    while (offset < length) list.push_back(parse_tlv(data, length, &offset));
    return list;
}

std::optional<Tlv> find_tlv(const std::vector<Tlv>& list, uint32_t tag) {
    for (const auto& t : list) {
        if (t.tag == tag) return t;
    }
    return std::nullopt;
}

void append_tag(bytes& out, uint32_t tag) {
    if (tag > 0xFFFFFF) throw ArgumentError("TLV: tag " + std::to_string(tag) + " longer than 3 bytes");
    if (tag > 0xFFFF) out.push_back(static_cast<uint8_t>(tag >> 16));
    if (tag > 0xFF) out.push_back(static_cast<uint8_t>(tag >> 8));
    out.push_back(static_cast<uint8_t>(tag));
}

void append_length(bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<uint8_t>(length));
    } else if (length <= 0xFF) {
        out.push_back(0x81);
        out.push_back(static_cast<uint8_t>(length));
    } else if (length <= 0xFFFF) {
        out.push_back(0x82);
        append_u16(out, static_cast<uint16_t>(length));
    } else if (length <= 0xFFFFFF) {
        out.push_back(0x83);
        out.push_back(static_cast<uint8_t>(length >> 16));
        append_u16(out, static_cast<uint16_t>(length));
    } else {
        throw ArgumentError("TLV: length " + std::to_string(length) + " exceeds 3 length bytes");
    }
}

bytes encode_tlv(uint32_t tag, const bytes& value) {
    bytes out;
    out.reserve(value.size() + 8);
    append_tag(out, tag);
    append_length(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

bytes encode_tlv(uint32_t tag, std::initializer_list<bytes> encoded_children) {
    bytes value;
    for (const auto& c : encoded_children) value.insert(value.end(), c.begin(), c.end());
    return encode_tlv(tag, value);
}

}  // namespace simkit

// BER-TLV (ISO/IEC 7816-4 5.2, ISO 8825-1): tags of 1-3 bytes, lengths in 1-4 bytes (up to 0x83
// form), nested templates. Parsing rejects truncated input, indefinite and over-long length fields.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit {

struct Tlv {
    uint32_t tag = 0;  // the tag bytes as a big-endian number: 0x6F, 0x9F7F, 0xBF0C
    bytes value;

    // Bit 6 of the first tag byte: the value is itself a sequence of TLVs.
    bool is_constructed() const noexcept;
    // Parses the value as a sequence of TLVs; throws FormatError if it is not one.
    std::vector<Tlv> children() const;
    // First child with this tag, or nothing.
    std::optional<Tlv> find(uint32_t child_tag) const;
    bytes encode() const;

    bool operator==(const Tlv&) const = default;
};

// Parses exactly one TLV starting at data[*offset]; advances *offset. Throws FormatError.
Tlv parse_tlv(const uint8_t* data, std::size_t length, std::size_t* offset);
// Parses a whole buffer as a sequence of TLVs; trailing bytes that are not a TLV are an error.
std::vector<Tlv> parse_tlvs(const uint8_t* data, std::size_t length);
inline std::vector<Tlv> parse_tlvs(const bytes& data) { return parse_tlvs(data.data(), data.size()); }
// First TLV with `tag` in a sequence, or nothing.
std::optional<Tlv> find_tlv(const std::vector<Tlv>& list, uint32_t tag);

// Encoding.
void append_tag(bytes& out, uint32_t tag);
void append_length(bytes& out, std::size_t length);
bytes encode_tlv(uint32_t tag, const bytes& value);
// A constructed TLV whose value is the concatenation of already-encoded children.
bytes encode_tlv(uint32_t tag, std::initializer_list<bytes> encoded_children);

}  // namespace simkit

// The DER pieces every ES10 message is made of (internal to hostlib/src/core/es10): opening a
// message by its outer tag, finding mandatory fields, INTEGER / BOOLEAN / named-bit BIT STRING /
// UTF8String values. Errors are FormatError naming the message and the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/es10.hpp"
#include "simkit/tlv.hpp"

namespace simkit::es10::der {

// "BF2D", "5A": a tag as its hex bytes.
std::string tag_name(uint32_t tag);

// Parses `der` as exactly one TLV with tag `tag`; FormatError "<message>: ..." otherwise.
Tlv open_message(const bytes& der, uint32_t tag, const char* message);
// The children of a constructed field, with parse errors prefixed by "<message>: <field>".
std::vector<Tlv> children_of(const Tlv& tlv, const char* message, const char* field);
// The child with `tag`, or FormatError "<message>: missing <field> (<tag>)".
const Tlv& require(const std::vector<Tlv>& fields, uint32_t tag, const char* message, const char* field);
const Tlv* find(const std::vector<Tlv>& fields, uint32_t tag);

// INTEGER contents: minimal two's complement (0 -> 00, 127 -> 7F, 128 -> 00 80).
bytes integer(uint64_t value);
// A non-negative INTEGER of at most `max`; FormatError for empty, negative or too large values.
uint64_t read_integer(const Tlv& tlv, uint64_t max, const char* message, const char* field);

// BOOLEAN: FF for true. Reading accepts any non-zero byte as true (BER).
bytes boolean(bool value);
bool read_boolean(const Tlv& tlv, const char* message, const char* field);

// Named-bit BIT STRING contents for bits 0..7 (bit 0 the most significant of the first byte), with
// trailing zero bits removed as DER asks: {} -> 00, {1} -> 06 40.
bytes named_bits(uint8_t bits_msb_first);
// The first 8 named bits of BIT STRING contents (bits past the end are 0, unused bits ignored).
uint8_t read_named_bits(const Tlv& tlv, const char* message, const char* field);
// Checks BIT STRING contents: an unused-bits byte 0..7, 0 when there are no content bytes.
void check_bit_string(const bytes& content, const char* message, const char* field);

bytes text(const std::string& value);
std::string read_text(const Tlv& tlv);

// The ISD-P AID (4F) or ICCID (5A) of a CHOICE { isdpAid, iccid }.
bytes encode_profile_identifier(const ProfileIdentifier& id);
ProfileIdentifier read_profile_identifier(const Tlv& tlv, const char* message);

// A BitString NotificationEvent: exactly one of bits 0..3.
bytes encode_event(NotificationEvent event);
NotificationEvent read_event(const Tlv& tlv, const char* message);

}  // namespace simkit::es10::der

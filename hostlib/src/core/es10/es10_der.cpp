// DER building blocks of the ES10 messages (see es10_der.hpp).
#include "es10_der.hpp"

#include "simkit/errors.hpp"

namespace simkit::es10::der {

namespace {
std::string prefix(const char* message, const char* field) {
    return std::string(message) + ": " + field + " ";
}
}  // namespace

std::string tag_name(uint32_t tag) {
    bytes b;
    append_tag(b, tag);
    return to_hex(b);
}

Tlv open_message(const bytes& der, uint32_t tag, const char* message) {
    Tlv outer;
    std::size_t offset = 0;
    try {
        outer = parse_tlv(der.data(), der.size(), &offset);
    } catch (const FormatError& e) {
        throw FormatError(std::string(message) + ": " + e.what());
    }
    if (offset != der.size()) {
        throw FormatError(std::string(message) + ": " + std::to_string(der.size() - offset) +
                          " bytes after the message");
    }
    if (outer.tag != tag) {
        throw FormatError(std::string(message) + ": outer tag " + tag_name(outer.tag) + ", expected " +
                          tag_name(tag));
    }
    return outer;
}

std::vector<Tlv> children_of(const Tlv& tlv, const char* message, const char* field) {
    try {
        return tlv.children();
    } catch (const FormatError& e) {
        throw FormatError(std::string(message) + ": " + field + ": " + e.what());
    }
}

const Tlv* find(const std::vector<Tlv>& fields, uint32_t tag) {
    for (const auto& f : fields) {
        if (f.tag == tag) return &f;
    }
    return nullptr;
}

const Tlv& require(const std::vector<Tlv>& fields, uint32_t tag, const char* message, const char* field) {
    const Tlv* found = find(fields, tag);
    if (found == nullptr) {
        throw FormatError(std::string(message) + ": missing " + field + " (" + tag_name(tag) + ")");
    }
    return *found;
}

bytes integer(uint64_t value) {
    bytes out;
    do {
        out.insert(out.begin(), static_cast<uint8_t>(value & 0xFF));
        value >>= 8;
    } while (value != 0);
    if (out.front() & 0x80) out.insert(out.begin(), 0x00);  // keep it positive
    return out;
}

uint64_t read_integer(const Tlv& tlv, uint64_t max, const char* message, const char* field) {
    const bytes& v = tlv.value;
    if (v.empty()) throw FormatError(prefix(message, field) + "is an empty INTEGER");
    if (v.front() & 0x80) throw FormatError(prefix(message, field) + "is negative");
    std::size_t i = 0;
    while (i + 1 < v.size() && v[i] == 0x00) ++i;  // leading zero bytes (tolerated)
    if (v.size() - i > 8) throw FormatError(prefix(message, field) + "is too large");
    uint64_t value = 0;
    for (; i < v.size(); ++i) value = (value << 8) | v[i];
    if (value > max) {
        throw FormatError(prefix(message, field) + std::to_string(value) + " is above " + std::to_string(max));
    }
    return value;
}

bytes boolean(bool value) { return bytes{static_cast<uint8_t>(value ? 0xFF : 0x00)}; }

bool read_boolean(const Tlv& tlv, const char* message, const char* field) {
    if (tlv.value.size() != 1) {
        throw FormatError(prefix(message, field) + "BOOLEAN of " + std::to_string(tlv.value.size()) + " bytes");
    }
    return tlv.value[0] != 0x00;
}

bytes named_bits(uint8_t bits_msb_first) {
    if (bits_msb_first == 0) return bytes{0x00};
    uint8_t unused = 0;
    while (((bits_msb_first >> unused) & 1) == 0) ++unused;
    return bytes{unused, bits_msb_first};
}

void check_bit_string(const bytes& content, const char* message, const char* field) {
    if (content.empty()) throw FormatError(prefix(message, field) + "BIT STRING without its unused-bits byte");
    if (content[0] > 7) throw FormatError(prefix(message, field) + "BIT STRING with " + std::to_string(content[0]) + " unused bits");
    if (content.size() == 1 && content[0] != 0) throw FormatError(prefix(message, field) + "empty BIT STRING with unused bits");
}

uint8_t read_named_bits(const Tlv& tlv, const char* message, const char* field) {
    check_bit_string(tlv.value, message, field);
    if (tlv.value.size() < 2) return 0;
    uint8_t first = tlv.value[1];
    if (tlv.value.size() == 2) first = static_cast<uint8_t>(first & (0xFF << tlv.value[0]));  // drop unused bits
    return first;
}

bytes text(const std::string& value) { return bytes(value.begin(), value.end()); }

std::string read_text(const Tlv& tlv) { return std::string(tlv.value.begin(), tlv.value.end()); }

bytes encode_profile_identifier(const ProfileIdentifier& id) {
    return encode_tlv(id.kind == ProfileIdentifier::Kind::IsdpAid ? 0x4F : 0x5A, id.value);
}

ProfileIdentifier read_profile_identifier(const Tlv& tlv, const char* message) {
    if (tlv.tag == 0x4F) return ProfileIdentifier{ProfileIdentifier::Kind::IsdpAid, tlv.value};
    if (tlv.tag == 0x5A) return ProfileIdentifier{ProfileIdentifier::Kind::Iccid, tlv.value};
    throw FormatError(std::string(message) + ": profile identifier has tag " + tag_name(tlv.tag) +
                      ", expected 4F (isdpAid) or 5A (iccid)");
}

bytes encode_event(NotificationEvent event) {
    const auto bit = static_cast<uint8_t>(event);
    if (bit > 3) throw ArgumentError("NotificationEvent: value " + std::to_string(bit) + " is not install/enable/disable/delete");
    return named_bits(static_cast<uint8_t>(0x80 >> bit));
}

NotificationEvent read_event(const Tlv& tlv, const char* message) {
    uint8_t bits = read_named_bits(tlv, message, "NotificationEvent");
    for (std::size_t i = 2; i < tlv.value.size(); ++i) {
        const uint8_t mask = i + 1 == tlv.value.size() ? static_cast<uint8_t>(0xFF << tlv.value[0]) : 0xFF;
        if (tlv.value[i] & mask) bits = 0xFF;  // a bit past delete(3): not an event
    }
    switch (bits) {
        case 0x80: return NotificationEvent::Install;
        case 0x40: return NotificationEvent::Enable;
        case 0x20: return NotificationEvent::Disable;
        case 0x10: return NotificationEvent::Delete;
        default:
            throw FormatError(std::string(message) + ": NotificationEvent " + to_hex(tlv.value) +
                              " does not name exactly one of install, enable, disable, delete");
    }
}

}  // namespace simkit::es10::der

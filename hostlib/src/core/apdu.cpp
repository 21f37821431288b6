// CommandApdu/ResponseApdu construction, encoding and parsing (ISO/IEC 7816-3 12.1.3).
#include "simkit/apdu.hpp"

#include "simkit/errors.hpp"

namespace simkit {

CommandApdu::CommandApdu(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data, std::size_t ne,
                         bool extended)
    : cla_(cla), ins_(ins), p1_(p1), p2_(p2), data_(std::move(data)), ne_(ne), extended_(extended) {
    if (cla == 0xFF) throw ArgumentError("CommandApdu: cla FF is reserved for PPS (ISO 7816-3)");
    if (data_.size() > kMaxExtendedNc) {
        throw ArgumentError("CommandApdu: data of " + std::to_string(data_.size()) + " bytes exceeds 65535");
    }
    if (ne_ > kMaxExtendedNe) throw ArgumentError("CommandApdu: ne " + std::to_string(ne_) + " exceeds 65536");
    if (data_.size() > kMaxShortNc || ne_ > kMaxShortNe) extended_ = true;
    // Case 1 has no extended form: "00" after the header would be read back as case 2S, Ne 256.
    if (data_.empty() && ne_ == 0) extended_ = false;
}

CommandApdu CommandApdu::case1(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2) {
    return CommandApdu(cla, ins, p1, p2, {}, 0, false);
}

CommandApdu CommandApdu::case2(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, std::size_t ne,
                               bool force_extended) {
    if (ne == 0) throw ArgumentError("CommandApdu::case2: ne must be 1..65536");
    return CommandApdu(cla, ins, p1, p2, {}, ne, force_extended);
}

CommandApdu CommandApdu::case3(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data,
                               bool force_extended) {
    if (data.empty()) throw ArgumentError("CommandApdu::case3: data must be 1..65535 bytes");
    return CommandApdu(cla, ins, p1, p2, std::move(data), 0, force_extended);
}

CommandApdu CommandApdu::case4(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data, std::size_t ne,
                               bool force_extended) {
    if (data.empty()) throw ArgumentError("CommandApdu::case4: data must be 1..65535 bytes");
    if (ne == 0) throw ArgumentError("CommandApdu::case4: ne must be 1..65536");
    return CommandApdu(cla, ins, p1, p2, std::move(data), ne, force_extended);
}

CommandApdu CommandApdu::make(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data, std::size_t ne,
                              bool force_extended) {
    return CommandApdu(cla, ins, p1, p2, std::move(data), ne, force_extended);
}

CommandApdu CommandApdu::parse(const uint8_t* raw, std::size_t length) {
    if (length < 4) {
        throw FormatError("APDU of " + std::to_string(length) + " bytes is shorter than the 4-byte header");
    }
    const uint8_t cla = raw[0], ins = raw[1], p1 = raw[2], p2 = raw[3];
    if (cla == 0xFF) throw FormatError("APDU: CLA FF is invalid");
    const std::size_t body = length - 4;
    const uint8_t* b = raw + 4;
    if (body == 0) return CommandApdu(cla, ins, p1, p2, {}, 0, false);
    if (body == 1) return CommandApdu(cla, ins, p1, p2, {}, b[0] == 0 ? 256 : b[0], false);
    if (b[0] != 0) {  // short Lc
        const std::size_t nc = b[0];
        if (body == 1 + nc) return CommandApdu(cla, ins, p1, p2, bytes(b + 1, b + 1 + nc), 0, false);
        if (body == 2 + nc) {
            const std::size_t ne = b[1 + nc] == 0 ? 256 : b[1 + nc];
            return CommandApdu(cla, ins, p1, p2, bytes(b + 1, b + 1 + nc), ne, false);
        }
        throw FormatError("APDU: short Lc " + std::to_string(nc) + " does not match the " + std::to_string(body - 1) +
                          " bytes that follow");
    }
    // b[0] == 0 and body >= 2: extended length.
    if (body == 2) throw FormatError("APDU: extended length field is truncated (2 of 3 bytes)");
    const std::size_t field = read_u16(b + 1);
    if (body == 3) return CommandApdu(cla, ins, p1, p2, {}, field == 0 ? 65536 : field, true);
    if (field == 0) throw FormatError("APDU: extended Lc of 0 is invalid");
    if (body == 3 + field) return CommandApdu(cla, ins, p1, p2, bytes(b + 3, b + 3 + field), 0, true);
    if (body == 5 + field) {
        const std::size_t le = read_u16(b + 3 + field);
        return CommandApdu(cla, ins, p1, p2, bytes(b + 3, b + 3 + field), le == 0 ? 65536 : le, true);
    }
    throw FormatError("APDU: extended Lc " + std::to_string(field) + " does not match the " +
                      std::to_string(body - 3) + " bytes that follow");
}

bytes CommandApdu::encode() const {
    bytes out{cla_, ins_, p1_, p2_};
    out.reserve(4 + 3 + data_.size() + 3);
    if (!extended_) {
        if (!data_.empty()) {
            out.push_back(static_cast<uint8_t>(data_.size()));
            out.insert(out.end(), data_.begin(), data_.end());
        }
        if (ne_ != 0) out.push_back(static_cast<uint8_t>(ne_ == 256 ? 0 : ne_));
        return out;
    }
    out.push_back(0x00);
    if (!data_.empty()) {
        append_u16(out, static_cast<uint16_t>(data_.size()));
        out.insert(out.end(), data_.begin(), data_.end());
    }
    if (ne_ != 0) append_u16(out, static_cast<uint16_t>(ne_ == 65536 ? 0 : ne_));
    return out;
}

CommandApdu CommandApdu::with_cla(uint8_t cla) const {
    CommandApdu copy = *this;
    if (cla == 0xFF) throw ArgumentError("CommandApdu: cla FF is reserved for PPS (ISO 7816-3)");
    copy.cla_ = cla;
    return copy;
}

CommandApdu CommandApdu::with_ne(std::size_t ne) const {
    return CommandApdu(cla_, ins_, p1_, p2_, data_, ne, extended_);
}

ResponseApdu ResponseApdu::parse(const bytes& raw) {
    if (raw.size() < 2) {
        throw FormatError("response APDU of " + std::to_string(raw.size()) + " bytes has no status word");
    }
    return ResponseApdu(bytes(raw.begin(), raw.end() - 2), read_u16(raw.data() + raw.size() - 2));
}

bytes ResponseApdu::encode() const {
    bytes out = data_;
    append_u16(out, sw_);
    return out;
}

const bytes& ResponseApdu::require_ok(const std::string& context) const {
    if (sw_ != 0x9000) throw SwError(sw_, context);
    return data_;
}

}  // namespace simkit

// Command and response APDUs (ISO/IEC 7816-3 12.1, 7816-4 5.1) as value types.
// A CommandApdu is built through one factory per case, so an illegal APDU cannot exist.
#pragma once

#include <cstdint>
#include <string>

#include "simkit/bytes.hpp"

namespace simkit {

class CommandApdu {
public:
    static constexpr std::size_t kMaxShortNc = 255;
    static constexpr std::size_t kMaxShortNe = 256;
    static constexpr std::size_t kMaxExtendedNc = 65535;
    static constexpr std::size_t kMaxExtendedNe = 65536;

    // Case 1: header only.
    static CommandApdu case1(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2);
    // Case 2: expects ne (1..65536) response bytes.
    static CommandApdu case2(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, std::size_t ne,
                             bool force_extended = false);
    // Case 3: sends data (1..65535 bytes).
    static CommandApdu case3(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data,
                             bool force_extended = false);
    // Case 4: sends data and expects ne response bytes.
    static CommandApdu case4(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data, std::size_t ne,
                             bool force_extended = false);
    // Picks the case from what is present (empty data -> no Lc; ne == 0 -> no Le).
    static CommandApdu make(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data = {},
                            std::size_t ne = 0, bool force_extended = false);
    // Parses the wire form; throws FormatError naming the malformed length field.
    static CommandApdu parse(const uint8_t* data, std::size_t length);
    static CommandApdu parse(const bytes& raw) { return parse(raw.data(), raw.size()); }

    uint8_t cla() const noexcept { return cla_; }
    uint8_t ins() const noexcept { return ins_; }
    uint8_t p1() const noexcept { return p1_; }
    uint8_t p2() const noexcept { return p2_; }
    uint16_t p1p2() const noexcept { return static_cast<uint16_t>((p1_ << 8) | p2_); }
    const bytes& data() const noexcept { return data_; }
    // Expected response length Ne; 0 when the command has no Le field.
    std::size_t ne() const noexcept { return ne_; }
    bool has_le() const noexcept { return ne_ != 0; }
    bool is_extended() const noexcept { return extended_; }
    // ISO case number 1..4.
    int iso_case() const noexcept { return (data_.empty() ? 1 : 3) + (ne_ != 0 ? 1 : 0); }

    bytes encode() const;
    // Same command with another CLA (logical channel bits) or another Le.
    CommandApdu with_cla(uint8_t cla) const;
    CommandApdu with_ne(std::size_t ne) const;

    bool operator==(const CommandApdu&) const = default;

private:
    CommandApdu(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, bytes data, std::size_t ne, bool extended);

    uint8_t cla_, ins_, p1_, p2_;
    bytes data_;
    std::size_t ne_;
    bool extended_;
};

class ResponseApdu {
public:
    ResponseApdu() = default;
    explicit ResponseApdu(uint16_t sw) : sw_(sw) {}
    ResponseApdu(bytes data, uint16_t sw) : data_(std::move(data)), sw_(sw) {}
    static ResponseApdu ok(bytes data = {}) { return ResponseApdu(std::move(data), 0x9000); }
    // Parses data || SW1 SW2; throws FormatError when shorter than 2 bytes.
    static ResponseApdu parse(const bytes& raw);

    const bytes& data() const noexcept { return data_; }
    bytes& data() noexcept { return data_; }
    uint16_t sw() const noexcept { return sw_; }
    uint8_t sw1() const noexcept { return static_cast<uint8_t>(sw_ >> 8); }
    uint8_t sw2() const noexcept { return static_cast<uint8_t>(sw_); }
    bool is_ok() const noexcept { return sw_ == 0x9000; }
    bytes encode() const;
    // Throws SwError (with `context`) unless SW is 9000; returns the data otherwise.
    const bytes& require_ok(const std::string& context = "") const;

    bool operator==(const ResponseApdu&) const = default;

private:
    bytes data_;
    uint16_t sw_ = 0x9000;
};

}  // namespace simkit

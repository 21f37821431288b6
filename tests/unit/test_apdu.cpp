// Tests of CommandApdu/ResponseApdu (apdu.hpp) against ISO/IEC 7816-3 12.1.3: the wire form of
// every case 1, 2S, 3S, 4S, 2E, 3E, 4E written out from the standard's rules at the boundaries
// (Nc 1/255/256/65535, Ne 1/256/257/65536), refusal of illegal constructions and of every
// malformed length, and round-trip properties over random APDUs and random byte strings.
#include <catch2/catch.hpp>
#include <random>

#include "simkit/apdu.hpp"
#include "simkit/errors.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::CommandApdu;
using simkit::FormatError;
using simkit::from_hex;
using simkit::ResponseApdu;
using simkit::SwError;
using simkit::to_hex;

namespace {

bytes pattern(std::size_t n) {
    bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
    return b;
}

// hex prefix || data || hex suffix: the expected wire form, spelled from ISO 7816-3 12.1.3.
bytes wire(const char* prefix, const bytes& data, const char* suffix) {
    bytes out = from_hex(prefix);
    out.insert(out.end(), data.begin(), data.end());
    const bytes tail = from_hex(suffix);
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

// Encodes, checks the bytes, parses them back and checks the parsed fields.
void check_wire(const CommandApdu& apdu, const bytes& expected, int iso_case, std::size_t nc, std::size_t ne,
                bool extended) {
    INFO("expected " << to_hex(expected).substr(0, 40));
    CHECK(apdu.encode() == expected);
    CHECK(apdu.iso_case() == iso_case);
    CHECK(apdu.data().size() == nc);
    CHECK(apdu.ne() == ne);
    CHECK(apdu.is_extended() == extended);
    const CommandApdu parsed = CommandApdu::parse(expected);
    CHECK(parsed == apdu);
    CHECK(parsed.iso_case() == iso_case);
    CHECK(parsed.data().size() == nc);
    CHECK(parsed.ne() == ne);
    CHECK(parsed.is_extended() == extended);
}

}  // namespace

TEST_CASE("case 1: header only", "[apdu]") {
    check_wire(CommandApdu::case1(0x00, 0x70, 0x80, 0x01), from_hex("00708001"), 1, 0, 0, false);
    check_wire(CommandApdu::make(0x80, 0xE8, 0x00, 0x00), from_hex("80E80000"), 1, 0, 0, false);
}

TEST_CASE("case 1 has no extended form: forcing extended changes nothing", "[apdu]") {
    // ISO 7816-3 12.1.3: case 1 is L = 0; "00" after the header would be case 2S with Ne = 256.
    const CommandApdu forced = CommandApdu::make(0x00, 0xA4, 0x04, 0x00, {}, 0, true);
    check_wire(forced, from_hex("00A40400"), 1, 0, 0, false);
    // Dropping Le from an extended case 2 leaves a plain case 1.
    check_wire(CommandApdu::case2(0x00, 0xC0, 0x00, 0x00, 300).with_ne(0), from_hex("00C00000"), 1, 0, 0, false);
}

TEST_CASE("case 2S: one Le byte, 00 meaning 256", "[apdu]") {
    check_wire(CommandApdu::case2(0x80, 0xCA, 0x9F, 0x7F, 1), from_hex("80CA9F7F01"), 2, 0, 1, false);
    check_wire(CommandApdu::case2(0x80, 0xCA, 0x9F, 0x7F, 255), from_hex("80CA9F7FFF"), 2, 0, 255, false);
    check_wire(CommandApdu::case2(0x80, 0xCA, 0x9F, 0x7F, 256), from_hex("80CA9F7F00"), 2, 0, 256, false);
}

TEST_CASE("case 2E: 00 then two Le bytes, 0000 meaning 65536", "[apdu]") {
    check_wire(CommandApdu::case2(0x00, 0xB0, 0x00, 0x00, 257), from_hex("00B00000000101"), 2, 0, 257, true);
    check_wire(CommandApdu::case2(0x00, 0xB0, 0x00, 0x00, 65535), from_hex("00B0000000FFFF"), 2, 0, 65535, true);
    check_wire(CommandApdu::case2(0x00, 0xB0, 0x00, 0x00, 65536), from_hex("00B00000000000"), 2, 0, 65536, true);
    check_wire(CommandApdu::case2(0x00, 0xB0, 0x00, 0x00, 1, true), from_hex("00B00000000001"), 2, 0, 1, true);
    check_wire(CommandApdu::case2(0x00, 0xB0, 0x00, 0x00, 256, true), from_hex("00B00000000100"), 2, 0, 256, true);
}

TEST_CASE("case 3S: Lc 01..FF then the data", "[apdu]") {
    check_wire(CommandApdu::case3(0x00, 0xA4, 0x04, 0x0C, pattern(1)), wire("00A4040C01", pattern(1), ""), 3, 1, 0,
               false);
    check_wire(CommandApdu::case3(0x00, 0xD6, 0x00, 0x00, pattern(255)), wire("00D60000FF", pattern(255), ""), 3, 255,
               0, false);
}

TEST_CASE("case 3E: 00, two Lc bytes 0001..FFFF, then the data", "[apdu]") {
    check_wire(CommandApdu::case3(0x00, 0xD6, 0x00, 0x00, pattern(256)), wire("00D60000000100", pattern(256), ""), 3,
               256, 0, true);
    check_wire(CommandApdu::case3(0x00, 0xD6, 0x00, 0x00, pattern(65535)), wire("00D6000000FFFF", pattern(65535), ""),
               3, 65535, 0, true);
    check_wire(CommandApdu::case3(0x00, 0xD6, 0x00, 0x00, pattern(1), true), wire("00D60000000001", pattern(1), ""), 3,
               1, 0, true);
}

TEST_CASE("case 4S: Lc, data, one Le byte", "[apdu]") {
    check_wire(CommandApdu::case4(0x00, 0xA4, 0x04, 0x00, pattern(1), 1), wire("00A4040001", pattern(1), "01"), 4, 1,
               1, false);
    check_wire(CommandApdu::case4(0x00, 0xA4, 0x04, 0x00, pattern(8), 256), wire("00A4040008", pattern(8), "00"), 4, 8,
               256, false);
    check_wire(CommandApdu::case4(0x00, 0x88, 0x00, 0x81, pattern(255), 256), wire("00880081FF", pattern(255), "00"),
               4, 255, 256, false);
}

TEST_CASE("case 4E: 00, two Lc bytes, data, two Le bytes", "[apdu]") {
    check_wire(CommandApdu::case4(0x00, 0x2A, 0x9E, 0x9A, pattern(256), 1), wire("002A9E9A000100", pattern(256), "0001"),
               4, 256, 1, true);
    check_wire(CommandApdu::case4(0x00, 0x2A, 0x9E, 0x9A, pattern(1), 257), wire("002A9E9A000001", pattern(1), "0101"),
               4, 1, 257, true);
    check_wire(CommandApdu::case4(0x00, 0x2A, 0x9E, 0x9A, pattern(65535), 65536),
               wire("002A9E9A00FFFF", pattern(65535), "0000"), 4, 65535, 65536, true);
    check_wire(CommandApdu::case4(0x00, 0x2A, 0x9E, 0x9A, pattern(255), 256, true),
               wire("002A9E9A0000FF", pattern(255), "0100"), 4, 255, 256, true);
}

TEST_CASE("make picks the case from what is present", "[apdu]") {
    CHECK(CommandApdu::make(0x00, 0xB0, 0, 0).iso_case() == 1);
    CHECK(CommandApdu::make(0x00, 0xB0, 0, 0, {}, 10).iso_case() == 2);
    CHECK(CommandApdu::make(0x00, 0xD6, 0, 0, {1}).iso_case() == 3);
    CHECK(CommandApdu::make(0x00, 0xD6, 0, 0, {1}, 10).iso_case() == 4);
    CHECK(CommandApdu::make(0x00, 0xD6, 0, 0, pattern(300)).is_extended());
    CHECK(CommandApdu::make(0x00, 0xD6, 0, 0, pattern(3), 1000).is_extended());
}

TEST_CASE("construction refuses illegal APDUs", "[apdu]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(CommandApdu::case2(0x00, 0xB0, 0, 0, 0), Contains("ne"));
    CHECK_THROWS_AS(CommandApdu::case2(0x00, 0xB0, 0, 0, 65537), ArgumentError);
    CHECK_THROWS_WITH(CommandApdu::case3(0x00, 0xD6, 0, 0, {}), Contains("data"));
    CHECK_THROWS_AS(CommandApdu::case3(0x00, 0xD6, 0, 0, pattern(65536)), ArgumentError);
    CHECK_THROWS_AS(CommandApdu::case4(0x00, 0xD6, 0, 0, {}, 1), ArgumentError);
    CHECK_THROWS_AS(CommandApdu::case4(0x00, 0xD6, 0, 0, {1}, 0), ArgumentError);
    CHECK_THROWS_AS(CommandApdu::case4(0x00, 0xD6, 0, 0, {1}, 65537), ArgumentError);
    CHECK_THROWS_WITH(CommandApdu::make(0x00, 0xD6, 0, 0, pattern(65536)), Contains("65536") && Contains("65535"));
    CHECK_THROWS_WITH(CommandApdu::make(0x00, 0xB0, 0, 0, {}, 70000), Contains("70000"));
    CHECK_THROWS_WITH(CommandApdu::case1(0xFF, 0xA4, 0, 0), Contains("FF"));
    CHECK_THROWS_AS(CommandApdu::case2(0xFF, 0xB0, 0, 0, 1), ArgumentError);
    CHECK_THROWS_AS(CommandApdu::case1(0x00, 0xA4, 0, 0).with_cla(0xFF), ArgumentError);
    CHECK_THROWS_AS(CommandApdu::case1(0x00, 0xA4, 0, 0).with_ne(65537), ArgumentError);
}

TEST_CASE("with_cla and with_ne change only what they name", "[apdu]") {
    const CommandApdu base = CommandApdu::case4(0x00, 0xA4, 0x04, 0x00, from_hex("A000000151000000"), 256);
    const CommandApdu moved = base.with_cla(0x41);
    CHECK(moved.cla() == 0x41);
    CHECK(moved.encode() == from_hex("41A4040008A00000015100000000"));
    CHECK(base.with_ne(0x1C).encode() == from_hex("00A4040008A0000001510000001C"));
    CHECK(base.with_ne(0).encode() == from_hex("00A4040008A000000151000000"));
    CHECK(base.with_ne(1000).encode() == from_hex("00A404000000 08 A000000151000000 03E8"));
    CHECK(base.p1p2() == 0x0400);
}

TEST_CASE("parse refuses every malformed length with FormatError", "[apdu]") {
    using Catch::Matchers::Contains;
    const auto parse = [](const char* hex) { return CommandApdu::parse(from_hex(hex)); };
    // Shorter than the header.
    CHECK_THROWS_AS(CommandApdu::parse(bytes{}), FormatError);
    CHECK_THROWS_AS(parse("00"), FormatError);
    CHECK_THROWS_AS(parse("00A4"), FormatError);
    CHECK_THROWS_WITH(parse("00A404"), Contains("3 bytes") && Contains("header"));
    // CLA FF is PPS, never an APDU.
    CHECK_THROWS_AS(parse("FFA40400"), FormatError);
    // Short Lc that does not match the bytes that follow: too few, one too many for case 4, more.
    CHECK_THROWS_WITH(parse("00A4040005A000"), Contains("short Lc 5"));
    CHECK_THROWS_AS(parse("00A4040002A0"), FormatError);
    CHECK_THROWS_AS(parse("00A4040002A00000FF"), FormatError);
    CHECK_THROWS_AS(parse("00A4040001A00000"), FormatError);
    // B1 = 00 with L = 6 (two bytes after the header): neither short nor extended.
    CHECK_THROWS_WITH(parse("00B000000000"), Contains("extended") && Contains("truncated"));
    CHECK_THROWS_AS(parse("00B000000001"), FormatError);
    // Extended Lc of 0 followed by something: not a valid case 3E/4E.
    CHECK_THROWS_WITH(parse("00D6000000000001"), Contains("extended Lc of 0"));
    CHECK_THROWS_AS(parse("00D60000000000AABB"), FormatError);
    // Extended Lc that does not match the bytes that follow.
    CHECK_THROWS_WITH(parse("00D60000000003AABB"), Contains("extended Lc 3"));
    CHECK_THROWS_AS(parse("00D60000000002AABB00"), FormatError);        // Le of 1 byte after extended Lc
    CHECK_THROWS_AS(parse("00D60000000002AABB000000"), FormatError);    // 3 trailing bytes
}

TEST_CASE("ResponseApdu: parse, encode, require_ok", "[apdu]") {
    CHECK_THROWS_AS(ResponseApdu::parse(bytes{}), FormatError);
    CHECK_THROWS_AS(ResponseApdu::parse(bytes{0x90}), FormatError);
    const ResponseApdu ok = ResponseApdu::parse(from_hex("01029000"));
    CHECK(ok.data() == bytes{1, 2});
    CHECK(ok.sw() == 0x9000);
    CHECK(ok.is_ok());
    CHECK(ok.encode() == from_hex("01029000"));
    const ResponseApdu err = ResponseApdu::parse(from_hex("6A82"));
    CHECK(err.sw1() == 0x6A);
    CHECK(err.sw2() == 0x82);
    CHECK(err.data().empty());
    CHECK_THROWS_MATCHES(err.require_ok("SELECT"), SwError,
                         Catch::Matchers::Message("SELECT: 6A82 file or application not found"));
    try {
        err.require_ok();
        FAIL("require_ok accepted 6A82");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6A82);
    }
    CHECK(ok.require_ok() == bytes{1, 2});
}

TEST_CASE("property: parse(encode(x)) == x for random valid APDUs", "[apdu][property]") {
    std::mt19937 rng(20240601);
    const std::size_t nc_choices[] = {0, 1, 2, 254, 255, 256, 257, 1000, 65535};
    const std::size_t ne_choices[] = {0, 1, 2, 255, 256, 257, 1000, 65535, 65536};
    for (int i = 0; i < 3000; ++i) {
        uint8_t cla = static_cast<uint8_t>(rng());
        if (cla == 0xFF) cla = 0x00;
        const std::size_t nc = rng() % 4 == 0 ? nc_choices[rng() % 9] : rng() % 300;
        const std::size_t ne = rng() % 4 == 0 ? ne_choices[rng() % 9] : rng() % 300;
        bytes data(nc);
        for (auto& b : data) b = static_cast<uint8_t>(rng());
        const bool force = rng() % 3 == 0;
        const CommandApdu x = CommandApdu::make(cla, static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()),
                                                static_cast<uint8_t>(rng()), data, ne, force);
        const bytes raw = x.encode();
        INFO("nc " << nc << " ne " << ne << " forced " << force << " wire " << to_hex(raw).substr(0, 24));
        const CommandApdu y = CommandApdu::parse(raw);
        REQUIRE(y == x);
        // The wire length follows from the case alone (ISO 7816-3 12.1.3).
        std::size_t expected_length = 4;
        if (x.is_extended()) {
            expected_length += 1 + (nc ? 2 + nc : 0) + (ne ? 2 : 0);
        } else {
            expected_length += (nc ? 1 + nc : 0) + (ne ? 1 : 0);
        }
        REQUIRE(raw.size() == expected_length);
    }
}

TEST_CASE("property: random byte strings either fail with FormatError or re-encode identically", "[apdu][property]") {
    std::mt19937 rng(77);
    int parsed = 0;
    for (int i = 0; i < 100000; ++i) {
        bytes raw;
        // Shapes that land near the length rules: random bodies after a header, with the first
        // body byte often 00 (extended) or matching a plausible Lc.
        const std::size_t length = rng() % 12 == 0 ? rng() % 600 : rng() % 16;
        raw.resize(length);
        for (auto& b : raw) b = static_cast<uint8_t>(rng());
        if (length > 4) {
            switch (rng() % 4) {
                case 0: raw[4] = 0x00; break;
                case 1: raw[4] = static_cast<uint8_t>(length - 5); break;
                case 2: raw[4] = static_cast<uint8_t>(length - 6); break;
                default: break;
            }
            if (raw[4] == 0x00 && length >= 7 && rng() % 2 == 0) {
                const std::size_t lc = length - 7 - (rng() % 2 ? 2 : 0);
                raw[5] = static_cast<uint8_t>(lc >> 8);
                raw[6] = static_cast<uint8_t>(lc);
            }
        }
        try {
            const CommandApdu apdu = CommandApdu::parse(raw);
            ++parsed;
            INFO(to_hex(raw));
            REQUIRE(apdu.encode() == raw);
        } catch (const FormatError&) {
        }
    }
    CHECK(parsed > 10000);  // the generator reaches the valid forms, not only errors
}

// Tests of BER-TLV parsing and building (tlv.hpp): published card answers from
// tests/vectors/tlv.vec (EMV PSE FCI, GlobalPlatform card recognition data and ISD FCI), tag and
// length forms at their limits, children/find, and refusal of every malformed form.
#include <catch2/catch.hpp>
#include <string>

#include "simkit/errors.hpp"
#include "simkit/tlv.hpp"
#include "vector_file.hpp"

using simkit::bytes;
using simkit::encode_tlv;
using simkit::FormatError;
using simkit::from_hex;
using simkit::parse_tlvs;
using simkit::Tlv;
using simkit::to_hex;

namespace {

std::string tag_hex(uint32_t tag) {
    bytes b;
    simkit::append_tag(b, tag);
    return to_hex(b);
}

// Renders a parsed sequence in the vector files' shape notation, descending into every
// constructed TLV (so a malformed child anywhere throws).
std::string shape(const std::vector<Tlv>& list) {
    std::string out;
    for (const auto& t : list) {
        if (!out.empty()) out += ',';
        out += tag_hex(t.tag);
        if (t.is_constructed()) {
            out += '[' + shape(t.children()) + ']';
        } else {
            out += ':' + std::to_string(t.value.size());
        }
    }
    return out;
}

bytes reencode(const std::vector<Tlv>& list) {
    bytes out;
    for (const auto& t : list) {
        const bytes e = t.encode();
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

bytes filled(std::size_t n) { return bytes(n, 0x5A); }

}  // namespace

TEST_CASE("TLV vectors: published card answers parse to their structure and re-encode", "[tlv]") {
    int good = 0, bad = 0;
    for (const auto& v : simkit::test::read_vectors("tlv.vec")) {
        INFO(v.where() << " " << v.text("hex"));
        const bytes raw = v.hex("hex");
        if (v.kind == "good") {
            ++good;
            const auto list = parse_tlvs(raw);
            CHECK(shape(list) == v.text("tree"));
            CHECK(reencode(list) == raw);
        } else if (v.kind == "bad") {
            ++bad;
            CHECK_THROWS_AS(shape(parse_tlvs(raw)), FormatError);
            CHECK_THROWS_WITH(shape(parse_tlvs(raw)), Catch::Matchers::Contains(v.text("error")));
        } else {
            FAIL("unknown vector kind " << v.kind);
        }
    }
    CHECK(good >= 5);
    CHECK(bad >= 15);
}

TEST_CASE("TLV tags of one, two and three bytes", "[tlv]") {
    const auto one = parse_tlvs(from_hex("5A0412345678"));
    REQUIRE(one.size() == 1);
    CHECK(one[0].tag == 0x5A);
    CHECK(one[0].value == from_hex("12345678"));
    CHECK(parse_tlvs(from_hex("9F7F0100"))[0].tag == 0x9F7F);
    CHECK(parse_tlvs(from_hex("5F2D02656E"))[0].tag == 0x5F2D);
    CHECK(parse_tlvs(from_hex("BF0C00"))[0].tag == 0xBF0C);
    CHECK(parse_tlvs(from_hex("DF810100"))[0].tag == 0xDF8101);
    CHECK(parse_tlvs(from_hex("7F218100"))[0].tag == 0x7F21);  // non-minimal length 81 00 is still BER

    CHECK(encode_tlv(0x5A, from_hex("12")) == from_hex("5A0112"));
    CHECK(encode_tlv(0x9F7F, {}) == from_hex("9F7F00"));
    CHECK(encode_tlv(0xDF8101, from_hex("AA")) == from_hex("DF810101AA"));
    CHECK_THROWS_AS(encode_tlv(0x01000000, {}), simkit::ArgumentError);
}

TEST_CASE("TLV lengths at each form's limits: 7F, 81 80, 81 FF, 82 0100, 82 FFFF, 83 010000", "[tlv]") {
    struct Case {
        std::size_t length;
        const char* header;  // tag C0 + the length field, from ISO 8825-1 8.1.3
    };
    const Case cases[] = {{0, "C000"},         {0x7F, "C07F"},         {0x80, "C08180"},         {0xFF, "C081FF"},
                          {0x100, "C0820100"}, {0xFFFF, "C082FFFF"}, {0x10000, "C083010000"}, {0x12345, "C083012345"}};
    for (const auto& c : cases) {
        INFO("length " << c.length);
        bytes expected = from_hex(c.header);
        const bytes value = filled(c.length);
        expected.insert(expected.end(), value.begin(), value.end());
        const bytes encoded = encode_tlv(0xC0, value);
        CHECK(encoded.size() == expected.size());
        CHECK(encoded == expected);
        const auto parsed = parse_tlvs(expected);
        REQUIRE(parsed.size() == 1);
        CHECK(parsed[0].value.size() == c.length);
    }
    bytes out;
    CHECK_THROWS_AS(simkit::append_length(out, 0x1000000), simkit::ArgumentError);
}

TEST_CASE("TLV nested templates: children, find, is_constructed", "[tlv]") {
    const bytes fci = encode_tlv(0x6F, {encode_tlv(0x84, from_hex("A000000151000000")),
                                        encode_tlv(0xA5, {encode_tlv(0x9F65, from_hex("FF")),
                                                          encode_tlv(0x73, {encode_tlv(0x06, from_hex("2A"))})})});
    CHECK(fci == from_hex("6F 15 8408A000000151000000 A509 9F6501FF 7303 06012A"));
    const auto top = parse_tlvs(fci);
    REQUIRE(top.size() == 1);
    CHECK(top[0].is_constructed());
    const auto children = top[0].children();
    REQUIRE(children.size() == 2);
    CHECK(children[0].tag == 0x84);
    CHECK_FALSE(children[0].is_constructed());
    CHECK(children[1].tag == 0xA5);
    CHECK(children[1].is_constructed());
    const auto aid = top[0].find(0x84);
    REQUIRE(aid);
    CHECK(aid->value == from_hex("A000000151000000"));
    CHECK_FALSE(top[0].find(0x85).has_value());
    const auto max_len = top[0].find(0xA5)->find(0x9F65);
    REQUIRE(max_len);
    CHECK(max_len->value == from_hex("FF"));
    CHECK(top[0].find(0xA5)->find(0x73)->find(0x06)->value == from_hex("2A"));
    CHECK(simkit::find_tlv(top, 0x6F).has_value());
    CHECK_FALSE(simkit::find_tlv(top, 0x84).has_value());  // only the top level is searched
    // Two-byte and three-byte constructed tags.
    CHECK(Tlv{0xBF0C, {}}.is_constructed());
    CHECK(Tlv{0x7F8101, {}}.is_constructed());
    CHECK_FALSE(Tlv{0x9F7F, {}}.is_constructed());
    CHECK_FALSE(Tlv{0xDF8101, {}}.is_constructed());
    // A primitive value that is not TLV cannot be walked.
    CHECK_THROWS_AS((Tlv{0x6F, from_hex("8405AA")}).children(), FormatError);
}

TEST_CASE("parse_tlv advances the offset and names the offset of an error", "[tlv]") {
    const bytes two = from_hex("8401AA 8502BBCC");
    std::size_t offset = 0;
    CHECK(simkit::parse_tlv(two.data(), two.size(), &offset).tag == 0x84);
    CHECK(offset == 3);
    CHECK(simkit::parse_tlv(two.data(), two.size(), &offset).value == from_hex("BBCC"));
    CHECK(offset == two.size());
    CHECK_THROWS_WITH(simkit::parse_tlv(two.data(), two.size(), &offset), Catch::Matchers::Contains("offset 7"));
    const bytes broken = from_hex("8401AA 9F7F");
    CHECK_THROWS_WITH(parse_tlvs(broken), Catch::Matchers::Contains("9F7F") && Catch::Matchers::Contains("offset 3"));
    CHECK(parse_tlvs(bytes{}).empty());
}

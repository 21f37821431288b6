// Tests of the CLA decoder/encoder (cla.hpp) against the tables of ISO/IEC 7816-4 5.4.1 (first
// and further interindustry classes) and GlobalPlatform Card Spec 11.1.4 (proprietary 80-8F,
// C0-CF, E0-EF), for every one of the 256 class bytes.
#include <catch2/catch.hpp>

#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"

using simkit::ClaInfo;
using simkit::ClaKind;
using simkit::cla_for_channel;
using simkit::decode_cla;

namespace {

// What ISO 7816-4 table 2/3 say, written out per range rather than bit by bit.
struct Expected {
    bool valid;
    ClaKind kind;
    int channel;
    bool chaining;
    bool sm;
};

Expected expected_for(int cla) {
    if (cla == 0xFF) return {false, ClaKind::Proprietary, 0, false, false};
    const ClaKind kind = cla >= 0x80 ? ClaKind::Proprietary : ClaKind::Interindustry;
    const int low = cla & 0x7F;
    if (low <= 0x1F) {  // first interindustry layout: 000C SSCC
        return {true, kind, low & 0x03, low >= 0x10, (low & 0x0C) != 0};
    }
    if (low <= 0x3F) return {false, kind, 0, false, false};  // 001x xxxx: reserved
    // further interindustry layout: 01SC nnnn, channel 4 + nnnn
    return {true, kind, 4 + (low & 0x0F), (low & 0x10) != 0, (low & 0x20) != 0};
}

void check_decodes(int cla, ClaKind kind, int channel, bool chaining, bool sm) {
    INFO("CLA " << std::hex << cla);
    const auto info = decode_cla(static_cast<uint8_t>(cla));
    REQUIRE(info.has_value());
    CHECK(info->kind == kind);
    CHECK(int(info->channel) == channel);
    CHECK(info->chaining == chaining);
    CHECK(info->secure_messaging == sm);
}

}  // namespace

TEST_CASE("decode_cla: the named classes", "[cla]") {
    for (int c = 0x00; c <= 0x03; ++c) check_decodes(c, ClaKind::Interindustry, c, false, false);
    check_decodes(0x0C, ClaKind::Interindustry, 0, false, true);   // ISO SM, header authenticated
    check_decodes(0x08, ClaKind::Interindustry, 0, false, true);
    check_decodes(0x04, ClaKind::Interindustry, 0, false, true);   // proprietary SM format
    check_decodes(0x0F, ClaKind::Interindustry, 3, false, true);
    check_decodes(0x10, ClaKind::Interindustry, 0, true, false);   // command chaining
    check_decodes(0x13, ClaKind::Interindustry, 3, true, false);
    for (int c = 0x40; c <= 0x4F; ++c) check_decodes(c, ClaKind::Interindustry, c - 0x40 + 4, false, false);
    check_decodes(0x50, ClaKind::Interindustry, 4, true, false);
    check_decodes(0x60, ClaKind::Interindustry, 4, false, true);   // further class with SM
    check_decodes(0x6F, ClaKind::Interindustry, 19, false, true);
    check_decodes(0x7F, ClaKind::Interindustry, 19, true, true);
    for (int c = 0x80; c <= 0x83; ++c) check_decodes(c, ClaKind::Proprietary, c - 0x80, false, false);
    check_decodes(0x84, ClaKind::Proprietary, 0, false, true);     // GP secure channel
    check_decodes(0x87, ClaKind::Proprietary, 3, false, true);
    for (int c = 0xC0; c <= 0xCF; ++c) check_decodes(c, ClaKind::Proprietary, c - 0xC0 + 4, false, false);
    for (int c = 0xE0; c <= 0xEF; ++c) check_decodes(c, ClaKind::Proprietary, c - 0xE0 + 4, false, true);
    for (int c = 0x20; c <= 0x3F; ++c) {
        INFO("CLA " << std::hex << c);
        CHECK_FALSE(decode_cla(static_cast<uint8_t>(c)).has_value());
    }
    CHECK_FALSE(decode_cla(0xFF).has_value());
}

TEST_CASE("decode_cla agrees with the ISO 7816-4 tables for all 256 values", "[cla]") {
    for (int c = 0; c < 256; ++c) {
        INFO("CLA " << std::hex << c);
        const Expected e = expected_for(c);
        const auto info = decode_cla(static_cast<uint8_t>(c));
        REQUIRE(info.has_value() == e.valid);
        if (!e.valid) continue;
        CHECK(info->kind == e.kind);
        CHECK(int(info->channel) == e.channel);
        CHECK(info->chaining == e.chaining);
        CHECK(info->secure_messaging == e.sm);
        CHECK(info->channel < simkit::kMaxLogicalChannels);
    }
}

TEST_CASE("cla_for_channel: literal values", "[cla]") {
    CHECK(cla_for_channel(0x00, 0) == 0x00);
    CHECK(cla_for_channel(0x00, 3) == 0x03);
    CHECK(cla_for_channel(0x00, 4) == 0x40);
    CHECK(cla_for_channel(0x00, 5) == 0x41);
    CHECK(cla_for_channel(0x00, 19) == 0x4F);
    CHECK(cla_for_channel(0x80, 1) == 0x81);
    CHECK(cla_for_channel(0x80, 4) == 0xC0);
    CHECK(cla_for_channel(0x80, 19) == 0xCF);
    CHECK(cla_for_channel(0x43, 2) == 0x02);  // from a further class back to a first class
    CHECK(cla_for_channel(0xC5, 0) == 0x80);
    // Secure messaging travels: GP 84 <-> E0-EF, ISO 0C -> 60-6F.
    CHECK(cla_for_channel(0x84, 1) == 0x85);
    CHECK(cla_for_channel(0x84, 4) == 0xE0);
    CHECK(cla_for_channel(0x84, 19) == 0xEF);
    CHECK(cla_for_channel(0xE3, 2) == 0x86);
    CHECK(cla_for_channel(0x0C, 2) == 0x0E);
    CHECK(cla_for_channel(0x0C, 6) == 0x62);
    // An interindustry further class with SM means "SM per clause 6, header not processed", which
    // is 10 in bits 4-3 of a first interindustry class (ISO 7816-4 tables 2 and 3).
    CHECK(cla_for_channel(0x60, 1) == 0x09);
    // Chaining travels too.
    CHECK(cla_for_channel(0x10, 5) == 0x51);
    CHECK(cla_for_channel(0x90, 5) == 0xD1);
    CHECK(cla_for_channel(0x51, 3) == 0x13);
}

TEST_CASE("cla_for_channel round-trips through decode_cla for all 20 channels and both kinds", "[cla]") {
    const uint8_t bases[] = {0x00, 0x80, 0x0C, 0x84, 0x10, 0x90, 0x40, 0xC0, 0x60, 0xE0, 0x4A, 0xCA};
    for (const uint8_t base : bases) {
        const auto base_info = decode_cla(base);
        REQUIRE(base_info);
        for (uint8_t channel = 0; channel < simkit::kMaxLogicalChannels; ++channel) {
            INFO("base " << std::hex << int(base) << " channel " << std::dec << int(channel));
            const uint8_t cla = cla_for_channel(base, channel);
            const auto info = decode_cla(cla);
            REQUIRE(info);
            CHECK(int(info->channel) == int(channel));
            CHECK(info->kind == base_info->kind);
            CHECK(info->secure_messaging == base_info->secure_messaging);
            CHECK(info->chaining == base_info->chaining);
            // Moving to the channel the CLA is already on changes nothing.
            CHECK(cla_for_channel(cla, channel) == cla);
        }
    }
}

TEST_CASE("cla_for_channel refuses channels past 19 and classes that do not decode", "[cla]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(cla_for_channel(0x00, 20), Contains("20"));
    CHECK_THROWS_AS(cla_for_channel(0x80, 255), simkit::ArgumentError);
    CHECK_THROWS_AS(cla_for_channel(0x20, 0), simkit::ArgumentError);
    CHECK_THROWS_AS(cla_for_channel(0xFF, 1), simkit::ArgumentError);
}

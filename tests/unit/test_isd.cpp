// Tests of the Issuer Security Domain (applet-sim/gp/isd.cpp): its FCI and GET DATA objects as
// GlobalPlatform Card Specification 2.3 defines them (11.9 SELECT response, H.2 card recognition
// data, H.6 CPLC, 11.3.3.1 key information template), checked through Card::transmit.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "simulated_card_support.hpp"
#include "storage/persistent_state.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {

// BER encoding of an OBJECT IDENTIFIER value (ISO 8825-1 8.19), written here from the rules so
// the card's OIDs are checked against the dotted form GlobalPlatform publishes.
bytes oid(const std::vector<unsigned long>& arcs) {
    bytes out{static_cast<uint8_t>(arcs.at(0) * 40 + arcs.at(1))};
    for (std::size_t i = 2; i < arcs.size(); ++i) {
        bytes base128;
        unsigned long v = arcs[i];
        do {
            base128.insert(base128.begin(), static_cast<uint8_t>((v & 0x7F) | (base128.empty() ? 0x00 : 0x80)));
            v >>= 7;
        } while (v != 0);
        out.insert(out.end(), base128.begin(), base128.end());
    }
    return out;
}

Tlv only(const bytes& raw) {
    const auto list = parse_tlvs(raw);
    REQUIRE(list.size() == 1);
    return list[0];
}

}  // namespace

TEST_CASE("ISD FCI: 6F { 84 AID, A5 { 9F65 max command data length } }", "[isd]") {
    auto card = sim::make_memory_card();
    const ResponseApdu r = send(*card, select_hex(0x00, kIsdAid, 0x00, true));
    REQUIRE(r.sw() == 0x9000);
    const Tlv fci = only(r.data());
    CHECK(fci.tag == 0x6F);
    CHECK(fci.find(0x84)->value == kIsdAid);
    const auto proprietary = fci.find(0xA5);
    REQUIRE(proprietary);
    const auto max_length = proprietary->find(0x9F65);
    REQUIRE(max_length);
    CHECK(max_length->value == bytes{0xFF});
}

TEST_CASE("GET DATA 0066: card recognition data with the GlobalPlatform OIDs", "[isd]") {
    auto card = sim::make_memory_card();
    const ResponseApdu r = send(*card, "80CA006600");
    REQUIRE(r.sw() == 0x9000);
    const Tlv outer = only(r.data());
    CHECK(outer.tag == 0x66);
    const auto recognition = outer.find(0x73);
    REQUIRE(recognition);
    // {globalPlatform 1}: card recognition data.
    CHECK(recognition->find(0x06)->value == oid({1, 2, 840, 114283, 1}));
    // {globalPlatform 2 v}: card management type and version, GP 2.3.
    CHECK(recognition->find(0x60)->find(0x06)->value == oid({1, 2, 840, 114283, 2, 2, 3}));
    // {globalPlatform 3}: card identification scheme.
    CHECK(recognition->find(0x63)->find(0x06)->value == oid({1, 2, 840, 114283, 3}));
    // {globalPlatform 4 scp i}: SCP03 with i = 70.
    CHECK(recognition->find(0x64)->find(0x06)->value == oid({1, 2, 840, 114283, 4, 3, 0x70}));
    CHECK(oid({1, 2, 840, 114283, 1}) == from_hex("2A864886FC6B01"));  // the published bytes
    // Interindustry class works as well (GET DATA is an ISO command).
    CHECK(send(*card, "00CA006600").data() == r.data());
}

TEST_CASE("GET DATA 9F7F: 42-byte CPLC whose IC serial is the end of the CIN", "[isd]") {
    auto card = sim::make_memory_card();
    const ResponseApdu cplc = send(*card, "80CA9F7F00");
    REQUIRE(cplc.sw() == 0x9000);
    REQUIRE(cplc.data().size() == 3 + 42);
    CHECK(cplc.data()[0] == 0x9F);
    CHECK(cplc.data()[1] == 0x7F);
    CHECK(cplc.data()[2] == 0x2A);
    const ResponseApdu cin = send(*card, "80CA004500");
    REQUIRE(cin.sw() == 0x9000);
    const Tlv serial = only(cin.data());
    CHECK(serial.tag == 0x45);
    REQUIRE(serial.value.size() == 8);
    // CPLC layout (GP 2.3 Annex H.6): IC serial number, 4 bytes, at offset 12 of the value.
    CHECK(bytes(cplc.data().begin() + 3 + 12, cplc.data().begin() + 3 + 16) ==
          bytes(serial.value.end() - 4, serial.value.end()));
}

TEST_CASE("GET DATA 0042 IIN and 00E0 key information for the factory key set 30", "[isd]") {
    auto card = sim::make_memory_card();
    const ResponseApdu iin = send(*card, "80CA004200");
    REQUIRE(iin.sw() == 0x9000);
    CHECK(only(iin.data()).tag == 0x42);
    const ResponseApdu keys = send(*card, "80CA00E000");
    REQUIRE(keys.sw() == 0x9000);
    const Tlv info = only(keys.data());
    CHECK(info.tag == 0xE0);
    const auto entries = info.children();
    REQUIRE(entries.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("key " << i + 1);
        CHECK(entries[i].tag == 0xC0);
        // key id (1 ENC, 2 MAC, 3 DEK), KVN 30, type 88 (AES), length 16.
        CHECK(entries[i].value == bytes{static_cast<uint8_t>(i + 1), 0x30, 0x88, 0x10});
    }
}

TEST_CASE("GET DATA refusals: unknown P1P2 6A88, data field 6700", "[isd]") {
    auto card = sim::make_memory_card();
    CHECK(sw_of(*card, "80CA000100") == 0x6A88);
    CHECK(sw_of(*card, "80CA9F7E00") == 0x6A88);
    CHECK(sw_of(*card, "80CAFFFF00") == 0x6A88);
    CHECK(sw_of(*card, "80CA00660100") == 0x6700);
    CHECK(sw_of(*card, "80CA0066015500") == 0x6700);
}

TEST_CASE("GET DATA copes with an odd card serial in the state", "[isd]") {
    auto card = sim::make_memory_card();
    // A state file written by another version could hold a short serial.
    card->state().put("card/serial", secure_bytes{0xAB, 0xCD});
    card->state().commit();
    const ResponseApdu cplc = send(*card, "80CA9F7F00");
    REQUIRE(cplc.sw() == 0x9000);
    REQUIRE(cplc.data().size() == 45);
    // Right-aligned in the 4-byte IC serial field, zero-filled on the left.
    CHECK(bytes(cplc.data().begin() + 15, cplc.data().begin() + 19) == from_hex("0000ABCD"));
    CHECK(only(send(*card, "80CA004500").data()).value == from_hex("ABCD"));
    // No serial at all: referenced data not found.
    card->state().erase("card/serial");
    card->state().commit();
    CHECK(sw_of(*card, "80CA9F7F00") == 0x6A88);
    CHECK(sw_of(*card, "80CA004500") == 0x6A88);
    CHECK(sw_of(*card, select_hex(0x00, kIsdAid)) == 0x9000);
}

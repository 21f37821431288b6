// Tests of logical channels on the simulated card (ISO/IEC 7816-4 5.4.2 and 11.1.2 MANAGE
// CHANNEL): opening (card-assigned, explicit, implicit by SELECT), exhaustion, closing, what a new
// channel selects, independence of the channels, the further classes 40-4F / C0-CF for channels
// 4-19, and reset.
#include <catch2/catch.hpp>
#include <set>

#include "simulated_card_support.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
// The CLA of channel n, written from ISO 7816-4 tables 2 and 3: 0n for 0-3, 4(n-4) for 4-19.
std::string cla_hex(int n) { return to_hex(bytes{static_cast<uint8_t>(n < 4 ? n : 0x40 + (n - 4))}); }
}  // namespace

TEST_CASE("MANAGE CHANNEL open, card-assigned: 01..19, then 6881", "[card][channels]") {
    auto card = sim::make_memory_card();
    std::set<int> given;
    for (int i = 1; i <= 19; ++i) {
        const ResponseApdu r = send(*card, "0070000001");
        REQUIRE(r.sw() == 0x9000);
        REQUIRE(r.data().size() == 1);
        const int n = r.data()[0];
        CHECK(n >= 1);
        CHECK(n <= 19);
        given.insert(n);
    }
    CHECK(given.size() == 19);  // every channel given once
    CHECK(sw_of(*card, "0070000001") == 0x6881);  // exhausted
    // Close one: it can be opened again, and it is the one the card gives.
    CHECK(sw_of(*card, "00708007") == 0x9000);
    const ResponseApdu again = send(*card, "0070000001");
    CHECK(again.sw() == 0x9000);
    CHECK(again.data() == bytes{0x07});
}

TEST_CASE("MANAGE CHANNEL open explicit, close, close unopened, unopened channel 6881", "[card][channels]") {
    auto card = sim::make_memory_card();
    CHECK(sw_of(*card, "03CA006600") == 0x6881);  // channel 3 is not open
    CHECK(sw_of(*card, "4FCA006600") == 0x6881);  // nor 19
    CHECK(sw_of(*card, "03C0000000") == 0x6881);  // GET RESPONSE on it neither
    const ResponseApdu opened = send(*card, "00700003");
    CHECK(opened.sw() == 0x9000);
    CHECK(opened.data().empty());  // explicit: no channel number returned
    CHECK(sw_of(*card, "03CA006600") == 0x9000);
    CHECK(sw_of(*card, "00700003") != 0x9000);  // already open
    CHECK(sw_of(*card, "00708003") == 0x9000);  // close from the basic channel
    CHECK(sw_of(*card, "03CA006600") == 0x6881);
    CHECK(sw_of(*card, "00708003") == 0x6881);  // close what is not open
    // Close a channel with its own CLA and P2 = 00.
    REQUIRE(sw_of(*card, "00700002") == 0x9000);
    CHECK(sw_of(*card, "02708000") == 0x9000);
    CHECK(sw_of(*card, "02CA006600") == 0x6881);
    // The basic channel cannot be closed; it keeps working.
    CHECK(sw_of(*card, "00708000") != 0x9000);
    CHECK(sw_of(*card, "00CA006600") == 0x9000);
    // No channel 20; MANAGE CHANNEL with bad P1 or with data.
    CHECK(sw_of(*card, "00700014") != 0x9000);
    CHECK(sw_of(*card, "00704000") == 0x6A86);
    CHECK(sw_of(*card, "0070000001AA") == 0x6700);
    // Opening from a channel that is not open.
    CHECK(sw_of(*card, "0570000001") == 0x6881);
}

TEST_CASE("SELECT with CLA 01 opens channel 1 implicitly", "[card][channels]") {
    auto card = card_with_test_applets();
    CHECK(sw_of(*card, "01CA006600") == 0x6881);
    const ResponseApdu r = send(*card, select_hex(0x01, kAppletB));
    CHECK(r.sw() == 0x9000);
    CHECK(fci_aid(r) == kAppletB);
    CHECK(send(*card, "0103000000").data() == kAppletB);
    // A failed SELECT does not open a channel.
    CHECK(sw_of(*card, select_hex(0x02, from_hex("A0000000FF"))) == 0x6A82);
    CHECK(sw_of(*card, "0203000000") == 0x6881);
    // The same through a further class on channel 12.
    CHECK(fci_aid(send(*card, select_hex(0x48, kAppletC))) == kAppletC);
    CHECK(send(*card, "4803000000").data() == kAppletC);
}

TEST_CASE("a channel opened from the basic channel selects the default applet", "[card][channels]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletA)) == 0x9000);  // basic channel: A
    const ResponseApdu r = send(*card, "0070000001");
    REQUIRE(r.sw() == 0x9000);
    const int n = r.data().at(0);
    CHECK(sw_of(*card, cla_hex(n) + "03000000") == 0x6D00);  // not A: the ISD has no INS 03
    CHECK(sw_of(*card, cla_hex(n) + "CA006600") == 0x9000);   // the ISD answers GET DATA
}

TEST_CASE("a channel opened from another channel inherits that channel's applet", "[card][channels]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x01, kAppletB)) == 0x9000);  // channel 1: B
    const ResponseApdu r = send(*card, "0170000001");  // MANAGE CHANNEL sent on channel 1
    REQUIRE(r.sw() == 0x9000);
    const int n = r.data().at(0);
    CHECK(n != 1);
    CHECK(send(*card, cla_hex(n) + "03000000").data() == kAppletB);
    // Explicit open from channel 1 inherits too.
    REQUIRE(sw_of(*card, "01700005") == 0x9000);
    CHECK(send(*card, "4103000000").data() == kAppletB);  // channel 5: CLA 41
}

TEST_CASE("selections on different channels are independent", "[card][channels]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletA)) == 0x9000);
    REQUIRE(sw_of(*card, select_hex(0x01, kAppletB)) == 0x9000);
    REQUIRE(sw_of(*card, select_hex(0x02, kAppletC)) == 0x9000);
    CHECK(send(*card, "0003000000").data() == kAppletA);
    CHECK(send(*card, "0103000000").data() == kAppletB);
    CHECK(send(*card, "0203000000").data() == kAppletC);
    REQUIRE(sw_of(*card, select_hex(0x01, kIsdAid)) == 0x9000);  // changes channel 1 only
    CHECK(send(*card, "0003000000").data() == kAppletA);
    CHECK(sw_of(*card, "0103000000") == 0x6D00);
    CHECK(send(*card, "0203000000").data() == kAppletC);
    // Partial selection "next" runs per channel.
    const bytes prefix = from_hex("A000000099");
    CHECK(fci_aid(send(*card, select_hex(0x03, prefix, 0x00))) == kAppletA);
    CHECK(fci_aid(send(*card, select_hex(0x03, prefix, 0x02))) == kAppletB);
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x02))) == kAppletB);  // channel 0 was on A
}

TEST_CASE("GET RESPONSE data stays on its channel", "[card][channels]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x01, kAppletA)) == 0x9000);
    const ResponseApdu first = send(*card, "010200200A");  // 0x20 bytes asked with Le 0A
    REQUIRE(first.sw() == 0x6116);
    CHECK(sw_of(*card, "00C0000000") == 0x6985);  // nothing pending on channel 0
    const ResponseApdu rest = send(*card, "01C0000016");
    CHECK(rest.sw() == 0x9000);
    CHECK(rest.data().size() == 0x16);
    CHECK(rest.data().front() == 0x0A);
}

TEST_CASE("channels 4-19 through the further classes 40-4F and C0-CF", "[card][channels]") {
    auto card = card_with_test_applets();
    for (int n = 1; n <= 19; ++n) REQUIRE(sw_of(*card, "00700000" + to_hex(bytes{1})) == 0x9000);
    for (int n = 4; n <= 19; ++n) {
        INFO("channel " << n);
        const uint8_t inter = static_cast<uint8_t>(0x40 + (n - 4));
        const uint8_t prop = static_cast<uint8_t>(0xC0 + (n - 4));
        const bytes aid = n % 2 ? kAppletA : kAppletB;
        CHECK(fci_aid(send(*card, select_hex(inter, aid))) == aid);
        CHECK(send(*card, to_hex(bytes{inter}) + "03000000").data() == aid);
        CHECK(sw_of(*card, to_hex(bytes{prop}) + "04000000") == 0x9000);
        CHECK(sw_of(*card, to_hex(bytes{prop}) + "03000000") == 0x6E00);
        CHECK(sw_of(*card, to_hex(bytes{static_cast<uint8_t>(inter | 0x20)}) + "03000000") == 0x6882);  // SM
        CHECK(sw_of(*card, to_hex(bytes{static_cast<uint8_t>(inter | 0x10)}) + "03000000") == 0x6884);  // chaining
    }
    // Close 19 with its own class, then it is gone.
    CHECK(sw_of(*card, "4F708000") == 0x9000);
    CHECK(sw_of(*card, "4F03000000") == 0x6881);
}

TEST_CASE("a card offering fewer channels refuses the others", "[card][channels]") {
    sim::CardOptions options;
    options.channels = 4;
    auto card = sim::make_memory_card(options);
    for (int i = 0; i < 3; ++i) REQUIRE(sw_of(*card, "0070000001") == 0x9000);
    CHECK(sw_of(*card, "0070000001") == 0x6881);
    CHECK(sw_of(*card, "40CA006600") == 0x6881);
    CHECK(sw_of(*card, select_hex(0x40, kIsdAid)) == 0x6881);
    CHECK(sw_of(*card, "03CA006600") == 0x9000);
    sim::CardOptions none;
    none.channels = 0;
    CHECK_THROWS_AS(sim::make_memory_card(none), ArgumentError);
    none.channels = 21;
    CHECK_THROWS_AS(sim::make_memory_card(none), ArgumentError);
}

TEST_CASE("power on and reset close every channel but the basic one", "[card][channels]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x01, kAppletA)) == 0x9000);
    REQUIRE(sw_of(*card, "00700007") == 0x9000);
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletB)) == 0x9000);
    card->reset();
    CHECK(sw_of(*card, "01CA006600") == 0x6881);
    CHECK(sw_of(*card, "43CA006600") == 0x6881);  // channel 7
    CHECK(sw_of(*card, "0003000000") == 0x6D00);  // basic channel: the ISD again
    CHECK(sw_of(*card, "0070000001") == 0x9000);
    card->power_off();
    card->power_on();
    CHECK(sw_of(*card, "01CA006600") == 0x6881);
}

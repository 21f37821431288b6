// Tests of the simulated card in T=0 mode (CardOptions.t0; ISO/IEC 7816-3 12.2): data of case 3/4
// commands is announced with 61xx and fetched with GET RESPONSE; a case-2 command with a wrong Le
// gets 6Cxx and succeeds when re-sent with that Le.
#include <catch2/catch.hpp>

#include "simulated_card_support.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
std::unique_ptr<sim::Card> t0_card() {
    sim::CardOptions options;
    options.t0 = true;
    return card_with_test_applets(options);
}
std::string byte_hex(std::size_t v) { return to_hex(bytes{static_cast<uint8_t>(v)}); }
}  // namespace

TEST_CASE("T=0: case 4 SELECT answers 61xx, GET RESPONSE returns the FCI", "[card][t0]") {
    auto card = t0_card();
    for (const bool with_le : {true, false}) {  // case 4, and case 3 that still has an FCI
        INFO("with Le " << with_le);
        const ResponseApdu announced = send(*card, select_hex(0x00, kIsdAid, 0x00, with_le));
        REQUIRE(announced.sw1() == 0x61);
        CHECK(announced.data().empty());
        const std::size_t length = announced.sw2();
        const ResponseApdu fci = send(*card, "00C00000" + byte_hex(length));
        CHECK(fci.sw() == 0x9000);
        CHECK(fci.data().size() == length);
        CHECK(fci_aid(fci) == kIsdAid);
    }
    // P2 = 0C: nothing to announce.
    CHECK(sw_of(*card, "00A4040C08A000000151000000") == 0x9000);
    // Errors are errors in T=0 too.
    CHECK(sw_of(*card, "00A4040005A0000000FF") == 0x6A82);
}

TEST_CASE("T=0: case 2 with a wrong Le gets 6Cxx, re-sent with xx it answers", "[card][t0]") {
    auto card = t0_card();
    const ResponseApdu wrong = send(*card, "80CA006605");
    REQUIRE(wrong.sw1() == 0x6C);
    CHECK(wrong.data().empty());
    const std::size_t available = wrong.sw2();
    CHECK(available > 5);
    const ResponseApdu right = send(*card, "80CA0066" + byte_hex(available));
    CHECK(right.sw() == 0x9000);
    CHECK(right.data().size() == available);
    CHECK(right.data().at(0) == 0x66);  // card recognition data template
    // Le too long (00 = 256) is wrong as well.
    CHECK(send(*card, "80CA006600").sw() == (0x6C00 | available));
    // MANAGE CHANNEL open with Le 01 is exactly right.
    const ResponseApdu channel = send(*card, "0070000001");
    CHECK(channel.sw() == 0x9000);
    CHECK(channel.data().size() == 1);
}

TEST_CASE("T=0: echoed data comes through GET RESPONSE in Le-sized pieces", "[card][t0]") {
    auto card = t0_card();
    REQUIRE(send(*card, select_hex(0x00, kAppletA, 0x00, true)).sw1() == 0x61);
    const ResponseApdu announced = send(*card, "0001000004DEADBEEF00");
    REQUIRE(announced.sw() == 0x6104);
    const ResponseApdu half = send(*card, "00C0000002");
    CHECK(half.data() == from_hex("DEAD"));
    CHECK(half.sw() == 0x6102);
    const ResponseApdu rest = send(*card, "00C0000002");
    CHECK(rest.data() == from_hex("BEEF"));
    CHECK(rest.sw() == 0x9000);
    // 300 bytes through case 2 (INS 02, Le 00 = 256): 256 bytes and 61 2C.
    const ResponseApdu big = send(*card, "0002012C00");
    CHECK(big.data().size() == 256);
    CHECK(big.sw() == 0x612C);
    const ResponseApdu tail = send(*card, "00C000002C");
    CHECK(tail.data().size() == 0x2C);
    CHECK(tail.data().front() == 0x00);  // byte 256 of 0, 1, 2 ... wraps to 00
    CHECK(tail.sw() == 0x9000);
}

TEST_CASE("T=0: the re-send a 6Cxx asks for gets the held answer; the command does not run twice", "[card][t0]") {
    sim::CardOptions options;
    options.t0 = true;
    auto card = sim::make_memory_card(options);
    // The key store's object list comes in parts: each GET DATA 01 01 moves to the next part, so a
    // command run twice would skip a part.
    REQUIRE(sw_of(*card, "00A4040C07A0000005590010") == 0x9000);
    const ResponseApdu first_asked = send(*card, "00CB010000");
    REQUIRE(first_asked.sw1() == 0x6C);
    const ResponseApdu first = send(*card, "00CB0100" + to_hex(bytes{first_asked.sw2()}));
    REQUIRE(first.sw() == 0x6300);  // more parts follow
    REQUIRE(first.data().size() == first_asked.sw2());
    CHECK(first.data()[0] == 0xC1);  // the first part starts with the private keys
    const ResponseApdu next_asked = send(*card, "00CB010100");
    REQUIRE(next_asked.sw1() == 0x6C);
    const ResponseApdu next = send(*card, "00CB0101" + to_hex(bytes{next_asked.sw2()}));
    CHECK(next.data().size() == next_asked.sw2());
    CHECK(next.data() != first.data());
    // Another command in between drops the held answer: the re-send then runs the command anew.
    REQUIRE(sw_of(*card, "00A4040C07A0000005590010") == 0x9000);  // restarts the list
    const ResponseApdu again_asked = send(*card, "00CB010000");
    REQUIRE(again_asked.sw1() == 0x6C);
    REQUIRE(sw_of(*card, "0084000008") == 0x9000);  // GET RANDOM, 8 bytes
    const ResponseApdu rerun = send(*card, "00CB0100" + to_hex(bytes{again_asked.sw2()}));
    CHECK(rerun.sw1() != 0x6C);  // answered by running GET DATA again (the list restarted by SELECT)
}

// Tests of the simulated card's command pipeline (applet-sim/runtime: card.cpp, applet.cpp,
// atr.cpp, response_delivery.cpp, SELECT in channel_commands.cpp) through Card::transmit: ATR,
// SELECT by full/partial name, class and INS checks, lengths, GET RESPONSE, extended length, and a
// property test that no byte string crashes the card or leaves it unusable.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "runtime/atr.hpp"
#include "simulated_card_support.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
bytes cat_byte(bytes b, uint8_t x) {
    b.push_back(x);
    return b;
}

// The protocols an ATR indicates (ISO 7816-3 8.2.2: Yi says which of TA/TB/TC/TD follow; each TDi
// names one), its historical bytes' offset and count.
struct AtrWalk {
    std::vector<int> protocols;
    std::size_t historical = 0;
    std::size_t k = 0;
};
AtrWalk walk_atr(const bytes& atr) {
    AtrWalk out;
    REQUIRE(atr.size() >= 2);
    std::size_t pos = 2;
    out.k = atr[1] & 0x0F;
    uint8_t y = atr[1] >> 4;
    while (true) {
        if (y & 0x1) ++pos;  // TA
        if (y & 0x2) ++pos;  // TB
        if (y & 0x4) ++pos;  // TC
        if (!(y & 0x8)) break;
        REQUIRE(pos < atr.size());
        const uint8_t td = atr[pos++];
        out.protocols.push_back(td & 0x0F);
        y = td >> 4;
    }
    out.historical = pos;
    return out;
}
}  // namespace

TEST_CASE("ATR: TS 3B, exactly the protocol the card follows, K historical bytes, TCK only for T=1", "[card][atr]") {
    // T=1 behaviour: TD1 names T=1 alone, TCK = XOR of T0..last historical byte.
    auto t1_card = sim::make_memory_card();
    const bytes atr = t1_card->atr();
    CHECK(atr[0] == 0x3B);  // direct convention
    const AtrWalk t1 = walk_atr(atr);
    CHECK(t1.protocols == std::vector<int>{1});
    REQUIRE(atr.size() == t1.historical + t1.k + 1);
    uint8_t tck = 0;
    for (std::size_t i = 1; i + 1 < atr.size(); ++i) tck ^= atr[i];
    CHECK(atr.back() == tck);
    CHECK(sim::atr_check_byte_valid(atr));
    CHECK(atr[t1.historical] == 0x80);  // category indicator 80, then COMPACT-TLV objects
    bytes corrupted = atr;
    corrupted[3] ^= 0x01;
    CHECK_FALSE(sim::atr_check_byte_valid(corrupted));
    CHECK_FALSE(sim::atr_check_byte_valid(bytes{0x3B}));

    // T=0 behaviour: no interface bytes at all (T=0 implied, ISO 7816-3 8.2.3), hence no TCK.
    sim::CardOptions options;
    options.t0 = true;
    auto t0_card = sim::make_memory_card(options);
    const bytes atr0 = t0_card->atr();
    const AtrWalk t0 = walk_atr(atr0);
    CHECK(atr0[0] == 0x3B);
    CHECK(t0.protocols.empty());
    CHECK(atr0.size() == t0.historical + t0.k);
    CHECK(bytes(atr0.begin() + static_cast<std::ptrdiff_t>(t0.historical), atr0.end()) ==
          bytes(atr.begin() + static_cast<std::ptrdiff_t>(t1.historical), atr.end() - 1));  // same historical bytes
    CHECK(sim::atr_check_byte_valid(atr0));
    CHECK_FALSE(sim::atr_check_byte_valid(cat_byte(atr0, 0x00)));
}

TEST_CASE("SELECT the ISD by full AID: FCI with 84 = AID, 9000", "[card][select]") {
    auto card = sim::make_memory_card();
    for (const bool with_le : {false, true}) {
        const ResponseApdu r = send(*card, select_hex(0x00, kIsdAid, 0x00, with_le));
        CHECK(r.sw() == 0x9000);
        CHECK(fci_aid(r) == kIsdAid);
    }
    // GlobalPlatform: SELECT by name without data selects the ISD.
    const ResponseApdu r = send(*card, "00A40400");
    CHECK(r.sw() == 0x9000);
    CHECK(fci_aid(r) == kIsdAid);
}

TEST_CASE("SELECT by partial AID: first, next, last, previous occurrence", "[card][select]") {
    auto card = card_with_test_applets();
    const bytes prefix = from_hex("A000000099");
    // P2 b2b1: 00 first, 01 last, 10 next, 11 previous (ISO 7816-4 table 39).
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x00))) == kAppletA);
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x02))) == kAppletB);
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x02))) == kAppletC);
    CHECK(sw_of(*card, select_hex(0x00, prefix, 0x02)) == 0x6A82);  // no further occurrence
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x01))) == kAppletC);
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x03))) == kAppletB);
    CHECK(fci_aid(send(*card, select_hex(0x00, prefix, 0x03))) == kAppletA);
    CHECK(sw_of(*card, select_hex(0x00, prefix, 0x03)) == 0x6A82);  // no earlier occurrence
    // The failed SELECT left A selected.
    CHECK(send(*card, "0003000000").data() == kAppletA);
    // A narrower prefix skips C; "next" from an applet the prefix does not match starts at the first.
    const bytes narrow = from_hex("A00000009901");
    REQUIRE(sw_of(*card, select_hex(0x00, kIsdAid)) == 0x9000);
    CHECK(fci_aid(send(*card, select_hex(0x00, narrow, 0x02))) == kAppletA);
    CHECK(fci_aid(send(*card, select_hex(0x00, narrow, 0x02))) == kAppletB);
    CHECK(sw_of(*card, select_hex(0x00, narrow, 0x02)) == 0x6A82);
    // Full AID of one applet; a prefix of all (ISD installed first).
    CHECK(fci_aid(send(*card, select_hex(0x00, kAppletC))) == kAppletC);
    CHECK(fci_aid(send(*card, select_hex(0x00, from_hex("A0")))) == kIsdAid);
}

TEST_CASE("SELECT: unknown AID 6A82, bad P2 6A86, P2=0C answers no data", "[card][select]") {
    auto card = card_with_test_applets();
    CHECK(sw_of(*card, "00A4040005A0000000FF") == 0x6A82);
    CHECK(sw_of(*card, "00A4040009A00000015100000000") == 0x6A82);  // longer than the ISD's AID
    CHECK(sw_of(*card, "00A4041008A000000151000000") == 0x6A86);
    CHECK(sw_of(*card, "00A4048008A000000151000000") == 0x6A86);
    const ResponseApdu none = send(*card, "00A4040C08A000000151000000");
    CHECK(none.sw() == 0x9000);
    CHECK(none.data().empty());
    // A DF name is at most 16 bytes.
    CHECK(sw_of(*card, to_hex(CommandApdu::case3(0x00, 0xA4, 0x04, 0x00, bytes(17, 0xA0)).encode())) == 0x6700);
}

TEST_CASE("class and instruction checks: 6E00, 6D00, 6882, 6884", "[card][dispatch]") {
    auto card = card_with_test_applets();
    CHECK(sw_of(*card, "20CA006600") == 0x6E00);  // 001x xxxx: reserved class
    CHECK(sw_of(*card, "3FCA006600") == 0x6E00);
    CHECK(sw_of(*card, "FFCA006600") == 0x6E00);
    CHECK(sw_of(*card, "00EE000000") == 0x6D00);  // ISD: no such INS
    // The ISD speaks secure messaging: a wrapped command without a secure channel session is refused.
    CHECK(sw_of(*card, "84CA006600") == 0x6982);
    CHECK(sw_of(*card, "10CA006600") == 0x6884);  // command chaining not supported
    CHECK(sw_of(*card, "90CA006600") == 0x6884);
    CHECK(sw_of(*card, "10A4040008A000000151000000") == 0x6884);  // the runtime's own commands too
    CHECK(sw_of(*card, "1070000001") == 0x6884);
    CHECK(sw_of(*card, "10C0000000") == 0x6884);
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletA)) == 0x9000);
    CHECK(sw_of(*card, "0CCA006600") == 0x6882);  // SM on an applet without secure messaging
    CHECK(sw_of(*card, "84CA006600") == 0x6882);
    CHECK(sw_of(*card, "8003000000") == 0x6E00);  // INS 03 accepts interindustry classes only
    CHECK(send(*card, "0003000000").data() == kAppletA);
    CHECK(sw_of(*card, "0004000000") == 0x6E00);  // INS 04 accepts proprietary classes only
    CHECK(sw_of(*card, "8004000000") == 0x9000);
    CHECK(sw_of(*card, "80EE000000") == 0x6D00);
}

TEST_CASE("malformed lengths answer 6700", "[card][length]") {
    auto card = sim::make_memory_card();
    CHECK(sw_of(*card, "") == 0x6700);
    CHECK(sw_of(*card, "00") == 0x6700);
    CHECK(sw_of(*card, "00A404") == 0x6700);
    CHECK(sw_of(*card, "00A4040008A000") == 0x6700);                  // truncated data
    CHECK(sw_of(*card, "00A4040002A000000151000000") == 0x6700);      // Lc inconsistent with the body
    CHECK(sw_of(*card, "00A404000000") == 0x6700);                    // B1 = 00, L = 6
    CHECK(sw_of(*card, "00A40400000000AA") == 0x6700);                // extended Lc 0
    CHECK(sw_of(*card, "00A40400000009A000000151000000") == 0x6700);  // extended Lc too long
    CHECK(sw_of(*card, "80CA00660100") == 0x6700);                    // GET DATA with a data field
    CHECK(sw_of(*card, select_hex(0x00, kIsdAid)) == 0x9000);        // and the card is fine
}

TEST_CASE("GET RESPONSE: 6985 without pending data, data longer than Ne comes in pieces", "[card][getresponse]") {
    auto card = sim::make_memory_card();
    CHECK(sw_of(*card, "00C0000000") == 0x6985);
    const ResponseApdu whole = send(*card, "80CA00E000");
    REQUIRE(whole.sw() == 0x9000);
    REQUIRE(whole.data().size() > 5);
    const std::size_t rest = whole.data().size() - 5;

    // Ne = 5: five bytes now, 61xx announces the rest (ISO 7816-4 5.1.3).
    const ResponseApdu first = send(*card, "80CA00E005");
    CHECK(first.data() == bytes(whole.data().begin(), whole.data().begin() + 5));
    CHECK(first.sw() == (0x6100 | rest));
    const ResponseApdu second = send(*card, "00C00000" + to_hex(bytes{static_cast<uint8_t>(rest)}));
    CHECK(second.sw() == 0x9000);
    CHECK(second.data() == bytes(whole.data().begin() + 5, whole.data().end()));
    CHECK(sw_of(*card, "00C0000000") == 0x6985);  // fetched: nothing left

    // Smaller GET RESPONSE pieces, each announcing what remains; Le 00 takes the rest.
    REQUIRE(send(*card, "80CA00E005").sw() == (0x6100 | rest));
    const ResponseApdu piece = send(*card, "00C0000002");
    CHECK(piece.data() == bytes(whole.data().begin() + 5, whole.data().begin() + 7));
    CHECK(piece.sw() == (0x6100 | (rest - 2)));
    const ResponseApdu tail = send(*card, "00C0000000");
    CHECK(tail.data() == bytes(whole.data().begin() + 7, whole.data().end()));
    CHECK(tail.sw() == 0x9000);

    // Any other command on the channel abandons the unfetched bytes.
    REQUIRE(send(*card, "80CA00E005").sw() == (0x6100 | rest));
    REQUIRE(sw_of(*card, "80CA006600") == 0x9000);
    CHECK(sw_of(*card, "00C0000000") == 0x6985);
    // GET RESPONSE with P1P2 other than 0000, or with data, is refused.
    REQUIRE(send(*card, "80CA00E005").sw() == (0x6100 | rest));
    CHECK(sw_of(*card, "00C0010000") == 0x6A86);
    REQUIRE(send(*card, "80CA00E005").sw() == (0x6100 | rest));
    CHECK(sw_of(*card, "00C0000001AA") == 0x6700);
}

TEST_CASE("extended length: 1000 bytes echoed, extended Le 0000, short Le chained with 61xx", "[card][extended]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletA)) == 0x9000);
    bytes data(1000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31);
    const bytes echo = card->transmit(CommandApdu::case4(0x00, 0x01, 0x00, 0x00, data, 65536).encode());
    REQUIRE(echo.size() == 1002);
    CHECK(bytes(echo.begin(), echo.end() - 2) == data);
    CHECK(read_u16(echo.data() + 1000) == 0x9000);
    // Wire form spelled out: 00 01 0000 00 03E8 <data> 0000.
    bytes wire = from_hex("00010000" "0003E8");
    wire.insert(wire.end(), data.begin(), data.end());
    wire.push_back(0x00);
    wire.push_back(0x00);
    CHECK(card->transmit(wire) == echo);

    // INS 02 answers P1P2 bytes: 1000 bytes with extended Le 0000 in one piece.
    const ResponseApdu big = send(*card, "000203E8000000");
    CHECK(big.sw() == 0x9000);
    REQUIRE(big.data().size() == 1000);
    for (std::size_t i = 0; i < 1000; ++i) REQUIRE(big.data()[i] == static_cast<uint8_t>(i));

    // The same with short Le 00: 256 bytes and 6100 while 256 or more remain, then 61E8, then 9000.
    ResponseApdu r = send(*card, "000203E800");
    bytes collected = r.data();
    std::vector<uint16_t> sws{r.sw()};
    while ((r.sw() >> 8) == 0x61) {
        r = send(*card, "00C00000" + to_hex(bytes{static_cast<uint8_t>(r.sw() & 0xFF)}));
        collected.insert(collected.end(), r.data().begin(), r.data().end());
        sws.push_back(r.sw());
    }
    CHECK(collected == big.data());
    CHECK(sws == std::vector<uint16_t>{0x6100, 0x6100, 0x61E8, 0x9000});

    // 65535 data bytes, the extended maximum, echoed whole.
    const bytes max_data(65535, 0xA5);
    const bytes max_echo = card->transmit(CommandApdu::case4(0x00, 0x01, 0x00, 0x00, max_data, 65536).encode());
    CHECK(max_echo.size() == 65537);
}

TEST_CASE("power off, power on and reset", "[card][power]") {
    auto card = card_with_test_applets();
    REQUIRE(sw_of(*card, select_hex(0x00, kAppletA)) == 0x9000);
    card->reset();
    CHECK(card->powered());
    CHECK(sw_of(*card, "0003000000") == 0x6D00);  // the ISD is selected again, not A
    CHECK(sw_of(*card, "80CA006600") == 0x9000);
    card->power_off();
    CHECK_FALSE(card->powered());
    CHECK(sw_of(*card, "80CA006600") == 0x9000);  // a command powers the card on
    CHECK(card->powered());
}

namespace {
// Sends `rounds` valid, mutated and random APDUs; every answer must carry a status word.
void hammer(sim::Card* card, unsigned seed, int rounds) {
    std::mt19937 rng(seed);
    std::map<uint16_t, int> seen;  // status words, to show the mutations reach many paths
    const std::vector<bytes> valid = {
        from_hex(select_hex(0x00, kIsdAid)),    from_hex(select_hex(0x01, kAppletA, 0x00, true)),
        from_hex(select_hex(0x4F, from_hex("A000000099"), 0x02)),
        from_hex("80CA006600"),                 from_hex("80CA9F7F00"),
        from_hex("80CA00E005"),                 from_hex("00C0000000"),
        from_hex("0070000001"),                 from_hex("00708001"),
        from_hex("0003000000"),                 from_hex("8004000000"),
        from_hex("0001000005AABBCCDDEE00"),     from_hex("00020010000000"),
        from_hex("00010000000004AABBCCDD0000"), from_hex("0C20000104313233 34"),
    };
    for (int i = 0; i < rounds; ++i) {
        bytes cmd = valid[rng() % valid.size()];
        switch (rng() % 8) {
            case 0: cmd.resize(rng() % (cmd.size() + 1)); break;                                // truncate
            case 1: cmd[rng() % cmd.size()] = static_cast<uint8_t>(rng()); break;                // one byte
            case 2: if (cmd.size() > 4) cmd[4] = static_cast<uint8_t>(rng()); break;             // Lc/Le
            case 3: if (cmd.size() > 6) { cmd[5] = static_cast<uint8_t>(rng()); cmd[6] = static_cast<uint8_t>(rng()); } break;
            case 4: cmd.push_back(static_cast<uint8_t>(rng())); break;                           // extra byte
            case 5: cmd[0] = static_cast<uint8_t>(rng()); break;                                 // any class
            case 6: {                                                                            // random bytes
                cmd.resize(rng() % 24);
                for (auto& b : cmd) b = static_cast<uint8_t>(rng());
                break;
            }
            default: break;  // valid as is
        }
        bytes answer;
        try {
            answer = card->transmit(cmd);
        } catch (...) {
            FAIL("transmit threw for " << to_hex(cmd));
        }
        if (answer.size() < 2) FAIL("answer without status word for " << to_hex(cmd));
        ++seen[read_u16(answer.data() + answer.size() - 2)];
        if (i % 5000 == 0 && rng() % 2 == 0) card->reset();
    }
    for (const uint16_t sw : {0x9000, 0x6700, 0x6A82, 0x6881, 0x6E00, 0x6D00, 0x6985}) {
        INFO("SW " << std::hex << sw);
        CHECK(seen[sw] > rounds / 1000);
    }
    CHECK(seen.size() > 15);
}
}  // namespace

TEST_CASE("property: no byte string crashes the card, which still selects the ISD afterwards", "[card][property]") {
    sim::CardOptions t0;
    t0.t0 = true;
    for (const bool use_t0 : {false, true}) {
        INFO("T=0 " << use_t0);
        auto card = card_with_test_applets(use_t0 ? t0 : sim::CardOptions{});
        hammer(card.get(), use_t0 ? 99u : 4242u, use_t0 ? 50000 : 150000);
        const ResponseApdu r = send(*card, select_hex(0x00, kIsdAid, 0x0C));
        CHECK(r.sw() == 0x9000);
        if (!use_t0) CHECK(fci_aid(send(*card, select_hex(0x00, kIsdAid))) == kIsdAid);
    }
}

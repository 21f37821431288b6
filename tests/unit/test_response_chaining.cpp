// Tests of transmit_complete (hostlib/src/transport/response_chaining.cpp) and the host Card
// handle against a scripted fake transport that replays expected command -> response pairs and
// fails on any command it did not expect: 61xx chains, GET RESPONSE on channels 1 and 5, 6Cxx
// re-send, a card that never stops answering 61xx, malformed commands.
#include <catch2/catch.hpp>
#include <deque>
#include <utility>

#include "simkit/apdu.hpp"
#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/transport.hpp"

using simkit::bytes;
using simkit::from_hex;
using simkit::to_hex;
using simkit::TransportError;

namespace {

class ScriptedTransport : public simkit::Transport {
public:
    // Adds one expected exchange (hex command, hex response).
    ScriptedTransport& expect(const std::string& command, const std::string& response) {
        script_.emplace_back(from_hex(command), from_hex(response));
        return *this;
    }
    // When set, any command not in the script gets this answer (for endless cards).
    void answer_everything_with(const std::string& response) { fallback_ = from_hex(response); }

    bytes transmit(const bytes& command) override {
        ++exchanges_;
        if (script_.empty()) {
            if (!fallback_.empty()) return fallback_;
            FAIL("unexpected command " << to_hex(command) << " after the script ended");
        }
        auto [expected, response] = script_.front();
        script_.pop_front();
        if (command != expected) FAIL("expected command " << to_hex(expected) << ", got " << to_hex(command));
        return response;
    }
    bytes atr() override { return from_hex("3B00"); }
    void reset() override {}
    std::string description() const override { return "scripted"; }

    bool done() const { return script_.empty(); }
    int exchanges() const { return exchanges_; }

private:
    std::deque<std::pair<bytes, bytes>> script_;
    bytes fallback_;
    int exchanges_ = 0;
};

std::string complete(ScriptedTransport& t, const std::string& command) {
    return to_hex(simkit::transmit_complete(t, from_hex(command)));
}

}  // namespace

TEST_CASE("a plain answer passes through with one exchange", "[chaining]") {
    ScriptedTransport t;
    t.expect("80CA006600", "66029000" "9000");
    CHECK(complete(t, "80CA006600") == "660290009000");
    CHECK(t.exchanges() == 1);
    ScriptedTransport err;
    err.expect("00A4040005A0000000FF", "6A82");
    CHECK(complete(err, "00A4040005A0000000FF") == "6A82");
}

TEST_CASE("61xx chains are fetched with GET RESPONSE and concatenated", "[chaining]") {
    ScriptedTransport t;
    t.expect("80CA00E005", "0102030405" "610F")
        .expect("00C000000F", "060708090A0B0C0D0E0F" "6105")
        .expect("00C0000005", "1011121314" "9000");
    CHECK(complete(t, "80CA00E005") == "0102030405060708090A0B0C0D0E0F1011121314" "9000");
    CHECK(t.done());
    // 6100 asks for 256 with Le 00; the final SW may be a warning and is kept.
    ScriptedTransport big;
    big.expect("00B0000000", "AA6100").expect("00C0000000", "BB6282");
    CHECK(complete(big, "00B0000000") == "AABB6282");
    // T=0 style: no data with 61xx.
    ScriptedTransport t0;
    t0.expect("00A4040008A00000015100000000", "611C").expect("00C000001C", "6F1A9000");
    CHECK(complete(t0, "00A4040008A00000015100000000") == "6F1A9000");
    CHECK(t0.done());
}

TEST_CASE("GET RESPONSE goes to the command's logical channel", "[chaining]") {
    // Channel 1: CLA 01; proprietary 81 still gets an interindustry GET RESPONSE on channel 1.
    ScriptedTransport one;
    one.expect("81CA006600", "AA6102").expect("01C0000002", "BBCC9000");
    CHECK(complete(one, "81CA006600") == "AABBCC9000");
    CHECK(one.done());
    // Channel 5: further class 41 (ISO 7816-4 table 3), also from C1 and from GP SM E1.
    for (const char* cla : {"41", "C1", "E1", "61"}) {
        INFO("CLA " << cla);
        ScriptedTransport five;
        five.expect(std::string(cla) + "CA006600", "6101").expect("41C0000001", "DD9000");
        CHECK(complete(five, std::string(cla) + "CA006600") == "DD9000");
        CHECK(five.done());
    }
    // Channel 19.
    ScriptedTransport nineteen;
    nineteen.expect("CFCA006600", "6101").expect("4FC0000001", "EE9000");
    CHECK(complete(nineteen, "CFCA006600") == "EE9000");
}

TEST_CASE("6Cxx: re-sent once with the Le the card asked for", "[chaining]") {
    ScriptedTransport t;
    t.expect("80CA006600", "6C4E").expect("80CA00664E", std::string(156, 'A') + "9000");
    CHECK(complete(t, "80CA006600") == std::string(156, 'A') + "9000");
    CHECK(t.done());
    // 6C00 means 256; a case 1 command gains Le.
    ScriptedTransport t2;
    t2.expect("00B00000", "6C00").expect("00B0000000", "019000");
    CHECK(complete(t2, "00B00000") == "019000");
    // The re-sent command may itself answer 61xx.
    ScriptedTransport t3;
    t3.expect("00B0000001", "6C10").expect("00B0000010", "AA6101").expect("00C0000001", "BB9000");
    CHECK(complete(t3, "00B0000001") == "AABB9000");
    // On channel 2 the re-send keeps the CLA.
    ScriptedTransport t4;
    t4.expect("02B0000001", "6C02").expect("02B0000002", "AABB9000");
    CHECK(complete(t4, "02B0000001") == "AABB9000");
    // A second 6C is returned, not looped on.
    ScriptedTransport t5;
    t5.expect("00B0000001", "6C02").expect("00B0000002", "6C03");
    CHECK(complete(t5, "00B0000001") == "6C03");
}

TEST_CASE("GET RESPONSE answered with 6Cxx is re-sent with that Le", "[chaining]") {
    ScriptedTransport t;
    t.expect("00A4040008A00000015100000000", "6120").expect("00C0000020", "6C1C").expect("00C000001C",
                                                                                             "6F1A9000");
    CHECK(complete(t, "00A4040008A00000015100000000") == "6F1A9000");
    CHECK(t.done());
}

TEST_CASE("a card that answers 61xx forever raises TransportError", "[chaining]") {
    ScriptedTransport t;
    t.answer_everything_with("AA6101");
    CHECK_THROWS_AS(simkit::transmit_complete(t, from_hex("00B0000000")), TransportError);
    CHECK(t.exchanges() > 10);
    CHECK(t.exchanges() < 5000);
}

TEST_CASE("malformed commands: 6C returned as is, no chores on undecodable classes", "[chaining]") {
    ScriptedTransport t;
    t.expect("00B000000000", "6C10");  // B1 = 00, L = 6: cannot be re-sent with another Le
    CHECK(complete(t, "00B000000000") == "6C10");
    CHECK(t.done());
    ScriptedTransport reserved;
    reserved.expect("20CA006600", "6110");  // class 20 is reserved: no GET RESPONSE to send
    CHECK(complete(reserved, "20CA006600") == "6110");
    ScriptedTransport empty;
    empty.expect("", "6110");
    CHECK(complete(empty, "") == "6110");
    ScriptedTransport empty6c;
    empty6c.expect("", "6C10");
    CHECK(complete(empty6c, "") == "6C10");
}

TEST_CASE("answers without a status word raise TransportError", "[chaining]") {
    ScriptedTransport t;
    t.expect("80CA006600", "90");
    CHECK_THROWS_AS(simkit::transmit_complete(t, from_hex("80CA006600")), TransportError);
    ScriptedTransport t2;
    t2.expect("80CA006600", "6101").expect("00C0000001", "");
    CHECK_THROWS_AS(simkit::transmit_complete(t2, from_hex("80CA006600")), TransportError);
}

TEST_CASE("the observer sees every wire exchange", "[chaining]") {
    ScriptedTransport t;
    t.expect("80CA00E005", "01610F").expect("00C000000F", "029000");
    std::vector<std::string> seen;
    simkit::transmit_complete(t, from_hex("80CA00E005"),
                              [&](const bytes& c, const bytes& r) { seen.push_back(to_hex(c) + ">" + to_hex(r)); });
    CHECK(seen == std::vector<std::string>{"80CA00E005>01610F", "00C000000F>029000"});
}

TEST_CASE("host Card: transmit completes, transmit_raw does not, both report to the observer", "[chaining][card]") {
    auto owned = std::make_unique<ScriptedTransport>();
    ScriptedTransport& t = *owned;
    simkit::Card card(std::move(owned));
    CHECK(card.description() == "scripted");
    int observed = 0;
    card.set_observer([&](const bytes&, const bytes&) { ++observed; });

    t.expect("80CA00E005", "01610F").expect("00C000000F", "029000");
    const auto whole = card.transmit(simkit::CommandApdu::case2(0x80, 0xCA, 0x00, 0xE0, 5));
    CHECK(whole.data() == from_hex("0102"));
    CHECK(whole.sw() == 0x9000);
    CHECK(observed == 2);

    t.expect("80CA00E005", "01610F");
    const auto raw = card.transmit_raw(simkit::CommandApdu::case2(0x80, 0xCA, 0x00, 0xE0, 5));
    CHECK(raw.data() == from_hex("01"));
    CHECK(raw.sw() == 0x610F);
    CHECK(observed == 3);

    t.expect("00A404", "6700");
    CHECK(card.transmit_bytes(from_hex("00A404"), false) == from_hex("6700"));
    CHECK(t.done());
    CHECK_THROWS_AS(simkit::Card(nullptr), simkit::ArgumentError);
}

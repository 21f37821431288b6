// vpcd framing and message handling (applet-sim/serve/vpcd_frame.hpp): payloads come out whole
// however the stream is cut; 1-byte messages are controls (only the ATR answered); power off and
// reset end open channels.
#include <catch2/catch.hpp>

#include "serve/vpcd_frame.hpp"
#include "simulated_card.hpp"

using namespace simkit;
using namespace simkit::sim;

namespace {
std::vector<bytes> read_all(vpcd::FrameReader& reader) {
    std::vector<bytes> out;
    while (auto payload = reader.next()) out.push_back(*payload);
    return out;
}
}  // namespace

TEST_CASE("frames come out whole at every cut of the stream", "[vpcd]") {
    const std::vector<bytes> payloads{bytes{0x04}, bytes{}, from_hex("00A4040008A000000151000000"), bytes(300, 0xAB)};
    bytes stream;
    for (const auto& p : payloads) {
        const auto frame = vpcd::encode_frame(p);
        REQUIRE(frame);
        REQUIRE(frame->size() == p.size() + 2);
        stream.insert(stream.end(), frame->begin(), frame->end());
    }
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        vpcd::FrameReader reader;
        reader.feed(stream.data(), cut);
        auto got = read_all(reader);
        reader.feed(stream.data() + cut, stream.size() - cut);
        const auto rest = read_all(reader);
        got.insert(got.end(), rest.begin(), rest.end());
        CHECK(got == payloads);
        CHECK_FALSE(reader.mid_frame());
    }
    vpcd::FrameReader byte_by_byte;
    std::vector<bytes> got;
    for (uint8_t b : stream) {
        byte_by_byte.feed(&b, 1);
        const auto some = read_all(byte_by_byte);
        got.insert(got.end(), some.begin(), some.end());
    }
    CHECK(got == payloads);
}

TEST_CASE("an unfinished frame is reported as such", "[vpcd]") {
    vpcd::FrameReader reader;
    const bytes partial{0x00, 0x10, 0x00, 0xA4};
    reader.feed(partial.data(), partial.size());
    CHECK_FALSE(reader.next());
    CHECK(reader.mid_frame());
    CHECK(reader.buffered() == 4);
}

TEST_CASE("the largest frame is 65535 bytes", "[vpcd]") {
    CHECK(vpcd::encode_frame(bytes(0xFFFF, 0))->size() == 0x10001);
    CHECK_FALSE(vpcd::encode_frame(bytes(0x10000, 0)));
}

TEST_CASE("1-byte messages are controls, longer ones APDUs", "[vpcd]") {
    using K = vpcd::MessageKind;
    CHECK(vpcd::classify(bytes{0}) == K::PowerOff);
    CHECK(vpcd::classify(bytes{1}) == K::PowerOn);
    CHECK(vpcd::classify(bytes{2}) == K::Reset);
    CHECK(vpcd::classify(bytes{4}) == K::GetAtr);
    CHECK(vpcd::classify(bytes{3}) == K::Unknown);
    CHECK(vpcd::classify(bytes{}) == K::Unknown);
    CHECK(vpcd::classify(bytes{0, 0}) == K::Apdu);
}

TEST_CASE("power off and reset end open channels; only the ATR is answered", "[vpcd]") {
    SharedCard card(make_memory_card());
    const bytes atr = card.atr();
    CHECK(vpcd::answer_message(card, bytes{4}) == atr);
    for (const uint8_t control : {uint8_t{0}, uint8_t{2}}) {
        CHECK(vpcd::answer_message(card, bytes{1}) == std::nullopt);
        CHECK(vpcd::answer_message(card, from_hex("0070000001")) == from_hex("019000"));
        CHECK(vpcd::answer_message(card, from_hex("01A4040008A000000151000000"))->back() == 0x00);
        CHECK(vpcd::answer_message(card, bytes{control}) == std::nullopt);
        CHECK(vpcd::answer_message(card, from_hex("01CA006600")) == from_hex("6881"));
    }
    CHECK(vpcd::answer_message(card, bytes{3}) == std::nullopt);
    CHECK(vpcd::answer_message(card, from_hex("80FF0000")) == from_hex("6D00"));
}

// Tests of the host-side AT reply collector and answer parsers against replies as real modems
// send them (27.007 framing, echo, URCs, both +CSIM spacings, bare +CCHO ids, +CME ERROR forms),
// byte by byte and in one piece.
#include <catch2/catch.hpp>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"
// hostlib/src is private to simkit_host; the parser header needs only public headers.
#include "transport/at_response_parser.hpp"

using namespace simkit;
using namespace simkit::at;

namespace {
AtReply collect(const std::string& command, const std::string& prefix, const std::string& wire, bool bytewise) {
    AtReplyCollector collector(command, prefix);
    if (bytewise) {
        for (const char c : wire) collector.feed(std::string_view(&c, 1));
    } else {
        collector.feed(wire);
    }
    REQUIRE(collector.done());
    return collector.reply();
}
}  // namespace

TEST_CASE("echo, blank lines and URCs around a +CSIM answer", "[at]") {
    const std::string command = "AT+CSIM=10,\"80CA00E000\"";
    const std::string wire = command + "\r\r\n+CREG: 1\r\n\r\n+CSIM: 4,\"9000\"\r\n+CREG: 1\r\n\r\nOK\r\n";
    for (const bool bytewise : {false, true}) {
        const AtReply reply = collect(command, "+CSIM", wire, bytewise);
        CHECK(reply.result == AtResult::Ok);
        REQUIRE(reply.information.size() == 1);
        CHECK(reply.unsolicited.size() == 2);
        CHECK(response_from_reply(reply, "+CSIM") == bytes{0x90, 0x00});
    }
}

TEST_CASE("the collector stops at the final result code", "[at]") {
    AtReplyCollector collector("AT", "");
    CHECK_FALSE(collector.feed("\r\nO"));
    CHECK(collector.feed("K\r\n\r\n+CREG: 1\r\n"));
    CHECK(collector.reply().unsolicited.empty());
    CHECK(collector.reply().final_line == "OK");
}

TEST_CASE("+CSIM with and without a space, quoted or not, any hex case", "[at]") {
    CHECK(parse_hex_answer("+CSIM: 4,\"9000\"", "+CSIM") == bytes{0x90, 0x00});
    CHECK(parse_hex_answer("+CSIM:4,\"6a82\"", "+CSIM") == bytes{0x6A, 0x82});
    CHECK(parse_hex_answer("+CSIM: 6,019000", "+CSIM") == bytes{0x01, 0x90, 0x00});
    CHECK(parse_hex_answer("+CGLA: 4 , \"9000\"", "+CGLA") == bytes{0x90, 0x00});
}

TEST_CASE("malformed +CSIM answers are refused with FormatError", "[at]") {
    CHECK_THROWS_AS(parse_hex_answer("+CSIM: 6,\"9000\"", "+CSIM"), FormatError);  // length mismatch
    CHECK_THROWS_AS(parse_hex_answer("+CSIM: 4,\"90G0\"", "+CSIM"), FormatError);
    CHECK_THROWS_AS(parse_hex_answer("+CSIM: 3,\"900\"", "+CSIM"), FormatError);
    CHECK_THROWS_AS(parse_hex_answer("+CSIM: \"9000\"", "+CSIM"), FormatError);
    CHECK_THROWS_AS(parse_hex_answer("+CGLA: 4,\"9000\"", "+CSIM"), FormatError);
    AtReply reply;
    reply.result = AtResult::Ok;
    CHECK_THROWS_AS(response_from_reply(reply, "+CSIM"), FormatError);  // OK without +CSIM
    reply.information = {"+CSIM: 2,\"90\""};
    CHECK_THROWS_AS(response_from_reply(reply, "+CSIM"), FormatError);  // no status word
}

TEST_CASE("+CCHO session ids: prefixed, without space, bare, large", "[at]") {
    CHECK(session_from_reply(collect("AT+CCHO=\"A0\"", "+CCHO", "\r\n+CCHO: 2\r\n\r\nOK\r\n", false)) == 2);
    CHECK(session_from_reply(collect("AT+CCHO=\"A0\"", "+CCHO", "\r\n+CCHO:7\r\n\r\nOK\r\n", false)) == 7);
    CHECK(session_from_reply(collect("AT+CCHO=\"A0\"", "+CCHO", "\r\n100113\r\n\r\nOK\r\n", false)) == 100113);
    CHECK(session_from_reply(collect("AT+CCHO=\"A0\"", "+CCHO", "\r\n+CREG: 1\r\n\r\n4242\r\n\r\nOK\r\n", false)) == 4242);
    AtReply none;
    CHECK_THROWS_AS(session_from_reply(none), FormatError);
}

TEST_CASE("ERROR and +CME ERROR in numeric and verbose form", "[at]") {
    const AtReply error = collect("AT+FOO", "", "AT+FOO\r\r\nERROR\r\n", false);
    CHECK(error.result == AtResult::Error);
    const AtReply numeric = collect("AT+CSIM=2,\"00\"", "+CSIM", "\r\n+CME ERROR: 50\r\n", true);
    CHECK(numeric.result == AtResult::CmeError);
    CHECK(numeric.cme_code == 50);
    const AtReply verbose = collect("AT+CIMI", "", "\r\n+CME ERROR: operation not supported\r\n", false);
    CHECK(verbose.result == AtResult::CmeError);
    CHECK_FALSE(verbose.cme_code);
    CHECK(cme_error_meaning(24) == "text string too long");
}

TEST_CASE("a line longer than the bound is refused, not stored", "[at]") {
    AtReplyCollector collector("AT", "");
    CHECK_THROWS_AS(collector.feed(std::string(kMaxReplyLineLength + 1, '9')), FormatError);
}

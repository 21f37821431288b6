// Tests of the status-word table (status_words.hpp): exact meanings from ISO/IEC 7816-4 5.6 and
// GlobalPlatform, the ranges 61xx, 63Cx, 6Cxx, unknown words, and SwError's message.
#include <catch2/catch.hpp>

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

using simkit::describe_sw;
using simkit::sw_meaning;

TEST_CASE("describe_sw: four upper-case hex digits, a space, the ISO meaning", "[sw]") {
    CHECK(describe_sw(0x6982) == "6982 security status not satisfied");
    CHECK(describe_sw(0x9000) == "9000 success");
    CHECK(describe_sw(0x6A82) == "6A82 file or application not found");
    CHECK(describe_sw(0x6A86) == "6A86 incorrect parameters P1-P2");
    CHECK(describe_sw(0x6A88) == "6A88 referenced data or reference data not found");
    CHECK(describe_sw(0x6700) == "6700 wrong length");
    CHECK(describe_sw(0x6881) == "6881 logical channel not supported");
    CHECK(describe_sw(0x6882) == "6882 secure messaging not supported");
    CHECK(describe_sw(0x6884) == "6884 command chaining not supported");
    CHECK(describe_sw(0x6985) == "6985 conditions of use not satisfied");
    CHECK(describe_sw(0x6D00) == "6D00 instruction code not supported or invalid");
    CHECK(describe_sw(0x6E00) == "6E00 class not supported");
    CHECK(describe_sw(0x6983) == "6983 authentication method blocked");
    CHECK(describe_sw(0x0000).substr(0, 5) == "0000 ");
}

TEST_CASE("the sw:: constants carry the ISO values", "[sw]") {
    namespace sw = simkit::sw;
    CHECK(sw::kSecurityStatusNotSatisfied == 0x6982);
    CHECK(sw::kFileNotFound == 0x6A82);
    CHECK(sw::kIncorrectP1P2 == 0x6A86);
    CHECK(sw::kReferencedDataNotFound == 0x6A88);
    CHECK(sw::kInsNotSupported == 0x6D00);
    CHECK(sw::kClaNotSupported == 0x6E00);
    CHECK(sw::kLogicalChannelNotSupported == 0x6881);
    CHECK(sw::kChainingNotSupported == 0x6884);
    CHECK(sw::kConditionsNotSatisfied == 0x6985);
}

TEST_CASE("61xx: xx more bytes, 00 meaning 256", "[sw]") {
    CHECK(sw_meaning(0x6110) == "16 more response bytes available (GET RESPONSE)");
    CHECK(sw_meaning(0x6101) == "1 more response bytes available (GET RESPONSE)");
    CHECK(sw_meaning(0x6100) == "256 more response bytes available (GET RESPONSE)");
    for (int x = 0; x < 256; ++x) CHECK(simkit::sw_is_success(static_cast<uint16_t>(0x6100 | x)));
}

TEST_CASE("63Cx: x tries left, other 63xx: a warning", "[sw]") {
    CHECK(sw_meaning(0x63C2) == "verification failed, 2 tries left");
    CHECK(sw_meaning(0x63C0) == "verification failed, 0 tries left");
    CHECK(sw_meaning(0x63CF) == "verification failed, 15 tries left");
    CHECK(describe_sw(0x63C1) == "63C1 verification failed, 1 tries left");
    CHECK(sw_meaning(0x6381).find("warning") == 0);
    CHECK_FALSE(simkit::sw_is_success(0x63C3));
}

TEST_CASE("6Cxx: wrong Le, xx available, 00 meaning 256", "[sw]") {
    CHECK(sw_meaning(0x6C10) == "wrong Le field; 16 bytes available");
    CHECK(sw_meaning(0x6C00) == "wrong Le field; 256 bytes available");
    CHECK(describe_sw(0x6CFF) == "6CFF wrong Le field; 255 bytes available");
}

TEST_CASE("unknown status words and families", "[sw]") {
    CHECK(describe_sw(0x1234) == "1234 unknown status word");
    CHECK(describe_sw(0xFFFF) == "FFFF unknown status word");
    CHECK(describe_sw(0x9999) == "9999 unknown status word");
    CHECK(sw_meaning(0x6A99) == "wrong parameters P1-P2");  // unlisted 6Axx: family meaning
    CHECK(sw_meaning(0x6D05) == "instruction code not supported or invalid");
    CHECK(sw_meaning(0x6F42) == "no precise diagnosis");
    CHECK(sw_meaning(0x9140).find("proactive") != std::string::npos);
    CHECK_FALSE(simkit::sw_is_success(0x6A82));
    CHECK(simkit::sw_is_success(0x9000));
    CHECK_FALSE(simkit::sw_is_success(0x9001));
}

TEST_CASE("SwError carries the status word and says it with its meaning", "[sw]") {
    const simkit::SwError plain(0x6982);
    CHECK(plain.sw() == 0x6982);
    CHECK(std::string(plain.what()) == "6982 security status not satisfied");
    const simkit::SwError with_context(0x6A82, "SELECT A0000000871002");
    CHECK(std::string(with_context.what()) == "SELECT A0000000871002: 6A82 file or application not found");
    const simkit::Error& base = with_context;  // one base for every simkit error
    CHECK(std::string(base.what()).find("6A82") != std::string::npos);
}

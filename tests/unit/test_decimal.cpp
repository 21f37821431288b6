// parse_decimal: digits only, bounded length, nothing else accepted.
#include <catch2/catch.hpp>

#include "simkit/core/decimal.hpp"
#include "simkit/errors.hpp"

using simkit::parse_decimal;

TEST_CASE("parse_decimal accepts plain digits up to the digit bound", "[decimal]") {
    CHECK(parse_decimal("0", 1) == 0UL);
    CHECK(parse_decimal("35963", 5) == 35963UL);
    CHECK(parse_decimal("007", 3) == 7UL);
    CHECK(parse_decimal("999999999", 9) == 999999999UL);
    CHECK(parse_decimal("9999999999999999999", 19) == 9999999999999999999UL);
}

TEST_CASE("parse_decimal refuses everything else", "[decimal]") {
    for (const char* text : {"", " 1", "1 ", "+1", "-1", "1a", "0x10", "1.5", "12\n"}) {
        INFO(text);
        CHECK_FALSE(parse_decimal(text, 9));
    }
    CHECK_FALSE(parse_decimal("123456", 5));  // one digit too many
    CHECK_THROWS_AS(parse_decimal("1", 0), simkit::ArgumentError);
    CHECK_THROWS_AS(parse_decimal("1", 20), simkit::ArgumentError);
}

// ICCID, IMSI and Luhn encodings (simkit/core/uicc_codec.hpp). Expected bytes come from the rules of ETSI
// TS 102 221 13.2 (EF.ICCID) and 3GPP TS 31.102 4.2.2 (EF.IMSI), cross-checked with the independent
// encoder of pySim (enc_imsi / enc_iccid in pySim/utils.py: length byte, parity nibble 9/1, swapped
// nibbles, F padding), and from ISO/IEC 7812-1 Luhn examples.
#include <catch2/catch.hpp>

#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"

using namespace simkit;

TEST_CASE("Luhn check digit: published examples", "[uicc][codec]") {
    CHECK(uicc::luhn_check_digit("7992739871") == '3');  // the ISO/IEC 7812 textbook example
    CHECK(uicc::luhn_valid("79927398713"));
    CHECK_FALSE(uicc::luhn_valid("79927398710"));
    CHECK(uicc::luhn_valid("89014103211118510720"));  // a printed ICCID (20 digits, check digit last)
    CHECK(uicc::luhn_check_digit("898821100000000000") == '3');  // simkit's default ICCID
    CHECK(uicc::luhn_check_digit("0") == '0');
    CHECK_FALSE(uicc::luhn_valid("1"));
    CHECK_FALSE(uicc::luhn_valid("12a4"));
    CHECK_THROWS_AS(uicc::luhn_check_digit(""), ArgumentError);
    CHECK_THROWS_AS(uicc::luhn_check_digit("12 3"), ArgumentError);
}

TEST_CASE("ICCID <-> EF.ICCID: swapped BCD, F-padded to 10 bytes", "[uicc][codec]") {
    // pySim enc_iccid: swap_nibbles(rpad(iccid, 20, 'f')).
    CHECK(to_hex(uicc::encode_iccid("8988211000000000003")) == "988812010000000000F3");
    CHECK(to_hex(uicc::encode_iccid("89014103211118510720")) == "98101430121181157002");
    CHECK(to_hex(uicc::encode_iccid("8949000000000000001")) == "989400000000000000F1");
    CHECK(uicc::decode_iccid(from_hex("988812010000000000F3")) == "8988211000000000003");
    CHECK(uicc::decode_iccid(from_hex("98101430121181157002")) == "89014103211118510720");
    CHECK(uicc::decode_iccid(from_hex("98F4FFFFFFFFFFFFFFFF")) == "894");
    CHECK_THROWS_AS(uicc::encode_iccid(""), ArgumentError);
    CHECK_THROWS_AS(uicc::encode_iccid("898821100000000000031"), ArgumentError);  // 21 digits
    CHECK_THROWS_AS(uicc::encode_iccid("89882110000000000X"), ArgumentError);
    CHECK_THROWS_AS(uicc::decode_iccid(from_hex("FFFFFFFFFFFFFFFFFFFF")), FormatError);
    CHECK_THROWS_AS(uicc::decode_iccid(from_hex("9A8812010000000000F3")), FormatError);  // nibble A
}

TEST_CASE("IMSI <-> EF.IMSI (TS 31.102 4.2.2)", "[uicc][codec]") {
    // Odd number of digits: length 08, parity nibble 9 before the first digit.
    CHECK(to_hex(uicc::encode_imsi("001010123456789")) == "080910101032547698");
    CHECK(to_hex(uicc::encode_imsi("262011234567890")) == "082926102143658709");
    CHECK(to_hex(uicc::encode_imsi("310150123456789")) == "083901511032547698");
    // Even number of digits: parity nibble 1, the last byte's high nibble F.
    CHECK(to_hex(uicc::encode_imsi("00101012345678")) == "0801101010325476F8");
    CHECK(to_hex(uicc::encode_imsi("123456")) == "04113254F6FFFFFFFF");
    for (const char* imsi : {"001010123456789", "262011234567890", "00101012345678", "123456", "1234567"}) {
        INFO(imsi);
        const bytes ef = uicc::encode_imsi(imsi);
        CHECK(ef.size() == uicc::kImsiEfSize);
        CHECK(uicc::decode_imsi(ef) == imsi);
    }
    CHECK_THROWS_AS(uicc::encode_imsi("12345"), ArgumentError);             // fewer than 6 digits
    CHECK_THROWS_AS(uicc::encode_imsi("0010101234567890"), ArgumentError);  // 16 digits
    CHECK_THROWS_AS(uicc::encode_imsi("00101a123456789"), ArgumentError);
    CHECK_THROWS_AS(uicc::decode_imsi(from_hex("FFFFFFFFFFFFFFFFFF")), FormatError);  // erased EF
    CHECK_THROWS_AS(uicc::decode_imsi(from_hex("090910101032547698")), FormatError);  // length 9
    CHECK_THROWS_AS(uicc::decode_imsi(from_hex("080A10101032547698")), FormatError);  // not IMSI type
    CHECK_THROWS_AS(uicc::decode_imsi(from_hex("080110101032547698")), FormatError);  // even, no filler
}

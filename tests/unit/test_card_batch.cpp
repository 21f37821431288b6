// The CSV of card data (card_batch.cpp): columns in any order, quoted fields, comments and blank
// lines; every row problem reported with its line number and the row left out; header problems as
// FormatError; error messages that never contain a secret (K, OPc, PIN, PUK).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/card_batch.hpp"
#include "simkit/core/uicc_codec.hpp"

using simkit::personalize::CardBatch;
using simkit::personalize::read_card_batch;
using simkit::personalize::read_card_batch_file;

namespace {

// An ICCID of 19 digits: 18-digit body + its Luhn check digit.
std::string iccid(const std::string& body) { return body + simkit::uicc::luhn_check_digit(body); }

CardBatch read(const std::string& text) {
    std::istringstream in(text);
    return read_card_batch(in);
}

const std::string kKi = "000102030405060708090A0B0C0D0E0F";
const std::string kOpc = "F0E1D2C3B4A5968778695A4B3C2D1E0F";

std::string good_row(const std::string& iccid_digits, const std::string& ki = kKi, const std::string& opc = kOpc) {
    return iccid_digits + ",001010000000001," + ki + "," + opc + "\n";
}

void require_no_secret(const CardBatch& batch, const std::string& secret) {
    for (const auto& error : batch.errors) {
        INFO(error.message);
        CHECK(error.message.find(secret) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("card batch: all columns in another order, quoted fields, comments, blank lines, CRLF", "[batch]") {
    const std::string a = iccid("898821100000000001");
    const std::string b = iccid("89882110000000000");  // 18 digits
    const std::string text = "\xEF\xBB\xBF# personalization batch 42\n"
                             "opc, PIN ,iccid,device_key_slot,imsi,puk,ki\r\n"
                             "\n"
                             "  # a comment after spaces\n" +
                             kOpc + ",1234," + a + ",0x05,001010123456789,12345678," + kKi + "\r\n" +
                             "\"" + kOpc + "\" , \"87654321\" ,  \"" + b + "\"  ,12, \"001010000000002\",," + kKi + "\n" +
                             "   \t\n";
    const CardBatch batch = read(text);
    REQUIRE(batch.errors.empty());
    REQUIRE(batch.cards.size() == 2);

    const auto& first = batch.cards[0];
    CHECK(first.line == 5);
    CHECK(first.iccid == a);
    CHECK(first.imsi == "001010123456789");
    CHECK(simkit::to_hex(first.ki) == kKi);
    CHECK(simkit::to_hex(first.opc) == kOpc);
    CHECK(first.pin == std::optional<std::string>("1234"));
    CHECK(first.puk == std::optional<std::string>("12345678"));
    CHECK(first.device_key_slot == std::optional<uint8_t>(5));

    const auto& second = batch.cards[1];
    CHECK(second.line == 6);
    CHECK(second.iccid == b);
    CHECK(second.imsi == "001010000000002");
    CHECK(second.pin == std::optional<std::string>("87654321"));
    CHECK_FALSE(second.puk.has_value());  // empty optional field: none
    CHECK(second.device_key_slot == std::optional<uint8_t>(12));
}

TEST_CASE("card batch: only the required columns, lower-case hex, 20-digit ICCID", "[batch]") {
    const std::string a = iccid("8988211000000000012");
    const CardBatch batch = read("iccid,imsi,ki,opc\n" + a + ",001010,00112233445566778899aabbccddeeff," + kOpc + "\n");
    REQUIRE(batch.errors.empty());
    REQUIRE(batch.cards.size() == 1);
    CHECK(batch.cards[0].iccid.size() == 20);
    CHECK(simkit::to_hex(batch.cards[0].ki) == "00112233445566778899AABBCCDDEEFF");
    CHECK_FALSE(batch.cards[0].pin.has_value());
    CHECK_FALSE(batch.cards[0].device_key_slot.has_value());
}

TEST_CASE("card batch: each row problem with its line number, the row left out", "[batch]") {
    const std::string good = iccid("898821100000000001");
    std::string bad_luhn = iccid("898821100000000002");
    bad_luhn.back() = static_cast<char>('0' + (bad_luhn.back() - '0' + 1) % 10);

    struct Case {
        std::string row;
        std::string expected;
    };
    const std::string h = "iccid,imsi,ki,opc,pin,puk,device_key_slot\n";
    const std::string id = iccid("898821100000000003");
    const std::vector<Case> cases{
        {bad_luhn + ",001010000000001," + kKi + "," + kOpc + ",,,", "bad check digit"},
        {"89882110000000001,001010000000001," + kKi + "," + kOpc + ",,,", "17 digits, expected 18..20"},
        {"8988211000000000A1,001010000000001," + kKi + "," + kOpc + ",,,", "iccid 8988211000000000A1: not all decimal digits"},
        {",001010000000001," + kKi + "," + kOpc + ",,,", "iccid: empty"},
        {id + ",00101," + kKi + "," + kOpc + ",,,", "imsi 00101: 5 digits, expected 6..15"},
        {id + ",0010100000000012," + kKi + "," + kOpc + ",,,", "16 digits, expected 6..15"},
        {id + ",00101000000000X," + kKi + "," + kOpc + ",,,", "imsi 00101000000000X: not all decimal digits"},
        {id + ",001010000000001," + kKi.substr(2) + "," + kOpc + ",,,", "ki: 30 hex digits, expected 32"},
        {id + ",001010000000001," + kKi + "," + kOpc.substr(0, 31) + "G,,,", "opc: not hex (position 32)"},
        {id + ",001010000000001,," + kOpc + ",,,", "ki: empty"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",123,,", "pin: 3 digits, expected 4..8"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",123456789,,", "pin: 9 digits, expected 4..8"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",12a4,,", "pin: not all decimal digits"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,1234567,", "puk: 7 digits, expected 8"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,,0", "device_key_slot '0': expected 1..255"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,,256", "device_key_slot '256'"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,,0x100", "device_key_slot '0x100'"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,,slot", "device_key_slot 'slot'"},
        {id + ",001010000000001," + kKi + "," + kOpc + ",,", "6 fields, expected 7"},
        {id + ",\"001010000000001," + kKi + "," + kOpc + ",,,", "unterminated quote in field 2"},
        {id + ",\"001010000000001\"x," + kKi + "," + kOpc + ",,,", "text after the closing quote of field 2"},
    };
    for (const auto& c : cases) {
        INFO(c.row);
        // line 1 header, line 2 a good row, line 3 the bad one, line 4 a good row
        const CardBatch batch = read(h + good + ",001010000000001," + kKi + "," + kOpc + ",,,\n" + c.row + "\n" +
                                     iccid("898821100000000004") + ",001010000000004," + kKi + "," + kOpc + ",,,\n");
        REQUIRE(batch.errors.size() == 1);
        CHECK(batch.errors[0].line == 3);
        INFO(batch.errors[0].message);
        CHECK(batch.errors[0].message.rfind("line 3: ", 0) == 0);
        CHECK(batch.errors[0].message.find(c.expected) != std::string::npos);
        REQUIRE(batch.cards.size() == 2);
        CHECK(batch.cards[0].line == 2);
        CHECK(batch.cards[1].line == 4);
    }
}

TEST_CASE("card batch: several problems of one row in one message; a duplicate ICCID names the first line", "[batch]") {
    const std::string a = iccid("898821100000000001");
    const std::string b = iccid("898821100000000002");
    const CardBatch batch = read("iccid,imsi,ki,opc,pin\n" + a + ",001010000000001," + kKi + "," + kOpc + ",1234\n" +
                                 b + ",001010000000002," + kKi + "," + kOpc + ",1234\n" +
                                 "# comment lines count\n" + a + ",001010000000003," + kKi + "," + kOpc + ",1234\n" +
                                 b + ",1," + kKi.substr(1) + "," + kOpc + ",12\n");
    REQUIRE(batch.cards.size() == 2);
    REQUIRE(batch.errors.size() == 2);
    CHECK(batch.errors[0].line == 5);
    CHECK(batch.errors[0].message == "line 5: iccid " + a + ": duplicate of line 2");
    CHECK(batch.errors[1].line == 6);
    CHECK(batch.errors[1].message == "line 6: imsi 1: 1 digits, expected 6..15; ki: 31 hex digits, expected 32 (16 bytes); "
                                     "pin: 2 digits, expected 4..8; iccid " + b + ": duplicate of line 3");
}

TEST_CASE("card batch: no usable header is a FormatError", "[batch]") {
    using simkit::FormatError;
    CHECK_THROWS_AS(read(""), FormatError);
    CHECK_THROWS_AS(read("# only a comment\n\n"), FormatError);
    CHECK_THROWS_WITH(read("iccid,imsi,ki\n"), Catch::Contains("line 1: required column 'opc' is missing"));
    CHECK_THROWS_WITH(read("# c\niccid,imsi,opc,pin\n"), Catch::Contains("line 2: required column 'ki' is missing"));
    CHECK_THROWS_WITH(read("iccid,imsi,ki,opc,pim\n"), Catch::Contains("line 1: unknown column 'pim'"));
    CHECK_THROWS_WITH(read("iccid,imsi,ki,opc,ki\n"), Catch::Contains("column 'ki' appears twice"));
    CHECK_THROWS_WITH(read("iccid,\"imsi,ki,opc\n"), Catch::Contains("header: unterminated quote"));
    CHECK_THROWS_WITH(read_card_batch_file("/nonexistent/batch.csv"), Catch::Contains("/nonexistent/batch.csv"));
}

TEST_CASE("card batch: error messages never contain K, OPc, PIN or PUK text", "[batch]") {
    const std::string ki31 = "A1B2C3D4E5F60718293A4B5C6D7E8F9";      // 31 digits
    const std::string opc_bad = "A1B2C3D4E5F60718293A4B5C6D7E8FZ0";   // a non-hex character
    const std::string ki_long = "A1B2C3D4E5F60718293A4B5C6D7E8F9012";  // 34 digits
    const std::string h = "iccid,imsi,ki,opc,pin,puk\n";
    const std::string id1 = iccid("898821100000000001");
    const std::string id2 = iccid("898821100000000002");
    const std::string id3 = iccid("898821100000000003");
    const CardBatch batch = read(h + id1 + ",001010000000001," + ki31 + "," + opc_bad + ",98765x,1234567z\n" +
                                 id2 + ",001010000000001," + ki_long + "," + kOpc + ",135792468,24681357\n" +
                                 id3 + ",001010000000001,\"" + ki31 + "\"x," + kOpc + ",,\n");
    REQUIRE(batch.errors.size() == 3);
    CHECK(batch.cards.empty());
    for (const auto& secret : {ki31, opc_bad, ki_long, kOpc, std::string("98765"), std::string("1234567"),
                               std::string("135792468"), ki31.substr(0, 8), opc_bad.substr(20)}) {
        require_no_secret(batch, secret);
    }
}

TEST_CASE("card batch: read from a file", "[batch]") {
    const std::string path = "/tmp/simkit-batch-" + std::to_string(::getpid()) + ".csv";
    {
        std::ofstream out(path);
        out << "iccid,imsi,ki,opc\n" << good_row(iccid("898821100000000001"));
    }
    const CardBatch batch = read_card_batch_file(path);
    std::remove(path.c_str());
    REQUIRE(batch.cards.size() == 1);
    CHECK(batch.cards[0].line == 2);
}

// Tests of APDU trace masking (apdu_trace.hpp): PINs (VERIFY, CHANGE/RESET REFERENCE DATA,
// ENABLE/DISABLE verification requirement, in every class and channel, GSM class A0 included) and
// GlobalPlatform PUT KEY data never appear; other commands are traced in the clear.
#include <catch2/catch.hpp>
#include <string>

#include "simkit/core/apdu_trace.hpp"

using simkit::bytes;
using simkit::command_carries_secret;
using simkit::from_hex;
using simkit::trace_command;
using simkit::trace_response;

namespace {
std::string stars(std::size_t bytes_count) { return std::string(2 * bytes_count, '*'); }
}  // namespace

TEST_CASE("VERIFY PIN data is masked, header and Lc stay", "[trace]") {
    // TS 102 221 VERIFY PIN: 00 20 00 01 08 + PIN "1234" padded with FF.
    const bytes verify = from_hex("002000010831323334FFFFFFFF");
    CHECK(command_carries_secret(verify));
    const std::string line = trace_command(verify);
    CHECK(line == "0020000108" + stars(8));
    CHECK(line.find("31323334") == std::string::npos);
    // The same on other channels and classes.
    CHECK(trace_command(from_hex("012000010831323334FFFFFFFF")) == "0120000108" + stars(8));
    CHECK(trace_command(from_hex("4A2000010831323334FFFFFFFF")) == "4A20000108" + stars(8));
    CHECK(trace_command(from_hex("802000010831323334FFFFFFFF")) == "8020000108" + stars(8));
    CHECK(trace_command(from_hex("0C2000010831323334FFFFFFFF")) == "0C20000108" + stars(8));
    // Extended length: header and the three length bytes stay.
    CHECK(trace_command(from_hex("00200001000008 31323334FFFFFFFF")) == "00200001000008" + stars(8));
}

TEST_CASE("CHANGE PIN, UNBLOCK PIN, ENABLE/DISABLE PIN are masked", "[trace]") {
    // TS 102 221: CHANGE PIN 24, UNBLOCK PIN 2C (PUK + new PIN), DISABLE PIN 26, ENABLE PIN 28.
    CHECK(trace_command(from_hex("002400011031323334FFFFFFFF35363738FFFFFFFF")) == "0024000110" + stars(16));
    CHECK(trace_command(from_hex("002C0001103132333435363738FFFFFFFFFFFFFFFF")) == "002C000110" + stars(16));
    CHECK(trace_command(from_hex("002600010831323334FFFFFFFF")) == "0026000108" + stars(8));
    CHECK(trace_command(from_hex("002800010831323334FFFFFFFF")) == "0028000108" + stars(8));
    // GSM 11.11 class A0: VERIFY CHV, CHANGE CHV, DISABLE/ENABLE CHV, UNBLOCK CHV.
    CHECK(trace_command(from_hex("A020000108" "31323334FFFFFFFF")) == "A020000108" + stars(8));
    CHECK(trace_command(from_hex("A024000110" "31323334FFFFFFFF35363738FFFFFFFF")) == "A024000110" + stars(16));
    CHECK(trace_command(from_hex("A026000108" "31323334FFFFFFFF")) == "A026000108" + stars(8));
    CHECK(trace_command(from_hex("A028000108" "31323334FFFFFFFF")) == "A028000108" + stars(8));
    CHECK(trace_command(from_hex("A02C000010" "3132333435363738FFFFFFFFFFFFFFFF")) == "A02C000010" + stars(16));
}

TEST_CASE("GlobalPlatform PUT KEY data is masked", "[trace]") {
    // PUT KEY (GP 11.8): 80/84 D8 KVN key-id Lc <new KVN, key data blocks>.
    const bytes put_key = from_hex("84D83081 17 30 88 10 00112233445566778899AABBCCDDEEFF 03 A1B2C3 00");
    CHECK(command_carries_secret(put_key));
    const std::string line = trace_command(put_key);
    CHECK(line == "84D8308117" + stars(put_key.size() - 5));
    CHECK(line.find("00112233") == std::string::npos);
    CHECK(trace_command(from_hex("80D8000103AABBCC")) == "80D8000103" + stars(3));
    CHECK(trace_command(from_hex("E1D8000103AABBCC")) == "E1D8000103" + stars(3));  // channel 5, SM
}

TEST_CASE("other commands are traced in the clear", "[trace]") {
    const char* clear[] = {
        "00A4040008A000000151000000",        // SELECT ISD
        "00A4040008A00000015100000000",      // SELECT with Le
        "80CA006600",                        // GET DATA
        "00C0000010",                        // GET RESPONSE
        "0070000001",                        // MANAGE CHANNEL
        "8050000008 0102030405060708 00",    // INITIALIZE UPDATE (host challenge, not a secret)
        "00B0000010",                        // READ BINARY
        "00D6000004DEADBEEF",                // UPDATE BINARY
        "00200001",                          // VERIFY without data: retry counter query
        "0020000100",                        // VERIFY case 2
        "00D8000103AABBCC",                  // D8 in the interindustry class is not PUT KEY
    };
    for (const char* hex : clear) {
        INFO(hex);
        const bytes command = from_hex(hex);
        CHECK_FALSE(command_carries_secret(command));
        CHECK(trace_command(command) == simkit::to_hex(command));
    }
    CHECK(trace_command(bytes{}) == "");
    CHECK(trace_command(from_hex("00")) == "00");
}

TEST_CASE("trace_response: data, then the SW with its meaning", "[trace]") {
    CHECK(trace_response(from_hex("9000")) == "9000 success");
    CHECK(trace_response(from_hex("01029000")) == "0102 9000 success");
    CHECK(trace_response(from_hex("6A82")) == "6A82 file or application not found");
    CHECK(trace_response(from_hex("90")) == "90 (no status word)");
    CHECK(trace_response(bytes{}) == " (no status word)");
}

// Key URIs (simkit/key_uri.hpp, specs/provider.md): the attributes, percent-decoding of a card URI
// holding ';', the defaults, and the refusals (no slot, unknown attribute, a PIN in the URI).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "simkit/errors.hpp"
#include "simkit/key_uri.hpp"
#include "state_test_support.hpp"

using simkit::KeyUri;
using simkit::test::TempDir;

TEST_CASE("key URI: slot and a card URI with spaces, options and an encoded ';'", "[key_uri]") {
    const KeyUri key = KeyUri::parse("simkit:slot=0x0A;card=pcsc:Virtual PCD 00 00?wait=5&mode=exclusive");
    CHECK(key.slot == 10);
    REQUIRE(key.card);
    CHECK(*key.card == "pcsc:Virtual PCD 00 00?wait=5&mode=exclusive");
    CHECK_FALSE(key.pin_file);
    CHECK(KeyUri::parse("SIMKIT:card=sim:/tmp/a%3Bb%25c.state;slot=1").card == std::string("sim:/tmp/a;b%c.state"));
    CHECK_FALSE(KeyUri::parse("simkit:slot=255").card);  // $SIMKIT_CARD then
    CHECK(KeyUri::has_scheme("simKit:slot=1"));
    CHECK_FALSE(KeyUri::has_scheme("file:key.pem"));
}

TEST_CASE("key URI: refusals name the problem, and a PIN is never taken from the URI", "[key_uri]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(KeyUri::parse("simkit:card=sim:a.state"), Contains("slot=N is required"));
    CHECK_THROWS_WITH(KeyUri::parse("simkit:slot=256"), Contains("not a key ID 0..255"));
    CHECK_THROWS_WITH(KeyUri::parse("simkit:slot=1;colour=red"), Contains("unknown attribute 'colour'"));
    CHECK_THROWS_WITH(KeyUri::parse("simkit:slot=1;card"), Contains("is not NAME=VALUE"));
    CHECK_THROWS_WITH(KeyUri::parse("simkit:slot=1;card=sim:a%4"), Contains("two hex digits"));
    CHECK_THROWS_WITH(KeyUri::parse("pkcs11:slot=1"), Contains("must start with simkit:"));
    try {
        KeyUri::parse("simkit:slot=1;pin=1234");
        FAIL("pin= accepted");
    } catch (const simkit::FormatError& e) {
        CHECK(std::string(e.what()).find("1234") == std::string::npos);  // not echoed
        CHECK_THAT(e.what(), Contains("pin-file"));
    }
    CHECK_THROWS_AS(KeyUri::parse("simkit:slot=1;pin-file=a;pin-env=B"), simkit::FormatError);
}

TEST_CASE("key URI: the PIN from a file or the environment, 4 to 8 digits", "[key_uri]") {
    TempDir dir;
    const std::string path = dir.file("pin");
    std::ofstream(path) << "1234\n";
    const auto from_file = KeyUri::parse("simkit:slot=1;pin-file=" + path).read_pin();
    REQUIRE(from_file);
    CHECK(std::string(from_file->begin(), from_file->end()) == "1234");
    ::setenv("SIMKIT_TEST_KEY_URI_PIN", "87654321", 1);
    const auto from_env = KeyUri::parse("simkit:slot=1;pin-env=SIMKIT_TEST_KEY_URI_PIN").read_pin();
    REQUIRE(from_env);
    CHECK(std::string(from_env->begin(), from_env->end()) == "87654321");
    ::setenv("SIMKIT_TEST_KEY_URI_PIN", "12a4", 1);
    CHECK_THROWS_AS(KeyUri::parse("simkit:slot=1;pin-env=SIMKIT_TEST_KEY_URI_PIN").read_pin(), simkit::ArgumentError);
    ::unsetenv("SIMKIT_TEST_KEY_URI_PIN");
    CHECK_THROWS_AS(KeyUri::parse("simkit:slot=1;pin-env=SIMKIT_TEST_KEY_URI_PIN").read_pin(), simkit::ArgumentError);
    CHECK_THROWS_AS(KeyUri::parse("simkit:slot=1;pin-file=" + dir.file("absent")).read_pin(), simkit::ArgumentError);
    CHECK_FALSE(KeyUri::parse("simkit:slot=1").read_pin());
}

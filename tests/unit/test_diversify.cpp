// Tests of card key diversification (diversify.hpp): GlobalPlatformPro's published EMV, VISA2 and KDF3
// answers and pySim's AES KCVs, read from tests/vectors/diversify.vec by one driver, plus the
// scheme names and the argument checks.
#include <catch2/catch.hpp>
#include <string>

#include "simkit/diversify.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::DiversificationScheme;
using simkit::secure_bytes;
using simkit::to_hex;
using simkit::to_secure;
using Catch::Matchers::Contains;

namespace {

void check_diversify_vector(const simkit::test::Vector& v) {
    const DiversificationScheme scheme = simkit::parse_diversification_scheme(v.text("scheme"));
    const simkit::scp::StaticKeys keys = simkit::diversify_keys(scheme, to_secure(v.hex("master")), v.hex("kdd"));
    const struct {
        const char* name;
        const secure_bytes& key;
    } parts[] = {{"enc", keys.enc}, {"mac", keys.mac}, {"dek", keys.dek}};
    bool checked = false;
    for (const auto& part : parts) {
        INFO(part.name);
        CHECK(part.key.size() == v.hex("master").size());
        if (v.has(part.name)) {
            CHECK(to_hex(part.key) == to_hex(v.hex(part.name)));
            checked = true;
        }
        const std::string kcv = std::string("kcv_") + part.name;
        if (v.has(kcv)) {
            CHECK(to_hex(simkit::key_check_value(scheme, part.key)) == to_hex(v.hex(kcv)));
            checked = true;
        }
    }
    CHECK(checked);  // a vector line that checks nothing is a typo
}

}  // namespace

TEST_CASE("diversification and KCVs match GlobalPlatformPro and pySim", "[diversify]") {
    const auto vectors = simkit::test::read_vectors("diversify.vec");
    for (const auto& v : vectors) {
        INFO(v.where());
        if (v.kind == "diversify") {
            check_diversify_vector(v);
        } else if (v.kind == "kcv-aes") {
            CHECK(to_hex(simkit::scp::kcv_aes(to_secure(v.hex("key")))) == to_hex(v.hex("out")));
            CHECK(to_hex(simkit::key_check_value(DiversificationScheme::Kdf3, to_secure(v.hex("key")))) ==
                  to_hex(v.hex("out")));
        } else {
            FAIL(v.where() << ": unknown vector kind '" << v.kind << "'");
        }
    }
}

TEST_CASE("the three keys differ and each scheme gives its own keys", "[diversify]") {
    const secure_bytes master = simkit::secure_from_hex("404142434445464748494A4B4C4D4E4F");
    const bytes kdd = simkit::from_hex("00010203040506070809");
    const auto emv = simkit::diversify_keys(DiversificationScheme::Emv, master, kdd);
    const auto visa2 = simkit::diversify_keys(DiversificationScheme::Visa2, master, kdd);
    const auto kdf3 = simkit::diversify_keys(DiversificationScheme::Kdf3, master, kdd);
    for (const auto* keys : {&emv, &visa2, &kdf3}) {
        CHECK(keys->enc != keys->mac);
        CHECK(keys->mac != keys->dek);
        CHECK(keys->enc != keys->dek);
    }
    CHECK(emv.enc != visa2.enc);
    CHECK(emv.enc != kdf3.enc);
    // EMV reads KDD bytes 4..9 only, VISA2 bytes 0..1 and 4..7: a change in byte 2 moves neither,
    // a change in byte 8 moves EMV only.
    bytes kdd2 = kdd;
    kdd2[2] ^= 0xFF;
    CHECK(simkit::diversify_keys(DiversificationScheme::Emv, master, kdd2).enc == emv.enc);
    CHECK(simkit::diversify_keys(DiversificationScheme::Visa2, master, kdd2).enc == visa2.enc);
    CHECK(simkit::diversify_keys(DiversificationScheme::Kdf3, master, kdd2).enc != kdf3.enc);
    bytes kdd8 = kdd;
    kdd8[8] ^= 0xFF;
    CHECK(simkit::diversify_keys(DiversificationScheme::Emv, master, kdd8).enc != emv.enc);
    CHECK(simkit::diversify_keys(DiversificationScheme::Visa2, master, kdd8).enc == visa2.enc);
}

TEST_CASE("scheme names parse case-insensitively and print back", "[diversify]") {
    CHECK(simkit::parse_diversification_scheme("emv") == DiversificationScheme::Emv);
    CHECK(simkit::parse_diversification_scheme("VISA2") == DiversificationScheme::Visa2);
    CHECK(simkit::parse_diversification_scheme("Kdf3") == DiversificationScheme::Kdf3);
    for (const auto scheme : {DiversificationScheme::Emv, DiversificationScheme::Visa2, DiversificationScheme::Kdf3}) {
        CHECK(simkit::parse_diversification_scheme(simkit::to_string(scheme)) == scheme);
    }
    for (const std::string bad : {"", "visa", "emv2", "kdf", "scp03"}) {
        INFO("'" << bad << "'");
        CHECK_THROWS_MATCHES(simkit::parse_diversification_scheme(bad), ArgumentError,
                             Catch::Matchers::Message("diversification scheme must be emv, visa2 or kdf3, not '" + bad +
                                                      "'"));
    }
}

TEST_CASE("a KDD that is not 10 bytes raises ArgumentError naming KDD and its length", "[diversify]") {
    const secure_bytes master(16, 0x40);
    for (const std::size_t bad : {0u, 8u, 9u, 11u, 16u}) {
        INFO("KDD of " << bad << " bytes");
        for (const auto scheme : {DiversificationScheme::Emv, DiversificationScheme::Visa2, DiversificationScheme::Kdf3}) {
            CHECK_THROWS_MATCHES(simkit::diversify_keys(scheme, master, bytes(bad, 0x01)), ArgumentError,
                                 Catch::Matchers::Message("KDD (key diversification data) must be 10 bytes, not " +
                                                          std::to_string(bad)));
        }
    }
}

TEST_CASE("a master of the wrong length raises ArgumentError naming the lengths allowed", "[diversify]") {
    const bytes kdd(10, 0x01);
    for (const std::size_t bad : {0u, 8u, 15u, 17u, 24u, 32u}) {
        INFO("master of " << bad << " bytes");
        CHECK_THROWS_MATCHES(simkit::diversify_keys(DiversificationScheme::Emv, secure_bytes(bad, 0x40), kdd),
                             ArgumentError,
                             Catch::Matchers::Message("emv master key must be 16 bytes (2-key 3DES), not " +
                                                      std::to_string(bad)));
        CHECK_THROWS_WITH(simkit::diversify_keys(DiversificationScheme::Visa2, secure_bytes(bad, 0x40), kdd),
                          Contains("visa2 master key") && Contains("16 bytes") && Contains(std::to_string(bad)));
    }
    for (const std::size_t bad : {0u, 8u, 15u, 17u, 20u, 31u, 33u, 48u}) {
        INFO("master of " << bad << " bytes");
        CHECK_THROWS_MATCHES(simkit::diversify_keys(DiversificationScheme::Kdf3, secure_bytes(bad, 0x40), kdd),
                             ArgumentError,
                             Catch::Matchers::Message("kdf3 master key must be 16, 24 or 32 bytes (AES), not " +
                                                      std::to_string(bad)));
    }
    // When both are wrong, the KDD is named (it is checked first).
    CHECK_THROWS_WITH(simkit::diversify_keys(DiversificationScheme::Emv, secure_bytes(8, 0x40), bytes(9, 0x01)),
                      Contains("KDD"));
}

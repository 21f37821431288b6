// Tests of the OpenSSL EVP wrappers (crypto.hpp) against published known answers read from
// tests/vectors/{aes,aes_cmac,sha256}.vec by one driver, plus properties of random_bytes and the
// argument checks.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::from_hex;
using simkit::secure_bytes;
using simkit::to_hex;
using simkit::to_secure;
using simkit::secure_from_hex;
using simkit::to_bytes;
namespace crypto = simkit::crypto;

namespace {

// Computes what a vector line names and returns it; the caller compares with out=.
bytes run_vector(const simkit::test::Vector& v) {
    using crypto::Direction;
    if (v.kind == "aes-ecb") return crypto::aes_ecb(Direction::Encrypt, to_secure(v.hex("key")), v.hex("in"));
    if (v.kind == "aes-cbc") return crypto::aes_cbc(Direction::Encrypt, to_secure(v.hex("key")), v.hex("iv"), v.hex("in"));
    if (v.kind == "cmac") return crypto::aes_cmac(to_secure(v.hex("key")), v.hex("in"));
    if (v.kind == "sha256") {
        bytes message;
        if (v.has("ascii")) {
            const std::string& text = v.text("ascii");
            const long repeat = v.has("repeat") ? std::stol(v.text("repeat")) : 1;
            message.reserve(text.size() * static_cast<std::size_t>(repeat));
            for (long i = 0; i < repeat; ++i) message.insert(message.end(), text.begin(), text.end());
        } else {
            message = v.hex("in");
        }
        return crypto::sha256(message);
    }
    FAIL(v.where() << ": unknown vector kind '" << v.kind << "'");
    return {};
}

void check_file(const std::string& name) {
    const auto vectors = simkit::test::read_vectors(name);
    for (const auto& v : vectors) {
        INFO(v.where());
        CHECK(to_hex(run_vector(v)) == to_hex(v.hex("out")));
        // Ciphers run backwards too: the ciphertext decrypts to the plaintext.
        if (v.kind == "aes-ecb") {
            CHECK(crypto::aes_ecb(crypto::Direction::Decrypt, to_secure(v.hex("key")), v.hex("out")) == v.hex("in"));
        } else if (v.kind == "aes-cbc") {
            CHECK(crypto::aes_cbc(crypto::Direction::Decrypt, to_secure(v.hex("key")), v.hex("iv"), v.hex("out")) ==
                  v.hex("in"));
        }
    }
}

}  // namespace

TEST_CASE("AES-ECB and AES-CBC match NIST SP 800-38A", "[crypto]") { check_file("aes.vec"); }

TEST_CASE("AES-CMAC matches RFC 4493 and NIST SP 800-38B", "[crypto]") { check_file("aes_cmac.vec"); }

TEST_CASE("SHA-256 matches FIPS 180-2", "[crypto]") { check_file("sha256.vec"); }

TEST_CASE("CBC chains blocks: each block equals ECB of (plaintext XOR previous ciphertext)", "[crypto]") {
    // A property that ties the two modes together, independent of any stored answer.
    const secure_bytes key = simkit::secure_from_hex("000102030405060708090A0B0C0D0E0F");
    const bytes iv = crypto::random_bytes(16);
    const bytes plain = crypto::random_bytes(64);
    const bytes cbc = crypto::aes_cbc(crypto::Direction::Encrypt, key, iv, plain);
    REQUIRE(cbc.size() == plain.size());
    bytes previous = iv;
    for (std::size_t block = 0; block < 4; ++block) {
        bytes x(16);
        for (std::size_t i = 0; i < 16; ++i) x[i] = plain[block * 16 + i] ^ previous[i];
        const bytes expected = crypto::aes_ecb(crypto::Direction::Encrypt, key, x);
        const bytes got(cbc.begin() + static_cast<long>(block * 16), cbc.begin() + static_cast<long>(block * 16 + 16));
        CHECK(got == expected);
        previous = got;
    }
}

TEST_CASE("AES of empty input is empty", "[crypto]") {
    const secure_bytes key(16, 0x11);
    CHECK(crypto::aes_ecb(crypto::Direction::Encrypt, key, {}).empty());
    CHECK(crypto::aes_cbc(crypto::Direction::Decrypt, key, bytes(16, 0), bytes{}).empty());
}

TEST_CASE("the secure_bytes overloads give the same bytes as the plain ones", "[crypto]") {
    const secure_bytes aes_key(16, 0x11), des_key = secure_from_hex("0123456789ABCDEFFEDCBA9876543210");
    const bytes data = crypto::random_bytes(32), iv16(16, 0x07), iv8(8, 0x05);
    using crypto::Direction;
    CHECK(to_bytes(crypto::aes_cbc(Direction::Encrypt, aes_key, iv16, to_secure(data))) ==
          crypto::aes_cbc(Direction::Encrypt, aes_key, iv16, data));
    CHECK(to_bytes(crypto::des3_ecb(Direction::Decrypt, des_key, to_secure(data))) ==
          crypto::des3_ecb(Direction::Decrypt, des_key, data));
    CHECK(to_bytes(crypto::des3_cbc(Direction::Encrypt, des_key, iv8, to_secure(data))) ==
          crypto::des3_cbc(Direction::Encrypt, des_key, iv8, data));
}

TEST_CASE("random_bytes gives the length asked for and does not repeat", "[crypto]") {
    CHECK(crypto::random_bytes(0).empty());
    for (const std::size_t n : {1u, 8u, 16u, 33u, 4096u}) CHECK(crypto::random_bytes(n).size() == n);
    // 1000 draws of 16 bytes: a repeat would mean a broken generator (chance 2^-108).
    std::set<bytes> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(crypto::random_bytes(16));
    CHECK(seen.size() == 1000);
    // Not constant: 4096 bytes use most byte values.
    const bytes big = crypto::random_bytes(4096);
    CHECK(std::set<uint8_t>(big.begin(), big.end()).size() > 200);
}

TEST_CASE("bad key, IV and input lengths raise ArgumentError naming the length", "[crypto]") {
    using Catch::Matchers::Contains;
    const bytes block(16, 0);
    for (const std::size_t bad : {0u, 8u, 15u, 17u, 20u, 31u, 33u, 64u}) {
        INFO("key of " << bad << " bytes");
        const secure_bytes key(bad, 0x01);
        CHECK_THROWS_MATCHES(crypto::aes_ecb(crypto::Direction::Encrypt, key, block), ArgumentError,
                             Catch::Matchers::Message("AES key must be 16, 24 or 32 bytes, not " + std::to_string(bad)));
        CHECK_THROWS_AS(crypto::aes_cbc(crypto::Direction::Encrypt, key, bytes(16, 0), block), ArgumentError);
        CHECK_THROWS_WITH(crypto::aes_cmac(key, block), Contains("16, 24 or 32") && Contains(std::to_string(bad)));
    }
    const secure_bytes key(16, 0x01);
    CHECK_THROWS_WITH(crypto::aes_ecb(crypto::Direction::Encrypt, key, bytes(15, 0)), Contains("15 bytes"));
    CHECK_THROWS_WITH(crypto::aes_cbc(crypto::Direction::Encrypt, key, bytes(16, 0), bytes(17, 0)), Contains("17 bytes"));
    CHECK_THROWS_WITH(crypto::aes_cbc(crypto::Direction::Encrypt, key, bytes(8, 0), block), Contains("iv") && Contains("8"));
}

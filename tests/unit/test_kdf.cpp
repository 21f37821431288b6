// Key derivation against published vectors: HKDF-SHA256 (RFC 5869 Appendix A, extract and
// extract+expand) and the TLS 1.2 PRF (tests/vectors/tls12_prf_sha256.vec).
#include <catch2/catch.hpp>
#include <string>

#include "simkit/errors.hpp"
#include "simkit/core/kdf.hpp"
#include "vector_file.hpp"

using namespace simkit;

TEST_CASE("HKDF-SHA256 matches RFC 5869 A.1-A.3", "[kdf]") {
    for (const auto& v : simkit::test::read_vectors("hkdf_sha256.vec")) {
        INFO(v.where());
        const auto length = static_cast<std::size_t>(std::stoul(v.text("length")));
        CHECK(to_hex(crypto::hkdf_sha256(to_secure(v.hex("ikm")), v.hex("salt"), v.hex("info"), length)) ==
              to_hex(v.hex("okm")));
        CHECK(to_hex(crypto::hkdf_sha256_extract(to_secure(v.hex("ikm")), v.hex("salt"))) == to_hex(v.hex("prk")));
    }
    const secure_bytes ikm(22, 0x0b);
    CHECK(crypto::hkdf_sha256(ikm, {}, {}, 8160).size() == 8160);
    CHECK_THROWS_AS(crypto::hkdf_sha256(ikm, {}, {}, 0), ArgumentError);
    CHECK_THROWS_AS(crypto::hkdf_sha256(ikm, {}, {}, 8161), ArgumentError);
}

TEST_CASE("TLS 1.2 PRF (SHA-256) matches the published vector; shorter outputs are prefixes", "[kdf]") {
    for (const auto& v : simkit::test::read_vectors("tls12_prf_sha256.vec")) {
        INFO(v.where());
        const bytes out = v.hex("out");
        CHECK(to_hex(crypto::tls12_prf_sha256(to_secure(v.hex("secret")), v.hex("label"), v.hex("seed"), out.size())) ==
              to_hex(out));
        // The label may travel inside the seed (the key store's D2 carries label || seed).
        bytes label_and_seed = v.hex("label");
        const bytes seed = v.hex("seed");
        label_and_seed.insert(label_and_seed.end(), seed.begin(), seed.end());
        CHECK(to_hex(crypto::tls12_prf_sha256(to_secure(v.hex("secret")), {}, label_and_seed, 48)) ==
              to_hex(bytes(out.begin(), out.begin() + 48)));
    }
    CHECK_THROWS_AS(crypto::tls12_prf_sha256(secure_bytes(16, 1), from_hex("00"), {}, 0), ArgumentError);
    CHECK_THROWS_AS(crypto::tls12_prf_sha256(secure_bytes{}, from_hex("00"), {}, 16), ArgumentError);
    CHECK_THROWS_AS(crypto::tls12_prf_sha256(secure_bytes(16, 1), {}, {}, 16), ArgumentError);
}

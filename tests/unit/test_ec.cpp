// Tests of the P-256 / HKDF / AES-GCM layer (ec.hpp) against published answers read from
// tests/vectors/{hkdf_sha256,aes256_gcm,p256}.vec (RFC 5869, the GCM spec, RFC 6979, NIST CAVS ECC
// CDH), OpenSSL's own ECDSA-Sig-Value encoder, and the `openssl` command line for the key formats.
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "simkit/crypto.hpp"
#include "simkit/core/aes_gcm.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::CryptoError;
using simkit::FormatError;
using simkit::from_hex;
using simkit::secure_bytes;
using simkit::to_bytes;
using simkit::to_hex;
using simkit::to_secure;
namespace crypto = simkit::crypto;

namespace {

bytes concat(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
bytes point(const bytes& x, const bytes& y) { return concat(concat({0x04}, x), y); }
bytes ascii(const std::string& text) { return bytes(text.begin(), text.end()); }

// The group order n of P-256 (FIPS 186-4 D.1.2.3).
const char* const kOrder = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

// The RFC 6979 A.2.5 key pair.
struct Rfc6979Key {
    secure_bytes d = simkit::secure_from_hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
    bytes q = point(from_hex("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"),
                    from_hex("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"));
};

// ECDSA-Sig-Value DER as OpenSSL's own encoder writes it (ECDSA_SIG + i2d_ECDSA_SIG).
bytes openssl_der(const bytes& raw) {
    ECDSA_SIG* sig = ECDSA_SIG_new();
    REQUIRE(sig != nullptr);
    BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
    REQUIRE(ECDSA_SIG_set0(sig, r, s) == 1);
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    REQUIRE(length > 0);
    bytes out(der, der + length);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

// A private temporary directory, removed with everything in it.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "simkit-ec-test.XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

void write_file(const std::string& path, const bytes& data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}
bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
int run(const std::string& command) {
    INFO(command);
    return std::system((command + " 2>/dev/null").c_str());
}

}  // namespace

TEST_CASE("AES-256-GCM matches the GCM spec test cases 13-16", "[ec]") {
    for (const auto& v : simkit::test::read_vectors("aes256_gcm.vec")) {
        INFO(v.where());
        const secure_bytes key = to_secure(v.hex("key"));
        const bytes sealed = concat(v.hex("ct"), v.hex("tag"));
        CHECK(to_hex(crypto::aes256_gcm_encrypt(key, v.hex("iv"), v.hex("aad"), to_secure(v.hex("pt")))) ==
              to_hex(sealed));
        CHECK(to_hex(crypto::aes256_gcm_decrypt(key, v.hex("iv"), v.hex("aad"), sealed)) == to_hex(v.hex("pt")));
    }
}

TEST_CASE("AES-256-GCM refuses tampered data, a wrong key, nonce or aad", "[ec]") {
    const secure_bytes key = to_secure(crypto::random_bytes(32));
    const bytes nonce = crypto::random_bytes(12);
    const bytes aad = ascii("key slot 3");
    const secure_bytes plain = to_secure(ascii("a private scalar, say"));
    const bytes sealed = crypto::aes256_gcm_encrypt(key, nonce, aad, plain);
    REQUIRE(sealed.size() == plain.size() + 16);
    CHECK(crypto::aes256_gcm_decrypt(key, nonce, aad, sealed) == plain);

    for (std::size_t i : {std::size_t{0}, plain.size() - 1, plain.size(), sealed.size() - 1}) {  // body and tag
        bytes tampered = sealed;
        tampered[i] ^= 0x01;
        INFO("byte " << i);
        CHECK_THROWS_WITH(crypto::aes256_gcm_decrypt(key, nonce, aad, tampered), "AES-GCM tag does not verify");
        CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, nonce, aad, tampered), CryptoError);
    }
    secure_bytes other_key = key;
    other_key[31] ^= 0x80;
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(other_key, nonce, aad, sealed), CryptoError);
    bytes other_nonce = nonce;
    other_nonce[0] ^= 0x01;
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, other_nonce, aad, sealed), CryptoError);
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, nonce, ascii("key slot 4"), sealed), CryptoError);
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, nonce, {}, sealed), CryptoError);
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, nonce, aad, bytes(sealed.begin(), sealed.end() - 1)), CryptoError);

    // Empty plaintext: the tag alone, still authenticated.
    const bytes tag_only = crypto::aes256_gcm_encrypt(key, nonce, aad, {});
    CHECK(tag_only.size() == 16);
    CHECK(crypto::aes256_gcm_decrypt(key, nonce, aad, tag_only).empty());

    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, nonce, aad, bytes(15)), FormatError);
    CHECK_THROWS_AS(crypto::aes256_gcm_encrypt(secure_bytes(16), nonce, aad, plain), ArgumentError);
    CHECK_THROWS_AS(crypto::aes256_gcm_encrypt(key, bytes(16), aad, plain), ArgumentError);
    CHECK_THROWS_AS(crypto::aes256_gcm_decrypt(key, bytes(8), aad, sealed), ArgumentError);
}

TEST_CASE("P-256 public points of RFC 6979 and NIST CAVS private keys", "[ec]") {
    for (const auto& v : simkit::test::read_vectors("p256.vec")) {
        if (v.kind != "keypair" && v.kind != "ecdh") continue;
        INFO(v.where());
        const bytes q = point(v.hex("qx"), v.hex("qy"));
        CHECK(to_hex(crypto::p256_public_from_private(to_secure(v.hex("d")))) == to_hex(q));
        CHECK(crypto::p256_point_is_valid(q));
    }
    // Scalars outside [1, n-1] and of the wrong size are refused.
    bytes n_minus_1 = from_hex(kOrder);
    n_minus_1[31] -= 1;
    CHECK(crypto::p256_point_is_valid(crypto::p256_public_from_private(to_secure(n_minus_1))));
    CHECK_THROWS_AS(crypto::p256_public_from_private(secure_bytes(32)), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_public_from_private(to_secure(from_hex(kOrder))), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_public_from_private(secure_bytes(32, 0xFF)), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_public_from_private(secure_bytes(31, 0x01)), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_public_from_private(secure_bytes(33, 0x01)), ArgumentError);
}

TEST_CASE("P-256 key generation gives a scalar and its public point", "[ec]") {
    const auto a = crypto::p256_generate();
    const auto b = crypto::p256_generate();
    REQUIRE(a.private_scalar.size() == 32);
    REQUIRE(a.public_point.size() == 65);
    CHECK(a.public_point[0] == 0x04);
    CHECK(crypto::p256_point_is_valid(a.public_point));
    CHECK(crypto::p256_public_from_private(a.private_scalar) == a.public_point);
    CHECK(a.private_scalar != b.private_scalar);
    CHECK(a.public_point != b.public_point);
}

TEST_CASE("Points that are not on P-256 are invalid", "[ec]") {
    const Rfc6979Key key;
    REQUIRE(crypto::p256_point_is_valid(key.q));
    bytes off_curve = key.q;
    off_curve[64] ^= 0x01;
    CHECK_FALSE(crypto::p256_point_is_valid(off_curve));
    bytes compressed(key.q.begin(), key.q.begin() + 33);  // valid compressed form, but not uncompressed
    compressed[0] = static_cast<uint8_t>(0x02 | (key.q[64] & 1));
    CHECK_FALSE(crypto::p256_point_is_valid(compressed));
    bytes hybrid = key.q;
    hybrid[0] = 0x06;
    CHECK_FALSE(crypto::p256_point_is_valid(hybrid));
    CHECK_FALSE(crypto::p256_point_is_valid(point(bytes(32), bytes(32))));
    CHECK_FALSE(crypto::p256_point_is_valid(bytes{0x00}));
    CHECK_FALSE(crypto::p256_point_is_valid({}));
    CHECK_FALSE(crypto::p256_point_is_valid(bytes(key.q.begin(), key.q.end() - 1)));
    CHECK_FALSE(crypto::p256_point_is_valid(concat(key.q, {0x00})));
    // x beyond the field prime p.
    CHECK_FALSE(crypto::p256_point_is_valid(point(bytes(32, 0xFF), bytes(key.q.begin() + 33, key.q.end()))));
}

TEST_CASE("RFC 6979 signatures verify; altered ones do not", "[ec]") {
    for (const auto& v : simkit::test::read_vectors("p256.vec")) {
        if (v.kind != "ecdsa") continue;
        INFO(v.where());
        const bytes q = point(v.hex("qx"), v.hex("qy"));
        const bytes digest = crypto::sha256(ascii(v.text("ascii")));
        const bytes raw = concat(v.hex("r"), v.hex("s"));
        CHECK(crypto::p256_verify_digest(q, digest, raw));
        for (std::size_t bit : {0, 7, 255, 256, 300, 511}) {
            bytes flipped = raw;
            flipped[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
            INFO("bit " << bit);
            CHECK_FALSE(crypto::p256_verify_digest(q, digest, flipped));
        }
        bytes other_digest = digest;
        other_digest[0] ^= 0x01;
        CHECK_FALSE(crypto::p256_verify_digest(q, other_digest, raw));
        CHECK_FALSE(crypto::p256_verify_digest(crypto::p256_generate().public_point, digest, raw));
        // r = 0, s = 0 and values >= n are wrong signatures, not errors.
        CHECK_FALSE(crypto::p256_verify_digest(q, digest, bytes(64)));
        CHECK_FALSE(crypto::p256_verify_digest(q, digest, concat(from_hex(kOrder), v.hex("s"))));
        CHECK_FALSE(crypto::p256_verify_digest(q, digest, bytes(64, 0xFF)));
    }
}

TEST_CASE("P-256 signatures of the card verify", "[ec]") {
    const Rfc6979Key key;
    const bytes message = ascii("sample");
    const bytes digest = crypto::sha256(message);
    const bytes a = crypto::p256_sign_digest(key.d, digest);
    const bytes b = crypto::p256_sign_message(key.d, message);
    REQUIRE(a.size() == 64);
    REQUIRE(b.size() == 64);
    CHECK(a != b);  // randomized k
    CHECK(crypto::p256_verify_digest(key.q, digest, a));
    CHECK(crypto::p256_verify_digest(key.q, digest, b));
    CHECK_FALSE(crypto::p256_verify_digest(key.q, crypto::sha256(ascii("test")), a));

    const auto pair = crypto::p256_generate();
    for (int i = 0; i < 16; ++i) {
        const bytes m = crypto::random_bytes(static_cast<std::size_t>(i) * 7);
        CHECK(crypto::p256_verify_digest(pair.public_point, crypto::sha256(m), crypto::p256_sign_message(pair.private_scalar, m)));
    }

    CHECK_THROWS_AS(crypto::p256_sign_digest(key.d, bytes(31)), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_sign_digest(secure_bytes(32), digest), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_verify_digest(key.q, bytes(33), a), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_verify_digest(key.q, digest, bytes(63)), ArgumentError);
    bytes off_curve = key.q;
    off_curve[64] ^= 0x01;
    CHECK_THROWS_AS(crypto::p256_verify_digest(off_curve, digest, a), ArgumentError);
}

TEST_CASE("ECDSA raw r||s to DER is minimal and matches OpenSSL's encoder", "[ec]") {
    const bytes r6979 = from_hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
    const bytes s6979 = from_hex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
    // Both top bits set: 00 prepended to each.
    CHECK(to_hex(crypto::ecdsa_raw_to_der(concat(r6979, s6979))) ==
          to_hex(concat(concat(from_hex("3046022100"), r6979), concat(from_hex("022100"), s6979))));

    bytes small(32);  // 00 .. 00 01
    small[31] = 0x01;
    bytes high(32);  // 80 00 .. 00
    high[0] = 0x80;
    bytes zero_then_high(32, 0x11);  // 00 FF 11 .. 11: a leading zero byte and, after it, the top bit set
    zero_then_high[0] = 0x00;
    zero_then_high[1] = 0xFF;
    bytes zeros_then_low(32, 0x22);  // 00 00 00 7F 22 ..
    zeros_then_low[0] = zeros_then_low[1] = zeros_then_low[2] = 0x00;
    zeros_then_low[3] = 0x7F;
    CHECK(to_hex(crypto::ecdsa_raw_to_der(concat(small, high))) ==
          to_hex(concat(from_hex("3026020101022100"), high)));
    CHECK(to_hex(crypto::ecdsa_raw_to_der(concat(zero_then_high, zeros_then_low))) ==
          to_hex(concat(concat(from_hex("3041022000"), bytes(zero_then_high.begin() + 1, zero_then_high.end())),
                        concat(from_hex("021D"), bytes(zeros_then_low.begin() + 3, zeros_then_low.end())))));
    CHECK(to_hex(crypto::ecdsa_raw_to_der(bytes(64))) == "3006020100020100");

    const bytes cases[] = {concat(r6979, s6979), concat(small, high),   concat(high, small),
                           concat(zero_then_high, zeros_then_low),      concat(zeros_then_low, zero_then_high),
                           bytes(64), bytes(64, 0xFF),                  concat(bytes(32), small)};
    for (const bytes& raw : cases) {
        INFO(to_hex(raw));
        const bytes der = crypto::ecdsa_raw_to_der(raw);
        CHECK(to_hex(der) == to_hex(openssl_der(raw)));
        CHECK(crypto::ecdsa_der_to_raw(der) == raw);
    }
    for (int i = 0; i < 64; ++i) {
        bytes raw = crypto::random_bytes(64);
        raw[0] &= static_cast<uint8_t>(0xFF >> (i % 9));  // leading zero bits and bytes of every length
        raw[32] &= static_cast<uint8_t>(0xFF >> (i % 5));
        if (i % 3 == 0) raw[1] = 0x00;
        CHECK(to_hex(crypto::ecdsa_raw_to_der(raw)) == to_hex(openssl_der(raw)));
        CHECK(crypto::ecdsa_der_to_raw(crypto::ecdsa_raw_to_der(raw)) == raw);
    }
    CHECK_THROWS_AS(crypto::ecdsa_raw_to_der(bytes(63)), ArgumentError);
    CHECK_THROWS_AS(crypto::ecdsa_raw_to_der(bytes(65)), ArgumentError);
}

TEST_CASE("ECDSA DER parser takes non-minimal DER and refuses malformed DER", "[ec]") {
    // RFC 6979 "test": r has its top bit set, s starts with 01.
    const bytes r = from_hex("F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367");
    const bytes s = from_hex("019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083");
    const bytes raw = concat(r, s);
    const bytes minimal = concat(concat(from_hex("3045022100"), r), concat(from_hex("0220"), s));
    CHECK(crypto::ecdsa_raw_to_der(raw) == minimal);
    CHECK(crypto::ecdsa_der_to_raw(minimal) == raw);
    // Surplus leading zeros (INTEGER 02 21 00 01 ..., 02 23 00 00 00 F1 ...), long-form lengths.
    CHECK(crypto::ecdsa_der_to_raw(concat(concat(from_hex("3046022100"), r), concat(from_hex("022100"), s))) == raw);
    CHECK(crypto::ecdsa_der_to_raw(concat(concat(from_hex("30470223000000"), r), concat(from_hex("0220"), s))) == raw);
    CHECK(crypto::ecdsa_der_to_raw(concat(concat(from_hex("308145022100"), r), concat(from_hex("0220"), s))) == raw);
    CHECK(crypto::ecdsa_der_to_raw(concat(concat(from_hex("3082004602812100"), r), concat(from_hex("0220"), s))) == raw);
    CHECK(crypto::ecdsa_der_to_raw(from_hex("3006020100020100")) == bytes(64));
    CHECK(crypto::ecdsa_der_to_raw(from_hex("300A02030000010203000002")) ==
          concat(concat(bytes(31), {0x01}), concat(bytes(31), {0x02})));

    const bytes malformed[] = {
        {},                                                                  // nothing
        from_hex("30"),                                                      // no length
        from_hex("3000"),                                                    // empty SEQUENCE
        concat(from_hex("3145022100"), bytes(minimal.begin() + 5, minimal.end())),  // SET, not SEQUENCE
        bytes(minimal.begin(), minimal.end() - 1),                           // truncated
        concat(minimal, {0x00}),                                             // a byte after the SEQUENCE
        concat(concat(from_hex("3047022100"), r), concat(concat(from_hex("0220"), s), from_hex("0500"))),  // a third element
        concat(concat(from_hex("3023022100"), r), {}),                       // s missing
        concat(concat(from_hex("3045032100"), r), concat(from_hex("0220"), s)),  // r is a BIT STRING
        from_hex("3006020180020101"),                                        // r negative
        from_hex("30050200020101"),                                          // r empty
        concat(concat(from_hex("30450221"), concat({0x01}, r)), concat(from_hex("0220"), s)),  // r has 33 significant bytes
        from_hex("3080020101020101 0000"),                                   // indefinite length
        concat(concat(from_hex("30830000450221"), concat({0x00}, r)), concat(from_hex("0220"), s)),  // 3-byte length
        from_hex("3006020101020301"),                                        // s overruns the SEQUENCE
        from_hex("3007020101020201"),                                        // SEQUENCE longer than the data
    };
    for (const bytes& der : malformed) {
        INFO(to_hex(der));
        CHECK_THROWS_AS(crypto::ecdsa_der_to_raw(der), FormatError);
    }
}

TEST_CASE("ECDH matches NIST CAVS and both sides agree", "[ec]") {
    for (const auto& v : simkit::test::read_vectors("p256.vec")) {
        if (v.kind != "ecdh") continue;
        INFO(v.where());
        const secure_bytes z = crypto::p256_ecdh(to_secure(v.hex("d")), point(v.hex("peer_x"), v.hex("peer_y")));
        CHECK(to_hex(z) == to_hex(v.hex("z")));
    }
    const auto a = crypto::p256_generate();
    const auto b = crypto::p256_generate();
    const secure_bytes ab = crypto::p256_ecdh(a.private_scalar, b.public_point);
    CHECK(ab.size() == 32);
    CHECK(ab == crypto::p256_ecdh(b.private_scalar, a.public_point));
    CHECK(ab != crypto::p256_ecdh(a.private_scalar, crypto::p256_generate().public_point));

    bytes off_curve = b.public_point;
    off_curve[64] ^= 0x01;
    CHECK_THROWS_AS(crypto::p256_ecdh(a.private_scalar, off_curve), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_ecdh(a.private_scalar, point(bytes(32), bytes(32))), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_ecdh(a.private_scalar, bytes(b.public_point.begin(), b.public_point.begin() + 33)),
                    ArgumentError);
    CHECK_THROWS_AS(crypto::p256_ecdh(a.private_scalar, bytes{0x00}), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_ecdh(secure_bytes(32), b.public_point), ArgumentError);
}

TEST_CASE("Public keys as SubjectPublicKeyInfo DER and PEM round-trip", "[ec]") {
    const Rfc6979Key key;
    // RFC 5480: SEQUENCE { SEQUENCE { id-ecPublicKey, secp256r1 }, BIT STRING 00 || point }.
    const bytes der = crypto::public_key_to_der(key.q);
    CHECK(to_hex(der) == to_hex(concat(from_hex("3059301306072A8648CE3D020106082A8648CE3D030107034200"), key.q)));
    CHECK(crypto::public_point_from_pem_or_der(der) == key.q);

    const std::string pem = crypto::public_key_to_pem(key.q);
    CHECK(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
    CHECK(pem.find("-----END PUBLIC KEY-----") != std::string::npos);
    CHECK(crypto::public_point_from_pem_or_der(ascii(pem)) == key.q);
    CHECK(crypto::public_point_from_pem_or_der(ascii("\n  " + pem)) == key.q);
    const auto pair = crypto::p256_generate();
    CHECK(crypto::public_point_from_pem_or_der(ascii(crypto::public_key_to_pem(pair.public_point))) == pair.public_point);

    bytes off_curve = key.q;
    off_curve[64] ^= 0x01;
    CHECK_THROWS_AS(crypto::public_key_to_der(off_curve), ArgumentError);
    CHECK_THROWS_AS(crypto::public_key_to_pem(off_curve), ArgumentError);
    CHECK_THROWS_AS(crypto::p256_public_key(off_curve), ArgumentError);
    CHECK(crypto::p256_public_key(key.q) != nullptr);

    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der({}), FormatError);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(ascii("hello")), FormatError);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(bytes(der.begin(), der.end() - 1)), FormatError);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(concat(der, {0x00})), FormatError);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(concat(bytes(der.begin(), der.end() - 65), off_curve)),
                    FormatError);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(ascii("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")),
                    FormatError);
    // RFC 8410 section 10.1: an Ed25519 public key, well formed but not P-256.
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(ascii("-----BEGIN PUBLIC KEY-----\n"
                                                               "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                                                               "-----END PUBLIC KEY-----\n")),
                    FormatError);
}

TEST_CASE("The openssl command line reads our keys, and we read its", "[ec]") {
    REQUIRE(run("openssl version >/dev/null") == 0);  // the openssl CLI is part of the test environment
    const TempDir dir;
    const Rfc6979Key key;

    // Our PEM parses in the CLI, and the DER it writes from it is ours.
    write_file(dir.file("ours.pem"), ascii(crypto::public_key_to_pem(key.q)));
    CHECK(run("openssl pkey -pubin -in " + dir.file("ours.pem") + " -noout") == 0);
    REQUIRE(run("openssl pkey -pubin -in " + dir.file("ours.pem") + " -outform DER -out " + dir.file("ours.der")) == 0);
    CHECK(to_hex(read_file(dir.file("ours.der"))) == to_hex(crypto::public_key_to_der(key.q)));

    // A key the CLI generates: its public key as PEM, DER, and DER with a compressed point.
    REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + dir.file("k.pem")) == 0);
    REQUIRE(run("openssl pkey -in " + dir.file("k.pem") + " -pubout -out " + dir.file("pub.pem")) == 0);
    REQUIRE(run("openssl pkey -in " + dir.file("k.pem") + " -pubout -outform DER -out " + dir.file("pub.der")) == 0);
    REQUIRE(run("openssl pkey -in " + dir.file("k.pem") + " -pubout -outform DER -ec_conv_form compressed -out " +
                dir.file("pubc.der")) == 0);
    const bytes from_pem = crypto::public_point_from_pem_or_der(read_file(dir.file("pub.pem")));
    CHECK(crypto::p256_point_is_valid(from_pem));
    CHECK(crypto::public_point_from_pem_or_der(read_file(dir.file("pub.der"))) == from_pem);
    CHECK(read_file(dir.file("pubc.der")).size() == 59);
    CHECK(crypto::public_point_from_pem_or_der(read_file(dir.file("pubc.der"))) == from_pem);
    CHECK(crypto::public_key_to_der(from_pem) == read_file(dir.file("pub.der")));

    // A P-384 key is a well-formed SubjectPublicKeyInfo of the wrong curve.
    REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out " + dir.file("k384.pem")) == 0);
    REQUIRE(run("openssl pkey -in " + dir.file("k384.pem") + " -pubout -out " + dir.file("pub384.pem")) == 0);
    CHECK_THROWS_AS(crypto::public_point_from_pem_or_der(read_file(dir.file("pub384.pem"))), FormatError);
}

// Tests of MILENAGE (milenage.hpp) and the AKA messages on it (aka.hpp): every test set of
// tests/vectors/milenage_ts35208.vec (3GPP TS 35.208 / 35.207, with the TS 55.205 SRES/Kc) in both
// forms (OP given -> OPc derived, OPc given), AUTN and AUTS round trips and their MAC checks, the
// length checks, and the r/c constants.
#include <array>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "simkit/aka.hpp"
#include "simkit/errors.hpp"
#include "simkit/milenage.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::from_hex;
using simkit::secure_bytes;
using simkit::to_bytes;
using simkit::to_hex;
using simkit::to_secure;
namespace milenage = simkit::milenage;
namespace aka = simkit::aka;

namespace {

const std::vector<simkit::test::Vector>& vectors() {
    static const auto all = simkit::test::read_vectors("milenage_ts35208.vec");
    return all;
}

const simkit::test::Vector& test_set(const std::string& name) {
    for (const auto& v : vectors()) {
        if (v.text("set") == name) return v;
    }
    throw std::runtime_error("no test set " + name);
}

secure_bytes secure(const simkit::test::Vector& v, const std::string& field) { return to_secure(v.hex(field)); }

// Every output of one vector line from a Milenage built with `opc`.
void check_outputs(const simkit::test::Vector& v, const secure_bytes& opc) {
    const milenage::Milenage m(secure(v, "k"), opc);
    const milenage::MacPair macs = m.f1(v.hex("rand"), v.hex("sqn"), v.hex("amf"));
    CHECK(to_hex(macs.mac_a) == to_hex(v.hex("f1")));
    CHECK(to_hex(macs.mac_s) == to_hex(v.hex("f1star")));
    const milenage::Vectors out = m.f2345(v.hex("rand"));
    CHECK(to_hex(out.res) == to_hex(v.hex("f2")));
    CHECK(to_hex(out.ck) == to_hex(v.hex("f3")));
    CHECK(to_hex(out.ik) == to_hex(v.hex("f4")));
    CHECK(to_hex(out.ak) == to_hex(v.hex("f5")));
    CHECK(to_hex(m.f5_star(v.hex("rand"))) == to_hex(v.hex("f5star")));
    if (v.has("sres")) CHECK(to_hex(milenage::sres_from_res(out.res)) == to_hex(v.hex("sres")));
    if (v.has("kc")) CHECK(to_hex(milenage::kc_from_ck_ik(out.ck, out.ik)) == to_hex(v.hex("kc")));
}

const secure_bytes& key() {
    static const secure_bytes k = simkit::secure_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc");
    return k;
}
const secure_bytes& opc() {
    static const secure_bytes o = simkit::secure_from_hex("cd63cb71954a9f4e48a5994e37a02baf");
    return o;
}
const bytes kRand = from_hex("23553cbe9637a89d218ae64dae47bf35");
const bytes kSqn = from_hex("ff9bb4d0b607");
const bytes kAmf = from_hex("b9b9");

}  // namespace

TEST_CASE("MILENAGE: every TS 35.208 test set with OPc given", "[milenage]") {
    REQUIRE(vectors().size() >= 20);
    for (const auto& v : vectors()) {
        INFO(v.where() << " set " << v.text("set"));
        check_outputs(v, secure(v, "opc"));
    }
}

TEST_CASE("MILENAGE: every TS 35.208 test set with OP given (OPc derived)", "[milenage]") {
    for (const auto& v : vectors()) {
        INFO(v.where() << " set " << v.text("set"));
        const secure_bytes derived = milenage::opc_from_op(secure(v, "k"), secure(v, "op"));
        CHECK(to_hex(derived) == to_hex(v.hex("opc")));
        check_outputs(v, derived);
    }
}

TEST_CASE("MILENAGE: GSM conversions c2 and c3 as TS 33.102 6.8.1.2 defines them", "[milenage]") {
    // Test set 1's SRES (46f8416a) and Kc (eae4be823af9a08b) are in the vector file; here the shapes.
    CHECK(to_hex(milenage::sres_from_res(from_hex("a54211d5e3ba50bf"))) == "46F8416A");
    CHECK(to_hex(milenage::sres_from_res(from_hex("01020304"))) == "01020304");  // 4-byte RES: itself
    CHECK(to_hex(milenage::sres_from_res(from_hex("0102030405"))) == "04020304");  // zero-padded words
    CHECK_THROWS_AS(milenage::sres_from_res(from_hex("010203")), ArgumentError);
    CHECK_THROWS_AS(milenage::sres_from_res(bytes(17, 0)), ArgumentError);
    CHECK_THROWS_AS(milenage::kc_from_ck_ik(secure_bytes(15), secure_bytes(16)), ArgumentError);
    CHECK_THROWS_AS(milenage::kc_from_ck_ik(secure_bytes(16), secure_bytes(8)), ArgumentError);
}

TEST_CASE("MILENAGE: one object serves many calls and inputs", "[milenage]") {
    // The reused EVP context keeps no state between blocks: the same answers in any order.
    const auto& set1 = test_set("1");
    const auto& set3 = test_set("3");
    const milenage::Milenage m(key(), opc());
    for (int round = 0; round < 3; ++round) {
        CHECK(to_hex(m.f5_star(kRand)) == to_hex(set1.hex("f5star")));
        CHECK(to_hex(m.f1(kRand, kSqn, kAmf).mac_a) == to_hex(set1.hex("f1")));
        CHECK(to_hex(m.f2345(kRand).res) == to_hex(set1.hex("f2")));
    }
    // A second object with other keys does not disturb the first.
    const milenage::Milenage other(secure(set3, "k"), secure(set3, "opc"));
    CHECK(to_hex(other.f2345(set3.hex("rand")).ck) == to_hex(set3.hex("f3")));
    CHECK(to_hex(m.f2345(kRand).ck) == to_hex(set1.hex("f3")));
}

TEST_CASE("AKA: AUTN built by the network opens on the card", "[milenage]") {
    for (const auto& v : vectors()) {
        INFO(v.where() << " set " << v.text("set"));
        const milenage::Milenage m(secure(v, "k"), secure(v, "opc"));
        const bytes autn = aka::build_autn(m, v.hex("rand"), v.hex("sqn"), v.hex("amf"));
        REQUIRE(autn.size() == 16);
        // AUTN = (SQN xor AK) || AMF || MAC-A, from the published f5 and f1.
        bytes expected(6);
        for (std::size_t i = 0; i < 6; ++i) expected[i] = static_cast<uint8_t>(v.hex("sqn")[i] ^ v.hex("f5")[i]);
        const bytes amf = v.hex("amf");
        expected.insert(expected.end(), amf.begin(), amf.end());
        const bytes mac = v.hex("f1");
        expected.insert(expected.end(), mac.begin(), mac.end());
        CHECK(to_hex(autn) == to_hex(expected));

        const aka::AutnCheck opened = aka::open_autn(m, v.hex("rand"), autn);
        CHECK(opened.mac_ok);
        CHECK(opened.sqn == v.hex("sqn"));
        CHECK(opened.amf == v.hex("amf"));
    }
}

TEST_CASE("AKA: a flipped bit anywhere in AUTN fails MAC-A", "[milenage]") {
    const milenage::Milenage m(key(), opc());
    const bytes autn = aka::build_autn(m, kRand, kSqn, kAmf);
    for (std::size_t byte = 0; byte < autn.size(); ++byte) {
        for (int bit = 0; bit < 8; bit += 7) {
            INFO("byte " << byte << " bit " << bit);
            bytes bad = autn;
            bad[byte] = static_cast<uint8_t>(bad[byte] ^ (1 << bit));
            CHECK_FALSE(aka::open_autn(m, kRand, bad).mac_ok);
        }
    }
    // The wrong RAND or the wrong key fails too.
    bytes other_rand = kRand;
    other_rand[15] ^= 0x01;
    CHECK_FALSE(aka::open_autn(m, other_rand, autn).mac_ok);
    secure_bytes other_key = key();
    other_key[0] ^= 0x80;
    CHECK_FALSE(aka::open_autn(milenage::Milenage(other_key, opc()), kRand, autn).mac_ok);
}

TEST_CASE("AKA: AUTS carries SQN_MS to the network", "[milenage]") {
    for (const auto& v : vectors()) {
        INFO(v.where() << " set " << v.text("set"));
        const milenage::Milenage m(secure(v, "k"), secure(v, "opc"));
        const bytes sqn_ms = v.hex("sqn");
        const bytes auts = aka::build_auts(m, v.hex("rand"), sqn_ms);
        REQUIRE(auts.size() == 14);
        // First 6 bytes: SQN_MS xor AK* with the published f5*; MAC-S is f1* with the dummy AMF 0000,
        // which equals the published f1* only when the set's AMF is 0000 (none is).
        for (std::size_t i = 0; i < 6; ++i) CHECK(auts[i] == (sqn_ms[i] ^ v.hex("f5star")[i]));
        CHECK(bytes(auts.begin() + 6, auts.end()) == m.f1(v.hex("rand"), sqn_ms, bytes{0, 0}).mac_s);
        CHECK(bytes(auts.begin() + 6, auts.end()) != v.hex("f1star"));

        const auto recovered = aka::sqn_ms_from_auts(m, v.hex("rand"), auts);
        REQUIRE(recovered.has_value());
        CHECK(*recovered == sqn_ms);

        bytes bad = auts;
        bad[13] ^= 0x01;
        CHECK_FALSE(aka::sqn_ms_from_auts(m, v.hex("rand"), bad).has_value());
        bad = auts;
        bad[0] ^= 0x80;  // another SQN_MS: its MAC-S differs
        CHECK_FALSE(aka::sqn_ms_from_auts(m, v.hex("rand"), bad).has_value());
    }
}

TEST_CASE("MILENAGE and AKA: wrong lengths raise ArgumentError naming the parameter", "[milenage]") {
    const auto message_of = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const ArgumentError& e) {
            return e.what();
        }
        return "no ArgumentError";
    };
    using Catch::Matchers::Contains;
    CHECK_THAT(message_of([] { milenage::Milenage(secure_bytes(15), opc()); }), Contains("K must be 16 bytes, not 15"));
    CHECK_THAT(message_of([] { milenage::Milenage(key(), secure_bytes(17)); }), Contains("OPc must be 16 bytes, not 17"));
    CHECK_THAT(message_of([] { milenage::opc_from_op(key(), secure_bytes(8)); }), Contains("OP must be 16 bytes"));
    CHECK_THAT(message_of([] { milenage::opc_from_op(secure_bytes(), opc()); }), Contains("K must be 16 bytes, not 0"));
    const milenage::Milenage m(key(), opc());
    CHECK_THAT(message_of([&] { m.f1(bytes(15), kSqn, kAmf); }), Contains("RAND must be 16 bytes"));
    CHECK_THAT(message_of([&] { m.f1(kRand, bytes(5), kAmf); }), Contains("SQN must be 6 bytes"));
    CHECK_THAT(message_of([&] { m.f1(kRand, kSqn, bytes(3)); }), Contains("AMF must be 2 bytes"));
    CHECK_THAT(message_of([&] { m.f2345(bytes()); }), Contains("RAND must be 16 bytes"));
    CHECK_THAT(message_of([&] { m.f5_star(bytes(32)); }), Contains("RAND must be 16 bytes"));
    CHECK_THAT(message_of([&] { aka::build_autn(m, kRand, bytes(7), kAmf); }), Contains("SQN must be 6 bytes"));
    CHECK_THAT(message_of([&] { aka::open_autn(m, kRand, bytes(15)); }), Contains("AUTN must be 16 bytes"));
    CHECK_THAT(message_of([&] { aka::build_auts(m, kRand, bytes(4)); }), Contains("SQN_MS must be 6 bytes"));
    CHECK_THAT(message_of([&] { aka::sqn_ms_from_auts(m, kRand, bytes(16)); }), Contains("AUTS must be 14 bytes"));
    CHECK_THAT(message_of([&] { aka::open_autn(m, bytes(8), bytes(16)); }), Contains("RAND must be 16 bytes"));
}

TEST_CASE("MILENAGE: Constants::validate", "[milenage]") {
    CHECK_NOTHROW(milenage::Constants{}.validate());
    milenage::Constants c;
    c.r[2] = 12;  // not a whole number of bytes
    CHECK_THROWS_WITH(c.validate(), Catch::Matchers::Contains("r3 must be a multiple of 8 below 128, not 12"));
    c = milenage::Constants{};
    c.r[0] = 128;
    CHECK_THROWS_WITH(c.validate(), Catch::Matchers::Contains("r1"));
    c = milenage::Constants{};
    c.r[4] = 120;
    CHECK_NOTHROW(c.validate());
    c.c[3] = bytes(15, 0);
    CHECK_THROWS_WITH(c.validate(), Catch::Matchers::Contains("c4 must be 16 bytes, not 15"));
    // The constructor validates too.
    CHECK_THROWS_AS(milenage::Milenage(key(), opc(), c), ArgumentError);
}

TEST_CASE("MILENAGE: other r/c constants change the outputs they feed", "[milenage]") {
    // Property: each r_i / c_i feeds exactly its OUT_i; changing it changes that output and no other.
    const milenage::Milenage standard(key(), opc());
    const auto base_macs = standard.f1(kRand, kSqn, kAmf);
    const auto base = standard.f2345(kRand);
    const bytes base_ak_star = standard.f5_star(kRand);
    const auto outputs = [&](const milenage::Milenage& m) {
        const auto macs = m.f1(kRand, kSqn, kAmf);
        const auto v = m.f2345(kRand);
        return std::array<bool, 5>{macs.mac_a != base_macs.mac_a && macs.mac_s != base_macs.mac_s,
                                   v.res != base.res && v.ak != base.ak, v.ck != base.ck, v.ik != base.ik,
                                   m.f5_star(kRand) != base_ak_star};
    };
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("constant " << i + 1);
        std::array<bool, 5> expected{};
        expected[i] = true;
        milenage::Constants other_c;
        other_c.c[i][7] ^= 0x40;
        CHECK(outputs(milenage::Milenage(key(), opc(), other_c)) == expected);
        milenage::Constants other_r;
        other_r.r[i] = static_cast<uint8_t>((other_r.r[i] + 8) % 128);
        CHECK(outputs(milenage::Milenage(key(), opc(), other_r)) == expected);
    }
    // Explicit default constants give the specification's answers.
    const milenage::Milenage explicit_defaults(key(), opc(), milenage::Constants{});
    CHECK(explicit_defaults.f1(kRand, kSqn, kAmf).mac_a == base_macs.mac_a);
}

TEST_CASE("sqn_add: 48-bit arithmetic with wrap, 6 bytes only", "[milenage][aka]") {
    CHECK(simkit::aka::sqn_add(simkit::from_hex("000000000021"), 1) == simkit::from_hex("000000000022"));
    CHECK(simkit::aka::sqn_add(simkit::from_hex("0000000000FF"), 1) == simkit::from_hex("000000000100"));
    CHECK(simkit::aka::sqn_add(simkit::from_hex("FFFFFFFFFFFF"), 2) == simkit::from_hex("000000000001"));
    CHECK_THROWS_AS(simkit::aka::sqn_add(simkit::from_hex("0000000021"), 1), simkit::ArgumentError);
}

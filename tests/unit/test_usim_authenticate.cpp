// The USIM's AUTHENTICATE through the card runtime (specs/usim.md): every TS 35.208 test set's RES,
// CK, IK (and TS 55.205's SRES and Kc) come out of the card with K/OPc personalized per set and the
// AUTN built in this file from the vector's own SQN, AMF, f5 and f1; the SQN array's rules (IND
// slots, replay, delta, L), resynchronisation with AUTS, MAC failure, the negatives, and a power
// cut at every write point of the SQN update never letting one AUTN in twice.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "simkit/aka.hpp"
#include "simkit/milenage.hpp"
#include "keystore_test_support.hpp"
#include "simulated_card.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
const bytes kUsimAidPrefix = from_hex("A0000000871002");
const secure_bytes kK = to_secure(from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC"));  // factory test keys (set 1)
const secure_bytes kOpc = to_secure(from_hex("CD63CB71954A9F4E48A5994E37A02BAF"));

ResponseApdu cmd(sim::Card& card, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {}, std::size_t ne = 0) {
    const bytes raw = card.transmit(CommandApdu::make(cla, ins, p1, p2, data, ne).encode());
    REQUIRE(raw.size() >= 2);
    return ResponseApdu::parse(raw);
}

void select_usim(sim::Card& card) { REQUIRE(cmd(card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000); }

bytes xor_bytes(const bytes& a, const bytes& b) {
    bytes out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] ^ b[i];
    return out;
}

bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

bytes auth_data(const bytes& rand, const bytes& autn) { return cat({bytes{0x10}, rand, bytes{0x10}, autn}); }

// SQN of SEQ and IND (5 bits).
bytes sqn(uint64_t seq, uint64_t ind) {
    const uint64_t v = (seq << 5) | ind;
    bytes out(6);
    for (int i = 0; i < 6; ++i) out[static_cast<std::size_t>(i)] = static_cast<uint8_t>(v >> (8 * (5 - i)));
    return out;
}

// Any delta: the TS 35.208 SQNs are far above a fresh card's 0.
void allow_any_delta(sim::Card& card) {
    card.state().put("usim/sqn/config", to_secure(from_hex("05FFFFFFFFFFFF000000000000")));
    card.state().commit();
}

// Runs one 3G AUTHENTICATE with the card's test keys and `s` as SQN; the answer's SW and tag.
ResponseApdu authenticate(sim::Card& card, const bytes& s, const bytes& rand = bytes(16, 0x5A)) {
    const milenage::Milenage m(kK, kOpc);
    return cmd(card, 0x00, 0x88, 0x00, 0x81, auth_data(rand, aka::build_autn(m, rand, s, from_hex("8000"))), 256);
}
bool accepted(const ResponseApdu& r) { return r.sw() == 0x9000 && !r.data().empty() && r.data()[0] == 0xDB; }
bool sync_failure(const ResponseApdu& r) { return r.sw() == 0x9000 && !r.data().empty() && r.data()[0] == 0xDC; }
}  // namespace

TEST_CASE("every TS 35.208 set through the card: RES, CK, IK, Kc; GSM context SRES and Kc (TS 55.205)", "[usim]") {
    int sets = 0;
    for (const auto& v : read_vectors("milenage_ts35208.vec")) {
        INFO(v.where());
        auto card = sim::make_memory_card();
        card->state().put("usim/k", to_secure(v.hex("k")));
        card->state().put("usim/opc", to_secure(v.hex("opc")));
        allow_any_delta(*card);
        select_usim(*card);
        // AUTN from the vector alone: (SQN xor AK) || AMF || MAC-A.
        const bytes autn = cat({xor_bytes(v.hex("sqn"), v.hex("f5")), v.hex("amf"), v.hex("f1")});
        const ResponseApdu r = cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(v.hex("rand"), autn), 256);
        REQUIRE(r.sw() == 0x9000);
        // Kc = c3(CK, IK): the XOR of the four 8-byte halves (TS 33.102 6.8.1.2), computed here.
        const bytes ck = v.hex("f3"), ik = v.hex("f4");
        bytes kc(8);
        for (std::size_t i = 0; i < 8; ++i) kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
        if (v.has("kc")) CHECK(kc == v.hex("kc"));
        CHECK(r.data() == cat({bytes{0xDB, 0x08}, v.hex("f2"), bytes{0x10}, ck, bytes{0x10}, ik, bytes{0x08}, kc}));
        // The same AUTN again is a replay: synchronisation failure.
        CHECK(sync_failure(cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(v.hex("rand"), autn), 256)));
        if (v.has("sres")) {
            const ResponseApdu gsm = cmd(*card, 0x00, 0x88, 0x00, 0x80, cat({bytes{0x10}, v.hex("rand")}), 256);
            REQUIRE(gsm.sw() == 0x9000);
            CHECK(gsm.data() == cat({bytes{0x04}, v.hex("sres"), bytes{0x08}, v.hex("kc")}));
        }
        ++sets;
    }
    CHECK(sets >= 19);
}

TEST_CASE("SQN array: IND slots, replay, delta and L; AUTS gives an SQN_MS whose successor is fresh", "[usim]") {
    auto card = sim::make_memory_card();
    select_usim(*card);
    CHECK(accepted(authenticate(*card, sqn(5, 3))));
    CHECK(accepted(authenticate(*card, sqn(2, 4))));      // another slot: older SEQ is fine
    CHECK(sync_failure(authenticate(*card, sqn(4, 3))));  // stale in slot 3
    CHECK(sync_failure(authenticate(*card, sqn(5, 3))));  // replay
    CHECK(accepted(authenticate(*card, sqn(6, 3))));
    // Delta (default 2^28): a jump further ahead of the highest SEQ (6) is refused.
    CHECK(sync_failure(authenticate(*card, sqn(6 + (uint64_t{1} << 28) + 1, 0))));
    CHECK(accepted(authenticate(*card, sqn(6 + (uint64_t{1} << 28), 0))));

    // AUTS: the network recovers SQN_MS; SQN_MS + 1 is accepted.
    const milenage::Milenage m(kK, kOpc);
    const bytes rand(16, 0x33);
    const ResponseApdu stale = authenticate(*card, sqn(6, 3), rand);  // slot 3 holds SEQ 6
    REQUIRE(sync_failure(stale));
    REQUIRE(stale.data().size() == 2 + 14);
    REQUIRE(stale.data()[1] == 0x0E);
    const auto sqn_ms = aka::sqn_ms_from_auts(m, rand, bytes(stale.data().begin() + 2, stale.data().end()));
    REQUIRE(sqn_ms.has_value());
    CHECK(*sqn_ms == sqn(6 + (uint64_t{1} << 28), 0));  // the greatest SEQ(i) || i
    bytes next = *sqn_ms;
    next[5] = static_cast<uint8_t>(next[5] + 1);
    CHECK(accepted(authenticate(*card, next)));

    // L (age limit) when configured: 2 below the highest SEQ is the oldest accepted.
    auto limited = sim::make_memory_card();
    limited->state().put("usim/sqn/config", to_secure(from_hex("05000010000000000000000002")));
    limited->state().commit();
    select_usim(*limited);
    REQUIRE(accepted(authenticate(*limited, sqn(10, 0))));
    CHECK(sync_failure(authenticate(*limited, sqn(7, 1))));
    CHECK(accepted(authenticate(*limited, sqn(8, 1))));
}

TEST_CASE("AUTHENTICATE negatives: MAC failure stores nothing; lengths, P1/P2, not selected", "[usim]") {
    auto card = sim::make_memory_card();
    // ADF.USIM not selected: the ISD has no AUTHENTICATE.
    CHECK(authenticate(*card, sqn(1, 0)).sw() == 0x6D00);
    select_usim(*card);
    const milenage::Milenage m(kK, kOpc);
    const bytes rand(16, 0x11);
    bytes autn = aka::build_autn(m, rand, sqn(1, 0), from_hex("8000"));
    bytes broken = autn;
    broken[15] ^= 0x01;
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(rand, broken), 256).sw() == 0x9862);
    CHECK(accepted(cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(rand, autn), 256)));  // nothing was stored
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, cat({bytes{0x10}, rand}), 256).sw() == 0x6700);        // AUTN missing
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, cat({bytes{0x10}, rand, bytes{0x10}}), 256).sw() == 0x6700);
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, cat({bytes{0x0F}, rand, bytes{0x10}, autn}), 256).sw() == 0x6A80);
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, cat({auth_data(rand, autn), bytes{0x00}}), 256).sw() == 0x6700);
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x82, auth_data(rand, autn), 256).sw() == 0x6A86);
    CHECK(cmd(*card, 0x00, 0x88, 0x01, 0x81, auth_data(rand, autn), 256).sw() == 0x6A86);
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x81, {}, 256).sw() == 0x6700);
    CHECK(cmd(*card, 0x00, 0x88, 0x00, 0x80, cat({bytes{0x10}, rand, bytes{0x00}}), 256).sw() == 0x6700);
}

TEST_CASE("a power cut at any write point of AUTHENTICATE never lets one AUTN in twice", "[usim][power-cut]") {
    char pattern[] = "/tmp/simkit-usimcut-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    const std::string dir = pattern;
    const std::string path = dir + "/card.state";
    sim::open_simulated_card(path);
    std::filesystem::copy_file(path, dir + "/fresh");
    const milenage::Milenage m(kK, kOpc);
    const bytes rand(16, 0x77);
    const bytes command = CommandApdu::make(0x00, 0x88, 0x00, 0x81,
                                            auth_data(rand, aka::build_autn(m, rand, sqn(9, 2), from_hex("8000"))), 256)
                              .encode();
    int cuts = 0;
    for (int point = 0;; ++point) {
        std::filesystem::copy_file(dir + "/fresh", path, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(path + ".tmp");
        bool answered = false;
        {
            auto card = sim::open_simulated_card(path);
            select_usim(*card);
            card->state().set_write_point_hook([point](int n) {
                if (n == point) throw sim::PowerCut{n};
            });
            try {
                answered = accepted(ResponseApdu::parse(card->transmit(command)));
                REQUIRE(answered);
            } catch (const sim::PowerCut&) {
                ++cuts;
            }
        }
        // After the cut (or the answer) the same AUTN: accepted only if no answer went out and the
        // SQN never reached the file.
        auto card = sim::open_simulated_card(path);
        select_usim(*card);
        const ResponseApdu again = ResponseApdu::parse(card->transmit(command));
        INFO("write point " << point);
        if (answered) {
            CHECK(sync_failure(again));
            break;
        }
        CHECK((accepted(again) || sync_failure(again)));
    }
    CHECK(cuts >= 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a state file from before the USIM gets its keys and SQN array on open and authenticates", "[usim][migration]") {
    char pattern[] = "/tmp/simkit-usimold-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    const std::string path = std::string(pattern) + "/card.state";
    std::filesystem::copy_file(std::string(SIMKIT_VECTORS_DIR) + "/state/foundation-28f06a8.state", path);
    {
        auto card = sim::open_simulated_card(path);
        select_usim(*card);
        CHECK(accepted(authenticate(*card, sqn(3, 0))));
    }
    auto card = sim::open_simulated_card(path);  // the SQN stayed
    select_usim(*card);
    CHECK(sync_failure(authenticate(*card, sqn(3, 0))));
    std::filesystem::remove_all(pattern);
}

TEST_CASE("personalization over SCP03: K, OPc and the IMSI written with STORE DATA, then AKA with them", "[usim]") {
    auto card = sim::make_memory_card();
    // Outside a secure channel the USIM refuses STORE DATA.
    select_usim(*card);
    CHECK(cmd(*card, 0x80, 0xE2, 0x80, 0x00, cat({from_hex("A00110"), bytes(16, 0x01)})).sw() == 0x6982);
    // TS 35.208 test set 3's keys, the IMSI 262010123456789 (EF.IMSI bytes worked out by hand:
    // 08 | 2 9 | 6 2 | 1 0 | ...), an SQN configuration with any delta.
    const auto set3 = [] {
        for (const auto& v : read_vectors("milenage_ts35208.vec")) if (v.text("set") == "3") return v;
        FAIL("test set 3 missing");
        return read_vectors("milenage_ts35208.vec").front();
    }();
    {
        Personalizer p(*card, kUsimAidPrefix);
        CHECK(p.store(0xA001, set3.hex("k")) == 0x6985);  // K in clear is refused
        CHECK(p.store_encrypted(0xA001, set3.hex("k")) == 0x9000);
        CHECK(p.store_encrypted(0xA002, set3.hex("opc")) == 0x9000);
        CHECK(p.store(0xA004, from_hex("05FFFFFFFFFFFF000000000000")) == 0x9000);
        CHECK(p.store(0xA010, from_hex("6F07082926101032547698")) == 0x9000);
        CHECK(p.store_encrypted(0xA001, bytes(15, 0x01)) == 0x6A80);  // K of 15 bytes
        CHECK(p.store(0xA010, from_hex("6F0708")) == 0x6A80);         // not the file's size
        CHECK(p.store(0xA010, cat({from_hex("2F00"), bytes(32, 0xFF)})) == 0x6981);  // a record file
        CHECK(p.store(0xA010, from_hex("6F9900")) == 0x6A82);
        bytes constants(85, 0x00);
        constants[0] = 7;  // r1 must be a multiple of 8
        CHECK(p.store(0xA003, constants, true) == 0x6A80);
    }
    select_usim(*card);
    const bytes autn = cat({xor_bytes(set3.hex("sqn"), set3.hex("f5")), set3.hex("amf"), set3.hex("f1")});
    const ResponseApdu r = cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(set3.hex("rand"), autn), 256);
    REQUIRE(r.sw() == 0x9000);
    CHECK(bytes(r.data().begin() + 2, r.data().begin() + 10) == set3.hex("f2"));
    CHECK(cmd(*card, 0x00, 0xA4, 0x00, 0x04, from_hex("6F07"), 256).sw() == 0x9000);
    CHECK(cmd(*card, 0x00, 0xB0, 0x00, 0x00, {}, 9).data() == from_hex("082926101032547698"));
}

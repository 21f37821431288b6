// The card side of SCP03/SCP02 (applet-sim/gp): handshake at every level, wrapped GET STATUS, the
// negatives (wrong key, flipped MAC bit, replay, truncated cryptogram, downgrade, no session), the
// persistent sequence counter, PUT KEY / DELETE key / STORE DATA, S16 and SCP02 key sets.
#include <catch2/catch.hpp>

#include "gp/isd.hpp"
#include "scp_test_host.hpp"
#include "simulated_card_support.hpp"
#include "simkit/tlv.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
const CommandApdu kGetStatusIsd = CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);

// GET STATUS P1 80 answer must be exactly one E3 entry for the ISD (GP 2.3 11.4.3.2).
void check_isd_entry(const ResponseApdu& r) {
    REQUIRE(r.sw() == 0x9000);
    const auto entries = parse_tlvs(r.data());
    REQUIRE(entries.size() == 1);
    REQUIRE(entries[0].tag == 0xE3);
    REQUIRE(entries[0].find(0x4F)->value == kIsdAid);
    REQUIRE(entries[0].find(0x9F70)->value == bytes{0x0F});
    REQUIRE(entries[0].find(0xC5)->value.size() == 3);
}

uint32_t sequence_of(TestHost& host) {
    return *host.initialize_update(0, crypto::random_bytes(8)).sequence_counter;
}
}  // namespace

TEST_CASE("SCP03 with the factory keys at every level answers GET STATUS", "[isd][scp]") {
    for (const uint8_t level : {0x01, 0x03, 0x11, 0x13, 0x33}) {
        auto card = sim::make_memory_card();
        TestHost host(*card);
        INFO("level " << int(level));
        REQUIRE(host.authenticate(same_keys(kFactoryKey), level) == 0x9000);
        REQUIRE(host.info.kvn == 0x30);
        REQUIRE(host.info.i == 0x70);
        check_isd_entry(host.send(kGetStatusIsd));
        // A command that fails gets its status word bare, and the session goes on.
        REQUIRE(host.send(CommandApdu::case2(0x80, 0xCA, 0x00, 0x77, 256)).sw() == 0x6A88);
        check_isd_entry(host.send(kGetStatusIsd));
    }
}

TEST_CASE("the card refuses what a broken or hostile host sends, and the session ends", "[isd][scp]") {
    auto card = sim::make_memory_card();
    TestHost host(*card);

    SECTION("wrong host cryptogram (wrong key) gets 6982; wrapped commands after it too") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33, 0, true) == 0x6982);
        REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
    }
    SECTION("a flipped bit in a C-MAC gets 6982 and ends the session") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        CommandApdu wrapped = host.channel->wrap_command(kGetStatusIsd);
        bytes raw = wrapped.encode();
        raw[raw.size() - 2] ^= 0x01;  // last MAC byte (before Le)
        REQUIRE(ResponseApdu::parse(card->transmit(raw)).sw() == 0x6982);
        REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
    }
    SECTION("SM bits the C-MAC does not cover (CLA 88, 8C) are refused: 6982, session over") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        for (const uint8_t bits : {0x08, 0x0C}) {
            bytes raw = host.channel->wrap_command(kGetStatusIsd).encode();
            raw[0] = static_cast<uint8_t>((raw[0] & ~0x0C) | bits);
            REQUIRE(ResponseApdu::parse(card->transmit(raw)).sw() == 0x6982);
            REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
            REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        }
    }
    SECTION("a handshake command with the chaining bit gets 6884 and ends the session") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        REQUIRE(host.send_raw(CommandApdu::case4(0x90, 0x50, 0x00, 0x00, bytes(8, 0), 256)).sw() == 0x6884);
        REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
    }
    SECTION("a replayed command gets 6982") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        const CommandApdu wrapped = host.channel->wrap_command(kGetStatusIsd);
        REQUIRE(host.send_raw(wrapped).sw() == 0x9000);
        REQUIRE(host.send_raw(wrapped).sw() == 0x6982);
    }
    SECTION("a truncated host cryptogram is refused and the handshake is used up") {
        host.initialize_update(0, crypto::random_bytes(8));
        REQUIRE(host.send_raw(CommandApdu::case3(0x84, 0x82, 0x01, 0x00, bytes(12, 0x11))).sw() == 0x6982);
        REQUIRE(host.send_raw(CommandApdu::case3(0x84, 0x82, 0x01, 0x00, bytes(16, 0x11))).sw() == 0x6985);
    }
    SECTION("a plain command inside a secure session is a downgrade: 6982, session over") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
        REQUIRE(host.send_raw(kGetStatusIsd).sw() == 0x6982);
        REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
    }
    SECTION("data protected below the session's level is refused") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        // MAC-only wrapping of a command with data, inside a C-DECRYPTION session.
        const CommandApdu plain = CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
        const CommandApdu mac_only = host.channel->wrap_external_authenticate(plain);  // MAC, no encryption
        REQUIRE(host.send_raw(mac_only).sw() == 0x6982);
    }
    SECTION("GET STATUS, PUT KEY, DELETE need a session; wrapped commands without one get 6982") {
        REQUIRE(host.send_raw(kGetStatusIsd).sw() == 0x6982);
        REQUIRE(host.send_raw(CommandApdu::case3(0x80, 0xE4, 0x00, 0x00, from_hex("D20130"))).sw() == 0x6982);
        REQUIRE(host.send_raw(CommandApdu::case4(0x84, 0xF2, 0x80, 0x02, from_hex("4F00112233445566778899"), 256)).sw() == 0x6982);
    }
    SECTION("EXTERNAL AUTHENTICATE without INITIALIZE UPDATE gets 6985") {
        REQUIRE(host.send_raw(CommandApdu::case3(0x84, 0x82, 0x01, 0x00, bytes(16, 0x00))).sw() == 0x6985);
    }
    SECTION("a KVN the card does not have gets 6A88; a short host challenge 6700") {
        REQUIRE(host.send_raw(CommandApdu::case4(0x80, 0x50, 0x31, 0x00, bytes(8, 0), 256)).sw() == 0x6A88);
        REQUIRE(host.send_raw(CommandApdu::case4(0x80, 0x50, 0x30, 0x00, bytes(7, 0), 256)).sw() == 0x6700);
    }
    SECTION("a level the key set does not offer is refused") {
        host.initialize_update(0, crypto::random_bytes(8));
        REQUIRE(host.send_raw(CommandApdu::case3(0x84, 0x82, 0x07, 0x00, bytes(16, 0x00))).sw() == 0x6A86);
    }
    SECTION("SELECT ends the session") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        REQUIRE(send(*card, select_hex(0x00, kIsdAid)).sw() == 0x9000);
        REQUIRE(host.send_raw(host.channel->wrap_command(kGetStatusIsd)).sw() == 0x6982);
    }
}

TEST_CASE("the SCP03 sequence counter only goes up, also across power cycles", "[isd][scp]") {
    auto card = sim::make_memory_card();
    TestHost host(*card);
    const uint32_t first = sequence_of(host);
    const uint32_t second = sequence_of(host);
    REQUIRE(second == first + 1);
    card->power_off();
    REQUIRE(sequence_of(host) == second + 1);
}

TEST_CASE("PUT KEY adds, replaces and checks key sets; DELETE removes them", "[isd][scp][put-key]") {
    auto card = sim::make_memory_card();
    TestHost host(*card);
    const scp::StaticKeys aes256{secure_from_hex("000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"),
                                 secure_from_hex("101112131415161718191a1b1c1d1e1f101112131415161718191a1b1c1d1e1f"),
                                 secure_from_hex("202122232425262728292a2b2c2d2e2f202122232425262728292a2b2c2d2e2f")};

    SECTION("below C-MAC + C-DECRYPTION PUT KEY is refused and nothing changes") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01) == 0x9000);
        const bytes data = put_key_data(*host.channel, 0x31, aes256, false);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, data, 256)).sw() == 0x6982);
        REQUIRE(host.initialize_update(0x30, crypto::random_bytes(8)).kvn == 0x30);
        REQUIRE(host.send_raw(CommandApdu::case4(0x80, 0x50, 0x31, 0x00, bytes(8, 0), 256)).sw() == 0x6A88);
    }
    SECTION("add an AES-256 set, answer KVN and KCVs, authenticate with it") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        const bytes data = put_key_data(*host.channel, 0x31, aes256, false);
        const ResponseApdu r = host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, data, 256));
        REQUIRE(r.sw() == 0x9000);
        bytes expected{0x31};
        for (const auto* key : {&aes256.enc, &aes256.mac, &aes256.dek}) {
            const bytes kcv = scp::kcv_aes(*key);
            expected.insert(expected.end(), kcv.begin(), kcv.end());
        }
        REQUIRE(r.data() == expected);
        REQUIRE(host.authenticate(aes256, 0x33, 0x31) == 0x9000);
        check_isd_entry(host.send(kGetStatusIsd));
        // Key information lists both sets: C0 {id, KVN, 88, length}.
        const auto info = parse_tlvs(host.send(CommandApdu::case2(0x80, 0xCA, 0x00, 0xE0, 256)).data());
        REQUIRE(info[0].children().size() == 6);
        REQUIRE(info[0].children()[3].value == bytes{0x01, 0x31, 0x88, 0x20});
    }
    SECTION("a wrong KCV is refused and the key set stays as it was") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        bytes data = put_key_data(*host.channel, 0x30, aes256, false);
        data.back() ^= 0x01;  // DEK's KCV
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x30, 0x81, data, 256)).sw() == 0x6A80);
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x01, 0x30) == 0x9000);
    }
    SECTION("replace KVN 30 by 31: the old keys stop working") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
        const bytes data = put_key_data(*host.channel, 0x31, aes256, false);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x30, 0x81, data, 256)).sw() == 0x9000);
        REQUIRE(host.send_raw(CommandApdu::case4(0x80, 0x50, 0x30, 0x00, bytes(8, 0), 256)).sw() == 0x6A88);
        REQUIRE(host.authenticate(aes256, 0x01, 0) == 0x9000);
        REQUIRE(host.info.kvn == 0x31);
        // The last key set cannot be deleted; an added one can.
        REQUIRE(host.send(CommandApdu::case3(0x80, 0xE4, 0x00, 0x00, from_hex("D20131"))).sw() == 0x6985);
    }
    SECTION("adding a KVN that exists gets 6985, replacing a missing one 6A88") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, put_key_data(*host.channel, 0x30, aes256, false), 256))
                    .sw() == 0x6985);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x40, 0x81, put_key_data(*host.channel, 0x40, aes256, false), 256))
                    .sw() == 0x6A88);
    }
    SECTION("an SCP02 key set (3DES), i=15 then i=55 by STORE DATA, at C-MAC and C-DECRYPTION") {
        const scp::StaticKeys des{secure_from_hex("100102030405060708090a0b0c0d0e0f"),
                                  secure_from_hex("101102030405060708090a0b0c0d0e0f"),
                                  secure_from_hex("102102030405060708090a0b0c0d0e0f")};
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, put_key_data(*host.channel, 0x20, des, true), 256))
                    .sw() == 0x9000);
        for (const uint8_t level : {0x01, 0x03}) {
            REQUIRE(host.authenticate(des, level, 0x20) == 0x9000);
            REQUIRE(host.info.protocol == scp::Protocol::Scp02);
            check_isd_entry(host.send(kGetStatusIsd));
            // The SCP02 sequence counter went up with each INITIALIZE UPDATE.
            REQUIRE(*host.info.sequence_counter == (level == 0x01 ? 1u : 2u));
        }
        // STORE DATA DGI 7F01: key set 20 now uses i=55 (pseudo-random card challenge).
        REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x88, 0x00, from_hex("7F01022055"))).sw() == 0x9000);
        REQUIRE(host.authenticate(des, 0x03, 0x20) == 0x9000);
        const auto counter = static_cast<uint16_t>(*host.info.sequence_counter);
        REQUIRE(host.info.card_challenge ==
                scp02::pseudo_random_card_challenge(scp02::derive_session_keys(des, counter), kIsdAid));
        // 3DES keys show as type 80 in the key information template.
        const auto info = parse_tlvs(host.send(CommandApdu::case2(0x80, 0xCA, 0x00, 0xE0, 256)).data());
        REQUIRE(info[0].children()[0].value == bytes{0x01, 0x20, 0x80, 0x10});
        // PUT KEY under SCP02 (session DEK, 3DES-ECB): add an AES set.
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, put_key_data(*host.channel, 0x32, aes256, false), 256))
                    .sw() == 0x9000);
        REQUIRE(host.authenticate(aes256, 0x33, 0x32) == 0x9000);
    }
    SECTION("an S16 key set (i=71): 16-byte challenges and MACs") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        REQUIRE(host.send(CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, put_key_data(*host.channel, 0x31, aes256, false), 256))
                    .sw() == 0x9000);
        REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x88, 0x00, from_hex("7F01023171"))).sw() == 0x9000);
        for (const uint8_t level : {0x01, 0x13, 0x33}) {
            REQUIRE(host.authenticate_s16(aes256, level, 0x31) == 0x9000);
            REQUIRE(host.info.i == 0x71);
            check_isd_entry(host.send(kGetStatusIsd));
        }
    }
    SECTION("i=60: a random card challenge and no sequence counter in the answer") {
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
        REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x88, 0x00, from_hex("7F01023060"))).sw() == 0x9000);
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
        REQUIRE_FALSE(host.info.sequence_counter.has_value());
        // Card recognition data names the default key set's protocol: {globalPlatform 4 3 60} (GP 2.3 H.2).
        const auto recognition = parse_tlvs(host.send(CommandApdu::case2(0x80, 0xCA, 0x00, 0x66, 256)).data());
        const auto scp_oid = recognition[0].find(0x73)->find(0x64)->find(0x06);
        REQUIRE(to_hex(scp_oid->value) == "2A864886FC6B040360");
    }
}

TEST_CASE("STORE DATA: DGIs plain and encrypted, block numbers, unknown DGIs store nothing", "[isd][scp]") {
    auto card = sim::make_memory_card();
    TestHost host(*card);
    REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
    // DGI 00CF (KDD), encrypted under the DEK: block 0 of 2.
    const bytes kdd = from_hex("0102030405060708090A");
    const bytes encrypted = host.channel->encrypt_sensitive(to_secure(scp::pad80(kdd, 16)));
    bytes block0 = from_hex("00CF");
    block0.push_back(static_cast<uint8_t>(encrypted.size()));
    block0.insert(block0.end(), encrypted.begin(), encrypted.end());
    REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x68, 0x00, block0)).sw() == 0x9000);
    // Block 1 out of order -> 6A86; then the right one, last block, with an unknown DGI -> 6A88.
    REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x88, 0x05, from_hex("004501AA"))).sw() == 0x6A86);
    REQUIRE(host.send(CommandApdu::case3(0x80, 0xE2, 0x88, 0x01, from_hex("004501AA" "123401FF"))).sw() == 0x6A88);
    // The refused block stored nothing: the CIN is unchanged; the KDD of block 0 is in use.
    REQUIRE(host.send(CommandApdu::case2(0x80, 0xCA, 0x00, 0x45, 256)).data() != from_hex("4501AA"));
    REQUIRE(host.initialize_update(0, crypto::random_bytes(8)).key_diversification_data == kdd);
}

TEST_CASE("GET STATUS pages long registries with 6310 and next occurrence", "[isd][scp]") {
    auto big = sim::make_memory_card();
    // The key store, the USIM and the ISD-R, installed after the ISD.
    std::vector<bytes> aids{from_hex("A0000005590010"), from_hex("A0000000871002FFFFFFFF8907090000"),
                            from_hex("A0000005591010FFFFFFFF8900000100")};
    for (uint8_t i = 0; i < 20; ++i) {
        aids.push_back(from_hex("A00000009900"));
        aids.back().push_back(i);
        aids.back().push_back(0x01);
        big->install(std::make_unique<EchoApplet>(aids.back(), "x"));
    }
    TestHost host(*big);
    REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
    std::vector<bytes> listed;
    ResponseApdu r = host.send(CommandApdu::case4(0x80, 0xF2, 0x40, 0x02, from_hex("4F00"), 256));
    int pages = 1;
    while (true) {
        for (const auto& entry : parse_tlvs(r.data())) {
            listed.push_back(entry.find(0x4F)->value);
            REQUIRE(entry.find(0x9F70)->value == bytes{0x07});
        }
        if (r.sw() == 0x9000) break;
        REQUIRE(r.sw() == 0x6310);
        r = host.send(CommandApdu::case4(0x80, 0xF2, 0x40, 0x03, from_hex("4F00"), 256));
        ++pages;
    }
    REQUIRE(pages >= 2);
    REQUIRE(listed == aids);
    // "next" without a pending continuation: 6985. A prefix that matches nothing: 6A88.
    REQUIRE(host.send(CommandApdu::case4(0x80, 0xF2, 0x40, 0x03, from_hex("4F00"), 256)).sw() == 0x6985);
    REQUIRE(host.send(CommandApdu::case4(0x80, 0xF2, 0x40, 0x02, from_hex("4F03B00000"), 256)).sw() == 0x6A88);
    REQUIRE(host.send(CommandApdu::case4(0x80, 0xF2, 0x20, 0x02, from_hex("4F00"), 256)).sw() == 0x6A88);
}

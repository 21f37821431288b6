// Tests of GpClient (hostlib/src/gp/gp_client.cpp) through a real ScpSession against a scripted
// fake card: the fake opens the secure channel with the shared SCP03/SCP02 core (card side), unwraps
// every command and hands the plain command to the test, which checks its fields against GP Card
// Specification 2.3 section 11 and scripts the answer. Key values in PUT KEY are decrypted here with
// the card's channel and KCVs are recomputed with the raw ciphers, not with scp::kcv_*.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "simkit/card.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/gp_client.hpp"
#include "simkit/scp02.hpp"
#include "simkit/scp03.hpp"
#include "simkit/tlv.hpp"

using namespace simkit;

namespace {

const bytes kIsdAid = from_hex("A000000151000000");
const bytes kKdd = from_hex("00010203040506070809");
const bytes kHostChallenge = from_hex("1122334455667788");
const secure_bytes kFactoryKey = secure_from_hex("404142434445464748494A4B4C4D4E4F");

using Handler = std::function<ResponseApdu(const CommandApdu& plain)>;

// A card that speaks only the secure channel: SELECT, INITIALIZE UPDATE and EXTERNAL AUTHENTICATE
// done with the shared core's card side; every later command is unwrapped, given to `handler`, and
// the handler's answer wrapped.
class FakeScpCard : public Transport {
public:
    FakeScpCard(scp::Protocol protocol, Handler handler, std::vector<CommandApdu>& seen)
        : protocol_(protocol), handler_(std::move(handler)), seen_(seen) {
        keys_ = {kFactoryKey, kFactoryKey, kFactoryKey};
    }

    bytes transmit(const bytes& raw) override {
        const CommandApdu command = CommandApdu::parse(raw);
        CHECK(!command.is_extended());  // the ISD announces at most 255 bytes of command data (9F65 FF)
        if (command.ins() == 0xA4) {
            channel_.reset();
            return ResponseApdu::ok(encode_tlv(0x6F, {encode_tlv(0x84, kIsdAid)})).encode();
        }
        if (command.ins() == scp::kInsInitializeUpdate) return initialize_update(command).encode();
        if (command.ins() == scp::kInsExternalAuthenticate) return external_authenticate(command).encode();
        REQUIRE(channel_);
        const CommandApdu plain = channel_->unwrap_command(command);
        seen_.push_back(plain);
        return channel_->wrap_response(handler_(plain)).encode();
    }
    bytes atr() override { return from_hex("3B00"); }
    void reset() override { channel_.reset(); }
    std::string description() const override { return "fake SCP card"; }

    // The card's view of the channel, to decrypt what the host encrypted under the DEK.
    const scp::SecureMessaging& channel() const { return *channel_; }

private:
    ResponseApdu initialize_update(const CommandApdu& command) {
        host_challenge_ = command.data();
        scp::InitUpdateResponse r;
        r.key_diversification_data = kKdd;
        r.kvn = 0x30;
        r.protocol = protocol_;
        if (protocol_ == scp::Protocol::Scp03) {
            r.i = 0x60;  // R-MAC and R-ENC supported, random challenge
            r.card_challenge = from_hex("A1A2A3A4A5A6A7A8");
            scp03_keys_ = scp03::derive_session_keys(keys_, host_challenge_, r.card_challenge);
            r.card_cryptogram = scp03::card_cryptogram(scp03_keys_, host_challenge_, r.card_challenge, 8);
        } else {
            r.sequence_counter = 0x0007;
            r.card_challenge = from_hex("B1B2B3B4B5B6");
            scp02_keys_ = scp02::derive_session_keys(keys_, 0x0007);
            r.card_cryptogram = scp02::card_cryptogram(scp02_keys_, host_challenge_, 0x0007, r.card_challenge);
        }
        card_challenge_ = r.card_challenge;
        return ResponseApdu::ok(r.encode());
    }

    ResponseApdu external_authenticate(const CommandApdu& command) {
        const uint8_t level = command.p1();
        bytes expected;
        if (protocol_ == scp::Protocol::Scp03) {
            channel_ = std::make_unique<scp03::Scp03Channel>(scp03_keys_, keys_.dek, level, 8);
            expected = scp03::host_cryptogram(scp03_keys_, host_challenge_, card_challenge_, 8);
        } else {
            channel_ = std::make_unique<scp02::Scp02Channel>(scp02_keys_, level);
            expected = scp02::host_cryptogram(scp02_keys_, host_challenge_, 0x0007, card_challenge_);
        }
        const CommandApdu plain = channel_->unwrap_external_authenticate(command);
        REQUIRE(plain.data() == expected);
        return ResponseApdu(0x9000);
    }

    scp::Protocol protocol_;
    Handler handler_;
    std::vector<CommandApdu>& seen_;
    scp::StaticKeys keys_;
    bytes host_challenge_, card_challenge_;
    scp03::SessionKeys scp03_keys_;
    scp02::SessionKeys scp02_keys_;
    std::unique_ptr<scp::SecureMessaging> channel_;
};

// A fake card, the Card over it and an open session at `level`.
struct Fixture {
    Fixture(scp::Protocol protocol, uint8_t level, Handler handler) {
        auto transport = std::make_unique<FakeScpCard>(protocol, std::move(handler), seen);
        fake = transport.get();
        card = std::make_unique<Card>(std::move(transport));
        ScpOptions options;
        options.protocol = protocol;
        options.level = level;
        options.host_challenge = kHostChallenge;
        session = std::make_unique<ScpSession>(*card, single_key(kFactoryKey), options);
    }
    std::vector<CommandApdu> seen;
    FakeScpCard* fake = nullptr;
    std::unique_ptr<Card> card;
    std::unique_ptr<ScpSession> session;
};

// KCVs written from the definitions (GP 2.3 Amendment D 7.2.2: AES over 16 x 01; 3DES over 8 x 00).
bytes aes_kcv(const secure_bytes& key) {
    bytes out = crypto::aes_ecb(crypto::Direction::Encrypt, key, bytes(16, 0x01));
    return bytes(out.begin(), out.begin() + 3);
}
bytes des_kcv(const secure_bytes& key) {
    bytes out = crypto::des3_ecb(crypto::Direction::Encrypt, key, bytes(8, 0x00));
    return bytes(out.begin(), out.begin() + 3);
}

bytes entry(const std::string& aid_hex, uint8_t life_cycle, const std::string& privileges_hex) {
    return encode_tlv(0xE3, {encode_tlv(0x4F, from_hex(aid_hex)), encode_tlv(0x9F70, bytes{life_cycle}),
                             encode_tlv(0xC5, from_hex(privileges_hex))});
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// One key component of PUT KEY data: type, length, key data, KCV length, KCV; `at` advances.
struct KeyComponent {
    uint8_t type;
    bytes key_data;
    bytes kcv;
};
KeyComponent read_component(const bytes& data, std::size_t& at) {
    REQUIRE(at + 2 <= data.size());
    KeyComponent c;
    c.type = data[at];
    const std::size_t length = data[at + 1];
    at += 2;
    REQUIRE(at + length + 1 <= data.size());
    c.key_data.assign(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
    const std::size_t kcv_length = data[at++];
    REQUIRE(kcv_length == 3);
    REQUIRE(at + kcv_length <= data.size());
    c.kcv.assign(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + kcv_length));
    at += kcv_length;
    return c;
}

}  // namespace

TEST_CASE("PUT KEY over SCP03: KVN, AES components encrypted under the DEK, KCVs; answer checked", "[gp]") {
    const std::size_t key_length = GENERATE(16, 24, 32);
    scp::StaticKeys keys{to_secure(crypto::random_bytes(key_length)), to_secure(crypto::random_bytes(key_length)),
                         to_secure(crypto::random_bytes(key_length))};
    const secure_bytes* sent[] = {&keys.enc, &keys.mac, &keys.dek};
    Fixture* fixture_ptr = nullptr;
    Fixture fixture(scp::Protocol::Scp03, 0x33, [&](const CommandApdu& plain) {
        CHECK(plain.cla() == 0x80);
        CHECK(plain.ins() == 0xD8);
        CHECK(plain.p1() == 0x30);  // the KVN replaced
        CHECK(plain.p2() == 0x81);  // several keys, first key id 1
        const bytes& data = plain.data();
        REQUIRE(!data.empty());
        CHECK(data[0] == 0x31);
        std::size_t at = 1;
        bytes answer{0x31};
        for (const secure_bytes* key : sent) {
            const KeyComponent c = read_component(data, at);
            CHECK(c.type == 0x88);
            const std::size_t padded = (key_length + 15) / 16 * 16;
            REQUIRE(c.key_data.size() == 1 + padded);
            CHECK(c.key_data[0] == key_length);
            const secure_bytes clear =
                fixture_ptr->fake->channel().decrypt_sensitive(bytes(c.key_data.begin() + 1, c.key_data.end()));
            CHECK(secure_bytes(clear.begin(), clear.begin() + static_cast<std::ptrdiff_t>(key_length)) == *key);
            CHECK(bytes(clear.begin() + static_cast<std::ptrdiff_t>(key_length), clear.end()) ==
                  bytes(padded - key_length, 0x00));
            CHECK(c.kcv == aes_kcv(*key));
            answer.insert(answer.end(), c.kcv.begin(), c.kcv.end());
        }
        CHECK(at == data.size());
        return ResponseApdu::ok(answer);
    });
    fixture_ptr = &fixture;
    GpClient gp(*fixture.session);
    const auto kcvs = gp.put_key({0x31, 0x30, keys, false});
    REQUIRE(kcvs.size() == 3);
    CHECK(kcvs[0] == aes_kcv(keys.enc));
    CHECK(kcvs[1] == aes_kcv(keys.mac));
    CHECK(kcvs[2] == aes_kcv(keys.dek));
    CHECK(fixture.seen.size() == 1);
}

TEST_CASE("PUT KEY adding a key set sends P1 00", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x03, [](const CommandApdu& plain) {
        CHECK(plain.p1() == 0x00);
        bytes answer{0x32};
        std::size_t at = 1;
        for (int i = 0; i < 3; ++i) {
            const bytes kcv = read_component(plain.data(), at).kcv;
            answer.insert(answer.end(), kcv.begin(), kcv.end());
        }
        return ResponseApdu::ok(answer);
    });
    GpClient gp(*fixture.session);
    const secure_bytes key = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    CHECK(gp.put_key({0x32, std::nullopt, {key, key, key}, false}).size() == 3);
}

TEST_CASE("PUT KEY: a KCV or KVN the card returns that differs is a SecureChannelError", "[gp]") {
    const secure_bytes enc = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    const secure_bytes mac = secure_from_hex("101112131415161718191A1B1C1D1E1F");
    const secure_bytes dek = secure_from_hex("202122232425262728292A2B2C2D2E2F");
    SECTION("KCV of key 2") {
        Fixture fixture(scp::Protocol::Scp03, 0x33, [&](const CommandApdu&) {
            return ResponseApdu::ok(concat({bytes{0x31}, aes_kcv(enc), bytes{0xDE, 0xAD, 0x00}, aes_kcv(dek)}));
        });
        GpClient gp(*fixture.session);
        CHECK_THROWS_MATCHES(gp.put_key({0x31, 0x30, {enc, mac, dek}, false}), SecureChannelError,
                             Catch::Matchers::Message("PUT KEY: card returned KCV DEAD00 for key 2, expected " +
                                                      to_hex(aes_kcv(mac))));
    }
    SECTION("KVN") {
        Fixture fixture(scp::Protocol::Scp03, 0x33, [&](const CommandApdu&) {
            return ResponseApdu::ok(concat({bytes{0x30}, aes_kcv(enc), aes_kcv(mac), aes_kcv(dek)}));
        });
        GpClient gp(*fixture.session);
        CHECK_THROWS_WITH(gp.put_key({0x31, 0x30, {enc, mac, dek}, false}),
                          Catch::Matchers::Contains("card returned KVN 30, expected 31"));
    }
}

TEST_CASE("PUT KEY refused: SwError naming the command and the status word", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x01, [](const CommandApdu&) { return ResponseApdu(0x6982); });
    GpClient gp(*fixture.session);
    const secure_bytes key = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    try {
        gp.put_key({0x31, 0x30, {key, key, key}, false});
        FAIL("no exception");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6982);
        CHECK(std::string(e.what()) == "PUT KEY: 6982 security status not satisfied");
    }
}

TEST_CASE("PUT KEY arguments: key lengths and KVN are checked before anything is sent", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu&) { return ResponseApdu(0x6F00); });
    GpClient gp(*fixture.session);
    const secure_bytes k16 = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    const secure_bytes k15(15, 0x11);
    CHECK_THROWS_AS(gp.put_key({0x31, 0x30, {k16, k15, k16}, false}), ArgumentError);
    CHECK_THROWS_AS(gp.put_key({0x00, 0x30, {k16, k16, k16}, false}), ArgumentError);
    CHECK_THROWS_AS(gp.put_key({0x31, 0x30, {secure_bytes(24, 1), k16, k16}, true}), ArgumentError);
    CHECK(fixture.seen.empty());
}

TEST_CASE("PUT KEY over SCP02: 3DES components encrypted under the session DEK, 3DES KCVs", "[gp]") {
    scp::StaticKeys keys{secure_from_hex("0123456789ABCDEFFEDCBA9876543210"),
                         secure_from_hex("00112233445566778899AABBCCDDEEFF"),
                         secure_from_hex("F0E1D2C3B4A5968778695A4B3C2D1E0F")};
    const secure_bytes* sent[] = {&keys.enc, &keys.mac, &keys.dek};
    Fixture* fixture_ptr = nullptr;
    Fixture fixture(scp::Protocol::Scp02, 0x03, [&](const CommandApdu& plain) {
        CHECK(plain.ins() == 0xD8);
        CHECK(plain.p1() == 0x20);
        CHECK(plain.p2() == 0x81);
        const bytes& data = plain.data();
        CHECK(data[0] == 0x21);
        std::size_t at = 1;
        bytes answer{0x21};
        for (const secure_bytes* key : sent) {
            const KeyComponent c = read_component(data, at);
            CHECK(c.type == 0x80);
            REQUIRE(c.key_data.size() == 16);
            CHECK(fixture_ptr->fake->channel().decrypt_sensitive(c.key_data) == *key);
            CHECK(c.kcv == des_kcv(*key));
            answer.insert(answer.end(), c.kcv.begin(), c.kcv.end());
        }
        CHECK(at == data.size());
        return ResponseApdu::ok(answer);
    });
    fixture_ptr = &fixture;
    GpClient gp(*fixture.session);
    const auto kcvs = gp.put_key({0x21, 0x20, keys, true});
    CHECK(kcvs == std::vector<bytes>{des_kcv(keys.enc), des_kcv(keys.mac), des_kcv(keys.dek)});
}

TEST_CASE("GET STATUS follows 6310 with P2 03 and collects every entry", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu& plain) {
        CHECK(plain.cla() == 0x80);
        CHECK(plain.ins() == 0xF2);
        CHECK(plain.p1() == 0x40);
        CHECK(plain.data() == bytes{0x4F, 0x00});
        CHECK(plain.has_le());
        if (plain.p2() == 0x02) {
            return ResponseApdu(concat({entry("A0000000990101", 0x07, "000000"), entry("A0000000990102", 0x0F, "800000")}),
                                0x6310);
        }
        CHECK(plain.p2() == 0x03);
        return ResponseApdu(entry("A00000009902", 0x07, "000000"), 0x9000);
    });
    GpClient gp(*fixture.session);
    const auto entries = gp.get_status(0x40);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].aid == from_hex("A0000000990101"));
    CHECK(entries[1].life_cycle == 0x0F);
    CHECK(entries[1].privileges == from_hex("800000"));
    CHECK(entries[2].aid == from_hex("A00000009902"));
    CHECK(fixture.seen.size() == 2);
}

TEST_CASE("GET STATUS: 6A88 is an empty list for applications, an error for the ISD", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu&) { return ResponseApdu(0x6A88); });
    GpClient gp(*fixture.session);
    CHECK(gp.get_status(0x40).empty());
    CHECK(gp.get_status(0x20).empty());
    CHECK_THROWS_WITH(gp.get_status(0x80), Catch::Matchers::StartsWith("GET STATUS (P1 80): 6A88"));
}

TEST_CASE("GET STATUS: an entry without an AID is a FormatError", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu&) {
        return ResponseApdu::ok(encode_tlv(0xE3, {encode_tlv(0x9F70, bytes{0x07})}));
    });
    GpClient gp(*fixture.session);
    CHECK_THROWS_AS(gp.get_status(0x80), FormatError);
}

TEST_CASE("GET DATA key information parses every C0 entry", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu& plain) {
        CHECK(plain.ins() == 0xCA);
        CHECK(plain.p1p2() == 0x00E0);
        return ResponseApdu::ok(encode_tlv(0xE0, {encode_tlv(0xC0, from_hex("01308810")),
                                                  encode_tlv(0xC0, from_hex("02308810")),
                                                  encode_tlv(0xC0, from_hex("01208010"))}));
    });
    GpClient gp(*fixture.session);
    const auto keys = gp.key_information();
    REQUIRE(keys.size() == 3);
    CHECK(keys[0].id == 1);
    CHECK(keys[0].kvn == 0x30);
    CHECK(keys[0].type == 0x88);
    CHECK(keys[0].length == 16);
    CHECK(keys[2].type == 0x80);
}

TEST_CASE("DELETE key: D2 KVN [D0 key id]; 6A88 names the command", "[gp]") {
    Fixture fixture(scp::Protocol::Scp03, 0x33, [](const CommandApdu& plain) {
        CHECK(plain.ins() == 0xE4);
        CHECK(plain.p1p2() == 0x0000);
        if (plain.data() == from_hex("D20131")) return ResponseApdu::ok({0x00});
        CHECK(plain.data() == from_hex("D20132D00102"));
        return ResponseApdu(0x6A88);
    });
    GpClient gp(*fixture.session);
    gp.delete_key(0x31);
    CHECK_THROWS_WITH(gp.delete_key(0x32, 0x02),
                      Catch::Matchers::StartsWith("DELETE KEY (KVN 32, key id 02): 6A88"));
}

TEST_CASE("STORE DATA: DGIs packed into blocks of at most 240 bytes, P1 bits, P2 numbering", "[gp]") {
    const bool encrypted = GENERATE(false, true);
    // Levels with and without C-DECRYPTION: the wrapped blocks must stay short APDUs either way.
    const auto [protocol, level] = GENERATE(std::pair{scp::Protocol::Scp03, uint8_t{0x33}},
                                            std::pair{scp::Protocol::Scp03, uint8_t{0x01}},
                                            std::pair{scp::Protocol::Scp02, uint8_t{0x03}},
                                            std::pair{scp::Protocol::Scp02, uint8_t{0x01}});
    const std::size_t cipher_block = protocol == scp::Protocol::Scp03 ? 16 : 8;
    std::vector<std::pair<uint16_t, bytes>> dgis{
        {0x0101, bytes(100, 0x11)}, {0x0102, bytes(100, 0x22)}, {0x8010, bytes(150, 0x33)},
        {0x8011, bytes(150, 0x55)}, {0x0103, bytes(5, 0x44)}};
    Fixture* fixture_ptr = nullptr;
    bytes stream;
    std::vector<uint8_t> p1s;
    Fixture fixture(protocol, level, [&](const CommandApdu& plain) {
        CHECK(plain.ins() == 0xE2);
        CHECK(plain.p2() == p1s.size());  // blocks numbered from 00
        CHECK(plain.data().size() <= 240);
        p1s.push_back(plain.p1());
        stream.insert(stream.end(), plain.data().begin(), plain.data().end());
        return ResponseApdu::ok();
    });
    fixture_ptr = &fixture;
    GpClient gp(*fixture.session);
    gp.store_data(dgis, encrypted);

    REQUIRE(p1s.size() >= 3);
    const uint8_t format = encrypted ? 0x68 : 0x08;  // b5-b4 01 DGI; b7-b6 11 encrypted
    for (std::size_t i = 0; i + 1 < p1s.size(); ++i) CHECK(p1s[i] == format);
    CHECK(p1s.back() == (format | 0x80));  // b8 on the last block only

    // The concatenated blocks are the DGIs in order: 2-byte DGI, length (FF + 2 bytes from 255).
    std::size_t at = 0;
    for (const auto& [dgi, value] : dgis) {
        REQUIRE(at + 3 <= stream.size());
        CHECK(read_u16(&stream[at]) == dgi);
        at += 2;
        std::size_t length = stream[at++];
        if (length == 0xFF) {
            length = read_u16(&stream[at]);
            at += 2;
        }
        REQUIRE(at + length <= stream.size());
        const bytes field(stream.begin() + static_cast<std::ptrdiff_t>(at),
                          stream.begin() + static_cast<std::ptrdiff_t>(at + length));
        at += length;
        if (encrypted) {
            CHECK(length % cipher_block == 0);
            const auto clear = scp::unpad80(to_bytes(fixture_ptr->fake->channel().decrypt_sensitive(field)));
            REQUIRE(clear);
            CHECK(*clear == value);
        } else {
            CHECK(field == value);
        }
    }
    CHECK(at == stream.size());
}

TEST_CASE("STORE DATA: a DGI never spans blocks; no DGIs or a DGI longer than a block is an ArgumentError", "[gp]") {
    std::vector<std::vector<std::size_t>> sizes;
    Fixture fixture(scp::Protocol::Scp03, 0x33, [&](const CommandApdu& plain) {
        sizes.push_back({plain.data().size()});
        return ResponseApdu::ok();
    });
    GpClient gp(*fixture.session);
    // 3 + 200 and 3 + 100: the second does not fit in the first block, so it starts the next one.
    gp.store_data({{0x0201, bytes(200, 0x01)}, {0x0202, bytes(100, 0x02)}});
    CHECK(sizes == std::vector<std::vector<std::size_t>>{{203}, {103}});
    CHECK_THROWS_AS(gp.store_data({}), ArgumentError);
    // The card reads each block on its own (specs/isd.md): a DGI of 300 bytes is refused, nothing sent.
    sizes.clear();
    CHECK_THROWS_AS(gp.store_data({{0x0203, bytes(10, 0x03)}, {0x8010, bytes(300, 0x33)}}), ArgumentError);
    CHECK(sizes.empty());
}

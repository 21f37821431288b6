// Tests of simkit::KeyStore (hostlib/src/keystore/keystore_client.cpp).
// Part 1, a scripted fake card: the exact APDUs against specs/keystore.md and the IoT SAFE layouts of
// ../shared/iotsafe-apdus.md, and the host's handling of the answers (6300 continuation, 33 40 r s
// to minimal DER checked with OpenSSL's own d2i/i2d, 63Cx/6983 to PinError).
// Part 2, the simulated card in memory: signatures verified with OpenSSL EVP_DigestVerify, ECDH
// against OpenSSL's EVP_PKEY_derive with a host key, the PIN down to blocked and back with the PUK.
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "simkit/card.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/tlv.hpp"
#include "simulated_card.hpp"
#include "vector_file.hpp"

using namespace simkit;

namespace {

// A card that answers from a script: each command is recorded, the handler answers it.
class ScriptedCard : public Transport {
public:
    using Handler = std::function<ResponseApdu(const CommandApdu&)>;
    explicit ScriptedCard(Handler handler, std::vector<bytes>& seen) : handler_(std::move(handler)), seen_(seen) {}
    bytes transmit(const bytes& raw) override {
        seen_.push_back(raw);
        return handler_(CommandApdu::parse(raw)).encode();
    }
    bytes atr() override { return from_hex("3B00"); }
    void reset() override {}
    std::string description() const override { return "scripted IoT SAFE card"; }

private:
    Handler handler_;
    std::vector<bytes>& seen_;
};

// The simulated card in memory behind the Transport interface.
class MemoryCard : public Transport {
public:
    MemoryCard() : card_(sim::make_memory_card()) {}
    bytes transmit(const bytes& raw) override { return card_->transmit(raw); }
    bytes atr() override { return card_->atr(); }
    void reset() override { card_->reset(); }
    std::string description() const override { return "memory card"; }

private:
    std::unique_ptr<sim::Card> card_;
};

ResponseApdu select_ok(const CommandApdu& c) {
    if (c.ins() == 0xA4) return ResponseApdu::ok(from_hex("6F098407A0000005590010"));
    return ResponseApdu(0x6D00);
}

// OpenSSL's own re-encoding of a DER ECDSA signature: i2d always writes the minimal form.
bytes openssl_reencode(const bytes& der) {
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    REQUIRE(sig != nullptr);
    REQUIRE(p == der.data() + der.size());
    unsigned char* out = nullptr;
    const int n = i2d_ECDSA_SIG(sig, &out);
    REQUIRE(n > 0);
    bytes result(out, out + n);
    OPENSSL_free(out);
    ECDSA_SIG_free(sig);
    return result;
}

// An EVP_PKEY for an uncompressed P-256 point, built with OpenSSL's EC_POINT (not simkit's ec.hpp).
struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
std::unique_ptr<EVP_PKEY, PkeyDeleter> openssl_public_key(const bytes& point) {
    // SubjectPublicKeyInfo for P-256: fixed 26-byte prefix then the 65-byte point.
    bytes der = from_hex("3059301306072A8648CE3D020106082A8648CE3D030107034200");
    der.insert(der.end(), point.begin(), point.end());
    const unsigned char* p = der.data();
    EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    REQUIRE(key != nullptr);
    return std::unique_ptr<EVP_PKEY, PkeyDeleter>(key);
}

bool openssl_verify(const bytes& point, const bytes& message, const bytes& der) {
    auto key = openssl_public_key(point);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    REQUIRE(ctx != nullptr);
    REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()) == 1);
    const int rc = EVP_DigestVerify(ctx, der.data(), der.size(), message.data(), message.size());
    EVP_MD_CTX_free(ctx);
    return rc == 1;
}

std::string hex_of(const bytes& b) { return to_hex(b); }

}  // namespace

TEST_CASE("PinError says the tries left and never the PIN", "[keystore-client]") {
    const PinError two(0x63C2, "PIN");
    CHECK(std::string(two.what()) == "PIN wrong: 2 tries left (63C2)");
    CHECK(two.tries_left() == 2);
    CHECK(two.sw() == 0x63C2);
    CHECK_FALSE(two.blocked());
    const PinError one(0x63C1, "PUK");
    CHECK(std::string(one.what()) == "PUK wrong: 1 try left (63C1)");
    const PinError last(0x63C0, "PIN");
    CHECK(std::string(last.what()) == "PIN wrong: no tries left (63C0); PIN blocked");
    const PinError blocked(0x6983, "PIN");
    CHECK(blocked.blocked());
    CHECK(blocked.tries_left() == 0);
    CHECK(std::string(blocked.what()).find("PIN blocked (6983") == 0);
    const SwError& as_sw = blocked;  // catchable as any card error
    CHECK(as_sw.sw() == 0x6983);
}

TEST_CASE("object list templates decode as specs/keystore.md lays them out", "[keystore-client]") {
    // C1 { 74 'device' 84 01 01 60 01 80 4A 01 01 4B 01 13 4E 01 01 61 01 07 92 01 04 91 02 0001 6F 01 01 }
    const bytes c1 = from_hex("C124" "7406646576696365" "840101" "600180" "4A0101" "4B0113" "4E0101" "610107" "920104"
                              "91020001" "6F0101");
    const bytes c3 = from_hex("C319" "7307636572742D3032" "830102" "600103" "4A0101" "2002012C" "210102");
    bytes list = c1;
    list.insert(list.end(), c3.begin(), c3.end());
    const auto objects = parse_object_list(list);
    REQUIRE(objects.size() == 2);
    CHECK(objects[0].kind == KeyStoreObject::Kind::PrivateKey);
    CHECK(objects[0].id == bytes{0x01});
    CHECK(objects[0].label == "device");
    CHECK(objects[0].pin_bound == true);
    CHECK(objects[0].crypto == 0x07);
    CHECK(objects[0].type == 0x13);
    CHECK(objects[0].hash_algos == 0x0001);
    CHECK(objects[0].agreement_algos == 0x01);
    CHECK(objects[1].kind == KeyStoreObject::Kind::File);
    CHECK(objects[1].label == "cert-02");
    CHECK(objects[1].file_size == 300);
    CHECK(objects[1].usage == 0x02);
    CHECK(objects[1].raw == c3);

    CHECK_THROWS_AS(parse_object_list(from_hex("C103600100")), FormatError);  // no ID
    CHECK_THROWS_AS(parse_object_list(from_hex("C105")), FormatError);        // truncated
}

TEST_CASE("list() follows 6300 with GET DATA 01 01", "[keystore-client]") {
    std::vector<bytes> seen;
    int part = 0;
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            REQUIRE(c.ins() == 0xCB);
            if (c.p1p2() == 0x0100) {
                part = 1;
                return ResponseApdu(from_hex("C106840101600100"), 0x6300);
            }
            REQUIRE(c.p1p2() == 0x0101);
            REQUIRE(part == 1);
            return ResponseApdu::ok(from_hex("C206850105600103"));
        },
        seen));
    KeyStore store(card);
    const auto objects = store.list();
    REQUIRE(objects.size() == 2);
    CHECK(objects[0].kind == KeyStoreObject::Kind::PrivateKey);
    CHECK(objects[1].kind == KeyStoreObject::Kind::PublicKey);
    CHECK(objects[1].id == bytes{0x05});
    REQUIRE(seen.size() == 3);
    CHECK(hex_of(seen[0]) == "00A4040007A000000559001000");
    CHECK(hex_of(seen[1]) == "00CB010000");
    CHECK(hex_of(seen[2]) == "00CB010100");
}

TEST_CASE("sign() sends mode 03 with the host's SHA-256 and returns minimal DER", "[keystore-client]") {
    std::vector<bytes> seen;
    // r with a leading zero byte and s with its top bit set: DER needs 31 bytes for r, 33 for s.
    const bytes r = from_hex("00" + std::string(62, '7'));
    const bytes s = from_hex("80" + std::string(62, '1'));
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0x2A) return ResponseApdu::ok();
            REQUIRE(c.ins() == 0x2B);
            bytes raw = r;
            raw.insert(raw.end(), s.begin(), s.end());
            return ResponseApdu::ok(encode_tlv(0x33, raw));
        },
        seen));
    KeyStore store(card);
    const bytes message(1500, 0x5A);
    const bytes der = store.sign(0x01, message);
    REQUIRE(seen.size() == 3);
    CHECK(hex_of(seen[1]) == "002A0001" "0D" "840101" "A10103" "91020001" "920104");
    CHECK(hex_of(seen[2]) == "002B8001" "22" "9E20" + to_hex(crypto::sha256(message)) + "00");
    CHECK(der == openssl_reencode(der));  // already minimal
    CHECK(der[3] == 31);                  // r without its leading zero
}

TEST_CASE("sign() in full-text mode splits long input into 9B UPDATE blocks", "[keystore-client]") {
    std::vector<bytes> seen;
    bytes received;
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0x2A) return ResponseApdu::ok();
            REQUIRE(c.ins() == 0x2B);
            const auto tlvs = parse_tlvs(c.data());
            REQUIRE(tlvs.size() == 1);
            REQUIRE(tlvs[0].tag == 0x9B);
            received.insert(received.end(), tlvs[0].value.begin(), tlvs[0].value.end());
            if (c.p1() == 0x00) return ResponseApdu::ok();
            REQUIRE(c.p1() == 0x80);
            return ResponseApdu::ok(encode_tlv(0x33, bytes(64, 0x11)));
        },
        seen));
    KeyStore store(card);
    bytes message(1024);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i);
    store.sign(0x02, message, SignMode::FullText);
    CHECK(received == message);
    CHECK(hex_of(seen[1]) == "002A0001" "0D" "840102" "A10101" "91020001" "920104");
    REQUIRE(seen.size() == 2 + 5);  // 1024 bytes in blocks of 240
    for (std::size_t i = 2; i + 1 < seen.size(); ++i) CHECK(seen[i][2] == 0x00);
    CHECK(seen.back()[2] == 0x80);
}

TEST_CASE("a failed UPDATE closes the signature session and keeps the status word", "[keystore-client]") {
    std::vector<bytes> seen;
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0x2A) return ResponseApdu::ok();
            return ResponseApdu(0x6982);
        },
        seen));
    KeyStore store(card);
    try {
        store.sign(0x01, bytes{1, 2, 3});
        FAIL("sign should throw");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6982);
        CHECK(std::string(e.what()) == "COMPUTE SIGNATURE UPDATE: 6982 security status not satisfied");
    }
    CHECK(hex_of(seen.back()) == "002A0101");
}

TEST_CASE("logical channel: MANAGE CHANNEL, commands on it, closed at the end", "[keystore-client]") {
    std::vector<bytes> seen;
    {
        Card card(std::make_unique<ScriptedCard>(
            [&](const CommandApdu& c) {
                if (c.ins() == 0x70 && c.p1() == 0x00) return ResponseApdu::ok(bytes{0x02});
                if (c.ins() == 0x70) return ResponseApdu::ok();
                if (c.ins() == 0xA4) return select_ok(c);
                if (c.ins() == 0x84) return ResponseApdu::ok(bytes(c.ne(), 0xA5));
                if (c.ins() == 0x20) return ResponseApdu(0x63C2);
                return ResponseApdu(0x6D00);
            },
            seen));
        KeyStoreOptions options;
        options.logical_channel = true;
        KeyStore store(card, options);
        CHECK(store.channel() == 2);
        CHECK(store.random(300).size() == 300);
        try {
            store.verify_pin(secure_bytes{'9', '9', '9', '9'});
            FAIL("verify_pin should throw");
        } catch (const PinError& e) {
            CHECK(e.tries_left() == 2);
            CHECK(std::string(e.what()) == "PIN wrong: 2 tries left (63C2)");
        }
    }
    REQUIRE(seen.size() == 6);
    CHECK(hex_of(seen[0]) == "0070000001");
    CHECK(hex_of(seen[1]) == "02A4040007A000000559001000");
    CHECK(hex_of(seen[2]) == "02840000FF");  // 255 then 45
    CHECK(hex_of(seen[3]) == "028400002D");
    CHECK(hex_of(seen[4]) == "0220000108" "39393939FFFFFFFF");
    CHECK(hex_of(seen[5]) == "00708002");
}

TEST_CASE("PIN commands and a PIN-bound GENERATE KEY PAIR on the wire", "[keystore-client]") {
    std::vector<bytes> seen;
    const auto pair = crypto::p256_generate();
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0xB9) {
                bytes answer = from_hex("840101850101");
                const bytes key = encode_tlv(0x34, {encode_tlv(0x49, {encode_tlv(0x86, pair.public_point)})});
                answer.insert(answer.end(), key.begin(), key.end());
                return ResponseApdu::ok(answer);
            }
            return ResponseApdu::ok();
        },
        seen));
    KeyStore store(card);
    CHECK(store.generate(0x01, true) == pair.public_point);
    CHECK(hex_of(seen.back()) == "00B9000006" "840101" "600180" "00");
    CHECK(store.generate(0x03) == pair.public_point);
    CHECK(hex_of(seen.back()) == "00B9000003" "840103" "00");
    store.change_pin(secure_bytes{'1', '2', '3', '4'}, secure_bytes{'4', '3', '2', '1', '0'});
    CHECK(hex_of(seen.back()) == "0024000110" "31323334FFFFFFFF" "3433323130FFFFFF");
    store.unblock_pin(secure_bytes{'1', '2', '3', '4', '5', '6', '7', '8'}, secure_bytes{'1', '2', '3', '4'});
    CHECK(hex_of(seen.back()) == "002C000110" "3132333435363738" "31323334FFFFFFFF");
    CHECK_THROWS_AS(store.verify_pin(secure_bytes{'1', '2'}), ArgumentError);
    CHECK_THROWS_AS(store.verify_pin(secure_bytes{'1', '2', 'a', '4'}), ArgumentError);
}

TEST_CASE("ecdh() puts the peer key in slot 05, then COMPUTE DH", "[keystore-client]") {
    std::vector<bytes> seen;
    const auto peer = crypto::p256_generate();
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0x46) return ResponseApdu::ok(bytes(32, 0x42));
            return ResponseApdu::ok();
        },
        seen));
    KeyStore store(card);
    const secure_bytes secret = store.ecdh(0x01, peer.public_point);
    CHECK(secret == to_secure(bytes(32, 0x42)));
    REQUIRE(seen.size() == 4);
    CHECK(hex_of(seen[1]) == "0024000103850105");
    CHECK(hex_of(seen[2]) == "00D8800147" "34454943864104" + to_hex(bytes(peer.public_point.begin() + 1, peer.public_point.end())));
    CHECK(hex_of(seen[3]) == "0046000006" "840101" "850105" "00");
    CHECK_THROWS_AS(store.ecdh(0x01, bytes(65, 0x04)), ArgumentError);  // not on the curve: nothing sent
    CHECK(seen.size() == 4);
}

// --- against the simulated card -------------------------------------------------------------

namespace {
bool keystore_installed(Card& card) {
    return card.transmit(CommandApdu::case4(0x00, 0xA4, 0x04, 0x00, from_hex("A0000005590010"), 256)).is_ok();
}
}  // namespace

TEST_CASE("simulated card: generate, read the public key, sign; OpenSSL verifies", "[keystore-client][sim]") {
    Card card(std::make_unique<MemoryCard>());
    REQUIRE(keystore_installed(card));
    KeyStore store(card);
    const bytes point = store.generate(0x01);
    CHECK(store.public_key(0x01) == point);
    CHECK(store.public_key_der(0x01) == crypto::public_key_to_der(point));
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1024}, std::size_t{5000}}) {
        bytes message(size);
        for (std::size_t i = 0; i < size; ++i) message[i] = static_cast<uint8_t>(i * 7);
        INFO("message of " << size << " bytes");
        const bytes der = store.sign(0x01, message);
        CHECK(der == openssl_reencode(der));
        CHECK(openssl_verify(point, message, der));
        const bytes full = store.sign(0x01, message, SignMode::FullText);
        CHECK(openssl_verify(point, message, full));
        CHECK(store.verify(0x01, message, der));
        bytes other = message;
        other.push_back(0x00);
        CHECK_FALSE(store.verify(0x01, other, der));
    }
    const auto objects = store.list();
    bool found = false;
    for (const auto& o : objects) {
        if (o.kind == KeyStoreObject::Kind::PrivateKey && o.id == bytes{0x01}) {
            found = true;
            CHECK(o.state == 0x01);
            CHECK(o.pin_bound == false);
        }
    }
    CHECK(found);
    CHECK(store.random(1000).size() == 1000);
}

TEST_CASE("simulated card: ECDH equals OpenSSL's derive with the card's public key", "[keystore-client][sim]") {
    Card card(std::make_unique<MemoryCard>());
    REQUIRE(keystore_installed(card));
    KeyStore store(card);
    const bytes card_point = store.generate(0x03);
    // The host's key pair made by OpenSSL directly.
    EVP_PKEY* host = EVP_EC_gen("P-256");
    REQUIRE(host != nullptr);
    std::unique_ptr<EVP_PKEY, PkeyDeleter> host_key(host);
    unsigned char* spki = nullptr;
    const int spki_len = i2d_PUBKEY(host, &spki);
    REQUIRE(spki_len > 65);
    const bytes host_point(spki + spki_len - 65, spki + spki_len);
    OPENSSL_free(spki);

    const secure_bytes on_card = store.ecdh(0x03, host_point);

    auto card_key = openssl_public_key(card_point);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(host, nullptr);
    REQUIRE(ctx != nullptr);
    REQUIRE(EVP_PKEY_derive_init(ctx) == 1);
    REQUIRE(EVP_PKEY_derive_set_peer(ctx, card_key.get()) == 1);
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_derive(ctx, nullptr, &len) == 1);
    bytes expected(len);
    REQUIRE(EVP_PKEY_derive(ctx, expected.data(), &len) == 1);
    EVP_PKEY_CTX_free(ctx);
    CHECK(to_hex(on_card) == to_hex(expected));
}

TEST_CASE("simulated card: wrong PIN down to blocked, unblock with the PUK, PIN-bound key", "[keystore-client][sim]") {
    Card card(std::make_unique<MemoryCard>());
    REQUIRE(keystore_installed(card));
    KeyStore store(card);
    store.generate(0x02, /*pin_bound=*/true);
    try {
        store.sign(0x02, bytes{1, 2, 3});
        FAIL("a PIN-bound key signed without the PIN");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6982);
    }
    const secure_bytes wrong{'0', '0', '0', '0'};
    for (int left : {2, 1, 0}) {
        try {
            store.verify_pin(wrong);
            FAIL("wrong PIN accepted");
        } catch (const PinError& e) {
            CHECK(e.tries_left() == left);
        }
    }
    CHECK(store.pin_tries_left() == 0);
    try {
        store.verify_pin(secure_bytes{'1', '2', '3', '4'});  // right PIN, but blocked
        FAIL("blocked PIN accepted");
    } catch (const PinError& e) {
        CHECK(e.blocked());
    }
    try {
        store.unblock_pin(secure_bytes{'8', '7', '6', '5', '4', '3', '2', '1'}, secure_bytes{'1', '2', '3', '4'});
        FAIL("wrong PUK accepted");
    } catch (const PinError& e) {
        CHECK(e.tries_left() == 9);
        CHECK(std::string(e.what()) == "PUK wrong: 9 tries left (63C9)");
    }
    store.unblock_pin(secure_bytes{'1', '2', '3', '4', '5', '6', '7', '8'}, secure_bytes{'5', '6', '7', '8'});
    // RESET RETRY COUNTER leaves the PIN verified on this channel: the bound key signs.
    const bytes point = store.public_key(0x02);
    const bytes message{1, 2, 3};
    CHECK(openssl_verify(point, message, store.sign(0x02, message)));
    // On a fresh channel the new PIN is needed again, and works.
    KeyStoreOptions options;
    options.logical_channel = true;
    KeyStore other(card, options);
    CHECK_THROWS_AS(other.sign(0x02, message), SwError);
    other.verify_pin(secure_bytes{'5', '6', '7', '8'});
    CHECK(openssl_verify(point, message, other.sign(0x02, message)));
    other.change_pin(secure_bytes{'5', '6', '7', '8'}, secure_bytes{'1', '2', '3', '4'});
    other.verify_pin(secure_bytes{'1', '2', '3', '4'});
    CHECK(other.pin_tries_left() == std::nullopt);  // verified on this channel
}

TEST_CASE("read_file() takes the size from GET DATA C3 and reads in chunks", "[keystore-client]") {
    std::vector<bytes> seen;
    bytes content(600);
    for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>(i * 3);
    Card card(std::make_unique<ScriptedCard>(
        [&](const CommandApdu& c) {
            if (c.ins() == 0xA4) return select_ok(c);
            if (c.ins() == 0xCB) {
                REQUIRE(c.p1p2() == 0xC300);
                REQUIRE(hex_of(c.data()) == "830102");
                return ResponseApdu::ok(from_hex("C310830102600103" "4A0101" "20020258" "210102"));
            }
            REQUIRE(c.ins() == 0xB0);
            REQUIRE(hex_of(c.data()) == "830102");
            const std::size_t offset = c.p1p2();
            const std::size_t n = std::min(c.ne(), content.size() - offset);
            return ResponseApdu::ok(bytes(content.begin() + offset, content.begin() + offset + n));
        },
        seen));
    KeyStore store(card);
    CHECK(store.read_file(0x02) == content);
    REQUIRE(seen.size() == 2 + 3);  // 255 + 255 + 90
    CHECK(hex_of(seen[2]) == "00B0000003830102FF");
    CHECK(hex_of(seen[3]) == "00B000FF03830102FF");
    CHECK(hex_of(seen[4]) == "00B001FE038301025A");
}

TEST_CASE("simulated card: HKDF on the card matches RFC 5869 test case 1; empty files read empty",
          "[keystore-client][sim]") {
    Card card(std::make_unique<MemoryCard>());
    KeyStore store(card);
    // RFC 5869 A.1: IKM 0x0b x 22, salt 000102..0c, info f0..f9, L 42.
    const secure_bytes okm = store.hkdf(to_secure(bytes(22, 0x0B)), from_hex("000102030405060708090A0B0C"),
                                        from_hex("F0F1F2F3F4F5F6F7F8F9"), 42);
    CHECK(to_hex(okm) ==
          "3CB25F25FAACD57A90434F64D0362F2A2D2D0A90CF1A5A4C5DB02D56ECC4C5BF34007208D5B887185865");
    CHECK(store.read_file(0x01).empty());
    try {
        store.public_key(0x05);  // the factory peer slot is empty
        FAIL("an empty public key slot answered");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6984);
    }
    const bytes point = store.generate(0x04);
    CHECK(store.public_key_pem(0x04) == crypto::public_key_to_pem(point));
    const crypto::Pkey evp = store.public_key_evp(0x04);
    REQUIRE(evp != nullptr);
    unsigned char* spki = nullptr;
    const int spki_len = i2d_PUBKEY(evp.get(), &spki);
    REQUIRE(spki_len > 65);
    CHECK(bytes(spki + spki_len - 65, spki + spki_len) == point);
    OPENSSL_free(spki);
}

TEST_CASE("simulated card: PRF and HKDF-Extract through the client match the published vectors",
          "[keystore-client][sim]") {
    Card card(std::make_unique<MemoryCard>());
    KeyStore store(card, KeyStoreOptions{true});  // on a logical channel
    for (const auto& v : test::read_vectors("tls12_prf_sha256.vec")) {
        bytes label_and_seed = v.hex("label");
        const bytes seed = v.hex("seed");
        label_and_seed.insert(label_and_seed.end(), seed.begin(), seed.end());
        CHECK(to_bytes(store.prf(to_secure(v.hex("secret")), label_and_seed, 100)) == v.hex("out"));
    }
    for (const auto& v : test::read_vectors("hkdf_sha256.vec")) {
        CHECK(to_bytes(store.hkdf_extract(to_secure(v.hex("ikm")), v.hex("salt"))) == v.hex("prk"));
    }
    CHECK_THROWS_AS(store.prf(secure_bytes(16, 1), {}, 32), ArgumentError);
    CHECK_THROWS_AS(store.prf(secure_bytes(16, 1), from_hex("00"), 256), ArgumentError);
    CHECK_THROWS_AS(store.hkdf_extract(secure_bytes{}, {}), ArgumentError);
    try {
        store.prf(0x01, from_hex("00"), 32);  // the factory secret slot is empty
        FAIL("an empty secret slot derived");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6984);
    }
}

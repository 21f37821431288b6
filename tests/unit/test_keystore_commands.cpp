// The IoT SAFE key store's commands as the Orange, Thales and wolfSSL clients send them
// (specs/keystore.md): signatures checked by OpenSSL on its own, ECDH against OpenSSL's derive,
// the object list walked by a TLV reader written here, and the status words of the negatives.
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "keystore_test_support.hpp"
#include "simkit/crypto.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
ResponseApdu cmd(sim::Card& card, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {}, std::size_t ne = 0) {
    const bytes raw = card.transmit(CommandApdu::make(cla, ins, p1, p2, data, ne).encode());
    REQUIRE(raw.size() >= 2);
    return ResponseApdu::parse(raw);
}

bytes generate(sim::Card& card, uint8_t id, const bytes& extra = {}) {
    bytes data{0x84, 0x01, id};
    data.insert(data.end(), extra.begin(), extra.end());
    const ResponseApdu r = cmd(card, 0x00, 0xB9, 0, 0, data, 256);
    REQUIRE(r.sw() == 0x9000);
    const bytes& d = r.data();
    REQUIRE(d.size() == 6 + 6 + 65);
    REQUIRE(bytes(d.begin(), d.begin() + 12) == bytes{0x84, 0x01, id, 0x85, 0x01, id, 0x34, 0x45, 0x49, 0x43, 0x86, 0x41});
    return bytes(d.begin() + 12, d.end());
}

bytes sign_init_data(uint8_t id, uint8_t mode) { return bytes{0x84, 0x01, id, 0xA1, 0x01, mode, 0x91, 0x02, 0x00, 0x01, 0x92, 0x01, 0x04}; }

// Signs `message` in mode 01 with UPDATE blocks of at most 200 bytes; returns r||s.
bytes sign_full_text(sim::Card& card, uint8_t id, const bytes& message, uint8_t cla = 0x00) {
    REQUIRE(cmd(card, cla, 0x2A, 0x01, 0x01, {}, 0).sw() == 0x9000);  // close first, as the clients do
    REQUIRE(cmd(card, cla, 0x2A, 0x00, 0x01, sign_init_data(id, 0x01)).sw() == 0x9000);
    std::size_t at = 0;
    for (;;) {
        const std::size_t n = std::min<std::size_t>(200, message.size() - at);
        const bool last = at + n == message.size();
        // BER length: 81 xx above 127 bytes.
        const bytes block = encode_tlv(0x9B, bytes(message.begin() + static_cast<std::ptrdiff_t>(at),
                                                    message.begin() + static_cast<std::ptrdiff_t>(at + n)));
        const ResponseApdu r = cmd(card, cla, 0x2B, last ? 0x80 : 0x00, 0x01, block, 256);
        REQUIRE(r.sw() == 0x9000);
        at += n;
        if (last) {
            REQUIRE(r.data().size() == 66);
            REQUIRE(r.data()[0] == 0x33);
            REQUIRE(r.data()[1] == 0x40);
            return bytes(r.data().begin() + 2, r.data().end());
        }
        REQUIRE(r.data().empty());
    }
}

bytes pubkey_template(const bytes& point) {
    bytes out{0x34, 0x45, 0x49, 0x43, 0x86, 0x41};
    out.insert(out.end(), point.begin(), point.end());
    return out;
}

// Minimal BER walk written for this test: 1-byte tags, short or 81 lengths.
struct Item {
    uint8_t tag;
    bytes value;
};
std::vector<Item> walk(const bytes& data) {
    std::vector<Item> out;
    for (std::size_t i = 0; i < data.size();) {
        REQUIRE(i + 2 <= data.size());
        const uint8_t tag = data[i++];
        std::size_t len = data[i++];
        if (len == 0x81) len = data[i++];
        REQUIRE(i + len <= data.size());
        out.push_back({tag, bytes(data.begin() + static_cast<std::ptrdiff_t>(i), data.begin() + static_cast<std::ptrdiff_t>(i + len))});
        i += len;
    }
    return out;
}
const Item* child(const std::vector<Item>& items, uint8_t tag) {
    for (const auto& item : items) if (item.tag == tag) return &item;
    return nullptr;
}
}  // namespace

TEST_CASE("a generated key signs full text and hashes; OpenSSL verifies", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    const bytes point = generate(*card, 0x01);
    const ResponseApdu pub = cmd(*card, 0x00, 0xCD, 0, 0, {0x85, 0x01, 0x01}, 256);
    REQUIRE(pub.sw() == 0x9000);
    REQUIRE(pub.data() == pubkey_template(point));

    bytes message(1500);
    for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i * 7);
    const bytes sig = sign_full_text(*card, 0x01, message);
    REQUIRE(openssl_verifies(point, message, sig));
    bytes other = message;
    other[0] ^= 1;
    REQUIRE_FALSE(openssl_verifies(point, other, sig));

    // Mode 03: the hash is given (Orange, Thales, wolfSSL).
    const bytes small = from_hex("48656C6C6F2C20494F5420534146452E");
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x00, sign_init_data(0x01, 0x03)).sw() == 0x9000);
    bytes block{0x9E, 0x20};
    const bytes digest = crypto::sha256(small);
    block.insert(block.end(), digest.begin(), digest.end());
    const ResponseApdu r = cmd(*card, 0x00, 0x2B, 0x80, 0x00, block, 256);
    REQUIRE(r.sw() == 0x9000);
    REQUIRE(r.data().size() == 66);
    REQUIRE(openssl_verifies(point, small, bytes(r.data().begin() + 2, r.data().end())));
    // The session ended with the answer.
    REQUIRE(cmd(*card, 0x00, 0x2B, 0x80, 0x00, block, 256).sw() == 0x6985);
}

TEST_CASE("the card verifies signatures: 9000 or 6D01", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    generate(*card, 0x02);
    const bytes message = from_hex("0102030405");
    const bytes sig = sign_full_text(*card, 0x02, message);
    const bytes digest = crypto::sha256(message);
    for (bool tamper : {false, true}) {
        bytes s = sig;
        if (tamper) s[10] ^= 0x01;
        bytes init{0x85, 0x01, 0x02, 0xA1, 0x01, 0x03, 0x91, 0x02, 0x00, 0x01, 0x92, 0x01, 0x04};
        REQUIRE(cmd(*card, 0x00, 0x2C, 0x00, 0x01, init).sw() == 0x9000);
        bytes update{0x9E, 0x20};
        update.insert(update.end(), digest.begin(), digest.end());
        update.push_back(0x33);
        update.push_back(0x40);
        update.insert(update.end(), s.begin(), s.end());
        REQUIRE(cmd(*card, 0x00, 0x2D, 0x80, 0x01, update).sw() == (tamper ? 0x6D01 : 0x9000));
    }
}

TEST_CASE("COMPUTE DH equals OpenSSL's derive with the host key", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    const bytes card_point = generate(*card, 0x04);

    EVP_PKEY* host = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    REQUIRE(host != nullptr);
    bytes host_point(65);
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(host, OSSL_PKEY_PARAM_PUB_KEY, host_point.data(), host_point.size(), &len) == 1);
    REQUIRE(len == 65);

    // PUT PUBLIC KEY into slot 05 (Thales: server ephemeral), wolfSSL-style in two blocks.
    REQUIRE(cmd(*card, 0x00, 0x24, 0x00, 0x02, {0x85, 0x01, 0x05}).sw() == 0x9000);
    const bytes tpl = pubkey_template(host_point);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x00, 0x02, bytes(tpl.begin(), tpl.begin() + 30)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x80, 0x02, bytes(tpl.begin() + 30, tpl.end())).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xCD, 0, 0, {0x85, 0x01, 0x05}, 256).data() == tpl);

    const ResponseApdu dh = cmd(*card, 0x00, 0x46, 0, 0, {0x84, 0x01, 0x04, 0x85, 0x01, 0x05}, 256);
    REQUIRE(dh.sw() == 0x9000);
    REQUIRE(dh.data().size() == 32);

    EVP_PKEY* peer = evp_public_key(card_point);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(host, nullptr);
    REQUIRE(EVP_PKEY_derive_init(ctx) == 1);
    REQUIRE(EVP_PKEY_derive_set_peer(ctx, peer) == 1);
    bytes shared(32);
    std::size_t shared_len = shared.size();
    REQUIRE(EVP_PKEY_derive(ctx, shared.data(), &shared_len) == 1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(host);
    REQUIRE(shared == dh.data());

    // A point not on the curve is refused.
    bytes bad = tpl;
    bad.back() ^= 0x01;
    REQUIRE(cmd(*card, 0x00, 0x24, 0x00, 0x02, {0x85, 0x01, 0x05}).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x80, 0x02, bad).sw() == 0x6A80);
}

TEST_CASE("the object list comes in parts with 6300 and shows the factory layout", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    generate(*card, 0x01);
    bytes all;
    int parts = 0;
    ResponseApdu r = cmd(*card, 0x00, 0xCB, 0x01, 0x00, {}, 256);
    for (;;) {
        ++parts;
        REQUIRE(r.data().size() <= 240);
        all.insert(all.end(), r.data().begin(), r.data().end());
        if (r.sw() == 0x9000) break;
        REQUIRE(r.sw() == 0x6300);
        r = cmd(*card, 0x00, 0xCB, 0x01, 0x01, {}, 256);
    }
    REQUIRE(parts >= 2);
    std::map<uint8_t, int> count;
    std::vector<uint8_t> order;
    for (const Item& object : walk(all)) {
        if (order.empty() || order.back() != object.tag) order.push_back(object.tag);
        ++count[object.tag];
        const auto fields = walk(object.value);
        if (object.tag == 0xC1 && child(fields, 0x84)->value == bytes{0x01}) {
            REQUIRE(child(fields, 0x74)->value == bytes{'d', 'e', 'v', 'i', 'c', 'e'});
            REQUIRE(child(fields, 0x4A)->value == bytes{0x01});  // filled
            REQUIRE(child(fields, 0x61)->value == bytes{0x07});
            REQUIRE(child(fields, 0x91)->value == bytes{0x00, 0x01});
        }
        if (object.tag == 0xC1 && child(fields, 0x84)->value == bytes{0x02}) REQUIRE(child(fields, 0x4A)->value == bytes{0x00});
        if (object.tag == 0xC3) REQUIRE(child(fields, 0x20)->value == bytes{0x00, 0x00});
    }
    REQUIRE(order == std::vector<uint8_t>{0xC1, 0xC2, 0xC4, 0xC3});
    REQUIRE(count[0xC1] == 4);
    REQUIRE(count[0xC2] == 5);
    REQUIRE(count[0xC3] == 3);
    REQUIRE(count[0xC4] == 1);

    const ResponseApdu one = cmd(*card, 0x00, 0xCB, 0xC1, 0x00, {0x74, 0x06, 'd', 'e', 'v', 'i', 'c', 'e'}, 256);
    REQUIRE(one.sw() == 0x9000);
    REQUIRE(walk(one.data()).at(0).tag == 0xC1);
    const ResponseApdu app = cmd(*card, 0x00, 0xCB, 0x00, 0x00, {}, 256);
    REQUIRE(app.sw() == 0x9000);
    REQUIRE(walk(app.data()).at(0).tag == 0x10);
}

TEST_CASE("wolfSSL's CLA 81 with implicit channel opening and trailing Le on case-3", "[keystore]") {
    auto card = sim::make_memory_card();
    REQUIRE(sw_of(*card, "01A4040007A0000005590010") == 0x9000);
    REQUIRE(sw_of(*card, "81B900000384010300") == 0x9000);
    REQUIRE(sw_of(*card, "81CD00000385010300") == 0x9000);
    REQUIRE(sw_of(*card, "812A010100") == 0x9000);  // close with a surplus Le
    const ResponseApdu rnd = send(*card, "8184000010");
    REQUIRE(rnd.data().size() == 16);
}

TEST_CASE("negatives: slots, usage, TLVs, sessions, P1P2", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(cmd(*card, 0x00, 0xB9, 0, 0, {0x84, 0x01, 0x09}, 256).sw() == 0x6A88);        // unknown slot
    REQUIRE(cmd(*card, 0x00, 0xB9, 0, 0, {0x84, 0x05, 0x01}, 256).sw() == 0x6A80);        // bad TLV
    REQUIRE(cmd(*card, 0x00, 0xB9, 0, 1, {0x84, 0x01, 0x01}, 256).sw() == 0x6A86);
    REQUIRE(cmd(*card, 0x00, 0xB9, 0, 0, {0x84, 0x01, 0x01, 0x60, 0x01, 0x01}, 256).sw() == 0x6A80);
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x01, sign_init_data(0x03, 0x01)).sw() == 0x6984);  // empty slot
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x01, sign_init_data(0x03, 0x02)).sw() == 0x6A80);  // mode 02
    REQUIRE(cmd(*card, 0x00, 0x2B, 0x80, 0x01, {0x9B, 0x01, 0x00}, 256).sw() == 0x6985);   // no session
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x02, 0x01, sign_init_data(0x03, 0x01)).sw() == 0x6A86);
    REQUIRE(cmd(*card, 0x00, 0xCB, 0x05, 0x00, {}, 256).sw() == 0x6A86);
    REQUIRE(cmd(*card, 0x00, 0x46, 0, 0, {0x84, 0x01, 0x01, 0x85, 0x01, 0x05}, 256).sw() == 0x6984);
    REQUIRE(cmd(*card, 0x00, 0xB0, 0, 0, {0x83, 0x01, 0x07}, 256).sw() == 0x6A88);
    REQUIRE(cmd(*card, 0x00, 0xB0, 0, 1, {0x83, 0x01, 0x02}, 256).sw() == 0x6B00);
    REQUIRE(cmd(*card, 0x00, 0x4A, 0, 0, {0x86, 0x01, 0x01, 0xD2, 0x00, 0xD3, 0x01, 0x20}, 256).sw() == 0x6984);
}

TEST_CASE("a key generated PIN-bound needs the PIN on the channel that uses it", "[keystore][pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    generate(*card, 0x01, {0x60, 0x01, 0x80});
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x01, sign_init_data(0x01, 0x01)).sw() == 0x6982);
    REQUIRE(sw_of(*card, "002000010831323334FFFFFFFF") == 0x9000);
    const bytes point = cmd(*card, 0x00, 0xCD, 0, 0, {0x85, 0x01, 0x01}, 256).data();
    const bytes sig = sign_full_text(*card, 0x01, from_hex("AABB"));
    REQUIRE(openssl_verifies(bytes(point.begin() + 6, point.end()), from_hex("AABB"), sig));
    REQUIRE(send(*card, "0070000001").data() == bytes{0x01});
    select_keystore(*card, 0x01);
    REQUIRE(cmd(*card, 0x01, 0x2A, 0x00, 0x01, sign_init_data(0x01, 0x01)).sw() == 0x6982);
    REQUIRE(cmd(*card, 0x01, 0x46, 0, 0, {0x84, 0x01, 0x01, 0x85, 0x01, 0x01}, 256).sw() == 0x6982);
    // Regenerating without 60 makes it free again.
    generate(*card, 0x01);
    REQUIRE(cmd(*card, 0x01, 0x2A, 0x00, 0x01, sign_init_data(0x01, 0x01)).sw() == 0x9000);
}

TEST_CASE("COMPUTE PRF and COMPUTE HKDF give the published TLS 1.2 PRF and RFC 5869 outputs", "[keystore]") {
    auto card = sim::make_memory_card();
    const auto prf = simkit::test::read_vectors("tls12_prf_sha256.vec").front();
    const bytes secret = prf.hex("secret");
    bytes label_and_seed = prf.hex("label");
    const bytes seed = prf.hex("seed");
    label_and_seed.insert(label_and_seed.end(), seed.begin(), seed.end());
    const bytes expected = prf.hex("out");  // 100 bytes
    {
        Personalizer p(*card);  // secret 01 gets the vector's secret (DGI 0104)
        REQUIRE(p.store(0x0104, cat(from_hex("860101"), encode_tlv(0x53, secret)), true) == 0x9000);
    }
    select_keystore(*card, 0x01);  // on a logical channel (implicit opening), as wolfSSL does
    const bytes tail = cat(encode_tlv(0xD2, label_and_seed), from_hex("D30164"));
    // The stored secret, and the same secret given in the command as D1 or as a pre-master secret D4.
    for (const bytes& source : {from_hex("860101"), encode_tlv(0xD1, secret), encode_tlv(0xD4, secret)}) {
        const ResponseApdu r = cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(source, tail), 256);
        REQUIRE(r.sw() == 0x9000);
        CHECK(r.data() == expected);
    }
    // With 91 02 00 01 (SHA-256) and P1 01 too; another hash is refused.
    CHECK(cmd(*card, 0x01, 0x48, 0x01, 0x00, cat(cat(from_hex("860101"), tail), from_hex("91020001")), 256).data() ==
          expected);
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(cat(from_hex("860101"), tail), from_hex("91020002")), 256).sw() == 0x6A80);
    // Negatives: no label/seed, no length, zero length, no secret, bad P1P2, unknown secret.
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(from_hex("860101"), from_hex("D30120")), 256).sw() == 0x6A80);
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(from_hex("860101"), encode_tlv(0xD2, label_and_seed)), 256).sw() == 0x6A80);
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(cat(from_hex("860101"), encode_tlv(0xD2, label_and_seed)), from_hex("D30100")),
              256).sw() == 0x6A80);
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, tail, 256).sw() == 0x6A80);
    CHECK(cmd(*card, 0x01, 0x48, 0x02, 0x00, cat(from_hex("860101"), tail), 256).sw() == 0x6A86);
    CHECK(cmd(*card, 0x01, 0x48, 0x00, 0x00, cat(from_hex("860109"), tail), 256).sw() == 0x6A88);

    // HKDF-Extract alone, as wolfSSL's TLS 1.3 port asks (81 4A 00 00 D1 ikm D5 salt 91 02 00 01):
    // the PRK of each RFC 5869 case.
    for (const auto& v : simkit::test::read_vectors("hkdf_sha256.vec")) {
        INFO(v.where());
        bytes data = encode_tlv(0xD1, v.hex("ikm"));
        if (!v.hex("salt").empty()) data = cat(data, encode_tlv(0xD5, v.hex("salt")));
        data = cat(data, from_hex("91020001"));
        const ResponseApdu r = cmd(*card, 0x81, 0x4A, 0x00, 0x00, data, 256);
        REQUIRE(r.sw() == 0x9000);
        CHECK(r.data() == v.hex("prk"));
    }
    CHECK(cmd(*card, 0x81, 0x4A, 0x00, 0x00, from_hex("D1020B0B91020004"), 256).sw() == 0x6A80);  // SHA-512: not here
    CHECK(cmd(*card, 0x81, 0x4A, 0x00, 0x00, from_hex("D1020B0BD20101"), 256).sw() == 0x6A80);    // info without length
}

TEST_CASE("truncated UPDATE sequences: a new INIT starts over, nothing of the abandoned part is kept", "[keystore]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    const bytes point = generate(*card, 0x01);
    const bytes first = bytes(150, 0xAA);
    const bytes second = bytes(90, 0x55);
    // COMPUTE SIGNATURE: INIT, a non-final UPDATE, then a new INIT on the same session and a final
    // UPDATE: the signature covers the second message alone (OpenSSL judges).
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x01, sign_init_data(0x01, 0x01)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x2B, 0x00, 0x01, encode_tlv(0x9B, first)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x01, sign_init_data(0x01, 0x01)).sw() == 0x9000);
    const ResponseApdu r = cmd(*card, 0x00, 0x2B, 0x80, 0x01, encode_tlv(0x9B, second), 256);
    REQUIRE(r.sw() == 0x9000);
    const bytes sig(r.data().begin() + 2, r.data().end());
    CHECK(openssl_verifies(point, second, sig));
    CHECK_FALSE(openssl_verifies(point, cat(first, second), sig));
    // A session closed after a non-final UPDATE (2A 01) leaves nothing to finish.
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x02, sign_init_data(0x01, 0x01)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x2B, 0x00, 0x02, encode_tlv(0x9B, first)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x01, 0x02).sw() == 0x9000);
    CHECK(cmd(*card, 0x00, 0x2B, 0x80, 0x02, encode_tlv(0x9B, second), 256).sw() == 0x6985);
    // So does a SELECT (the applet's sessions end with the selection).
    REQUIRE(cmd(*card, 0x00, 0x2A, 0x00, 0x03, sign_init_data(0x01, 0x01)).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x2B, 0x00, 0x03, encode_tlv(0x9B, first)).sw() == 0x9000);
    select_keystore(*card);
    CHECK(cmd(*card, 0x00, 0x2B, 0x80, 0x03, encode_tlv(0x9B, second), 256).sw() == 0x6985);

    // PUT PUBLIC KEY: the first half of a template, then a new INIT, then only the second half:
    // not a valid template (6A80), and the public key slot keeps what it had (empty).
    const bytes tpl = pubkey_template(point);
    const bytes head(tpl.begin(), tpl.begin() + 30);
    const bytes rest(tpl.begin() + 30, tpl.end());
    REQUIRE(cmd(*card, 0x00, 0x24, 0x00, 0x02, from_hex("850105")).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x00, 0x02, head).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0x24, 0x00, 0x02, from_hex("850105")).sw() == 0x9000);
    CHECK(cmd(*card, 0x00, 0xD8, 0x80, 0x02, rest).sw() == 0x6A80);
    CHECK(cmd(*card, 0x00, 0xCD, 0x00, 0x00, from_hex("850105"), 256).sw() == 0x6984);
    // The whole template in two blocks after a fresh INIT is stored.
    REQUIRE(cmd(*card, 0x00, 0x24, 0x00, 0x02, from_hex("850105")).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x00, 0x02, head).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x00, 0xD8, 0x80, 0x02, rest).sw() == 0x9000);
    CHECK(cmd(*card, 0x00, 0xCD, 0x00, 0x00, from_hex("850105"), 256).data() == tpl);
}

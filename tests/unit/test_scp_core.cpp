// Tests of the shared SCP03 / SCP02 core (scp.hpp, scp03.hpp, scp02.hpp) in both directions:
// pySim's recorded sessions (tests/vectors/scp_pysim.vec) replayed on the host side (session keys,
// card cryptogram, EXTERNAL AUTHENTICATE, wrapped commands, unwrapped GET EID answer) and on the card
// side (unwrapping each recorded command back to the plain one, wrapping the plain GET EID answer
// into the recorded one); then properties without published vectors: S16 round trips at every level,
// MACs that do not verify, pad80, and malformed INITIALIZE UPDATE answers.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp.hpp"
#include "simkit/scp02.hpp"
#include "simkit/scp03.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::CommandApdu;
using simkit::FormatError;
using simkit::from_hex;
using simkit::ResponseApdu;
using simkit::SecureChannelError;
using simkit::secure_bytes;
using simkit::to_hex;
using simkit::to_secure;
using simkit::test::Vector;
namespace scp = simkit::scp;
namespace scp02 = simkit::scp02;
namespace scp03 = simkit::scp03;

namespace {

const std::vector<Vector>& pysim_vectors() {
    static const std::vector<Vector> vectors = simkit::test::read_vectors("scp_pysim.vec");
    return vectors;
}

const Vector& plain_vector() {
    for (const auto& v : pysim_vectors()) {
        if (v.kind == "plain") return v;
    }
    throw std::runtime_error("scp_pysim.vec has no 'plain' line");
}

std::vector<Vector> sessions(const std::string& kind) {
    std::vector<Vector> out;
    for (const auto& v : pysim_vectors()) {
        if (v.kind == kind) out.push_back(v);
    }
    return out;
}

// Compares in hex so that a failure names the field and shows both values.
void check_field(const Vector& v, const std::string& field, const bytes& actual) {
    INFO(v.where() << " " << v.text("name") << " field " << field);
    CHECK(to_hex(actual) == to_hex(v.hex(field)));
}

void check_plain(const Vector& v, const std::string& plain_field, const CommandApdu& actual) {
    INFO(v.where() << " " << v.text("name") << ": unwrapped command should be plain " << plain_field);
    CHECK(to_hex(actual.encode()) == to_hex(plain_vector().hex(plain_field)));
}

scp::StaticKeys static_keys(const Vector& v) {
    return scp::StaticKeys{to_secure(v.hex("enc")), to_secure(v.hex("mac")), to_secure(v.hex("dek"))};
}

bytes host_challenge_of(const Vector& v) {
    const bytes iu = v.hex("iu");
    return bytes(iu.begin() + 5, iu.end() - 1);
}

uint8_t level_of(const Vector& v) { return v.hex("ea").at(2); }

CommandApdu command(const bytes& raw) { return CommandApdu::parse(raw); }

const char* const kCases[] = {"case1", "case2", "case3", "case4"};
const char* const kWrappedCases[] = {"c1", "c2", "c3", "c4"};

}  // namespace

TEST_CASE("pySim SCP03 sessions, host side: keys, cryptograms and wraps match the recording", "[scp]") {
    const Vector& plain = plain_vector();
    const auto all = sessions("scp03");
    REQUIRE(all.size() == 9);
    for (const auto& v : all) {
        INFO(v.where() << " " << v.text("name"));
        const bytes host_challenge = host_challenge_of(v);
        const uint8_t kvn = from_hex(v.text("kvn")).at(0);
        const uint8_t level = level_of(v);
        REQUIRE(host_challenge.size() == 8);

        // INITIALIZE UPDATE as the host builds it.
        check_field(v, "iu", CommandApdu::case4(0x80, scp::kInsInitializeUpdate, kvn, 0x00, host_challenge, 256).encode());

        // The card's answer: KDD, KVN, SCP 03, i=70 (pseudo-random challenge), sequence counter.
        const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
        CHECK(answer.protocol == scp::Protocol::Scp03);
        CHECK(answer.kvn == kvn);
        CHECK(answer.i == 0x70);
        CHECK(answer.key_diversification_data == bytes(10, 0x00));
        CHECK(answer.card_challenge.size() == 8);
        REQUIRE(answer.sequence_counter.has_value());
        check_field(v, "iur", answer.encode());

        const auto keys = scp03::derive_session_keys(static_keys(v), host_challenge, answer.card_challenge);
        CHECK(keys.enc.size() == v.hex("enc").size());
        {
            INFO("card cryptogram computed from the static keys should equal the one in iur");
            CHECK(to_hex(scp03::card_cryptogram(keys, host_challenge, answer.card_challenge, 8)) ==
                  to_hex(answer.card_cryptogram));
        }

        scp03::Scp03Channel host(keys, to_secure(v.hex("dek")), level, 8);
        const bytes host_cryptogram = scp03::host_cryptogram(keys, host_challenge, answer.card_challenge, 8);
        const auto external_authenticate =
            CommandApdu::case3(0x80, scp::kInsExternalAuthenticate, level, 0x00, host_cryptogram);
        check_field(v, "ea", host.wrap_external_authenticate(external_authenticate).encode());

        check_field(v, "eid", host.wrap_command(command(plain.hex("get_eid_cmd"))).encode());
        const auto unwrapped = host.unwrap_response(ResponseApdu(v.hex("eidr"), 0x9000));
        {
            INFO("unwrapped GET EID answer should be the plain get_eid_rsp");
            CHECK(to_hex(unwrapped.data()) == to_hex(plain.hex("get_eid_rsp")));
            CHECK(unwrapped.sw() == 0x9000);
        }
        for (int i = 0; i < 4; ++i) {
            check_field(v, kWrappedCases[i], host.wrap_command(command(plain.hex(kCases[i]))).encode());
        }
    }
}

TEST_CASE("pySim SCP03 sessions, card side: recorded commands unwrap to the plain ones", "[scp]") {
    const Vector& plain = plain_vector();
    for (const auto& v : sessions("scp03")) {
        INFO(v.where() << " " << v.text("name"));
        const bytes host_challenge = host_challenge_of(v);
        const uint8_t level = level_of(v);
        const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
        const auto keys = scp03::derive_session_keys(static_keys(v), host_challenge, answer.card_challenge);
        scp03::Scp03Channel card(keys, to_secure(v.hex("dek")), level, 8);

        const CommandApdu external_authenticate = card.unwrap_external_authenticate(command(v.hex("ea")));
        CHECK(external_authenticate.cla() == 0x80);
        CHECK(external_authenticate.ins() == scp::kInsExternalAuthenticate);
        CHECK(external_authenticate.p1() == level);
        {
            INFO("EXTERNAL AUTHENTICATE data should be the host cryptogram");
            CHECK(to_hex(external_authenticate.data()) ==
                  to_hex(scp03::host_cryptogram(keys, host_challenge, answer.card_challenge, 8)));
        }

        check_plain(v, "get_eid_cmd", card.unwrap_command(command(v.hex("eid"))));
        check_field(v, "eidr", card.wrap_response(ResponseApdu(plain.hex("get_eid_rsp"), 0x9000)).data());
        for (int i = 0; i < 4; ++i) check_plain(v, kCases[i], card.unwrap_command(command(v.hex(kWrappedCases[i]))));
    }
}

TEST_CASE("pySim SCP02 session: host wraps and card unwraps match the recording", "[scp]") {
    const Vector& plain = plain_vector();
    const auto all = sessions("scp02");
    REQUIRE(all.size() == 1);
    for (const auto& v : all) {
        INFO(v.where() << " " << v.text("name"));
        const bytes host_challenge = host_challenge_of(v);
        const uint8_t level = level_of(v);
        const uint8_t kvn = from_hex(v.text("kvn")).at(0);
        check_field(v, "iu", CommandApdu::case4(0x80, scp::kInsInitializeUpdate, kvn, 0x00, host_challenge, 256).encode());

        const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
        CHECK(answer.protocol == scp::Protocol::Scp02);
        REQUIRE(answer.sequence_counter.has_value());
        CHECK(*answer.sequence_counter == 0x0001);
        CHECK(answer.card_challenge.size() == 6);
        check_field(v, "iur", answer.encode());

        const uint16_t counter = static_cast<uint16_t>(*answer.sequence_counter);
        const auto keys = scp02::derive_session_keys(static_keys(v), counter);
        {
            INFO("card cryptogram computed from the static keys should equal the one in iur");
            CHECK(to_hex(scp02::card_cryptogram(keys, host_challenge, counter, answer.card_challenge)) ==
                  to_hex(answer.card_cryptogram));
        }
        const bytes host_cryptogram = scp02::host_cryptogram(keys, host_challenge, counter, answer.card_challenge);

        scp02::Scp02Channel host(keys, level);
        check_field(v, "ea",
                    host.wrap_external_authenticate(
                            CommandApdu::case3(0x80, scp::kInsExternalAuthenticate, level, 0x00, host_cryptogram))
                        .encode());
        for (int i = 0; i < 4; ++i) {
            check_field(v, kWrappedCases[i], host.wrap_command(command(plain.hex(kCases[i]))).encode());
        }

        scp02::Scp02Channel card(scp02::derive_session_keys(static_keys(v), counter), level);
        const CommandApdu external_authenticate = card.unwrap_external_authenticate(command(v.hex("ea")));
        CHECK(to_hex(external_authenticate.data()) == to_hex(host_cryptogram));
        CHECK(external_authenticate.cla() == 0x80);
        for (int i = 0; i < 4; ++i) check_plain(v, kCases[i], card.unwrap_command(command(v.hex(kWrappedCases[i]))));
    }
}

TEST_CASE("a flipped C-MAC bit in a recorded command is refused by the card side", "[scp]") {
    for (const auto& v : sessions("scp03")) {
        INFO(v.where() << " " << v.text("name"));
        const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
        const auto keys = scp03::derive_session_keys(static_keys(v), host_challenge_of(v), answer.card_challenge);
        scp03::Scp03Channel card(keys, to_secure(v.hex("dek")), level_of(v), 8);
        bytes ea = v.hex("ea");
        ea.back() ^= 0x01;
        CHECK_THROWS_AS(card.unwrap_external_authenticate(command(ea)), SecureChannelError);
    }
    const Vector v = sessions("scp02").at(0);
    const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
    scp02::Scp02Channel card(scp02::derive_session_keys(static_keys(v), static_cast<uint16_t>(*answer.sequence_counter)),
                             level_of(v));
    card.unwrap_external_authenticate(command(v.hex("ea")));
    bytes c3 = v.hex("c3");
    c3[6] ^= 0x80;  // a data byte: the MAC covers it
    CHECK_THROWS_AS(card.unwrap_command(command(c3)), SecureChannelError);
}

TEST_CASE("a flipped R-MAC bit in the recorded GET EID answer is refused by the host side", "[scp]") {
    const Vector& plain = plain_vector();
    for (const auto& v : sessions("scp03")) {
        if ((level_of(v) & scp::kRMac) == 0) continue;
        INFO(v.where() << " " << v.text("name"));
        const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
        const bytes host_challenge = host_challenge_of(v);
        const auto keys = scp03::derive_session_keys(static_keys(v), host_challenge, answer.card_challenge);
        scp03::Scp03Channel host(keys, to_secure(v.hex("dek")), level_of(v), 8);
        host.wrap_external_authenticate(CommandApdu::case3(
            0x80, scp::kInsExternalAuthenticate, level_of(v), 0x00,
            scp03::host_cryptogram(keys, host_challenge, answer.card_challenge, 8)));
        host.wrap_command(command(plain.hex("get_eid_cmd")));
        bytes eidr = v.hex("eidr");
        eidr.back() ^= 0x01;
        CHECK_THROWS_AS(host.unwrap_response(ResponseApdu(eidr, 0x9000)), SecureChannelError);
        // A response too short to carry an R-MAC is refused too; an error SW passes bare.
        CHECK_THROWS_AS(host.unwrap_response(ResponseApdu(bytes(7, 0x00), 0x9000)), SecureChannelError);
        CHECK(host.unwrap_response(ResponseApdu(0x6A88)) == ResponseApdu(0x6A88));
    }
}

TEST_CASE("SCP03 host and card channels round-trip every case at every level, S8 and S16", "[scp]") {
    const std::size_t key_length = GENERATE(16u, 24u, 32u);
    const std::size_t s = GENERATE(8u, 16u);
    const uint8_t level = GENERATE(uint8_t{0x01}, uint8_t{0x03}, uint8_t{0x11}, uint8_t{0x13}, uint8_t{0x33});
    INFO("key length " << key_length << ", S" << s << ", level " << to_hex(&level, 1));

    const scp::StaticKeys keys{to_secure(simkit::crypto::random_bytes(key_length)),
                               to_secure(simkit::crypto::random_bytes(key_length)),
                               to_secure(simkit::crypto::random_bytes(key_length))};
    const bytes host_challenge = simkit::crypto::random_bytes(s);
    const bytes card_challenge = simkit::crypto::random_bytes(s);
    const auto session_keys = scp03::derive_session_keys(keys, host_challenge, card_challenge);
    CHECK(scp03::card_cryptogram(session_keys, host_challenge, card_challenge, s).size() == s);
    const bytes host_cryptogram = scp03::host_cryptogram(session_keys, host_challenge, card_challenge, s);
    REQUIRE(host_cryptogram.size() == s);

    scp03::Scp03Channel host(session_keys, keys.dek, level, s);
    scp03::Scp03Channel card(scp03::derive_session_keys(keys, host_challenge, card_challenge), keys.dek, level, s);
    CHECK(host.mac_length() == s);

    const auto ea = CommandApdu::case3(0x80, scp::kInsExternalAuthenticate, level, 0x00, host_cryptogram);
    const auto wrapped_ea = host.wrap_external_authenticate(ea);
    CHECK(wrapped_ea.cla() == 0x84);
    CHECK(wrapped_ea.data().size() == s + s);  // cryptogram + C-MAC, never encrypted
    CHECK(card.unwrap_external_authenticate(wrapped_ea) == ea);

    const std::vector<CommandApdu> commands = {
        CommandApdu::case1(0x80, 0xF2, 0x20, 0x02),
        CommandApdu::case2(0x80, 0xCA, 0x00, 0x66, 256),
        CommandApdu::case3(0x80, 0xF2, 0x20, 0x02, from_hex("4F0212345C054F9F70C5")),
        CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256),
        CommandApdu::case3(0x80, 0xE2, 0x90, 0x00, bytes(16, 0xAB)),   // a whole block: padding adds one
        CommandApdu::case4(0x81, 0xCA, 0x00, 0xE0, bytes(200, 0x5A), 256),  // logical channel 1
    };
    const std::vector<ResponseApdu> answers = {
        ResponseApdu(0x9000),
        ResponseApdu::ok(from_hex("9F7001")),
        ResponseApdu(0x6A88),  // error SW: bare, no R-MAC
        ResponseApdu::ok(bytes(16, 0x11)),
        ResponseApdu(bytes(3, 0x22), 0x6310),
        ResponseApdu::ok(bytes(230, 0x33)),
    };
    for (std::size_t i = 0; i < commands.size(); ++i) {
        INFO("command " << i << ": " << to_hex(commands[i].encode()));
        const CommandApdu wrapped = host.wrap_command(commands[i]);
        CHECK((wrapped.cla() & 0x04) != 0);
        CHECK(wrapped.has_le() == commands[i].has_le());
        std::size_t expected_data = commands[i].data().size();
        if ((level & scp::kCDecryption) != 0 && expected_data != 0) expected_data = (expected_data / 16 + 1) * 16;
        CHECK(wrapped.data().size() == expected_data + s);
        CHECK(card.unwrap_command(CommandApdu::parse(wrapped.encode())) == commands[i]);

        const ResponseApdu wrapped_answer = card.wrap_response(answers[i]);
        if (!scp::response_is_protected(answers[i].sw())) CHECK(wrapped_answer == answers[i]);
        if ((level & scp::kRMac) != 0 && scp::response_is_protected(answers[i].sw())) {
            CHECK(wrapped_answer.data().size() >= s);
        }
        CHECK(host.unwrap_response(ResponseApdu::parse(wrapped_answer.encode())) == answers[i]);
    }
}

TEST_CASE("SCP03 with a flipped MAC bit: card refuses the command, host refuses the answer (S16)", "[scp]") {
    const scp::StaticKeys keys{to_secure(from_hex("404142434445464748494A4B4C4D4E4F")),
                               to_secure(from_hex("404142434445464748494A4B4C4D4E4F")),
                               to_secure(from_hex("404142434445464748494A4B4C4D4E4F"))};
    const bytes host_challenge(16, 0x01), card_challenge(16, 0x02);
    const auto session_keys = scp03::derive_session_keys(keys, host_challenge, card_challenge);
    scp03::Scp03Channel host(session_keys, keys.dek, 0x33, 16);
    scp03::Scp03Channel card(session_keys, keys.dek, 0x33, 16);

    const auto plain = CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, from_hex("4F00"), 256);
    bytes wire = host.wrap_command(plain).encode();
    wire[wire.size() - 2] ^= 0x40;  // inside the 16-byte C-MAC (the last byte is Le)
    CHECK_THROWS_AS(card.unwrap_command(CommandApdu::parse(wire)), SecureChannelError);

    // A fresh pair: the answer's R-MAC.
    scp03::Scp03Channel host2(session_keys, keys.dek, 0x33, 16);
    scp03::Scp03Channel card2(session_keys, keys.dek, 0x33, 16);
    card2.unwrap_command(host2.wrap_command(plain));
    bytes answer = card2.wrap_response(ResponseApdu::ok(from_hex("E3054F03A00000"))).encode();
    answer[answer.size() - 3] ^= 0x01;  // last R-MAC byte
    CHECK_THROWS_AS(host2.unwrap_response(ResponseApdu::parse(answer)), SecureChannelError);
    // An empty R-ENC answer is only the R-MAC, and unwraps to nothing.
    scp03::Scp03Channel host3(session_keys, keys.dek, 0x33, 16);
    scp03::Scp03Channel card3(session_keys, keys.dek, 0x33, 16);
    card3.unwrap_command(host3.wrap_command(plain));
    const ResponseApdu empty = card3.wrap_response(ResponseApdu(0x9000));
    CHECK(empty.data().size() == 16);
    CHECK(host3.unwrap_response(empty) == ResponseApdu(0x9000));
}

TEST_CASE("a command without secure messaging is refused inside a channel", "[scp]") {
    const secure_bytes key = to_secure(bytes(16, 0x40));
    const auto session_keys = scp03::derive_session_keys({key, key, key}, bytes(8, 1), bytes(8, 2));
    scp03::Scp03Channel card(session_keys, key, 0x01, 8);
    CHECK_THROWS_AS(card.unwrap_command(CommandApdu::parse(from_hex("80F2200208000102030405060700"))), SecureChannelError);
    CHECK_THROWS_AS(card.unwrap_command(CommandApdu::parse(from_hex("84F22002030102 03"))), SecureChannelError);
}

TEST_CASE("pad80 and unpad80 (ISO/IEC 9797-1 padding method 2)", "[scp]") {
    CHECK(to_hex(scp::pad80({}, 16)) == "80000000000000000000000000000000");
    CHECK(to_hex(scp::pad80(from_hex("0102"), 8)) == "0102800000000000");
    CHECK(scp::pad80(bytes(15, 0xAA), 16).size() == 16);
    CHECK(scp::pad80(bytes(16, 0xAA), 16).size() == 32);  // always at least one byte
    CHECK(scp::pad80(bytes(8, 0xAA), 8).size() == 16);
    for (std::size_t n = 0; n <= 33; ++n) {
        const bytes data(n, 0x80);  // data that itself ends in 80 survives
        CHECK(scp::unpad80(scp::pad80(data, 16)) == data);
    }
    CHECK(scp::unpad80(from_hex("0102030400000000")) == std::nullopt);
    CHECK(scp::unpad80(bytes(16, 0x00)) == std::nullopt);
    CHECK(scp::unpad80({}) == std::nullopt);
    CHECK(scp::unpad80(from_hex("80")) == bytes{});
}

TEST_CASE("InitUpdateResponse refuses malformed answers and round-trips well-formed ones", "[scp]") {
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse({}), FormatError);
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(bytes(11, 0x00)), FormatError);
    bytes scp01 = bytes(10, 0x00);
    scp01.insert(scp01.end(), {0x30, 0x01});
    scp01.resize(28, 0x00);
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(scp01), FormatError);  // SCP 01
    bytes scp03_no_i = bytes(10, 0x00);
    scp03_no_i.insert(scp03_no_i.end(), {0x30, 0x03});
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(scp03_no_i), FormatError);

    const bytes recorded = from_hex("000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002");
    bytes short_by_one(recorded.begin(), recorded.end() - 1);
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(short_by_one), FormatError);
    bytes scp02_long = from_hex("00000000000000000000700200016B4524ABEE7CF32EA3838BC148F3");
    scp02_long.push_back(0x00);
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(scp02_long), FormatError);

    // i=71: S16, so 13 + 16 + 16 (+ 3 counter) bytes; S8 lengths are refused.
    bytes s16 = from_hex("0102030405060708090A3003");
    s16.push_back(0x71);
    s16.resize(13 + 32, 0xCC);
    const auto random_s16 = scp::InitUpdateResponse::parse(s16);
    CHECK(random_s16.card_challenge.size() == 16);
    CHECK(random_s16.card_cryptogram.size() == 16);
    CHECK_FALSE(random_s16.sequence_counter.has_value());
    CHECK(random_s16.encode() == s16);
    s16.insert(s16.end(), {0x00, 0x01, 0x02});
    const auto counted = scp::InitUpdateResponse::parse(s16);
    CHECK(counted.sequence_counter == 0x000102u);
    CHECK(counted.encode() == s16);
    CHECK_THROWS_AS(scp::InitUpdateResponse::parse(bytes(s16.begin(), s16.begin() + 13 + 16)), FormatError);
}

TEST_CASE("parse_level names and hex", "[scp]") {
    CHECK(scp::parse_level("mac", scp::Protocol::Scp03) == 0x01);
    CHECK(scp::parse_level("mac-enc", scp::Protocol::Scp03) == 0x03);
    CHECK(scp::parse_level("full", scp::Protocol::Scp03) == 0x33);
    CHECK(scp::parse_level("full", scp::Protocol::Scp02) == 0x03);
    CHECK(scp::parse_level("13", scp::Protocol::Scp03) == 0x13);
    CHECK_THROWS_AS(scp::parse_level("33", scp::Protocol::Scp02), ArgumentError);
    CHECK_THROWS_AS(scp::parse_level("23", scp::Protocol::Scp03), ArgumentError);
    CHECK_THROWS_AS(scp::parse_level("everything", scp::Protocol::Scp03), ArgumentError);
}

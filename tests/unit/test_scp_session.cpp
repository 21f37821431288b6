// Tests of ScpSession (scp_session.hpp) over a scripted fake transport that replays the card answers
// pySim recorded (tests/vectors/scp_pysim.vec): with pySim's host challenge the session must send
// exactly pySim's bytes. Then the refusals: a wrong key stops before EXTERNAL AUTHENTICATE, a refused
// EXTERNAL AUTHENTICATE, an i parameter that cannot give the level, an R-MAC that does not verify
// (which ends the session), and the logical channel and exclusive access the session keeps.
#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp.hpp"
#include "simkit/scp03.hpp"
#include "simkit/scp_session.hpp"
#include "simkit/transport.hpp"
#include "vector_file.hpp"

using simkit::ArgumentError;
using simkit::bytes;
using simkit::Card;
using simkit::CommandApdu;
using simkit::from_hex;
using simkit::ResponseApdu;
using simkit::ScpOptions;
using simkit::ScpSession;
using simkit::SecureChannelError;
using simkit::SwError;
using simkit::to_hex;
using simkit::to_secure;
using simkit::test::Vector;
namespace scp = simkit::scp;
namespace scp03 = simkit::scp03;

namespace {

// A card that answers from a script (or a function) and records every command it was sent.
class ScriptedTransport : public simkit::Transport {
public:
    using Responder = std::function<bytes(const bytes& command)>;
    explicit ScriptedTransport(Responder responder) : responder_(std::move(responder)) {}

    bytes transmit(const bytes& command) override {
        sent.push_back(command);
        return responder_(command);
    }
    bytes atr() override { return from_hex("3B00"); }
    void reset() override {}
    std::string description() const override { return "scripted"; }
    std::unique_ptr<simkit::ExclusiveAccess> begin_exclusive() override {
        ++held;
        return std::make_unique<Token>(held);
    }

    std::vector<bytes> sent;
    int held = 0;

private:
    struct Token : simkit::ExclusiveAccess {
        explicit Token(int& count) : count_(count) {}
        ~Token() override { --count_; }
        int& count_;
    };
    Responder responder_;
};

// Answers in order; 6F00 once the script runs out.
ScriptedTransport::Responder script(std::vector<bytes> answers) {
    auto queue = std::make_shared<std::deque<bytes>>(answers.begin(), answers.end());
    return [queue](const bytes&) {
        if (queue->empty()) return from_hex("6F00");
        bytes answer = queue->front();
        queue->pop_front();
        return answer;
    };
}

bytes with_sw(bytes data, uint16_t sw) {
    simkit::append_u16(data, sw);
    return data;
}

const std::vector<Vector>& pysim_vectors() {
    static const std::vector<Vector> vectors = simkit::test::read_vectors("scp_pysim.vec");
    return vectors;
}

const Vector& find_vector(const std::string& name) {
    for (const auto& v : pysim_vectors()) {
        if (v.has("name") && v.text("name") == name) return v;
    }
    throw std::runtime_error("scp_pysim.vec has no session " + name);
}

const Vector& plain_vector() {
    for (const auto& v : pysim_vectors()) {
        if (v.kind == "plain") return v;
    }
    throw std::runtime_error("scp_pysim.vec has no 'plain' line");
}

scp::StaticKeys static_keys(const Vector& v) {
    return scp::StaticKeys{to_secure(v.hex("enc")), to_secure(v.hex("mac")), to_secure(v.hex("dek"))};
}

// The session options that make ScpSession repeat pySim's session: its host challenge, KVN, level.
ScpOptions pysim_options(const Vector& v) {
    const bytes iu = v.hex("iu");
    ScpOptions options;
    options.protocol = v.kind == "scp02" ? scp::Protocol::Scp02 : scp::Protocol::Scp03;
    options.kvn = iu.at(2);
    options.level = v.hex("ea").at(2);
    options.host_challenge = bytes(iu.begin() + 5, iu.end() - 1);
    return options;
}

const bytes kSelectIsd = from_hex("00A4040000");
const bytes kOk = from_hex("9000");
const bytes kReferenceNotFound = from_hex("6A88");
const char* const kCases[] = {"case1", "case2", "case3", "case4"};
const char* const kWrappedCases[] = {"c1", "c2", "c3", "c4"};

}  // namespace

TEST_CASE("ScpSession sends exactly pySim's bytes for pySim's host challenge (SCP03)", "[scp]") {
    const Vector& plain = plain_vector();
    for (const auto& v : pysim_vectors()) {
        if (v.kind != "scp03") continue;
        INFO(v.where() << " " << v.text("name"));
        // pySim recorded no answers to the case 1-4 commands: an error SW (sent bare, no R-MAC) stands in.
        auto transport = std::make_unique<ScriptedTransport>(
            script({kOk, with_sw(v.hex("iur"), 0x9000), kOk, with_sw(v.hex("eidr"), 0x9000), kReferenceNotFound,
                    kReferenceNotFound, kReferenceNotFound, kReferenceNotFound}));
        ScriptedTransport& wire = *transport;
        Card card(std::move(transport));
        ScpSession session(card, simkit::fixed_keys(static_keys(v)), pysim_options(v));
        CHECK(session.is_open());
        CHECK(session.level() == v.hex("ea").at(2));
        CHECK(session.card_info().kvn == v.hex("iu").at(2));

        const ResponseApdu eid = session.transmit(CommandApdu::parse(plain.hex("get_eid_cmd")));
        CHECK(to_hex(eid.data()) == to_hex(plain.hex("get_eid_rsp")));
        CHECK(eid.sw() == 0x9000);
        for (const char* name : kCases) {
            CHECK(session.transmit(CommandApdu::parse(plain.hex(name))).sw() == 0x6A88);
        }
        CHECK(session.is_open());

        REQUIRE(wire.sent.size() == 8);
        CHECK(to_hex(wire.sent[0]) == to_hex(kSelectIsd));
        CHECK(to_hex(wire.sent[1]) == to_hex(v.hex("iu")));
        CHECK(to_hex(wire.sent[2]) == to_hex(v.hex("ea")));
        CHECK(to_hex(wire.sent[3]) == to_hex(v.hex("eid")));
        for (int i = 0; i < 4; ++i) {
            INFO("field " << kWrappedCases[i]);
            CHECK(to_hex(wire.sent[4 + i]) == to_hex(v.hex(kWrappedCases[i])));
        }
    }
}

TEST_CASE("ScpSession sends exactly pySim's bytes for pySim's host challenge (SCP02)", "[scp]") {
    const Vector& plain = plain_vector();
    const Vector& v = find_vector("SCP02_01");
    auto transport = std::make_unique<ScriptedTransport>(
        script({with_sw(v.hex("iur"), 0x9000), kOk, kOk, with_sw(from_hex("9F7001"), 0x9000), kOk, kOk}));
    ScriptedTransport& wire = *transport;
    Card card(std::move(transport));
    ScpOptions options = pysim_options(v);
    options.select = false;
    ScpSession session(card, simkit::fixed_keys(static_keys(v)), options);
    CHECK(session.protocol() == scp::Protocol::Scp02);
    CHECK(session.transmit(CommandApdu::parse(plain.hex("case1"))) == ResponseApdu(0x9000));
    CHECK(session.transmit(CommandApdu::parse(plain.hex("case2"))) == ResponseApdu::ok(from_hex("9F7001")));
    session.transmit(CommandApdu::parse(plain.hex("case3")));
    session.transmit(CommandApdu::parse(plain.hex("case4")));
    REQUIRE(wire.sent.size() == 6);
    CHECK(to_hex(wire.sent[0]) == to_hex(v.hex("iu")));
    CHECK(to_hex(wire.sent[1]) == to_hex(v.hex("ea")));
    for (int i = 0; i < 4; ++i) {
        INFO("field " << kWrappedCases[i]);
        CHECK(to_hex(wire.sent[2 + i]) == to_hex(v.hex(kWrappedCases[i])));
    }
}

TEST_CASE("ScpSession with a wrong key refuses the card cryptogram before EXTERNAL AUTHENTICATE", "[scp]") {
    const Vector& v = find_vector("AES128_33");
    auto transport = std::make_unique<ScriptedTransport>(script({kOk, with_sw(v.hex("iur"), 0x9000), kOk}));
    ScriptedTransport& wire = *transport;
    Card card(std::move(transport));
    const auto wrong = simkit::single_key(to_secure(from_hex("404142434445464748494A4B4C4D4E4F")));
    try {
        ScpSession session(card, wrong, pysim_options(v));
        FAIL("the session opened with a wrong key");
    } catch (const SecureChannelError& e) {
        const std::string message = e.what();
        CHECK(message.find("card cryptogram does not match") != std::string::npos);
        CHECK(message.find("wrong key or key version") != std::string::npos);
        CHECK(message.find("KVN 30") != std::string::npos);
        CHECK(message.find("i=70") != std::string::npos);
    }
    REQUIRE(wire.sent.size() == 2);  // SELECT, INITIALIZE UPDATE; no EXTERNAL AUTHENTICATE
    CHECK(wire.sent[1][1] == scp::kInsInitializeUpdate);
    CHECK(wire.held == 0);  // exclusive access released with the failed session

    // SCP02: the same refusal, with the SCP02 wording.
    const Vector& v02 = find_vector("SCP02_01");
    auto transport02 = std::make_unique<ScriptedTransport>(script({kOk, with_sw(v02.hex("iur"), 0x9000), kOk}));
    ScriptedTransport& wire02 = *transport02;
    Card card02(std::move(transport02));
    CHECK_THROWS_WITH(ScpSession(card02, simkit::single_key(to_secure(bytes(16, 0x40))), pysim_options(v02)),
                      Catch::Contains("card cryptogram does not match") && Catch::Contains("SCP02"));
    CHECK(wire02.sent.size() == 2);
}

TEST_CASE("ScpSession refusals while opening", "[scp]") {
    const Vector& v = find_vector("AES128_11");
    const auto keys = simkit::fixed_keys(static_keys(v));

    SECTION("INITIALIZE UPDATE for an unknown KVN is an SwError with 6A88") {
        Card card(std::make_unique<ScriptedTransport>(script({kOk, kReferenceNotFound})));
        try {
            ScpSession session(card, keys, pysim_options(v));
            FAIL("opened");
        } catch (const SwError& e) {
            CHECK(e.sw() == 0x6A88);
            CHECK(std::string(e.what()).find("INITIALIZE UPDATE") != std::string::npos);
        }
    }
    SECTION("EXTERNAL AUTHENTICATE refused names the status word") {
        Card card(std::make_unique<ScriptedTransport>(script({kOk, with_sw(v.hex("iur"), 0x9000), from_hex("6982")})));
        CHECK_THROWS_WITH(ScpSession(card, keys, pysim_options(v)),
                          Catch::Contains("EXTERNAL AUTHENTICATE") && Catch::Contains("6982"));
    }
    SECTION("a level the card's i parameter cannot give") {
        bytes iur = v.hex("iur");
        iur[12] = 0x10;  // pseudo-random challenge, neither R-MAC nor R-ENC support
        auto transport = std::make_unique<ScriptedTransport>(script({kOk, with_sw(iur, 0x9000), kOk}));
        ScriptedTransport& wire = *transport;
        Card card(std::move(transport));
        CHECK_THROWS_WITH(ScpSession(card, keys, pysim_options(v)), Catch::Contains("R-MAC") && Catch::Contains("i=10"));
        CHECK(wire.sent.size() == 2);
        iur[12] = 0x30;  // R-MAC but no R-ENC: 33 refused
        Card card2(std::make_unique<ScriptedTransport>(script({kOk, with_sw(iur, 0x9000), kOk})));
        ScpOptions full = pysim_options(v);
        full.level = 0x33;
        CHECK_THROWS_WITH(ScpSession(card2, keys, full), Catch::Contains("R-ENCRYPTION"));
    }
    SECTION("an SCP02 answer to an SCP03 session, an S16 key set to an S8 session") {
        Card card(std::make_unique<ScriptedTransport>(
            script({kOk, with_sw(find_vector("SCP02_01").hex("iur"), 0x9000)})));
        CHECK_THROWS_WITH(ScpSession(card, keys, pysim_options(v)), Catch::Contains("SCP02 key set"));
        bytes s16 = from_hex("000000000000000000003003");
        s16.push_back(0x71);
        s16.resize(13 + 32, 0x00);
        Card card16(std::make_unique<ScriptedTransport>(script({kOk, with_sw(s16, 0x9000)})));
        CHECK_THROWS_WITH(ScpSession(card16, keys, pysim_options(v)), Catch::Contains("S16"));
    }
    SECTION("a malformed INITIALIZE UPDATE answer") {
        Card card(std::make_unique<ScriptedTransport>(script({kOk, with_sw(bytes(20, 0x00), 0x9000)})));
        CHECK_THROWS_AS(ScpSession(card, keys, pysim_options(v)), SecureChannelError);
    }
    SECTION("bad options are argument errors, before anything is sent") {
        auto transport = std::make_unique<ScriptedTransport>(script({}));
        ScriptedTransport& wire = *transport;
        Card card(std::move(transport));
        ScpOptions options = pysim_options(v);
        options.level = 0x23;
        CHECK_THROWS_AS(ScpSession(card, keys, options), ArgumentError);
        options = pysim_options(v);
        options.host_challenge = bytes(7, 0x00);
        CHECK_THROWS_AS(ScpSession(card, keys, options), ArgumentError);
        options = pysim_options(v);
        options.channel = 20;
        CHECK_THROWS_AS(ScpSession(card, keys, options), ArgumentError);
        CHECK(wire.sent.empty());
    }
}

TEST_CASE("an R-MAC that does not verify ends the session", "[scp]") {
    const Vector& plain = plain_vector();
    const Vector& v = find_vector("AES128_11");
    bytes eidr = v.hex("eidr");
    eidr.back() ^= 0x01;
    auto transport = std::make_unique<ScriptedTransport>(
        script({kOk, with_sw(v.hex("iur"), 0x9000), kOk, with_sw(eidr, 0x9000), kOk}));
    ScriptedTransport& wire = *transport;
    Card card(std::move(transport));
    {
        ScpSession session(card, simkit::fixed_keys(static_keys(v)), pysim_options(v));
        CHECK(wire.held == 1);
        CHECK_THROWS_AS(session.transmit(CommandApdu::parse(plain.hex("get_eid_cmd"))), SecureChannelError);
        CHECK_FALSE(session.is_open());
        CHECK_THROWS_WITH(session.transmit(CommandApdu::parse(plain.hex("case1"))), Catch::Contains("session closed"));
        CHECK(wire.sent.size() == 4);  // nothing sent after the failure
    }
    CHECK(wire.held == 0);
}

TEST_CASE("ScpSession on logical channel 1: every CLA carries the channel, MACs are unchanged", "[scp]") {
    const Vector& plain = plain_vector();
    const Vector& v = find_vector("AES128_11");
    auto transport = std::make_unique<ScriptedTransport>(
        script({kOk, with_sw(v.hex("iur"), 0x9000), kOk, with_sw(v.hex("eidr"), 0x9000)}));
    ScriptedTransport& wire = *transport;
    Card card(std::move(transport));
    ScpOptions options = pysim_options(v);
    options.channel = 1;
    options.security_domain_aid = from_hex("A000000151000000");
    ScpSession session(card, simkit::fixed_keys(static_keys(v)), options);

    std::vector<std::string> observed;
    session.set_observer([&](const CommandApdu& command, const bytes& wrapped, const bytes& wrapped_response,
                             const ResponseApdu& response) {
        observed = {to_hex(command.encode()), to_hex(wrapped), to_hex(wrapped_response), to_hex(response.encode())};
    });
    // The caller's CLA says channel 0; the session moves it to its channel.
    const ResponseApdu eid = session.transmit(CommandApdu::parse(plain.hex("get_eid_cmd")));
    CHECK(to_hex(eid.data()) == to_hex(plain.hex("get_eid_rsp")));

    REQUIRE(wire.sent.size() == 4);
    CHECK(to_hex(wire.sent[0]) == "01A4040008A00000015100000000");
    bytes iu = v.hex("iu"), ea = v.hex("ea"), eid_wrapped = v.hex("eid");
    iu[0] = 0x81;
    ea[0] = 0x85;
    eid_wrapped[0] = 0x85;
    CHECK(to_hex(wire.sent[1]) == to_hex(iu));
    CHECK(to_hex(wire.sent[2]) == to_hex(ea));
    CHECK(to_hex(wire.sent[3]) == to_hex(eid_wrapped));

    REQUIRE(observed.size() == 4);
    bytes plain_on_channel = plain.hex("get_eid_cmd");
    plain_on_channel[0] = 0x81;
    CHECK(observed[0] == to_hex(plain_on_channel));
    CHECK(observed[1] == to_hex(eid_wrapped));
    CHECK(observed[2] == to_hex(with_sw(v.hex("eidr"), 0x9000)));
    CHECK(observed[3] == to_hex(with_sw(plain.hex("get_eid_rsp"), 0x9000)));
}

TEST_CASE("ScpSession at level 33: an empty R-ENC answer unwraps to just the status word", "[scp]") {
    const Vector& plain = plain_vector();
    const Vector& v = find_vector("AES256_33");
    const ScpOptions options = pysim_options(v);
    const auto answer = scp::InitUpdateResponse::parse(v.hex("iur"));
    // The card side of the same session, from the shared core, answers the GET STATUS with 9000 only.
    auto card_channel = std::make_shared<scp03::Scp03Channel>(
        scp03::derive_session_keys(static_keys(v), *options.host_challenge, answer.card_challenge),
        to_secure(v.hex("dek")), options.level, 8);
    auto transport = std::make_unique<ScriptedTransport>([&, card_channel](const bytes& raw) {
        const CommandApdu command = CommandApdu::parse(raw);
        switch (command.ins()) {
            case 0xA4: return kOk;
            case scp::kInsInitializeUpdate: return with_sw(v.hex("iur"), 0x9000);
            case scp::kInsExternalAuthenticate:
                card_channel->unwrap_external_authenticate(command);
                return kOk;
            default:
                card_channel->unwrap_command(command);
                return card_channel->wrap_response(ResponseApdu(0x9000)).encode();
        }
    });
    Card card(std::move(transport));
    ScpSession session(card, simkit::fixed_keys(static_keys(v)), options);
    CHECK(session.transmit(CommandApdu::parse(plain.hex("case1"))) == ResponseApdu(0x9000));
    CHECK(session.transmit(CommandApdu::parse(plain.hex("case4"))) == ResponseApdu(0x9000));
    CHECK(session.is_open());
}

// Tests of the modem-side AT pieces: line collection (CR, LF, CR LF, backspace, length bound),
// command-line parsing per V.250 / 27.007 syntax, and AtInterpreter against a memory card whose
// answers are checked against a twin card driven directly (the independent truth for +CSIM/+CGLA).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "serve/at_command_line.hpp"
#include "serve/at_interpreter.hpp"
#include "simkit/bytes.hpp"
#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"
#include "simulated_card.hpp"

using namespace simkit;
using namespace simkit::sim;

namespace {
std::vector<AtLine> collect(const std::string& input) {
    AtLineCollector collector;
    std::vector<AtLine> lines;
    for (const char c : input) {
        if (auto line = collector.push(c)) lines.push_back(*line);
    }
    return lines;
}

struct ModemUnderTest {
    explicit ModemUnderTest(AtModemOptions options = {})
        : card(make_memory_card()), twin(make_memory_card()),
          modem(options, [this](const bytes& apdu) { return card->transmit(apdu); }) {}
    std::string run(const std::string& text) { return modem.execute(AtLine{text, false}); }
    std::unique_ptr<Card> card;
    std::unique_ptr<Card> twin;
    AtInterpreter modem;
};

std::string csim_line(const std::string& hex) { return "AT+CSIM=" + std::to_string(hex.size()) + ",\"" + hex + "\""; }
std::string expected_hex(const std::string& name, const bytes& response) {
    const std::string hex = to_hex(response);
    return "\r\n" + name + ": " + std::to_string(hex.size()) + ",\"" + hex + "\"\r\n\r\nOK\r\n";
}
}  // namespace

TEST_CASE("CR, LF and CR LF each end one line and empty lines are dropped", "[at]") {
    const auto lines = collect("AT\rATE0\r\nATI\n\r\n\rAT+CGMI\r");
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "AT");
    CHECK(lines[1].text == "ATE0");
    CHECK(lines[2].text == "ATI");
    CHECK(lines[3].text == "AT+CGMI");
}

TEST_CASE("backspace edits the line", "[at]") {
    const auto lines = collect("ATX\bE0\r");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].text == "ATE0");
}

TEST_CASE("an overlong line is reported once and the next line is whole again", "[at]") {
    const auto lines = collect(std::string(kMaxAtLineLength + 10, 'A') + "\rAT\r");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].too_long);
    CHECK(lines[0].text.size() == kMaxAtLineLength);
    CHECK_FALSE(lines[1].too_long);
    CHECK(lines[1].text == "AT");
}

TEST_CASE("basic commands: AT, ATE0, ATE1, ATE, ATI, case-insensitive", "[at]") {
    CHECK(parse_at_command_line("AT").basic.empty());
    const auto e0 = parse_at_command_line("ate0");
    REQUIRE(e0.basic.size() == 1);
    CHECK(e0.basic[0].letter == 'E');
    CHECK(e0.basic[0].value == 0);
    CHECK(parse_at_command_line("ATE1").basic[0].value == 1);
    CHECK(parse_at_command_line("ATE").basic[0].value == 0);
    const auto chain = parse_at_command_line("ATZ E0 V1");
    REQUIRE(chain.basic.size() == 3);
    CHECK(chain.basic[2].letter == 'V');
    CHECK_FALSE(chain.extended);
}

TEST_CASE("extended commands: action, set with a space after '=', test and read forms", "[at]") {
    const auto csim = parse_at_command_line("AT+CSIM= 10,\"00A4040000\"");
    REQUIRE(csim.extended == std::string("+CSIM"));
    CHECK(csim.form == AtForm::Set);
    REQUIRE(csim.parameters.size() == 2);
    CHECK(at_number(csim.parameters[0]) == 10ul);
    CHECK(csim.parameters[1].quoted);
    CHECK(csim.parameters[1].text == "00A4040000");
    CHECK(parse_at_command_line("at+cimi").form == AtForm::Action);
    CHECK(parse_at_command_line("AT+CCHO=?").form == AtForm::Test);
    CHECK(parse_at_command_line("AT+CCHO= ?").form == AtForm::Test);
    CHECK(parse_at_command_line("AT+CMEE?").form == AtForm::Read);
    const auto crsm = parse_at_command_line("AT+CRSM=176,28486,0,0,17");
    CHECK(crsm.parameters.size() == 5);
    const auto empty = parse_at_command_line("AT+CRSM=176,,0");
    REQUIRE(empty.parameters.size() == 3);
    CHECK(empty.parameters[1].text.empty());
}

TEST_CASE("leading noise is skipped, junk is refused", "[at]") {
    CHECK(parse_at_command_line("\x1a  AT").basic.empty());
    CHECK_THROWS_AS(parse_at_command_line("hello"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("A"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("ATX"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("AT+CSIM=4,\"00"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("AT+CSIM=4,\"0000\"x"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("AT+"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("AT+CIMI junk"), FormatError);
    CHECK_THROWS_AS(parse_at_command_line("ATE1234"), FormatError);
}

TEST_CASE("at_number takes unquoted decimal only", "[at]") {
    CHECK(at_number({"42", false}) == 42ul);
    CHECK_FALSE(at_number({"42", true}));
    CHECK_FALSE(at_number({"4a", false}));
    CHECK_FALSE(at_number({"", false}));
    CHECK_FALSE(at_number({"1234567890", false}));
}

TEST_CASE("result codes are framed by CR LF (V.250 verbose form)", "[at]") {
    CHECK(at_ok() == "\r\nOK\r\n");
    CHECK(at_error() == "\r\nERROR\r\n");
    CHECK(at_cme_error(50, false) == "\r\n+CME ERROR: 50\r\n");
    CHECK(at_cme_error(50, true) == "\r\n+CME ERROR: incorrect parameters\r\n");
}

TEST_CASE("interpreter: echo, ATI, +CGMI, unknown commands, +CME ERROR modes", "[at]") {
    ModemUnderTest m;
    CHECK(m.modem.echo());
    CHECK(m.run("AT") == "\r\nOK\r\n");
    CHECK(m.run("ATE0") == "\r\nOK\r\n");
    CHECK_FALSE(m.modem.echo());
    CHECK(m.run("ATE1") == "\r\nOK\r\n");
    CHECK(m.modem.echo());
    CHECK(m.run("ATE2") == "\r\nERROR\r\n");
    CHECK(m.run("AT+CGMI") == "\r\nsimkit\r\n\r\nOK\r\n");
    CHECK(m.run("AT+FOO") == "\r\nERROR\r\n");
    CHECK(m.run("nonsense") == "\r\nERROR\r\n");
    CHECK(m.run("AT+CRSM=203,28423") == "\r\n+CME ERROR: 4\r\n");  // RETRIEVE DATA: not offered
    CHECK(m.run("AT+CRSM=READ") == "\r\n+CME ERROR: 50\r\n");
    CHECK(m.run("AT+CMEE=2") == "\r\nOK\r\n");
    CHECK(m.run("AT+CRSM=203,28423") == "\r\n+CME ERROR: operation not supported\r\n");
    CHECK(m.run("AT+CMEE=0") == "\r\nOK\r\n");
    CHECK(m.run("AT+CRSM=203,28423") == "\r\nERROR\r\n");
    CHECK(m.modem.execute(AtLine{"AT", true}) == "\r\nERROR\r\n");
}

TEST_CASE("interpreter: +CSIM answers what the card answers", "[at]") {
    ModemUnderTest m;
    for (const std::string hex : {"00A4040008A000000151000000", "80CA00E000", "80CA00E005", "00DD0000", "00C0000000"}) {
        CHECK(m.run(csim_line(hex)) == expected_hex("+CSIM", m.twin->transmit(from_hex(hex))));
    }
    CHECK(m.run("AT+CSIM= 10,\"80ca00e000\"") == expected_hex("+CSIM", m.twin->transmit(from_hex("80CA00E000"))));
}

TEST_CASE("interpreter: +CSIM parameter errors give +CME ERROR: 50", "[at]") {
    ModemUnderTest m;
    CHECK(m.run("AT+CSIM=8,\"80CA00E000\"") == "\r\n+CME ERROR: 50\r\n");   // length counts hex digits
    CHECK(m.run("AT+CSIM=3,\"80C\"") == "\r\n+CME ERROR: 50\r\n");          // odd
    CHECK(m.run("AT+CSIM=4,\"ZZZZ\"") == "\r\n+CME ERROR: 50\r\n");         // not hex
    CHECK(m.run("AT+CSIM=0,\"\"") == "\r\n+CME ERROR: 50\r\n");
    CHECK(m.run("AT+CSIM=4") == "\r\n+CME ERROR: 50\r\n");
    CHECK(m.run("AT+CSIM") == "\r\nERROR\r\n");
}

TEST_CASE("interpreter: maximum APDU length and the no-space quirk", "[at]") {
    AtModemOptions options;
    options.max_apdu_length = 5;
    options.space_after_colon = false;
    ModemUnderTest m(options);
    const std::string hex = to_hex(m.twin->transmit(from_hex("80CA00E000")));
    CHECK(m.run(csim_line("80CA00E000")) == "\r\n+CSIM:" + std::to_string(hex.size()) + ",\"" + hex + "\"\r\n\r\nOK\r\n");
    CHECK(m.run(csim_line("00A4040008A000000151000000")) == "\r\n+CME ERROR: 24\r\n");
}

TEST_CASE("interpreter: +CCHO/+CGLA/+CCHC run the card's logical channel", "[at]") {
    ModemUnderTest m;
    const std::string opened = m.run("AT+CCHO=\"A000000151000000\"");
    REQUIRE(opened == "\r\n+CCHO: 1\r\n\r\nOK\r\n");
    REQUIRE(m.modem.sessions().at(1) == 1);
    // Twin: the same steps by hand.
    REQUIRE(to_hex(m.twin->transmit(from_hex("0070000001"))) == "019000");
    m.twin->transmit(from_hex("01A4040008A00000015100000000"));
    CHECK(m.run("AT+CGLA=1,10,\"80CA00E000\"") == expected_hex("+CGLA", m.twin->transmit(from_hex("81CA00E000"))));
    // A class byte that already names a channel is moved onto the session's channel.
    CHECK(m.run("AT+CGLA=1,10,\"83CA00E000\"") == expected_hex("+CGLA", m.twin->transmit(from_hex("81CA00E000"))));
    CHECK(m.run("AT+CGLA=7,10,\"80CA00E000\"") == "\r\n+CME ERROR: 21\r\n");
    CHECK(m.run("AT+CCHC=1") == "\r\nOK\r\n");
    CHECK(m.run("AT+CCHC=1") == "\r\n+CME ERROR: 21\r\n");
    // The channel is closed on the card: a command on it is refused there.
    CHECK(to_hex(m.card->transmit(from_hex("81CA00E000"))) == "6881");
}

TEST_CASE("interpreter: +CCHO of an unknown AID fails and leaves no channel open", "[at]") {
    ModemUnderTest m;
    CHECK(m.run("AT+CCHO=\"A0000000FFFF\"") == "\r\n+CME ERROR: 3\r\n");
    CHECK(m.modem.sessions().empty());
    CHECK(to_hex(m.card->transmit(from_hex("0070000001"))) == "019000");  // channel 1 is free again
    CHECK(m.run("AT+CCHO=\"A1\"") == "\r\n+CME ERROR: 3\r\n");
    CHECK(m.run("AT+CCHO=\"XYZ\"") == "\r\n+CME ERROR: 50\r\n");
}

TEST_CASE("interpreter: large session ids, bare +CCHO answers and URC injection", "[at]") {
    AtModemOptions options;
    options.large_session_ids = true;
    options.bare_ccho = true;
    options.unsolicited = "+CREG: 1";
    ModemUnderTest m(options);
    const std::string opened = m.run("AT+CCHO=\"A000000151000000\"");
    REQUIRE(m.modem.sessions().size() == 1);
    const unsigned long session = m.modem.sessions().begin()->first;
    CHECK(session > kMaxLogicalChannels);
    CHECK(opened == "\r\n+CREG: 1\r\n\r\n" + std::to_string(session) + "\r\n\r\n+CREG: 1\r\n\r\nOK\r\n");
    CHECK(m.run("AT+CGLA=1,10,\"80CA00E000\"") == "\r\n+CREG: 1\r\n\r\n+CME ERROR: 21\r\n");
    CHECK(m.run("AT+CCHC=" + std::to_string(session)) == "\r\n+CREG: 1\r\n\r\n+CREG: 1\r\n\r\nOK\r\n");
}

TEST_CASE("interpreter: +CIMI and +CRSM answer from the card's files", "[at][uicc]") {
    ModemUnderTest m;
    // EF.IMSI of a fresh card, decoded by hand (TS 31.102 4.2.2): 08 | 9 0 | 0 1 | 0 1 | ...
    CHECK(m.run("AT+CIMI") == "\r\n001010123456789\r\n\r\nOK\r\n");
    // READ BINARY of EF.IMSI (6F07 = 28423) and EF.ICCID (2FE2 = 12258); sw1,sw2 in decimal.
    CHECK(m.run("AT+CRSM=176,28423,0,0,9") == "\r\n+CRSM: 144,0,\"080910101032547698\"\r\n\r\nOK\r\n");
    CHECK(m.run("AT+CRSM=176,12258,0,0,10") == "\r\n+CRSM: 144,0,\"988812010000000000F3\"\r\n\r\nOK\r\n");
    // The same by path from the MF: 3F00 7FFF (the USIM ADF) 6F07.
    CHECK(m.run("AT+CRSM=176,28423,0,0,9,,\"3F007FFF\"") == "\r\n+CRSM: 144,0,\"080910101032547698\"\r\n\r\nOK\r\n");
    // READ RECORD 1 of EF.DIR (2F00 = 12032): the USIM application template.
    const std::string dir = m.run("AT+CRSM=178,12032,1,4,32");
    CHECK(dir.rfind("\r\n+CRSM: 144,0,\"61184F10A0000000871002", 0) == 0);
    // GET RESPONSE: the FCP of EF.IMSI (62 ... 82 02 41 21 83 02 6F 07 ...).
    const std::string fcp = m.run("AT+CRSM=192,28423");
    CHECK(fcp.rfind("\r\n+CRSM: 144,0,\"62", 0) == 0);
    CHECK(fcp.find("83026F07") != std::string::npos);
    // A missing file: the card's 6A82 as 106,130. UPDATE without ADM1: 6982 as 105,130.
    CHECK(m.run("AT+CRSM=176,28572,0,0,1") == "\r\n+CRSM: 106,130\r\n\r\nOK\r\n");
    CHECK(m.run("AT+CRSM=214,28542,0,0,1,\"00\"") == "\r\n+CRSM: 105,130\r\n\r\nOK\r\n");
    // STATUS: the FCP of the current application.
    CHECK(m.run("AT+CRSM=242,0,0,0,0").rfind("\r\n+CRSM: 144,0,\"62", 0) == 0);
    CHECK(m.run("AT+CRSM=176") == "\r\n+CME ERROR: 50\r\n");             // no file id
    CHECK(m.run("AT+CRSM=214,28542,0,0,1,\"0\"") == "\r\n+CME ERROR: 50\r\n");  // odd hex
}

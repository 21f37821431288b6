// The modem side of the AT dialect, without any I/O: collecting command lines from the bytes a
// client sends, splitting a line into basic commands and one extended command with parameters,
// and formatting result codes (3GPP TS 27.007, ITU-T V.250). specs/at-modem.md describes it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simkit/apdu.hpp"

namespace simkit::sim {

// Longest command line kept: AT+CGLA with a maximal extended APDU in hex, plus room.
constexpr std::size_t kMaxAtLineLength = 2 * (CommandApdu::kMaxExtendedNc + 9) + 64;

struct AtLine {
    std::string text;
    bool too_long = false;  // the line overflowed kMaxAtLineLength; `text` holds its start only
};

// Collects bytes into command lines. CR or LF ends a line (so CR LF gives one line, never an
// extra empty command); empty lines are dropped; backspace (0x08) deletes the last character.
class AtLineCollector {
public:
    // Feeds one byte; returns the completed line when this byte ended a non-empty one.
    std::optional<AtLine> push(char c);

private:
    std::string buffer_;
    bool overflow_ = false;
};

// One parameter of an extended command: a quoted string or a bare token (number).
struct AtParameter {
    std::string text;
    bool quoted = false;
};

enum class AtForm {
    Action,  // AT+CIMI
    Set,     // AT+CSIM=...
    Test,    // AT+CSIM=?
    Read,    // AT+CMEE?
};

struct AtBasicCommand {
    char letter;     // upper-case: E, I, Z, V, Q
    int value = 0;   // the digits after it, 0 when none
};

struct AtCommandLine {
    std::vector<AtBasicCommand> basic;       // in order, before the extended command
    std::optional<std::string> extended;     // upper-case name with '+', e.g. "+CSIM"
    AtForm form = AtForm::Action;
    std::vector<AtParameter> parameters;     // for AtForm::Set
};

// Parses one line ("AT", "ATE0", "ATI", "AT+CSIM= 10,\"00A4...\""). Leading spaces and control
// characters are skipped; the "AT" prefix is case-insensitive. Throws FormatError when the line
// is not an AT command or its syntax is broken (unterminated string, junk after a basic command).
AtCommandLine parse_at_command_line(std::string_view line);

// Parameter as a non-negative integer (decimal); nothing when empty, quoted or not a number.
std::optional<unsigned long> at_number(const AtParameter& parameter);

// Result codes and information responses in verbose form (V1): "\r\n<text>\r\n".
std::string at_line(std::string_view text);
std::string at_ok();
std::string at_error();
// "+CME ERROR: <code>" (numeric, AT+CMEE=1) or "+CME ERROR: <text>" (verbose, AT+CMEE=2).
std::string at_cme_error(int code, bool verbose);
// The 27.007 (9.2.1) text of the codes the modem uses.
const char* at_cme_error_text(int code);

// +CME ERROR codes the modem uses (3GPP TS 27.007 9.2.1).
namespace cme {
constexpr int kOperationNotAllowed = 3;
constexpr int kOperationNotSupported = 4;
constexpr int kSimFailure = 13;
constexpr int kInvalidIndex = 21;
constexpr int kTextStringTooLong = 24;
constexpr int kIncorrectParameters = 50;
}  // namespace cme

}  // namespace simkit::sim

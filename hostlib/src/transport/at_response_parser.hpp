// The host side of the AT dialect, without any I/O: collects what a modem sends after one command
// into its reply (information lines, final result code), tolerating echo, blank lines and
// unsolicited result codes (URCs) interleaved; parses +CSIM/+CGLA hex answers and +CCHO session
// ids. The at: transport (at_transport.cpp) and the fuzz target drive it. specs/at-modem.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit::at {

// Longest line kept: a +CSIM answer carrying a maximal extended response in hex, plus room.
constexpr std::size_t kMaxReplyLineLength = 2 * (65536 + 2) + 64;

enum class AtResult { Pending, Ok, Error, CmeError };

struct AtReply {
    AtResult result = AtResult::Pending;
    std::vector<std::string> information;  // lines that answer the command (no echo, blanks, URCs)
    std::vector<std::string> unsolicited;  // URCs seen meanwhile (ignored)
    std::string final_line;                // "OK", "ERROR", "+CME ERROR: 50"
    std::optional<int> cme_code;           // +CME ERROR number; nothing for the verbose form
};

// Collects one command's reply. `command` is the line sent (without CR) so its echo can be
// recognised; `prefix` is the information prefix awaited ("+CSIM", "+CCHO", or empty). A line
// starting with '+' that is not the prefix, a final result code or an error is a URC.
class AtReplyCollector {
public:
    AtReplyCollector(std::string command, std::string prefix);

    // Feeds received bytes; returns true once the final result code has arrived. Bytes after it
    // are ignored. Throws FormatError when a line exceeds kMaxReplyLineLength.
    bool feed(std::string_view data);
    bool done() const noexcept { return reply_.result != AtResult::Pending; }
    const AtReply& reply() const noexcept { return reply_; }

private:
    void take_line(std::string_view line);

    std::string command_;
    std::string prefix_;
    std::string partial_;
    AtReply reply_;
};

// "+CSIM: 4,\"9000\"" / "+CSIM:4,9000" -> bytes 90 00. The length must count the hex digits.
// Throws FormatError naming what is wrong.
bytes parse_hex_answer(std::string_view line, std::string_view prefix);
// The response APDU from a reply's information lines (the first line with `prefix`); throws
// FormatError when there is none or it is malformed, or the response is shorter than a SW.
bytes response_from_reply(const AtReply& reply, std::string_view prefix);
// The session id from an AT+CCHO reply: "+CCHO: <n>", "+CCHO:<n>" or a bare "<n>" line.
unsigned long session_from_reply(const AtReply& reply);

// 27.007 text for the +CME ERROR codes modems commonly send, or "" when unknown.
std::string cme_error_meaning(int code);

}  // namespace simkit::at

// Fuzz target: the host's AT reply collector and answer parsers (what a hostile or broken modem
// can send). The first byte picks the awaited prefix and how the rest is split into reads;
// properties: no crash, no unbounded growth, and a collected reply's pieces parse or throw
// FormatError only.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "simkit/errors.hpp"
#include "transport/at_response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const char* const kPrefixes[] = {"+CSIM", "+CGLA", "+CCHO", ""};
    const std::string prefix = kPrefixes[data[0] % 4];
    const std::size_t chunk = 1 + (data[0] >> 2);
    const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

    simkit::at::AtReplyCollector collector("AT" + prefix + "=10,\"80CA00E000\"", prefix);
    try {
        for (std::size_t at = 0; at < wire.size() && !collector.done(); at += chunk) {
            collector.feed(wire.substr(at, chunk));
        }
    } catch (const simkit::FormatError&) {
        return 0;
    }
    const auto& reply = collector.reply();
    if (reply.result == simkit::at::AtResult::CmeError && reply.cme_code && *reply.cme_code < 0) std::abort();
    try {
        if (prefix == "+CCHO") {
            simkit::at::session_from_reply(reply);
        } else if (!prefix.empty()) {
            const auto response = simkit::at::response_from_reply(reply, prefix);
            if (response.size() < 2) std::abort();  // promised: always carries a status word
        }
    } catch (const simkit::FormatError&) {
    }
    for (const auto& line : reply.information) {
        try {
            simkit::at::parse_hex_answer(line, "+CSIM");
        } catch (const simkit::FormatError&) {
        }
    }
    return 0;
}

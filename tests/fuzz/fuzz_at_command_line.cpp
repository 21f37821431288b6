// Fuzz target: the modem side of AT — bytes as a client would type them, collected into lines
// and executed by AtInterpreter against an in-memory simulated card. The first byte picks the
// quirk switches. Properties: no crash, every executed line gets an answer that ends with a
// final result code (OK, ERROR or +CME ERROR), and the card keeps answering afterwards.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "serve/at_command_line.hpp"
#include "serve/at_interpreter.hpp"
#include "simulated_card.hpp"

namespace {
bool ends_with_final_result(const std::string& answer) {
    if (answer.size() < 4) return false;
    const auto last = answer.rfind("\r\n", answer.size() - 3);
    if (last == std::string::npos) return false;
    const std::string line = answer.substr(last + 2, answer.size() - last - 4);
    return line == "OK" || line == "ERROR" || line.rfind("+CME ERROR:", 0) == 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    simkit::sim::AtModemOptions options;
    options.echo = (data[0] & 1) != 0;
    options.space_after_colon = (data[0] & 2) != 0;
    options.large_session_ids = (data[0] & 4) != 0;
    options.bare_ccho = (data[0] & 8) != 0;
    options.max_apdu_length = (data[0] & 16) != 0 ? 20 : 0;
    if ((data[0] & 32) != 0) options.unsolicited = "+CREG: 1";

    auto card = simkit::sim::make_memory_card();
    simkit::sim::AtInterpreter modem(options, [&card](const simkit::bytes& apdu) { return card->transmit(apdu); });
    simkit::sim::AtLineCollector collector;
    for (size_t i = 1; i < size; ++i) {
        const auto line = collector.push(static_cast<char>(data[i]));
        if (!line) continue;
        if (!ends_with_final_result(modem.execute(*line))) std::abort();
    }
    const auto answer = card->transmit(simkit::bytes{0x80, 0xCA, 0x00, 0xE0, 0x00});
    if (answer.size() < 2) std::abort();
    return 0;
}

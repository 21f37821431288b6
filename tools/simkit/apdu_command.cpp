// `simkit apdu`: send APDUs in order in one card session and print each answer.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "simkit/apdu_trace.hpp"
#include "simkit/card.hpp"
#include "simkit/commands.hpp"
#include "simkit/json_writer.hpp"
#include "simkit/status_words.hpp"

namespace simkit::cli {

namespace {
struct ApduOptions {
    std::optional<std::string> card;
    std::vector<std::string> apdus;
    bool raw = false;
    bool json = false;
    bool trace = false;
};

int run_apdu(const ApduOptions& opt) {
    std::vector<bytes> commands;
    for (const auto& text : opt.apdus) commands.push_back(from_hex(text));  // all checked before any is sent

    Card card = Card::open(opt.card);
    if (opt.trace) {
        card.set_observer([](const bytes& command, const bytes& response) {
            std::cerr << "> " << trace_command(command) << "\n< " << trace_response(response) << "\n";
        });
    }
    std::string json = "[";
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const ResponseApdu response = ResponseApdu::parse(card.transmit_bytes(commands[i], !opt.raw));
        const std::string data = to_hex(response.data());
        char sw[5];
        std::snprintf(sw, sizeof sw, "%04X", static_cast<unsigned>(response.sw()));
        if (opt.json) {
            if (i > 0) json += ",";
            json += "\n  {\"command\": " + json_string(trace_command(commands[i])) + ", \"response\": " +
                    json_string(data) + ", \"sw\": " + json_string(sw) + ", \"meaning\": " +
                    json_string(sw_meaning(response.sw())) + "}";
        } else {
            std::cout << data << (data.empty() ? "" : " ") << sw << "\n";
        }
    }
    if (opt.json) std::cout << json << (commands.empty() ? "]" : "\n]") << "\n";
    return 0;
}
}  // namespace

void add_apdu_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<ApduOptions>();
    CLI::App* cmd = app.add_subcommand(
        "apdu",
        "Send APDUs (hex) in order in one card session and print '<data hex> <SW>' per APDU.\n"
        "Channels and selections carry over from one APDU to the next. 61xx is followed by GET RESPONSE\n"
        "and 6Cxx by a re-send with the right Le unless --raw. Exit 0 when every APDU was exchanged,\n"
        "whatever its status word.\n"
        "Example: simkit apdu --card sim:card.state 00A4040008A000000151000000 80CA006600");
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_option("apdus", opt->apdus, "command APDUs in hex (spaces allowed inside one argument)")->required();
    cmd->add_flag("--raw", opt->raw, "one exchange per APDU: no automatic GET RESPONSE or 6Cxx re-send");
    cmd->add_flag("--json", opt->json, "print a JSON array of {command, response, sw, meaning}");
    cmd->add_flag("--trace", opt->trace, "print every exchange on the wire to stderr (PINs and keys masked)");
    cmd->callback([opt, &exit_code] { exit_code = run_apdu(*opt); });
}

}  // namespace simkit::cli

// `simkit apdu`: send APDUs in order in one card session and print each answer.
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "simkit/answer_output.hpp"
#include "simkit/core/apdu_trace.hpp"
#include "simkit/card.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/progress.hpp"

namespace simkit::cli {

namespace {
struct ApduOptions {
    std::optional<std::string> card;
    std::vector<std::string> apdus;
    std::string file;
    bool raw = false;
    bool json = false;
    bool trace = false;
};

// APDUs of a script file ('-' = stdin): one hex APDU per line; '#' starts a comment; blank lines skipped.
std::vector<bytes> read_apdu_script(const std::string& path) {
    std::ifstream file;
    if (path != "-") {
        file.open(path);
        if (!file) throw FormatError("cannot read APDU script '" + path + "'");
    }
    std::istream& in = path == "-" ? std::cin : file;
    std::vector<bytes> commands;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string text = line.substr(0, line.find('#'));
        if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            commands.push_back(from_hex(text.substr(0, text.find_last_not_of(" \t\r") + 1)));
        } catch (const FormatError& e) {
            throw FormatError(path + ":" + std::to_string(number) + ": " + e.what());
        }
    }
    return commands;
}

int run_apdu(const ApduOptions& opt) {
    std::vector<bytes> commands;
    for (const auto& text : opt.apdus) commands.push_back(from_hex(text));  // all checked before any is sent
    if (!opt.file.empty()) {
        for (auto& command : read_apdu_script(opt.file)) commands.push_back(std::move(command));
    }
    if (commands.empty()) throw FormatError("no APDUs given: pass hex arguments or --file");

    Card card = Card::open(opt.card);
    if (opt.trace) {
        card.set_observer([](const bytes& command, const bytes& response) {
            std::cerr << "> " << trace_command(command) << "\n< " << trace_response(response) << "\n";
        });
    }
    AnswerPrinter printer(opt.json);
    Progress progress("APDUs", commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i, progress.advance()) {
        printer.add(commands[i], ResponseApdu::parse(card.transmit_bytes(commands[i], !opt.raw)));
    }
    printer.finish();
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
    cmd->add_option("apdus", opt->apdus, "command APDUs in hex (spaces allowed inside one argument)");
    cmd->add_option("--file", opt->file,
                    "also send the APDUs of a script file ('-' = stdin): one hex APDU per line, '#' comments;\n"
                    "a long batch shows its progress on a terminal");
    cmd->add_flag("--raw", opt->raw, "one exchange per APDU: no automatic GET RESPONSE or 6Cxx re-send");
    cmd->add_flag("--json", opt->json, "print a JSON array of {command, response, sw, meaning}");
    cmd->add_flag("--trace", opt->trace, "print every exchange on the wire to stderr (PINs and keys masked)");
    cmd->callback([opt, &exit_code] { exit_code = run_apdu(*opt); });
}

}  // namespace simkit::cli

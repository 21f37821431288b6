// `simkit readers`: the PC/SC readers pcscd knows, with card presence and ATR, in the order that
// pcsc:INDEX uses. Without pcscd it fails with one line naming SCARD_E_NO_SERVICE (exit 1).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/pcsc_readers.hpp"

namespace simkit::cli {

namespace {
std::string card_state(const PcscReaderInfo& reader) {
    if (!reader.card_present) return "no card";
    if (reader.card_exclusive) return "card (in exclusive use)";
    if (reader.card_in_use) return "card (in use)";
    return "card";
}

void print_readers_json(const std::vector<PcscReaderInfo>& readers) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const auto& r = readers[i];
        out.push_back({{"index", i},
                       {"name", r.name},
                       {"uri", "pcsc:" + std::to_string(i)},
                       {"card_present", r.card_present},
                       {"in_use", r.card_in_use},
                       {"exclusive", r.card_exclusive},
                       {"atr", r.card_present ? nlohmann::ordered_json(to_hex(r.atr)) : nlohmann::ordered_json(nullptr)}});
    }
    print_json(out);
}

void print_table(const std::vector<PcscReaderInfo>& readers) {
    if (readers.empty()) {
        std::cout << "no PC/SC readers\n";
        return;
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const auto& r = readers[i];
        std::cout << "pcsc:" << i << "  " << r.name << "  " << card_state(r);
        if (r.card_present) std::cout << "  ATR " << to_hex(r.atr);
        std::cout << "\n";
    }
}
}  // namespace

void add_readers_command(CLI::App& app, int& exit_code) {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "readers",
        "List the PC/SC readers pcscd knows, with card presence and ATR. The first column is the card\n"
        "URI of each reader (pcsc:INDEX); pcsc:NAME picks a reader by part of its name.\n"
        "pcscd is found through $PCSCLITE_CSOCK_NAME when set.");
    cmd->add_flag("--json", *json, "print a JSON array of {index, name, uri, card_present, in_use, exclusive, atr}");
    cmd->callback([json, &exit_code] {
        const auto readers = list_pcsc_readers();
        if (*json) {
            print_readers_json(readers);
        } else {
            print_table(readers);
        }
        exit_code = 0;
    });
}

}  // namespace simkit::cli

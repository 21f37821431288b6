// simkit-card: serves a simulated card to pcscd (vpcd driver) and as an AT modem on a pty.
// The serving front ends arrive with the transports issue; this entry point already opens and
// checks a state file so scripts can create cards ahead of time.
#include <iostream>

#include <CLI/CLI.hpp>

#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"
#include "simulated_card.hpp"

int main(int argc, char** argv) {
    CLI::App app{"simkit-card: a simulated SIM card daemon"};
    app.set_version_flag("--version", std::string("simkit-card ") + SIMKIT_VERSION);
    app.require_subcommand(1);
    std::string state_path;
    CLI::App* init = app.add_subcommand("init", "Create a card state file with factory defaults (or check an existing one)");
    init->add_option("--state", state_path, "state file path")->required();
    init->callback([&] {
        auto card = simkit::sim::open_simulated_card(state_path);
        std::cout << "card state " << state_path << " ok, ATR " << simkit::to_hex(card->atr()) << "\n";
    });
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const simkit::Error& e) {
        std::cerr << "simkit-card: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

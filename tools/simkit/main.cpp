// simkit: the host command line. Talks to a card named by a URI (sim:, pcsc:, at:).
#include <iostream>

#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"

int main(int argc, char** argv) {
    CLI::App app{"simkit: talk to SIM/eUICC cards — simulated (sim:), PC/SC readers (pcsc:) and AT modems (at:).\n"
                 "Card URIs: " +
                 std::string(simkit::card_uri_forms()) +
                 ".\nThe default card comes from $SIMKIT_CARD. Run 'simkit demo' for a guided tour."};
    app.set_version_flag("--version", std::string("simkit ") + SIMKIT_VERSION);
    app.require_subcommand(1);
    int exit_code = 0;
    simkit::cli::add_aka_command(app, exit_code);
    simkit::cli::add_apdu_command(app, exit_code);
    simkit::cli::add_demo_command(app, exit_code);
    simkit::cli::add_derive_command(app, exit_code);
    simkit::cli::add_euicc_command(app, exit_code);
    simkit::cli::add_gp_command(app, exit_code);
    simkit::cli::add_key_command(app, exit_code);
    simkit::cli::add_milenage_command(app, exit_code);
    simkit::cli::add_personalize_command(app, exit_code);
    simkit::cli::add_pin_command(app, exit_code);
    simkit::cli::add_read_command(app, exit_code);
    simkit::cli::add_readers_command(app, exit_code);
    simkit::cli::add_scp_commands(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : simkit::cli::kExitUsage;
    } catch (const simkit::FormatError& e) {
        std::cerr << "simkit: " << e.what() << "\n";
        return simkit::cli::kExitUsage;
    } catch (const simkit::ArgumentError& e) {
        std::cerr << "simkit: " << e.what() << "\n";
        return simkit::cli::kExitUsage;
    } catch (const simkit::Error& e) {
        std::cerr << "simkit: " << e.what() << "\n";
        return simkit::cli::kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "simkit: unexpected error: " << e.what() << "\n";
        return simkit::cli::kExitFailure;
    }
    return exit_code;
}

// The subcommands of `simkit`: each registers its options on the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

namespace simkit::cli {

// Exit codes: 0 success, 1 the operation failed (card unreachable, state refused), 2 bad input.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// `aka` (AUTHENTICATE on the card's USIM, relay or network mode).
void add_aka_command(CLI::App& app, int& exit_code);
void add_apdu_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_derive_command(CLI::App& app, int& exit_code);
// `euicc` (SGP.22 ES10 local profile management on the ISD-R; add-test-profile).
void add_euicc_command(CLI::App& app, int& exit_code);
void add_gp_command(CLI::App& app, int& exit_code);
// `key` (the IoT SAFE key store) and `pin` (the user PIN).
void add_key_command(CLI::App& app, int& exit_code);
// `milenage` (offline: MILENAGE outputs for K, OP/OPc, RAND, SQN, AMF; no card).
void add_milenage_command(CLI::App& app, int& exit_code);
void add_pin_command(CLI::App& app, int& exit_code);
// `personalize` (one card: USIM data, diversified ISD keys, device key, verified).
void add_personalize_command(CLI::App& app, int& exit_code);
// `read` (UICC files decoded: iccid, imsi, ad, any EF by path).
void add_read_command(CLI::App& app, int& exit_code);
void add_readers_command(CLI::App& app, int& exit_code);
// `scp03` and `scp02`.
void add_scp_commands(CLI::App& app, int& exit_code);

}  // namespace simkit::cli

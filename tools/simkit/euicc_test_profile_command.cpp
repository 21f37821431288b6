// `simkit euicc add-test-profile` (see euicc_test_profile_command.hpp). Not SGP.22: the state file is
// opened here as the card itself opens it (so an older state is migrated first), the card-side
// add_test_profile stages the profile, and the state is committed once. A card being served by
// simkit-card holds the state's lock, so the shortcut is refused while it runs.
#include "simkit/euicc_test_profile_command.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "euicc/test_profiles.hpp"
#include "simkit/answer_output.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/errors.hpp"
#include "simulated_card.hpp"

namespace simkit::cli {

namespace {

struct TestProfileOptions {
    std::optional<std::string> card;
    std::string state;
    std::string iccid;
    std::string imsi;
    std::string ki;
    std::string opc;
    std::optional<std::string> name;
    std::optional<std::string> spn;
    std::optional<std::string> nickname;
    std::string profile_class = "test";
    bool json = false;
};

es10::ProfileClass class_of(const std::string& text) {
    if (text == "test") return es10::ProfileClass::Test;
    if (text == "operational") return es10::ProfileClass::Operational;
    if (text == "provisioning") return es10::ProfileClass::Provisioning;
    throw ArgumentError("--class: test, operational or provisioning, not '" + text + "'");
}

std::string state_path_of(const TestProfileOptions& opt) {
    if (!opt.state.empty()) {
        if (opt.card) throw ArgumentError("give either --card sim:PATH or --state PATH, not both");
        // A served card's state exists; a typo must not make a fresh card.
        if (!std::filesystem::exists(opt.state)) throw ArgumentError("--state: no state file '" + opt.state + "'");
        return opt.state;
    }
    const CardUri uri = resolve_card_uri(opt.card);
    if (uri.scheme != CardScheme::Sim) {
        throw ArgumentError("add-test-profile writes a card's state file: --card sim:PATH, or --state PATH for the state "
                            "of a card that simkit-card serves (stop it first); '" +
                            uri.text + "' is not a state file");
    }
    return uri.target;
}

int run_add_test_profile(TestProfileOptions& opt) {
    sim::euicc::TestProfileSpec spec;
    spec.iccid = opt.iccid;
    spec.imsi = opt.imsi;
    spec.k = option_secret_hex("--ki", opt.ki);
    spec.opc = option_secret_hex("--opc", opt.opc);
    if (spec.k.size() != 16) throw ArgumentError("--ki must be 16 bytes (32 hex digits)");
    if (spec.opc.size() != 16) throw ArgumentError("--opc must be 16 bytes (32 hex digits)");
    spec.profile_name = opt.name;
    spec.service_provider_name = opt.spn;
    spec.nickname = opt.nickname;
    spec.profile_class = class_of(opt.profile_class);
    const std::string path = state_path_of(opt);

    // StateError "in use by another card ... stop that simkit-card" while the card is served.
    std::unique_ptr<sim::Card> card = sim::open_simulated_card(path);
    const sim::euicc::InstalledProfile installed = sim::euicc::add_test_profile(card->state(), spec);
    card->state().commit();

    if (opt.json) {
        nlohmann::ordered_json out;
        out["iccid"] = opt.iccid;
        out["isdpAid"] = lower_hex(installed.isdp_aid);
        out["profileState"] = "disabled";
        out["profileClass"] = opt.profile_class;
        out["state"] = path;
        print_json(out);
    } else {
        std::cout << "profile " << opt.iccid << " added (disabled, ISD-P " << to_hex(installed.isdp_aid) << ") to " << path << "\n";
        if (opt.state.empty()) {
            std::cout << "enable it with: simkit euicc enable --card sim:" << path << " --iccid " << opt.iccid << "\n";
        } else {
            std::cout << "serve the card again, then enable it: simkit euicc enable --card pcsc:0 (or at:DEVICE) --iccid "
                      << opt.iccid << "\n";
        }
    }
    return 0;
}

}  // namespace

void add_euicc_test_profile_command(CLI::App* euicc, int& exit_code) {
    auto opt = std::make_shared<TestProfileOptions>();
    CLI::App* cmd = euicc->add_subcommand(
        "add-test-profile",
        "DEVELOPMENT SHORTCUT, not SGP.22: write a profile with its own USIM data (ICCID, IMSI, K, OPc) straight\n"
        "into a simulated card's state file, instead of downloading it from an SM-DP+. The profile arrives\n"
        "disabled; enable it with 'simkit euicc enable'. Works on --card sim:PATH or on --state PATH of a card\n"
        "simkit-card serves, while it is stopped (a served card holds the state's lock: exit 1).\n"
        "Example:\n"
        "  simkit euicc add-test-profile --card sim:card.state --iccid 8949000000000000017 --imsi 001010000000017 \\\n"
        "      --ki 000102030405060708090a0b0c0d0e0f --opc 101112131415161718191a1b1c1d1e1f --name 'Test A' --spn simkit");
    cmd->add_option("--card", opt->card, "the card: sim:PATH (default: $SIMKIT_CARD)");
    cmd->add_option("--state", opt->state, "the state file of a card simkit-card serves (stopped), instead of --card");
    cmd->add_option("--iccid", opt->iccid, "ICCID, 18..20 digits")->required();
    cmd->add_option("--imsi", opt->imsi, "IMSI, 6..15 digits")->required();
    cmd->add_option("--ki", opt->ki, "subscriber key K, 16 bytes hex (never printed)")->required();
    cmd->add_option("--opc", opt->opc, "OPc, 16 bytes hex (never printed)")->required();
    cmd->add_option("--name", opt->name, "profile name (at most 64 bytes)");
    cmd->add_option("--spn", opt->spn, "service provider name (at most 32 bytes)");
    cmd->add_option("--nickname", opt->nickname, "nickname (at most 64 bytes)");
    cmd->add_option("--class", opt->profile_class, "profile class: test (default), operational or provisioning");
    cmd->add_flag("--json", opt->json, "print one JSON object");
    cmd->callback([opt, &exit_code] { exit_code = run_add_test_profile(*opt); });
}

}  // namespace simkit::cli

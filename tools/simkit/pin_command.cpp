// `simkit pin verify|change|unblock|status`: the card's user PIN (ISO 7816-4 VERIFY, CHANGE REFERENCE
// DATA, RESET RETRY COUNTER) through the key store applet. PINs and PUKs are never printed; a wrong
// one exits 1 with the tries left ("PIN wrong: 2 tries left (63C2)").
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/key_session.hpp"
#include "simkit/keystore_client.hpp"

namespace simkit::cli {

namespace {

struct PinOptions {
    KeySessionOptions session;  // session.pin: the current PIN (verify, change) or the new one (unblock)
    std::string new_pin;
    std::string puk;
    bool json = false;
};

void print_result(bool json, const std::string& result, const std::string& text, std::optional<int> tries = std::nullopt) {
    if (json) {
        nlohmann::ordered_json out;
        out["result"] = result;
        if (tries) out["tries_left"] = *tries;
        print_json(out);
    } else {
        std::cout << text << "\n";
    }
}

int run_verify(PinOptions& opt) {
    if (opt.session.pin.empty()) throw ArgumentError("pin verify needs --pin (or $SIMKIT_PIN)");
    KeySession session(opt.session, /*verify_pin=*/true);
    print_result(opt.json, "verified", "PIN verified");
    return 0;
}

int run_change(PinOptions& opt) {
    if (opt.session.pin.empty()) throw ArgumentError("pin change needs the current PIN: --pin (or $SIMKIT_PIN)");
    if (opt.new_pin.empty()) throw ArgumentError("pin change needs --new-pin");
    secure_bytes old_pin = take_secret(opt.session.pin);
    secure_bytes new_pin = take_secret(opt.new_pin);
    KeySession session(opt.session, /*verify_pin=*/false);
    session.store().change_pin(old_pin, new_pin);
    print_result(opt.json, "changed", "PIN changed");
    return 0;
}

int run_unblock(PinOptions& opt) {
    if (opt.puk.empty()) throw ArgumentError("pin unblock needs --puk");
    if (!opt.new_pin.empty() && !opt.session.pin.empty()) {
        throw ArgumentError("pin unblock: give the new PIN once, with --new-pin (or --pin)");
    }
    std::string& new_text = opt.new_pin.empty() ? opt.session.pin : opt.new_pin;
    if (new_text.empty()) throw ArgumentError("pin unblock needs the new PIN: --new-pin");
    secure_bytes puk = take_secret(opt.puk);
    secure_bytes new_pin = take_secret(new_text);
    KeySession session(opt.session, /*verify_pin=*/false);
    session.store().unblock_pin(puk, new_pin);
    print_result(opt.json, "unblocked", "PIN unblocked and set; its retry counter is reset");
    return 0;
}

int run_status(PinOptions& opt) {
    KeySession session(opt.session, /*verify_pin=*/false);
    const std::optional<int> tries = session.store().pin_tries_left();
    if (!tries) {
        print_result(opt.json, "verified", "PIN already verified in this session");
    } else if (*tries == 0) {
        print_result(opt.json, "blocked", "PIN blocked: unblock it with 'simkit pin unblock --puk K --new-pin N'", 0);
    } else {
        print_result(opt.json, "not verified", "PIN not verified; " + std::to_string(*tries) + " tries left", tries);
    }
    return 0;
}

CLI::App* add_sub(CLI::App* pin, int& exit_code, const char* name, const std::string& help,
                  int (*run)(PinOptions&)) {
    auto opt = std::make_shared<PinOptions>();
    CLI::App* cmd = pin->add_subcommand(name, help);
    add_key_session_options(cmd, opt->session);
    const std::string n = name;
    if (n == "verify" || n == "change") {
        add_pin_option(cmd, opt->session.pin, "the current PIN (or $SIMKIT_PIN); never printed");
    } else if (n == "unblock") {
        cmd->add_option("--pin", opt->session.pin, "the new PIN (same as --new-pin)");
    }
    if (n == "change" || n == "unblock") cmd->add_option("--new-pin", opt->new_pin, "the new PIN, 4 to 8 digits");
    if (n == "unblock") cmd->add_option("--puk", opt->puk, "the PUK (8 digits)");
    cmd->add_flag("--json", opt->json, "print one JSON object {result[, tries_left]}");
    cmd->callback([opt, &exit_code, run] { exit_code = run(*opt); });
    return cmd;
}

}  // namespace

void add_pin_command(CLI::App& app, int& exit_code) {
    CLI::App* pin = app.add_subcommand(
        "pin",
        "The card's user PIN, which guards PIN-bound keys (`simkit key gen --pin-bound`). A fresh simulated\n"
        "card has PIN 1234 (3 tries) and PUK 12345678 (10 tries). Each wrong PIN costs a try (exit 1,\n"
        "'PIN wrong: 2 tries left (63C2)'); at zero the PIN is blocked (6983) until unblocked with the PUK.\n"
        "A verified PIN lasts for one card session, so `simkit key` commands take --pin themselves.\n"
        "Examples:\n"
        "  simkit pin verify  --card sim:card.state --pin 1234\n"
        "  simkit pin change  --card sim:card.state --pin 1234 --new-pin 4321\n"
        "  simkit pin unblock --card sim:card.state --puk 12345678 --new-pin 1234");
    pin->require_subcommand(1);
    add_sub(pin, exit_code, "verify", "Check the PIN (VERIFY); a wrong one costs a try.", run_verify);
    add_sub(pin, exit_code, "change", "Change the PIN (CHANGE REFERENCE DATA): --pin old --new-pin new.", run_change);
    add_sub(pin, exit_code, "unblock",
            "Unblock the PIN and set a new one with the PUK (RESET RETRY COUNTER); a wrong PUK costs a PUK try.",
            run_unblock);
    add_sub(pin, exit_code, "status", "Show the tries left (VERIFY without data; costs nothing).", run_status);
}

}  // namespace simkit::cli

// simkit-card: serves one simulated card to pcscd (vpcd driver) and/or as an AT modem on a pty.
// Both front ends reach the same card, one APDU at a time. SIGTERM/SIGINT end it cleanly: the
// current APDU finishes (its state change is already committed), then the process exits 0.
#include <csignal>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "serve/at_modem.hpp"
#include "serve/shared_card.hpp"
#include "serve/vpcd_link.hpp"
#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/log.hpp"
#include "simulated_card.hpp"

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

struct ServeOptions {
    std::string state_path;
    std::string vpcd;
    std::string log_level = "info";
    bool t1 = false;
    std::size_t leave_after = 0;  // --leave-after N: stop after answering N APDUs (0: never)
    simkit::sim::AtModemOptions at;
};

int serve(const ServeOptions& opt) {
    simkit::log::set_level(simkit::log::parse_level(opt.log_level));
    if (opt.vpcd.empty() && opt.at.link.empty()) {
        throw simkit::ArgumentError("serve needs at least one of --vpcd HOST:PORT and --at-pty LINK");
    }
    simkit::sim::CardOptions card_options;
    card_options.t0 = !opt.t1;
    simkit::sim::SharedCard card(simkit::sim::open_simulated_card(opt.state_path, card_options));
    simkit::log::info("card", "serving state " + opt.state_path + ", ATR " + simkit::to_hex(card.atr()));
    install_signal_handlers();
    if (opt.leave_after > 0) {
        card.set_apdu_limit(opt.leave_after, [n = opt.leave_after] {
            simkit::log::info("card", "answered " + std::to_string(n) + " APDUs: leaving the reader (--leave-after)");
            g_stop.store(true);
        });
    }

    std::vector<std::thread> front_ends;
    std::atomic<int> failures{0};
    auto launch = [&](auto run) {
        front_ends.emplace_back([&, run] {
            try {
                run();
            } catch (const std::exception& e) {
                simkit::log::error("serve", e.what());
                failures.fetch_add(1);
                g_stop.store(true);
            }
        });
    };
    if (!opt.vpcd.empty()) {
        const auto vpcd = simkit::sim::parse_vpcd_address(opt.vpcd);
        launch([&card, vpcd] { simkit::sim::run_vpcd_link(card, vpcd, g_stop); });
    }
    if (!opt.at.link.empty()) {
        launch([&card, at = opt.at] { simkit::sim::run_at_modem(card, at, g_stop); });
    }
    for (auto& t : front_ends) t.join();
    simkit::log::info("card", "stopped");
    return failures.load() == 0 ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"simkit-card: a simulated SIM card daemon.\n"
                 "Serve a card to pcscd:   simkit-card serve --state card.state --vpcd 127.0.0.1:35963\n"
                 "Serve it as an AT modem: simkit-card serve --state card.state --at-pty /tmp/simkit-modem"};
    app.set_version_flag("--version", std::string("simkit-card ") + SIMKIT_VERSION);
    app.require_subcommand(1);
    int exit_code = 0;

    std::string init_path;
    CLI::App* init = app.add_subcommand("init", "Create a card state file with factory defaults (or check an existing one)");
    init->add_option("--state", init_path, "state file path")->required();
    init->callback([&] {
        simkit::sim::CardOptions served;  // the ATR printed is the one `serve` presents by default (T=0)
        served.t0 = true;
        auto card = simkit::sim::open_simulated_card(init_path, served);
        std::cout << "card state " << init_path << " ok, ATR " << simkit::to_hex(card->atr()) << "\n";
    });

    ServeOptions serve_opt;
    CLI::App* srv = app.add_subcommand(
        "serve", "Serve one card (state file PATH, created with factory defaults if absent) on every interface given");
    srv->add_option("--state", serve_opt.state_path, "card state file")->required();
    srv->add_option("--vpcd", serve_opt.vpcd,
                    "connect to pcscd's vpcd driver at HOST:PORT (vpcd's slot n listens on PORT+n; default port 35963)");
    srv->add_option("--at-pty", serve_opt.at.link, "create a pty behaving like a modem and a symlink LINK to it");
    srv->add_option("--leave-after", serve_opt.leave_after,
                    "fault injection: after answering N APDUs the card leaves (simkit-card stops, exit 0), as a card "
                    "pulled out part-way through a host's work; the state keeps every command it answered");
    srv->add_option("--log-level", serve_opt.log_level, "error|warn|info|debug|trace (trace prints masked APDUs)");
    srv->add_flag("--t1", serve_opt.t1,
                  "T=1 behaviour and an ATR offering T=1 only. Default: T=0 as on a real SIM (ATR offering T=0\n"
                  "only; case-4 answers as 61xx + GET RESPONSE, a wrong Le as 6Cxx)");
    bool t0_flag = false;  // the default since T=0 became it; still accepted
    srv->add_flag("--t0", t0_flag, "T=0 behaviour (the default)");

    srv->add_flag("!--at-no-echo", serve_opt.at.echo, "AT: start with echo off (ATE0)");
    srv->add_flag("!--at-no-space", serve_opt.at.space_after_colon, "AT: no space after the colon (+CSIM:4,...)");
    srv->add_option("--at-urc", serve_opt.at.unsolicited, "AT: inject this unsolicited result code (e.g. '+CREG: 1') between lines");
    srv->add_option("--at-max-apdu", serve_opt.at.max_apdu_length, "AT: refuse APDUs longer than N bytes (+CME ERROR)");
    srv->add_flag("--at-large-session-ids", serve_opt.at.large_session_ids,
                  "AT: +CCHO hands out large session ids instead of channel numbers");
    srv->add_flag("--at-bare-ccho", serve_opt.at.bare_ccho, "AT: +CCHO answers a bare '<n>' line instead of '+CCHO: <n>'");
    srv->callback([&] {
        if (t0_flag && serve_opt.t1) throw simkit::ArgumentError("--t0 and --t1 contradict each other");
        exit_code = serve(serve_opt);
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const simkit::ArgumentError& e) {
        std::cerr << "simkit-card: " << e.what() << "\n";
        return 2;
    } catch (const simkit::Error& e) {
        std::cerr << "simkit-card: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}

// `simkit euicc info|profiles|enable|disable|delete|nickname|notifications|add-test-profile`: local
// profile management on the card's eUICC (SGP.22 ES10 to the ISD-R, specs/euicc.md). Each call is
// one card session: a logical channel opened, the ISD-R selected, the requests, the channel closed.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "simkit/answer_output.hpp"
#include "simkit/core/apdu_trace.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/euicc_client.hpp"
#include "simkit/euicc_json.hpp"
#include "simkit/euicc_test_profile_command.hpp"

namespace simkit::cli {

namespace {

struct EuiccCommandOptions {
    std::optional<std::string> card;
    bool json = false;
    bool trace = false;
    bool basic_channel = false;
    // enable / disable / delete / nickname
    std::string iccid;
    std::string aid;
    bool no_refresh = false;
    std::string nickname;
    // notifications
    std::string event;
    std::vector<uint32_t> remove;
};

// One card session with the ISD-R selected.
class EuiccSession {
public:
    explicit EuiccSession(const EuiccCommandOptions& opt) : card_(Card::open(opt.card)) {
        if (opt.trace) {
            card_.set_observer([](const bytes& command, const bytes& response) {
                std::cerr << "> " << trace_command(command) << "\n< " << trace_response(response) << "\n";
            });
        }
        simkit::EuiccOptions options;
        options.logical_channel = !opt.basic_channel;
        euicc_.emplace(card_, options);
    }
    Euicc& euicc() { return *euicc_; }

private:
    Card card_;
    std::optional<Euicc> euicc_;  // destroyed first: closes its channel while the card is open
};

es10::ProfileIdentifier selected_profile(const EuiccCommandOptions& opt) {
    if (opt.iccid.empty() == opt.aid.empty()) {
        throw ArgumentError("name the profile with exactly one of --iccid DIGITS or --aid HEX (see 'simkit euicc profiles')");
    }
    if (!opt.iccid.empty()) return profile_by_iccid(opt.iccid);
    return profile_by_aid(option_hex("--aid", opt.aid));
}

std::optional<es10::NotificationEvent> event_filter(const std::string& text) {
    if (text.empty()) return std::nullopt;
    for (auto event : {es10::NotificationEvent::Install, es10::NotificationEvent::Enable, es10::NotificationEvent::Disable,
                       es10::NotificationEvent::Delete}) {
        if (es10::to_string(event) == text) return event;
    }
    throw ArgumentError("--event: install, enable, disable or delete, not '" + text + "'");
}

std::string text_or(const std::optional<std::string>& value, const char* fallback) {
    return value && !value->empty() ? *value : fallback;
}

int run_info(const EuiccCommandOptions& opt) {
    EuiccSession session(opt);
    Euicc& euicc = session.euicc();
    nlohmann::ordered_json out;
    out["eidValue"] = to_hex(euicc.eid());
    // The rest is optional for an eUICC: a status word (not supported) leaves the field out.
    std::optional<es10::ConfiguredAddresses> addresses;
    std::optional<es10::EuiccInfo2> info2;
    std::optional<es10::RatResponse> rat;
    try {
        addresses = euicc.configured_addresses();
    } catch (const SwError&) {
    }
    try {
        info2 = euicc.euicc_info2();
    } catch (const SwError&) {
    }
    try {
        rat = euicc.rat();
    } catch (const SwError&) {
    }
    if (addresses) out["EuiccConfiguredAddresses"] = configured_addresses_json(*addresses);
    if (info2) out["EUICCInfo2"] = euicc_info2_json(*info2);
    if (rat) out["rulesAuthorisationTable"] = rat_json(*rat);
    if (opt.json) {
        print_json(out);
        return 0;
    }
    std::cout << "EID: " << out["eidValue"].get<std::string>() << "\n";
    if (addresses) {
        std::cout << "default SM-DP+ address: " << text_or(addresses->default_dp_address, "(none)") << "\n"
                  << "root SM-DS address: " << addresses->root_ds_address << "\n";
    }
    if (info2) {
        const auto& j = out["EUICCInfo2"];
        std::cout << "SGP.22 version (SVN): " << j["svn"].get<std::string>()
                  << ", profile package version: " << j["profileVersion"].get<std::string>()
                  << ", firmware: " << j["euiccFirmwareVer"].get<std::string>() << "\n";
        const auto& resource = j["extCardResource"];
        if (resource.contains("freeNonVolatileMemory")) {
            std::cout << "free memory: " << resource["freeNonVolatileMemory"].dump() << " bytes non-volatile";
            if (resource.contains("freeVolatileMemory")) std::cout << ", " << resource["freeVolatileMemory"].dump() << " bytes volatile";
            std::cout << "\n";
        }
        std::cout << "RSP capabilities: " << j["rspCapability"].dump() << "\n";
    }
    return 0;
}

int run_profiles(const EuiccCommandOptions& opt) {
    EuiccSession session(opt);
    const auto profiles = session.euicc().profiles();
    if (opt.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& p : profiles) out.push_back(profile_json(p));
        print_json(out);
        return 0;
    }
    if (profiles.empty()) {
        std::cout << "no profiles\n";
        return 0;
    }
    for (const auto& p : profiles) {
        const auto j = profile_json(p);
        std::cout << (j["iccid"].is_null() ? std::string("-") : j["iccid"].get<std::string>()) << "  "
                  << (j["profileState"].is_null() ? std::string("-") : j["profileState"].get<std::string>()) << "  "
                  << j["profileClass"].get<std::string>() << "  " << text_or(p.profile_name, "-");
        if (p.service_provider_name && !p.service_provider_name->empty()) std::cout << " (" << *p.service_provider_name << ")";
        if (p.nickname && !p.nickname->empty()) std::cout << " '" << *p.nickname << "'";
        if (p.isdp_aid) std::cout << "  ISD-P " << to_hex(*p.isdp_aid);
        std::cout << "\n";
    }
    return 0;
}

// enable, disable, delete: one profile operation and its result.
int run_operation(const EuiccCommandOptions& opt, const std::string& operation) {
    const es10::ProfileIdentifier profile = selected_profile(opt);
    EuiccSession session(opt);
    if (operation == "enable") {
        session.euicc().enable(profile, !opt.no_refresh);
    } else if (operation == "disable") {
        session.euicc().disable(profile, !opt.no_refresh);
    } else {
        session.euicc().remove(profile);
    }
    const std::string done = operation == "delete" ? "deleted" : operation + "d";
    if (opt.json) {
        nlohmann::ordered_json out;
        out[profile.kind == es10::ProfileIdentifier::Kind::Iccid ? "iccid" : "isdpAid"] =
            profile.kind == es10::ProfileIdentifier::Kind::Iccid ? es10::iccid_to_digits(profile.value) : lower_hex(profile.value);
        out["operation"] = operation;
        out["result"] = "ok";
        if (operation != "delete") out["refresh"] = !opt.no_refresh;
        print_json(out);
    } else {
        std::cout << "profile " << describe_profile(profile) << " " << done << "\n";
    }
    return 0;
}

int run_nickname(const EuiccCommandOptions& opt) {
    const es10::ProfileIdentifier profile = selected_profile(opt);
    EuiccSession session(opt);
    bytes iccid = profile.value;
    if (profile.kind == es10::ProfileIdentifier::Kind::IsdpAid) {
        // SetNickname names the profile by ICCID: look it up from the ISD-P AID.
        es10::ProfileInfoListRequest::SearchCriteria search;
        search.profile = profile;
        const auto found = session.euicc().profiles(search, bytes{0x5A});
        if (found.empty() || !found[0].iccid) {
            throw EuiccError("set nickname of profile " + describe_profile(profile), es10::kTagSetNickname,
                             es10::result::kIccidOrAidNotFound);
        }
        iccid = *found[0].iccid;
    }
    session.euicc().set_nickname(iccid, opt.nickname);
    if (opt.json) {
        nlohmann::ordered_json out;
        out["iccid"] = es10::iccid_to_digits(iccid);
        out["profileNickname"] = opt.nickname;
        out["result"] = "ok";
        print_json(out);
    } else {
        std::cout << "profile " << es10::iccid_to_digits(iccid) << " nickname "
                  << (opt.nickname.empty() ? std::string("removed") : "set to '" + opt.nickname + "'") << "\n";
    }
    return 0;
}

int run_notifications(const EuiccCommandOptions& opt) {
    const auto filter = event_filter(opt.event);
    EuiccSession session(opt);
    for (uint32_t seq : opt.remove) session.euicc().remove_notification(seq);
    const auto list = session.euicc().notifications(filter);
    if (opt.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& n : list) out.push_back(notification_json(n));
        print_json(out);
        return 0;
    }
    for (uint32_t seq : opt.remove) std::cout << "notification " << seq << " removed\n";
    if (list.empty()) {
        std::cout << "no notifications\n";
        return 0;
    }
    for (const auto& n : list) {
        std::cout << n.seq_number << "  " << es10::to_string(n.event) << "  "
                  << (n.iccid ? es10::iccid_to_digits(*n.iccid) : std::string("-")) << "  " << n.address << "\n";
    }
    return 0;
}

CLI::App* add_sub(CLI::App* parent, int& exit_code, const std::string& name, const std::string& help,
                  const std::shared_ptr<EuiccCommandOptions>& opt, int (*run)(const EuiccCommandOptions&)) {
    CLI::App* cmd = parent->add_subcommand(name, help);
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_flag("--json", opt->json, "print JSON shaped like lpac's");
    cmd->add_flag("--trace", opt->trace, "print every exchange on the wire to stderr");
    cmd->add_flag("--basic-channel", opt->basic_channel,
                  "select the ISD-R on the basic channel instead of a new logical channel (MANAGE CHANNEL)");
    cmd->callback([opt, run, &exit_code] { exit_code = run(*opt); });
    return cmd;
}

void add_profile_options(CLI::App* cmd, EuiccCommandOptions& opt) {
    cmd->add_option("--iccid", opt.iccid, "the profile's ICCID (18..20 digits, as 'simkit euicc profiles' prints it)");
    cmd->add_option("--aid", opt.aid, "the profile's ISD-P AID in hex, instead of --iccid");
}

}  // namespace

void add_euicc_command(CLI::App& app, int& exit_code) {
    CLI::App* euicc = app.add_subcommand(
        "euicc",
        "Local profile management on the card's eUICC (GSMA SGP.22 ES10 to the ISD-R, AID\n"
        "A0000005591010FFFFFFFF8900000100, on a logical channel): the EID, the profiles, enable/disable/\n"
        "delete, nicknames, notifications. Enabling a profile switches the USIM the card presents: after it,\n"
        "`simkit read imsi` and `simkit aka` answer for the enabled profile. --json prints what lpac prints\n"
        "(eidValue, EUICCInfo2, profiles with iccid, isdpAid, profileState, profileClass ...).\n"
        "Exit 1 when the eUICC refuses, with SGP.22's name of the result (e.g. 'enable profile\n"
        "8949...: profileNotInDisabledState (2)') or the status word; 2 for bad arguments.\n"
        "Walk-through on a simulated card (two test profiles, switch, AKA with each):\n"
        "  simkit euicc info --card sim:card.state\n"
        "  simkit euicc add-test-profile --card sim:card.state --iccid 8949000000000000017 --imsi 001010000000017 \\\n"
        "      --ki 000102030405060708090a0b0c0d0e0f --opc 101112131415161718191a1b1c1d1e1f --name 'Test A'\n"
        "  simkit euicc profiles --card sim:card.state\n"
        "  simkit euicc enable   --card sim:card.state --iccid 8949000000000000017\n"
        "  simkit read imsi --card sim:card.state\n"
        "  simkit aka --card sim:card.state --k 000102030405060708090a0b0c0d0e0f --opc 101112131415161718191a1b1c1d1e1f --sqn 000000000021\n"
        "  simkit euicc notifications --card sim:card.state");
    euicc->require_subcommand(1);

    auto info = std::make_shared<EuiccCommandOptions>();
    add_sub(euicc, exit_code, "info",
            "The eUICC's EID (GetEID), configured SM-DP+/SM-DS addresses, EUICCInfo2 (versions, free memory,\n"
            "capabilities, CI key IDs) and rules authorisation table, each when the card has it.\n"
            "Example: simkit euicc info --card sim:card.state --json",
            info, run_info);

    auto profiles = std::make_shared<EuiccCommandOptions>();
    add_sub(euicc, exit_code, "profiles",
            "List the profiles (ProfileInfoList): ICCID, state, class, name (service provider) 'nickname', ISD-P AID.\n"
            "Example: simkit euicc profiles --card sim:card.state --json",
            profiles, run_profiles);

    const struct {
        const char* name;
        const char* help;
        bool refresh;
    } operations[] = {
        {"enable",
         "Enable a profile (EnableProfile): the enabled one is disabled in the same step, and the card\n"
         "presents the new profile's USIM (ICCID, IMSI, K/OPc). --no-refresh clears SGP.22's refreshFlag.\n"
         "Example: simkit euicc enable --card sim:card.state --iccid 8949000000000000017",
         true},
        {"disable",
         "Disable the enabled profile (DisableProfile); with none enabled the card has no USIM.\n"
         "Example: simkit euicc disable --card sim:card.state --iccid 8949000000000000017",
         true},
        {"delete",
         "Delete a disabled profile and its USIM data (DeleteProfile); an enabled one is refused\n"
         "(profileNotInDisabledState). Example: simkit euicc delete --card sim:card.state --iccid 8949000000000000017",
         false},
    };
    for (const auto& o : operations) {
        auto opt = std::make_shared<EuiccCommandOptions>();
        const std::string name = o.name;
        CLI::App* cmd = euicc->add_subcommand(name, o.help);
        cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
        cmd->add_flag("--json", opt->json, "print one JSON object");
        cmd->add_flag("--trace", opt->trace, "print every exchange on the wire to stderr");
        cmd->add_flag("--basic-channel", opt->basic_channel, "select the ISD-R on the basic channel");
        add_profile_options(cmd, *opt);
        if (o.refresh) cmd->add_flag("--no-refresh", opt->no_refresh, "send refreshFlag false (no REFRESH proactive command)");
        cmd->callback([opt, name, &exit_code] { exit_code = run_operation(*opt, name); });
    }

    auto nickname = std::make_shared<EuiccCommandOptions>();
    CLI::App* nickname_cmd = add_sub(euicc, exit_code, "nickname",
                                     "Set a profile's nickname (SetNickname; UTF-8, at most 64 bytes; '' removes it).\n"
                                     "Example: simkit euicc nickname --card sim:card.state --iccid 8949000000000000017 'work'",
                                     nickname, run_nickname);
    add_profile_options(nickname_cmd, *nickname);
    nickname_cmd->add_option("nickname", nickname->nickname, "the new nickname")->required();

    auto notifications = std::make_shared<EuiccCommandOptions>();
    CLI::App* notifications_cmd =
        add_sub(euicc, exit_code, "notifications",
                "List the eUICC's pending notifications (ListNotification: sequence number, operation, ICCID,\n"
                "SM-DP+ address); --remove SEQ deletes them first (NotificationSent), as an LPA does once it has\n"
                "delivered them. Example: simkit euicc notifications --card sim:card.state --remove 1 --json",
                notifications, run_notifications);
    notifications_cmd->add_option("--event", notifications->event, "only install, enable, disable or delete");
    notifications_cmd->add_option("--remove", notifications->remove, "remove the notification with this sequence number");

    add_euicc_test_profile_command(euicc, exit_code);
}

}  // namespace simkit::cli

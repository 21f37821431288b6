// `simkit aka`: AUTHENTICATE on a card's USIM. Given RAND and AUTN it relays them; given K and OPc
// (or OP) and an SQN it acts as the network: builds RAND/AUTN, checks RES/CK/IK, and on a
// synchronisation failure recovers SQN_MS from AUTS and retries with SQN_MS + 1 (specs/usim.md).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "simkit/aka.hpp"
#include "simkit/answer_output.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/milenage.hpp"
#include "simkit/usim_client.hpp"

namespace simkit::cli {

namespace {

struct AkaOptions {
    std::optional<std::string> card;
    std::string rand, autn;   // relay mode
    std::string k, op, opc;   // network mode (secrets: wiped once read)
    std::string sqn, amf = "8000";
    bool json = false;
};

bytes checked(const std::string& option, const std::string& text, std::size_t size) {
    bytes value = option_hex(option, text);
    if (value.size() != size) {
        throw ArgumentError(option + " must be " + std::to_string(size) + " bytes, not " + std::to_string(value.size()));
    }
    return value;
}

secure_bytes checked_secret(const std::string& option, std::string& text) {
    secure_bytes value = option_secret_hex(option, text);
    if (value.size() != 16) throw ArgumentError(option + " must be 16 bytes, not " + std::to_string(value.size()));
    return value;
}

void put_answer(nlohmann::ordered_json& out, const AkaAnswer& answer) {
    out["result"] = AkaAnswer::result_name(answer.result);
    if (answer.result == AkaAnswer::Result::Ok) {
        out["res"] = lower_hex(answer.res);
        out["ck"] = lower_hex(answer.ck);
        out["ik"] = lower_hex(answer.ik);
        if (!answer.kc.empty()) out["kc"] = lower_hex(answer.kc);
    } else if (answer.result == AkaAnswer::Result::SyncFailure) {
        out["auts"] = lower_hex(answer.auts);
    }
}

void print(const nlohmann::ordered_json& out, bool json) {
    if (json) {
        print_json(out);
        return;
    }
    for (const auto& [name, value] : out.items()) {
        std::cout << name << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
}

int run_relay(AkaOptions& opt) {
    const bytes rand = checked("--rand", opt.rand, 16);
    const bytes autn = checked("--autn", opt.autn, 16);
    Card card = Card::open(opt.card);
    UsimClient usim(card);
    const AkaAnswer answer = usim.authenticate(rand, autn);
    nlohmann::ordered_json out;
    put_answer(out, answer);
    print(out, opt.json);
    if (answer.result == AkaAnswer::Result::MacFailure) std::cerr << "simkit: the card rejected AUTN (9862: MAC failure)\n";
    return answer.result == AkaAnswer::Result::Ok || answer.result == AkaAnswer::Result::SyncFailure ? 0 : kExitFailure;
}

// One AKA as the network: RAND fresh, AUTN for `sqn`; RES/CK/IK checked against our own MILENAGE.
AkaAnswer network_round(UsimClient& usim, const milenage::Milenage& m, const bytes& rand, const bytes& sqn,
                        const bytes& amf, nlohmann::ordered_json& out) {
    const bytes autn = aka::build_autn(m, rand, sqn, amf);
    out["rand"] = lower_hex(rand);
    out["sqn"] = lower_hex(sqn);
    out["autn"] = lower_hex(autn);
    const AkaAnswer answer = usim.authenticate(rand, autn);
    put_answer(out, answer);
    if (answer.result == AkaAnswer::Result::Ok) {
        const milenage::Vectors expected = m.f2345(rand);
        const bool match = answer.res == expected.res && answer.ck == expected.ck && answer.ik == expected.ik;
        out["checked"] = match;
        if (!match) throw Error("the card's RES/CK/IK differ from MILENAGE with the given K/OPc");
    }
    return answer;
}

int run_network(AkaOptions& opt) {
    if (!opt.op.empty() && !opt.opc.empty()) throw ArgumentError("give --op or --opc, not both");
    if (opt.op.empty() && opt.opc.empty()) throw ArgumentError("--k needs --op or --opc");
    const bytes sqn = checked("--sqn", opt.sqn, 6);
    const bytes amf = checked("--amf", opt.amf, 2);
    const bytes rand = opt.rand.empty() ? crypto::random_bytes(16) : checked("--rand", opt.rand, 16);
    const secure_bytes k = checked_secret("--k", opt.k);
    const secure_bytes opc = opt.opc.empty() ? milenage::opc_from_op(k, checked_secret("--op", opt.op))
                                             : checked_secret("--opc", opt.opc);
    const milenage::Milenage m(k, opc);

    Card card = Card::open(opt.card);
    UsimClient usim(card);
    nlohmann::ordered_json out;
    AkaAnswer answer = network_round(usim, m, rand, sqn, amf, out);
    if (answer.result == AkaAnswer::Result::SyncFailure) {
        const std::optional<bytes> sqn_ms = aka::sqn_ms_from_auts(m, rand, answer.auts);
        if (!sqn_ms) throw Error("AUTS does not verify (MAC-S): the card's K/OPc differ from the given ones");
        const bytes next = aka::sqn_add(*sqn_ms, 1);
        if (!opt.json) {
            std::cout << "synchronisation failure: the card's SQN_MS is " << lower_hex(*sqn_ms) << " (AUTS "
                      << lower_hex(answer.auts) << "); retrying with SQN " << lower_hex(next) << "\n";
        }
        nlohmann::ordered_json first = out;
        out = nlohmann::ordered_json();
        out["resynchronised"] = true;
        out["sqn_ms"] = lower_hex(*sqn_ms);
        out["first_attempt"] = first;
        answer = network_round(usim, m, crypto::random_bytes(16), next, amf, out);
    }
    print(out, opt.json);
    if (answer.result != AkaAnswer::Result::Ok) {
        std::cerr << "simkit: AKA failed: " << AkaAnswer::result_name(answer.result) << "\n";
        return kExitFailure;
    }
    return 0;
}

int run_aka(AkaOptions& opt) {
    const bool network = !opt.k.empty();
    if (network && !opt.autn.empty()) throw ArgumentError("--autn is for relay mode; with --k simkit builds AUTN itself");
    if (network) {
        if (opt.sqn.empty()) throw ArgumentError("--k needs --sqn");
        return run_network(opt);
    }
    if (opt.rand.empty() || opt.autn.empty()) throw ArgumentError("give --rand and --autn, or --k, --opc/--op and --sqn");
    return run_relay(opt);
}
}  // namespace

void add_aka_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<AkaOptions>();
    CLI::App* cmd = app.add_subcommand(
        "aka",
        "3G authentication (AKA) with the card's USIM: AUTHENTICATE in the 3G context (TS 31.102 7.1.2).\n"
        "Relay mode: --rand and --autn from a network; prints the result (ok / sync_failure / mac_failure)\n"
        "with RES, CK, IK and Kc, or AUTS.\n"
        "Network mode: --k, --opc (or --op) and --sqn: simkit builds RAND (random unless --rand) and AUTN\n"
        "with MILENAGE, checks the card's RES/CK/IK, and on a synchronisation failure recovers the card's\n"
        "SQN_MS from AUTS and retries with SQN_MS + 1, saying so.\n"
        "Exit 0 ok (relay mode: also sync_failure, AUTS printed), 1 MAC failure or a failed check,\n"
        "2 bad arguments. A fresh simulated card holds the TS 35.208 test set 1 keys:\n"
        "  simkit aka --card sim:card.state --k 465b5ce8b199b49faa5f0a2ee238a6bc \\\n"
        "             --opc cd63cb71954a9f4e48a5994e37a02baf --sqn 000000000021");
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_option("--rand", opt->rand, "RAND, 16 bytes hex (network mode: random when omitted)");
    cmd->add_option("--autn", opt->autn, "AUTN, 16 bytes hex (relay mode)");
    cmd->add_option("--k", opt->k, "subscriber key K, 16 bytes hex (network mode; never printed)");
    cmd->add_option("--opc", opt->opc, "OPc, 16 bytes hex (network mode)");
    cmd->add_option("--op", opt->op, "OP, 16 bytes hex, instead of --opc (OPc = OP xor E_K(OP))");
    cmd->add_option("--sqn", opt->sqn, "SQN, 6 bytes hex (network mode): SEQ || IND (5 bits)");
    cmd->add_option("--amf", opt->amf, "AMF, 2 bytes hex (default 8000: the E-UTRAN separation bit)");
    cmd->add_flag("--json", opt->json, "print one JSON object (lowercase hex)");
    cmd->callback([opt, &exit_code] { exit_code = run_aka(*opt); });
}

}  // namespace simkit::cli

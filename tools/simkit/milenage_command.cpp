// `simkit milenage`: the MILENAGE outputs (3GPP TS 35.206) for one K, OP or OPc, RAND, SQN and AMF,
// as an AuC/HSS computes them for an authentication vector and a USIM for AUTHENTICATE: OPc,
// MAC-A (f1), MAC-S (f1*), RES (f2), CK (f3), IK (f4), AK (f5), AK* (f5*) and the GSM SRES/Kc
// (c2/c3). K and OP are never printed; OPc is, because it is one of the answers.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/milenage.hpp"

namespace simkit::cli {

namespace {
struct MilenageOptions {
    std::string k;
    std::string op;
    std::string opc;
    std::string rand;
    std::string sqn;
    std::string amf;
    bool json = false;
};

// The bytes of one option, checked for hex and length; errors name the option. `secret` options are
// parsed into zeroizing memory and the option text is wiped.
template <typename Buffer>
Buffer option_bytes(const std::string& option, std::string& text, std::size_t length, bool secret) {
    Buffer out;
    try {
        if constexpr (std::is_same_v<Buffer, secure_bytes>) {
            out = secure_from_hex(text);
        } else {
            out = from_hex(text);
        }
    } catch (const FormatError& e) {
        if (!secret) throw FormatError(option + ": " + e.what());
        // The parser's message quotes the offending character: not for a secret.
        secure_wipe(text.data(), text.size());
        throw FormatError(option + ": not valid hex (" + std::to_string(2 * length) + " hex digits expected)");
    }
    if (secret) secure_wipe(text.data(), text.size());
    if (out.size() != length) {
        throw ArgumentError(option + " must be " + std::to_string(length) + " bytes (" + std::to_string(2 * length) +
                            " hex digits), not " + std::to_string(out.size()));
    }
    return out;
}

int run_milenage(MilenageOptions& opt) {
    // Every argument is checked before anything is printed.
    if (opt.op.empty() == opt.opc.empty()) throw ArgumentError("give exactly one of --op and --opc");
    const auto k = option_bytes<secure_bytes>("--k", opt.k, 16, true);
    const secure_bytes opc = opt.opc.empty()
                                 ? milenage::opc_from_op(k, option_bytes<secure_bytes>("--op", opt.op, 16, true))
                                 : option_bytes<secure_bytes>("--opc", opt.opc, 16, true);
    const auto rand = option_bytes<bytes>("--rand", opt.rand, 16, false);
    const auto sqn = option_bytes<bytes>("--sqn", opt.sqn, 6, false);
    const auto amf = option_bytes<bytes>("--amf", opt.amf, 2, false);

    const milenage::Milenage m(k, opc);
    const milenage::MacPair macs = m.f1(rand, sqn, amf);
    const milenage::Vectors v = m.f2345(rand);
    const bytes ak_star = m.f5_star(rand);
    const bytes sres = milenage::sres_from_res(v.res);
    const secure_bytes kc = milenage::kc_from_ck_ik(v.ck, v.ik);

    const std::pair<const char*, std::string> fields[] = {
        {"opc", lower_hex(opc)},         {"mac_a", lower_hex(macs.mac_a)}, {"mac_s", lower_hex(macs.mac_s)},
        {"res", lower_hex(v.res)},       {"ck", lower_hex(v.ck)},          {"ik", lower_hex(v.ik)},
        {"ak", lower_hex(v.ak)},         {"ak_star", lower_hex(ak_star)},  {"sres", lower_hex(sres)},
        {"kc", lower_hex(kc)},
    };
    if (opt.json) {
        nlohmann::ordered_json out;
        for (const auto& [name, hex] : fields) out[name] = hex;
        print_json(out);
    } else {
        for (const auto& [name, hex] : fields) std::cout << name << ": " << hex << "\n";
    }
    return 0;
}
}  // namespace

void add_milenage_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<MilenageOptions>();
    CLI::App* cmd = app.add_subcommand(
        "milenage",
        "Compute MILENAGE (3GPP TS 35.206), the USIM authentication algorithm, for one subscriber key and\n"
        "challenge, as the AuC/HSS does for an authentication vector and the USIM does for AUTHENTICATE.\n"
        "Prints OPc (derived from --op, or as given), MAC-A = f1 and MAC-S = f1* (both with the given AMF),\n"
        "RES = f2, CK = f3, IK = f4, AK = f5, AK* = f5*, and the GSM values SRES = c2(RES) and\n"
        "Kc = c3(CK, IK) of TS 33.102 6.8.1.2. AUTN = (SQN xor AK) || AMF || MAC-A.\n"
        "K, OP and OPc are secrets: K and OP are never printed.\n"
        "Exit 2 for bad hex, a wrong length, or not exactly one of --op/--opc.\n"
        "Example (3GPP TS 35.208 test set 1):\n"
        "  simkit milenage --k 465b5ce8b199b49faa5f0a2ee238a6bc --op cdc202d5123e20f62b6d676ac72cb318 \\\n"
        "      --rand 23553cbe9637a89d218ae64dae47bf35 --sqn ff9bb4d0b607 --amf b9b9\n"
        "  opc: cd63cb71954a9f4e48a5994e37a02baf, mac_a: 4a9ffac354dfafb3, res: a54211d5e3ba50bf,\n"
        "  sres: 46f8416a ...");
    cmd->add_option("--k", opt->k, "subscriber key K, 16 bytes in hex")->required();
    CLI::Option* op = cmd->add_option("--op", opt->op, "operator variant OP, 16 bytes in hex (OPc = OP xor E_K(OP))");
    CLI::Option* opc = cmd->add_option("--opc", opt->opc, "OPc, 16 bytes in hex (instead of --op)");
    op->excludes(opc);
    opc->excludes(op);
    cmd->add_option("--rand", opt->rand, "the challenge RAND, 16 bytes in hex")->required();
    cmd->add_option("--sqn", opt->sqn, "sequence number SQN, 6 bytes in hex")->required();
    cmd->add_option("--amf", opt->amf, "authentication management field AMF, 2 bytes in hex")->required();
    cmd->add_flag("--json", opt->json,
                  "print one JSON object {opc, mac_a, mac_s, res, ck, ik, ak, ak_star, sres, kc}, lowercase hex");
    cmd->callback([opt, &exit_code] { exit_code = run_milenage(*opt); });
}

}  // namespace simkit::cli

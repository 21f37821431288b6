// `simkit derive`: a card's static ENC/MAC/DEK keys and their KCVs from an issuer master key and the
// card's key diversification data (EMV CPS 1.1, VISA2 or KDF3; see simkit/diversify.hpp). Printing
// keys is this command's job; nothing else in simkit prints them.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/diversify.hpp"
#include "simkit/errors.hpp"

namespace simkit::cli {

namespace {
struct DeriveOptions {
    std::string scheme;
    std::string master;
    std::string kdd;
    bool json = false;
};

int run_derive(const DeriveOptions& opt) {
    // Every argument is checked before anything is printed.
    const DiversificationScheme scheme = parse_diversification_scheme(opt.scheme);
    const secure_bytes master = to_secure(option_hex("--master", opt.master));
    const bytes kdd = option_hex("--kdd", opt.kdd);
    const scp::StaticKeys keys = diversify_keys(scheme, master, kdd);

    const struct {
        const char* name;
        const secure_bytes& key;
    } parts[] = {{"enc", keys.enc}, {"mac", keys.mac}, {"dek", keys.dek}};
    if (opt.json) {
        nlohmann::ordered_json out;
        out["scheme"] = to_string(scheme);
        for (const auto& part : parts) out[part.name] = lower_hex(part.key);
        for (const auto& part : parts) out[std::string("kcv_") + part.name] = lower_hex(key_check_value(scheme, part.key));
        print_json(out);
        return 0;
    }
    std::cout << "scheme " << to_string(scheme) << " (KCVs by "
              << (scheme == DiversificationScheme::Kdf3 ? "AES" : "3DES") << ")\n";
    for (const auto& part : parts) {
        std::string label = part.name;
        std::transform(label.begin(), label.end(), label.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        std::cout << label << "  " << to_hex(part.key) << "  KCV " << to_hex(key_check_value(scheme, part.key)) << "\n";
    }
    return 0;
}
}  // namespace

void add_derive_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<DeriveOptions>();
    CLI::App* cmd = app.add_subcommand(
        "derive",
        "Derive a card's static keys (ENC, MAC, DEK) from an issuer master key and print them with their\n"
        "key check values (KCV). Cards issued with diversified keys hold keys of their own, computed from\n"
        "one master key and the card's key diversification data (KDD): the first 10 bytes of the card's\n"
        "INITIALIZE UPDATE response (80 50 ...), unique per card.\n"
        "Schemes (as GlobalPlatformPro names them):\n"
        "  emv    EMV CPS 1.1, 16-byte 3DES master: 3DES-ECB over KDD bytes 4..9 (KCV: 3DES)\n"
        "  visa2  VISA2, 16-byte 3DES master: 3DES-ECB over KDD bytes 0..1 and 4..7 (KCV: 3DES)\n"
        "  kdf3   AES-CMAC counter KDF, 16/24/32-byte AES master: CMAC(master, i || 0000000k00 || KDD)\n"
        "         (KCV: AES)\n"
        "Exit 2 for a bad scheme, bad hex, a KDD that is not 10 bytes or a master of the wrong length.\n"
        "Example: simkit derive --scheme emv --master 404142434445464748494A4B4C4D4E4F "
        "--kdd 00010203040506070809\n"
        "         (ENC KCV C33013, MAC KCV 6F4CA6, DEK KCV BB8179)");
    cmd->add_option("--scheme", opt->scheme, "emv, visa2 or kdf3")->required();
    cmd->add_option("--master", opt->master, "the issuer master key in hex (emv/visa2: 16 bytes; kdf3: 16, 24 or 32)")
        ->required();
    cmd->add_option("--kdd", opt->kdd, "key diversification data in hex: 10 bytes, the start of INITIALIZE UPDATE's answer")
        ->required();
    cmd->add_flag("--json", opt->json, "print one JSON object {scheme, enc, mac, dek, kcv_enc, kcv_mac, kcv_dek}, lowercase hex");
    cmd->callback([opt, &exit_code] { exit_code = run_derive(*opt); });
}

}  // namespace simkit::cli

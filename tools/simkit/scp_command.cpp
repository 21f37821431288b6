// `simkit scp03` and `simkit scp02`: open a GlobalPlatform secure channel to the card's security
// domain and send APDUs through it, printing the unwrapped answers exactly as `simkit apdu` does.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp_options.hpp"

namespace simkit::cli {

namespace {

struct ScpCommandOptions {
    ScpCliOptions scp;
    std::vector<std::string> apdus;
    bool json = false;
};

std::vector<CommandApdu> parse_apdus(const std::vector<std::string>& texts) {
    std::vector<CommandApdu> out;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        try {
            out.push_back(CommandApdu::parse(from_hex(texts[i])));
        } catch (const FormatError& e) {
            throw FormatError("APDU " + std::to_string(i + 1) + " '" + texts[i] + "': " + e.what());
        }
    }
    if (out.empty()) throw FormatError("no APDUs given: pass the plain command APDUs in hex after the options");
    return out;
}

int run_scp(const ScpCommandOptions& opt, scp::Protocol protocol) {
    const std::vector<CommandApdu> commands = parse_apdus(opt.apdus);  // all checked before the card is touched
    OpenSession open = open_session(opt.scp, protocol);
    AnswerPrinter printer(opt.json);
    for (const CommandApdu& command : commands) printer.add(command.encode(), open.session->transmit(command));
    printer.finish();
    return 0;
}

void add_command(CLI::App& app, int& exit_code, scp::Protocol protocol) {
    const bool scp03 = protocol == scp::Protocol::Scp03;
    auto opt = std::make_shared<ScpCommandOptions>();
    const std::string description =
        scp03 ? "Open an SCP03 secure channel (GlobalPlatform Amendment D) to the card's Issuer Security Domain\n"
                "and send APDUs through it: each plain command is MACed (and encrypted, by level), each answer's\n"
                "R-MAC checked and decrypted, and printed as '<data hex> <SW>' like `simkit apdu`.\n"
                "The key set: --key (one AES key as ENC = MAC = DEK), --enc/--mac/--dek, or --master with\n"
                "--derive emv|visa2|kdf3 (keys diversified with the card's KDD). A fresh simulated card has key\n"
                "set KVN 30 with all three keys 404142434445464748494A4B4C4D4E4F.\n"
                "A wrong key is caught before anything of the host's is sent: exit 1, 'card cryptogram does not\n"
                "match'. Exit 0 when every APDU was exchanged, whatever its status word.\n"
                "Example (GET STATUS of the ISD at the full level):\n"
                "  simkit scp03 --card sim:card.state --key 404142434445464748494A4B4C4D4E4F --level full 80F28002024F00"
              : "Open an SCP02 secure channel (GlobalPlatform 2.2 Appendix E, i=15/55: C-MAC, C-DECRYPTION) to\n"
                "the card's Issuer Security Domain and send APDUs through it, printing '<data hex> <SW>' per APDU\n"
                "like `simkit apdu`. Keys are 16-byte 3DES: --key, --enc/--mac/--dek, or --master with --derive\n"
                "emv|visa2. A wrong key exits 1 with 'card cryptogram does not match' before EXTERNAL\n"
                "AUTHENTICATE is sent.\n"
                "Example (GET STATUS of the ISD with an SCP02 key set KVN 20):\n"
                "  simkit scp02 --card sim:card.state --kvn 20 --key 404142434445464748494A4B4C4D4E4F 80F28002024F00";
    CLI::App* cmd = app.add_subcommand(scp03 ? "scp03" : "scp02", description);
    add_scp_options(cmd, opt->scp, protocol);
    cmd->add_option("apdus", opt->apdus, "plain command APDUs in hex, sent wrapped in order (CLA 80 for GlobalPlatform)");
    cmd->add_flag("--json", opt->json, "print a JSON array of {command, response, sw, meaning} (the plain forms)");
    cmd->callback([opt, &exit_code, protocol] { exit_code = run_scp(*opt, protocol); });
}

}  // namespace

void add_scp_commands(CLI::App& app, int& exit_code) {
    add_command(app, exit_code, scp::Protocol::Scp03);
    add_command(app, exit_code, scp::Protocol::Scp02);
}

}  // namespace simkit::cli

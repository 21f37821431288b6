// `simkit personalize`: one card through the personalization line (simkit::personalize::
// CardPersonalizer): USIM data (ICCID, IMSI, K, OPc), the ISD keys rotated to keys diversified from a
// master key and the card's KDD, optionally an on-card device key, then verified. K and OPc may come
// on the command line (a single card); the master key only from a file, $SIMKIT_MASTER_KEY or stdin,
// never from argv. The output (text, or --json) holds KCVs and the device public key, no secret.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "personalize_line.hpp"
#include "simkit/answer_output.hpp"
#include "simkit/card.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/diversify.hpp"
#include "simkit/errors.hpp"
#include "simkit/personalization_line.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit::cli {

namespace {

const char* const kFactoryKeyHex = "404142434445464748494A4B4C4D4E4F";
const char* const kMasterEnv = "SIMKIT_MASTER_KEY";

struct PersonalizeOptions {
    std::optional<std::string> card;
    std::string iccid;
    std::string imsi;
    std::string ki;
    std::string opc;
    std::string master_key_file;
    std::string scheme = "kdf3";
    std::string scp_key = kFactoryKeyHex;
    std::string new_kvn = "31";
    std::optional<int> device_key_slot;
    bool json = false;
    BatchRun batch;
    std::string on_error = "skip";
    bool report = false;
};

std::string kvn_text(uint8_t kvn) { return to_hex(&kvn, 1); }

// The master key: from --master-key-file (a path, or '-' for stdin), else $SIMKIT_MASTER_KEY. Hex,
// whitespace around it ignored. The text is wiped once parsed.
secure_bytes read_master_key(const std::string& file) {
    std::string text;
    std::string source;
    if (!file.empty()) {
        source = file == "-" ? "stdin" : "--master-key-file " + file;
        if (file == "-") {
            text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        } else {
            std::ifstream in(file, std::ios::binary);
            if (!in) throw ArgumentError("cannot read the master key file '" + file + "'");
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    } else if (const char* env = std::getenv(kMasterEnv); env != nullptr && *env != '\0') {
        source = std::string("$") + kMasterEnv;
        text = env;
    } else {
        throw ArgumentError(std::string("no master key: give --master-key-file FILE (or '-' for stdin) or set $") + kMasterEnv +
                            " (never on the command line)");
    }
    std::string hex;
    for (char c : text) {
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') hex.push_back(c);
    }
    secure_wipe(text.data(), text.size());
    if (hex.empty()) throw ArgumentError("the master key from " + source + " is empty");
    return option_secret_hex("master key (" + source + ")", hex);
}

int run_personalize(PersonalizeOptions& opt) {
    if (opt.report) {
        if (opt.batch.journal.empty()) throw ArgumentError("--report needs --journal FILE");
        return run_journal_report(opt.batch.journal, opt.json);
    }
    // Everything is checked before the card is opened.
    personalize::LineKeys keys;
    keys.scheme = parse_diversification_scheme(opt.scheme);
    keys.master = read_master_key(opt.master_key_file);
    const secure_bytes current = option_secret_hex("--scp-key", opt.scp_key);
    keys.current = scp::StaticKeys{current, current, current};
    const bytes kvn = option_hex("--new-kvn", opt.new_kvn);
    if (kvn.size() != 1 || kvn[0] == 0x00 || kvn[0] > 0x7F) {
        throw ArgumentError("--new-kvn '" + opt.new_kvn + "' is not one hex byte 01..7F such as 31");
    }
    keys.new_kvn = kvn[0];

    if (!opt.batch.csv.empty()) {
        if (opt.on_error != "skip" && opt.on_error != "stop") throw ArgumentError("--on-error is skip or stop");
        opt.batch.stop_on_error = opt.on_error == "stop";
        if (opt.card) opt.batch.card = *opt.card;
        return run_personalize_batch(opt.batch, std::move(keys));
    }
    if (opt.iccid.empty() || opt.imsi.empty() || opt.ki.empty() || opt.opc.empty()) {
        throw ArgumentError("one card needs --iccid, --imsi, --ki and --opc (or --batch FILE for a CSV)");
    }
    if (opt.iccid.size() < 18 || opt.iccid.size() > 20 || !uicc::luhn_valid(opt.iccid)) {
        throw ArgumentError("--iccid " + opt.iccid + ": 18 to 20 digits ending with the Luhn check digit expected");
    }
    uicc::encode_imsi(opt.imsi);  // ArgumentError naming what is wrong with the IMSI

    personalize::CardData data;
    data.iccid = opt.iccid;
    data.imsi = opt.imsi;
    data.ki = option_secret_hex("--ki", opt.ki);
    data.opc = option_secret_hex("--opc", opt.opc);
    if (opt.device_key_slot) {
        if (*opt.device_key_slot < 1 || *opt.device_key_slot > 4) {
            throw ArgumentError("--gen-device-key " + std::to_string(*opt.device_key_slot) + ": private key slots are 1 to 4");
        }
        data.device_key_slot = static_cast<uint8_t>(*opt.device_key_slot);
    }

    personalize::CardPersonalizer personalizer(std::move(keys));
    Card card = Card::open(opt.card);
    const personalize::CardRecord record = personalizer.personalize(card, data);

    if (opt.json) {
        print_json(nlohmann::ordered_json::parse(personalize::card_record_json(record)));
    } else if (record.ok) {
        std::cout << "card " << record.iccid << " personalized" << (record.resumed ? " (found part-way, completed)" : "")
                  << " and verified\n";
        std::cout << "  ISD key set " << kvn_text(record.kvn) << " (" << to_string(parse_diversification_scheme(opt.scheme)) << "), KCVs ENC " << record.kcv_enc
                  << ", MAC " << record.kcv_mac << ", DEK " << record.kcv_dek << ", card KDD " << record.kdd << "\n";
        if (record.device_public_key) std::cout << "  device public key " << *record.device_public_key << "\n";
    }
    if (!record.ok) {
        std::cerr << "simkit: personalize " << record.iccid << ": " << record.error << "\n";
        return kExitFailure;
    }
    return 0;
}

}  // namespace

void add_personalize_command(CLI::App& app, int& exit_code) {
    auto opt = std::make_shared<PersonalizeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "personalize",
        "Personalize one card: under its current ISD keys write the USIM's EF.ICCID, EF.IMSI, K and OPc\n"
        "(STORE DATA, K/OPc encrypted under the DEK), add an ISD key set diversified from the master key\n"
        "and the card's KDD (PUT KEY, KCVs checked) and delete the old one, optionally generate a device\n"
        "key, then verify (files read back, a session with the new keys, one AKA checked against MILENAGE).\n"
        "A card found part-way (a run killed mid-card) is completed. The master key is read from\n"
        "--master-key-file (hex; '-' = stdin) or $SIMKIT_MASTER_KEY, never from the command line.\n"
        "Output: the record (KVN, KCVs, the card's KDD, device public key), never a key. Exit 1 when the card failed.\n"
        "Example: SIMKIT_MASTER_KEY=... simkit personalize --card sim:card.state --iccid 8988211000000001001 \\\n"
        "           --imsi 001010000000100 --ki <K hex> --opc <OPc hex> --scheme kdf3 --json\n"
        "A batch: simkit personalize --batch cards.csv --journal line.journal --out results.jsonl \\\n"
        "           --sim-dir cards/ --master-key-file master.hex --resume\n"
        "A real line (one reader; insert each card when asked): --card 'pcsc:Virtual PCD 00 00' instead of --sim-dir.\n"
        "Journal, steps, output and exit codes: specs/personalization.md");
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_option("--iccid", opt->iccid, "the card's new ICCID, 18..20 digits with the Luhn check digit");
    cmd->add_option("--imsi", opt->imsi, "the USIM's new IMSI, 6..15 digits");
    cmd->add_option("--ki", opt->ki, "the USIM's new K, 16 bytes hex");
    cmd->add_option("--opc", opt->opc, "the USIM's new OPc, 16 bytes hex");
    cmd->add_option("--batch", opt->batch.csv,
                    "personalize every card of a CSV (header; columns iccid,imsi,ki,opc required; pin, puk,\n"
                    "device_key_slot optional) with --journal, --out, and --sim-dir DIR (the simulated line) or\n"
                    "--card pcsc:READER (a real line: insert each card when asked, remove it when done)");
    cmd->add_option("--journal", opt->batch.journal,
                    "the line's SQLite journal: every step of every card, so a killed run resumes exactly");
    cmd->add_flag("--resume", opt->batch.resume,
                  "continue the journal (cards done are skipped, cards part-way completed); without it an\n"
                  "existing journal is refused; with it a missing one is started");
    cmd->add_option("--out", opt->batch.out, "JSON lines, one record per card (written from the journal)");
    cmd->add_option("--sim-dir", opt->batch.sim_dir, "the simulated line: DIR/<ICCID>.state per card, created as needed");
    cmd->add_option("--jobs", opt->batch.jobs, "the simulated line: cards personalized at once (default 8; 1..64)")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--on-error", opt->on_error, "bad CSV rows: skip (report them, go on; default) or stop (touch no card)");
    cmd->add_flag("--report", opt->report, "summarise --journal: done, failed, in progress, rate");
    cmd->add_option("--master-key-file", opt->master_key_file,
                    "file holding the diversification master key in hex ('-' = stdin; default: $SIMKIT_MASTER_KEY)");
    cmd->add_option("--scheme", opt->scheme, "diversification: kdf3 (AES, SCP03 key set; default), emv or visa2 (3DES, SCP02 key set)");
    cmd->add_option("--scp-key", opt->scp_key, "the card's current ISD key (ENC = MAC = DEK, KVN 30), hex (default: the factory key)");
    cmd->add_option("--new-kvn", opt->new_kvn, "KVN of the diversified key set, hex (default 31)");
    cmd->add_option("--gen-device-key", opt->device_key_slot, "generate an on-card P-256 device key in this private key slot (1..4)");
    cmd->add_flag("--json", opt->json,
                  "print one JSON object {iccid, status ok|failed, kvn, kcv_enc, kcv_mac, kcv_dek, kdd, device_public_key, resumed, error}");
    cmd->callback([opt, &exit_code] { exit_code = run_personalize(*opt); });
}

}  // namespace simkit::cli

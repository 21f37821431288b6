// `simkit gp status|keys|put-key|delete-key`: GlobalPlatform card management over a secure channel
// (SCP03 or SCP02, the shared options of scp_options.hpp): the registry, the key information template,
// key set rotation with PUT KEY (KCVs checked) and DELETE of keys. Key values are never printed.
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/diversify.hpp"
#include "simkit/errors.hpp"
#include "simkit/gp_client.hpp"
#include "simkit/scp_options.hpp"

namespace simkit::cli {

namespace {

// What every gp subcommand takes: the secure channel, the protocol, --json.
struct GpOptions {
    ScpCliOptions scp;
    std::string protocol = "03";
    bool json = false;
};

struct PutKeyOptions {
    std::string new_kvn;
    std::string replace_kvn;
    std::string new_key;
    std::string new_enc, new_mac, new_dek;
    std::string new_master;
    std::string new_derive;
    std::string new_type;
};

struct DeleteKeyOptions {
    std::string kvn;
    std::optional<int> key_id;
};

scp::Protocol protocol_of(const GpOptions& opt) {
    return opt.protocol == "02" ? scp::Protocol::Scp02 : scp::Protocol::Scp03;
}

std::string hex_byte(uint8_t value) { return to_hex(&value, 1); }

// One hex byte given to `option` ("31"); ArgumentError naming the option otherwise.
uint8_t option_byte(const std::string& option, const std::string& text) {
    bytes value;
    try {
        value = from_hex(text);
    } catch (const FormatError& e) {
        throw FormatError(option + ": " + e.what());
    }
    if (value.size() != 1) throw ArgumentError(option + " '" + text + "' is not one hex byte such as 31");
    return value[0];
}

// A key given in hex to `option`; the text is wiped once parsed and never shown in errors.
secure_bytes option_key(const std::string& option, std::string& text) {
    secure_bytes key;
    try {
        key = secure_from_hex(text);
    } catch (const FormatError& e) {
        secure_wipe(text.data(), text.size());
        throw FormatError(option + ": " + e.what());
    }
    secure_wipe(text.data(), text.size());
    return key;
}

std::string session_line(const ScpSession& session) {
    const uint8_t level = session.level();
    return std::string(session.protocol() == scp::Protocol::Scp03 ? "SCP03" : "SCP02") + " session with key set " +
           hex_byte(session.card_info().kvn) + ", level " + hex_byte(level) + " (" + scp::describe_level(level) + ")";
}

// GP 2.3 Table 11-5 (card) and 11-6/11-7 (applications, security domains).
std::string life_cycle_name(uint8_t p1, uint8_t state) {
    if (p1 == 0x80) {
        switch (state) {
            case 0x01: return "OP_READY";
            case 0x07: return "INITIALIZED";
            case 0x0F: return "SECURED";
            case 0x7F: return "CARD_LOCKED";
            case 0xFF: return "TERMINATED";
            default: return "unknown";
        }
    }
    if (p1 == 0x20 || p1 == 0x10) return state == 0x01 ? "LOADED" : "unknown";
    if ((state & 0x80) != 0) return "LOCKED";
    switch (state) {
        case 0x03: return "INSTALLED";
        case 0x07: return "SELECTABLE";
        case 0x0F: return "PERSONALIZED";
        default: return (state & 0x07) == 0x07 ? "SELECTABLE (application-specific)" : "unknown";
    }
}

std::string key_type_name(const KeyInfo& key) {
    if (key.type == 0x88) return "AES-" + std::to_string(key.length * 8);
    if (key.type == 0x80) return "3DES";
    return "type " + hex_byte(key.type);
}

nlohmann::ordered_json registry_json(uint8_t p1, const std::vector<RegistryEntry>& entries) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : entries) {
        out.push_back({{"aid", to_hex(e.aid)},
                       {"life_cycle", hex_byte(e.life_cycle)},
                       {"life_cycle_name", life_cycle_name(p1, e.life_cycle)},
                       {"privileges", to_hex(e.privileges)}});
    }
    return out;
}

void print_registry(const std::string& title, uint8_t p1, const std::vector<RegistryEntry>& entries) {
    std::cout << title << "\n";
    if (entries.empty()) {
        std::cout << "  (none)\n";
        return;
    }
    std::size_t aid_width = 3;
    for (const auto& e : entries) aid_width = std::max(aid_width, e.aid.size() * 2);
    const auto pad = [](std::string text, std::size_t width) {
        text.resize(std::max(width, text.size()), ' ');
        return text;
    };
    std::cout << "  " << pad("AID", aid_width) << "  " << pad("LIFE CYCLE", 24) << "  PRIVILEGES\n";
    for (const auto& e : entries) {
        std::cout << "  " << pad(to_hex(e.aid), aid_width) << "  "
                  << pad(hex_byte(e.life_cycle) + " " + life_cycle_name(p1, e.life_cycle), 24) << "  "
                  << (e.privileges.empty() ? "-" : to_hex(e.privileges)) << "\n";
    }
}

int run_status(GpOptions& opt) {
    OpenSession open = open_session(opt.scp, protocol_of(opt));
    GpClient gp(*open.session);
    const auto isd = gp.get_status(0x80);
    const auto applications = gp.get_status(0x40);
    if (opt.json) {
        nlohmann::ordered_json out;
        out["isd"] = registry_json(0x80, isd);
        out["applications"] = registry_json(0x40, applications);
        print_json(out);
        return 0;
    }
    std::cout << session_line(*open.session) << "\n";
    print_registry("Issuer Security Domain", 0x80, isd);
    print_registry("Applications and security domains", 0x40, applications);
    return 0;
}

int run_keys(GpOptions& opt) {
    OpenSession open = open_session(opt.scp, protocol_of(opt));
    const auto keys = GpClient(*open.session).key_information();
    if (opt.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& k : keys) {
            out.push_back({{"kvn", hex_byte(k.kvn)},
                           {"id", k.id},
                           {"type", key_type_name(k)},
                           {"type_code", hex_byte(k.type)},
                           {"length", k.length}});
        }
        print_json(out);
        return 0;
    }
    std::cout << session_line(*open.session) << "\n";
    std::cout << "KVN  ID  TYPE      LENGTH\n";
    for (const auto& k : keys) {
        std::string type = key_type_name(k);
        type.resize(std::max<std::size_t>(8, type.size()), ' ');
        std::cout << hex_byte(k.kvn) << "   " << int(k.id) << "   " << type << "  " << int(k.length) << "\n";
    }
    return 0;
}

// The new keys, checked before the card is touched except for a --new-master, which needs the KDD.
struct NewKeys {
    std::optional<scp::StaticKeys> plain;
    std::optional<DiversificationScheme> scheme;
    secure_bytes master;
};

NewKeys new_keys_from(PutKeyOptions& opt) {
    const bool single = !opt.new_key.empty();
    const bool three = !opt.new_enc.empty() || !opt.new_mac.empty() || !opt.new_dek.empty();
    const bool master = !opt.new_master.empty() || !opt.new_derive.empty();
    if (int(single) + int(three) + int(master) != 1) {
        throw ArgumentError("put-key needs exactly one of --new-key, --new-enc/--new-mac/--new-dek, "
                            "--new-master with --new-derive");
    }
    NewKeys keys;
    if (single) {
        const secure_bytes key = option_key("--new-key", opt.new_key);
        keys.plain = scp::StaticKeys{key, key, key};
    } else if (three) {
        if (opt.new_enc.empty() || opt.new_mac.empty() || opt.new_dek.empty()) {
            throw ArgumentError("--new-enc, --new-mac and --new-dek go together: give all three");
        }
        keys.plain = scp::StaticKeys{option_key("--new-enc", opt.new_enc), option_key("--new-mac", opt.new_mac),
                                     option_key("--new-dek", opt.new_dek)};
    } else {
        if (opt.new_master.empty() || opt.new_derive.empty()) {
            throw ArgumentError("--new-master and --new-derive go together (--new-derive emv, visa2 or kdf3)");
        }
        keys.scheme = parse_diversification_scheme(opt.new_derive);
        keys.master = option_key("--new-master", opt.new_master);
    }
    return keys;
}

int run_put_key(GpOptions& opt, PutKeyOptions& put) {
    KeySetUpdate update;
    update.new_kvn = option_byte("--new-kvn", put.new_kvn);
    if (!put.replace_kvn.empty()) update.replace_kvn = option_byte("--replace-kvn", put.replace_kvn);
    NewKeys keys = new_keys_from(put);
    const scp::Protocol protocol = protocol_of(opt);
    if (keys.scheme) {
        update.des = *keys.scheme != DiversificationScheme::Kdf3;
        if (!put.new_type.empty() && (put.new_type == "des") != update.des) {
            throw ArgumentError("--new-type " + put.new_type + " does not fit --new-derive " + to_string(*keys.scheme) +
                                " (emv and visa2 give 3DES keys, kdf3 AES keys)");
        }
    } else {
        update.des = put.new_type.empty() ? protocol == scp::Protocol::Scp02 : put.new_type == "des";
    }

    OpenSession open = open_session(opt.scp, protocol);
    const bytes& kdd = open.session->card_info().key_diversification_data;
    update.keys = keys.plain ? *keys.plain : diversify_keys(*keys.scheme, keys.master, kdd);
    const std::vector<bytes> kcvs = GpClient(*open.session).put_key(update);

    const std::string type = update.des ? "3DES" : "AES-" + std::to_string(update.keys.enc.size() * 8);
    if (opt.json) {
        nlohmann::ordered_json out;
        out["kvn"] = hex_byte(update.new_kvn);
        out["replaced_kvn"] = update.replace_kvn ? nlohmann::ordered_json(hex_byte(*update.replace_kvn)) : nullptr;
        out["key_type"] = type;
        if (keys.scheme) {
            out["derive"] = to_string(*keys.scheme);
            out["kdd"] = to_hex(kdd);
        }
        out["kcv"] = {{"enc", to_hex(kcvs[0])}, {"mac", to_hex(kcvs[1])}, {"dek", to_hex(kcvs[2])}};
        out["kcvs_match"] = true;
        print_json(out);
        return 0;
    }
    std::cout << session_line(*open.session) << "\n";
    std::cout << "PUT KEY: " << (update.replace_kvn ? "key set " + hex_byte(*update.replace_kvn) + " replaced by" : std::string("added"))
              << " key set " << hex_byte(update.new_kvn) << ", " << type << " keys";
    if (keys.scheme) std::cout << " diversified (" << to_string(*keys.scheme) << ") with the card's KDD " << to_hex(kdd);
    std::cout << "\n";
    std::cout << "  card returned KVN " << hex_byte(update.new_kvn) << " and KCVs ENC " << to_hex(kcvs[0]) << ", MAC "
              << to_hex(kcvs[1]) << ", DEK " << to_hex(kcvs[2]) << "\n";
    std::cout << "  they match the KCVs of the keys sent\n";
    return 0;
}

int run_delete_key(GpOptions& opt, const DeleteKeyOptions& del) {
    const uint8_t kvn = option_byte("--delete-kvn", del.kvn);
    std::optional<uint8_t> key_id;
    if (del.key_id) key_id = static_cast<uint8_t>(*del.key_id);
    OpenSession open = open_session(opt.scp, protocol_of(opt));
    GpClient(*open.session).delete_key(kvn, key_id);
    if (opt.json) {
        nlohmann::ordered_json out;
        out["deleted_kvn"] = hex_byte(kvn);
        out["key_id"] = key_id ? nlohmann::ordered_json(int(*key_id)) : nullptr;
        print_json(out);
        return 0;
    }
    std::cout << session_line(*open.session) << "\n";
    if (key_id) {
        std::cout << "DELETE: key " << int(*key_id) << " of key set " << hex_byte(kvn) << " removed\n";
    } else {
        std::cout << "DELETE: key set " << hex_byte(kvn) << " removed\n";
    }
    return 0;
}

// The options every gp subcommand shares.
std::shared_ptr<GpOptions> add_gp_options(CLI::App* cmd) {
    auto opt = std::make_shared<GpOptions>();
    add_scp_options(cmd, opt->scp, scp::Protocol::Scp03);
    cmd->add_option("--scp", opt->protocol, "secure channel protocol: 03 (AES, default) or 02 (3DES)")
        ->check(CLI::IsMember({"02", "03"}));
    cmd->add_flag("--json", opt->json, "print JSON instead of a table");
    return opt;
}

const char* const kChannelHelp =
    "Opens a secure channel first (SELECT the ISD, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE), with\n"
    "--key (ENC = MAC = DEK), --enc/--mac/--dek or --master with --derive emv|visa2|kdf3 (keys\n"
    "diversified with the card's KDD). A simulated card starts with key set 30, all three keys\n"
    "404142434445464748494A4B4C4D4E4F. Exit 0 on success, 1 when the card refuses (the status word\n"
    "and its meaning on stderr), 2 for bad options.";

}  // namespace

void add_gp_command(CLI::App& app, int& exit_code) {
    CLI::App* gp = app.add_subcommand(
        "gp", "GlobalPlatform card management over a secure channel: registry, keys, PUT KEY, DELETE key");
    gp->require_subcommand(1);
    gp->footer(std::string(kChannelHelp) +
               "\nExamples:\n"
               "  simkit gp status --card sim:card.state --key 404142434445464748494A4B4C4D4E4F\n"
               "  simkit gp keys --card sim:card.state --key 404142434445464748494A4B4C4D4E4F --json");

    CLI::App* status = gp->add_subcommand(
        "status", "List the Issuer Security Domain and the applications (GET STATUS P1 80 and 40): AID, life cycle,\n"
                  "privileges. Needs an authenticated channel (any level).");
    status->footer(std::string(kChannelHelp) +
                   "\nExample: simkit gp status --card sim:card.state --key 404142434445464748494A4B4C4D4E4F --level mac");
    auto status_opt = add_gp_options(status);
    status->callback([status_opt, &exit_code] { exit_code = run_status(*status_opt); });

    CLI::App* keys = gp->add_subcommand(
        "keys", "Show the key information template (GET DATA 00E0): KVN, key id, type (AES-128/192/256, 3DES), length.");
    keys->footer(std::string(kChannelHelp) +
                 "\nExample: simkit gp keys --card sim:card.state --key 404142434445464748494A4B4C4D4E4F");
    auto keys_opt = add_gp_options(keys);
    keys->callback([keys_opt, &exit_code] { exit_code = run_keys(*keys_opt); });

    CLI::App* put = gp->add_subcommand(
        "put-key",
        "Write a key set with PUT KEY: replace one (--replace-kvn) or add one. The new keys travel encrypted\n"
        "under the session's DEK with their key check values (KCV); the card answers the KCVs of what it\n"
        "stored, which are checked against the keys sent and printed. Key values are never printed.\n"
        "The session needs C-DECRYPTION: level mac-enc (03), 13 or full (33); at mac (01) the card says 6982.\n"
        "New keys: --new-key K (ENC = MAC = DEK), --new-enc/--new-mac/--new-dek, or --new-master M with\n"
        "--new-derive emv|visa2|kdf3: keys diversified from M and this card's KDD (from INITIALIZE UPDATE),\n"
        "so afterwards the card opens with --master M --derive SCHEME.");
    put->footer(std::string(kChannelHelp) +
                "\nExamples:\n"
                "  rotate the factory key set 30 to key set 31 diversified from a master key (KDF3, AES):\n"
                "    simkit gp put-key --card sim:card.state --key 404142434445464748494A4B4C4D4E4F \\\n"
                "      --replace-kvn 30 --new-kvn 31 --new-master 00112233445566778899AABBCCDDEEFF --new-derive kdf3\n"
                "  then authenticate with the new keys:\n"
                "    simkit gp status --card sim:card.state --master 00112233445566778899AABBCCDDEEFF --derive kdf3\n"
                "  add a second key set 32 with one AES key:\n"
                "    simkit gp put-key --card sim:card.state --key 404142434445464748494A4B4C4D4E4F \\\n"
                "      --new-kvn 32 --new-key 000102030405060708090A0B0C0D0E0F");
    auto put_opt = add_gp_options(put);
    auto put_keys = std::make_shared<PutKeyOptions>();
    put->add_option("--new-kvn", put_keys->new_kvn, "KVN of the new key set, hex 01..7F (e.g. 31)")->required();
    put->add_option("--replace-kvn", put_keys->replace_kvn, "KVN of the key set to replace, hex (default: add a key set)");
    put->add_option("--new-key", put_keys->new_key, "one new key in hex for ENC, MAC and DEK");
    put->add_option("--new-enc", put_keys->new_enc, "new ENC key in hex (with --new-mac, --new-dek)");
    put->add_option("--new-mac", put_keys->new_mac, "new MAC key in hex");
    put->add_option("--new-dek", put_keys->new_dek, "new DEK key in hex");
    put->add_option("--new-master", put_keys->new_master, "master key in hex to diversify the new keys from");
    put->add_option("--new-derive", put_keys->new_derive, "diversification scheme for --new-master: emv, visa2, kdf3");
    put->add_option("--new-type", put_keys->new_type,
                    "aes or des: type of the new keys (default: AES over SCP03, 3DES over SCP02; with --new-derive\n"
                    "the scheme decides)")
        ->check(CLI::IsMember({"aes", "des"}));
    put->callback([put_opt, put_keys, &exit_code] { exit_code = run_put_key(*put_opt, *put_keys); });

    CLI::App* del = gp->add_subcommand(
        "delete-key",
        "Remove a key set (or one key of it, --key-id) with DELETE (80 E4, D2 KVN [D0 key id]). The card keeps\n"
        "its last complete key set (6985).");
    del->footer(std::string(kChannelHelp) +
                "\nExample: simkit gp delete-key --card sim:card.state --key 404142434445464748494A4B4C4D4E4F "
                "--delete-kvn 32");
    auto del_opt = add_gp_options(del);
    auto del_keys = std::make_shared<DeleteKeyOptions>();
    del->add_option("--delete-kvn", del_keys->kvn, "KVN of the key set, hex (e.g. 32)")->required();
    del->add_option("--key-id", del_keys->key_id, "only this key of the set: 1 ENC, 2 MAC, 3 DEK")
        ->check(CLI::Range(1, 127));
    del->callback([del_opt, del_keys, &exit_code] { exit_code = run_delete_key(*del_opt, *del_keys); });
}

}  // namespace simkit::cli

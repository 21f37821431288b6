// `simkit key list|gen|pub|sign|verify|ecdh|rand|read-file`: the card's IoT SAFE key store (specs/keystore.md).
// Keys are made and used on the card; the private part never leaves it. Each call is its own card
// session, so a PIN-bound key needs --pin (or $SIMKIT_PIN) on the very call that uses it.
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "simkit/answer_output.hpp"
#include "simkit/commands.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/errors.hpp"
#include "simkit/key_certificate_command.hpp"
#include "simkit/key_session.hpp"
#include "simkit/key_uri.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/status_words.hpp"

namespace simkit::cli {

namespace {

// The card's public key slot for peers' keys in `key ecdh` (specs/keystore.md: public key 05 'peer').
constexpr int kDefaultPeerSlot = KeyStore::kPeerPublicSlot;

struct KeyOptions {
    KeySessionOptions session;
    std::string slot_text;
    int slot = -1;
    bool json = false;
    // gen
    std::string curve = "p256";
    bool pin_bound = false;
    // pub
    bool pem = false;
    bool der = false;
    std::string out;
    // sign / verify
    std::string in;
    std::string signature;
    bool full_text = false;
    // ecdh
    std::string peer;
    std::string peer_slot_text;
    int peer_slot = kDefaultPeerSlot;
    // rand
    int count = 0;
};

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
std::string slot_hex(int slot) {
    const uint8_t b = static_cast<uint8_t>(slot);
    return to_hex(&b, 1);
}

bytes read_input(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ArgumentError("cannot read '" + path + "'");
    return bytes(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void write_output(const std::string& path, const uint8_t* data, std::size_t size) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw Error("cannot write '" + path + "'");
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!file) throw Error("cannot write '" + path + "'");
}

// A 6982 from a key operation without --pin: say how to get past it, keep the status word.
class PinHintError : public SwError {
public:
    explicit PinHintError(const SwError& e)
        : SwError(e.sw()),
          message_(std::string(e.what()) + " (the key is PIN-bound: pass --pin or set SIMKIT_PIN)") {}
    const char* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

template <typename F>
auto with_pin_hint(const KeySession& session, F&& operation) {
    try {
        return operation();
    } catch (const PinError&) {
        throw;
    } catch (const SwError& e) {
        if (e.sw() == sw::kSecurityStatusNotSatisfied && !session.pin_verified()) throw PinHintError(e);
        throw;
    }
}

std::string optional_hex(const std::optional<uint8_t>& v) { return v ? to_hex(&*v, 1) : ""; }

// Crypto function bits of tag 61 (IoT.05); bit 01 is signing for private keys, verifying for public.
std::string crypto_names(const KeyStoreObject& o) {
    const std::optional<uint8_t>& v = o.crypto;
    if (!v) return "-";
    std::string out;
    const bool pub = o.kind == KeyStoreObject::Kind::PublicKey;
    const struct {
        uint8_t bit;
        const char* name;
    } names[] = {{0x01, pub ? "verify" : "sign"}, {0x02, "keygen"}, {0x04, "agreement"}, {0x08, "derivation"}};
    for (const auto& n : names) {
        if (*v & n.bit) out += (out.empty() ? "" : ",") + std::string(n.name);
    }
    return out.empty() ? to_hex(&*v, 1) : out;
}

int run_list(KeyOptions& opt) {
    KeySession session(opt.session);
    const auto objects = session.store().list();
    if (opt.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& o : objects) {
            nlohmann::ordered_json entry;
            entry["kind"] = KeyStoreObject::kind_name(o.kind);
            entry["id"] = to_hex(o.id);
            entry["label"] = o.label;
            if (o.access) entry["access"] = optional_hex(o.access);
            if (o.state) entry["state"] = optional_hex(o.state);
            if (o.type) entry["type"] = optional_hex(o.type);
            if (o.usage) entry["usage"] = optional_hex(o.usage);
            if (o.crypto) {
                entry["crypto"] = optional_hex(o.crypto);
                entry["functions"] = crypto_names(o);
            }
            if (o.file_size) entry["size"] = *o.file_size;
            if (o.pin_bound) entry["pin_bound"] = *o.pin_bound;
            entry["template"] = to_hex(o.raw);
            out.push_back(entry);
        }
        print_json(out);
        return 0;
    }
    if (objects.empty()) {
        std::cout << "no objects\n";
        return 0;
    }
    for (const auto& o : objects) {
        std::cout << KeyStoreObject::kind_name(o.kind) << " " << to_hex(o.id);
        if (!o.label.empty()) std::cout << " '" << o.label << "'";
        if (o.kind == KeyStoreObject::Kind::File) {
            if (o.file_size) std::cout << " size " << *o.file_size;
        } else {
            std::cout << " functions " << crypto_names(o);
        }
        if (o.state) std::cout << (*o.state == 0x00 ? " empty" : *o.state == 0x01 ? " filled" : " state " + optional_hex(o.state));
        if (o.pin_bound && *o.pin_bound) std::cout << " PIN-bound";
        std::cout << "\n";
    }
    return 0;
}

int run_gen(KeyOptions& opt) {
    if (lower(opt.curve) != "p256" && lower(opt.curve) != "prime256v1" && lower(opt.curve) != "secp256r1") {
        throw ArgumentError("--curve '" + opt.curve + "': the key store makes NIST P-256 keys only (p256)");
    }
    KeySession session(opt.session);
    const bytes point =
        with_pin_hint(session, [&] { return session.store().generate(static_cast<uint8_t>(opt.slot), opt.pin_bound); });
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = slot_hex(opt.slot);
        out["curve"] = "p256";
        out["pin_bound"] = opt.pin_bound;
        out["public_key"] = lower_hex(point);
        out["pem"] = crypto::public_key_to_pem(point);
        print_json(out);
        return 0;
    }
    std::cout << "generated P-256 key pair in slot " << slot_hex(opt.slot) << (opt.pin_bound ? " (PIN-bound)" : "")
              << "\npublic key " << to_hex(point) << "\n";
    return 0;
}

int run_pub(KeyOptions& opt) {
    if (opt.pem && opt.der) throw ArgumentError("--pem and --der: choose one");
    KeySession session(opt.session);
    const bytes point = session.store().public_key(static_cast<uint8_t>(opt.slot));
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = slot_hex(opt.slot);
        out["public_key"] = lower_hex(point);
        out["pem"] = crypto::public_key_to_pem(point);
        print_json(out);
        return 0;
    }
    if (opt.der) {
        const bytes der = crypto::public_key_to_der(point);
        if (opt.out.empty()) {
            std::cout.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
        } else {
            write_output(opt.out, der.data(), der.size());
        }
        return 0;
    }
    const std::string text = opt.pem ? crypto::public_key_to_pem(point) : to_hex(point) + "\n";
    if (opt.out.empty()) {
        std::cout << text;
    } else {
        write_output(opt.out, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    }
    return 0;
}

int run_sign(KeyOptions& opt) {
    const bytes message = read_input(opt.in);
    KeySession session(opt.session);
    const SignMode mode = opt.full_text ? SignMode::FullText : SignMode::HashOnHost;
    const bytes der =
        with_pin_hint(session, [&] { return session.store().sign(static_cast<uint8_t>(opt.slot), message, mode); });
    if (!opt.out.empty()) write_output(opt.out, der.data(), der.size());
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = slot_hex(opt.slot);
        out["sha256"] = lower_hex(crypto::sha256(message));
        out["signature"] = lower_hex(der);
        print_json(out);
    } else if (opt.out.empty()) {
        std::cout << to_hex(der) << "\n";
    } else {
        std::cout << "signed " << message.size() << " bytes with key " << slot_hex(opt.slot) << ": " << der.size()
                  << "-byte DER signature in " << opt.out << "\n";
    }
    return 0;
}

int run_verify(KeyOptions& opt) {
    const bytes message = read_input(opt.in);
    const bytes signature = read_input(opt.signature);
    KeySession session(opt.session);
    const bool ok = with_pin_hint(
        session, [&] { return session.store().verify(static_cast<uint8_t>(opt.slot), message, signature); });
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = slot_hex(opt.slot);
        out["valid"] = ok;
        print_json(out);
    } else {
        std::cout << (ok ? "signature valid" : "signature does NOT verify (6D01)") << "\n";
    }
    return ok ? 0 : kExitFailure;
}

int run_ecdh(KeyOptions& opt) {
    const bytes peer = crypto::public_point_from_pem_or_der(read_input(opt.peer));
    KeySession session(opt.session);
    const secure_bytes secret = with_pin_hint(session, [&] {
        return session.store().ecdh(static_cast<uint8_t>(opt.slot), peer, static_cast<uint8_t>(opt.peer_slot));
    });
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = slot_hex(opt.slot);
        out["shared_secret"] = lower_hex(secret);
        print_json(out);
    } else {
        std::cout << to_hex(secret) << "\n";
    }
    return 0;
}

// Bytes from the card: raw into --out, else `json` with --json, else hex on a line.
int print_bytes(const KeyOptions& opt, const bytes& data, const nlohmann::ordered_json& json) {
    if (!opt.out.empty()) {
        write_output(opt.out, data.data(), data.size());
    } else if (opt.json) {
        print_json(json);
    } else {
        std::cout << to_hex(data) << "\n";
    }
    return 0;
}

int run_rand(KeyOptions& opt) {
    if (opt.count < 1 || opt.count > 65536) throw ArgumentError("--bytes must be 1..65536");
    KeySession session(opt.session);
    const bytes data = session.store().random(static_cast<std::size_t>(opt.count));
    nlohmann::ordered_json out;
    out["random"] = lower_hex(data);
    return print_bytes(opt, data, out);
}

// `key read-file --slot N`: a file object (certificates...) read with READ FILE in chunks.
int run_read_file(KeyOptions& opt) {
    KeySession session(opt.session);
    const bytes data = session.store().read_file(static_cast<uint8_t>(opt.slot));
    nlohmann::ordered_json out;
    out["file"] = opt.slot;
    out["size"] = data.size();
    out["content"] = lower_hex(data);
    return print_bytes(opt, data, out);
}

CLI::App* add_sub(CLI::App* key, int& exit_code, const char* name, const std::string& help,
                  const std::shared_ptr<KeyOptions>& opt, int (*run)(KeyOptions&), bool takes_slot = true) {
    CLI::App* cmd = key->add_subcommand(name, help);
    add_key_session_options(cmd, opt->session);
    add_pin_option(cmd, opt->session.pin,
                   "user PIN (or $SIMKIT_PIN): VERIFY first in this session, needed for PIN-bound keys;\n"
                   "never printed");
    if (takes_slot) {
        cmd->add_option("--slot", opt->slot_text, "key ID on the card, 0..255 (decimal, or hex as 0x05)")->required();
    }
    cmd->add_flag("--json", opt->json, "print one JSON object (hex in lowercase)");
    cmd->callback([opt, &exit_code, run, takes_slot] {
        if (takes_slot) opt->slot = parse_key_id("--slot", opt->slot_text);
        if (!opt->peer_slot_text.empty()) opt->peer_slot = parse_key_id("--peer-slot", opt->peer_slot_text);
        exit_code = run(*opt);
    });
    return cmd;
}

}  // namespace

void add_key_command(CLI::App& app, int& exit_code) {
    CLI::App* key = app.add_subcommand(
        "key",
        "Keys on the card's IoT SAFE key store applet (GSMA IoT.05, AID A0000005590010): NIST P-256 key\n"
        "pairs made and used on the card (the private key never leaves it), ECDSA-SHA256 signatures as\n"
        "minimal DER, ECDH, random bytes. Each call is one card session: a PIN-bound key needs --pin (or\n"
        "$SIMKIT_PIN) on the call that uses it. A fresh card has private key slots 1..4 (empty until\n"
        "`key gen`; a pair's public key gets the same ID) and public key slot 5 for peers (`key ecdh`).\n"
        "Exit 1 when the card refuses (the status word and its meaning on stderr, e.g. '6982 security\n"
        "status not satisfied'), 2 for bad arguments.\n"
        "Walk-through on a fresh simulated card:\n"
        "  simkit key gen  --card sim:card.state --slot 1\n"
        "  simkit key pub  --card sim:card.state --slot 1 --pem --out pub.pem\n"
        "  simkit key sign --card sim:card.state --slot 1 --in file --out sig.der\n"
        "  openssl dgst -sha256 -verify pub.pem -signature sig.der file\n"
        "  simkit key csr  --card sim:card.state --slot 1 --subject /CN=device-42 --out dev.csr");
    key->require_subcommand(1);

    auto list = std::make_shared<KeyOptions>();
    add_sub(key, exit_code, "list",
            "List the key store's objects (GET DATA object list, following 6300): private keys, public keys,\n"
            "secrets and files with ID, label, crypto functions (sign, keygen, agreement, derivation) and state.",
            list, run_list, false);

    auto gen = std::make_shared<KeyOptions>();
    CLI::App* gen_cmd = add_sub(key, exit_code, "gen",
                                "Generate a key pair on the card in --slot (GENERATE KEY PAIR) and print its public point.\n"
                                "The public key gets the same ID as the private key. --pin-bound makes the card refuse\n"
                                "any use of the key (sign, ecdh) without a verified user PIN.",
                                gen, run_gen);
    gen_cmd->add_option("--curve", gen->curve, "curve: p256 (NIST P-256, the only one)");
    gen_cmd->add_flag("--pin-bound", gen->pin_bound, "bind the key to the user PIN");

    auto pub = std::make_shared<KeyOptions>();
    CLI::App* pub_cmd = add_sub(key, exit_code, "pub",
                                "Read the public key of --slot (READ PUBLIC KEY): the point 04||X||Y in hex, or as\n"
                                "SubjectPublicKeyInfo (--pem, --der) that OpenSSL reads.",
                                pub, run_pub);
    pub_cmd->add_flag("--pem", pub->pem, "PEM ('-----BEGIN PUBLIC KEY-----')");
    pub_cmd->add_flag("--der", pub->der, "DER (binary; best with --out)");
    pub_cmd->add_option("--out", pub->out, "write to this file instead of stdout");

    auto sign = std::make_shared<KeyOptions>();
    CLI::App* sign_cmd = add_sub(
        key, exit_code, "sign",
        "Sign a file with the private key of --slot: ECDSA with SHA-256 (COMPUTE SIGNATURE). By default\n"
        "SHA-256 is computed here and the card signs the digest (mode 03); --full-text sends the whole file\n"
        "in UPDATE blocks and the card hashes it (mode 01). The signature is minimal DER, as\n"
        "`openssl dgst -sha256 -verify pub.pem -signature SIG.der FILE` expects; without --out its hex is\n"
        "printed.",
        sign, run_sign);
    sign_cmd->add_option("--in", sign->in, "the file to sign")->required()->check(CLI::ExistingFile);
    sign_cmd->add_option("--out", sign->out, "write the DER signature to this file");
    sign_cmd->add_flag("--full-text", sign->full_text, "let the card hash the data (mode 01, UPDATE blocks)");

    auto verify = std::make_shared<KeyOptions>();
    CLI::App* verify_cmd = add_sub(key, exit_code, "verify",
                                   "Verify a DER (or raw r||s) ECDSA-SHA256 signature of a file with the public key of\n"
                                   "--slot, on the card (VERIFY SIGNATURE). Exit 0 valid, 1 does not verify.",
                                   verify, run_verify);
    verify_cmd->add_option("--in", verify->in, "the signed file")->required()->check(CLI::ExistingFile);
    verify_cmd->add_option("--sig", verify->signature, "the signature file (DER)")->required()->check(CLI::ExistingFile);

    auto ecdh = std::make_shared<KeyOptions>();
    CLI::App* ecdh_cmd = add_sub(
        key, exit_code, "ecdh",
        "ECDH between the private key of --slot and a peer's P-256 public key (PEM or DER\n"
        "SubjectPublicKeyInfo): the peer key is put on the card (PUT PUBLIC KEY in --peer-slot), then COMPUTE\n"
        "DH; prints the shared secret (the x coordinate, 32 bytes) in hex.\n"
        "Example: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out peer.key &&\n"
        "         openssl pkey -in peer.key -pubout -out peer.pem && simkit key ecdh --slot 1 --peer peer.pem",
        ecdh, run_ecdh);
    ecdh_cmd->add_option("--peer", ecdh->peer, "the peer's public key, PEM or DER")->required()->check(CLI::ExistingFile);
    ecdh_cmd->add_option("--peer-slot", ecdh->peer_slot_text,
                         "public key slot on the card for the peer's key (default 5, the factory 'peer' slot)");

    auto rand = std::make_shared<KeyOptions>();
    CLI::App* rand_cmd = add_sub(key, exit_code, "rand", "Random bytes from the card (GET RANDOM), printed in hex.", rand,
                                 run_rand, false);
    rand_cmd->add_option("--bytes", rand->count, "how many, 1..65536")->required();
    rand_cmd->add_option("--out", rand->out, "write the raw bytes to this file instead");

    auto read_file = std::make_shared<KeyOptions>();
    CLI::App* read_file_cmd = add_sub(
        key, exit_code, "read-file",
        "Read the file object --slot (READ FILE; e.g. the device certificate written at personalization)\n"
        "and print it in hex, or write the raw bytes with --out. A fresh card has empty files 1..3.\n"
        "Example: simkit key read-file --slot 2 --out device.der && openssl x509 -inform DER -in device.der -noout -text",
        read_file, run_read_file);
    read_file_cmd->add_option("--out", read_file->out, "write the raw bytes to this file instead");

    add_key_certificate_commands(key, exit_code);  // csr, selfsign (key_certificate_command.cpp)
}

}  // namespace simkit::cli

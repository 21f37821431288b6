// `simkit key csr|selfsign`: a PKCS#10 request or a self-signed certificate for the key in a key
// store slot, signed on the card. The key is opened through simkit's OpenSSL provider
// (provider_key.hpp) and only through it: the provider holds the card for the whole command (a
// sim: state file admits one opener per process), so this file never opens the card itself.
#include "simkit/key_certificate_command.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "simkit/answer_output.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/key_certificate.hpp"
#include "simkit/key_session.hpp"
#include "simkit/key_uri.hpp"
#include "simkit/provider_key.hpp"

namespace simkit::cli {

namespace {

enum class Kind { Request, SelfSigned };

struct CertificateOptions {
    std::optional<std::string> card;
    std::string slot_text;
    std::string pin;  // from --pin or $SIMKIT_PIN; wiped by take_secret()
    CertificateFields fields;
    std::string out;
    bool json = false;
};

// A key URI value: ';' and '%' written as %3B and %25 (specs/provider.md), the rest as it is.
std::string key_uri_value(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '%') {
            out += "%25";
        } else if (c == ';') {
            out += "%3B";
        } else {
            out += c;
        }
    }
    return out;
}

// The provider's PIN-bound refusal speaks to openssl programs (pin-file, -passin): say --pin first.
[[noreturn]] void throw_with_pin_hint(const CryptoError& e, uint8_t slot, bool pin_given) {
    const std::string text = e.what();
    if (!pin_given && text.find("PIN-bound") != std::string::npos) {
        throw CryptoError("the key in slot " + to_hex(&slot, 1) + " is PIN-bound: pass --pin or set SIMKIT_PIN (" +
                          text + ")");
    }
    throw e;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw Error("cannot write '" + path + "'");
    file << text;
    if (!file.flush()) throw Error("cannot write '" + path + "'");
}

int run(Kind kind, CertificateOptions& opt) {
    const uint8_t slot = parse_key_id("--slot", opt.slot_text);
    if (kind == Kind::SelfSigned && (opt.fields.days < 1 || opt.fields.days > 36500)) {
        throw ArgumentError("--days must be 1..36500");
    }
    parse_subject(opt.fields.subject);  // a bad subject fails before the card is touched
    const std::string card = resolve_card_uri(opt.card).text;
    const std::string uri = "simkit:slot=" + std::to_string(slot) + ";card=" + key_uri_value(card);

    ProviderKeyOptions key_options;
    const bool pin_given = !opt.pin.empty();
    if (pin_given) key_options.pin = take_secret(opt.pin);
    SignedPem signed_pem;
    bytes point;
    try {
        const crypto::Pkey key = open_provider_key(uri, key_options);
        point = public_point(key.get());
        signed_pem = kind == Kind::Request ? make_request(key.get(), opt.fields) : make_self_signed(key.get(), opt.fields);
    } catch (const CryptoError& e) {
        throw_with_pin_hint(e, slot, pin_given);
    }

    if (!opt.out.empty()) write_file(opt.out, signed_pem.pem);
    if (opt.json) {
        nlohmann::ordered_json out;
        out["slot"] = to_hex(&slot, 1);
        out["subject"] = signed_pem.subject;
        if (kind == Kind::SelfSigned) {
            out["serial"] = lower_hex(signed_pem.serial);
            out["days"] = opt.fields.days;
        }
        if (!opt.fields.alt_names.empty()) out["san"] = opt.fields.alt_names;
        out["public_key"] = lower_hex(point);
        if (opt.out.empty()) {
            out["pem"] = signed_pem.pem;
        } else {
            out["out"] = opt.out;
        }
        print_json(out);
    } else if (opt.out.empty()) {
        std::cout << signed_pem.pem;
    } else {
        std::cout << (kind == Kind::Request ? "certificate request" : "self-signed certificate") << " for key "
                  << to_hex(&slot, 1) << " (" << signed_pem.subject << "), signed on the card, in " << opt.out
                  << "\n";
    }
    return 0;
}

void add_certificate_sub(CLI::App* key, int& exit_code, const char* name, const std::string& help, Kind kind) {
    auto opt = std::make_shared<CertificateOptions>();
    CLI::App* cmd = key->add_subcommand(name, help);
    cmd->add_option("--card", opt->card, std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    cmd->add_option("--slot", opt->slot_text, "key ID on the card, 0..255 (decimal, or hex as 0x05)")->required();
    cmd->add_option("--subject", opt->fields.subject,
                    "subject name, OpenSSL style: /CN=device-42/O=Acme (UTF-8; '\\/' is a '/' in a value)")
        ->required();
    cmd->add_option("--san", opt->fields.alt_names,
                    "subjectAltName entries, comma-separated or repeated: DNS:x,IP:10.0.0.1,email:a@b,URI:u")
        ->delimiter(',');
    add_pin_option(cmd, opt->pin, "user PIN (or $SIMKIT_PIN) of a PIN-bound key; never printed");
    if (kind == Kind::SelfSigned) cmd->add_option("--days", opt->fields.days, "days of validity from now, 1..36500 (default 365)");
    cmd->add_option("--out", opt->out, "write the PEM to this file instead of stdout");
    cmd->add_flag("--json", opt->json, "print one JSON object (the PEM in it unless --out; hex in lowercase)");
    cmd->callback([opt, &exit_code, kind] { exit_code = run(kind, *opt); });
}

}  // namespace

void add_key_certificate_commands(CLI::App* key, int& exit_code) {
    add_certificate_sub(
        key, exit_code, "csr",
        "A PKCS#10 certificate request (PEM) for the key in --slot, signed on the card (ECDSA-SHA256)\n"
        "through simkit's OpenSSL provider: hand it to a CA, keep the key on the card.\n"
        "Example:\n"
        "  simkit key gen --card sim:card.state --slot 1\n"
        "  simkit key csr --card sim:card.state --slot 1 --subject /CN=device-42/O=Acme --out dev.csr\n"
        "  openssl req -in dev.csr -noout -verify -subject\n"
        "  openssl x509 -req -in dev.csr -CA ca.pem -CAkey ca.key -days 365 -out dev.pem",
        Kind::Request);
    add_certificate_sub(
        key, exit_code, "selfsign",
        "A self-signed X.509 v3 certificate (PEM) for the key in --slot, signed on the card: random\n"
        "16-byte serial, basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage\n"
        "clientAuth, key identifiers; for TLS client tests and peers that pin the certificate.\n"
        "Example:\n"
        "  simkit key selfsign --card sim:card.state --slot 1 --subject /CN=device-42 --days 30 --out dev.pem\n"
        "  openssl verify -CAfile dev.pem dev.pem",
        Kind::SelfSigned);
}

}  // namespace simkit::cli

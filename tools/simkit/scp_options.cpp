// The secure-channel options shared by `simkit scp03`, `scp02` and `gp` (see scp_options.hpp): their
// registration, their checks (all done before the card is touched), and opening the session with
// --trace wired to stderr. Keys are parsed into secure_bytes and never printed, not even in errors.
#include "simkit/scp_options.hpp"

#include <iostream>
#include <string>
#include <utility>

#include "simkit/core/apdu_trace.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/diversify.hpp"
#include "simkit/errors.hpp"

namespace simkit::cli {

namespace {

// A key option's hex. The error names the option but shows nothing of the value.
secure_bytes key_hex(const std::string& option, const std::string& text) {
    secure_bytes key;
    try {
        key = secure_from_hex(text);
    } catch (const FormatError&) {
        throw FormatError(option + " is not hex (a key is 16, 24 or 32 bytes written as 32, 48 or 64 hex digits)");
    }
    if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
        throw ArgumentError(option + " is " + std::to_string(key.size()) +
                            " bytes; a key is 16, 24 or 32 bytes (AES-128/192/256; SCP02 3DES keys are 16)");
    }
    return key;
}

uint8_t parse_kvn(const std::string& text) {
    std::string digits = text;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits = digits.substr(2);
    bytes value;
    try {
        value = from_hex(digits);
    } catch (const FormatError&) {
    }
    if (value.size() != 1) {
        throw ArgumentError("--kvn '" + text + "' is not one hex byte such as 30 (00: the card's default key set)");
    }
    return value[0];
}

void trace_line(const char* label, const std::string& text) { std::cerr << label << text << "\n"; }

}  // namespace

void add_scp_options(CLI::App* command, ScpCliOptions& options, scp::Protocol protocol) {
    const bool scp03 = protocol == scp::Protocol::Scp03;
    command->add_option("--card", options.card,
                        std::string("card URI: ") + card_uri_forms() + " (default: $SIMKIT_CARD)");
    command->add_option("--key", options.key,
                        scp03 ? "one AES key (hex, 16/24/32 bytes) used as ENC, MAC and DEK"
                              : "one 3DES key (hex, 16 bytes) used as ENC, MAC and DEK");
    command->add_option("--enc", options.enc, "the static ENC key (hex; with --mac and --dek)");
    command->add_option("--mac", options.mac, "the static MAC key (hex; with --enc and --dek)");
    command->add_option("--dek", options.dek, "the static DEK key (hex; with --enc and --mac)");
    command->add_option("--master", options.master,
                        "an issuer master key (hex); the card's keys are diversified from it with the KDD of its\n"
                        "INITIALIZE UPDATE answer (needs --derive)");
    command->add_option("--derive", options.derive,
                        "diversification scheme for --master: emv, visa2 (3DES masters) or kdf3 (AES masters)");
    command->add_option("--kvn", options.kvn, "key version number in hex, e.g. 30 (default 00: the card's default key set)");
    command->add_option("--level", options.level,
                        scp03 ? "security level: mac (01), mac-enc (03), full (33 = C-MAC, C-DEC, R-MAC, R-ENC) or hex\n"
                                "01 03 11 13 33 (default full)"
                              : "security level: mac (01) or mac-enc / full (03), or hex 01 03 (default mac-enc)");
    if (scp03) command->add_flag("--s16", options.s16, "S16 mode: 16-byte challenges, cryptograms and MACs");
    command->add_flag("--trace", options.trace,
                      "print to stderr every plain command, its wrapped form, the wrapped answer and the plain\n"
                      "answer (PUT KEY data masked; keys never printed)");
}

ScpKeySource key_source_from(const ScpCliOptions& options) {
    const bool single = !options.key.empty();
    const bool any_three = !options.enc.empty() || !options.mac.empty() || !options.dek.empty();
    const bool master = !options.master.empty() || !options.derive.empty();
    const int forms = (single ? 1 : 0) + (any_three ? 1 : 0) + (master ? 1 : 0);
    if (forms == 0) {
        throw ArgumentError("no key given: pass --key K, or --enc K --mac K --dek K, or --master K --derive emv|visa2|kdf3");
    }
    if (forms > 1) throw ArgumentError("give one key form only: --key, or --enc/--mac/--dek, or --master/--derive");

    if (single) return single_key(key_hex("--key", options.key));
    if (any_three) {
        const std::pair<const char*, const std::string*> parts[] = {
            {"--enc", &options.enc}, {"--mac", &options.mac}, {"--dek", &options.dek}};
        for (const auto& [name, value] : parts) {
            if (value->empty()) throw ArgumentError(std::string("--enc, --mac and --dek go together: ") + name + " is missing");
        }
        return fixed_keys(scp::StaticKeys{key_hex("--enc", options.enc), key_hex("--mac", options.mac),
                                          key_hex("--dek", options.dek)});
    }
    if (options.master.empty()) throw ArgumentError("--derive needs --master (the issuer master key)");
    if (options.derive.empty()) throw ArgumentError("--master needs --derive emv|visa2|kdf3");
    const DiversificationScheme scheme = parse_diversification_scheme(options.derive);
    return [scheme, master_key = key_hex("--master", options.master)](const scp::InitUpdateResponse& answer) {
        return diversify_keys(scheme, master_key, answer.key_diversification_data);
    };
}

ScpOptions session_options_from(const ScpCliOptions& options, scp::Protocol protocol) {
    ScpOptions out;
    out.protocol = protocol;
    out.kvn = parse_kvn(options.kvn);
    out.level = options.level.empty() ? (protocol == scp::Protocol::Scp03 ? 0x33 : 0x03)
                                      : scp::parse_level(options.level, protocol);
    if (options.s16 && protocol != scp::Protocol::Scp03) throw ArgumentError("--s16 exists in SCP03 only");
    out.s16 = options.s16;
    return out;
}

OpenSession open_session(const ScpCliOptions& options, scp::Protocol protocol) {
    // Every option is checked before the card is opened.
    const ScpKeySource keys = key_source_from(options);
    const ScpOptions session_options = session_options_from(options, protocol);

    OpenSession open;
    open.card = std::make_unique<Card>(Card::open(options.card));
    if (options.trace) {
        // The handshake (SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE) as it goes on the wire:
        // challenges and cryptograms, never a key.
        open.card->set_observer([](const bytes& command, const bytes& response) {
            trace_line("wire    > ", trace_command(command));
            trace_line("wire    < ", trace_response(response));
        });
    }
    open.session = std::make_unique<ScpSession>(*open.card, keys, session_options);
    if (options.trace) {
        open.card->set_observer({});
        open.session->set_observer([](const CommandApdu& plain, const bytes& wrapped_command,
                                      const bytes& wrapped_response, const ResponseApdu& plain_response) {
            trace_line("plain   > ", trace_command(plain.encode()));
            trace_line("wrapped > ", trace_command(wrapped_command));
            trace_line("wrapped < ", trace_response(wrapped_response));
            trace_line("plain   < ", trace_response(plain_response.encode()));
        });
    }
    return open;
}

}  // namespace simkit::cli

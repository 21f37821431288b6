// The options every secure-channel subcommand shares (simkit scp03, scp02, gp ...): the card, the key
// set (one key, three keys, or a master key with a diversification scheme), KVN, security level,
// --trace; and the one place that turns them into an open ScpSession.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "simkit/card.hpp"
#include "simkit/scp_session.hpp"

namespace simkit::cli {

struct ScpCliOptions {
    std::optional<std::string> card;
    std::string key;     // --key: ENC = MAC = DEK
    std::string enc, mac, dek;
    std::string master;  // --master with --derive SCHEME
    std::string derive;
    std::string kvn = "00";
    std::string level;   // empty: the protocol's default (SCP03 full = 33, SCP02 mac-enc = 03)
    bool s16 = false;    // SCP03 S16 mode
    bool trace = false;
};

// Registers --card, --key, --enc/--mac/--dek, --master/--derive, --kvn, --level, [--s16], --trace.
void add_scp_options(CLI::App* command, ScpCliOptions& options, scp::Protocol protocol);

// Checks that exactly one key form was given (ArgumentError naming the options otherwise) and
// parses the hex (FormatError). Keys are held in secure_bytes and never printed.
ScpKeySource key_source_from(const ScpCliOptions& options);
ScpOptions session_options_from(const ScpCliOptions& options, scp::Protocol protocol);

// An open secure channel on the card the options name. With --trace, every plain and wrapped
// exchange goes to stderr (PUT KEY data masked; session keys are never shown).
struct OpenSession {
    std::unique_ptr<Card> card;
    std::unique_ptr<ScpSession> session;
};
OpenSession open_session(const ScpCliOptions& options, scp::Protocol protocol);

}  // namespace simkit::cli

// The host side of an SCP03 / SCP02 session (see scp_session.hpp): SELECT, INITIALIZE UPDATE, the
// card cryptogram checked in constant time before EXTERNAL AUTHENTICATE leaves, then every command
// wrapped and every answer unwrapped by the shared core (scp03.hpp / scp02.hpp).
#include "simkit/scp_session.hpp"

#include "simkit/core/cla.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp02.hpp"
#include "simkit/scp03.hpp"
#include "simkit/status_words.hpp"

namespace simkit {

namespace {

constexpr uint8_t kInsSelect = 0xA4;

std::string hex_byte(uint8_t value) { return to_hex(&value, 1); }

std::string protocol_name(scp::Protocol protocol) { return protocol == scp::Protocol::Scp03 ? "SCP03" : "SCP02"; }

// "KVN 30, SCP03 i=70" / "KVN 20, SCP02": what the card said it used, for error messages.
std::string key_set_description(const scp::InitUpdateResponse& answer) {
    std::string out = "KVN " + hex_byte(answer.kvn) + ", " + protocol_name(answer.protocol);
    if (answer.protocol == scp::Protocol::Scp03) out += " i=" + hex_byte(answer.i);
    return out;
}

void check_options(const ScpOptions& options) {
    if (options.channel >= kMaxLogicalChannels) {
        throw ArgumentError("ScpOptions.channel " + std::to_string(options.channel) + " is not a logical channel (0..19)");
    }
    if (!scp::level_is_valid(options.protocol, options.level)) {
        throw ArgumentError("ScpOptions.level " + hex_byte(options.level) + " (" + scp::describe_level(options.level) +
                            ") is not a " + protocol_name(options.protocol) + " security level");
    }
    if (options.s16 && options.protocol != scp::Protocol::Scp03) {
        throw ArgumentError("ScpOptions.s16: S16 mode exists in SCP03 only");
    }
    const std::size_t challenge_length = options.s16 ? 16 : 8;
    if (options.host_challenge && options.host_challenge->size() != challenge_length) {
        throw ArgumentError("ScpOptions.host_challenge must be " + std::to_string(challenge_length) + " bytes, not " +
                            std::to_string(options.host_challenge->size()));
    }
}

// The card's answer must be the protocol and mode asked for, and its i parameter must allow the level.
void check_answer(const scp::InitUpdateResponse& answer, const ScpOptions& options) {
    if (answer.protocol != options.protocol) {
        throw SecureChannelError("key set " + key_set_description(answer) + " is a " + protocol_name(answer.protocol) +
                                 " key set, not " + protocol_name(options.protocol));
    }
    if (answer.protocol != scp::Protocol::Scp03) return;
    const bool card_s16 = (answer.i & scp03::kIS16) != 0;
    if (card_s16 != options.s16) {
        throw SecureChannelError("key set " + key_set_description(answer) + " works in " + (card_s16 ? "S16" : "S8") +
                                 " mode, but the session asked for " + (options.s16 ? "S16" : "S8"));
    }
    const auto refuse = [&](const char* what) {
        throw SecureChannelError("security level " + hex_byte(options.level) + " (" + scp::describe_level(options.level) +
                                 ") needs " + what + ", which key set " + key_set_description(answer) +
                                 " does not support");
    };
    if ((options.level & scp::kRMac) != 0 && (answer.i & scp03::kIRMacSupport) == 0) refuse("R-MAC");
    if ((options.level & scp::kREncryption) != 0 && (answer.i & scp03::kIREncSupport) == 0) refuse("R-ENCRYPTION");
}

[[noreturn]] void refuse_card_cryptogram(const scp::InitUpdateResponse& answer) {
    throw SecureChannelError("card cryptogram does not match: wrong key or key version (" + key_set_description(answer) +
                             ")");
}

}  // namespace

ScpKeySource fixed_keys(scp::StaticKeys keys) {
    return [keys = std::move(keys)](const scp::InitUpdateResponse&) { return keys; };
}

ScpKeySource single_key(const secure_bytes& key) { return fixed_keys(scp::StaticKeys{key, key, key}); }

ScpSession::ScpSession(Card& card, const ScpKeySource& keys, const ScpOptions& options)
    : card_(card), channel_number_(options.channel) {
    check_options(options);
    if (!keys) throw ArgumentError("ScpSession: no key source");
    exclusive_ = card_.exclusive();

    if (options.select) {
        const uint8_t cla = cla_for_channel(0x00, channel_number_);
        const CommandApdu select =
            options.security_domain_aid
                ? CommandApdu::case4(cla, kInsSelect, 0x04, 0x00, *options.security_domain_aid, CommandApdu::kMaxShortNe)
                : CommandApdu::case2(cla, kInsSelect, 0x04, 0x00, CommandApdu::kMaxShortNe);
        card_.transmit(select).require_ok(options.security_domain_aid
                                              ? "SELECT security domain " + to_hex(*options.security_domain_aid)
                                              : std::string("SELECT issuer security domain"));
    }

    const bytes host_challenge =
        options.host_challenge ? *options.host_challenge : crypto::random_bytes(options.s16 ? 16 : 8);
    const uint8_t cla = cla_for_channel(0x80, channel_number_);
    const ResponseApdu answer = card_.transmit(CommandApdu::case4(cla, scp::kInsInitializeUpdate, options.kvn, 0x00,
                                                                  host_challenge, CommandApdu::kMaxShortNe));
    if (answer.sw() == sw::kWrongLength && options.protocol == scp::Protocol::Scp03) {
        // The challenge length is the one thing of ours the card can find wrong here: S8 vs S16.
        throw SwError(answer.sw(), "INITIALIZE UPDATE (KVN " + hex_byte(options.kvn) + ") refused the " +
                                       (options.s16 ? "16-byte host challenge of S16 mode; the key set may be an S8 one"
                                                    : "8-byte host challenge of S8 mode; the key set may be an S16 one"));
    }
    answer.require_ok("INITIALIZE UPDATE (KVN " + hex_byte(options.kvn) + ")");
    try {
        init_update_ = scp::InitUpdateResponse::parse(answer.data());
    } catch (const FormatError& e) {
        throw SecureChannelError(std::string("the card's INITIALIZE UPDATE answer is malformed: ") + e.what());
    }
    check_answer(init_update_, options);

    const scp::StaticKeys static_keys = keys(init_update_);
    const bytes& card_challenge = init_update_.card_challenge;
    bytes host_cryptogram;
    if (init_update_.protocol == scp::Protocol::Scp03) {
        const std::size_t s = options.s16 ? 16 : 8;
        auto session_keys = scp03::derive_session_keys(static_keys, host_challenge, card_challenge);
        if (!ct_equal(scp03::card_cryptogram(session_keys, host_challenge, card_challenge, s),
                      init_update_.card_cryptogram)) {
            refuse_card_cryptogram(init_update_);
        }
        host_cryptogram = scp03::host_cryptogram(session_keys, host_challenge, card_challenge, s);
        channel_ = std::make_unique<scp03::Scp03Channel>(std::move(session_keys), static_keys.dek, options.level, s);
    } else {
        const auto counter = static_cast<uint16_t>(init_update_.sequence_counter.value_or(0));
        auto session_keys = scp02::derive_session_keys(static_keys, counter);
        if (!ct_equal(scp02::card_cryptogram(session_keys, host_challenge, counter, card_challenge),
                      init_update_.card_cryptogram)) {
            refuse_card_cryptogram(init_update_);
        }
        host_cryptogram = scp02::host_cryptogram(session_keys, host_challenge, counter, card_challenge);
        channel_ = std::make_unique<scp02::Scp02Channel>(std::move(session_keys), options.level);
    }

    const CommandApdu external_authenticate =
        channel_->wrap_external_authenticate(CommandApdu::case3(cla, scp::kInsExternalAuthenticate, options.level, 0x00,
                                                                std::move(host_cryptogram)));
    const ResponseApdu authenticated = card_.transmit(external_authenticate);
    if (authenticated.sw() != sw::kSuccess) {
        throw SecureChannelError("EXTERNAL AUTHENTICATE refused: " + describe_sw(authenticated.sw()) + " (" +
                                 key_set_description(init_update_) + ", level " + hex_byte(options.level) + ")");
    }
    open_ = true;
}

ScpSession::~ScpSession() = default;

uint8_t ScpSession::level() const noexcept { return channel_ ? channel_->level() : 0; }

ResponseApdu ScpSession::transmit(const CommandApdu& plain) {
    if (!open_ || !channel_) {
        throw SecureChannelError(protocol_name(protocol()) +
                                 " session closed: an earlier error ended it; open a new secure channel");
    }
    const CommandApdu command =
        plain.with_cla(cla_for_channel(scp::cla_without_secure_messaging(plain.cla()), channel_number_));
    bytes wrapped_command;
    ResponseApdu wrapped_response;
    ResponseApdu response;
    try {
        const CommandApdu wrapped = channel_->wrap_command(command);
        wrapped_command = wrapped.encode();
        wrapped_response = card_.transmit(wrapped);
        response = channel_->unwrap_response(wrapped_response);
    } catch (...) {
        // Any failure once wrapping began (R-MAC, transport, a command too long to wrap) leaves the
        // host's MAC chain and counter where the card's may not be: nothing can follow in this session.
        open_ = false;
        throw;
    }
    if (observer_) observer_(command, wrapped_command, wrapped_response.encode(), response);
    return response;
}

}  // namespace simkit

// Card side of SCP03/SCP02 on one logical channel (see secure_channel.hpp and specs/isd.md).
#include "gp/secure_channel.hpp"

#include "gp/key_records.hpp"
#include "gp/key_sets.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp02.hpp"
#include "simkit/scp03.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
// Reads a big-endian counter record, advances it and stages the new value; SwError(6985) when the
// counter is exhausted (a challenge must never repeat).
uint32_t advance_counter(PersistentState& state, const char* name, std::size_t width) {
    const secure_bytes* stored = state.get(name);
    uint32_t value = 0;
    if (stored != nullptr) {
        for (const uint8_t b : *stored) value = (value << 8) | b;
    }
    const uint32_t limit = width == 3 ? 0xFFFFFFu : 0xFFFFu;
    if (value >= limit) throw SwError(sw::kConditionsNotSatisfied, "sequence counter exhausted");
    ++value;
    secure_bytes out(width);
    for (std::size_t k = 0; k < width; ++k) out[width - 1 - k] = static_cast<uint8_t>(value >> (8 * k));
    state.put(name, std::move(out));
    return value;
}

bytes kdd_of(const PersistentState& state) {
    const secure_bytes* kdd = state.get(records::kKeyDiversificationData);
    if (kdd == nullptr || kdd->size() != 10) throw SwError(sw::kReferencedDataNotFound, "KDD missing");
    return to_bytes(*kdd);
}
}  // namespace

void SecureChannelSession::close() noexcept {
    handshake_.reset();
    channel_.reset();
    authenticated_ = false;
}

ResponseApdu SecureChannelSession::initialize_update(CommandContext& ctx, const bytes& aid) {
    close();
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p2() != 0x00) throw SwError(sw::kIncorrectP1P2);
    const auto set = apdu.p1() == 0x00 ? default_key_set(ctx.state) : load_key_set(ctx.state, apdu.p1());
    if (!set) throw SwError(sw::kReferencedDataNotFound, "no key set with that KVN");
    if (!i_is_supported(set->protocol, set->i)) throw SwError(sw::kConditionsNotSatisfied, "key set option");
    const bytes& host_challenge = apdu.data();

    scp::InitUpdateResponse answer;
    answer.key_diversification_data = kdd_of(ctx.state);
    answer.kvn = set->kvn;
    answer.protocol = set->protocol;
    answer.i = set->i;
    Handshake handshake;
    handshake.protocol = set->protocol;
    handshake.i = set->i;

    if (set->protocol == scp::Protocol::Scp03) {
        const std::size_t s = (set->i & scp03::kIS16) != 0 ? 16 : 8;
        if (host_challenge.size() != s) throw SwError(sw::kWrongLength);
        if ((set->i & scp03::kIPseudoRandomChallenge) != 0) {
            const uint32_t counter = advance_counter(ctx.state, records::kScp03Sequence, 3);
            answer.sequence_counter = counter;
            answer.card_challenge = scp03::pseudo_random_card_challenge(set->keys.enc, counter, aid, s);
        } else {
            answer.card_challenge = crypto::random_bytes(s);
        }
        auto keys = scp03::derive_session_keys(set->keys, host_challenge, answer.card_challenge);
        answer.card_cryptogram = scp03::card_cryptogram(keys, host_challenge, answer.card_challenge, s);
        handshake.s = s;
        handshake.expected_host_cryptogram = scp03::host_cryptogram(keys, host_challenge, answer.card_challenge, s);
        handshake.open_channel = [keys = std::move(keys), dek = set->keys.dek, s](uint8_t level) {
            return std::make_unique<scp03::Scp03Channel>(keys, dek, level, s);
        };
    } else {
        if (host_challenge.size() != 8) throw SwError(sw::kWrongLength);
        const auto counter = static_cast<uint16_t>(advance_counter(ctx.state, records::kScp02Sequence, 2));
        auto keys = scp02::derive_session_keys(set->keys, counter);
        answer.sequence_counter = counter;
        answer.card_challenge = (set->i & scp02::kIPseudoRandomChallenge) != 0
                                    ? scp02::pseudo_random_card_challenge(keys, aid)
                                    : crypto::random_bytes(6);
        answer.card_cryptogram = scp02::card_cryptogram(keys, host_challenge, counter, answer.card_challenge);
        handshake.expected_host_cryptogram = scp02::host_cryptogram(keys, host_challenge, counter, answer.card_challenge);
        handshake.open_channel = [keys = std::move(keys)](uint8_t level) {
            return std::make_unique<scp02::Scp02Channel>(keys, level);
        };
    }
    handshake_ = std::move(handshake);
    return ResponseApdu::ok(answer.encode());
}

ResponseApdu SecureChannelSession::external_authenticate(CommandContext& ctx) {
    if (!handshake_) {
        close();
        throw SwError(sw::kConditionsNotSatisfied, "EXTERNAL AUTHENTICATE without INITIALIZE UPDATE");
    }
    Handshake handshake = std::move(*handshake_);
    close();  // whatever happens next, the handshake is used up
    const CommandApdu& apdu = ctx.apdu;
    const uint8_t level = apdu.p1();
    if (apdu.p2() != 0x00 || !scp::level_is_valid(handshake.protocol, level)) throw SwError(sw::kIncorrectP1P2);
    if (handshake.protocol == scp::Protocol::Scp03) {
        // The key set's i parameter says whether R-MAC and R-ENCRYPTION are offered.
        if ((level & scp::kRMac) != 0 && (handshake.i & scp03::kIRMacSupport) == 0) throw SwError(sw::kIncorrectP1P2);
        if ((level & scp::kREncryption) != 0 && (handshake.i & scp03::kIREncSupport) == 0) {
            throw SwError(sw::kIncorrectP1P2);
        }
    }
    std::unique_ptr<scp::SecureMessaging> channel = handshake.open_channel(level);
    if (apdu.data().size() != handshake.expected_host_cryptogram.size() + channel->mac_length()) {
        throw SwError(sw::kSecurityStatusNotSatisfied, "host cryptogram of the wrong length");
    }
    CommandApdu plain = CommandApdu::case1(0, 0, 0, 0);
    try {
        plain = channel->unwrap_external_authenticate(apdu);
    } catch (const SecureChannelError&) {
        throw SwError(sw::kSecurityStatusNotSatisfied, "EXTERNAL AUTHENTICATE C-MAC");
    }
    if (!ct_equal(plain.data(), handshake.expected_host_cryptogram)) {
        throw SwError(sw::kSecurityStatusNotSatisfied, "host cryptogram");
    }
    channel_ = std::move(channel);
    authenticated_ = true;
    return ResponseApdu::ok();
}

CommandApdu SecureChannelSession::unwrap(const CommandApdu& wrapped) {
    if (!authenticated()) {
        close();
        throw SwError(sw::kSecurityStatusNotSatisfied, "no secure channel session");
    }
    try {
        return channel_->unwrap_command(wrapped);
    } catch (const SecureChannelError&) {
        close();
        throw SwError(sw::kSecurityStatusNotSatisfied, "secure messaging");
    } catch (const ArgumentError&) {
        close();
        throw SwError(sw::kSecurityStatusNotSatisfied, "secure messaging");
    }
}

ResponseApdu SecureChannelSession::wrap(const ResponseApdu& plain) {
    if (!authenticated()) return plain;
    return channel_->wrap_response(plain);
}

void SecureChannelSession::require(uint8_t minimum_level) const {
    if (!authenticated() || (channel_->level() & minimum_level) != minimum_level) {
        throw SwError(sw::kSecurityStatusNotSatisfied, "secure channel level too low");
    }
}

const scp::SecureMessaging& SecureChannelSession::messaging() const {
    if (!authenticated()) throw SwError(sw::kSecurityStatusNotSatisfied, "no secure channel session");
    return *channel_;
}

}  // namespace simkit::sim

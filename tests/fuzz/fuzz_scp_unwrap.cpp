// Fuzz target: the card's SCP03 unwrap path after a real handshake. A fresh in-memory card, INITIALIZE
// UPDATE + EXTERNAL AUTHENTICATE with the factory key set (KVN 30, i=70) through the shared SCP core,
// then records from the input sent to the ISD on the basic channel: raw bytes (arbitrary "wrapped"
// commands), commands wrapped correctly by the host's Scp03Channel (to get past the C-MAC into
// decryption, padding and the ISD's handlers: PUT KEY, STORE DATA, GET STATUS, DELETE ...), and
// correctly wrapped commands with one bit flipped.
//
// Input: byte 0: bits 0-2 level (mod 5: 01 03 11 13 33), bit 3 a correctly wrapped GET STATUS
// first, bit 4 INITIALIZE UPDATE names KVN 00 (the default set) rather than 30. Then records
// [control][length][length bytes]: control bits 0-1 the kind (0, 1 raw APDU; 2 wrap; 3 wrap and
// flip a bit), bit 2 authenticate again first, bits 3-7 a parameter (wrap: bit 3 Le 00, bits 4-5
// CLA 80 / 00 / 90 / 81; flip: 0-15 a bit of the C-MAC, 16-31 a bit of the data before it). A
// wrapped record's bytes are INS P1 P2 data.
//
// Invariants (abort() when broken): every answer carries a status word; the first handshake works;
// while host and card are in step, every protected answer to a correctly wrapped command unwraps on
// the host (R-MAC, R-ENC); a command with a wrong MAC (or a plain one) in a session gets 6982 and ends
// the session, so that the next command, wrapped as the card would have accepted it had the session
// survived, gets 6982 too.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "simkit/apdu.hpp"
#include "simkit/core/cla.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp03.hpp"
#include "simulated_card.hpp"

namespace {

using simkit::bytes;
using simkit::CommandApdu;
using simkit::ResponseApdu;
namespace scp = simkit::scp;
namespace scp03 = simkit::scp03;

constexpr std::array<uint8_t, 5> kLevels{0x01, 0x03, 0x11, 0x13, 0x33};
constexpr std::array<uint8_t, 4> kWrapCla{0x80, 0x00, 0x90, 0x81};

[[noreturn]] void broken(const char* what, const bytes& detail = {}) {
    std::fprintf(stderr, "fuzz_scp_unwrap: invariant broken: %s %s\n", what, simkit::to_hex(detail).c_str());
    std::abort();
}

// Whether a command on the basic channel reaches the ISD's secure channel code (rather than the
// runtime's own SELECT, MANAGE CHANNEL, GET RESPONSE, or EXTERNAL AUTHENTICATE, which ends the
// session its own way).
bool reaches_isd_on_basic_channel(const CommandApdu& apdu) {
    const auto cla = simkit::decode_cla(apdu.cla());
    if (!cla || cla->channel != 0) return false;
    if (cla->kind == simkit::ClaKind::Interindustry) {
        const uint8_t ins = apdu.ins();
        if (ins == 0xC0 || ins == 0x70 || (ins == 0xA4 && apdu.p1() == 0x04)) return false;
        return true;
    }
    return apdu.ins() != scp::kInsExternalAuthenticate;
}

bool on_basic_channel(const CommandApdu& apdu) {
    const auto cla = simkit::decode_cla(apdu.cla());
    return cla && cla->channel == 0;
}

class Host {
public:
    Host(simkit::sim::Card& card, uint8_t level, uint8_t kvn) : card_(card), level_(level), kvn_(kvn) {}

    ResponseApdu send_raw(const bytes& wire) {
        const bytes answer = card_.transmit(wire);
        if (trace()) std::fprintf(stderr, "> %s\n< %s\n", simkit::to_hex(wire).c_str(), simkit::to_hex(answer).c_str());
        if (answer.size() < 2) broken("answer without status word to", wire);
        return ResponseApdu::parse(answer);
    }

    // INITIALIZE UPDATE + EXTERNAL AUTHENTICATE with the factory keys and a fixed host challenge
    // (8 bytes, or 16 when the key set was switched to S16). True when the card accepted it.
    bool authenticate() {
        in_step_ = false;
        primary_.reset();
        shadow_.reset();
        try {
            for (const std::size_t s : {std::size_t{8}, std::size_t{16}}) {
                bytes host_challenge(s);
                for (std::size_t k = 0; k < s; ++k) host_challenge[k] = static_cast<uint8_t>(0xA0 + k);
                const ResponseApdu r = send_raw(CommandApdu::case4(0x80, 0x50, kvn_, 0x00, host_challenge, 256).encode());
                if (r.sw() == 0x6700 && s == 8) continue;  // an S16 key set wants 16 bytes
                if (r.sw() != 0x9000) return false;
                const auto info = scp::InitUpdateResponse::parse(r.data());
                if (info.protocol != scp::Protocol::Scp03 || info.card_challenge.size() != s) return false;
                const scp::StaticKeys keys{factory_key(), factory_key(), factory_key()};
                const auto session = scp03::derive_session_keys(keys, host_challenge, info.card_challenge);
                if (scp03::card_cryptogram(session, host_challenge, info.card_challenge, s) != info.card_cryptogram) {
                    return false;  // the set under that KVN no longer holds the factory keys
                }
                const bytes cryptogram = scp03::host_cryptogram(session, host_challenge, info.card_challenge, s);
                primary_ = std::make_unique<scp03::Scp03Channel>(session, keys.dek, level_, s);
                shadow_ = std::make_unique<scp03::Scp03Channel>(session, keys.dek, level_, s);
                const CommandApdu plain = CommandApdu::case3(0x80, 0x82, level_, 0x00, cryptogram);
                shadow_->wrap_external_authenticate(plain);
                const ResponseApdu ea = send_raw(primary_->wrap_external_authenticate(plain).encode());
                in_step_ = ea.sw() == 0x9000;
                return in_step_;
            }
        } catch (const simkit::Error&) {
            return false;  // an answer the host cannot parse after the fuzzer changed the key sets
        }
        return false;
    }

    // A command wrapped by both channels (which stay identical), sent; the answer unwrapped.
    ResponseApdu send_wrapped(const CommandApdu& plain) {
        if (!primary_) return send_raw(plain.encode());
        const CommandApdu wrapped = primary_->wrap_command(plain);
        shadow_->wrap_command(plain);
        const bool checked = in_step_ && reaches_isd_on_basic_channel(wrapped);
        const ResponseApdu answer = send_raw(wrapped.encode());
        if (!checked) {
            in_step_ = false;  // the card's chaining did not move with the host's
            return answer;
        }
        try {
            return primary_->unwrap_response(answer);
        } catch (const simkit::SecureChannelError&) {
            broken("the host cannot unwrap the card's answer to", wrapped.encode());
        }
    }

    // A correctly wrapped command with one bit of its data field flipped: 6982, and the session is gone.
    void send_corrupted(const CommandApdu& plain, uint8_t which) {
        if (!primary_) {
            send_raw(plain.encode());
            return;
        }
        const CommandApdu wrapped = primary_->wrap_command(plain);  // the shadow stays where the card is
        // which 0-15: a bit of the C-MAC; 16-31: a bit of what precedes it (encrypted data).
        bytes data = wrapped.data();
        const std::size_t mac_length = primary_->mac_length();
        const std::size_t body = data.size() - mac_length;
        const std::size_t at = which < 16 || body == 0 ? body + which % mac_length : (which - 16u) % body;
        data[at] ^= static_cast<uint8_t>(0x01 << (which & 0x07));
        const CommandApdu bad = CommandApdu::make(wrapped.cla(), wrapped.ins(), wrapped.p1(), wrapped.p2(), data,
                                                  wrapped.ne(), wrapped.is_extended());
        const bool checked = in_step_ && reaches_isd_on_basic_channel(bad);
        const ResponseApdu answer = send_raw(bad.encode());
        if (!checked) {
            in_step_ = false;
            return;
        }
        if (answer.sw() != 0x6982) broken("a wrong C-MAC was not answered 6982:", bad.encode());
        expect_session_ended(bad.encode());
    }

    // Raw bytes: in a session, anything that reaches the ISD on the basic channel carries a wrong
    // C-MAC (or none) and must end the session.
    void send_fuzzed(const bytes& wire) {
        std::optional<CommandApdu> parsed;
        try {
            parsed = CommandApdu::parse(wire);
        } catch (const simkit::FormatError&) {
        }
        const ResponseApdu answer = send_raw(wire);
        if (!parsed) return;
        const bool checked = in_step_ && reaches_isd_on_basic_channel(*parsed) && !is_plain_initialize_update(*parsed);
        if (on_basic_channel(*parsed)) in_step_ = false;  // whatever it was, the session may have moved
        if (!checked) return;
        if (answer.sw() != 0x6982) broken("a command with a wrong C-MAC was not answered 6982:", wire);
        expect_session_ended(wire);
    }

private:
    // FUZZ_SCP_TRACE=1 prints every APDU and answer (to read a reproducer).
    static bool trace() {
        static const bool on = std::getenv("FUZZ_SCP_TRACE") != nullptr;
        return on;
    }

    static const simkit::secure_bytes& factory_key() {
        static const simkit::secure_bytes key = simkit::secure_from_hex("404142434445464748494A4B4C4D4E4F");
        return key;
    }

    static bool is_plain_initialize_update(const CommandApdu& apdu) {
        const auto cla = simkit::decode_cla(apdu.cla());
        return cla && cla->kind == simkit::ClaKind::Proprietary && !cla->secure_messaging &&
               apdu.ins() == scp::kInsInitializeUpdate;
    }

    // The next command, wrapped as the card would accept it had it kept the session (the shadow did
    // not see the refused command), must be refused.
    void expect_session_ended(const bytes& refused) {
        in_step_ = false;
        const CommandApdu probe = shadow_->wrap_command(CommandApdu::case2(0x80, 0xCA, 0x00, 0x66, 256));
        primary_->wrap_command(CommandApdu::case2(0x80, 0xCA, 0x00, 0x66, 256));
        const ResponseApdu answer = send_raw(probe.encode());
        if (answer.sw() != 0x6982) broken("the session survived the refused command", refused);
    }

    simkit::sim::Card& card_;
    uint8_t level_;
    uint8_t kvn_;
    std::unique_ptr<scp03::Scp03Channel> primary_;  // the host
    std::unique_ptr<scp03::Scp03Channel> shadow_;   // where the card's chaining is when it refuses
    bool in_step_ = false;                          // card and host chaining agree, ISD session live
};

CommandApdu plain_command(uint8_t control, const uint8_t* data, std::size_t size) {
    const uint8_t ins = size > 0 ? data[0] : 0xCA;
    const uint8_t p1 = size > 1 ? data[1] : 0x00;
    const uint8_t p2 = size > 2 ? data[2] : 0x00;
    bytes body;
    if (size > 3) body.assign(data + 3, data + size);
    const std::size_t ne = (control & 0x08) != 0 ? 256 : 0;
    return CommandApdu::make(kWrapCla[(control >> 4) & 0x03], ins, p1, p2, std::move(body), ne);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t level = kLevels[(data[0] & 0x07) % kLevels.size()];
    const uint8_t kvn = (data[0] & 0x10) != 0 ? 0x00 : 0x30;
    auto card = simkit::sim::make_memory_card();
    Host host(*card, level, kvn);
    if (!host.authenticate()) broken("the factory key set does not authenticate on a fresh card");
    if ((data[0] & 0x08) != 0) {
        const ResponseApdu r = host.send_wrapped(CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, {0x4F, 0x00}, 256));
        if (r.sw() != 0x9000) broken("wrapped GET STATUS of the ISD", bytes{r.sw1(), r.sw2()});
    }

    std::size_t pos = 1;
    while (pos < size) {
        const uint8_t control = data[pos++];
        const std::size_t length = pos < size ? data[pos++] : 0;
        const std::size_t take = length < size - pos ? length : size - pos;
        const uint8_t* record = data + pos;
        pos += take;
        if ((control & 0x04) != 0) host.authenticate();
        switch (control & 0x03) {
            case 0:
            case 1: host.send_fuzzed(bytes(record, record + take)); break;
            case 2: host.send_wrapped(plain_command(control, record, take)); break;
            case 3: host.send_corrupted(plain_command(control, record, take), static_cast<uint8_t>(control >> 3)); break;
        }
    }
    return 0;
}

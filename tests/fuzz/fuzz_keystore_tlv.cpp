// Fuzz target: the key store applet's command-data TLV parsers (specs/keystore.md). A fresh
// in-memory card, SELECT A0000005590010, optionally GENERATE KEY PAIR in slot 1 and a hash-given
// COMPUTE SIGNATURE session on it (so the signing, reading and key-agreement paths are reachable),
// then records from the input as well-formed APDUs to the applet, whose data is arbitrary.
//
// Input: byte 0: bit 0 GENERATE KEY PAIR 84 01 01 first, bit 1 COMPUTE SIGNATURE INIT session 1 on
// it (mode 03), bit 2 T=0 card. Then records [choice][P1][P2][length][length bytes]: choice bits 0-3
// pick the INS (kIns below), bit 4 adds Le 00, bit 5 uses CLA 80 rather than 00, bit 6 puts
// `84 01 01` (private key 1) and bit 7 `85 01 01` (public key 1) in front of the data, so object
// look-up succeeds and the parsers behind it see the rest.
//
// Invariants (abort() when broken): every answer carries a status word; the set-up commands succeed;
// no answer is 6F00. The runtime answers 6F00 only when an exception other than SwError escapes an
// applet (runtime/card.cpp), which specs/keystore.md never lists: a parser or crypto error that the
// applet failed to turn into its documented status word (6A80...). FUZZ_KEYSTORE_TRACE=1 prints
// every APDU and answer (to read a reproducer).
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "simkit/apdu.hpp"
#include "simkit/bytes.hpp"
#include "simulated_card.hpp"

namespace {

using simkit::bytes;

constexpr std::array<uint8_t, 16> kIns{0xCB, 0x84, 0xB9, 0xCD, 0x24, 0xD8, 0x2A, 0x2B,
                                       0x2C, 0x2D, 0x46, 0x4A, 0xB0, 0x20, 0x24, 0x2C};

bool trace() {
    static const bool on = std::getenv("FUZZ_KEYSTORE_TRACE") != nullptr;
    return on;
}

[[noreturn]] void broken(const char* what, const bytes& command, const bytes& answer) {
    std::fprintf(stderr, "fuzz_keystore_tlv: invariant broken: %s\n  command %s\n  answer  %s\n", what,
                 simkit::to_hex(command).c_str(), simkit::to_hex(answer).c_str());
    std::abort();
}

bytes send(simkit::sim::Card& card, const bytes& command) {
    const bytes answer = card.transmit(command);
    if (trace()) std::fprintf(stderr, "> %s\n< %s\n", simkit::to_hex(command).c_str(), simkit::to_hex(answer).c_str());
    if (answer.size() < 2) broken("answer without status word", command, answer);
    const uint16_t sw = static_cast<uint16_t>(answer[answer.size() - 2] << 8 | answer[answer.size() - 1]);
    if (sw == 0x6F00) broken("6F00 (an exception escaped the applet)", command, answer);
    return answer;
}

void expect_ok(simkit::sim::Card& card, const char* hex) {
    const bytes command = simkit::from_hex(hex);
    const bytes answer = send(card, command);
    const uint8_t sw1 = answer[answer.size() - 2];
    const bool ok = (sw1 == 0x90 && answer[answer.size() - 1] == 0x00) || sw1 == 0x61;  // 61xx: T=0 data waiting
    if (!ok) broken("set-up command failed", command, answer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t setup = data[0];
    simkit::sim::CardOptions options;
    options.t0 = (setup & 0x04) != 0;
    auto card = simkit::sim::make_memory_card(options);
    expect_ok(*card, "00A4040007A0000005590010");
    if ((setup & 0x01) != 0) expect_ok(*card, "00B9000003840101");
    if ((setup & 0x03) == 0x03) expect_ok(*card, "002A000106840101A10103");

    std::size_t pos = 1;
    while (pos + 4 <= size) {
        const uint8_t choice = data[pos];
        const uint8_t p1 = data[pos + 1];
        const uint8_t p2 = data[pos + 2];
        const std::size_t length = data[pos + 3];
        pos += 4;
        const std::size_t take = length < size - pos ? length : size - pos;
        bytes body;
        if ((choice & 0x40) != 0) body.insert(body.end(), {0x84, 0x01, 0x01});
        if ((choice & 0x80) != 0) body.insert(body.end(), {0x85, 0x01, 0x01});
        body.insert(body.end(), data + pos, data + pos + take);
        pos += take;
        if (body.size() > 255) body.resize(255);  // short APDUs only

        bytes command{static_cast<uint8_t>((choice & 0x20) != 0 ? 0x80 : 0x00), kIns[choice & 0x0F], p1, p2};
        if (!body.empty()) {
            command.push_back(static_cast<uint8_t>(body.size()));
            command.insert(command.end(), body.begin(), body.end());
        }
        if ((choice & 0x10) != 0) command.push_back(0x00);
        send(*card, command);
    }
    return 0;
}

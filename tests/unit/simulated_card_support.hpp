// Shared by the card runtime tests: a tiny test applet (an INS table), AIDs, and a transmit helper
// that takes hex and returns a parsed ResponseApdu. Expected answers in the tests come from
// ISO/IEC 7816-4 and GlobalPlatform rules, not from running the card.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "runtime/applet.hpp"
#include "runtime/card.hpp"
#include "simkit/apdu.hpp"
#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"
#include "simkit/tlv.hpp"
#include "simulated_card.hpp"

namespace simkit::test {

inline const bytes kIsdAid = from_hex("A000000151000000");
// Three test applets whose AIDs share the prefix A0 00 00 00 99 (partial selection).
inline const bytes kAppletA = from_hex("A0000000990101");
inline const bytes kAppletB = from_hex("A0000000990102");
inline const bytes kAppletC = from_hex("A00000009902");

// INS 01: echo the command data. INS 02: answer P1P2 bytes (0, 1, 2 ...). INS 03: interindustry
// class only, answers its AID. INS 04: proprietary class only, answers 9000.
class EchoApplet : public sim::Applet {
public:
    explicit EchoApplet(bytes aid, std::string name = "echo") : Applet(std::move(aid), std::move(name)) {
        on_ins(0x01, sim::ClaAccept::Any, [](sim::CommandContext& ctx) { return ResponseApdu::ok(ctx.apdu.data()); });
        on_ins(0x02, sim::ClaAccept::Any, [](sim::CommandContext& ctx) {
            bytes out(ctx.apdu.p1p2());
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(i);
            return ResponseApdu::ok(std::move(out));
        });
        on_ins(0x03, sim::ClaAccept::Interindustry, [this](sim::CommandContext&) { return ResponseApdu::ok(this->aid()); });
        on_ins(0x04, sim::ClaAccept::Proprietary, [](sim::CommandContext&) { return ResponseApdu::ok(); });
    }
};

// The standard memory card with the three test applets installed after the ISD.
inline std::unique_ptr<sim::Card> card_with_test_applets(sim::CardOptions options = {}) {
    auto card = sim::make_memory_card(options);
    card->install(std::make_unique<EchoApplet>(kAppletA, "A"));
    card->install(std::make_unique<EchoApplet>(kAppletB, "B"));
    card->install(std::make_unique<EchoApplet>(kAppletC, "C"));
    return card;
}

// Sends a command given as hex; the answer must carry a status word.
inline ResponseApdu send(sim::Card& card, const std::string& hex) {
    const bytes raw = card.transmit(from_hex(hex));
    INFO("command " << hex << " answer " << to_hex(raw));
    REQUIRE(raw.size() >= 2);
    return ResponseApdu::parse(raw);
}

inline uint16_t sw_of(sim::Card& card, const std::string& hex) { return send(card, hex).sw(); }

// 00 A4 04 <p2> Lc AID [Le] on channel CLA `cla`.
inline std::string select_hex(uint8_t cla, const bytes& aid, uint8_t p2 = 0x00, bool with_le = false) {
    const bytes cmd = with_le ? CommandApdu::case4(cla, 0xA4, 0x04, p2, aid, 256).encode()
                              : CommandApdu::case3(cla, 0xA4, 0x04, p2, aid).encode();
    return to_hex(cmd);
}

// The AID (tag 84) in a SELECT answer's FCI 6F template.
inline bytes fci_aid(const ResponseApdu& r) {
    const auto list = parse_tlvs(r.data());
    REQUIRE(list.size() == 1);
    REQUIRE(list[0].tag == 0x6F);
    const auto aid = list[0].find(0x84);
    REQUIRE(aid);
    return aid->value;
}

}  // namespace simkit::test

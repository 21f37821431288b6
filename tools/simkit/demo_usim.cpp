// The USIM chapter of `simkit demo`: the card's ICCID and IMSI read from its files, one 3G
// authentication (AKA) with the card's documented test keys (TS 35.208 test set 1) checked against
// MILENAGE on the host, and a replayed SQN answered with AUTS, from which the host recovers the
// card's SQN_MS and resynchronises.
#include <iostream>

#include "demo_story.hpp"
#include "simkit/aka.hpp"
#include "simkit/crypto.hpp"
#include "simkit/milenage.hpp"
#include "simkit/usim_client.hpp"

namespace simkit::cli {

namespace {
void show_answer(const AkaAnswer& answer) {
    std::cout << "  card: " << AkaAnswer::result_name(answer.result);
    if (answer.result == AkaAnswer::Result::Ok) std::cout << ", RES " << to_hex(answer.res);
    if (answer.result == AkaAnswer::Result::SyncFailure) std::cout << ", AUTS " << to_hex(answer.auts);
    std::cout << "\n";
}
}  // namespace

void tell_usim(const std::string& uri) {
    Card card = Card::open(uri);
    UsimClient usim(card);

    Story::say("USIM (ADF.USIM, TS 31.102): the card's identity from its files");
    std::cout << "  EF.ICCID 2FE2 -> ICCID " << usim.iccid() << "\n  EF.IMSI  6F07 -> IMSI  " << usim.imsi() << "\n";

    Story::say("AKA: the host plays the network with the card's test keys (TS 35.208 test set 1), builds AUTN for "
               "SQN 000000000021, the card checks it and answers RES, CK, IK");
    const milenage::Milenage network(to_secure(from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC")),
                                     to_secure(from_hex("CD63CB71954A9F4E48A5994E37A02BAF")));
    const bytes amf = from_hex("8000");
    const bytes sqn = from_hex("000000000021");
    bytes rand = crypto::random_bytes(16);
    const AkaAnswer first = usim.authenticate(rand, aka::build_autn(network, rand, sqn, amf));
    show_answer(first);
    const bool res_ok = first.result == AkaAnswer::Result::Ok && first.res == network.f2345(rand).res;
    std::cout << (res_ok ? "  RES equals the network's XRES: the card is authenticated" : "  RES DIFFERS (UNEXPECTED!)")
              << "\n";

    Story::say("Replay: the same SQN again is stale; the card answers AUTS and the network recovers its SQN_MS");
    rand = crypto::random_bytes(16);
    const AkaAnswer stale = usim.authenticate(rand, aka::build_autn(network, rand, sqn, amf));
    show_answer(stale);
    const auto sqn_ms = stale.result == AkaAnswer::Result::SyncFailure ? aka::sqn_ms_from_auts(network, rand, stale.auts)
                                                                       : std::nullopt;
    if (!sqn_ms) {
        std::cout << "  no verifiable AUTS (UNEXPECTED!)\n";
        return;
    }
    const bytes next = aka::sqn_add(*sqn_ms, 1);
    std::cout << "  SQN_MS from AUTS " << to_hex(*sqn_ms) << "; the network continues with SQN " << to_hex(next) << "\n";
    rand = crypto::random_bytes(16);
    show_answer(usim.authenticate(rand, aka::build_autn(network, rand, next, amf)));
}

}  // namespace simkit::cli

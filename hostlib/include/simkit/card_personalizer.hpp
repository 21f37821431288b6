// One card through the personalization line (issue 10): under the card's current ISD keys, write the
// USIM's data (EF.ICCID and EF.IMSI as STORE DATA A010, K and OPc encrypted under the DEK as A001 /
// A002, specs/usim.md) and the user PIN/PUK when given; rotate the ISD key set to keys diversified
// from the master key and the card's KDD (PUT KEY, KCVs checked); optionally generate an on-card
// device key; then verify: read back ICCID and IMSI, open SCP03 with the new keys, run one AKA with
// the new K/OPc and check RES. A card already part-way through (a line killed mid-card) is
// recognised by what the card reports (which key set it accepts, what its files hold) and completed.
// Code: hostlib/src/personalize/card_personalizer.cpp.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "simkit/card.hpp"
#include "simkit/diversify.hpp"
#include "simkit/personalization.hpp"
#include "simkit/scp.hpp"

namespace simkit::personalize {

// What the line holds for every card (secrets: master key, current keys).
struct LineKeys {
    DiversificationScheme scheme = DiversificationScheme::Kdf3;
    secure_bytes master;              // diversification master key
    scp::StaticKeys current;          // the card's key set before personalization (factory keys)
    uint8_t current_kvn = 0x30;       // its KVN
    uint8_t new_kvn = 0x31;           // the KVN of the diversified key set the card gets
};

// The record of one personalized card (no secret in it).
struct CardRecord {
    std::string iccid;
    bool ok = false;
    std::string error;                        // when !ok: what failed, with the status word
    uint8_t kvn = 0;                          // the new key set's KVN
    std::string kcv_enc, kcv_mac, kcv_dek;    // lowercase hex, 3 bytes each
    std::string kdd;                          // lowercase hex: the card's key diversification data, which
                                              // with the master key gives its keys (not secret alone)
    std::optional<std::string> device_public_key;  // lowercase hex 04||X||Y
    bool resumed = false;                     // the card was found part-way and completed
    bool not_ours = false;                    // inspect found it Unknown (neither key set, or another
                                              // row's data): nothing was written to it
};

// Where a card stands, judged from the card itself.
enum class CardProgress {
    Fresh,        // accepts the current keys, nothing of this row written
    UsimWritten,  // accepts the current keys, its ICCID/IMSI are this row's
    KeysRotated,  // accepts the new diversified keys
    Unknown,      // accepts neither key set: not ours to touch
};

class CardPersonalizer {
public:
    explicit CardPersonalizer(LineKeys keys);

    // Looks at the card: which key set it accepts and what EF.ICCID/EF.IMSI hold.
    CardProgress inspect(Card& card, const CardData& data);

    // Personalizes (or completes) one card. `on_step` is called after each step is durable on the
    // card (the batch journals it). Errors become !ok records, never exceptions, except
    // TransportError (the card went away: the caller decides).
    CardRecord personalize(Card& card, const CardData& data, const std::function<void(Step, const CardRecord&)>& on_step = {});

private:
    LineKeys keys_;
};

}  // namespace simkit::personalize

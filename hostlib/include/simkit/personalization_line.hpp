// What every front end of the personalization line shares (the CLI's `simkit personalize`, the
// demo, the Python module's simkit.personalize): a card record as JSON, one card through the
// personalizer with every step journaled, the simulated line's workers, each card's final record
// from a journal, and a journal kept in memory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "simkit/card.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/personalization.hpp"

namespace simkit::personalize {

// A card record as one compact JSON object: iccid, status ok|failed, kvn, kcv_enc, kcv_mac,
// kcv_dek, kdd, device_public_key, resumed, error. No secret is in a record.
std::string card_record_json(const CardRecord& record);

// Personalizes (or completes) one card, journaling each step once it is durable on the card (the
// keys_rotated row carries the record so far) and then a Done/Failed row with the record. A card
// that is not ours (record.not_ours) gets its Failed row only with `fail_not_ours`: a reader line
// keeps the row for the right card. A TransportError (the card went away) propagates with the
// steps so far journaled.
CardRecord personalize_journaled(CardPersonalizer& personalizer, Journal& journal, Card& card, const CardData& data,
                                 bool fail_not_ours = true);

// The simulated line: `jobs` workers take the next card in order; each card is the state file
// sim_dir/<ICCID>.state (the folder is made), opened and handed to `personalize_card`. The first
// error that is not a card's own (the journal failing, a state file that cannot be written) stops
// every worker after its current card and is rethrown once all have stopped.
void run_simulated_line(const std::vector<const CardData*>& cards, const std::string& sim_dir, unsigned jobs,
                        const std::function<void(Card&, const CardData&)>& personalize_card);

// Each card's final record (the detail of its last Done/Failed row), in the order the cards were
// first finished: a card finished in an earlier run of a resumed journal too.
std::vector<std::string> final_records(const Journal& journal);

// Writes final_records() to `path` as JSON lines, atomically (a temporary file renamed), so the
// file holds each card once whatever the number of runs. Error naming the path when it cannot.
void write_final_records(const Journal& journal, const std::string& path);

// A journal in memory (for a run that keeps none on disk): the same rows, nothing durable.
std::unique_ptr<Journal> make_memory_journal(const std::string& station = "");

}  // namespace simkit::personalize

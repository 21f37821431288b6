// What the single-card and the batch forms of `simkit personalize` share: the line's keys from the
// options (the master key from a file, stdin or the environment, never argv), a card record as
// JSON (no secret in it), and the batch run itself (personalize_batch.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "simkit/card_personalizer.hpp"

namespace simkit::cli {

// A card record as one JSON object: iccid, status ok|failed, kvn, kcv_enc, kcv_mac, kcv_dek,
// kdd, device_public_key, resumed, error.
nlohmann::ordered_json record_json(const personalize::CardRecord& record);

// Personalizes (or completes) one card, journaling each step once it is durable on the card (the
// keys_rotated row carries the record so far) and then a Done/Failed row with the record. A card
// that is not ours (record.not_ours) gets its Failed row only with `fail_not_ours`: a reader line
// keeps the row for the right card. A TransportError (the card went away) propagates with the
// steps so far journaled.
personalize::CardRecord personalize_journaled(personalize::CardPersonalizer& personalizer, personalize::Journal& journal,
                                              Card& card, const personalize::CardData& data, bool fail_not_ours = true);

struct BatchRun {
    std::string csv;         // --batch
    std::string journal;     // --journal
    std::string out;         // --out (JSON lines, rewritten from the journal at the end)
    std::string sim_dir;     // --sim-dir: DIR/<ICCID>.state per card
    std::string card;        // --card pcsc:READER: the real line, one card after another in one reader
    unsigned jobs = 8;       // --jobs: cards personalized at once on the simulated line
    bool resume = false;     // --resume
    bool stop_on_error = false;  // --on-error stop
};

// Personalizes every good row not yet done according to the journal; exit code (0 all ok, 1 any
// card failed or bad rows were skipped, 2 bad rows with --on-error stop).
int run_personalize_batch(const BatchRun& run, personalize::LineKeys keys);
// `--journal F --report`: done, failed, in progress, rate.
int run_journal_report(const std::string& journal, bool json);

}  // namespace simkit::cli

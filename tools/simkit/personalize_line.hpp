// The batch form of `simkit personalize` (personalize_batch.cpp); what the line's front ends share
// (records as JSON, journaled personalization, the simulated line) is simkit/personalization_line.hpp.
#pragma once

#include <string>

#include "simkit/card_personalizer.hpp"

namespace simkit::cli {

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

// `simkit personalize --batch`: a CSV of cards through the line, each card exactly once across
// crashes. Every step of every card is journaled (SQLite, durable per row) before the next begins;
// a run started again with --resume skips the cards the journal says are done or failed, and a card
// the journal shows part-way is handed to CardPersonalizer, which judges it from the card itself and
// completes it. The output file is written from the journal at the end (atomically), so it holds
// each card once whatever the number of runs. No secret reaches the journal or the output.
// Two lines: --sim-dir (simulated cards, DIR/<ICCID>.state, --jobs of them at once: the time of a
// card is mostly waiting for fsync, of its state and of the journal, so cards overlap well) and
// --card pcsc:READER (one reader: asks for each card, waits for it, and for its removal after).
#include <cstdio>
#include <iostream>
#include <mutex>
#include <vector>

#include "personalize_line.hpp"
#include "simkit/answer_output.hpp"
#include "simkit/card.hpp"
#include "simkit/card_batch.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/pcsc_readers.hpp"
#include "simkit/personalization_line.hpp"
#include "simkit/progress.hpp"

namespace simkit::cli {

using namespace personalize;

namespace {

// What every card of a run goes through, whichever line holds it.
class LineRun {
public:
    LineRun(Journal& journal, LineKeys keys, std::size_t total)
        : journal_(journal), personalizer_(std::move(keys)), progress_("cards", total, 10) {}

    // Personalizes (or completes) one card, journaling every step and the final record; false for
    // a card that is not ours when `fail_not_ours` is false (nothing journaled or counted then). A
    // TransportError (the card went away) propagates with the card's steps so far journaled.
    bool personalize(Card& card, const CardData& data, bool fail_not_ours = true) {
        const CardRecord record = personalize_journaled(personalizer_, journal_, card, data, fail_not_ours);
        if (record.not_ours && !fail_not_ours) return false;
        std::lock_guard lock(mutex_);
        (record.ok ? ok_ : failed_)++;
        if (!record.ok) std::cerr << "simkit: card " << data.iccid << " (line " << data.line << "): " << record.error << "\n";
        progress_.advance();
        return true;
    }
    void skipped() {
        std::lock_guard lock(mutex_);
        ++skipped_;
        progress_.advance();
    }
    // A message for the operator on stderr (whole lines, also from several workers).
    void say(const std::string& text) {
        std::lock_guard lock(mutex_);
        std::cerr << "simkit: " << text << std::endl;
    }
    std::size_t ok() const { return ok_; }
    std::size_t failed() const { return failed_; }
    std::size_t already_done() const { return skipped_; }

private:
    Journal& journal_;
    CardPersonalizer personalizer_;
    std::mutex mutex_;
    Progress progress_;
    std::size_t ok_ = 0, failed_ = 0, skipped_ = 0;
};

// The real line: one reader, one card at a time. For each card the operator is asked to insert it;
// the line waits (pcsc: ?wait), personalizes it and asks for its removal. A card that leaves the
// reader part-way (TransportError) is asked for again: the journal holds its steps, and the card,
// inserted again, tells CardPersonalizer how far it got.
void run_reader_line(LineRun& line, const std::vector<const CardData*>& cards, const std::string& uri_text) {
    const CardUri uri = CardUri::parse(uri_text);
    if (uri.scheme != CardScheme::Pcsc) throw ArgumentError("--batch --card takes a pcsc: reader (one card after another), not " + uri_text);
    const std::string waiting_uri = uri.option("wait") ? uri_text : uri_text + (uri.options.empty() ? "?" : "&") + "wait=86400";
    for (std::size_t i = 0; i < cards.size(); ++i) {
        const CardData& data = *cards[i];
        line.say("insert card " + std::to_string(i + 1) + " of " + std::to_string(cards.size()) + " (ICCID " + data.iccid +
                 ", line " + std::to_string(data.line) + ") into " + (uri.target.empty() ? "the reader" : uri.target));
        std::string reader;
        for (;;) {
            try {
                bool taken = false;
                {
                    Card card = Card::open(waiting_uri);
                    reader = card.description().substr(std::string("pcsc:").size());
                    taken = line.personalize(card, data, /*fail_not_ours=*/false);
                }
                if (taken) break;
                // Another row's card or a foreign one: the row is not spent on it.
                line.say("the card in " + reader + " is not one for ICCID " + data.iccid +
                         " (it takes neither the current keys nor this row's new keys, or holds another row's data): "
                         "remove it and insert a fresh card");
                wait_for_pcsc_card_removal(reader);
            } catch (const TransportError& e) {
                line.say("card " + data.iccid + " left the reader part-way (" + std::string(e.what()) +
                         "): insert the same card again to complete it");
                if (!reader.empty()) wait_for_pcsc_card_removal(reader);
            }
        }
        line.say("card " + data.iccid + " finished: remove it");
        if (i + 1 < cards.size()) wait_for_pcsc_card_removal(reader);
    }
}

}  // namespace

int run_personalize_batch(const BatchRun& run, LineKeys keys) {
    if (run.sim_dir.empty() == run.card.empty()) {
        throw ArgumentError("--batch needs either --sim-dir DIR (the simulated line) or --card pcsc:READER (a real line)");
    }
    if (run.journal.empty()) throw ArgumentError("--batch needs --journal FILE");
    if (run.out.empty()) throw ArgumentError("--batch needs --out FILE");
    const CardBatch batch = read_card_batch_file(run.csv);
    for (const RowError& e : batch.errors) std::cerr << "simkit: " << run.csv << ": " << e.message << "\n";
    if (!batch.errors.empty() && run.stop_on_error) {
        std::cerr << "simkit: " << batch.errors.size() << " bad row(s), --on-error stop: no card touched\n";
        return kExitUsage;
    }
    auto journal = open_sqlite_journal(run.journal, run.resume ? JournalOpen::Resume : JournalOpen::CreateNew);
    LineRun line(*journal, std::move(keys), batch.cards.size());
    std::vector<const CardData*> pending;
    for (const CardData& data : batch.cards) {
        const auto last = journal->last_step(data.iccid);
        if (last == Step::Done || last == Step::Failed) {
            line.skipped();
        } else {
            pending.push_back(&data);
        }
    }
    if (!run.sim_dir.empty()) {
        run_simulated_line(pending, run.sim_dir, run.jobs, [&](Card& card, const CardData& data) { line.personalize(card, data); });
    } else {
        run_reader_line(line, pending, run.card);
    }
    write_final_records(*journal, run.out);
    const JournalSummary s = journal->summary();
    std::cout << "personalized " << line.ok() << ", failed " << line.failed() << ", already done " << line.already_done()
              << ", bad rows " << batch.errors.size() << "; journal: " << s.done << " done, " << s.failed << " failed, "
              << s.in_progress << " in progress\n";
    return line.failed() == 0 && batch.errors.empty() ? 0 : kExitFailure;
}

int run_journal_report(const std::string& path, bool json) {
    auto journal = open_sqlite_journal(path, JournalOpen::Resume);
    const JournalSummary s = journal->summary();
    const double seconds = s.last_ms > s.first_ms ? (s.last_ms - s.first_ms) / 1000.0 : 0.0;
    const double rate = seconds > 0 ? (s.done + s.failed) / seconds : 0.0;
    if (json) {
        nlohmann::ordered_json out;
        out["done"] = s.done;
        out["failed"] = s.failed;
        out["in_progress"] = s.in_progress;
        out["cards_per_second"] = rate;
        print_json(out);
    } else {
        std::printf("done %zu, failed %zu, in progress %zu, %.1f cards/s\n", s.done, s.failed, s.in_progress, rate);
    }
    return 0;
}

}  // namespace simkit::cli

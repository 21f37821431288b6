// `simkit personalize --batch`: a CSV of cards through the line, each card exactly once across
// crashes. Every step of every card is journaled (SQLite, durable per row) before the next begins;
// a run started again with --resume skips the cards the journal says are done or failed, and a card
// the journal shows part-way is handed to CardPersonalizer, which judges it from the card itself and
// completes it. The output file is written from the journal at the end (atomically), so it holds
// each card once whatever the number of runs. No secret reaches the journal or the output.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "personalize_line.hpp"
#include "simkit/answer_output.hpp"
#include "simkit/card.hpp"
#include "simkit/card_batch.hpp"
#include "simkit/commands.hpp"
#include "simkit/errors.hpp"
#include "simkit/progress.hpp"

namespace simkit::cli {

using namespace personalize;

nlohmann::ordered_json record_json(const CardRecord& record) {
    nlohmann::ordered_json out;
    out["iccid"] = record.iccid;
    out["status"] = record.ok ? "ok" : "failed";
    const uint8_t kvn = record.kvn;
    out["kvn"] = to_hex(&kvn, 1);
    out["kcv_enc"] = record.kcv_enc;
    out["kcv_mac"] = record.kcv_mac;
    out["kcv_dek"] = record.kcv_dek;
    out["device_public_key"] = record.device_public_key ? nlohmann::ordered_json(*record.device_public_key) : nullptr;
    out["resumed"] = record.resumed;
    out["error"] = record.ok ? nullptr : nlohmann::ordered_json(record.error);
    return out;
}

namespace {
// The output: one JSON line per card whose last journal step is Done or Failed, in journal order.
void write_output(const Journal& journal, const std::string& path) {
    std::map<std::string, std::string> last;  // iccid -> the detail of its final row
    std::vector<std::string> order;
    for (const JournalEntry& e : journal.entries()) {
        if (e.step != Step::Done && e.step != Step::Failed) continue;
        if (!last.count(e.iccid)) order.push_back(e.iccid);
        last[e.iccid] = e.detail_json;
    }
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw Error("cannot write " + tmp);
        for (const auto& iccid : order) out << nlohmann::ordered_json::parse(last[iccid]).dump() << "\n";
        out.flush();
        if (!out) throw Error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}
}  // namespace

int run_personalize_batch(const BatchRun& run, LineKeys keys) {
    if (run.sim_dir.empty()) throw ArgumentError("--batch needs --sim-dir DIR (the simulated line; pcsc: lines come later)");
    if (run.journal.empty()) throw ArgumentError("--batch needs --journal FILE");
    if (run.out.empty()) throw ArgumentError("--batch needs --out FILE");
    const CardBatch batch = read_card_batch_file(run.csv);
    for (const RowError& e : batch.errors) std::cerr << "simkit: " << run.csv << ": " << e.message << "\n";
    if (!batch.errors.empty() && run.stop_on_error) {
        std::cerr << "simkit: " << batch.errors.size() << " bad row(s), --on-error stop: no card touched\n";
        return kExitUsage;
    }
    auto journal = open_sqlite_journal(run.journal, run.resume ? JournalOpen::Resume : JournalOpen::CreateNew);
    std::filesystem::create_directories(run.sim_dir);
    CardPersonalizer personalizer(std::move(keys));

    std::size_t ok = 0, failed = 0, skipped = 0;
    Progress progress("cards", batch.cards.size(), 10);
    for (const CardData& data : batch.cards) {
        const auto last = journal->last_step(data.iccid);
        if (last == Step::Done || last == Step::Failed) {
            ++skipped;
            progress.advance();
            continue;
        }
        Card card = Card::open("sim:" + (std::filesystem::path(run.sim_dir) / (data.iccid + ".state")).string());
        const CardRecord record = personalizer.personalize(card, data, [&](Step step, const CardRecord& so_far) {
            nlohmann::ordered_json detail;
            if (step == Step::KeysRotated) detail = record_json(so_far);
            journal->record(data.iccid, step, detail.is_null() ? "{}" : detail.dump());
        });
        journal->record(data.iccid, record.ok ? Step::Done : Step::Failed, record_json(record).dump());
        (record.ok ? ok : failed)++;
        if (!record.ok) std::cerr << "simkit: card " << data.iccid << " (line " << data.line << "): " << record.error << "\n";
        progress.advance();
    }
    write_output(*journal, run.out);
    const JournalSummary s = journal->summary();
    std::cout << "personalized " << ok << ", failed " << failed << ", already done " << skipped << ", bad rows "
              << batch.errors.size() << "; journal: " << s.done << " done, " << s.failed << " failed, " << s.in_progress
              << " in progress\n";
    return failed == 0 && batch.errors.empty() ? 0 : kExitFailure;
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

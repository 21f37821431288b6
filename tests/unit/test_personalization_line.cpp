// The personalization line's shared pieces (personalization_line.cpp): the memory journal behaves as
// the SQLite journal does for the same rows (last step, summary, rows in order), final_records keeps
// each card's last Done/Failed record in order of first finish, write_final_records writes them as
// JSON lines, and run_simulated_line hands every card to its callback once and rethrows the first
// error after stopping the workers.
#include <catch2/catch.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "simkit/personalization_line.hpp"
#include "state_test_support.hpp"

using namespace simkit::personalize;

namespace {

// The same rows into both journals: three cards, one finished twice (a resumed run), one part-way.
void record_rows(Journal& journal) {
    journal.record("8988211000000001001", Step::Started);
    journal.record("8988211000000001001", Step::UsimWritten);
    journal.record("8988211000000001019", Step::Started);
    journal.record("8988211000000001001", Step::Done, R"({"iccid":"8988211000000001001","status":"ok"})");
    journal.record("8988211000000001027", Step::Started);
    journal.record("8988211000000001019", Step::Failed, R"({"iccid":"8988211000000001019","status":"failed"})");
    journal.record("8988211000000001001", Step::Done, R"({"iccid":"8988211000000001001","status":"ok","resumed":true})");
}

}  // namespace

TEST_CASE("memory journal: the same answers as the SQLite journal for the same rows") {
    simkit::test::TempDir temp;
    auto sqlite = open_sqlite_journal((std::filesystem::path(temp.path) / "line.journal").string(), JournalOpen::CreateNew, "station");
    auto memory = make_memory_journal("station");
    record_rows(*sqlite);
    record_rows(*memory);

    for (const char* iccid : {"8988211000000001001", "8988211000000001019", "8988211000000001027", "8988211000000009999"}) {
        CHECK(memory->last_step(iccid) == sqlite->last_step(iccid));
    }
    const JournalSummary a = memory->summary(), b = sqlite->summary();
    CHECK(a.done == b.done);
    CHECK(a.failed == b.failed);
    CHECK(a.in_progress == b.in_progress);
    const auto rows_a = memory->entries(), rows_b = sqlite->entries();
    REQUIRE(rows_a.size() == rows_b.size());
    for (std::size_t i = 0; i < rows_a.size(); ++i) {
        CHECK(rows_a[i].iccid == rows_b[i].iccid);
        CHECK(rows_a[i].step == rows_b[i].step);
        CHECK(rows_a[i].station == rows_b[i].station);
    }
    CHECK(final_records(*memory) == final_records(*sqlite));
    CHECK_THROWS_AS(memory->record("", Step::Started), simkit::ArgumentError);
}

TEST_CASE("final records: each card once, its last record, in order of first finish; written as JSON lines") {
    simkit::test::TempDir temp;
    auto journal = make_memory_journal();
    record_rows(*journal);
    const std::vector<std::string> records = final_records(*journal);
    REQUIRE(records.size() == 2);
    CHECK(records[0] == R"({"iccid":"8988211000000001001","status":"ok","resumed":true})");
    CHECK(records[1] == R"({"iccid":"8988211000000001019","status":"failed"})");

    const std::string path = (std::filesystem::path(temp.path) / "out.jsonl").string();
    write_final_records(*journal, path);
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    CHECK(lines == records);
    CHECK_THROWS_AS(write_final_records(*journal, (std::filesystem::path(temp.path) / "no-such-dir" / "out.jsonl").string()), simkit::Error);
}

TEST_CASE("simulated line: every card once over several workers, each on its own state file; the first error stops the line") {
    simkit::test::TempDir temp;
    std::vector<CardData> rows(12);
    std::vector<const CardData*> cards;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].iccid = "89882110000000010" + std::to_string(10 + i);
        cards.push_back(&rows[i]);
    }
    std::mutex mutex;
    std::multiset<std::string> seen;
    run_simulated_line(cards, (std::filesystem::path(temp.path) / "line").string(), 4, [&](simkit::Card& card, const CardData& data) {
        CHECK(card.description().find(data.iccid + ".state") != std::string::npos);
        std::lock_guard lock(mutex);
        seen.insert(data.iccid);
    });
    CHECK(seen.size() == rows.size());
    for (const CardData& row : rows) CHECK(seen.count(row.iccid) == 1);

    // One worker: cards in order, none after the failing one. Four: the error still comes back.
    std::atomic<int> calls{0};
    const auto fail_on_third = [&](simkit::Card&, const CardData& data) {
        ++calls;
        if (data.iccid == rows[2].iccid) throw std::runtime_error("journal full");
    };
    CHECK_THROWS_WITH(run_simulated_line(cards, (std::filesystem::path(temp.path) / "line").string(), 1, fail_on_third), "journal full");
    CHECK(calls.load() == 3);
    CHECK_THROWS_WITH(run_simulated_line(cards, (std::filesystem::path(temp.path) / "line").string(), 4, fail_on_third), "journal full");
}

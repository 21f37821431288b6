// The SQLite journal of the personalization line (journal_sqlite.cpp, steps.cpp): rows read back
// after reopening, last step per card, summary; CreateNew/Resume; other files refused; WAL and
// synchronous=FULL on disk; every row a process reported recorded survives its death (_exit without
// closing, SIGKILL between records, a write limit); no K or OPc ever reaches the journal files.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/card_batch.hpp"
#include "simkit/personalization.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "state_test_support.hpp"

using simkit::personalize::Journal;
using simkit::personalize::JournalError;
using simkit::personalize::JournalOpen;
using simkit::personalize::open_sqlite_journal;
using simkit::personalize::Step;

namespace {

using simkit::test::TempDir;  // tests/unit/state_test_support.hpp

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void write_file(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

std::string iccid(int n) {
    std::string body = "89882110000000" + std::to_string(1000 + n);
    return body + simkit::uicc::luhn_check_digit(body);
}

// The single value of `sql` through a connection of the test's own.
std::string query_text(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement_guard(statement, sqlite3_finalize);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const auto* text = sqlite3_column_text(statement, 0);
    return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

void write_all(int fd, const void* data, std::size_t size) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n <= 0) ::_exit(3);
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

// Every int the child wrote to `fd` until it closed (or died).
std::vector<int> read_reports(int fd) {
    std::vector<int> out;
    std::string pending;
    char buffer[256];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
    }
    for (std::size_t i = 0; i + sizeof(int) <= pending.size(); i += sizeof(int)) {
        int value = 0;
        std::memcpy(&value, pending.data() + i, sizeof value);
        out.push_back(value);
    }
    return out;
}

}  // namespace

TEST_CASE("journal: step names round-trip", "[journal]") {
    for (int i = 1; i <= 7; ++i) {
        const auto step = static_cast<Step>(i);
        CHECK(simkit::personalize::parse_step(simkit::personalize::step_name(step)) == step);
    }
    CHECK(std::string(simkit::personalize::step_name(Step::UsimWritten)) == "usim_written");
    CHECK_FALSE(simkit::personalize::parse_step("Done").has_value());
}

TEST_CASE("journal: rows, last step and summary survive reopening", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("batch.journal");
    {
        auto journal = open_sqlite_journal(path, JournalOpen::CreateNew, "station-7");
        CHECK(journal->entries().empty());
        CHECK(journal->summary().done == 0);
        CHECK(journal->summary().first_ms == 0);
        journal->record(iccid(1), Step::Started);
        journal->record(iccid(1), Step::UsimWritten, R"({"imsi":"001010000000001"})");
        journal->record(iccid(2), Step::Started, "");
        journal->record(iccid(1), Step::KeysRotated, R"({"kvn":48,"kcv_enc":"A1B2C3"})");
        journal->record(iccid(2), Step::Failed, R"({"error":"6982 security status not satisfied"})");
        journal->record(iccid(1), Step::Verified);
        journal->record(iccid(1), Step::Done);
        journal->record(iccid(3), Step::Started);
        journal->record(iccid(2), Step::Started);  // retried: in progress again
        journal->record(iccid(4), Step::Started);
        journal->record(iccid(4), Step::Failed);
        CHECK_THROWS_AS(journal->record(iccid(5), Step::Started, "not json"), simkit::ArgumentError);
        CHECK_THROWS_AS(journal->record(iccid(5), Step::Started, "[1,2]"), simkit::ArgumentError);
        CHECK_THROWS_AS(journal->record("", Step::Started), simkit::ArgumentError);
    }
    auto journal = open_sqlite_journal(path, JournalOpen::Resume);
    CHECK(journal->last_step(iccid(1)) == Step::Done);
    CHECK(journal->last_step(iccid(2)) == Step::Started);
    CHECK(journal->last_step(iccid(3)) == Step::Started);
    CHECK(journal->last_step(iccid(4)) == Step::Failed);
    CHECK_FALSE(journal->last_step(iccid(5)).has_value());

    const auto entries = journal->entries();
    REQUIRE(entries.size() == 11);
    CHECK(entries[0].iccid == iccid(1));
    CHECK(entries[0].step == Step::Started);
    CHECK(entries[0].detail_json == "{}");
    CHECK(entries[0].station == "station-7");
    CHECK(entries[2].detail_json == "{}");
    CHECK(entries[3].detail_json == R"({"kvn":48,"kcv_enc":"A1B2C3"})");
    CHECK(entries[4].step == Step::Failed);
    for (std::size_t i = 1; i < entries.size(); ++i) CHECK(entries[i].unix_ms >= entries[i - 1].unix_ms);

    const auto summary = journal->summary();
    CHECK(summary.done == 1);
    CHECK(summary.failed == 1);
    CHECK(summary.in_progress == 2);
    CHECK(summary.first_ms == entries.front().unix_ms);
    CHECK(summary.last_ms == entries.back().unix_ms);
    CHECK(summary.first_ms > 1'600'000'000'000);

    // The station defaults to the host name.
    journal.reset();
    char host[256] = {};
    REQUIRE(::gethostname(host, sizeof host - 1) == 0);
    open_sqlite_journal(path, JournalOpen::Resume)->record(iccid(6), Step::Started);
    CHECK(open_sqlite_journal(path, JournalOpen::Resume)->entries().back().station == host);
}

TEST_CASE("journal: CreateNew refuses an existing journal, Resume creates a missing one", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("line.journal");
    CHECK_FALSE(std::filesystem::exists(path));
    open_sqlite_journal(path, JournalOpen::Resume)->record(iccid(1), Step::Started);
    CHECK(std::filesystem::exists(path));
    CHECK_THROWS_AS(open_sqlite_journal(path, JournalOpen::CreateNew), JournalError);
    CHECK_THROWS_WITH(open_sqlite_journal(path, JournalOpen::CreateNew),
                      "journal " + path + " exists: pass --resume to continue it");
    CHECK(open_sqlite_journal(path, JournalOpen::Resume)->entries().size() == 1);

    const std::string fresh = dir.file("fresh.journal");
    open_sqlite_journal(fresh, JournalOpen::CreateNew);
    CHECK(std::filesystem::exists(fresh));
    CHECK_THROWS_WITH(open_sqlite_journal(dir.file("no/such/dir.journal"), JournalOpen::Resume),
                      Catch::Contains(dir.file("no/such/dir.journal")));
}

TEST_CASE("journal: a file that is not a journal is refused and left as it was", "[journal]") {
    TempDir dir;
    SECTION("a text file") {
        const std::string path = dir.file("batch.csv");
        const std::string content = "iccid,imsi,ki,opc\n8988211000000000003,001010123456789,00,00\n";
        write_file(path, content);
        CHECK_THROWS_WITH(open_sqlite_journal(path, JournalOpen::Resume), Catch::Contains("journal " + path) &&
                                                                                  Catch::Contains("not a simkit journal"));
        CHECK(read_file(path) == content);
    }
    SECTION("random bytes") {
        const std::string path = dir.file("random.bin");
        std::string content;
        uint32_t x = 12345;
        for (int i = 0; i < 8192; ++i) {
            x = x * 1103515245u + 12345u;
            content.push_back(static_cast<char>(x >> 24));
        }
        write_file(path, content);
        CHECK_THROWS_WITH(open_sqlite_journal(path, JournalOpen::Resume), Catch::Contains(path));
        CHECK(read_file(path) == content);
    }
    SECTION("another SQLite database") {
        const std::string path = dir.file("other.db");
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE cards(iccid TEXT); INSERT INTO cards VALUES('1')", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
        sqlite3_close(db);
        CHECK_THROWS_WITH(open_sqlite_journal(path, JournalOpen::Resume),
                          "journal " + path + " is not a simkit journal: no meta table");
        CHECK(query_text(path, "PRAGMA journal_mode") == "delete");  // not switched to WAL either
    }
    SECTION("a journal of a later format") {
        const std::string path = dir.file("future.journal");
        open_sqlite_journal(path, JournalOpen::CreateNew);
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "UPDATE meta SET value = '2' WHERE key = 'version'", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        sqlite3_close(db);
        CHECK_THROWS_WITH(open_sqlite_journal(path, JournalOpen::Resume), Catch::Contains("format version 2"));
    }
    SECTION("a directory") {
        CHECK_THROWS_WITH(open_sqlite_journal(dir.file(""), JournalOpen::Resume), Catch::Contains("directory"));
    }
}

TEST_CASE("journal: two stations on one file see each other's rows", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("shared.journal");
    auto a = open_sqlite_journal(path, JournalOpen::Resume, "a");
    auto b = open_sqlite_journal(path, JournalOpen::Resume, "b");
    for (int i = 0; i < 5; ++i) {
        a->record(iccid(i), Step::Started);
        b->record(iccid(i), Step::Done);
    }
    CHECK(a->last_step(iccid(4)) == Step::Done);
    CHECK(b->summary().done == 5);
    const auto entries = a->entries();
    REQUIRE(entries.size() == 10);
    CHECK(entries[0].station == "a");
    CHECK(entries[1].station == "b");
}

TEST_CASE("journal: WAL and synchronous=FULL, read back by another connection", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("pragma.journal");
    auto journal = open_sqlite_journal(path, JournalOpen::CreateNew);
    journal->record(iccid(1), Step::Started);
    CHECK(query_text(path, "PRAGMA journal_mode") == "wal");
    // synchronous is a per-connection setting: the journal's own connection checks its read-back
    // when it opens; this shows the value this SQLite build uses for WAL connections.
    CHECK(query_text(path, "PRAGMA synchronous") == "2");
    CHECK(query_text(path, "SELECT value FROM meta WHERE key = 'version'") == "1");
    CHECK(query_text(path, "SELECT step FROM journal") == "started");
    CHECK(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("journal: every row a killed process reported recorded is there after reopening", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("crash.journal");
    open_sqlite_journal(path, JournalOpen::CreateNew)->record("first", Step::Started);

    const bool kill_it = GENERATE(false, true);
    INFO((kill_it ? "SIGKILL between records" : "_exit without closing"));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        try {
            auto journal = open_sqlite_journal(path, JournalOpen::Resume, "child");
            const int count = kill_it ? 1'000'000 : 40;
            for (int i = 0; i < count; ++i) {
                journal->record(iccid(i), Step::UsimWritten, "{\"n\":" + std::to_string(i) + "}");
                write_all(fds[1], &i, sizeof i);
            }
            journal.release();  // never closed: the process just ends
            ::_exit(0);
        } catch (...) {
            ::_exit(2);
        }
    }
    ::close(fds[1]);
    std::vector<int> reported;
    if (kill_it) {
        // Let it record some rows, then kill it wherever it is.
        int value = 0;
        std::size_t got = 0;
        while (got < 25 * sizeof value) {
            const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(&value), sizeof value);
            if (n <= 0) break;
            got += sizeof value;
            reported.push_back(value);
        }
        ::kill(child, SIGKILL);
    }
    const auto rest = read_reports(fds[0]);
    reported.insert(reported.end(), rest.begin(), rest.end());
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    if (kill_it) {
        CHECK(WIFSIGNALED(status));
        CHECK(reported.size() >= 25);
    } else {
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK(reported.size() == 40);
    }

    auto journal = open_sqlite_journal(path, JournalOpen::Resume);
    const auto entries = journal->entries();
    REQUIRE(entries.size() >= reported.size() + 1);
    CHECK(entries.size() <= reported.size() + 2);  // at most the row in flight when killed
    for (std::size_t i = 0; i < reported.size(); ++i) {
        CHECK(reported[i] == static_cast<int>(i));
        CHECK(entries[i + 1].iccid == iccid(static_cast<int>(i)));
        CHECK(entries[i + 1].detail_json == "{\"n\":" + std::to_string(i) + "}");
        CHECK(entries[i + 1].station == "child");
    }
    journal->record(iccid(0), Step::Done);  // and the journal goes on
    CHECK(journal->last_step(iccid(0)) == Step::Done);
}

TEST_CASE("journal: a write that fails (file size limit) is a JournalError; earlier rows stay", "[journal]") {
    TempDir dir;
    const std::string path = dir.file("full.journal");
    open_sqlite_journal(path, JournalOpen::CreateNew);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        ::signal(SIGXFSZ, SIG_IGN);
        auto journal = open_sqlite_journal(path, JournalOpen::Resume);
        const rlimit limit{256 * 1024, 256 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        const std::string detail = "{\"pad\":\"" + std::string(2000, 'x') + "\"}";
        for (int i = 0; i < 100000; ++i) {
            try {
                journal->record(iccid(i), Step::Started, detail);
            } catch (const JournalError& e) {
                const std::string message = e.what();
                write_all(fds[1], message.data(), message.size());
                ::_exit(0);
            } catch (...) {
                ::_exit(2);
            }
        }
        ::_exit(1);
    }
    ::close(fds[1]);
    std::string message;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    INFO(message);
    CHECK(message.find("journal " + path + ": record started for ") == 0);
    // SQLite's words: EFBIG is "disk I/O error", ENOSPC "database or disk is full".
    CHECK((message.find(": disk I/O error") != std::string::npos ||
           message.find("database or disk is full") != std::string::npos));

    auto journal = open_sqlite_journal(path, JournalOpen::Resume);
    const auto entries = journal->entries();
    CHECK(entries.size() > 10);
    for (std::size_t i = 0; i < entries.size(); ++i) CHECK(entries[i].iccid == iccid(static_cast<int>(i)));
}

TEST_CASE("journal: K and OPc of a batch never reach the journal or its WAL", "[journal]") {
    TempDir dir;
    const std::string ki_hex = "8BAF473F2F8FD09487CCCBD7097C6862";
    const std::string opc_hex = "8E27B6AF0E692E750F32667A3B14605D";
    std::ostringstream csv;
    csv << "iccid,imsi,ki,opc,pin,puk\n";
    for (int i = 0; i < 20; ++i) csv << iccid(i) << ",00101000000" << (1000 + i) << "," << ki_hex << "," << opc_hex << ",2468,13572468\n";
    std::istringstream in(csv.str());
    const auto batch = simkit::personalize::read_card_batch(in);
    REQUIRE(batch.errors.empty());
    REQUIRE(batch.cards.size() == 20);

    const std::string path = dir.file("secret.journal");
    auto journal = open_sqlite_journal(path, JournalOpen::CreateNew);
    for (const auto& card : batch.cards) {
        REQUIRE(simkit::to_hex(card.ki) == ki_hex);
        journal->record(card.iccid, Step::Started, "{\"line\":" + std::to_string(card.line) + "}");
        journal->record(card.iccid, Step::UsimWritten, "{\"imsi\":\"" + card.imsi + "\"}");
        journal->record(card.iccid, Step::KeysRotated, R"({"kvn":48,"kcv_enc":"1A2B3C","kcv_mac":"4D5E6F"})");
        journal->record(card.iccid, Step::Done);
    }

    const auto contains_secret = [&](const std::string& content) {
        const std::string ki_raw = std::string(reinterpret_cast<const char*>(batch.cards[0].ki.data()), 16);
        const std::string opc_raw = std::string(reinterpret_cast<const char*>(batch.cards[0].opc.data()), 16);
        std::string lower_ki = ki_hex, lower_opc = opc_hex;
        for (auto& c : lower_ki) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (auto& c : lower_opc) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& secret : {ki_hex, opc_hex, lower_ki, lower_opc, ki_raw, opc_raw, ki_raw.substr(0, 8),
                                   opc_raw.substr(8), std::string("13572468")}) {
            if (content.find(secret) != std::string::npos) return true;
        }
        return false;
    };
    const std::string wal = read_file(path + "-wal");
    CHECK(wal.size() > 0);
    CHECK_FALSE(contains_secret(wal));
    CHECK_FALSE(contains_secret(read_file(path)));
    journal.reset();  // checkpointed into the main file
    CHECK_FALSE(contains_secret(read_file(path)));
    CHECK(open_sqlite_journal(path, JournalOpen::Resume)->summary().done == 20);
}

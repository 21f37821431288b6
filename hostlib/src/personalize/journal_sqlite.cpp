// The SQLite journal of the personalization line: one file per batch, WAL with synchronous=FULL so
// each record() is a committed, fsync'd transaction when it returns; a `meta` table marks the file
// as a journal (and its format version) so any other file is refused instead of being written into.
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "simkit/personalization.hpp"

namespace simkit::personalize {

namespace {

constexpr const char* kFormatName = "simkit-personalization-journal";
constexpr int kFormatVersion = 1;
constexpr int kBusyTimeoutMs = 10000;  // another station's or process's write lock

struct DatabaseCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a prepared statement when a use of it ends (even by an exception), so it holds no lock.
class StatementUse {
public:
    explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
    ~StatementUse() {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;

private:
    sqlite3_stmt* statement_;
};

std::string column_text(sqlite3_stmt* statement, int column) {
    const auto* text = sqlite3_column_text(statement, column);
    return text == nullptr ? std::string{} : std::string(reinterpret_cast<const char*>(text));
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
    return name;
}

int64_t now_unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class SqliteJournal final : public Journal {
public:
    SqliteJournal(const std::string& path, JournalOpen mode, const std::string& station);

    void record(const std::string& iccid, Step step, const std::string& detail_json) override;
    std::optional<Step> last_step(const std::string& iccid) const override;
    std::vector<JournalEntry> entries() const override;
    JournalSummary summary() const override;

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw JournalError("journal " + path_ + ": " + what + ": " + sqlite3_errmsg(db_.get()));
    }
    [[noreturn]] void refuse(const std::string& why) const {
        throw JournalError("journal " + path_ + " is not a simkit journal: " + why);
    }
    void exec(const char* sql, const std::string& what);
    std::string pragma(const std::string& sql);
    Statement prepare(const char* sql);
    std::set<std::string> table_names();
    void create_schema();
    void check_meta();
    Step step_of(const std::string& name) const;

    std::string path_;
    std::string station_;
    Database db_;  // declared before the statements: they are finalized first
    Statement insert_, last_step_, entries_, latest_steps_, time_range_;
    mutable std::mutex mutex_;  // the prepared statements are shared state
};

SqliteJournal::SqliteJournal(const std::string& path, JournalOpen mode, const std::string& station)
    : path_(path), station_(station.empty() ? host_name() : station) {
    std::error_code ec;
    const bool existed = std::filesystem::exists(path_, ec);
    if (ec) throw JournalError("journal " + path_ + ": " + ec.message());
    if (existed && mode == JournalOpen::CreateNew) {
        throw JournalError("journal " + path_ + " exists: pass --resume to continue it");
    }
    if (existed && std::filesystem::is_directory(path_, ec)) throw JournalError("journal " + path_ + " is a directory");

    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db_.reset(raw);  // closed even when the open failed
    if (rc != SQLITE_OK) fail("cannot open");
    sqlite3_extended_result_codes(db_.get(), 1);
    sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
    if (sqlite3_db_readonly(db_.get(), "main") == 1) throw JournalError("journal " + path_ + " is read-only");

    // Before any PRAGMA that writes: a random file fails here with "file is not a database".
    const auto tables = table_names();
    if (!tables.empty() && tables.count("meta") == 0) refuse("no meta table");

    if (pragma("PRAGMA journal_mode=WAL") != "wal") fail("journal_mode=WAL not accepted");
    exec("PRAGMA synchronous=FULL", "PRAGMA synchronous=FULL");
    if (pragma("PRAGMA synchronous") != "2") fail("synchronous=FULL not accepted");

    if (tables.empty()) create_schema();
    check_meta();

    insert_ = prepare("INSERT INTO journal(iccid, step, detail, unix_ms, station) VALUES(?1, ?2, ?3, ?4, ?5)");
    last_step_ = prepare("SELECT step FROM journal WHERE iccid = ?1 ORDER BY id DESC LIMIT 1");
    entries_ = prepare("SELECT iccid, step, detail, unix_ms, station FROM journal ORDER BY id");
    latest_steps_ = prepare(
        "SELECT j.step, COUNT(*) FROM journal AS j"
        " JOIN (SELECT MAX(id) AS id FROM journal GROUP BY iccid) AS latest ON j.id = latest.id"
        " GROUP BY j.step");
    time_range_ = prepare("SELECT COUNT(*), MIN(unix_ms), MAX(unix_ms) FROM journal");
}

void SqliteJournal::exec(const char* sql, const std::string& what) {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string reason = message != nullptr ? message : sqlite3_errmsg(db_.get());
        sqlite3_free(message);
        throw JournalError("journal " + path_ + ": " + what + ": " + reason);
    }
}

Statement SqliteJournal::prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
        fail(std::string("prepare ") + sql);
    }
    return Statement(raw);
}

// The single-value result of a PRAGMA (its first column of the first row).
std::string SqliteJournal::pragma(const std::string& sql) {
    Statement statement = prepare(sql.c_str());
    const int rc = sqlite3_step(statement.get());
    if (rc == SQLITE_ROW) return column_text(statement.get(), 0);
    if (rc == SQLITE_DONE) return {};
    fail(sql);
}

std::set<std::string> SqliteJournal::table_names() {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &raw, nullptr) !=
        SQLITE_OK) {
        Statement guard(raw);
        refuse(sqlite3_errmsg(db_.get()));
    }
    Statement statement(raw);
    std::set<std::string> names;
    for (;;) {
        const int rc = sqlite3_step(statement.get());
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) refuse(sqlite3_errmsg(db_.get()));
        names.insert(column_text(statement.get(), 0));
    }
    return names;
}

// One transaction; IF NOT EXISTS / OR IGNORE make two processes creating the same journal harmless.
void SqliteJournal::create_schema() {
    const std::string sql =
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT OR IGNORE INTO meta(key, value) VALUES('format', '" +
        std::string(kFormatName) + "'), ('version', '" + std::to_string(kFormatVersion) +
        "');"
        "CREATE TABLE IF NOT EXISTS journal(id INTEGER PRIMARY KEY, iccid TEXT NOT NULL, step TEXT NOT NULL,"
        " detail TEXT NOT NULL, unix_ms INTEGER NOT NULL, station TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS journal_by_iccid ON journal(iccid, id);"
        "COMMIT;";
    try {
        exec(sql.c_str(), "create tables");
    } catch (...) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void SqliteJournal::check_meta() {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), "SELECT key, value FROM meta", -1, &raw, nullptr) != SQLITE_OK) {
        Statement guard(raw);
        refuse(sqlite3_errmsg(db_.get()));
    }
    Statement statement(raw);
    std::string format, version;
    for (;;) {
        const int rc = sqlite3_step(statement.get());
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) refuse(sqlite3_errmsg(db_.get()));
        const std::string key = column_text(statement.get(), 0);
        if (key == "format") format = column_text(statement.get(), 1);
        if (key == "version") version = column_text(statement.get(), 1);
    }
    if (format != kFormatName) refuse("meta format is '" + format + "'");
    if (version != std::to_string(kFormatVersion)) {
        throw JournalError("journal " + path_ + ": format version " + version + ", this simkit reads version " +
                           std::to_string(kFormatVersion));
    }
    if (table_names().count("journal") == 0) refuse("no journal table");
}

Step SqliteJournal::step_of(const std::string& name) const {
    if (auto step = parse_step(name)) return *step;
    throw JournalError("journal " + path_ + ": unknown step '" + name + "'");
}

void SqliteJournal::record(const std::string& iccid, Step step, const std::string& detail_json) {
    if (iccid.empty()) throw ArgumentError("journal record: iccid is empty");
    const std::string detail = detail_json.empty() ? "{}" : detail_json;
    const auto parsed = nlohmann::json::parse(detail, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        throw ArgumentError("journal record: detail_json is not a JSON object");
    }
    const int64_t unix_ms = now_unix_ms();

    std::lock_guard lock(mutex_);
    sqlite3_stmt* s = insert_.get();
    StatementUse use(s);
    const char* name = step_name(step);
    if (sqlite3_bind_text(s, 1, iccid.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 3, detail.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_int64(s, 4, unix_ms) != SQLITE_OK ||
        sqlite3_bind_text(s, 5, station_.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(std::string("record ") + name + " for " + iccid);
    }
    // Autocommit: the INSERT is its own transaction, in the WAL and fsync'd when step returns DONE.
    if (sqlite3_step(s) != SQLITE_DONE) fail(std::string("record ") + name + " for " + iccid);
}

std::optional<Step> SqliteJournal::last_step(const std::string& iccid) const {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* s = last_step_.get();
    StatementUse use(s);
    if (sqlite3_bind_text(s, 1, iccid.c_str(), -1, SQLITE_TRANSIENT) != SQLITE_OK) fail("last step of " + iccid);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail("last step of " + iccid);
    return step_of(column_text(s, 0));
}

std::vector<JournalEntry> SqliteJournal::entries() const {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* s = entries_.get();
    StatementUse use(s);
    std::vector<JournalEntry> out;
    for (;;) {
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) fail("read entries");
        JournalEntry entry;
        entry.iccid = column_text(s, 0);
        entry.step = step_of(column_text(s, 1));
        entry.detail_json = column_text(s, 2);
        entry.unix_ms = sqlite3_column_int64(s, 3);
        entry.station = column_text(s, 4);
        out.push_back(std::move(entry));
    }
    return out;
}

JournalSummary SqliteJournal::summary() const {
    std::lock_guard lock(mutex_);
    JournalSummary summary;
    {
        sqlite3_stmt* s = latest_steps_.get();
        StatementUse use(s);
        for (;;) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) fail("summary");
            const Step step = step_of(column_text(s, 0));
            const auto count = static_cast<std::size_t>(sqlite3_column_int64(s, 1));
            if (step == Step::Done) {
                summary.done += count;
            } else if (step == Step::Failed) {
                summary.failed += count;
            } else {
                summary.in_progress += count;
            }
        }
    }
    sqlite3_stmt* s = time_range_.get();
    StatementUse use(s);
    if (sqlite3_step(s) != SQLITE_ROW) fail("summary");
    if (sqlite3_column_int64(s, 0) > 0) {
        summary.first_ms = sqlite3_column_int64(s, 1);
        summary.last_ms = sqlite3_column_int64(s, 2);
    }
    return summary;
}

}  // namespace

std::unique_ptr<Journal> open_sqlite_journal(const std::string& path, JournalOpen mode, const std::string& station) {
    return std::make_unique<SqliteJournal>(path, mode, station);
}

}  // namespace simkit::personalize

// The personalization line (issue 10): one card or a batch of cards, each written exactly once, with
// its own diversified keys. This header holds what the parts share: the card data of one CSV row,
// the steps a card goes through, and the journal interface that makes a batch resumable.
//   card_batch.hpp        the CSV of card data (hostlib/src/personalize/card_batch.cpp)
//   journal (below)       SQLite (hostlib/src/personalize/journal_sqlite.cpp), PostgreSQL later
//   card_personalizer.hpp one card: write, rotate keys, verify (hostlib/src/personalize/card_personalizer.cpp)
// Secrets (master keys, K, OPc, PINs) never reach the journal, the output or a log: KCVs only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"

namespace simkit::personalize {

// The journal cannot be opened or written (names the file and SQLite's reason).
class JournalError : public Error {
public:
    using Error::Error;
};

// One card's data, from a CSV row or the command line. K and OPc are secrets.
struct CardData {
    std::size_t line = 0;            // CSV line number (1 = header), 0 when not from a file
    std::string iccid;               // 18..20 decimal digits (the last one the Luhn check digit)
    std::string imsi;                // 6..15 decimal digits
    secure_bytes ki;                 // K, 16 bytes
    secure_bytes opc;                // OPc, 16 bytes
    std::optional<std::string> pin;  // new user PIN, 4..8 digits (optional column `pin`)
    std::optional<std::string> puk;  // new PUK, 8 digits (optional column `puk`)
    std::optional<uint8_t> device_key_slot;  // generate an on-card P-256 key in this slot (column `device_key_slot`)
};

// The steps of one card, in order. The journal records each when it is durable on the card.
enum class Step : uint8_t {
    Started = 1,       // the line picked the card (ICCID known from the row)
    UsimWritten = 2,   // ICCID, IMSI, K, OPc (and PIN/PUK) written under the current keys
    KeysRotated = 3,   // the ISD accepts the new diversified key set
    DeviceKeyMade = 4, // the on-card device key exists (when asked for)
    Verified = 5,      // read back, re-authenticated with the new keys, AKA with the new K/OPc
    Done = 6,          // the output record was written
    Failed = 7,        // given up on this card (detail says why)
};
const char* step_name(Step step);                       // "started", "usim_written" ...
std::optional<Step> parse_step(const std::string& name);

// One journal row: a card's step, when, and a JSON object of non-secret details (KVN, KCVs, the
// device public key, an error message).
struct JournalEntry {
    std::string iccid;
    Step step = Step::Started;
    std::string detail_json;  // "{}" when nothing to say
    int64_t unix_ms = 0;
    std::string station;      // which line station wrote it (host name by default)
};

struct JournalSummary {
    std::size_t done = 0;
    std::size_t failed = 0;
    std::size_t in_progress = 0;  // started, not done or failed
    int64_t first_ms = 0, last_ms = 0;
};

// The line's memory: one row per card per step, durable before record() returns, so a run killed at
// any moment can be resumed exactly where it stopped. The SQLite implementation is the first; the
// interface is what a shared PostgreSQL journal for several stations will implement.
class Journal {
public:
    virtual ~Journal() = default;
    // Appends a row; durable (fsync'd) when it returns. JournalError when the write fails (disk full);
    // ArgumentError for an empty ICCID or a detail that is not a JSON object ("" stands for "{}").
    virtual void record(const std::string& iccid, Step step, const std::string& detail_json = "{}") = 0;
    // The last step recorded for a card, nothing for a card never seen.
    virtual std::optional<Step> last_step(const std::string& iccid) const = 0;
    // Every row in order of writing.
    virtual std::vector<JournalEntry> entries() const = 0;
    virtual JournalSummary summary() const = 0;
};

enum class JournalOpen {
    CreateNew,  // refuse an existing journal (JournalError naming --resume)
    Resume,     // open an existing journal, or create one when there is none
};

// A SQLite journal at `path` (WAL, synchronous=FULL). JournalError for an unreadable file, a file
// that is not a journal, or CreateNew on an existing one.
std::unique_ptr<Journal> open_sqlite_journal(const std::string& path, JournalOpen mode, const std::string& station = "");

}  // namespace simkit::personalize

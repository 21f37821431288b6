// The personalization line's shared pieces (simkit/personalization_line.hpp).
#include "simkit/personalization_line.hpp"

#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "simkit/errors.hpp"

namespace simkit::personalize {

std::string card_record_json(const CardRecord& record) {
    nlohmann::ordered_json out;
    out["iccid"] = record.iccid;
    out["status"] = record.ok ? "ok" : "failed";
    const uint8_t kvn = record.kvn;
    out["kvn"] = to_hex(&kvn, 1);
    out["kcv_enc"] = record.kcv_enc;
    out["kcv_mac"] = record.kcv_mac;
    out["kcv_dek"] = record.kcv_dek;
    out["kdd"] = record.kdd;
    out["device_public_key"] = record.device_public_key ? nlohmann::ordered_json(*record.device_public_key) : nullptr;
    out["resumed"] = record.resumed;
    out["error"] = record.ok ? nullptr : nlohmann::ordered_json(record.error);
    return out.dump();
}

CardRecord personalize_journaled(CardPersonalizer& personalizer, Journal& journal, Card& card, const CardData& data,
                                 bool fail_not_ours) {
    const CardRecord record = personalizer.personalize(card, data, [&](Step step, const CardRecord& so_far) {
        journal.record(data.iccid, step, step == Step::KeysRotated ? card_record_json(so_far) : "{}");
    });
    if (record.not_ours && !fail_not_ours) return record;
    journal.record(data.iccid, record.ok ? Step::Done : Step::Failed, card_record_json(record));
    return record;
}

void run_simulated_line(const std::vector<const CardData*>& cards, const std::string& sim_dir, unsigned jobs,
                        const std::function<void(Card&, const CardData&)>& personalize_card) {
    std::filesystem::create_directories(sim_dir);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    const auto work = [&] {
        while (!stop.load()) {
            const std::size_t i = next.fetch_add(1);
            if (i >= cards.size()) return;
            try {
                Card card = Card::open("sim:" + (std::filesystem::path(sim_dir) / (cards[i]->iccid + ".state")).string());
                personalize_card(card, *cards[i]);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = std::current_exception();
                stop.store(true);
            }
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t w = 1; w < std::min<std::size_t>(jobs, cards.size()); ++w) workers.emplace_back(work);
    work();
    for (std::thread& t : workers) t.join();
    if (first_error) std::rethrow_exception(first_error);
}

std::vector<std::string> final_records(const Journal& journal) {
    std::map<std::string, std::string> last;  // iccid -> the detail of its final row
    std::vector<std::string> order;
    for (const JournalEntry& e : journal.entries()) {
        if (e.step != Step::Done && e.step != Step::Failed) continue;
        if (!last.count(e.iccid)) order.push_back(e.iccid);
        last[e.iccid] = e.detail_json;
    }
    std::vector<std::string> records;
    for (const std::string& iccid : order) records.push_back(nlohmann::ordered_json::parse(last[iccid]).dump());
    return records;
}

void write_final_records(const Journal& journal, const std::string& path) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw Error("cannot write " + tmp);
        for (const std::string& record : final_records(journal)) out << record << "\n";
        out.flush();
        if (!out) throw Error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

namespace {

class MemoryJournal final : public Journal {
public:
    explicit MemoryJournal(std::string station) : station_(std::move(station)) {}
    void record(const std::string& iccid, Step step, const std::string& detail_json) override {
        if (iccid.empty()) throw ArgumentError("journal: empty ICCID");
        std::lock_guard lock(mutex_);
        rows_.push_back(JournalEntry{iccid, step, detail_json.empty() ? "{}" : detail_json, 0, station_});
    }
    std::optional<Step> last_step(const std::string& iccid) const override {
        std::lock_guard lock(mutex_);
        std::optional<Step> last;
        for (const auto& row : rows_) {
            if (row.iccid == iccid) last = row.step;
        }
        return last;
    }
    std::vector<JournalEntry> entries() const override {
        std::lock_guard lock(mutex_);
        return rows_;
    }
    JournalSummary summary() const override {
        std::lock_guard lock(mutex_);
        std::map<std::string, Step> last;
        for (const auto& row : rows_) last[row.iccid] = row.step;
        JournalSummary summary;
        for (const auto& [iccid, step] : last) {
            if (step == Step::Done) {
                ++summary.done;
            } else if (step == Step::Failed) {
                ++summary.failed;
            } else {
                ++summary.in_progress;
            }
        }
        return summary;
    }

private:
    const std::string station_;
    mutable std::mutex mutex_;
    std::vector<JournalEntry> rows_;
};

}  // namespace

std::unique_ptr<Journal> make_memory_journal(const std::string& station) { return std::make_unique<MemoryJournal>(station); }

}  // namespace simkit::personalize

// The personalization line chapter of `simkit demo`: three fresh simulated cards (DIR/<ICCID>.state)
// go through CardPersonalizer, each getting its own ICCID, IMSI, random K/OPc and an ISD key set
// diversified (KDF3) from a demo master key and the card's KDD; one also gets an on-card device key.
// Every step is journaled (SQLite) by the same code as `simkit personalize --batch`. The KDD each
// card sent is in its record: with the master key it is all a back end needs to reach the card again. A second pass over the same
// rows skips every card the journal says is done: each card is personalized exactly once. Secrets
// (K, OPc, the master key) are never printed; KCVs and the KDD (not secret) are.
#include <filesystem>
#include <iostream>
#include <vector>

#include "demo_story.hpp"
#include "personalize_line.hpp"
#include "simkit/personalization_line.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/crypto.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit::cli {

using namespace personalize;

namespace {

// The three rows a CSV would hold (card_batch.hpp reads the same fields from a file). The ICCID ends
// with its Luhn check digit; K and OPc are fresh random secrets, never shown.
std::vector<CardData> demo_rows() {
    std::vector<CardData> rows;
    for (int n = 1; n <= 3; ++n) {
        CardData row;
        const std::string body = "89882110000000001" + std::to_string(n);
        row.iccid = body + uicc::luhn_check_digit(body);
        row.imsi = "00101000000000" + std::to_string(n);
        row.ki = to_secure(crypto::random_bytes(16));
        row.opc = to_secure(crypto::random_bytes(16));
        if (n == 2) row.device_key_slot = 1;  // this card also gets a P-256 device key made on the card
        rows.push_back(std::move(row));
    }
    return rows;
}

// One pass of the line over the rows. A card whose last journal step is Done (or Failed) is skipped
// without being touched; any other is personalized, each step journaled once it is durable on the
// card, then a Done/Failed row with the card's record (KVN, KCVs, KDD, device public key: no secret).
void run_pass(Journal& journal, const LineKeys& keys, const std::vector<CardData>& rows, const std::filesystem::path& dir) {
    CardPersonalizer personalizer(keys);
    for (const CardData& row : rows) {
        const auto last = journal.last_step(row.iccid);
        if (last == Step::Done || last == Step::Failed) {
            std::cout << "  " << row.iccid << "  already " << step_name(*last) << ", skipped\n";
            continue;
        }
        Card card = Card::open("sim:" + (dir / (row.iccid + ".state")).string());
        const CardRecord record = personalize_journaled(personalizer, journal, card, row);
        if (!record.ok) {
            std::cout << "  " << row.iccid << "  FAILED: " << record.error << "\n";
            continue;
        }
        const uint8_t kvn = record.kvn;
        std::cout << "  " << row.iccid << "  ok  KVN " << to_hex(&kvn, 1) << "  KDD " << record.kdd
                  << "  KCVs ENC " << record.kcv_enc << ", MAC " << record.kcv_mac << ", DEK " << record.kcv_dek;
        if (record.device_public_key) std::cout << "  device key " << record.device_public_key->substr(0, 18) << "...";
        std::cout << "\n";
    }
}

}  // namespace

void tell_line(const std::filesystem::path& dir) {
    // The line's keys: the same demo master key as the secure channel chapter, and the factory key
    // set (KVN 30, ENC = MAC = DEK) that fresh cards accept, as `simkit personalize` builds them.
    LineKeys keys;
    keys.scheme = DiversificationScheme::Kdf3;
    keys.master = secure_from_hex("00112233445566778899AABBCCDDEEFF");
    const secure_bytes factory = secure_from_hex("404142434445464748494A4B4C4D4E4F");
    keys.current = scp::StaticKeys{factory, factory, factory};
    const std::vector<CardData> rows = demo_rows();
    const std::string journal_path = (dir / "line.journal").string();

    Story::say("Personalization line: three fresh cards get their ICCID, IMSI, K/OPc (encrypted STORE DATA) and "
               "their own ISD keys (KDF3 from a master key and each card's KDD), every step journaled");
    {
        auto journal = open_sqlite_journal(journal_path, JournalOpen::CreateNew);
        run_pass(*journal, keys, rows, dir);
        std::cout << "  journal of " << rows.front().iccid << ":";
        for (const JournalEntry& e : journal->entries()) {
            if (e.iccid == rows.front().iccid) std::cout << " " << step_name(e.step);
        }
        std::cout << "\n";
    }

    // The journal is on disk: a line started again (after a crash, or by mistake) reads it and
    // touches no card twice.
    Story::say("Run the same rows again (journal reopened): each card is personalized exactly once");
    auto journal = open_sqlite_journal(journal_path, JournalOpen::Resume);
    run_pass(*journal, keys, rows, dir);
    const JournalSummary s = journal->summary();
    std::cout << "  journal: " << s.done << " done, " << s.failed << " failed, " << s.in_progress << " in progress\n";
}

}  // namespace simkit::cli

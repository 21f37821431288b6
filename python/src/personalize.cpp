// simkit.personalize(): one card through the personalization line (CardPersonalizer), or a batch
// of cards (a CSV file or a list of row dicts) on the simulated line (sim_dir/<ICCID>.state per
// card, `jobs` cards at once), journaled so that a run killed part-way resumes (resume=True).
// Records hold no secret: ICCID, status, KVN, KCVs, KDD, device public key (lowercase hex, as the
// CLI's --json).
#include <atomic>
#include <sstream>

#include "common.hpp"
#include "simkit/card_batch.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simkit/diversify.hpp"
#include "simkit/personalization_line.hpp"

namespace simkit::python {

using namespace personalize;

namespace {

const char* const kFactoryKeyHex = "404142434445464748494A4B4C4D4E4F";

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

LineKeys line_keys(const py::object& master, const std::string& scheme, const py::object& scp_key,
                   const py::object& current_kvn, const py::object& new_kvn) {
    LineKeys keys;
    keys.scheme = parse_diversification_scheme(scheme);
    if (master.is_none()) throw ArgumentError("master (the diversification master key) is required");
    keys.master = arg_secret(master, "master");
    const secure_bytes current = arg_secret(scp_key, "scp_key");
    if (current.size() != 16 && current.size() != 24 && current.size() != 32) {
        throw ArgumentError("scp_key must be 16, 24 or 32 bytes");
    }
    keys.current = scp::StaticKeys{current, current, current};
    keys.current_kvn = arg_byte(current_kvn, "current_kvn");
    keys.new_kvn = arg_byte(new_kvn, "new_kvn");
    if (keys.new_kvn == 0 || keys.new_kvn > 0x7F) throw ArgumentError("new_kvn must be 0x01..0x7F");
    return keys;
}

std::optional<std::string> digits_arg(const py::object& value, const char* what, std::size_t min, std::size_t max) {
    if (value.is_none()) return std::nullopt;
    const secure_bytes digits = arg_pin(value, what);
    if (digits.size() < min || digits.size() > max) {
        throw ArgumentError(std::string(what) + " must be " + std::to_string(min) +
                            (min == max ? "" : " to " + std::to_string(max)) + " digits");
    }
    return std::string(digits.begin(), digits.end());
}

py::object personalize_single(const py::object& card_arg, const py::object& iccid, const py::object& imsi,
                              const py::object& ki, const py::object& opc, const py::object& pin, const py::object& puk,
                              const py::object& device_key_slot, LineKeys keys, bool check) {
    if (iccid.is_none() || imsi.is_none() || ki.is_none() || opc.is_none()) {
        throw ArgumentError("one card needs iccid=, imsi=, ki= and opc= (or batch= for many cards)");
    }
    CardData data;
    data.iccid = py::str(iccid).cast<std::string>();
    if (data.iccid.size() < 18 || data.iccid.size() > 20 || !uicc::luhn_valid(data.iccid)) {
        throw ArgumentError("iccid " + data.iccid + ": 18 to 20 digits ending with the Luhn check digit expected");
    }
    data.imsi = py::str(imsi).cast<std::string>();
    uicc::encode_imsi(data.imsi);  // ArgumentError naming what is wrong
    data.ki = arg_secret(ki, "ki", 16);
    data.opc = arg_secret(opc, "opc", 16);
    data.pin = digits_arg(pin, "pin", 4, 8);
    data.puk = digits_arg(puk, "puk", 8, 8);
    if (!device_key_slot.is_none()) {
        const long slot = device_key_slot.cast<long>();
        if (slot < 1 || slot > 4) throw ArgumentError("device_key_slot " + std::to_string(slot) + ": private key slots are 1 to 4");
        data.device_key_slot = static_cast<uint8_t>(slot);
    }

    bool opened_here = false;
    CardPtr card = card_from(card_arg, opened_here);
    CardPersonalizer personalizer(std::move(keys));
    std::string json;
    bool ok = false;
    std::string error;
    with_card_lock(*card, [&] {
        Card& c = card->require_card();
        // The line talks to the ISD and the USIM on the basic channel and rotates the ISD keys: the
        // card's own secure channels and key store channel end first.
        card->end_sessions_locked();
        card->keystore.reset();
        const CardRecord record = personalizer.personalize(c, data);
        json = card_record_json(record);
        ok = record.ok;
        error = record.error;
        if (opened_here) card->close_locked();
    });
    if (!ok && check) throw PersonalizationFailed("personalize " + data.iccid + ": " + error, json);
    return json_loads(json);
}

// Rows given as dicts become the CSV the batch reader checks (one place for the row rules).
std::string rows_csv(const py::handle& rows) {
    const char* columns[] = {"iccid", "imsi", "ki", "opc", "pin", "puk", "device_key_slot"};
    std::ostringstream csv;
    csv << "iccid,imsi,ki,opc,pin,puk,device_key_slot\n";
    for (auto row : rows) {
        if (!py::isinstance<py::dict>(row)) throw ArgumentError("batch rows must be dicts with iccid, imsi, ki, opc[, pin, puk, device_key_slot]");
        py::dict d = py::reinterpret_borrow<py::dict>(row);
        for (auto item : d) {
            const std::string key = py::str(item.first);
            if (std::find_if(std::begin(columns), std::end(columns), [&](const char* c) { return key == c; }) == std::end(columns)) {
                throw ArgumentError("batch row: unknown key '" + key + "' (iccid, imsi, ki, opc, pin, puk, device_key_slot)");
            }
        }
        bool first = true;
        for (const char* column : columns) {
            if (!first) csv << ',';
            first = false;
            if (!d.contains(column) || d[column].is_none()) continue;
            py::object value = d[column];
            std::string text;
            if (PyBytes_Check(value.ptr()) || PyByteArray_Check(value.ptr())) {
                text = to_hex(arg_bytes(value, column));
            } else {
                text = py::str(value).cast<std::string>();
            }
            if (text.find_first_of(",\"\n") != std::string::npos) throw ArgumentError(std::string("batch row: bad ") + column);
            csv << text;
        }
        csv << '\n';
    }
    return csv.str();
}

py::dict personalize_batch(const py::object& batch, LineKeys keys, const py::object& sim_dir_arg,
                           const py::object& journal_arg, bool resume, int jobs, const py::object& out_arg,
                           const std::string& on_error) {
    if (sim_dir_arg.is_none()) throw ArgumentError("batch= needs sim_dir= (the simulated line: sim_dir/<ICCID>.state per card)");
    if (jobs < 1 || jobs > 64) throw ArgumentError("jobs must be 1..64");
    if (on_error != "skip" && on_error != "stop") throw ArgumentError("on_error is 'skip' or 'stop'");
    const std::string sim_dir = py::str(sim_dir_arg);
    CardBatch cards;
    if (PyUnicode_Check(batch.ptr()) || py::hasattr(batch, "__fspath__")) {
        const std::string path = py::str(batch);
        py::gil_scoped_release release;
        cards = read_card_batch_file(path);
    } else {
        std::istringstream csv(rows_csv(batch));
        cards = read_card_batch(csv);
    }
    py::list bad_rows;
    for (const RowError& e : cards.errors) {
        py::dict d;
        d["line"] = e.line;
        d["message"] = e.message;
        bad_rows.append(d);
    }
    if (!cards.errors.empty() && on_error == "stop") {
        std::string message = std::to_string(cards.errors.size()) + " bad row(s), on_error='stop': no card touched";
        for (const RowError& e : cards.errors) message += "; " + e.message;
        throw ArgumentError(message);
    }

    std::unique_ptr<Journal> journal;
    if (journal_arg.is_none()) {
        journal = make_memory_journal("python");
    } else {
        journal = open_sqlite_journal(py::str(journal_arg), resume ? JournalOpen::Resume : JournalOpen::CreateNew, "python");
    }

    std::size_t ok = 0, failed = 0, already = 0;
    {
        py::gil_scoped_release release;
        std::vector<const CardData*> pending;
        for (const CardData& data : cards.cards) {
            const auto last = journal->last_step(data.iccid);
            if (last == Step::Done || last == Step::Failed) {
                ++already;
            } else {
                pending.push_back(&data);
            }
        }
        CardPersonalizer personalizer(std::move(keys));
        std::atomic<std::size_t> ok_count{0}, failed_count{0};
        run_simulated_line(pending, sim_dir, static_cast<unsigned>(jobs), [&](Card& card, const CardData& data) {
            (personalize_journaled(personalizer, *journal, card, data).ok ? ok_count : failed_count)++;
        });
        ok = ok_count;
        failed = failed_count;
    }

    // Each card's final record, in journal order (a card done in an earlier run too).
    py::list records;
    for (const std::string& record : final_records(*journal)) records.append(json_loads(record));
    if (!out_arg.is_none()) write_final_records(*journal, py::str(out_arg));
    py::dict result;
    result["ok"] = ok;
    result["failed"] = failed;
    result["already_done"] = already;
    result["bad_rows"] = bad_rows;
    result["records"] = records;
    return result;
}

const char* const kPersonalizeDoc = R"doc(personalize(card=None, *, iccid=None, imsi=None, ki=None, opc=None, pin=None, puk=None, device_key_slot=None, master, scheme='kdf3', scp_key='404142434445464748494A4B4C4D4E4F', current_kvn=0x30, new_kvn=0x31, check=True, batch=None, sim_dir=None, journal=None, resume=False, jobs=4, out=None, on_error='skip')

Personalize cards as `simkit personalize` does: under the card's current ISD keys (scp_key, KVN
current_kvn) write the USIM's ICCID, IMSI, K (ki) and OPc, optionally a new PIN and an on-card
device key (device_key_slot 1..4); rotate the ISD key set to keys diversified from `master` and
the card's KDD (scheme 'kdf3', or 'emv'/'visa2' for an SCP02 set; new KVN new_kvn); then verify
(files read back, a session with the new keys, one AKA against MILENAGE). A card found part-way
is completed.

One card: `card` is a Card or a URI (default $SIMKIT_CARD). Returns the record
  {'iccid', 'status': 'ok', 'kvn', 'kcv_enc', 'kcv_mac', 'kcv_dek', 'kdd', 'device_public_key',
   'resumed', 'error'}   (lowercase hex strings, JSON-ready; never a key)
and raises PersonalizationError (with .record) when the card failed, unless check=False.

A batch: batch= a CSV file (columns iccid,imsi,ki,opc[,pin,puk,device_key_slot]) or a list of
dicts with those keys; sim_dir= the simulated line (sim_dir/<ICCID>.state per card, `jobs` at
once); journal= a SQLite journal file (resume=True continues one: cards done are skipped, cards
part-way completed); out= JSON lines. Returns {'ok', 'failed', 'already_done', 'bad_rows':
[{'line', 'message'}], 'records': [...]}. Bad rows are skipped (on_error='stop': nothing done).

    rec = simkit.personalize("sim:card.state", iccid="8988211000000001001", imsi="001010000000100",
                             ki=os.urandom(16), opc=os.urandom(16), master=master_key, device_key_slot=1)
)doc";

}  // namespace

void register_personalize(py::module_& m) {
    m.def(
        "personalize",
        [](const py::object& card, const py::object& iccid, const py::object& imsi, const py::object& ki,
           const py::object& opc, const py::object& pin, const py::object& puk, const py::object& device_key_slot,
           const py::object& master, const std::string& scheme, const py::object& scp_key, const py::object& current_kvn,
           const py::object& new_kvn, bool check, const py::object& batch, const py::object& sim_dir,
           const py::object& journal, bool resume, int jobs, const py::object& out, const std::string& on_error) -> py::object {
            LineKeys keys = line_keys(master, scheme, scp_key, current_kvn, new_kvn);
            if (!batch.is_none()) {
                if (!card.is_none() || !iccid.is_none() || !imsi.is_none() || !ki.is_none() || !opc.is_none()) {
                    throw ArgumentError("batch= takes its cards from the rows: no card=, iccid=, imsi=, ki= or opc=");
                }
                return personalize_batch(batch, std::move(keys), sim_dir, journal, resume, jobs, out, on_error);
            }
            if (!sim_dir.is_none() || !journal.is_none() || !out.is_none() || resume) {
                throw ArgumentError("sim_dir=, journal=, out= and resume= are for batch=");
            }
            return personalize_single(card, iccid, imsi, ki, opc, pin, puk, device_key_slot, std::move(keys), check);
        },
        py::arg("card") = py::none(), py::kw_only(), py::arg("iccid") = py::none(), py::arg("imsi") = py::none(),
        py::arg("ki") = py::none(), py::arg("opc") = py::none(), py::arg("pin") = py::none(), py::arg("puk") = py::none(),
        py::arg("device_key_slot") = py::none(), py::arg("master") = py::none(), py::arg("scheme") = "kdf3",
        py::arg("scp_key") = kFactoryKeyHex, py::arg("current_kvn") = 0x30, py::arg("new_kvn") = 0x31,
        py::arg("check") = true, py::arg("batch") = py::none(), py::arg("sim_dir") = py::none(),
        py::arg("journal") = py::none(), py::arg("resume") = false, py::arg("jobs") = 4, py::arg("out") = py::none(),
        py::arg("on_error") = "skip", kPersonalizeDoc);
}

}  // namespace simkit::python

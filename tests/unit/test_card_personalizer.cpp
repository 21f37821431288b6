// Tests of CardPersonalizer (hostlib/src/personalize/card_personalizer.cpp) on the simulated card in
// memory: fresh cards personalized with KDF3 (SCP03 key set) and EMV (SCP02 key set) and checked
// independently (a session opened here with keys diversified here, EF.ICCID/EF.IMSI read with
// UsimClient, an AKA computed here with the row's K/OPc, the device key read with KeyStore); cards
// killed part-way (on_step throws) and completed by a second run; a card whose keys are not ours;
// and records that never hold a secret.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "simkit/aka.hpp"
#include "simkit/card.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/gp_client.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/milenage.hpp"
#include "simkit/scp_session.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simkit/usim_client.hpp"
#include "simulated_card.hpp"

using namespace simkit;
using namespace simkit::personalize;

namespace {

const secure_bytes kFactoryKey = secure_from_hex("404142434445464748494A4B4C4D4E4F");
const secure_bytes kAesMaster = secure_from_hex("00112233445566778899AABBCCDDEEFF");
const secure_bytes kDesMaster = secure_from_hex("0123456789ABCDEFFEDCBA9876543210");
const char* const kFactoryIccid = "8988211000000000003";
const char* const kFactoryImsi = "001010123456789";

// The simulated card in memory, shared so that several host Card handles (a "second run") reach the
// same card; every command sent is recorded.
class MemoryCard : public Transport {
public:
    MemoryCard(std::shared_ptr<sim::Card> card, std::shared_ptr<std::vector<bytes>> seen)
        : card_(std::move(card)), seen_(std::move(seen)) {}
    bytes transmit(const bytes& raw) override {
        seen_->push_back(raw);
        return card_->transmit(raw);
    }
    bytes atr() override { return card_->atr(); }
    void reset() override { card_->reset(); }
    std::string description() const override { return "memory card"; }

private:
    std::shared_ptr<sim::Card> card_;
    std::shared_ptr<std::vector<bytes>> seen_;
};

struct TestCard {
    std::shared_ptr<sim::Card> sim = sim::make_memory_card();
    std::shared_ptr<std::vector<bytes>> seen = std::make_shared<std::vector<bytes>>();
    Card host() { return Card(std::make_unique<MemoryCard>(sim, seen)); }
    // INS bytes of the commands sent so far (CLA INS P1 P2 ...).
    bool sent_ins(uint8_t ins) const {
        for (const bytes& c : *seen) {
            if (c.size() >= 2 && c[1] == ins) return true;
        }
        return false;
    }
};

std::string iccid_with_check(const std::string& digits) { return digits + uicc::luhn_check_digit(digits); }

CardData row(int n, std::optional<uint8_t> slot = std::nullopt) {
    CardData data;
    data.iccid = iccid_with_check("89882110000000100" + std::to_string(n));
    data.imsi = "00101000000010" + std::to_string(n);
    data.ki = secure_from_hex("000102030405060708090A0B0C0D0E0" + std::to_string(n));
    data.opc = secure_from_hex("F0E0D0C0B0A09080706050403020100" + std::to_string(n));
    data.device_key_slot = slot;
    return data;
}

LineKeys line_keys(DiversificationScheme scheme) {
    LineKeys keys;
    keys.scheme = scheme;
    keys.master = scheme == DiversificationScheme::Kdf3 ? kAesMaster : kDesMaster;
    keys.current = scp::StaticKeys{kFactoryKey, kFactoryKey, kFactoryKey};
    return keys;
}

scp::Protocol protocol_of(DiversificationScheme scheme) {
    return scheme == DiversificationScheme::Kdf3 ? scp::Protocol::Scp03 : scp::Protocol::Scp02;
}

// The tests' own names of the steps (not the library's step_name()).
std::string name_of(Step step) {
    switch (step) {
        case Step::Started: return "started";
        case Step::UsimWritten: return "usim_written";
        case Step::KeysRotated: return "keys_rotated";
        case Step::DeviceKeyMade: return "device_key_made";
        case Step::Verified: return "verified";
        case Step::Done: return "done";
        case Step::Failed: return "failed";
    }
    return "?";
}

struct Killed {
    Step at;
};

// Records the steps; throws Killed after `kill_at` (the line killed with the step durable).
struct StepLog {
    std::vector<std::string> steps;
    std::optional<Step> kill_at;
    std::function<void(Step, const CardRecord&)> callback() {
        return [this](Step step, const CardRecord&) {
            steps.push_back(name_of(step));
            if (kill_at && *kill_at == step) throw Killed{step};
        };
    }
};

// Opens a session with the row's new keys, diversified here from the master and the card's KDD.
std::vector<KeyInfo> key_sets_with_new_keys(Card& card, DiversificationScheme scheme, const secure_bytes& master,
                                            scp::StaticKeys* keys_out = nullptr) {
    ScpOptions options;
    options.protocol = protocol_of(scheme);
    options.kvn = 0x31;
    options.level = 0x03;
    ScpSession session(
        card,
        [&](const scp::InitUpdateResponse& r) {
            scp::StaticKeys keys = diversify_keys(scheme, master, r.key_diversification_data);
            if (keys_out) *keys_out = keys;
            return keys;
        },
        options);
    CHECK(session.protocol() == protocol_of(scheme));
    return GpClient(session).key_information();
}

// One AKA computed here with the row's K/OPc; true when RES, CK and IK are MILENAGE's.
bool aka_with_row_keys(Card& card, const CardData& data, const bytes& sqn) {
    const milenage::Milenage m(data.ki, data.opc);
    const bytes rand = crypto::random_bytes(16);
    const AkaAnswer answer = UsimClient(card).authenticate(rand, aka::build_autn(m, rand, sqn, from_hex("8000")));
    if (answer.result != AkaAnswer::Result::Ok) return false;
    const milenage::Vectors v = m.f2345(rand);
    return answer.res == v.res && answer.ck == v.ck && answer.ik == v.ik;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Nothing of K, OPc, the master or the new keys in any field of the record.
void check_no_secret(const CardRecord& record, const std::vector<secure_bytes>& secrets) {
    std::string all = record.iccid + "|" + record.error + "|" + record.kcv_enc + "|" + record.kcv_mac + "|" +
                      record.kcv_dek + "|" + record.device_public_key.value_or("");
    all = lower(all);
    for (const secure_bytes& s : secrets) {
        const std::string hex = lower(to_hex(s));
        INFO("secret of " << s.size() << " bytes");
        CHECK(all.find(hex) == std::string::npos);
        CHECK(all.find(hex.substr(0, 12)) == std::string::npos);
    }
}

void check_personalized(Card& card, DiversificationScheme scheme, const CardData& data, const CardRecord& record,
                        const bytes& sqn = from_hex("000000000061")) {
    INFO("error: " << record.error);
    REQUIRE(record.ok);
    CHECK(record.error.empty());
    CHECK(record.iccid == data.iccid);
    CHECK(record.kvn == 0x31);

    const secure_bytes& master = scheme == DiversificationScheme::Kdf3 ? kAesMaster : kDesMaster;
    scp::StaticKeys keys;
    const std::vector<KeyInfo> sets = key_sets_with_new_keys(card, scheme, master, &keys);
    REQUIRE(!sets.empty());
    for (const KeyInfo& key : sets) {
        CHECK(key.kvn == 0x31);  // the factory set 30 is gone
        CHECK(key.type == (scheme == DiversificationScheme::Kdf3 ? 0x88 : 0x80));
    }
    CHECK(record.kcv_enc == lower(to_hex(key_check_value(scheme, keys.enc))));
    CHECK(record.kcv_mac == lower(to_hex(key_check_value(scheme, keys.mac))));
    CHECK(record.kcv_dek == lower(to_hex(key_check_value(scheme, keys.dek))));
    // The factory keys no longer open anything.
    CHECK_THROWS(ScpSession(card, single_key(kFactoryKey), ScpOptions{}));

    UsimClient usim(card);
    CHECK(usim.iccid() == data.iccid);
    CHECK(usim.imsi() == data.imsi);
    CHECK(aka_with_row_keys(card, data, sqn));

    check_no_secret(record, {data.ki, data.opc, master, kFactoryKey, keys.enc, keys.mac, keys.dek});
}

}  // namespace

TEST_CASE("personalize a fresh card, KDF3: SCP03 key set 31, USIM data, device key, PIN; verified independently", "[personalize]") {
    TestCard t;
    Card card = t.host();
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    CardData data = row(1, uint8_t{2});
    data.pin = "4711";

    CHECK(personalizer.inspect(card, data) == CardProgress::Fresh);
    StepLog log;
    const CardRecord record = personalizer.personalize(card, data, log.callback());
    check_personalized(card, DiversificationScheme::Kdf3, data, record);
    CHECK_FALSE(record.resumed);
    CHECK(log.steps == std::vector<std::string>{"started", "usim_written", "keys_rotated", "device_key_made", "verified"});
    CHECK(personalizer.inspect(card, data) == CardProgress::KeysRotated);

    KeyStore keystore(card);
    REQUIRE(record.device_public_key);
    CHECK(*record.device_public_key == lower(to_hex(keystore.public_key(2))));
    CHECK(record.device_public_key->size() == 130);
    keystore.verify_pin(secure_bytes{'4', '7', '1', '1'});  // the row's PIN is the card's PIN now
}

TEST_CASE("personalize a fresh card, EMV: SCP02 3DES key set 31, verified over SCP02", "[personalize]") {
    TestCard t;
    Card card = t.host();
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Emv));
    const CardData data = row(2);
    StepLog log;
    const CardRecord record = personalizer.personalize(card, data, log.callback());
    check_personalized(card, DiversificationScheme::Emv, data, record);
    CHECK_FALSE(record.device_public_key);
    CHECK(log.steps == std::vector<std::string>{"started", "usim_written", "keys_rotated", "verified"});
}

TEST_CASE("a card killed after usim_written is found so and completed by a second run", "[personalize]") {
    TestCard t;
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    const CardData data = row(3, uint8_t{1});
    {
        Card card = t.host();
        StepLog log;
        log.kill_at = Step::UsimWritten;
        CHECK_THROWS_AS(personalizer.personalize(card, data, log.callback()), Killed);
        CHECK(log.steps == std::vector<std::string>{"started", "usim_written"});
    }
    Card card = t.host();
    CHECK(personalizer.inspect(card, data) == CardProgress::UsimWritten);
    StepLog log;
    const CardRecord record = personalizer.personalize(card, data, log.callback());
    check_personalized(card, DiversificationScheme::Kdf3, data, record);
    CHECK(record.resumed);
    CHECK(log.steps == std::vector<std::string>{"usim_written", "keys_rotated", "device_key_made", "verified"});
    CHECK(*record.device_public_key == lower(to_hex(KeyStore(card).public_key(1))));
}

TEST_CASE("a card killed after keys_rotated (EMV) is completed: device key made and verified", "[personalize]") {
    TestCard t;
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Emv));
    const CardData data = row(4, uint8_t{3});
    {
        Card card = t.host();
        StepLog log;
        log.kill_at = Step::KeysRotated;
        CHECK_THROWS_AS(personalizer.personalize(card, data, log.callback()), Killed);
    }
    Card card = t.host();
    CHECK(personalizer.inspect(card, data) == CardProgress::KeysRotated);
    t.seen->clear();
    StepLog log;
    const CardRecord record = personalizer.personalize(card, data, log.callback());
    check_personalized(card, DiversificationScheme::Emv, data, record);
    CHECK(record.resumed);
    CHECK(log.steps == std::vector<std::string>{"keys_rotated", "device_key_made", "verified"});
    CHECK(*record.device_public_key == lower(to_hex(KeyStore(card).public_key(3))));
}

TEST_CASE("a card killed between PUT KEY and the deletion of the old set gets the old set deleted", "[personalize]") {
    TestCard t;
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    const CardData data = row(5);
    {
        Card card = t.host();
        StepLog log;
        log.kill_at = Step::UsimWritten;
        CHECK_THROWS_AS(personalizer.personalize(card, data, log.callback()), Killed);
        // What the killed run would have done next: the new set added next to 30.
        ScpSession session(card, single_key(kFactoryKey), ScpOptions{});
        KeySetUpdate update;
        update.new_kvn = 0x31;
        update.keys = diversify_keys(DiversificationScheme::Kdf3, kAesMaster, session.card_info().key_diversification_data);
        GpClient(session).put_key(update);
    }
    Card card = t.host();
    CHECK(personalizer.inspect(card, data) == CardProgress::KeysRotated);
    const CardRecord record = personalizer.personalize(card, data);
    check_personalized(card, DiversificationScheme::Kdf3, data, record);  // key set 30 gone
    CHECK(record.resumed);
}

TEST_CASE("a verification after an earlier one on the same card recovers from the sync failure", "[personalize]") {
    TestCard t;
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    const CardData data = row(6);
    Card card = t.host();
    REQUIRE(personalizer.personalize(card, data).ok);
    // A second run on a finished card (e.g. killed after verified, before its record was written):
    // SQN 21 is used; the AUTS gives SQN_MS and the next AKA succeeds.
    const CardRecord again = personalizer.personalize(card, data);
    check_personalized(card, DiversificationScheme::Kdf3, data, again, from_hex("000000100001"));
    CHECK(again.resumed);
}

TEST_CASE("a card with keys that are not ours: Unknown, not ok, nothing written", "[personalize]") {
    TestCard t;
    Card card = t.host();
    LineKeys keys = line_keys(DiversificationScheme::Kdf3);
    const secure_bytes other = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    keys.current = scp::StaticKeys{other, other, other};  // the line thinks the card has other keys
    CardPersonalizer personalizer(std::move(keys));
    const CardData data = row(7, uint8_t{1});

    CHECK(personalizer.inspect(card, data) == CardProgress::Unknown);
    StepLog log;
    const CardRecord record = personalizer.personalize(card, data, log.callback());
    CHECK_FALSE(record.ok);
    CHECK(record.not_ours);
    CHECK(log.steps.empty());
    CHECK(record.error.find("inspect") != std::string::npos);
    CHECK(record.error.find("not ours") != std::string::npos);
    CHECK_FALSE(t.sent_ins(0x82));  // no EXTERNAL AUTHENTICATE: no host cryptogram ever left
    CHECK_FALSE(t.sent_ins(0xE2));  // no STORE DATA
    CHECK_FALSE(t.sent_ins(0xD8));  // no PUT KEY
    CHECK_FALSE(t.sent_ins(0xB9));  // no GENERATE KEY PAIR
    check_no_secret(record, {data.ki, data.opc, kAesMaster, other});

    UsimClient usim(card);
    CHECK(usim.iccid() == kFactoryIccid);
    CHECK(usim.imsi() == kFactoryImsi);
    ScpSession session(card, single_key(kFactoryKey), ScpOptions{});  // the factory set is untouched
    for (const KeyInfo& key : GpClient(session).key_information()) CHECK(key.kvn == 0x30);
}

TEST_CASE("a card error names the step and the status word; the record holds no secret", "[personalize]") {
    TestCard t;
    Card card = t.host();
    {
        // Someone else's key set already sits at KVN 31: the line's PUT KEY is refused (6985).
        ScpSession session(card, single_key(kFactoryKey), ScpOptions{});
        KeySetUpdate update;
        update.new_kvn = 0x31;
        const secure_bytes foreign = secure_from_hex("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
        update.keys = scp::StaticKeys{foreign, foreign, foreign};
        GpClient(session).put_key(update);
    }
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    const CardData data = row(8);
    CHECK(personalizer.inspect(card, data) == CardProgress::Fresh);
    const CardRecord record = personalizer.personalize(card, data);
    CHECK_FALSE(record.ok);
    CHECK_FALSE(record.not_ours);  // a card error, not a foreign card
    INFO(record.error);
    CHECK(record.error.find("keys_rotated") != std::string::npos);
    CHECK(record.error.find("PUT KEY") != std::string::npos);
    CHECK(record.error.find("6985") != std::string::npos);
    check_no_secret(record, {data.ki, data.opc, kAesMaster});
}

TEST_CASE("bad card data is refused before anything is sent", "[personalize]") {
    TestCard t;
    Card card = t.host();
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    CardData data = row(9);
    data.iccid.back() = data.iccid.back() == '0' ? '1' : '0';  // Luhn check digit wrong
    CardRecord record = personalizer.personalize(card, data);
    CHECK_FALSE(record.ok);
    CHECK(record.error.find("iccid") != std::string::npos);
    data = row(9);
    data.opc.pop_back();
    record = personalizer.personalize(card, data);
    CHECK_FALSE(record.ok);
    CHECK(record.error.find("opc") != std::string::npos);
    CHECK(t.seen->empty());
}

TEST_CASE("line keys are checked when the personalizer is made", "[personalize]") {
    LineKeys keys = line_keys(DiversificationScheme::Emv);
    keys.master = kAesMaster;
    keys.master.resize(24);  // a 3DES scheme takes 16-byte masters
    CHECK_THROWS_AS(CardPersonalizer(keys), ArgumentError);
    keys = line_keys(DiversificationScheme::Kdf3);
    keys.new_kvn = keys.current_kvn;
    CHECK_THROWS_AS(CardPersonalizer(keys), ArgumentError);
}

TEST_CASE("a card of the line personalized with another row is not touched", "[personalize]") {
    TestCard t;
    Card card = t.host();
    CardPersonalizer personalizer(line_keys(DiversificationScheme::Kdf3));
    const CardData first = row(1, uint8_t{1});
    const CardRecord done = personalizer.personalize(card, first);
    REQUIRE(done.ok);
    const CardData other = row(2, uint8_t{1});  // the wrong card in the reader for this row
    CHECK(personalizer.inspect(card, other) == CardProgress::Unknown);
    t.seen->clear();
    const CardRecord record = personalizer.personalize(card, other);
    CHECK_FALSE(record.ok);
    CHECK(record.not_ours);
    CHECK(record.error.find("another row") != std::string::npos);
    CHECK_FALSE(t.sent_ins(0xB9));  // the first row's device key is kept
    CHECK_FALSE(t.sent_ins(0xE2));
    CHECK_FALSE(t.sent_ins(0xE4));
    CHECK(*done.device_public_key == lower(to_hex(KeyStore(card).public_key(1))));
    check_personalized(card, DiversificationScheme::Kdf3, first, done);
}

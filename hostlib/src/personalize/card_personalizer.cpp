// One card through the personalization line (card_personalizer.hpp), built only from the host
// library: ScpSession + GpClient (STORE DATA on the USIM, PUT KEY / DELETE key on the ISD),
// diversify_keys / key_check_value, UsimClient (read-back, AUTHENTICATE), MILENAGE/AKA (AUTN, RES),
// KeyStore (user PIN, device key) and the UICC codecs (EF.ICCID / EF.IMSI contents).
//
// Order and what each step leaves on the card (so a card killed anywhere can be judged and completed):
//   usim_written  [PIN via RESET RETRY COUNTER], then ONE encrypted STORE DATA block on the USIM under
//                 the current keys: A001 K, A002 OPc, A010 EF.ICCID, A010 EF.IMSI. The card keeps a
//                 block whole or not at all (specs/isd.md), so "ICCID and IMSI are the row's" means
//                 K and OPc are too. Re-sending the block is idempotent: a card found UsimWritten gets
//                 it again (that also covers a row whose ICCID/IMSI equal what the card held before).
//   keys_rotated  PUT KEY adds the diversified set (new KVN) next to the current one (KCVs checked by
//                 card and host); a session with the new set proves it; the old set is then DELETED
//                 from that session. We do not keep it: the current keys are the published factory
//                 keys, and any holder of them could rewrite K/OPc or the ISD keys. The new set exists
//                 before the old one goes, so no kill leaves the card without a key set we know (and
//                 the card refuses deleting its last complete set anyway). A card found accepting the
//                 new set gets the old one deleted if it is still there (killed between the two).
//   device_key_made  GENERATE KEY PAIR in the slot asked for, in every run that asks for it (a resumed
//                 card too): a key left in the slot cannot be told apart from one that was there
//                 before us, and the record then carries the key that is on the card.
//   verified      EF.ICCID/EF.IMSI read back, one AKA whose RES/CK/IK equal our MILENAGE (the new set
//                 was proven by the keys_rotated session, which also saw the old set gone).
// inspect: the new set (the scheme's protocol, new KVN) is tried first, then the current one (an SCP03
// set, as on simkit's factory cards); a card cryptogram that does not match is caught before any host
// cryptogram is sent. A card that takes the new keys but holds another row's ICCID/IMSI is Unknown.
// PIN/PUK: simkit's card has no command or DGI that sets a new PUK (specs/keystore.md): the `puk`
// column is not written (a warning is logged). The new PIN is set with RESET RETRY COUNTER and the
// factory PUK, which works whatever the current PIN is (so it is idempotent on resume) and restores
// both counters.
#include "simkit/card_personalizer.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "simkit/aka.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/gp_client.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/core/log.hpp"
#include "simkit/milenage.hpp"
#include "simkit/scp_session.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simkit/usim_client.hpp"

namespace simkit::personalize {

namespace {

constexpr uint16_t kDgiK = 0xA001, kDgiOpc = 0xA002, kDgiFile = 0xA010;
constexpr uint16_t kFidIccid = 0x2FE2, kFidImsi = 0x6F07;
// The factory PUK of simkit's card (README: PUK 12345678); no command changes it.
constexpr const char* kFactoryPuk = "12345678";
// Verification AKA: SQN SEQ 1 / IND 1, AMF with the separation bit set (TS 33.102 annex H).
const bytes kVerifySqn{0x00, 0x00, 0x00, 0x00, 0x00, 0x21};
const bytes kVerifyAmf{0x80, 0x00};
// After a sync failure: SQN_MS plus one SEQ step for any IND width up to 10 bits (TS 33.102 C.1.1.2).
constexpr uint64_t kSeqStep = uint64_t{1} << 10;

constexpr uint8_t kLevelScp03 = 0x33;  // C-MAC, C-DEC, R-MAC, R-ENC
constexpr uint8_t kLevelScp02 = 0x03;  // C-MAC, C-DEC

std::string lower_hex(const bytes& data) {
    std::string text = to_hex(data);
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string kvn_hex(uint8_t kvn) { return to_hex(&kvn, 1); }

scp::Protocol protocol_of(DiversificationScheme scheme) {
    return scheme == DiversificationScheme::Kdf3 ? scp::Protocol::Scp03 : scp::Protocol::Scp02;
}

ScpOptions options_for(scp::Protocol protocol, uint8_t kvn) {
    ScpOptions options;
    options.protocol = protocol;
    options.kvn = kvn;
    options.level = protocol == scp::Protocol::Scp03 ? kLevelScp03 : kLevelScp02;
    return options;
}

// DGI values that hold K and OPc: wiped when the block has been sent (or failed).
struct SecretDgis {
    std::vector<std::pair<uint16_t, bytes>> dgis;
    ~SecretDgis() {
        for (auto& [dgi, value] : dgis) secure_wipe(value.data(), value.size());
    }
};

// A010: FID (2 bytes) || the EF's whole content.
bytes file_dgi(uint16_t fid, const bytes& content) {
    bytes value;
    value.reserve(2 + content.size());
    append_u16(value, fid);
    value.insert(value.end(), content.begin(), content.end());
    return value;
}

// The row's values are checked before anything is sent (the messages name the field, never a value
// of K or OPc).
void check_card_data(const CardData& data) {
    if (data.iccid.size() < 18 || data.iccid.size() > 20 || !uicc::luhn_valid(data.iccid)) {
        throw ArgumentError("iccid " + data.iccid + ": 18 to 20 digits ending with the Luhn check digit expected");
    }
    uicc::encode_imsi(data.imsi);  // ArgumentError naming the IMSI's problem
    if (data.ki.size() != 16) throw ArgumentError("ki: 16 bytes expected, got " + std::to_string(data.ki.size()));
    if (data.opc.size() != 16) throw ArgumentError("opc: 16 bytes expected, got " + std::to_string(data.opc.size()));
    if (data.pin) {
        const std::string& pin = *data.pin;
        if (pin.size() < 4 || pin.size() > 8 || !std::all_of(pin.begin(), pin.end(), [](unsigned char c) { return std::isdigit(c); })) {
            throw ArgumentError("pin: 4 to 8 digits expected");
        }
    }
    if (data.device_key_slot && (*data.device_key_slot < 1 || *data.device_key_slot > 4)) {
        throw ArgumentError("device_key_slot " + std::to_string(*data.device_key_slot) + ": private key slots are 1 to 4");
    }
}

}  // namespace

CardPersonalizer::CardPersonalizer(LineKeys keys) : keys_(std::move(keys)) {
    for (uint8_t kvn : {keys_.current_kvn, keys_.new_kvn}) {
        if (kvn == 0x00 || kvn > 0x7F) throw ArgumentError("key version " + kvn_hex(kvn) + " is not a KVN (01..7F)");
    }
    if (keys_.current_kvn == keys_.new_kvn) {
        throw ArgumentError("the new KVN must differ from the current one (" + kvn_hex(keys_.new_kvn) +
                            "): the new key set is added next to the current one, then the current one is deleted");
    }
    // A master of the wrong length for the scheme fails here, not on the first card.
    diversify_keys(keys_.scheme, keys_.master, bytes(10, 0x00));
}

namespace {

// What opening a session with one key set said: nothing (it opened) or why not. A card cryptogram
// that does not match (SecureChannelError: nothing of ours was sent) and 6A88 (no key set with
// that KVN) mean "not this key set"; anything else is a real failure and propagates.
template <typename Open>
std::optional<std::string> refusal(Open&& open) {
    try {
        open();
        return std::nullopt;
    } catch (const SecureChannelError& e) {
        return std::string(e.what());
    } catch (const SwError& e) {
        if (e.sw() != 0x6A88) throw;
        return std::string(e.what());
    }
}

// The shared part of inspect() and personalize(): which key set the card takes, and its files.
struct ProbeResult {
    CardProgress progress = CardProgress::Unknown;
    std::string why;  // Unknown: what each key set's attempt said
};

ProbeResult probe(Card& card, const CardData& data, const LineKeys& keys) {
    ProbeResult result;
    const auto new_keys = [&keys](const scp::InitUpdateResponse& r) {
        return diversify_keys(keys.scheme, keys.master, r.key_diversification_data);
    };
    const auto new_refused = refusal([&] {
        ScpSession session(card, new_keys, options_for(protocol_of(keys.scheme), keys.new_kvn));
    });
    if (!new_refused) {
        // Every card of the line accepts its own diversified keys: a card personalized with another
        // row (the wrong card in the reader) must not be touched (its device key regenerated...).
        UsimClient usim(card);
        const std::string iccid = usim.iccid();
        const std::string imsi = usim.imsi();
        if (iccid == data.iccid && imsi == data.imsi) {
            result.progress = CardProgress::KeysRotated;
        } else {
            result.why = "the card accepts the new key set (KVN " + kvn_hex(keys.new_kvn) + ") but holds ICCID " + iccid +
                         ", IMSI " + imsi + ": personalized with another row; not ours to touch";
        }
        return result;
    }
    const auto current_refused = refusal([&] {
        ScpSession session(card, fixed_keys(keys.current), options_for(scp::Protocol::Scp03, keys.current_kvn));
    });
    if (current_refused) {
        result.why = "the card accepts neither the current key set (KVN " + kvn_hex(keys.current_kvn) + ": " +
                     *current_refused + ") nor the new diversified set (KVN " + kvn_hex(keys.new_kvn) + ": " +
                     *new_refused + "); not ours to touch";
        return result;
    }
    UsimClient usim(card);
    const bool written = usim.iccid() == data.iccid && usim.imsi() == data.imsi;
    result.progress = written ? CardProgress::UsimWritten : CardProgress::Fresh;
    return result;
}

}  // namespace

CardProgress CardPersonalizer::inspect(Card& card, const CardData& data) { return probe(card, data, keys_).progress; }

CardRecord CardPersonalizer::personalize(Card& card, const CardData& data,
                                         const std::function<void(Step, const CardRecord&)>& on_step) {
    CardRecord record;
    record.iccid = data.iccid;
    record.kvn = keys_.new_kvn;
    std::string doing = "card data";
    bool in_callback = false;  // exceptions of on_step are the caller's: never turned into a record
    const auto done = [&](Step step) {
        if (!on_step) return;
        in_callback = true;
        on_step(step, record);
        in_callback = false;
    };
    const scp::Protocol new_protocol = protocol_of(keys_.scheme);
    const auto new_keys = [this](const scp::InitUpdateResponse& r) {
        return diversify_keys(keys_.scheme, keys_.master, r.key_diversification_data);
    };
    // KCVs as the protocol computes them; when PUT KEY ran, GpClient checked the card's against them.
    const auto set_kcvs = [&](const bytes& kdd) {
        const scp::StaticKeys k = diversify_keys(keys_.scheme, keys_.master, kdd);
        record.kdd = lower_hex(kdd);
        record.kcv_enc = lower_hex(key_check_value(keys_.scheme, k.enc));
        record.kcv_mac = lower_hex(key_check_value(keys_.scheme, k.mac));
        record.kcv_dek = lower_hex(key_check_value(keys_.scheme, k.dek));
    };
    // Deletes the current key set from a session with the new one, when it is still there.
    const auto delete_old_set = [&](ScpSession& session) {
        GpClient gp(session);
        for (const KeyInfo& key : gp.key_information()) {
            if (key.kvn == keys_.current_kvn) {
                gp.delete_key(keys_.current_kvn);
                return;
            }
        }
    };

    try {
        check_card_data(data);
        if (data.puk) {
            log::warn("personalize", "card " + data.iccid + ": the card has no command to set a new PUK; the puk column is not written");
        }
        doing = "inspect";
        const ProbeResult found = probe(card, data, keys_);
        if (found.progress == CardProgress::Unknown) {
            record.not_ours = true;
            record.error = "inspect: " + found.why;
            return record;
        }
        record.resumed = found.progress != CardProgress::Fresh;

        if (found.progress != CardProgress::KeysRotated) {
            if (found.progress == CardProgress::Fresh) done(Step::Started);

            doing = step_name(Step::UsimWritten);
            if (data.pin) {
                KeyStore keystore(card);
                keystore.unblock_pin(to_secure(bytes(kFactoryPuk, kFactoryPuk + 8)),
                                     secure_bytes(data.pin->begin(), data.pin->end()));
            }
            {
                ScpOptions options = options_for(scp::Protocol::Scp03, keys_.current_kvn);
                options.security_domain_aid = UsimClient::kUsimAidPrefix;
                ScpSession session(card, fixed_keys(keys_.current), options);
                SecretDgis block;
                block.dgis.emplace_back(kDgiK, to_bytes(data.ki));
                block.dgis.emplace_back(kDgiOpc, to_bytes(data.opc));
                block.dgis.emplace_back(kDgiFile, file_dgi(kFidIccid, uicc::encode_iccid(data.iccid)));
                block.dgis.emplace_back(kDgiFile, file_dgi(kFidImsi, uicc::encode_imsi(data.imsi)));
                GpClient(session).store_data(block.dgis, /*encrypted=*/true);
            }
            done(Step::UsimWritten);

            doing = step_name(Step::KeysRotated);
            {
                ScpSession session(card, fixed_keys(keys_.current), options_for(scp::Protocol::Scp03, keys_.current_kvn));
                KeySetUpdate update;
                update.new_kvn = keys_.new_kvn;
                update.keys = diversify_keys(keys_.scheme, keys_.master, session.card_info().key_diversification_data);
                update.des = new_protocol == scp::Protocol::Scp02;
                GpClient(session).put_key(update);  // checks the card's KCVs against ours
            }
        } else {
            doing = step_name(Step::KeysRotated);
        }
        {
            // This session is also the verification that the new set works: a separate one would
            // cost the card another sequence-counter commit (an fsync on the simulated line).
            ScpSession session(card, new_keys, options_for(new_protocol, keys_.new_kvn));
            set_kcvs(session.card_info().key_diversification_data);
            delete_old_set(session);
            for (const KeyInfo& key : GpClient(session).key_information()) {
                if (key.kvn == keys_.current_kvn) throw Error("key set " + kvn_hex(keys_.current_kvn) + " is still on the card");
            }
        }
        done(Step::KeysRotated);

        if (data.device_key_slot) {
            doing = step_name(Step::DeviceKeyMade);
            KeyStore keystore(card);
            record.device_public_key = lower_hex(keystore.generate(*data.device_key_slot));
            done(Step::DeviceKeyMade);
        }

        doing = step_name(Step::Verified);
        {
            UsimClient usim(card);
            const std::string iccid = usim.iccid();
            if (iccid != data.iccid) throw Error("EF.ICCID reads " + iccid + ", the row says " + data.iccid);
            const std::string imsi = usim.imsi();
            if (imsi != data.imsi) throw Error("EF.IMSI reads " + imsi + ", the row says " + data.imsi);
        }
        {
            const milenage::Milenage m(data.ki, data.opc);
            bytes sqn = kVerifySqn;
            for (int attempt = 0;; ++attempt) {
                const bytes rand = crypto::random_bytes(16);
                UsimClient usim(card);
                const AkaAnswer answer = usim.authenticate(rand, aka::build_autn(m, rand, sqn, kVerifyAmf));
                if (answer.result == AkaAnswer::Result::MacFailure) {
                    throw Error("AUTHENTICATE: the card answered MAC failure: its K/OPc are not the row's");
                }
                if (answer.result == AkaAnswer::Result::SyncFailure) {
                    // An earlier verification (a resumed card) used this SQN: take the card's SQN_MS.
                    const auto sqn_ms = aka::sqn_ms_from_auts(m, rand, answer.auts);
                    if (!sqn_ms) throw Error("AUTHENTICATE: sync failure whose AUTS does not verify with the row's K/OPc");
                    if (attempt > 0) throw Error("AUTHENTICATE: sync failure again after resynchronising to the card's SQN_MS");
                    sqn = aka::sqn_add(*sqn_ms, kSeqStep);
                    continue;
                }
                const milenage::Vectors expected = m.f2345(rand);
                if (!ct_equal(answer.res, expected.res) || !ct_equal(answer.ck, expected.ck) || !ct_equal(answer.ik, expected.ik)) {
                    throw Error("AUTHENTICATE: RES/CK/IK from the card differ from MILENAGE with the row's K/OPc");
                }
                break;
            }
        }
        record.ok = true;
        done(Step::Verified);
    } catch (const TransportError&) {
        throw;
    } catch (const Error& e) {
        if (in_callback) throw;
        record.ok = false;
        record.error = doing + ": " + e.what();
    }
    return record;
}

}  // namespace simkit::personalize

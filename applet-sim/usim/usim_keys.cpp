// The USIM's K, OPc and MILENAGE constants in the card state (see usim_keys.hpp).
#include "usim/usim_keys.hpp"

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim::usim {

namespace {
// TS 35.208 test set 1: documented test keys of a fresh simulated card (never a production key).
const secure_bytes kTestSet1K = to_secure(from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC"));
const secure_bytes kTestSet1Opc = to_secure(from_hex("CD63CB71954A9F4E48A5994E37A02BAF"));
}  // namespace

secure_bytes encode_constants(const milenage::Constants& constants) {
    constants.validate();
    secure_bytes out(constants.r.begin(), constants.r.end());
    for (const bytes& c : constants.c) out.insert(out.end(), c.begin(), c.end());
    return out;
}

milenage::Constants decode_constants(const secure_bytes& record) {
    if (record.size() != 5 + 5 * 16) throw ArgumentError("MILENAGE constants record must be 85 bytes");
    milenage::Constants constants;
    for (std::size_t i = 0; i < 5; ++i) {
        constants.r[i] = record[i];
        constants.c[i] = bytes(record.begin() + static_cast<std::ptrdiff_t>(5 + 16 * i),
                               record.begin() + static_cast<std::ptrdiff_t>(5 + 16 * (i + 1)));
    }
    constants.validate();
    return constants;
}

milenage::Milenage card_milenage(const PersistentState& state) {
    const secure_bytes* k = state.get(kKRecord);
    const secure_bytes* opc = state.get(kOpcRecord);
    if (k == nullptr || opc == nullptr || k->size() != 16 || opc->size() != 16) {
        throw SwError(sw::kNoPreciseDiagnosis, "USIM keys missing");
    }
    const secure_bytes* constants = state.get(kMilenageConstantsRecord);
    try {
        return milenage::Milenage(*k, *opc, constants != nullptr ? decode_constants(*constants) : milenage::Constants{});
    } catch (const ArgumentError&) {
        throw SwError(sw::kNoPreciseDiagnosis, "USIM MILENAGE constants damaged");
    }
}

void write_default_keys(PersistentState& state) {
    state.put(kKRecord, kTestSet1K);
    state.put(kOpcRecord, kTestSet1Opc);
    state.put(kMilenageConstantsRecord, encode_constants(milenage::Constants{}));
}

void add_missing_keys(PersistentState& state) {
    if (state.get(kKRecord) == nullptr) state.put(kKRecord, kTestSet1K);
    if (state.get(kOpcRecord) == nullptr) state.put(kOpcRecord, kTestSet1Opc);
    if (state.get(kMilenageConstantsRecord) == nullptr) {
        state.put(kMilenageConstantsRecord, encode_constants(milenage::Constants{}));
    }
}

}  // namespace simkit::sim::usim

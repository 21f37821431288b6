// The USIM's SQN array and freshness rules (see sqn_array.hpp).
#include "usim/sqn_array.hpp"

#include <algorithm>

#include "simkit/errors.hpp"

namespace simkit::sim::usim {

namespace {
constexpr uint64_t kSqnMask = (uint64_t{1} << 48) - 1;

uint64_t be_value(const uint8_t* p, std::size_t n) {
    uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

void put_be(secure_bytes& out, uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * (n - 1 - i))));
}

SqnConfig read_config(const PersistentState& state) {
    SqnConfig config;
    const secure_bytes* record = state.get(kSqnConfigRecord);
    if (record == nullptr || record->size() != 13 || (*record)[0] > 10) return config;
    config.ind_bits = (*record)[0];
    config.delta = be_value(record->data() + 1, 6);
    config.limit = be_value(record->data() + 7, 6);
    return config;
}
}  // namespace

uint64_t sqn_value(const bytes& sqn) {
    if (sqn.size() != 6) throw ArgumentError("SQN must be 6 bytes, not " + std::to_string(sqn.size()));
    return be_value(sqn.data(), 6);
}

bytes sqn_bytes(uint64_t value) {
    bytes out(6);
    for (int i = 0; i < 6; ++i) out[static_cast<std::size_t>(i)] = static_cast<uint8_t>(value >> (8 * (5 - i)));
    return out;
}

SqnArray::SqnArray(const PersistentState& state) : config_(read_config(state)), seq_(std::size_t{1} << config_.ind_bits, 0) {
    const secure_bytes* record = state.get(kSqnArrayRecord);
    if (record == nullptr || record->size() != seq_.size() * 6) return;  // absent or from another IND size: all zero
    for (std::size_t i = 0; i < seq_.size(); ++i) seq_[i] = be_value(record->data() + 6 * i, 6) >> config_.ind_bits;
}

uint64_t SqnArray::highest_seq() const { return *std::max_element(seq_.begin(), seq_.end()); }

bool SqnArray::fresh(const bytes& sqn) const {
    const uint64_t value = sqn_value(sqn) & kSqnMask;
    const uint64_t ind = value & ((uint64_t{1} << config_.ind_bits) - 1);
    const uint64_t seq = value >> config_.ind_bits;
    if (seq <= seq_[ind]) return false;
    const uint64_t highest = highest_seq();
    if (seq > highest && seq - highest > config_.delta) return false;
    if (config_.limit != 0 && seq < highest && highest - seq > config_.limit) return false;
    return true;
}

void SqnArray::accept(const bytes& sqn) {
    const uint64_t value = sqn_value(sqn) & kSqnMask;
    seq_[value & ((uint64_t{1} << config_.ind_bits) - 1)] = value >> config_.ind_bits;
}

bytes SqnArray::sqn_ms() const {
    uint64_t best = 0;
    for (std::size_t i = 0; i < seq_.size(); ++i) best = std::max(best, (seq_[i] << config_.ind_bits) | i);
    return sqn_bytes(best & kSqnMask);
}

void SqnArray::save(PersistentState& state) const {
    secure_bytes array;
    array.reserve(seq_.size() * 6);
    // Each slot as the full SQN it last accepted (SEQ || IND), 6 bytes.
    for (std::size_t i = 0; i < seq_.size(); ++i) put_be(array, (seq_[i] << config_.ind_bits) | i, 6);
    state.put(kSqnArrayRecord, std::move(array));
}

void SqnArray::write_defaults(PersistentState& state, const SqnConfig& config) {
    secure_bytes record{config.ind_bits};
    put_be(record, config.delta, 6);
    put_be(record, config.limit, 6);
    state.put(kSqnConfigRecord, std::move(record));
    secure_bytes array;
    const std::size_t slots = std::size_t{1} << config.ind_bits;
    for (std::size_t i = 0; i < slots; ++i) put_be(array, i, 6);  // SEQ 0 in every slot
    state.put(kSqnArrayRecord, std::move(array));
}

}  // namespace simkit::sim::usim

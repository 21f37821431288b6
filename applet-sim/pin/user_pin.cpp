// The user PIN commands (see user_pin.hpp and specs/keystore.md, "User PIN").
#include "pin/user_pin.hpp"

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simulated_card.hpp"

namespace simkit::sim {

namespace {
constexpr std::size_t kPinFieldSize = 8;  // TS 102 221: PINs travel padded with FF to 8 bytes

// One PIN field of the wire (digits, then FF padding) -> its 8-byte padded form. Malformed fields
// are refused before any try is spent.
secure_bytes padded_pin(const uint8_t* data, std::size_t length, std::size_t min_digits) {
    if (length == 0 || length > kPinFieldSize) throw SwError(sw::kWrongLength, "PIN field length");
    std::size_t digits = length;
    while (digits > 0 && data[digits - 1] == 0xFF) --digits;
    if (digits < min_digits) throw SwError(sw::kWrongData, "PIN too short");
    for (std::size_t i = 0; i < digits; ++i) {
        if (data[i] < '0' || data[i] > '9') throw SwError(sw::kWrongData, "PIN must be ASCII digits");
    }
    secure_bytes out(kPinFieldSize, 0xFF);
    for (std::size_t i = 0; i < digits; ++i) out[i] = data[i];
    return out;
}

secure_bytes padded_record(const secure_bytes& stored) {
    secure_bytes out(kPinFieldSize, 0xFF);
    for (std::size_t i = 0; i < stored.size() && i < kPinFieldSize; ++i) out[i] = stored[i];
    return out;
}

struct Tries {
    uint8_t left;
    uint8_t max;
};

Tries read_tries(const PersistentState& state, const std::string& name) {
    const secure_bytes* value = state.get(name);
    if (value == nullptr || value->size() != 2) throw SwError(sw::kReferencedDataNotFound, "PIN counter missing");
    return {(*value)[0], (*value)[1]};
}

uint16_t tries_sw(uint8_t left) { return static_cast<uint16_t>(0x63C0 | (left > 0x0F ? 0x0F : left)); }

// Checks `given` (padded) against the record `value_name` guarded by the counter `tries_name`:
// the decremented counter is committed before the comparison. Returns on a match (counter
// restored, staged); throws 63Cx / 6983 otherwise.
void check(CommandContext& ctx, const std::string& value_name, const std::string& tries_name, const secure_bytes& given) {
    const Tries tries = read_tries(ctx.state, tries_name);
    if (tries.left == 0) throw SwError(sw::kAuthenticationBlocked);
    const uint8_t left = static_cast<uint8_t>(tries.left - 1);
    ctx.state.put(tries_name, secure_bytes{left, tries.max});
    try {
        ctx.state.commit();  // on disk before we compare: a power cut now costs the try
    } catch (const StateError&) {
        throw SwError(sw::kMemoryFailure, "PIN counter could not be written");
    }
    const secure_bytes* stored = ctx.state.get(value_name);
    if (stored == nullptr) throw SwError(sw::kReferencedDataNotFound, "PIN record missing");
    if (ct_equal(padded_record(*stored), given)) {
        ctx.state.put(tries_name, secure_bytes{tries.max, tries.max});
        return;
    }
    if (left == 0) throw SwError(sw::kAuthenticationBlocked);
    throw SwError(tries_sw(left));
}

secure_bytes digits_of(const secure_bytes& padded) {
    secure_bytes out;
    for (uint8_t b : padded) {
        if (b == 0xFF) break;
        out.push_back(b);
    }
    return out;
}
}  // namespace

UserPin::UserPin()
    : records_{records::kUserPin, records::kUserPinTries, records::kPuk, records::kPukTries} {}

ResponseApdu UserPin::verify(CommandContext& ctx, PinStatus& status) const {
    const CommandApdu& apdu = ctx.apdu;
    if (!is_user_pin_reference(apdu.p2())) throw SwError(sw::kReferencedDataNotFound, "PIN reference");
    if (apdu.p1() == 0xFF) {  // ISO 7816-4: reset the verification status
        if (!apdu.data().empty()) throw SwError(sw::kWrongLength);
        status.verified = false;
        return ResponseApdu::ok();
    }
    if (apdu.p1() != 0x00) throw SwError(sw::kIncorrectP1P2);
    if (apdu.data().empty()) {
        if (status.verified) return ResponseApdu::ok();
        return ResponseApdu(tries_sw(read_tries(ctx.state, records_.pin_tries).left));
    }
    const secure_bytes given = padded_pin(apdu.data().data(), apdu.data().size(), 4);
    status.verified = false;
    check(ctx, records_.pin, records_.pin_tries, given);
    status.verified = true;
    return ResponseApdu::ok();
}

ResponseApdu UserPin::change_reference_data(CommandContext& ctx, PinStatus& status) const {
    const CommandApdu& apdu = ctx.apdu;
    if (!is_user_pin_reference(apdu.p2())) throw SwError(sw::kReferencedDataNotFound, "PIN reference");
    if (apdu.p1() != 0x00) throw SwError(sw::kIncorrectP1P2);
    const bytes& data = apdu.data();
    if (data.size() != 2 * kPinFieldSize) throw SwError(sw::kWrongLength, "old and new PIN, 8 bytes each");
    const secure_bytes old_pin = padded_pin(data.data(), kPinFieldSize, 4);
    const secure_bytes new_pin = padded_pin(data.data() + kPinFieldSize, kPinFieldSize, 4);
    status.verified = false;
    check(ctx, records_.pin, records_.pin_tries, old_pin);
    ctx.state.put(records_.pin, digits_of(new_pin));
    status.verified = true;
    return ResponseApdu::ok();
}

ResponseApdu UserPin::reset_retry_counter(CommandContext& ctx, PinStatus& status) const {
    const CommandApdu& apdu = ctx.apdu;
    if (!is_user_pin_reference(apdu.p2())) throw SwError(sw::kReferencedDataNotFound, "PIN reference");
    const bytes& data = apdu.data();
    if (apdu.p1() != 0x00 && apdu.p1() != 0x01) throw SwError(sw::kIncorrectP1P2);
    if (data.empty()) {  // status of the PUK
        if (apdu.p1() != 0x00) throw SwError(sw::kWrongLength);
        return ResponseApdu(tries_sw(read_tries(ctx.state, records_.puk_tries).left));
    }
    const bool with_new_pin = apdu.p1() == 0x00;
    if (data.size() != (with_new_pin ? 2 : 1) * kPinFieldSize) throw SwError(sw::kWrongLength, "PUK (8) [new PIN (8)]");
    const secure_bytes puk = padded_pin(data.data(), kPinFieldSize, 8);
    secure_bytes new_pin;
    if (with_new_pin) new_pin = padded_pin(data.data() + kPinFieldSize, kPinFieldSize, 4);
    status.verified = false;
    check(ctx, records_.puk, records_.puk_tries, puk);
    const Tries pin_tries = read_tries(ctx.state, records_.pin_tries);
    ctx.state.put(records_.pin_tries, secure_bytes{pin_tries.max, pin_tries.max});
    if (with_new_pin) ctx.state.put(records_.pin, digits_of(new_pin));
    status.verified = true;
    return ResponseApdu::ok();
}

}  // namespace simkit::sim

// The USIM's AUTHENTICATE (see authenticate.hpp). The SQN array is staged before the answer is built,
// and the runtime commits the state before the answer leaves the card: a power cut never lets the
// same AUTN be accepted twice.
#include "usim/authenticate.hpp"

#include "simkit/aka.hpp"
#include "simkit/errors.hpp"
#include "simkit/milenage.hpp"
#include "simkit/status_words.hpp"
#include "usim/sqn_array.hpp"
#include "usim/usim_keys.hpp"

namespace simkit::sim::usim {

namespace {
constexpr uint8_t kGsmContext = 0x80;
constexpr uint8_t kUmtsContext = 0x81;
constexpr uint8_t kSuccessTag = 0xDB;
constexpr uint8_t kSyncFailureTag = 0xDC;

// One LV field (1-byte length) of exactly `size` bytes at data[pos]; advances pos.
bytes take_lv(const bytes& data, std::size_t& pos, std::size_t size, const char* what) {
    if (pos >= data.size()) throw SwError(sw::kWrongLength, std::string(what) + " missing");
    if (data[pos] != size) throw SwError(sw::kWrongData, std::string(what) + " length is not " + std::to_string(size));
    if (data.size() - pos - 1 < size) throw SwError(sw::kWrongLength, std::string(what) + " truncated");
    bytes value(data.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                data.begin() + static_cast<std::ptrdiff_t>(pos + 1 + size));
    pos += 1 + size;
    return value;
}

void append_lv(bytes& out, const uint8_t* data, std::size_t size) {
    out.push_back(static_cast<uint8_t>(size));
    out.insert(out.end(), data, data + size);
}

ResponseApdu gsm_context(CommandContext& ctx, const bytes& data) {
    std::size_t pos = 0;
    const bytes rand = take_lv(data, pos, 16, "RAND");
    if (pos != data.size()) throw SwError(sw::kWrongLength, "data after RAND");
    const milenage::Milenage m = card_milenage(ctx.state);
    const milenage::Vectors v = m.f2345(rand);
    const bytes sres = milenage::sres_from_res(v.res);
    const secure_bytes kc = milenage::kc_from_ck_ik(v.ck, v.ik);
    bytes out;
    append_lv(out, sres.data(), sres.size());
    append_lv(out, kc.data(), kc.size());
    return ResponseApdu::ok(std::move(out));
}

ResponseApdu umts_context(CommandContext& ctx, const bytes& data) {
    std::size_t pos = 0;
    const bytes rand = take_lv(data, pos, 16, "RAND");
    const bytes autn = take_lv(data, pos, 16, "AUTN");
    if (pos != data.size()) throw SwError(sw::kWrongLength, "data after AUTN");
    const milenage::Milenage m = card_milenage(ctx.state);
    const aka::AutnCheck check = aka::open_autn(m, rand, autn);
    if (!check.mac_ok) return ResponseApdu(sw::kAuthenticationMacFailure);

    SqnArray sqns(ctx.state);
    if (!sqns.fresh(check.sqn)) {
        bytes out{kSyncFailureTag};
        const bytes auts = aka::build_auts(m, rand, sqns.sqn_ms());
        append_lv(out, auts.data(), auts.size());
        return ResponseApdu::ok(std::move(out));
    }
    sqns.accept(check.sqn);
    sqns.save(ctx.state);  // committed by the runtime before this answer leaves the card

    const milenage::Vectors v = m.f2345(rand);
    const secure_bytes kc = milenage::kc_from_ck_ik(v.ck, v.ik);
    bytes out{kSuccessTag};
    append_lv(out, v.res.data(), v.res.size());
    append_lv(out, v.ck.data(), v.ck.size());
    append_lv(out, v.ik.data(), v.ik.size());
    append_lv(out, kc.data(), kc.size());
    return ResponseApdu::ok(std::move(out));
}
}  // namespace

ResponseApdu authenticate(CommandContext& ctx) {
    const CommandApdu& apdu = ctx.apdu;
    if (apdu.p1() != 0x00) throw SwError(sw::kIncorrectP1P2);
    if (apdu.p2() != kGsmContext && apdu.p2() != kUmtsContext) throw SwError(sw::kIncorrectP1P2);
    if (apdu.data().empty()) throw SwError(sw::kWrongLength, "AUTHENTICATE without data");
    return apdu.p2() == kGsmContext ? gsm_context(ctx, apdu.data()) : umts_context(ctx, apdu.data());
}

}  // namespace simkit::sim::usim

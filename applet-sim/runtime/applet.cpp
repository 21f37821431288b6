// Applet base: INS table dispatch and the default SELECT answer.
#include "runtime/applet.hpp"

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

Applet::Applet(bytes aid, std::string name) : aid_(std::move(aid)), name_(std::move(name)) {
    if (aid_.size() < 5 || aid_.size() > 16) {
        throw ArgumentError("Applet: AID must be 5..16 bytes, not " + std::to_string(aid_.size()));
    }
}

void Applet::write_factory_defaults(PersistentState&) const {}

void Applet::add_missing_records(PersistentState&) const {}

ResponseApdu Applet::on_select(CommandContext&) { return ResponseApdu::ok(encode_tlv(0x6F, {encode_tlv(0x84, aid_)})); }

ResponseApdu Applet::process(CommandContext& ctx) {
    if (ctx.cla.secure_messaging) throw SwError(sw::kSecureMessagingNotSupported);
    return dispatch(ctx);
}

void Applet::on_ins(uint8_t ins, ClaAccept accept, InsHandler handler) {
    table_[ins] = InsEntry{accept, std::move(handler)};
}

ResponseApdu Applet::dispatch(CommandContext& ctx) {
    const auto& entry = table_[ctx.apdu.ins()];
    if (!entry) throw SwError(sw::kInsNotSupported);
    const auto wanted = ctx.cla.kind == ClaKind::Interindustry ? ClaAccept::Interindustry : ClaAccept::Proprietary;
    if ((static_cast<uint8_t>(entry->accept) & static_cast<uint8_t>(wanted)) == 0) {
        throw SwError(sw::kClaNotSupported);
    }
    if (ctx.cla.chaining) throw SwError(sw::kChainingNotSupported);
    return entry->handler(ctx);
}

}  // namespace simkit::sim

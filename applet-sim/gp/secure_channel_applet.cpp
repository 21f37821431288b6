// Secure messaging in front of an applet's INS table, and STORE DATA in DGI form (see
// secure_channel_applet.hpp and specs/isd.md).
#include "gp/secure_channel_applet.hpp"

#include "gp/isd.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/gp_commands.hpp"
#include "simkit/scp.hpp"
#include "simkit/status_words.hpp"

namespace simkit::sim {

namespace {
SecureChannelAppletSession& session_of(CommandContext& ctx) {
    auto* session = dynamic_cast<SecureChannelAppletSession*>(ctx.session);
    if (session == nullptr) throw SwError(sw::kNoPreciseDiagnosis, "applet session missing");
    return *session;
}
}  // namespace

SecureChannelApplet::SecureChannelApplet(bytes aid, std::string name) : Applet(std::move(aid), std::move(name)) {
    on_ins(gp::kInsStoreData, ClaAccept::Proprietary, [this](CommandContext& ctx) { return store_data(ctx); });
}

std::unique_ptr<AppletSession> SecureChannelApplet::new_session() const {
    return std::make_unique<SecureChannelAppletSession>();
}

SecureChannelSession& SecureChannelApplet::secure_channel(CommandContext& ctx) { return session_of(ctx).secure_channel; }

bytes SecureChannelApplet::security_domain_aid() const { return IssuerSecurityDomain::kDefaultAid; }

void SecureChannelApplet::store_dgi(CommandContext&, uint16_t, const secure_bytes&) {
    throw SwError(sw::kReferencedDataNotFound, "unknown DGI");
}

ResponseApdu SecureChannelApplet::process(CommandContext& ctx) {
    SecureChannelSession& sc = secure_channel(ctx);
    const bool proprietary = ctx.cla.kind == ClaKind::Proprietary;
    const uint8_t ins = ctx.apdu.ins();
    const bool handshake = proprietary && ((!ctx.cla.secure_messaging && ins == scp::kInsInitializeUpdate) ||
                                           ins == scp::kInsExternalAuthenticate);
    if (handshake && ctx.cla.chaining) {
        sc.close();  // a malformed handshake command ends the session like a failed one
        throw SwError(sw::kChainingNotSupported);
    }
    if (handshake && ins == scp::kInsInitializeUpdate) return sc.initialize_update(ctx, security_domain_aid());
    if (handshake) return sc.external_authenticate(ctx);
    if (!sc.authenticated()) {
        // A pending handshake ends with any other command; wrapped commands need a session.
        sc.close();
        if (ctx.cla.secure_messaging) throw SwError(sw::kSecurityStatusNotSatisfied);
        return dispatch(ctx);
    }
    if (!ctx.cla.secure_messaging) {
        sc.close();  // a plain command in a secure session: a downgrade
        throw SwError(sw::kSecurityStatusNotSatisfied);
    }
    const CommandApdu plain = sc.unwrap(ctx.apdu);
    const auto plain_cla = decode_cla(plain.cla());
    if (!plain_cla) throw SwError(sw::kClaNotSupported);
    CommandContext inner{plain, *plain_cla, ctx.state, ctx.session, ctx.installed};
    ResponseApdu answer;
    try {
        answer = dispatch(inner);
    } catch (const SwError& e) {
        answer = ResponseApdu(e.sw());
    }
    return sc.wrap(answer);
}

// STORE DATA (80 E2 P1 P2): P1 b8 last block, b7-b6 00 plain / 11 DGI values encrypted under the
// DEK, b5-b4 01 DGI format; P2 block number. Every block holds whole DGIs: DGI (2 bytes), length
// (1 byte, or FF and 2 bytes), value.
ResponseApdu SecureChannelApplet::store_data(CommandContext& ctx) {
    SecureChannelAppletSession& session = session_of(ctx);
    session.secure_channel.require(scp::kCMac);
    const uint8_t p1 = ctx.apdu.p1();
    const uint8_t encryption = p1 & 0x60;
    if ((p1 & 0x18) != 0x08 || (encryption != 0x00 && encryption != 0x60) || (p1 & 0x07) != 0) {
        throw SwError(sw::kIncorrectP1P2);
    }
    if (ctx.apdu.p2() != session.next_store_data_block) throw SwError(sw::kIncorrectP1P2, "STORE DATA block number");
    const bytes& data = ctx.apdu.data();
    if (data.empty()) throw SwError(sw::kWrongLength);
    // Parse the whole block before storing anything: a bad block stores nothing.
    std::vector<std::pair<uint16_t, secure_bytes>> dgis;
    for (std::size_t at = 0; at < data.size();) {
        if (data.size() - at < 3) throw SwError(sw::kWrongData, "truncated DGI");
        const uint16_t dgi = read_u16(&data[at]);
        std::size_t length = data[at + 2];
        at += 3;
        if (length == 0xFF) {
            if (data.size() - at < 2) throw SwError(sw::kWrongData, "truncated DGI length");
            length = read_u16(&data[at]);
            at += 2;
        }
        if (data.size() - at < length) throw SwError(sw::kWrongData, "DGI longer than the block");
        bytes value(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + length));
        at += length;
        if (encryption == 0x60) {
            const scp::SecureMessaging& messaging = session.secure_channel.messaging();
            if (value.empty() || value.size() % messaging.block_size() != 0) throw SwError(sw::kWrongData);
            auto clear = scp::unpad80(to_bytes(messaging.decrypt_sensitive(value)));
            if (!clear) throw SwError(sw::kWrongData, "encrypted DGI padding");
            dgis.emplace_back(dgi, to_secure(*clear));
        } else {
            dgis.emplace_back(dgi, to_secure(value));
        }
    }
    try {
        for (const auto& [dgi, value] : dgis) store_dgi(ctx, dgi, value);
    } catch (const SwError&) {
        ctx.state.rollback();  // nothing of a refused block is kept (this command staged nothing else)
        throw;
    }
    session.next_store_data_block = (p1 & 0x80) != 0 ? 0 : static_cast<uint8_t>(session.next_store_data_block + 1);
    return ResponseApdu::ok();
}

}  // namespace simkit::sim

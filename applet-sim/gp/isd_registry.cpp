// GET STATUS (GP 2.3 11.4): the registry of the ISD (P1 80) and the applications (P1 40) in the TLV
// form (P2 02, and 03 for the next occurrence after 6310). Built-in applets come with no executable
// load files, so P1 20 and 10 find nothing (6A88). Requires an authenticated secure channel.
#include <algorithm>

#include "gp/isd.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/gp_commands.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"

namespace simkit::sim {

namespace {
// Response data per GET STATUS answer, leaving room for SCP03 padding and a 16-byte R-MAC in 256.
constexpr std::size_t kPageSize = 200;

bytes registry_entry(const Applet& applet) {
    return encode_tlv(0xE3, {encode_tlv(0x4F, applet.aid()), encode_tlv(0x9F70, bytes{applet.life_cycle()}),
                             encode_tlv(0xC5, applet.privileges())});
}

bool starts_with(const bytes& aid, const bytes& prefix) {
    return prefix.size() <= aid.size() && std::equal(prefix.begin(), prefix.end(), aid.begin());
}
}  // namespace

ResponseApdu IssuerSecurityDomain::get_status(CommandContext& ctx) {
    auto& session = dynamic_cast<IsdSession&>(*ctx.session);
    session.secure_channel.require(scp::kCMac);
    const uint8_t p1 = ctx.apdu.p1(), p2 = ctx.apdu.p2();
    if (p1 != 0x80 && p1 != 0x40 && p1 != 0x20 && p1 != 0x10) throw SwError(sw::kIncorrectP1P2);
    if (p2 != 0x02 && p2 != 0x03) throw SwError(sw::kIncorrectP1P2, "only the TLV form (P2 02/03)");
    std::optional<Tlv> search;
    try {
        search = find_tlv(parse_tlvs(ctx.apdu.data()), 0x4F);
    } catch (const FormatError&) {
    }
    if (!search) throw SwError(sw::kWrongData, "search criteria must hold tag 4F");

    std::vector<const Applet*> matches;
    if (ctx.installed != nullptr && (p1 == 0x80 || p1 == 0x40)) {
        for (const auto& applet : *ctx.installed) {
            const bool is_isd = applet.get() == this;
            if (is_isd == (p1 == 0x80) && starts_with(applet->aid(), search->value)) matches.push_back(applet.get());
        }
    }
    std::size_t next = 0;
    if (p2 == 0x03) {
        if (session.status_next == 0 || session.status_p1 != p1) throw SwError(sw::kConditionsNotSatisfied);
        next = session.status_next;
    }
    session.status_next = 0;
    if (matches.empty()) throw SwError(sw::kReferencedDataNotFound);

    bytes page;
    for (; next < matches.size(); ++next) {
        const bytes entry = registry_entry(*matches[next]);
        if (!page.empty() && page.size() + entry.size() > kPageSize) break;
        page.insert(page.end(), entry.begin(), entry.end());
    }
    if (next < matches.size()) {
        session.status_p1 = p1;
        session.status_next = next;
        return ResponseApdu(std::move(page), gp::kSwMoreData);
    }
    return ResponseApdu::ok(std::move(page));
}

}  // namespace simkit::sim

// The eUICC's ISD-R (SGP.22 5.7.2): an applet at AID A0000005591010FFFFFFFF8900000100 taking ES10
// requests in STORE DATA (INS E2, proprietary class on any channel). It joins the blocks of a chain
// per channel (P1 11 more / 91 last, P2 the block number 00, 01 ...), decodes the DER request by its
// outer tag and runs its handler (euicc/es10c_handlers.cpp, euicc/es10ab_handlers.cpp); the answer
// goes back as response data (the runtime adds 61xx and GET RESPONSE). specs/euicc.md.
#pragma once

#include <optional>

#include "runtime/applet.hpp"

namespace simkit::sim {

// Per channel: the STORE DATA chain being joined and the last eUICC challenge.
struct IsdrSession : AppletSession {
    bytes chain;
    unsigned next_block = 0;
    std::optional<bytes> challenge;  // GetEuiccChallenge (kept for AuthenticateServer, later)
};

class IsdrApplet : public Applet {
public:
    // The longest ES10 request the ISD-R joins (6A84 beyond).
    static constexpr std::size_t kMaxRequest = 16 * 1024;

    IsdrApplet();
    std::unique_ptr<AppletSession> new_session() const override;
    // The EID, the test PKI and, for a state from before the eUICC, profile 01 from the live USIM data.
    void write_factory_defaults(PersistentState& state) const override;
    void add_missing_records(PersistentState& state) const override;

private:
    ResponseApdu store_data(CommandContext& ctx);
};

}  // namespace simkit::sim

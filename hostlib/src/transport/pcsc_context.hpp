// An RAII PC/SC resource-manager context (SCardEstablishContext / SCardReleaseContext) and the
// reader queries built on it: reader names in pcscd's order and each reader's card state.
#pragma once

#include <winscard.h>

#include <string>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit {

// A reader's state as SCardGetStatusChange reports it.
struct PcscReaderState {
    std::string name;
    DWORD event_state = 0;  // SCARD_STATE_* bits
    bytes atr;              // empty when no card

    bool card_present() const noexcept {
        return (event_state & SCARD_STATE_PRESENT) != 0 && (event_state & SCARD_STATE_MUTE) == 0;
    }
};

class PcscContext {
public:
    // Throws PcscNoServiceError (SCARD_E_NO_SERVICE) when pcscd does not run.
    PcscContext();
    ~PcscContext();
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;

    SCARDCONTEXT handle() const noexcept { return context_; }

    // Reader names in pcscd's order (the order of pcsc:INDEX); empty when there are none.
    std::vector<std::string> reader_names() const;
    // The state of each named reader now, or after a change when `timeout_ms` > 0 (returns the
    // current states when the wait runs out).
    std::vector<PcscReaderState> reader_states(const std::vector<std::string>& names, DWORD timeout_ms = 0,
                                               const std::vector<PcscReaderState>& known = {}) const;

private:
    SCARDCONTEXT context_ = 0;
};

}  // namespace simkit

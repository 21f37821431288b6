// Reader listing for `simkit readers` (see pcsc_readers.hpp).
#include "simkit/pcsc_readers.hpp"

#include <chrono>

#include "transport/pcsc_context.hpp"
#include "transport/pcsc_errors.hpp"

namespace simkit {

std::vector<PcscReaderInfo> list_pcsc_readers() {
    const PcscContext context;
    std::vector<PcscReaderState> states;
    for (int attempt = 0;; ++attempt) {
        try {
            states = context.reader_states(context.reader_names());
            break;
        } catch (const PcscNoReaderError&) {
            if (attempt == 2) throw;  // a reader left between listing and query: list again
        }
    }
    std::vector<PcscReaderInfo> readers;
    for (const PcscReaderState& state : states) {
        PcscReaderInfo info;
        info.name = state.name;
        info.card_present = state.card_present();
        info.card_in_use = (state.event_state & SCARD_STATE_INUSE) != 0;
        info.card_exclusive = (state.event_state & SCARD_STATE_EXCLUSIVE) != 0;
        info.atr = state.atr;
        readers.push_back(std::move(info));
    }
    return readers;
}

bool wait_for_pcsc_card_removal(const std::string& name, double timeout_seconds) {
    using Clock = std::chrono::steady_clock;
    constexpr DWORD kSliceMs = 500;  // SCardGetStatusChange waits this long per call
    const PcscContext context;
    const auto start = Clock::now();
    std::vector<PcscReaderState> known;
    for (;;) {
        try {
            known = context.reader_states({name}, known.empty() ? 0 : kSliceMs, known);
        } catch (const PcscNoReaderError&) {
            return true;  // the reader went away, and the card with it
        }
        if (known.empty() || !known.front().card_present()) return true;
        const double waited = std::chrono::duration<double>(Clock::now() - start).count();
        if (timeout_seconds >= 0 && waited >= timeout_seconds) return false;
    }
}

}  // namespace simkit

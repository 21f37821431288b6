// Reader listing for `simkit readers` (see pcsc_readers.hpp).
#include "simkit/pcsc_readers.hpp"

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

}  // namespace simkit

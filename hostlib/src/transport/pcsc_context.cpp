// PC/SC context and reader queries (see pcsc_context.hpp).
#include "transport/pcsc_context.hpp"

#include <algorithm>

#include "simkit/core/log.hpp"
#include "transport/pcsc_errors.hpp"

namespace simkit {

PcscContext::PcscContext() {
    check_pcsc("SCardEstablishContext", SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_),
               "cannot reach the PC/SC service; start pcscd, or point PCSCLITE_CSOCK_NAME at its socket");
}

PcscContext::~PcscContext() {
    const LONG rc = SCardReleaseContext(context_);
    if (rc != SCARD_S_SUCCESS) log::debug("pcsc", std::string("SCardReleaseContext: ") + pcsc_code_info(rc).name);
}

std::vector<std::string> PcscContext::reader_names() const {
    DWORD length = 0;
    LONG rc = SCardListReaders(context_, nullptr, nullptr, &length);
    if (rc == SCARD_E_NO_READERS_AVAILABLE) return {};
    check_pcsc("SCardListReaders", rc);
    std::string buffer(length, '\0');
    rc = SCardListReaders(context_, nullptr, buffer.data(), &length);
    if (rc == SCARD_E_NO_READERS_AVAILABLE) return {};
    check_pcsc("SCardListReaders", rc);
    buffer.resize(length);
    // A multi-string: names separated by NUL, ended by an empty name.
    std::vector<std::string> names;
    for (std::size_t start = 0; start < buffer.size();) {
        const std::size_t end = buffer.find('\0', start);
        const std::size_t stop = end == std::string::npos ? buffer.size() : end;
        if (stop == start) break;
        names.emplace_back(buffer, start, stop - start);
        start = stop + 1;
    }
    return names;
}

std::vector<PcscReaderState> PcscContext::reader_states(const std::vector<std::string>& names, DWORD timeout_ms,
                                                        const std::vector<PcscReaderState>& known) const {
    if (names.empty()) return {};
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        states[i].szReader = names[i].c_str();
        states[i].dwCurrentState = SCARD_STATE_UNAWARE;
        if (timeout_ms > 0 && i < known.size() && known[i].name == names[i]) {
            states[i].dwCurrentState = known[i].event_state & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
        }
    }
    const LONG rc = SCardGetStatusChange(context_, timeout_ms, states.data(), static_cast<DWORD>(states.size()));
    if (rc == SCARD_E_TIMEOUT && timeout_ms > 0) return known;
    check_pcsc("SCardGetStatusChange", rc);
    std::vector<PcscReaderState> out(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        out[i].name = names[i];
        out[i].event_state = states[i].dwEventState;
        const std::size_t atr_length = std::min<std::size_t>(states[i].cbAtr, sizeof states[i].rgbAtr);
        if (out[i].card_present()) out[i].atr.assign(states[i].rgbAtr, states[i].rgbAtr + atr_length);
    }
    return out;
}

}  // namespace simkit

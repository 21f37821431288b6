// The `pcsc:` transport (see pcsc_transport.hpp): URI options, reader choice and the wait for a
// card, SCardConnect/Transmit/Reconnect/Disconnect, transactions.
#include "transport/pcsc_transport.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "simkit/errors.hpp"
#include "simkit/core/log.hpp"
#include "transport/pcsc_errors.hpp"

namespace simkit {

namespace {

// pcsc-lite's MAX_BUFFER_SIZE_EXTENDED: an extended R-APDU (65536 data bytes + SW) fits.
constexpr std::size_t kReceiveBufferSize = 4 + 3 + (1 << 16) + 3 + 2;
constexpr auto kStatusWaitSlice = std::chrono::milliseconds(500);
constexpr auto kNoReaderPollSlice = std::chrono::milliseconds(200);

bool all_digits(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

DWORD option_choice(const CardUri& uri, const std::string& key, DWORD fallback,
                    std::initializer_list<std::pair<const char*, DWORD>> choices) {
    const auto value = uri.option(key);
    if (!value) return fallback;
    std::string known;
    for (const auto& [name, code] : choices) {
        if (*value == name) return code;
        known += known.empty() ? name : std::string("|") + name;
    }
    throw FormatError("card URI " + uri.text + ": " + key + "=" + *value + " is not one of " + known);
}

double wait_seconds_of(const CardUri& uri) {
    const auto value = uri.option("wait");
    if (!value) return 0;
    std::size_t used = 0;
    double seconds = -1;
    try {
        seconds = std::stod(*value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value->size() || !(seconds >= 0 && seconds <= 86400)) {
        throw FormatError("card URI " + uri.text + ": wait=" + *value + " is not a number of seconds (0..86400)");
    }
    return seconds;
}

std::string list_for_message(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + std::to_string(i) + " '" + names[i] + "'";
    return text;
}

// The readers `selector` may mean, in pcscd's order.
std::vector<std::string> candidates(const std::vector<std::string>& names, const std::string& selector) {
    if (selector.empty()) return names;
    if (all_digits(selector)) {
        const std::size_t index = selector.size() > 6 ? names.size() : std::stoul(selector);
        if (index < names.size()) return {names[index]};
        return {};
    }
    std::vector<std::string> out;
    std::copy_if(names.begin(), names.end(), std::back_inserter(out),
                 [&](const std::string& name) { return name.find(selector) != std::string::npos; });
    return out;
}

// Picks the reader to connect to, waiting up to options.wait_seconds for a card to be in one.
std::string choose_reader(const PcscContext& context, const PcscOptions& options) {
    using Clock = std::chrono::steady_clock;
    const std::string call = "pcsc:" + options.reader;
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(options.wait_seconds));
    const std::string waited = options.wait_seconds > 0 ? " after waiting " + std::to_string(options.wait_seconds).substr(0, 5) + " s"
                                                        : " (add ?wait=SECONDS to wait)";
    for (;;) {
        const std::vector<std::string> names = context.reader_names();
        const std::vector<std::string> wanted = candidates(names, options.reader);
        std::vector<PcscReaderState> states;
        try {
            states = context.reader_states(wanted);
        } catch (const PcscNoReaderError&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;  // a reader left between the listing and the query: list again
        }
        for (const auto& state : states) {
            if (state.card_present()) return state.name;
        }
        const auto remaining = deadline - Clock::now();
        if (remaining <= Clock::duration::zero()) {
            if (names.empty()) throw_pcsc_error(call, SCARD_E_NO_READERS_AVAILABLE, "no reader" + waited);
            if (wanted.empty()) {
                throw_pcsc_error(call, SCARD_E_UNKNOWN_READER,
                                 "no reader matches '" + options.reader + "'" + waited + "; readers: " + list_for_message(names));
            }
            throw_pcsc_error(call, SCARD_E_NO_SMARTCARD, "no card in reader '" + wanted.front() + "'" + waited);
        }
        if (states.empty()) {
            std::this_thread::sleep_for(std::min<Clock::duration>(remaining, kNoReaderPollSlice));
        } else {
            const auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(std::min<Clock::duration>(remaining, kStatusWaitSlice));
            try {
                context.reader_states(wanted, static_cast<DWORD>(std::max<long long>(1, slice.count())), states);
            } catch (const PcscNoReaderError&) {
                // the reader went away while we waited: list again
            }
        }
    }
}

const char* protocol_name(DWORD protocol) {
    switch (protocol) {
        case SCARD_PROTOCOL_T0: return "T=0";
        case SCARD_PROTOCOL_T1: return "T=1";
        case SCARD_PROTOCOL_RAW: return "raw";
        default: return "unknown protocol";
    }
}

}  // namespace

PcscOptions PcscOptions::from_uri(const CardUri& uri) {
    for (const auto& [key, value] : uri.options) {
        if (key != "wait" && key != "mode" && key != "protocol" && key != "disconnect") {
            throw FormatError("card URI " + uri.text + ": unknown pcsc: option '" + key +
                              "' (known: wait=SECONDS, mode=shared|exclusive, protocol=any|t0|t1, disconnect=reset|leave|unpower)");
        }
    }
    PcscOptions options;
    options.reader = uri.target;
    options.wait_seconds = wait_seconds_of(uri);
    options.share_mode = option_choice(uri, "mode", SCARD_SHARE_SHARED,
                                       {{"shared", SCARD_SHARE_SHARED}, {"exclusive", SCARD_SHARE_EXCLUSIVE}});
    options.protocols = option_choice(uri, "protocol", SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                                      {{"any", SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1},
                                       {"t0", SCARD_PROTOCOL_T0},
                                       {"t1", SCARD_PROTOCOL_T1}});
    options.disposition = option_choice(uri, "disconnect", SCARD_RESET_CARD,
                                        {{"reset", SCARD_RESET_CARD}, {"leave", SCARD_LEAVE_CARD}, {"unpower", SCARD_UNPOWER_CARD}});
    return options;
}

PcscTransport::PcscTransport(const PcscOptions& options)
    : options_(options), reader_(choose_reader(context_, options)), receive_buffer_(kReceiveBufferSize) {
    check_pcsc("SCardConnect",
               SCardConnect(context_.handle(), reader_.c_str(), options_.share_mode, options_.protocols, &card_, &protocol_),
               "reader '" + reader_ + "'");
    log::debug("pcsc", "connected to '" + reader_ + "' with " + protocol_name(protocol_) +
                           (options_.share_mode == SCARD_SHARE_EXCLUSIVE ? ", exclusive" : ", shared"));
}

PcscTransport::~PcscTransport() {
    const LONG rc = SCardDisconnect(card_, options_.disposition);
    if (rc != SCARD_S_SUCCESS) log::debug("pcsc", std::string("SCardDisconnect: ") + pcsc_code_info(rc).name);
}

void PcscTransport::reconnect_after_reset() {
    log::info("pcsc", "card in '" + reader_ + "' was reset by another application; reconnecting");
    check_pcsc("SCardReconnect",
               SCardReconnect(card_, options_.share_mode, options_.protocols, SCARD_LEAVE_CARD, &protocol_),
               "reader '" + reader_ + "'");
}

bytes PcscTransport::transmit(const bytes& command) {
    // Readers differ in what they do with less than a header (vpcd even takes one byte as a power
    // command), so such bytes never leave this host.
    if (command.size() < 4) {
        throw FormatError("a command APDU has at least 4 bytes (CLA INS P1 P2); the pcsc: transport does not send " +
                          std::to_string(command.size()));
    }
    const SCARD_IO_REQUEST send_pci{protocol_, sizeof(SCARD_IO_REQUEST)};
    DWORD length = static_cast<DWORD>(receive_buffer_.size());
    LONG rc = SCardTransmit(card_, &send_pci, command.data(), static_cast<DWORD>(command.size()), nullptr,
                            receive_buffer_.data(), &length);
    if (rc == SCARD_W_RESET_CARD) {
        reconnect_after_reset();
        const SCARD_IO_REQUEST retry_pci{protocol_, sizeof(SCARD_IO_REQUEST)};
        length = static_cast<DWORD>(receive_buffer_.size());
        rc = SCardTransmit(card_, &retry_pci, command.data(), static_cast<DWORD>(command.size()), nullptr,
                           receive_buffer_.data(), &length);
    }
    check_pcsc("SCardTransmit", rc, "reader '" + reader_ + "'");
    return bytes(receive_buffer_.begin(), receive_buffer_.begin() + static_cast<std::ptrdiff_t>(length));
}

bytes PcscTransport::atr() {
    char name[MAX_READERNAME + 1];
    BYTE atr[MAX_ATR_SIZE];
    for (int attempt = 0;; ++attempt) {
        DWORD name_length = sizeof name;
        DWORD atr_length = sizeof atr;
        DWORD state = 0;
        DWORD protocol = 0;
        const LONG rc = SCardStatus(card_, name, &name_length, &state, &protocol, atr, &atr_length);
        if (rc == SCARD_W_RESET_CARD && attempt == 0) {
            reconnect_after_reset();
            continue;
        }
        check_pcsc("SCardStatus", rc, "reader '" + reader_ + "'");
        return bytes(atr, atr + std::min<std::size_t>(atr_length, sizeof atr));
    }
}

void PcscTransport::reset() {
    check_pcsc("SCardReconnect",
               SCardReconnect(card_, options_.share_mode, options_.protocols, SCARD_RESET_CARD, &protocol_),
               "resetting the card in '" + reader_ + "'");
}

std::unique_ptr<ExclusiveAccess> PcscTransport::begin_exclusive() { return std::make_unique<PcscTransaction>(*this); }

PcscTransaction::PcscTransaction(PcscTransport& transport) : transport_(transport) {
    LONG rc = SCardBeginTransaction(transport_.handle());
    if (rc == SCARD_W_RESET_CARD) {
        transport_.reconnect_after_reset();
        rc = SCardBeginTransaction(transport_.handle());
    }
    check_pcsc("SCardBeginTransaction", rc, "reader '" + transport_.reader_name() + "'");
}

PcscTransaction::~PcscTransaction() {
    const LONG rc = SCardEndTransaction(transport_.handle(), SCARD_LEAVE_CARD);
    if (rc != SCARD_S_SUCCESS) log::warn("pcsc", std::string("SCardEndTransaction: ") + pcsc_code_info(rc).name);
}

}  // namespace simkit

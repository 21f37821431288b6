// The `at:` transport: a card behind a cellular modem on a serial device, reached with AT+CSIM
// (basic channel) and AT+CCHO/CGLA/CCHC (logical channels) when the modem has them, else MANAGE
// CHANNEL through AT+CSIM. URI options: baud, timeout (ms per command), max_apdu, channels
// (auto|ccho|csim), ate0 (1|0). specs/at-modem.md describes what it sends and tolerates.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "simkit/card_uri.hpp"
#include "simkit/core/cla.hpp"
#include "simkit/transport.hpp"
#include "transport/at_response_parser.hpp"
#include "transport/serial_port.hpp"

namespace simkit {

struct AtTransportOptions {
    enum class Channels { Auto, Ccho, Csim };
    unsigned baud = 115200;
    unsigned timeout_ms = 5000;
    std::size_t max_apdu = 0;  // 0: no limit known
    Channels channels = Channels::Auto;
    bool ate0 = true;          // send ATE0 at open (echo is tolerated either way)

    // Reads the options of an at: URI; throws FormatError naming an unknown key or bad value.
    static AtTransportOptions from_uri(const CardUri& uri);
};

class AtTransport : public Transport {
public:
    // Opens the device, synchronises with AT, configures echo and +CMEE, probes AT+CCHO=?.
    explicit AtTransport(const CardUri& uri);
    // Closes the logical channels it opened (best effort).
    ~AtTransport() override;

    bytes transmit(const bytes& command) override;
    // Modems give no ATR: always empty.
    bytes atr() override { return {}; }
    // Closes every logical channel opened through this transport; the basic channel stays as is.
    void reset() override;
    std::string description() const override { return "at:" + port_.device(); }

    // True when logical channels go through AT+CCHO/CGLA/CCHC.
    bool uses_ccho() const noexcept { return use_ccho_; }

private:
    // A logical channel as the caller sees it; with +CCHO it is backed by a modem session once an
    // application was selected on it.
    struct LogicalChannel {
        bool open = false;
        std::optional<unsigned long> session;
    };

    // Sends one command line, collects its reply; throws TransportError on timeout, naming `what`.
    at::AtReply command(const std::string& line, const std::string& prefix, const std::string& what);
    // Throws TransportError unless the reply ended with OK.
    void require_ok(const at::AtReply& reply, const std::string& what) const;
    bytes csim(const bytes& apdu);
    bytes cgla(LogicalChannel& channel, const bytes& apdu);
    bytes manage_channel(const bytes& apdu, const ClaInfo& cla);
    bytes on_logical_channel(const bytes& apdu, const ClaInfo& cla);
    void track_csim_channels(const bytes& apdu, const ClaInfo& cla, const bytes& response);
    // Ends one channel: AT+CCHC for a +CCHO session, MANAGE CHANNEL close through AT+CSIM otherwise.
    bool close_channel(uint8_t number);
    void close_all_channels() noexcept;

    AtTransportOptions options_;
    SerialPort port_;
    bool use_ccho_ = false;
    std::array<LogicalChannel, kMaxLogicalChannels> channels_{};
};

}  // namespace simkit

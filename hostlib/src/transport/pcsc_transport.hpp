// The `pcsc:` transport: a card in a PC/SC reader, through pcscd and libpcsclite.
//   pcsc:                 the first reader that holds a card
//   pcsc:INDEX            the reader at INDEX in pcscd's list (as `simkit readers` shows it)
//   pcsc:NAME             the first reader whose name contains NAME (one holding a card preferred)
// Options (after '?', joined by '&'):
//   wait=SECONDS          wait up to SECONDS for a card (and reader) to appear; default 0
//   mode=shared|exclusive SCardConnect share mode; default shared
//   protocol=any|t0|t1    protocols offered; default any
//   disconnect=reset|leave|unpower   what happens to the card when the transport closes; default
//                         reset, so the next session starts clean as with sim: (leave keeps open
//                         channels and sessions for the next application)
// A card reset by another application (SCARD_W_RESET_CARD) is reconnected and the exchange retried
// once. 61xx/6Cxx are not handled here but in transmit_complete(). Commands shorter than the
// 4-byte header are refused with FormatError (readers differ on them; vpcd takes 1 byte as control).
#pragma once

#include <winscard.h>

#include <memory>
#include <string>

#include "simkit/card_uri.hpp"
#include "simkit/transport.hpp"
#include "transport/pcsc_context.hpp"

namespace simkit {

struct PcscOptions {
    std::string reader;            // "", INDEX or NAME substring
    double wait_seconds = 0;
    DWORD share_mode = SCARD_SHARE_SHARED;
    DWORD protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
    DWORD disposition = SCARD_RESET_CARD;

    // Reads target and options of a pcsc: URI; throws FormatError naming a bad option.
    static PcscOptions from_uri(const CardUri& uri);
};

class PcscTransport : public Transport {
public:
    explicit PcscTransport(const PcscOptions& options);
    ~PcscTransport() override;
    PcscTransport(const PcscTransport&) = delete;
    PcscTransport& operator=(const PcscTransport&) = delete;

    bytes transmit(const bytes& command) override;
    bytes atr() override;
    // SCardReconnect with SCARD_RESET_CARD: a warm reset of the card.
    void reset() override;
    std::string description() const override { return "pcsc:" + reader_; }
    // A PcscTransaction on this transport.
    std::unique_ptr<ExclusiveAccess> begin_exclusive() override;

    const std::string& reader_name() const noexcept { return reader_; }
    // SCARD_PROTOCOL_T0 or SCARD_PROTOCOL_T1.
    DWORD active_protocol() const noexcept { return protocol_; }
    SCARDHANDLE handle() const noexcept { return card_; }
    // Reconnects after someone else reset the card (keeps the card as it is).
    void reconnect_after_reset();

private:
    PcscOptions options_;
    PcscContext context_;
    std::string reader_;
    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
    bytes receive_buffer_;
};

// Holds the card for one multi-APDU flow (SCardBeginTransaction ... SCardEndTransaction): no
// other application's APDU comes between (their SCardTransmit waits). Ends when destroyed, leaving
// the card as it is.
class PcscTransaction : public ExclusiveAccess {
public:
    explicit PcscTransaction(PcscTransport& transport);
    ~PcscTransaction() override;

private:
    PcscTransport& transport_;
};

}  // namespace simkit

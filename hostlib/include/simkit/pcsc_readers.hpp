// The PC/SC readers pcscd knows, in its order (the index of pcsc:INDEX), with card presence and
// the card's ATR. For `simkit readers` and for picking a reader before opening pcsc:NAME.
#pragma once

#include <string>
#include <vector>

#include "simkit/bytes.hpp"

namespace simkit {

struct PcscReaderInfo {
    std::string name;            // "Virtual PCD 00 00"
    bool card_present = false;   // a card is in the reader and answered its reset
    bool card_in_use = false;    // some application is connected to the card
    bool card_exclusive = false; // ... exclusively (others get SCARD_E_SHARING_VIOLATION)
    bytes atr;                   // the card's ATR; empty without a card
};

// Every reader pcscd reports, in its order; empty when there is none. Throws TransportError (a
// PcscNoServiceError naming SCARD_E_NO_SERVICE when pcscd does not run; clients find pcscd's
// socket through $PCSCLITE_CSOCK_NAME when it is set).
std::vector<PcscReaderInfo> list_pcsc_readers();

// Waits until reader `name` (the full name, as PcscReaderInfo::name) holds no card, or the reader
// itself is gone; false when `timeout_seconds` (< 0: no limit) ran out first. A line that has
// finished one card waits here so that it does not take the same card again as the next one.
bool wait_for_pcsc_card_removal(const std::string& name, double timeout_seconds = -1);

}  // namespace simkit

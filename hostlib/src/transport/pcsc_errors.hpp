// PC/SC result codes turned into simkit exceptions at one border: pcsc_code_info() is the one
// table of every SCARD_* code (name, meaning, kind), throw_pcsc_error() the one place that raises
// them, so no caller compares SCARD_* values. Codes are `long` (pcsc-lite's LONG on Linux), so this
// header needs no <winscard.h>.
#pragma once

#include <string>

#include "simkit/errors.hpp"

namespace simkit {

// What a caller can do about a failure; each kind has its own exception class below.
enum class PcscFailure {
    Success,
    NoService,     // pcscd is not running or went away
    NoReader,      // no readers, unknown reader, reader gone
    NoCard,        // no card, card removed, card unpowered or mute
    CardReset,     // someone reset the card: reconnect, the card's volatile state is gone
    Sharing,       // another application holds the card exclusively
    Timeout,       // a wait ran out
    Cancelled,     // SCardCancel or the system cancelled the call
    Other,         // everything else: parameters, buffers, internal errors, unknown codes
};

struct PcscCodeInfo {
    const char* name;     // "SCARD_E_NO_SERVICE"; "SCARD_?" for codes pcsc-lite does not define
    const char* meaning;  // "the PC/SC service (pcscd) is not running"
    PcscFailure kind;
};

// The one mapping of every SCARD_* code.
PcscCodeInfo pcsc_code_info(long code) noexcept;

// A failed PC/SC call: what() is "<call>: <NAME> (<meaning>)[: <context>]".
class PcscError : public TransportError {
public:
    PcscError(const std::string& call, long code, const std::string& context);
    long code() const noexcept { return code_; }
    const char* code_name() const noexcept { return pcsc_code_info(code_).name; }
    PcscFailure kind() const noexcept { return pcsc_code_info(code_).kind; }

private:
    long code_;
};

// One class per kind a caller may want to catch.
class PcscNoServiceError : public PcscError {
public:
    using PcscError::PcscError;
};
class PcscNoReaderError : public PcscError {
public:
    using PcscError::PcscError;
};
class PcscNoCardError : public PcscError {
public:
    using PcscError::PcscError;
};
class PcscCardResetError : public PcscError {
public:
    using PcscError::PcscError;
};
class PcscSharingError : public PcscError {
public:
    using PcscError::PcscError;
};
class PcscTimeoutError : public PcscError {
public:
    using PcscError::PcscError;
};

// Throws the exception class of `code`'s kind (PcscError for Cancelled/Other).
[[noreturn]] void throw_pcsc_error(const std::string& call, long code, const std::string& context = "");

// Throws unless `code` is SCARD_S_SUCCESS.
inline void check_pcsc(const char* call, long code, const std::string& context = "") {
    if (code != 0) throw_pcsc_error(call, code, context);
}

}  // namespace simkit

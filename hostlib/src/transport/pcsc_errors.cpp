// The table of PC/SC result codes and the one function that raises them (see pcsc_errors.hpp).
// Meanings follow pcsc-lite's pcsclite.h and the Microsoft documentation of the same codes.
#include "transport/pcsc_errors.hpp"

#include <winscard.h>

#include <cstdio>

namespace simkit {

PcscCodeInfo pcsc_code_info(long code) noexcept {
    using K = PcscFailure;
    switch (code) {
        case SCARD_S_SUCCESS: return {"SCARD_S_SUCCESS", "no error", K::Success};
        case SCARD_F_INTERNAL_ERROR: return {"SCARD_F_INTERNAL_ERROR", "an internal consistency check failed", K::Other};
        case SCARD_E_CANCELLED: return {"SCARD_E_CANCELLED", "the action was cancelled by an SCardCancel request", K::Cancelled};
        case SCARD_E_INVALID_HANDLE: return {"SCARD_E_INVALID_HANDLE", "the supplied handle was invalid", K::Other};
        case SCARD_E_INVALID_PARAMETER:
            return {"SCARD_E_INVALID_PARAMETER", "one or more of the supplied parameters could not be interpreted", K::Other};
        case SCARD_E_INVALID_TARGET: return {"SCARD_E_INVALID_TARGET", "registry startup information is missing or invalid", K::Other};
        case SCARD_E_NO_MEMORY: return {"SCARD_E_NO_MEMORY", "not enough memory available to complete this command", K::Other};
        case SCARD_F_WAITED_TOO_LONG: return {"SCARD_F_WAITED_TOO_LONG", "an internal consistency timer has expired", K::Other};
        case SCARD_E_INSUFFICIENT_BUFFER:
            return {"SCARD_E_INSUFFICIENT_BUFFER", "the buffer for the returned data is too small", K::Other};
        case SCARD_E_UNKNOWN_READER: return {"SCARD_E_UNKNOWN_READER", "the specified reader name is not recognized", K::NoReader};
        case SCARD_E_TIMEOUT: return {"SCARD_E_TIMEOUT", "the user-specified timeout value has expired", K::Timeout};
        case SCARD_E_SHARING_VIOLATION:
            return {"SCARD_E_SHARING_VIOLATION", "the card cannot be accessed because of other connections outstanding", K::Sharing};
        case SCARD_E_NO_SMARTCARD: return {"SCARD_E_NO_SMARTCARD", "no smart card is in the reader", K::NoCard};
        case SCARD_E_UNKNOWN_CARD: return {"SCARD_E_UNKNOWN_CARD", "the specified smart card name is not recognized", K::Other};
        case SCARD_E_CANT_DISPOSE: return {"SCARD_E_CANT_DISPOSE", "the card cannot be disposed of in the requested manner", K::Other};
        case SCARD_E_PROTO_MISMATCH:
            return {"SCARD_E_PROTO_MISMATCH", "the requested protocols are incompatible with the protocol in use with the card", K::Other};
        case SCARD_E_NOT_READY: return {"SCARD_E_NOT_READY", "the reader or card is not ready to accept commands", K::Other};
        case SCARD_E_INVALID_VALUE: return {"SCARD_E_INVALID_VALUE", "one or more of the supplied parameter values could not be interpreted", K::Other};
        case SCARD_E_SYSTEM_CANCELLED:
            return {"SCARD_E_SYSTEM_CANCELLED", "the action was cancelled by the system, presumably to log off or shut down", K::Cancelled};
        case SCARD_F_COMM_ERROR: return {"SCARD_F_COMM_ERROR", "an internal communications error has been detected", K::Other};
        case SCARD_F_UNKNOWN_ERROR: return {"SCARD_F_UNKNOWN_ERROR", "an internal error has been detected, but the source is unknown", K::Other};
        case SCARD_E_INVALID_ATR: return {"SCARD_E_INVALID_ATR", "an ATR obtained from the registry is not a valid ATR string", K::Other};
        case SCARD_E_NOT_TRANSACTED: return {"SCARD_E_NOT_TRANSACTED", "an attempt was made to end a non-existent transaction", K::Other};
        case SCARD_E_READER_UNAVAILABLE:
            return {"SCARD_E_READER_UNAVAILABLE", "the specified reader is not currently available for use", K::NoReader};
        case SCARD_P_SHUTDOWN: return {"SCARD_P_SHUTDOWN", "the operation was aborted to allow the server application to exit", K::NoService};
        case SCARD_E_PCI_TOO_SMALL: return {"SCARD_E_PCI_TOO_SMALL", "the PCI receive buffer was too small", K::Other};
        case SCARD_E_READER_UNSUPPORTED:
            return {"SCARD_E_READER_UNSUPPORTED", "the reader driver does not meet minimal requirements for support", K::NoReader};
        case SCARD_E_DUPLICATE_READER: return {"SCARD_E_DUPLICATE_READER", "the reader driver did not produce a unique reader name", K::NoReader};
        case SCARD_E_CARD_UNSUPPORTED: return {"SCARD_E_CARD_UNSUPPORTED", "the card does not meet minimal requirements for support", K::NoCard};
        case SCARD_E_NO_SERVICE: return {"SCARD_E_NO_SERVICE", "the PC/SC service (pcscd) is not running", K::NoService};
        case SCARD_E_SERVICE_STOPPED: return {"SCARD_E_SERVICE_STOPPED", "the PC/SC service (pcscd) has shut down", K::NoService};
        // pcsc-lite gives SCARD_E_UNEXPECTED and SCARD_E_UNSUPPORTED_FEATURE the same value.
        case SCARD_E_UNSUPPORTED_FEATURE:
            return {"SCARD_E_UNSUPPORTED_FEATURE", "the card or reader does not support the requested feature (or an unexpected card error)", K::Other};
        case SCARD_E_ICC_INSTALLATION: return {"SCARD_E_ICC_INSTALLATION", "no primary provider can be found for the card", K::Other};
        case SCARD_E_ICC_CREATEORDER: return {"SCARD_E_ICC_CREATEORDER", "the requested order of object creation is not supported", K::Other};
        case SCARD_E_DIR_NOT_FOUND: return {"SCARD_E_DIR_NOT_FOUND", "the identified directory does not exist in the card", K::Other};
        case SCARD_E_FILE_NOT_FOUND: return {"SCARD_E_FILE_NOT_FOUND", "the identified file does not exist in the card", K::Other};
        case SCARD_E_NO_DIR: return {"SCARD_E_NO_DIR", "the supplied path does not represent a card directory", K::Other};
        case SCARD_E_NO_FILE: return {"SCARD_E_NO_FILE", "the supplied path does not represent a card file", K::Other};
        case SCARD_E_NO_ACCESS: return {"SCARD_E_NO_ACCESS", "access is denied to this file", K::Other};
        case SCARD_E_WRITE_TOO_MANY: return {"SCARD_E_WRITE_TOO_MANY", "the card does not have enough memory to store the information", K::Other};
        case SCARD_E_BAD_SEEK: return {"SCARD_E_BAD_SEEK", "an error occurred setting the card file object pointer", K::Other};
        case SCARD_E_INVALID_CHV: return {"SCARD_E_INVALID_CHV", "the supplied PIN is incorrect", K::Other};
        case SCARD_E_UNKNOWN_RES_MNG: return {"SCARD_E_UNKNOWN_RES_MNG", "an unrecognized error code was returned from a layered component", K::Other};
        case SCARD_E_NO_SUCH_CERTIFICATE: return {"SCARD_E_NO_SUCH_CERTIFICATE", "the requested certificate does not exist", K::Other};
        case SCARD_E_CERTIFICATE_UNAVAILABLE:
            return {"SCARD_E_CERTIFICATE_UNAVAILABLE", "the requested certificate could not be obtained", K::Other};
        case SCARD_E_NO_READERS_AVAILABLE: return {"SCARD_E_NO_READERS_AVAILABLE", "no smart card reader is available", K::NoReader};
        case SCARD_E_COMM_DATA_LOST:
            return {"SCARD_E_COMM_DATA_LOST", "a communications error with the card has been detected; retry the operation", K::Other};
        case SCARD_E_NO_KEY_CONTAINER: return {"SCARD_E_NO_KEY_CONTAINER", "the requested key container does not exist on the card", K::Other};
        case SCARD_E_SERVER_TOO_BUSY: return {"SCARD_E_SERVER_TOO_BUSY", "the PC/SC service is too busy to complete this operation", K::Other};
        case SCARD_W_UNSUPPORTED_CARD:
            return {"SCARD_W_UNSUPPORTED_CARD", "the reader cannot communicate with the card because of ATR configuration conflicts", K::NoCard};
        case SCARD_W_UNRESPONSIVE_CARD: return {"SCARD_W_UNRESPONSIVE_CARD", "the card is not responding to a reset", K::NoCard};
        case SCARD_W_UNPOWERED_CARD: return {"SCARD_W_UNPOWERED_CARD", "power has been removed from the card", K::NoCard};
        case SCARD_W_RESET_CARD: return {"SCARD_W_RESET_CARD", "the card has been reset, so any shared state information is invalid", K::CardReset};
        case SCARD_W_REMOVED_CARD: return {"SCARD_W_REMOVED_CARD", "the card has been removed", K::NoCard};
        case SCARD_W_SECURITY_VIOLATION: return {"SCARD_W_SECURITY_VIOLATION", "access was denied because of a security violation", K::Other};
        case SCARD_W_WRONG_CHV: return {"SCARD_W_WRONG_CHV", "the card cannot be accessed because the wrong PIN was presented", K::Other};
        case SCARD_W_CHV_BLOCKED: return {"SCARD_W_CHV_BLOCKED", "the maximum number of PIN entry attempts has been reached", K::Other};
        case SCARD_W_EOF: return {"SCARD_W_EOF", "the end of the card file has been reached", K::Other};
        case SCARD_W_CANCELLED_BY_USER: return {"SCARD_W_CANCELLED_BY_USER", "the user pressed Cancel on a card selection dialog", K::Cancelled};
        case SCARD_W_CARD_NOT_AUTHENTICATED: return {"SCARD_W_CARD_NOT_AUTHENTICATED", "no PIN was presented to the card", K::Other};
        default: return {"SCARD_?", "unknown PC/SC result code", K::Other};
    }
}

namespace {
std::string pcsc_message(const std::string& call, long code, const std::string& context) {
    const PcscCodeInfo info = pcsc_code_info(code);
    std::string message = call + ": " + info.name + " (" + info.meaning + ")";
    if (info.kind == PcscFailure::Other && std::string_view(info.name) == "SCARD_?") {
        char hex[24];
        std::snprintf(hex, sizeof hex, " 0x%08lX", static_cast<unsigned long>(code));
        message += hex;
    }
    if (!context.empty()) message += ": " + context;
    return message;
}
}  // namespace

PcscError::PcscError(const std::string& call, long code, const std::string& context)
    : TransportError(pcsc_message(call, code, context)), code_(code) {}

void throw_pcsc_error(const std::string& call, long code, const std::string& context) {
    switch (pcsc_code_info(code).kind) {
        case PcscFailure::NoService: throw PcscNoServiceError(call, code, context);
        case PcscFailure::NoReader: throw PcscNoReaderError(call, code, context);
        case PcscFailure::NoCard: throw PcscNoCardError(call, code, context);
        case PcscFailure::CardReset: throw PcscCardResetError(call, code, context);
        case PcscFailure::Sharing: throw PcscSharingError(call, code, context);
        case PcscFailure::Timeout: throw PcscTimeoutError(call, code, context);
        case PcscFailure::Success:
        case PcscFailure::Cancelled:
        case PcscFailure::Other: break;
    }
    throw PcscError(call, code, context);
}

}  // namespace simkit

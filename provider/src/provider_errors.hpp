// Errors of the provider go to OpenSSL's error queue through the core's upcalls, with a reason of
// our own and a message that says what failed; a card's status word is named in it (SwError's text,
// e.g. "6A88 referenced data not found"). No C++ exception leaves a provider function.
#pragma once

#include <exception>
#include <string>

#include "simkit/errors.hpp"

namespace simkit::provider {

struct ProviderContext;

enum Reason : int {
    kReasonBadKeyUri = 1,
    kReasonCardStatus,       // the card answered a status word other than 9000
    kReasonCardUnreachable,  // the card URI cannot be opened, the card left, the transport failed
    kReasonPinRequired,
    kReasonPinRejected,
    kReasonNoKey,
    kReasonUnsupported,
    kReasonInternal,
};

// A PIN-bound key was loaded without a PIN.
class PinRequired : public Error {
public:
    using Error::Error;
};

// The reason strings the core shows (OSSL_FUNC_PROVIDER_GET_REASON_STRINGS).
const void* reason_strings();

// Puts one error on OpenSSL's queue: "simkit: <message>".
void raise_error(const ProviderContext* ctx, int reason, const std::string& message);

// Puts the exception in flight on the queue, with the reason its type implies; `doing` prefixes the
// message ("signing with slot 1 on sim:card.state"). Call from a catch (...) block.
void raise_current_exception(const ProviderContext* ctx, const std::string& doing);

// Runs `body` and returns its result; an exception becomes an error on the queue and `failed`.
template <class T, class Body>
T guarded(const ProviderContext* ctx, const std::string& doing, T failed, Body&& body) noexcept {
    try {
        return body();
    } catch (...) {
        raise_current_exception(ctx, doing);
        return failed;
    }
}

}  // namespace simkit::provider

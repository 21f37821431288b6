// The exception types of simkit. Card errors carry the status word and its ISO/GP meaning;
// everything else says what failed. The C API turns these into return codes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace simkit {

// Base of every simkit exception.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Malformed input: hex, APDU bytes, TLV, card URI.
class FormatError : public Error {
public:
    using Error::Error;
};

// Illegal arguments to a constructor or call (names the argument).
class ArgumentError : public Error {
public:
    using Error::Error;
};

// A status word other than success. Thrown by applet handlers on the card (the runtime turns it
// into the two trailing bytes) and by host code that demands success.
class SwError : public Error {
public:
    explicit SwError(uint16_t sw, const std::string& context = "");
    uint16_t sw() const noexcept { return sw_; }

private:
    uint16_t sw_;
};

// The card URI cannot be opened (unknown scheme, transport not built, reader absent...).
class TransportError : public Error {
public:
    using Error::Error;
};

// Persistent card state cannot be read or written (corrupt, truncated, I/O failure).
class StateError : public Error {
public:
    using Error::Error;
};

// A secure channel (SCP03/SCP02) failed: a card cryptogram that does not match (wrong key or KVN),
// a response MAC that does not verify, a session the card ended. The session is unusable after it.
class SecureChannelError : public Error {
public:
    using Error::Error;
};

// An OpenSSL call failed; the message names the call and OpenSSL's error string.
class CryptoError : public Error {
public:
    using Error::Error;
};

}  // namespace simkit

// What every part of the simkit Python module shares: the card state behind a Python Card (one
// mutex per card, taken after the GIL is released), conversions between Python objects and simkit
// bytes (bytes-like or hex text), and the registration functions of each area.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/scp_session.hpp"

namespace py = pybind11;

namespace simkit::python {

// A Card used after close() (or a secure channel after its card or itself was closed).
class ClosedError : public Error {
public:
    using Error::Error;
};

// A failed personalization of one card (simkit.personalize with check=True): the record's error.
class PersonalizationFailed : public Error {
public:
    PersonalizationFailed(const std::string& message, std::string record_json)
        : Error(message), record_json_(std::move(record_json)) {}
    const std::string& record_json() const noexcept { return record_json_; }

private:
    std::string record_json_;
};

struct SessionState;

// One opened card. Everything that talks to it (Card methods, its key store, its secure channels)
// holds `mutex` while doing so, with the GIL released. Members are destroyed in reverse order: the
// key store and the sessions before the card they use.
// A secure channel holds the card for the thread that opened it, as ScpSession holds
// Card::exclusive() against other applications: until it closes, other threads' calls on the card
// wait (an APDU of theirs on the basic channel would end the card's side of the session).
struct CardState {
    std::mutex mutex;
    std::condition_variable released;  // notified when `holds` drops to 0
    std::thread::id holder;            // the thread whose secure channels hold the card
    int holds = 0;                     // secure channels open
    std::string uri;
    std::unique_ptr<Card> card;
    std::unique_ptr<KeyStore> keystore;               // lazily opened on its own logical channel
    std::vector<std::weak_ptr<SessionState>> sessions; // the secure channels opened on this card

    ~CardState();
    // Ends the sessions, the key store and the card; the mutex must be held.
    void close_locked() noexcept;
    // Ends every secure channel of the card (and their hold); the mutex must be held.
    void end_sessions_locked() noexcept;
    // The card, or ClosedError.
    Card& require_card();
    // The key store on its own logical channel (so SELECTs on the basic channel, secure channels and
    // resets of other code do not deselect it, and a verified PIN stays verified); mutex held.
    KeyStore& require_keystore();
};
using CardPtr = std::shared_ptr<CardState>;

// One secure channel (SCP03/SCP02) on a card.
struct SessionState {
    CardPtr card;
    std::unique_ptr<ScpSession> session;
    std::string protocol_name;  // "scp03" / "scp02"
    std::vector<std::pair<bytes, bytes>> handshake;  // wire exchanges while opening
    std::optional<std::pair<bytes, bytes>> last_wrapped;
    bool holding = false;  // counted in card->holds

    ~SessionState();
    // Ends the session and gives up its hold on the card; the card's mutex must be held.
    void end_locked() noexcept;
};

// Runs `f()` with the GIL released and the card's mutex held, once no other thread's secure
// channel holds the card.
template <typename F>
auto with_card_lock(CardState& state, F&& f) {
    py::gil_scoped_release release;
    std::unique_lock<std::mutex> lock(state.mutex);
    state.released.wait(lock, [&] { return state.holds == 0 || state.holder == std::this_thread::get_id(); });
    return f();
}
// The same without waiting for a hold: a secure channel's own commands, close(), state queries.
template <typename F>
auto with_card_lock_nowait(CardState& state, F&& f) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(state.mutex);
    return f();
}

// Bytes from a bytes-like object (bytes, bytearray, memoryview) or hex text ("A0 00 00", "a000:00",
// an optional 0x prefix). ValueError naming `what` otherwise.
bytes arg_bytes(const py::handle& value, const char* what);
secure_bytes arg_secret(const py::handle& value, const char* what);
// The same with a required length (ValueError naming `what` and the length).
bytes arg_bytes(const py::handle& value, const char* what, std::size_t length);
secure_bytes arg_secret(const py::handle& value, const char* what, std::size_t length);
// Digits of a PIN/PUK: str or bytes.
secure_bytes arg_pin(const py::handle& value, const char* what);
// One byte as an int 0..255 or two hex digits ("30"); ValueError otherwise.
uint8_t arg_byte(const py::handle& value, const char* what);

py::bytes to_py(const bytes& data);
py::bytes to_py(const secure_bytes& data);

// Registration of each area (one file each). The Card class is made by register_card; the other
// areas add their classes and their Card methods (card.scp03, card.keystore, card.aka ...).
using CardClass = py::class_<CardState, CardPtr>;
void register_errors(py::module_& m);
CardClass register_card(py::module_& m);
void register_secure_channel(py::module_& m, CardClass& card);
void register_keystore(py::module_& m, CardClass& card);
void register_usim(py::module_& m, CardClass& card);
void register_crypto(py::module_& m);
void register_personalize(py::module_& m);

// The Python Card wrapper's state from an argument that is a Card or a URI string.
CardPtr card_from(const py::handle& card_or_uri, bool& opened_here);

}  // namespace simkit::python

// What the opaque C handles hold, and the one border where C++ exceptions become C return codes
// (run_guarded / guarded_on_card). Every simkit_* entry point runs its body through one of them, so
// no exception ever crosses into C. Internal to simkit_capi.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "simkit.h"
#include "simkit/card.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/scp_session.hpp"

namespace simkit::capi {

// A failure the C API itself detects (NULL argument, short buffer...): thrown inside a body, turned
// into `code` and `message` by the guard.
struct Failure {
    int code;
    std::string message;
};

// A last-error text that never throws when set: if the message cannot be copied (out of memory)
// a fixed text stands in for it.
class ErrorText {
public:
    void set(const std::string& text) noexcept;
    void set_fixed(const char* text) noexcept;
    const char* c_str() const noexcept { return fixed_ != nullptr ? fixed_ : text_.c_str(); }

private:
    std::string text_;
    const char* fixed_ = nullptr;
};

// One open card, shared by its C handle and its secure channel handles (which may outlive it: a
// session of a closed card reports SIMKIT_E_INVALID_HANDLE). Every field is guarded by `mutex`.
struct CardState {
    std::mutex mutex;
    std::optional<Card> card;            // empty once simkit_close ran
    std::unique_ptr<KeyStore> keystore;  // opened on first use, on its own logical channel
    std::vector<simkit_scp*> sessions;   // open secure channels, ended by simkit_close
    ErrorText last_error;
    uint16_t last_sw = 0;
};

}  // namespace simkit::capi

// The C handles.
struct simkit_card {
    std::shared_ptr<simkit::capi::CardState> state;
};

struct simkit_scp {
    std::shared_ptr<simkit::capi::CardState> state;
    std::unique_ptr<simkit::ScpSession> session;  // empty once its card was closed
};

namespace simkit::capi {

// The calling thread's last failure (simkit_last_error(NULL)).
ErrorText& thread_last_error() noexcept;
// Records `message` as the last failure of the thread and, when `state` is given, of the card.
void record_fixed(CardState* state, const char* message) noexcept;

// Called inside a catch block: turns the exception being handled into a return code and records
// its message for the thread and, when `state` is given, for the card (whose mutex the caller holds).
int record_current_exception(CardState* state) noexcept;

// Runs `body` (returning SIMKIT_OK or throwing); every exception becomes a code.
template <typename Body>
int run_guarded(CardState* state, Body&& body) noexcept {
    try {
        return body();
    } catch (...) {
        return record_current_exception(state);
    }
}

// Locks the card's mutex held by `lock`; false (recorded as an internal error) in the practically
// impossible case that std::mutex::lock throws, so that no exception leaves an entry point.
bool lock_card(std::unique_lock<std::mutex>& lock) noexcept;

// After a transport failure the key store's logical channel may be gone: it is selected afresh.
void forget_channels_after(CardState& state, int code) noexcept;

// Locks the card's mutex and runs `body(state, card)` guarded; SIMKIT_E_INVALID_HANDLE for NULL.
template <typename Body>
int guarded_on_card(simkit_card* handle, Body&& body) noexcept {
    if (handle == nullptr || !handle->state) {
        thread_last_error().set_fixed("card handle is NULL (closed or never opened)");
        return SIMKIT_E_INVALID_HANDLE;
    }
    CardState& state = *handle->state;
    std::unique_lock<std::mutex> lock(state.mutex, std::defer_lock);
    if (!lock_card(lock)) return SIMKIT_E_INTERNAL;
    if (!state.card) {  // cannot happen while the handle exists; kept for safety
        record_fixed(&state, "card is closed");
        return SIMKIT_E_INVALID_HANDLE;
    }
    const int code = run_guarded(&state, [&] { return body(state, *state.card); });
    forget_channels_after(state, code);
    return code;
}

// The int a C caller passed for an enum parameter. C lets any int through, but in C++ reading an
// enum object whose value lies outside the enumerators' range is undefined (UBSan: "load of value
// 7, which is not a valid value"), so the parameter's bytes are read as the int C gave.
template <typename Enum>
int enum_value(const Enum& value) noexcept {
    static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
    int raw = 0;
    std::memcpy(&raw, &value, sizeof raw);
    return raw;
}

// Throws Failure(SIMKIT_E_INVALID_ARGUMENT) naming `name` when `pointer` is NULL.
void require(const void* pointer, const char* name);
// Checks an output buffer pair before use: out_len not NULL, out not NULL unless *out_len is 0.
void require_buffer(const uint8_t* out, const size_t* out_len, const char* name);
// Copies `data` to the caller's buffer, or throws Failure(SIMKIT_E_BUFFER_TOO_SMALL) after setting
// *out_len to the length needed.
void copy_out(const uint8_t* data, std::size_t size, uint8_t* out, size_t* out_len, const char* name);

// The key store of the card, selected on first use on its own logical channel (so raw APDUs and
// secure channels on the basic channel do not disturb it).
KeyStore& keystore_of(CardState& state);

}  // namespace simkit::capi

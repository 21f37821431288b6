// The border between C++ and C: exceptions become return codes with a recorded message, last-error
// storage per card and per thread, and the output-buffer checks every function shares.
#include <cstring>
#include <new>

#include "capi_state.hpp"
#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"

namespace simkit::capi {

namespace {

// Card errors name the status word and its meaning; PinError's own text ("PIN wrong: 2 tries left
// (63C2)") gets the meaning added.
std::string card_error_message(const SwError& e) {
    std::string message = e.what();
    const std::string described = describe_sw(e.sw());
    if (message.find(described) == std::string::npos) message += " [" + described + "]";
    return message;
}

void record(CardState* state, const std::string& message) noexcept {
    thread_last_error().set(message);
    if (state != nullptr) state->last_error.set(message);
}

int record_card_error(CardState* state, const SwError& e) noexcept {
    if (state != nullptr) state->last_sw = e.sw();
    try {
        record(state, card_error_message(e));
    } catch (...) {
        record(state, e.what());
    }
    return SIMKIT_E_CARD;
}

}  // namespace

void ErrorText::set(const std::string& text) noexcept {
    try {
        text_ = text;
        fixed_ = nullptr;
    } catch (...) {
        set_fixed("out of memory (while recording an error message)");
    }
}

void ErrorText::set_fixed(const char* text) noexcept {
    fixed_ = text;
}

ErrorText& thread_last_error() noexcept {
    thread_local ErrorText text;
    return text;
}

void record_fixed(CardState* state, const char* message) noexcept {
    thread_last_error().set_fixed(message);
    if (state != nullptr) state->last_error.set_fixed(message);
}

int record_current_exception(CardState* state) noexcept {
    try {
        throw;
    } catch (const Failure& e) {
        record(state, e.message);
        return e.code;
    } catch (const SwError& e) {  // PinError too
        return record_card_error(state, e);
    } catch (const SecureChannelError& e) {
        record(state, e.what());
        return SIMKIT_E_SECURE_CHANNEL;
    } catch (const TransportError& e) {
        record(state, e.what());
        return SIMKIT_E_TRANSPORT;
    } catch (const StateError& e) {
        record(state, e.what());
        return SIMKIT_E_TRANSPORT;
    } catch (const FormatError& e) {
        record(state, e.what());
        return SIMKIT_E_INVALID_ARGUMENT;
    } catch (const ArgumentError& e) {
        record(state, e.what());
        return SIMKIT_E_INVALID_ARGUMENT;
    } catch (const std::bad_alloc&) {
        record_fixed(state, "out of memory");
        return SIMKIT_E_NO_MEMORY;
    } catch (const std::exception& e) {
        record(state, std::string("internal error: ") + e.what());
        return SIMKIT_E_INTERNAL;
    } catch (...) {
        record_fixed(state, "internal error: unknown exception");
        return SIMKIT_E_INTERNAL;
    }
}

bool lock_card(std::unique_lock<std::mutex>& lock) noexcept {
    try {
        lock.lock();
        return true;
    } catch (...) {
        thread_last_error().set_fixed("internal error: cannot lock the card's mutex");
        return false;
    }
}

void forget_channels_after(CardState& state, int code) noexcept {
    if (code == SIMKIT_E_TRANSPORT) state.keystore.reset();
}

void require(const void* pointer, const char* name) {
    if (pointer == nullptr) throw Failure{SIMKIT_E_INVALID_ARGUMENT, std::string(name) + " is NULL"};
}

void require_buffer(const uint8_t* out, const size_t* out_len, const char* name) {
    if (out_len == nullptr) throw Failure{SIMKIT_E_INVALID_ARGUMENT, std::string(name) + " length pointer is NULL"};
    if (out == nullptr && *out_len != 0) {
        throw Failure{SIMKIT_E_INVALID_ARGUMENT, std::string(name) + " is NULL but its length is not 0"};
    }
}

void copy_out(const uint8_t* data, std::size_t size, uint8_t* out, size_t* out_len, const char* name) {
    if (*out_len < size) {
        const std::size_t given = *out_len;
        *out_len = size;
        throw Failure{SIMKIT_E_BUFFER_TOO_SMALL, std::string(name) + " buffer too small: " + std::to_string(size) +
                                                     " bytes needed, " + std::to_string(given) + " given"};
    }
    if (size != 0) std::memcpy(out, data, size);
    *out_len = size;
}

}  // namespace simkit::capi

using simkit::capi::thread_last_error;

extern "C" const char* simkit_strerror(int code) {
    switch (code) {
        case SIMKIT_OK: return "success";
        case SIMKIT_E_INVALID_ARGUMENT: return "invalid argument";
        case SIMKIT_E_BUFFER_TOO_SMALL: return "buffer too small";
        case SIMKIT_E_TRANSPORT: return "transport error: the card cannot be reached";
        case SIMKIT_E_CARD: return "card error: the card answered an error status word";
        case SIMKIT_E_SECURE_CHANNEL: return "secure channel error";
        case SIMKIT_E_INVALID_HANDLE: return "invalid handle: NULL, closed, or its card was closed";
        case SIMKIT_E_NO_MEMORY: return "out of memory";
        case SIMKIT_E_INTERNAL: return "internal error";
        default: return "unknown simkit error code";
    }
}

// Read under the card's mutex; the text returned stays valid until the next failure on the card,
// which is why simkit.h calls it meaningful when one thread drives the card.
extern "C" const char* simkit_last_error(const simkit_card* card) {
    if (card == nullptr || !card->state) return thread_last_error().c_str();
    std::unique_lock<std::mutex> lock(card->state->mutex, std::defer_lock);
    if (!simkit::capi::lock_card(lock)) return thread_last_error().c_str();
    return card->state->last_error.c_str();
}

extern "C" uint16_t simkit_last_sw(const simkit_card* card) {
    if (card == nullptr || !card->state) return 0;
    std::unique_lock<std::mutex> lock(card->state->mutex, std::defer_lock);
    if (!simkit::capi::lock_card(lock)) return 0;
    return card->state->last_sw;
}

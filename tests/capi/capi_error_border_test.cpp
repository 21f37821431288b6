// C API: the exception-to-code border (hostlib/capi/src/capi_state.hpp run_guarded) for every
// exception the host library throws, including std::bad_alloc, which the C tests cannot provoke.
// Truth: the code table in simkit.h and the status-word texts the README documents ("6982
// security status not satisfied"); the property that the thread's last error is its own.
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

#include "capi_state.hpp"
#include "simkit/errors.hpp"

namespace {

int failures = 0;

void check(bool condition, const char* what, int line) {
    if (!condition) {
        std::fprintf(stderr, "capi_error_border_test.cpp:%d: CHECK failed: %s\n", line, what);
        ++failures;
    }
}
#define CHECK(cond) check((cond), #cond, __LINE__)

bool last_error_has(const char* text) { return std::strstr(simkit_last_error(nullptr), text) != nullptr; }

template <typename Exception>
int throw_through_border(simkit::capi::CardState* state, const Exception& e) {
    return simkit::capi::run_guarded(state, [&]() -> int { throw e; });
}

}  // namespace

int main() {
    using namespace simkit;
    capi::CardState state;

    CHECK(throw_through_border(&state, std::bad_alloc()) == SIMKIT_E_NO_MEMORY);
    CHECK(last_error_has("out of memory"));
    CHECK(std::strcmp(state.last_error.c_str(), "out of memory") == 0);

    CHECK(throw_through_border(&state, SwError(0x6982, "GET DATA")) == SIMKIT_E_CARD);
    CHECK(state.last_sw == 0x6982);
    CHECK(last_error_has("6982 security status not satisfied"));
    CHECK(std::strstr(state.last_error.c_str(), "GET DATA") != nullptr);

    CHECK(throw_through_border(&state, PinError(0x63C1, "PIN")) == SIMKIT_E_CARD);
    CHECK(state.last_sw == 0x63C1);
    CHECK(last_error_has("63C1"));
    CHECK(last_error_has("1 try left") || last_error_has("1 tries left"));

    CHECK(throw_through_border(&state, SecureChannelError("card cryptogram does not match")) ==
          SIMKIT_E_SECURE_CHANNEL);
    CHECK(throw_through_border(&state, TransportError("reader gone")) == SIMKIT_E_TRANSPORT);
    CHECK(throw_through_border(&state, StateError("state file truncated")) == SIMKIT_E_TRANSPORT);
    CHECK(throw_through_border(&state, FormatError("bad hex")) == SIMKIT_E_INVALID_ARGUMENT);
    CHECK(throw_through_border(&state, ArgumentError("level")) == SIMKIT_E_INVALID_ARGUMENT);
    CHECK(throw_through_border(&state, CryptoError("EVP_DigestSign failed")) == SIMKIT_E_INTERNAL);
    CHECK(last_error_has("EVP_DigestSign failed"));
    CHECK(throw_through_border(&state, std::logic_error("oops")) == SIMKIT_E_INTERNAL);
    CHECK(throw_through_border(&state, 42) == SIMKIT_E_INTERNAL);
    CHECK(last_error_has("unknown exception"));
    CHECK(throw_through_border(nullptr, capi::Failure{SIMKIT_E_BUFFER_TOO_SMALL, "out buffer too small"}) ==
          SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(last_error_has("out buffer too small"));
    CHECK(std::strstr(state.last_error.c_str(), "unknown exception") != nullptr);  // no state given: unchanged

    // Another thread's failure is not this thread's last error.
    std::thread other([] { throw_through_border(nullptr, TransportError("elsewhere")); });
    other.join();
    CHECK(last_error_has("out buffer too small"));

    if (failures != 0) {
        std::fprintf(stderr, "capi_error_border_test: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("capi_error_border_test: all checks passed\n");
    return 0;
}

// The logger (see log.hpp). The level is process-wide configuration, set once by a program's main.
#include "simkit/core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "simkit/errors.hpp"

namespace simkit::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::Warn)};
std::mutex g_write_mutex;
const char* const kNames[] = {"error", "warn", "info", "debug", "trace"};
}  // namespace

Level parse_level(std::string_view name) {
    for (int i = 0; i < 5; ++i) {
        if (name == kNames[i]) return static_cast<Level>(i);
    }
    throw ArgumentError("log level '" + std::string(name) + "' is not one of error, warn, info, debug, trace");
}

void set_level(Level level) { g_level.store(static_cast<int>(level)); }
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level l) { return static_cast<int>(l) <= g_level.load(); }

void write(Level l, std::string_view component, const std::string& message) {
    if (!enabled(l)) return;
    std::lock_guard<std::mutex> lock(g_write_mutex);
    std::fprintf(stderr, "simkit[%.*s] %s: %s\n", static_cast<int>(component.size()), component.data(),
                 kNames[static_cast<int>(l)], message.c_str());
    std::fflush(stderr);
}

}  // namespace simkit::log

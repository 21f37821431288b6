// One small logger with levels, to stderr. APDU traces go through apdu_trace.hpp masking first.
#pragma once

#include <string>
#include <string_view>

namespace simkit::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

// Parses "error|warn|info|debug|trace"; throws ArgumentError otherwise.
Level parse_level(std::string_view name);
void set_level(Level level);
Level level();
bool enabled(Level level);
// Writes "simkit[<component>] <level>: <message>" when the level is enabled. Thread-safe.
void write(Level level, std::string_view component, const std::string& message);

inline void error(std::string_view c, const std::string& m) { write(Level::Error, c, m); }
inline void warn(std::string_view c, const std::string& m) { write(Level::Warn, c, m); }
inline void info(std::string_view c, const std::string& m) { write(Level::Info, c, m); }
inline void debug(std::string_view c, const std::string& m) { write(Level::Debug, c, m); }

}  // namespace simkit::log

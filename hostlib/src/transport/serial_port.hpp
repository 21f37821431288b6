// A serial device (or pty) opened in raw mode at a given baud rate, as an RAII handle with
// deadline-bound reads and writes: nothing here can block forever.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "simkit/errors.hpp"
#include "simkit/core/unique_fd.hpp"

namespace simkit {

class SerialPort {
public:
    using Clock = std::chrono::steady_clock;

    // Opens `device` (O_NOCTTY, non-blocking, flock: one simkit client per line), sets raw 8N1 at
    // `baud` without flow control.
    // Throws TransportError naming the device (missing, not a terminal, unsupported baud).
    SerialPort(const std::string& device, unsigned baud);
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    // Writes all of `data` before `deadline`; returns false when the deadline passed first.
    bool write_all(std::string_view data, Clock::time_point deadline);
    // Waits until bytes arrive or `deadline` passes; returns what arrived (empty on timeout).
    std::string read_some(Clock::time_point deadline);
    // Drops bytes received but not read (stale answers, URCs).
    void discard_input();

    const std::string& device() const noexcept { return device_; }

private:
    TransportError io_failure(const char* action, int error) const;

    std::string device_;
    UniqueFd fd_;
};

// True when `baud` is a rate termios knows (9600 ... 4000000).
bool is_supported_baud(unsigned baud);

}  // namespace simkit

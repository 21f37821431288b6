// Serial device in raw mode (see serial_port.hpp).
#include "transport/serial_port.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "simkit/errors.hpp"

namespace simkit {

namespace {
struct BaudEntry {
    unsigned rate;
    speed_t code;
};
constexpr BaudEntry kBauds[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},   {921600, B921600},
    {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000},
    {3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

speed_t baud_code(unsigned baud) {
    for (const auto& entry : kBauds) {
        if (entry.rate == baud) return entry.code;
    }
    throw TransportError("baud rate " + std::to_string(baud) + " is not supported (9600 ... 4000000)");
}

int milliseconds_until(SerialPort::Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SerialPort::Clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > 60000 ? 60000 : static_cast<int>(left.count()) + 1;
}
}  // namespace

bool is_supported_baud(unsigned baud) {
    for (const auto& entry : kBauds) {
        if (entry.rate == baud) return true;
    }
    return false;
}

SerialPort::SerialPort(const std::string& device, unsigned baud) : device_(device) {
    const speed_t speed = baud_code(baud);
    fd_ = UniqueFd(::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (!fd_.valid()) throw TransportError("cannot open modem device " + device + ": " + std::strerror(errno));
    // One conversation per line: a second simkit client would interleave its AT commands with ours.
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        throw TransportError("modem device " + device + " is in use by another simkit client" +
                             (errno == EWOULDBLOCK ? std::string() : std::string(": ") + std::strerror(errno)));
    }
    struct termios tio {};
    if (!::isatty(fd_.get()) || ::tcgetattr(fd_.get(), &tio) != 0) {
        const std::string reason = std::strerror(errno);
        throw TransportError("modem device " + device + " is not a serial terminal: " + reason);
    }
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS | CSTOPB);
    tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 || ::tcsetattr(fd_.get(), TCSANOW, &tio) != 0) {
        const std::string reason = std::strerror(errno);
        throw TransportError("cannot set raw mode at " + std::to_string(baud) + " baud on " + device + ": " + reason);
    }
}

TransportError SerialPort::io_failure(const char* action, int error) const {
    // EIO on a tty: the other side hung up (pty master closed, USB modem unplugged), whichever
    // direction noticed it first.
    if (error == EIO) return TransportError("modem " + device_ + " went away (input/output error)");
    return TransportError(std::string(action) + " modem " + device_ + " failed: " + std::strerror(error));
}

bool SerialPort::write_all(std::string_view data, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::write(fd_.get(), data.data() + sent, data.size() - sent);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) throw io_failure("write to", errno);
        const int wait = milliseconds_until(deadline);
        if (wait == 0) return false;
        struct pollfd pfd {fd_.get(), POLLOUT, 0};
        if (::poll(&pfd, 1, wait) < 0 && errno != EINTR) {
            throw TransportError("poll on modem " + device_ + " failed: " + std::strerror(errno));
        }
    }
    return true;
}

std::string SerialPort::read_some(Clock::time_point deadline) {
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
        if (n > 0) return std::string(buffer, static_cast<std::size_t>(n));
        if (n < 0 && errno != EAGAIN && errno != EINTR) throw io_failure("read from", errno);
        const int wait = milliseconds_until(deadline);
        if (wait == 0) return {};
        struct pollfd pfd {fd_.get(), POLLIN, 0};
        const int ready = ::poll(&pfd, 1, wait);
        if (ready < 0 && errno != EINTR) {
            throw TransportError("poll on modem " + device_ + " failed: " + std::strerror(errno));
        }
        if (ready > 0 && (pfd.revents & (POLLERR | POLLNVAL)) != 0) {
            throw TransportError("modem " + device_ + " went away");
        }
        if (ready > 0 && (pfd.revents & POLLIN) == 0 && (pfd.revents & POLLHUP) != 0) {
            // Hung up (pty master closed): nothing will ever arrive; let the deadline decide.
            ::poll(nullptr, 0, wait > 50 ? 50 : wait);
        }
    }
}

void SerialPort::discard_input() { ::tcflush(fd_.get(), TCIFLUSH); }

}  // namespace simkit

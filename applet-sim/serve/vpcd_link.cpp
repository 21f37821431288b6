// The card's TCP link to pcscd's vpcd driver (see vpcd_link.hpp): connect, serve frames, and
// reconnect with backoff whenever vpcd goes away. Every wait is a poll of at most kPollMs, so a
// stop request is seen within half a second.
#include "serve/vpcd_link.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "serve/vpcd_frame.hpp"
#include "simkit/core/decimal.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/unique_fd.hpp"
#include "simkit/core/log.hpp"

namespace simkit::sim {

namespace {

constexpr int kPollMs = 200;
constexpr int kConnectTimeoutMs = 2000;
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

std::string errno_text(int err) { return std::strerror(err); }

using Socket = UniqueFd;

void set_int_option(int fd, int level, int name, const char* what) {
    const int one = 1;
    if (::setsockopt(fd, level, name, &one, sizeof one) != 0) {
        log::warn("vpcd", std::string("setsockopt(") + what + ") failed: " + errno_text(errno));
    }
}

// Debian's vpcd writes a frame's length and payload with two send() calls: without an immediate
// ACK its Nagle wait meets our delayed ACK and every APDU costs ~40 ms. Quick-ACK mode ends after
// a while, so it is re-armed after every receive.
void rearm_quickack(int fd) {
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

// Waits up to kPollMs for `events`; false on timeout or EINTR (the caller loops and checks stop).
bool wait_for(int fd, short events, int timeout_ms = kPollMs) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0 && errno != EINTR) throw TransportError("poll on the vpcd socket failed: " + errno_text(errno));
    return rc > 0;
}

// Non-blocking connect to one resolved address, waiting at most kConnectTimeoutMs.
std::optional<Socket> connect_address(const addrinfo& address, const std::atomic<bool>& stop, std::string& why) {
    Socket socket(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol));
    if (socket.get() < 0) {
        why = "socket: " + errno_text(errno);
        return std::nullopt;
    }
    if (::connect(socket.get(), address.ai_addr, address.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            why = errno_text(errno);
            return std::nullopt;
        }
        for (int waited = 0; !wait_for(socket.get(), POLLOUT); waited += kPollMs) {
            if (stop.load() || waited >= kConnectTimeoutMs) {
                why = "timed out";
                return std::nullopt;
            }
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err != 0) {
            why = errno_text(err);
            return std::nullopt;
        }
    }
    set_int_option(socket.get(), IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    rearm_quickack(socket.get());
    return socket;
}

std::optional<Socket> connect_to_vpcd(const VpcdOptions& options, const std::atomic<bool>& stop, std::string& why) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(options.port);
    const int rc = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        why = std::string("cannot resolve host: ") + ::gai_strerror(rc);
        return std::nullopt;
    }
    std::optional<Socket> socket;
    for (const addrinfo* a = found; a != nullptr && !socket && !stop.load(); a = a->ai_next) {
        socket = connect_address(*a, stop, why);
    }
    ::freeaddrinfo(found);
    return socket;
}

// Sends all of `frame`, waiting for buffer space in kPollMs slices. False when the peer is gone.
bool send_all(int fd, const bytes& frame, const std::atomic<bool>& stop) {
    std::size_t sent = 0;
    while (sent < frame.size()) {
        const ssize_t n = ::send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (stop.load()) return false;
            wait_for(fd, POLLOUT);
        } else {
            log::warn("vpcd", "sending to vpcd failed: " + errno_text(errno));
            return false;
        }
    }
    return true;
}

// Serves one connection until the peer leaves or `stop`. Returns true when stopped.
bool serve_connection(int fd, SharedCard& card, const std::atomic<bool>& stop) {
    vpcd::FrameReader reader;
    uint8_t buffer[4096];
    while (!stop.load()) {
        if (!wait_for(fd, POLLIN)) continue;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
        if (n <= 0) {
            const std::string how = n == 0 ? "closed the connection" : "connection failed: " + errno_text(errno);
            if (reader.mid_frame()) {
                log::warn("vpcd", "vpcd " + how + " in the middle of a frame (" + std::to_string(reader.buffered()) +
                                      " bytes dropped)");
            } else {
                log::info("vpcd", "vpcd " + how);
            }
            return false;
        }
        rearm_quickack(fd);
        reader.feed(buffer, static_cast<std::size_t>(n));
        while (auto payload = reader.next()) {
            const auto answer = vpcd::answer_message(card, *payload);
            if (!answer) continue;
            const auto frame = vpcd::encode_frame(*answer);
            if (!frame || !send_all(fd, *frame, stop)) return stop.load();
        }
    }
    return true;
}

// Sleeps `duration` in short slices; false when stopped meanwhile.
bool sleep_unless_stopped(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!stop.load()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(kPollMs)));
    }
    return false;
}

}  // namespace

VpcdOptions parse_vpcd_address(const std::string& text) {
    VpcdOptions options;
    std::string port_text = text;
    if (!text.empty() && text.front() == '[') {  // [IPv6]:PORT
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw ArgumentError("--vpcd '" + text + "' is not [IPV6]:PORT");
        }
        options.host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        options.host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    if (options.host.empty()) throw ArgumentError("--vpcd '" + text + "' names no host (HOST:PORT)");
    const unsigned long port = parse_decimal(port_text, 5).value_or(0);
    if (port < 1 || port > 65535) {
        throw ArgumentError("--vpcd '" + text + "': port must be a number 1..65535 (HOST:PORT or PORT)");
    }
    options.port = static_cast<uint16_t>(port);
    return options;
}

void run_vpcd_link(SharedCard& card, const VpcdOptions& options, const std::atomic<bool>& stop) {
    const std::string where = options.host + ":" + std::to_string(options.port);
    auto backoff = kFirstBackoff;
    std::string last_failure;
    while (!stop.load()) {
        std::string why;
        auto socket = connect_to_vpcd(options, stop, why);
        if (!socket) {
            if (stop.load()) break;
            // Said once per kind of failure; repeats go to debug so a long wait does not flood the log.
            if (why != last_failure) log::info("vpcd", "waiting for vpcd at " + where + " (" + why + ")");
            else log::debug("vpcd", "vpcd at " + where + ": " + why + "; retrying");
            last_failure = why;
            if (!sleep_unless_stopped(backoff, stop)) break;
            backoff = std::min(backoff * 2, kMaxBackoff);
            continue;
        }
        log::info("vpcd", "connected to vpcd at " + where);
        last_failure.clear();
        backoff = kFirstBackoff;
        const bool stopped = serve_connection(socket->get(), card, stop);
        // Losing the reader is losing the card's power: channels and sessions end, the state file stays.
        card.power_off();
        if (stopped) break;
        if (!sleep_unless_stopped(kFirstBackoff, stop)) break;
    }
}

}  // namespace simkit::sim

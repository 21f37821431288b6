// The AT modem's pty I/O loop (see at_modem.hpp): a raw-mode pseudo-terminal, a symlink to its
// slave side, echo and line collection, and AtInterpreter for the commands. We hold a slave fd
// ourselves so the pty stays usable when clients close and reopen the device (no EIO/POLLHUP
// on the master), and poll with short timeouts so `stop` is noticed within ~0.2 s.
#include "serve/at_modem.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "serve/at_interpreter.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/unique_fd.hpp"
#include "simkit/core/log.hpp"

namespace simkit::sim {

namespace {
constexpr int kPollMs = 200;
// A client that stops reading for this long loses the rest of an answer (as on a serial line).
constexpr auto kWriteStall = std::chrono::seconds(5);

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// The symlink LINK -> /dev/pts/N, removed on destruction if it still points at our pty.
class PtyLink {
public:
    PtyLink(std::string link, std::string target) : link_(std::move(link)), target_(std::move(target)) {
        struct stat st {};
        if (::lstat(link_.c_str(), &st) == 0) {
            if (!S_ISLNK(st.st_mode)) throw ArgumentError("--at-pty " + link_ + " exists and is not a symlink");
            log::warn("at", "replacing the existing symlink " + link_);
        }
        const std::string temporary = link_ + ".tmp" + std::to_string(::getpid());
        ::unlink(temporary.c_str());
        if (::symlink(target_.c_str(), temporary.c_str()) != 0) {
            throw TransportError(errno_text("symlink " + temporary + " -> " + target_));
        }
        if (::rename(temporary.c_str(), link_.c_str()) != 0) {
            const std::string message = errno_text("rename " + temporary + " to " + link_);
            ::unlink(temporary.c_str());
            throw TransportError(message);
        }
    }
    ~PtyLink() {
        char buffer[4096];
        const ssize_t n = ::readlink(link_.c_str(), buffer, sizeof buffer - 1);
        if (n >= 0 && std::string(buffer, static_cast<std::size_t>(n)) == target_) ::unlink(link_.c_str());
    }
    PtyLink(const PtyLink&) = delete;
    PtyLink& operator=(const PtyLink&) = delete;

private:
    std::string link_;
    std::string target_;
};

void make_raw(int fd) {
    struct termios tio {};
    if (::tcgetattr(fd, &tio) != 0) throw TransportError(errno_text("tcgetattr on the pty"));
    ::cfmakeraw(&tio);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (::tcsetattr(fd, TCSANOW, &tio) != 0) throw TransportError(errno_text("tcsetattr on the pty"));
}

class PtyModem {
public:
    PtyModem(SharedCard& card, const AtModemOptions& options, const std::atomic<bool>& stop)
        : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)),
          stop_(stop),
          interpreter_(options, [&card](const bytes& command) { return card.transmit(command, "at"); }) {
        if (master_.get() < 0) throw TransportError(errno_text("posix_openpt"));
        if (::grantpt(master_.get()) != 0) throw TransportError(errno_text("grantpt"));
        if (::unlockpt(master_.get()) != 0) throw TransportError(errno_text("unlockpt"));
        char name[256];
        if (::ptsname_r(master_.get(), name, sizeof name) != 0) throw TransportError(errno_text("ptsname_r"));
        slave_name_ = name;
        slave_ = std::make_unique<UniqueFd>(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
        if (slave_->get() < 0) throw TransportError(errno_text("open " + slave_name_));
        make_raw(slave_->get());
        const int flags = ::fcntl(master_.get(), F_GETFL);
        if (flags < 0 || ::fcntl(master_.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
            throw TransportError(errno_text("fcntl O_NONBLOCK on the pty master"));
        }
        link_ = std::make_unique<PtyLink>(options.link, slave_name_);
        log::info("at", "AT modem on " + slave_name_ + ", link " + options.link);
    }

    void serve() {
        char buffer[4096];
        while (!stop_.load()) {
            struct pollfd pfd {master_.get(), POLLIN, 0};
            const int ready = ::poll(&pfd, 1, kPollMs);
            if (ready < 0) {
                if (errno == EINTR) continue;
                throw TransportError(errno_text("poll on the pty master"));
            }
            if (ready == 0) continue;
            if ((pfd.revents & POLLIN) == 0) {
                // Cannot happen while we hold the slave open; do not spin if it does.
                ::poll(nullptr, 0, kPollMs);
                continue;
            }
            const ssize_t n = ::read(master_.get(), buffer, sizeof buffer);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == EIO) continue;
                throw TransportError(errno_text("read from the pty master"));
            }
            handle(buffer, static_cast<std::size_t>(n));
        }
    }

private:
    // Echo goes out as characters arrive, up to the end of each line; the line's answer follows.
    void handle(const char* data, std::size_t length) {
        std::string echo;
        for (std::size_t i = 0; i < length; ++i) {
            if (interpreter_.echo()) echo.push_back(data[i]);
            auto line = collector_.push(data[i]);
            if (!line) continue;
            send(echo);
            echo.clear();
            send(interpreter_.execute(*line));
        }
        send(echo);
    }

    void send(const std::string& text) {
        std::size_t sent = 0;
        auto last_progress = std::chrono::steady_clock::now();
        while (sent < text.size()) {
            const ssize_t n = ::write(master_.get(), text.data() + sent, text.size() - sent);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
                last_progress = std::chrono::steady_clock::now();
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
                throw TransportError(errno_text("write to the pty master"));
            }
            if (stop_.load() || std::chrono::steady_clock::now() - last_progress > kWriteStall) {
                log::warn("at", "client is not reading; dropping " + std::to_string(text.size() - sent) + " bytes");
                ::tcflush(slave_->get(), TCIFLUSH);
                return;
            }
            struct pollfd pfd {master_.get(), POLLOUT, 0};
            ::poll(&pfd, 1, 50);
        }
    }

    UniqueFd master_;
    const std::atomic<bool>& stop_;
    std::string slave_name_;
    std::unique_ptr<UniqueFd> slave_;
    std::unique_ptr<PtyLink> link_;
    AtLineCollector collector_;
    AtInterpreter interpreter_;
};
}  // namespace

void run_at_modem(SharedCard& card, const AtModemOptions& options, const std::atomic<bool>& stop) {
    if (options.link.empty()) throw ArgumentError("--at-pty needs a link path");
    PtyModem modem(card, options, stop);
    modem.serve();
    log::info("at", "AT modem stopped");
}

}  // namespace simkit::sim

// UniqueFd: closes exactly once, on scope exit, on move-assignment and on close(); moves transfer
// ownership. Checked with fcntl(F_GETFD), which fails with EBADF on a closed descriptor.
#include <fcntl.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "simkit/core/unique_fd.hpp"

namespace {
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }
int open_null() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
}  // namespace

TEST_CASE("UniqueFd closes its descriptor at scope exit", "[unique_fd]") {
    int raw = -1;
    {
        simkit::UniqueFd fd(open_null());
        raw = fd.get();
        REQUIRE(fd.valid());
        REQUIRE(is_open(raw));
    }
    REQUIRE_FALSE(is_open(raw));
}

TEST_CASE("UniqueFd moves ownership and closes the replaced descriptor", "[unique_fd]") {
    simkit::UniqueFd a(open_null());
    simkit::UniqueFd b(open_null());
    const int a_raw = a.get(), b_raw = b.get();
    b = std::move(a);
    REQUIRE_FALSE(is_open(b_raw));
    REQUIRE(b.get() == a_raw);
    REQUIRE_FALSE(a.valid());
    simkit::UniqueFd c(std::move(b));
    REQUIRE(c.get() == a_raw);
    REQUIRE(is_open(a_raw));
}

TEST_CASE("UniqueFd::close reports the result once and leaves nothing to close", "[unique_fd]") {
    simkit::UniqueFd fd(open_null());
    const int raw = fd.get();
    REQUIRE(fd.close() == 0);
    REQUIRE_FALSE(is_open(raw));
    REQUIRE_FALSE(fd.valid());
    REQUIRE(fd.close() == 0);  // nothing left: no double close
}

// SerialPort on a real pty: a modem that hangs up is reported as "went away" whether a write or a
// read notices it first (the kernel answers EIO on the slave once the master is closed).
#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "simkit/errors.hpp"
#include "transport/serial_port.hpp"

namespace {
struct PtyPair {
    int master = -1, slave = -1;
    std::string slave_name;
    PtyPair() {
        char name[256];
        REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
        slave_name = name;
    }
    ~PtyPair() {
        if (master >= 0) ::close(master);
        if (slave >= 0) ::close(slave);
    }
    void hang_up() {
        ::close(master);
        master = -1;
    }
};
auto soon() { return simkit::SerialPort::Clock::now() + std::chrono::seconds(2); }
}  // namespace

TEST_CASE("a write to a modem that hung up says it went away", "[serial]") {
    PtyPair pty;
    simkit::SerialPort port(pty.slave_name, 115200);
    REQUIRE(port.write_all("AT\r", soon()));
    pty.hang_up();
    CHECK_THROWS_WITH(port.write_all("AT\r", soon()), Catch::Contains("went away"));
}

TEST_CASE("a read from a modem that hung up says it went away", "[serial]") {
    PtyPair pty;
    simkit::SerialPort port(pty.slave_name, 115200);
    pty.hang_up();
    CHECK_THROWS_WITH(port.read_some(soon()), Catch::Contains("went away"));
}

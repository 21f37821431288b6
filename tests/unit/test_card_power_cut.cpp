// Power cut during a multi-write command, through the card runtime: an applet whose one command
// rewrites several records (a PIN-style try counter and three counters, and erases one) is cut at
// every write point of the commit that ends the command. Reopening the card's state file must show
// the whole command or none of it — and the card must never have answered before the commit.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>

#include "runtime/card.hpp"
#include "state_test_support.hpp"
#include "storage/persistent_state.hpp"

using namespace simkit;
using namespace simkit::sim;
using simkit::test::records_of;
using simkit::test::TempDir;

namespace {

// INS 10 increments records a, b, c and the try counter, erases "scratch", answers the new value.
class CountingApplet : public Applet {
public:
    CountingApplet() : Applet(from_hex("F0000000010101"), "counting") {
        on_ins(0x10, ClaAccept::Any, [](CommandContext& ctx) {
            const uint8_t next = static_cast<uint8_t>((*ctx.state.get("test/a"))[0] + 1);
            for (const char* name : {"test/a", "test/b", "test/c", "test/tries"}) ctx.state.put(name, secure_bytes{next});
            ctx.state.erase("test/scratch");
            return ResponseApdu::ok({next});
        });
    }
    void write_factory_defaults(PersistentState& state) const override {
        for (const char* name : {"test/a", "test/b", "test/c", "test/tries", "test/scratch"}) state.put(name, secure_bytes{0});
    }
};

std::unique_ptr<Card> open_card(const std::string& path) {
    auto applet = std::make_unique<CountingApplet>();
    auto state = PersistentState::open(path, [&](PersistentState& fresh) { applet->write_factory_defaults(fresh); });
    auto card = std::make_unique<Card>(std::move(state));
    card->install(std::move(applet), true);
    card->power_on();
    return card;
}


}  // namespace

TEST_CASE("a power cut at any write point of a command leaves the old or the new state", "[card][power-cut]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    const bytes command = from_hex("8010000001");
    open_card(path);  // factory state on disk
    const auto old_records = records_of(path);
    REQUIRE(old_records.size() == 5);

    int cut_points = 0;
    for (int point = 0;; ++point) {
        std::filesystem::copy_file(path, dir.path + "/before", std::filesystem::copy_options::overwrite_existing);
        auto card = open_card(path);
        bool answered = false;
        card->state().set_write_point_hook([point](int n) {
            if (n == point) throw PowerCut{n};
        });
        try {
            const bytes response = card->transmit(command);
            answered = true;
            REQUIRE(response == from_hex("019000"));
        } catch (const PowerCut&) {
            ++cut_points;
        }
        card.reset();
        const auto after = records_of(path);
        if (answered) {
            // The hook never fired: the command committed completely; all points are covered.
            REQUIRE(after.at("test/a") == bytes{1});
            REQUIRE(after.count("test/scratch") == 0);
            break;
        }
        const bool old_state = after == old_records;
        const bool new_state = after.size() == 4 && after.at("test/a") == bytes{1} && after.at("test/b") == bytes{1} &&
                               after.at("test/c") == bytes{1} && after.at("test/tries") == bytes{1};
        INFO("cut at write point " << point);
        REQUIRE((old_state || new_state));
        // Start every iteration from the old state.
        std::filesystem::copy_file(dir.path + "/before", path, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(path + ".tmp");
    }
    REQUIRE(cut_points >= 6);  // create, header, 4 records, checksum, fsync, rename, dir fsync
}

TEST_CASE("a process killed at any write point of a command leaves the old or the new state", "[card][power-cut]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    open_card(path);
    const auto old_records = records_of(path);
    for (int point = 0; point < 64; ++point) {
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto card = open_card(path);
            card->state().set_write_point_hook([point](int n) {
                if (n == point) _exit(42);  // power gone: no destructors, no flush
            });
            card->transmit(from_hex("8010000001"));
            _exit(0);
        }
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        REQUIRE(WIFEXITED(status));
        const auto after = records_of(path);
        const bool old_state = after == old_records;
        const bool new_state = after.size() == 4 && after.at("test/a") == bytes{1} && after.at("test/tries") == bytes{1};
        INFO("killed at write point " << point);
        REQUIRE((old_state || new_state));
        if (WEXITSTATUS(status) == 0) {
            REQUIRE(new_state);  // the hook never fired: every point has been tried
            break;
        }
        REQUIRE(WEXITSTATUS(status) == 42);
        // Reset to the old state for the next point.
        std::filesystem::remove(path);
        std::filesystem::remove(path + ".tmp");
        open_card(path);
        std::map<std::string, bytes> fresh = records_of(path);
        REQUIRE(fresh == old_records);
    }
}

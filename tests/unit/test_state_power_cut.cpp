// Power-cut tests of PersistentState::commit: for every write point of a multi-record commit, cut
// the power there (a PowerCut exception, or real process death with _exit in a forked child) and
// check that reopening the file yields exactly the old record set or exactly the new one.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

using simkit::bytes;
using simkit::secure_bytes;
using simkit::sim::PersistentState;
using simkit::sim::PowerCut;

namespace {

// A fresh directory under /tmp, removed with its contents at scope exit.
class TempDirectory {
public:
    TempDirectory() {
        char pattern[] = "/tmp/simkit-powercut-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

using RecordSet = std::map<std::string, bytes>;

RecordSet snapshot(const PersistentState& state) {
    RecordSet out;
    for (const auto& name : state.names()) out[name] = simkit::to_bytes(*state.get(name));
    return out;
}

const RecordSet kOldRecords{
    {"gp/counter/30", {0x00, 0x01}},
    {"gp/keyset/30/dek", {0x30, 0x31, 0x32}},
    {"gp/keyset/30/enc", {0x10, 0x11, 0x12}},
    {"gp/keyset/30/mac", {0x20, 0x21, 0x22}},
    {"gp/pin/1", {0x31, 0x32, 0x33, 0x34}},
    {"gp/pin/1/tries", {0x03}},
};

// The commit under test: change 3 records, add 1, erase 1.
void stage_new_state(PersistentState& state) {
    state.put("gp/keyset/30/enc", secure_bytes{0xE0, 0xE1, 0xE2, 0xE3});
    state.put("gp/keyset/30/mac", secure_bytes{0xA0});
    state.put("gp/counter/30", secure_bytes{0x00, 0x02});
    state.put("gp/keyset/31/enc", secure_bytes{});
    state.erase("gp/pin/1/tries");
}

const RecordSet kNewRecords{
    {"gp/counter/30", {0x00, 0x02}},
    {"gp/keyset/30/dek", {0x30, 0x31, 0x32}},
    {"gp/keyset/30/enc", {0xE0, 0xE1, 0xE2, 0xE3}},
    {"gp/keyset/30/mac", {0xA0}},
    {"gp/keyset/31/enc", {}},
    {"gp/pin/1", {0x31, 0x32, 0x33, 0x34}},
};

// 6 records after the commit: create, header, 6 records, checksum, fsync, rename, directory fsync.
constexpr int kExpectedWritePoints = 6 + 6;
constexpr int kMaxWritePoints = 1000;  // bound in case a commit never stops reaching new points

// Writes the old state as a fresh file (whatever a previous round left behind).
void write_old_state(const std::string& path) {
    std::filesystem::remove(path);
    PersistentState::open(path, [](PersistentState& fresh) {
        for (const auto& [name, value] : kOldRecords) fresh.put(name, simkit::to_secure(value));
    });
}

RecordSet reopen(const std::string& path) {
    return snapshot(PersistentState::open(path, [](PersistentState&) { FAIL("state file vanished"); }));
}

}  // namespace

TEST_CASE("a PowerCut at any write point leaves exactly the old or the new state", "[state][power-cut]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    bool saw_old = false, saw_new = false;
    int cut_point = 0;
    for (; cut_point < kMaxWritePoints; ++cut_point) {
        INFO("power cut at write point " << cut_point);
        write_old_state(path);
        bool reached = false;
        {
            PersistentState state = PersistentState::open(path, nullptr);
            REQUIRE(snapshot(state) == kOldRecords);
            stage_new_state(state);
            state.set_write_point_hook([&](int point) {
                if (point == cut_point) {
                    reached = true;
                    throw PowerCut{point};
                }
            });
            try {
                state.commit();
            } catch (const PowerCut& cut) {
                CHECK(cut.point == cut_point);
            }
        }  // the card is gone with the power: its lock on the state file too
        if (!reached) {
            CHECK(reopen(path) == kNewRecords);
            break;
        }
        const RecordSet after = reopen(path);
        CHECK((after == kOldRecords || after == kNewRecords));
        saw_old = saw_old || after == kOldRecords;
        saw_new = saw_new || after == kNewRecords;
    }
    CHECK(cut_point == kExpectedWritePoints);
    CHECK(saw_old);
    CHECK(saw_new);  // the cut at the directory fsync comes after the rename
}

TEST_CASE("process death at any write point leaves exactly the old or the new state", "[state][power-cut]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    constexpr int kDiedAtPoint = 42, kCommitCompleted = 43, kChildFailed = 44;
    int cut_point = 0;
    for (; cut_point < kMaxWritePoints; ++cut_point) {
        INFO("process killed at write point " << cut_point);
        write_old_state(path);

        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {  // no Catch macros, no destructors: _exit on every path
            try {
                PersistentState state = PersistentState::open(path, nullptr);
                stage_new_state(state);
                state.set_write_point_hook([&](int point) {
                    if (point == cut_point) ::_exit(kDiedAtPoint);
                });
                state.commit();
                ::_exit(kCommitCompleted);
            } catch (...) {
                ::_exit(kChildFailed);
            }
        }
        int status = 0;
        pid_t waited;
        do {
            waited = ::waitpid(child, &status, 0);
        } while (waited < 0 && errno == EINTR);
        REQUIRE(waited == child);
        REQUIRE(WIFEXITED(status));
        const int exit_code = WEXITSTATUS(status);
        REQUIRE((exit_code == kDiedAtPoint || exit_code == kCommitCompleted));

        const RecordSet after = reopen(path);
        if (exit_code == kCommitCompleted) {
            CHECK(after == kNewRecords);
            break;
        }
        CHECK((after == kOldRecords || after == kNewRecords));
    }
    CHECK(cut_point == kExpectedWritePoints);
}

TEST_CASE("after a power cut the next commit succeeds over the stale temp file", "[state][power-cut]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    write_old_state(path);
    {
        PersistentState state = PersistentState::open(path, nullptr);
        stage_new_state(state);
        state.set_write_point_hook([](int point) {
            if (point == 4) throw PowerCut{point};  // in the middle of the records
        });
        CHECK_THROWS_AS(state.commit(), PowerCut);
        CHECK(std::filesystem::exists(PersistentState::temp_path_for(path)));
        // The same object may try again: the half-written temp file is replaced.
        state.set_write_point_hook(nullptr);
        stage_new_state(state);
        state.commit();
    }
    CHECK(reopen(path) == kNewRecords);
    CHECK_FALSE(std::filesystem::exists(PersistentState::temp_path_for(path)));
}

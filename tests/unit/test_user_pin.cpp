// The user PIN (applet-sim/pin) through the key store applet: ETSI TS 102 221 / ISO 7816-4 VERIFY,
// CHANGE REFERENCE DATA, RESET RETRY COUNTER with the factory PIN 1234 (3 tries) and PUK 12345678
// (10 tries); the counter reaches the state file before the comparison and before the answer
// (fault-injection hook and a real kill -9).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keystore_test_support.hpp"
#include "storage/persistent_state.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
const std::string kPin1234 = "0020000108 31323334FFFFFFFF";
const std::string kPin9999 = "0020000108 39393939FFFFFFFF";

std::string hex(const std::string& spaced) {
    std::string out;
    for (char c : spaced) if (c != ' ') out += c;
    return out;
}

uint16_t sw(sim::Card& card, const std::string& spaced) { return sw_of(card, hex(spaced)); }

bytes tries_on_disk(const std::string& path) {
    auto state = sim::PersistentState::open(path, [](sim::PersistentState&) { FAIL("state vanished"); });
    return to_bytes(*state.get(sim::records::kUserPinTries));
}
}  // namespace

TEST_CASE("VERIFY counts down to blocked and the PUK unblocks", "[pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(sw(*card, "00200001") == 0x63C3);
    REQUIRE(sw(*card, kPin9999) == 0x63C2);
    REQUIRE(sw(*card, kPin9999) == 0x63C1);
    REQUIRE(sw(*card, "00200001") == 0x63C1);
    REQUIRE(sw(*card, kPin9999) == 0x6983);
    REQUIRE(sw(*card, kPin1234) == 0x6983);  // blocked even for the right PIN
    REQUIRE(sw(*card, kPin9999) == 0x6983);
    REQUIRE(sw(*card, "00200001") == 0x63C0);
    REQUIRE(to_bytes(*card->state().get(sim::records::kUserPinTries)) == bytes{0, 3});

    REQUIRE(sw(*card, "002C0001") == 0x63CA);  // PUK tries left
    REQUIRE(sw(*card, "002C000110 3837363534333231 35363738FFFFFFFF") == 0x63C9);
    REQUIRE(sw(*card, "002C000110 3132333435363738 35363738FFFFFFFF") == 0x9000);
    REQUIRE(sw(*card, "002C0001") == 0x63CA);  // PUK counter restored
    REQUIRE(sw(*card, "00200001") == 0x9000);  // unblocking verifies the PIN
    REQUIRE(sw(*card, kPin1234) == 0x63C2);    // the PIN is now 5678
    REQUIRE(sw(*card, "0020000108 35363738FFFFFFFF") == 0x9000);
    REQUIRE(to_bytes(*card->state().get(sim::records::kUserPinTries)) == bytes{3, 3});
    REQUIRE(to_bytes(*card->state().get(sim::records::kUserPin)) == bytes{'5', '6', '7', '8'});
}

TEST_CASE("RESET RETRY COUNTER with P1 01 keeps the PIN; the PUK blocks after 10", "[pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(sw(*card, kPin9999) == 0x63C2);
    REQUIRE(sw(*card, "002C010108 3132333435363738") == 0x9000);
    REQUIRE(sw(*card, "00200001") == 0x9000);
    REQUIRE(to_bytes(*card->state().get(sim::records::kUserPinTries)) == bytes{3, 3});
    for (int left = 9; left >= 1; --left) {
        REQUIRE(sw(*card, "002C010108 3939393939393939") == (0x63C0 | left));
    }
    REQUIRE(sw(*card, "002C010108 3939393939393939") == 0x6983);
    REQUIRE(sw(*card, "002C010108 3132333435363738") == 0x6983);
}

TEST_CASE("PIN formats: padded and unpadded, malformed data spends no try", "[pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(sw(*card, "0020000104 31323334") == 0x9000);                 // unpadded
    REQUIRE(sw(*card, "0020008108 31323334FFFFFFFF") == 0x9000);         // reference 81
    REQUIRE(sw(*card, "0020000208 31323334FFFFFFFF") == 0x6A88);         // unknown reference
    REQUIRE(sw(*card, "0020000102 3132") == 0x6A80);                     // too short
    REQUIRE(sw(*card, "0020000108 3132333AFFFFFFFF") == 0x6A80);         // not digits
    REQUIRE(sw(*card, "0020000109 31323334FFFFFFFFFF") == 0x6700);       // too long
    REQUIRE(sw(*card, "0020010108 31323334FFFFFFFF") == 0x6A86);
    REQUIRE(to_bytes(*card->state().get(sim::records::kUserPinTries)) == bytes{3, 3});
    REQUIRE(sw(*card, "0024000110 31323334FFFFFFFF") == 0x6700);         // CHANGE needs old||new
}

TEST_CASE("CHANGE REFERENCE DATA checks the old PIN with the counter", "[pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(sw(*card, "0024000110 39393939FFFFFFFF 3131313131FFFFFF") == 0x63C2);
    REQUIRE(sw(*card, "0024000110 31323334FFFFFFFF 3131313131FFFFFF") == 0x9000);
    REQUIRE(sw(*card, "00200001") == 0x9000);
    REQUIRE(sw(*card, "0020FF01") == 0x9000);  // reset the verification status
    REQUIRE(sw(*card, "00200001") == 0x63C3);
    REQUIRE(sw(*card, "0020000108 3131313131FFFFFF") == 0x9000);
}

TEST_CASE("the verified state belongs to one logical channel and ends with reset", "[pin]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    REQUIRE(sw(*card, kPin1234) == 0x9000);
    REQUIRE(send(*card, "0070000001").data() == bytes{0x01});
    select_keystore(*card, 0x01);
    REQUIRE(sw(*card, "01200001") == 0x63C3);
    REQUIRE(sw(*card, "00200001") == 0x9000);
    REQUIRE(sw(*card, "81200001") == 0x63C3);  // proprietary class on channel 1
    REQUIRE(sw(*card, "0020000108 39393939FFFFFFFF") == 0x63C2);  // a wrong VERIFY clears it
    REQUIRE(sw(*card, "00200001") == 0x63C2);
    REQUIRE(sw(*card, kPin1234) == 0x9000);
    card->reset();
    select_keystore(*card);
    REQUIRE(sw(*card, "00200001") == 0x63C3);
}

TEST_CASE("the decremented counter is on disk before the comparison's answer leaves", "[pin][power-cut]") {
    TempStateDir dir;
    const std::string path = dir.file();
    sim::open_simulated_card(path);

    SECTION("right PIN: cut at the first write point of the command's final commit") {
        {
            auto card = sim::open_simulated_card(path);
            select_keystore(*card);
            int commits = 0;
            card->state().set_write_point_hook([&](int point) {
                if (point == 0 && ++commits == 2) throw sim::PowerCut{point};
            });
            REQUIRE_THROWS_AS(card->transmit(from_hex(hex(kPin1234))), sim::PowerCut);
            REQUIRE(commits == 2);
        }
        REQUIRE(tries_on_disk(path) == bytes{2, 3});  // the try is spent, the answer never left
    }
    SECTION("wrong PIN: cut after the decrement's rename, before any answer") {
        {
            auto card = sim::open_simulated_card(path);
            select_keystore(*card);
            const int records = static_cast<int>(card->state().names().size());
            card->state().set_write_point_hook([&](int point) {
                if (point == records + 5) throw sim::PowerCut{point};  // fsync of the directory
            });
            REQUIRE_THROWS_AS(card->transmit(from_hex(hex(kPin9999))), sim::PowerCut);
        }
        REQUIRE(tries_on_disk(path) == bytes{2, 3});
    }
    SECTION("a cut before the decrement reached the disk never reaches the comparison") {
        {
            auto card = sim::open_simulated_card(path);
            select_keystore(*card);
            card->state().set_write_point_hook([](int point) { throw sim::PowerCut{point}; });
            REQUIRE_THROWS_AS(card->transmit(from_hex(hex(kPin1234))), sim::PowerCut);
        }
        REQUIRE(tries_on_disk(path) == bytes{3, 3});
        auto card = sim::open_simulated_card(path);
        select_keystore(*card);
        REQUIRE(sw(*card, "00200001") == 0x63C3);
    }
}

TEST_CASE("kill -9 between the counter's commit and the answer never gives a free try", "[pin][kill]") {
    TempStateDir dir;
    const std::string path = dir.file();
    sim::open_simulated_card(path);
    for (const std::string& command : {kPin9999, kPin1234}) {
        const bytes before = tries_on_disk(path);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            auto card = sim::open_simulated_card(path);
            const bytes selected = card->transmit(from_hex(select_hex(0x00, kKeyStoreAid)));
            if (selected.size() < 2 || selected[selected.size() - 2] != 0x90) ::_exit(2);
            const int records = static_cast<int>(card->state().names().size());
            card->state().set_write_point_hook([&](int point) {
                if (point == records + 5) ::kill(::getpid(), SIGKILL);  // decrement renamed into place
            });
            card->transmit(from_hex(hex(command)));
            ::_exit(3);  // the answer left: the test fails
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGKILL);
        const bytes after = tries_on_disk(path);
        REQUIRE(after[0] == before[0] - 1);
    }
    {
        auto card = sim::open_simulated_card(path);
        select_keystore(*card);
        REQUIRE(sw(*card, "00200001") == 0x63C1);
        REQUIRE(sw(*card, kPin1234) == 0x9000);
        REQUIRE(sw(*card, "00200001") == 0x9000);
    }
    REQUIRE(tries_on_disk(path) == bytes{3, 3});
}

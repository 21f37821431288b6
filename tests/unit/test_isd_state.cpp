// What the ISD keeps across power loss: a state file from the foundation build (before the secure
// channel) opens with its data kept and the new records defaulted; PUT KEY cut at every write point
// leaves the old key set or the new one; a process killed right after INITIALIZE UPDATE never makes
// the sequence counter go back.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "gp/key_records.hpp"
#include "scp_test_host.hpp"
#include "simulated_card.hpp"
#include "state_test_support.hpp"
#include "storage/persistent_state.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {

const scp::StaticKeys kNewKeys{secure_from_hex("00112233445566778899AABBCCDDEEFF"),
                               secure_from_hex("102132435465768798A9BACBDCEDFE0F"),
                               secure_from_hex("2032445668798A9CADBECFD0E1F20314")};
}  // namespace

TEST_CASE("a state file written by the foundation build opens with its data kept", "[isd][state][migration]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    // Written by commit 28f06a8 (simkit apdu on a fresh card): keys of KVN 30, PIN, PUK, serial.
    std::filesystem::copy_file(std::string(SIMKIT_VECTORS_DIR) + "/state/foundation-28f06a8.state", path);
    const auto before = records_of(path);
    REQUIRE(before.size() == 8);
    {
        auto card = sim::open_simulated_card(path);
        TestHost host(*card);
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
        REQUIRE(host.info.kvn == 0x30);
        // The KDD is made from the kept serial: "SK" || serial.
        REQUIRE(to_hex(host.info.key_diversification_data) == "534BA6F9A1D751D96C6F");
        REQUIRE(host.info.sequence_counter == 1u);
    }
    const auto after = records_of(path);
    for (const auto& [name, value] : before) {
        INFO(name);
        REQUIRE(after.at(name) == value);  // nothing that existed changed
    }
    REQUIRE(after.at("gp/keyset/30/info") == from_hex("037088"));
    REQUIRE(after.at("gp/scp03/sequence") == from_hex("000001"));
    REQUIRE(after.at("gp/scp02/sequence") == from_hex("0000"));
    // The GP records this build added; the key store's and the file system's own records (uicc/...,
    // card/pin/adm1..., usim/..., euicc/...) are their tests' business.
    std::size_t added_outside_keystore = 0;
    for (const auto& [name, value] : after) {
        const bool others = name.rfind("keystore/", 0) == 0 || name.rfind("uicc/", 0) == 0 ||
                            name.rfind("card/pin/adm1", 0) == 0 || name.rfind("usim/", 0) == 0 ||
                            name.rfind("euicc/", 0) == 0;
        if (!before.count(name) && !others) ++added_outside_keystore;
    }
    REQUIRE(added_outside_keystore == 4);
}

TEST_CASE("PUT KEY cut at every write point leaves the old key set or the new one", "[isd][state][power-cut]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    sim::open_simulated_card(path);
    int cuts = 0;
    for (int point = 0;; ++point) {
        std::filesystem::copy_file(path, dir.path + "/before", std::filesystem::copy_options::overwrite_existing);
        bool answered = false;
        {
            auto card = sim::open_simulated_card(path);
            TestHost host(*card);
            REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x03) == 0x9000);
            const bytes data = put_key_data(*host.channel, 0x31, kNewKeys, false);
            const CommandApdu wrapped = host.channel->wrap_command(CommandApdu::case4(0x80, 0xD8, 0x30, 0x81, data, 256));
            card->state().set_write_point_hook([point](int n) {
                if (n == point) throw sim::PowerCut{n};
            });
            try {
                const ResponseApdu r = host.channel->unwrap_response(ResponseApdu::parse(card->transmit(wrapped.encode())));
                REQUIRE(r.sw() == 0x9000);
                answered = true;
            } catch (const sim::PowerCut&) {
                ++cuts;
            }
        }
        const auto after = records_of(path);
        const bool old_set = after.count("gp/keyset/30/1") && !after.count("gp/keyset/31/1") &&
                             after.at("gp/keyset/30/1") == to_bytes(kFactoryKey);
        const bool new_set = !after.count("gp/keyset/30/1") && after.count("gp/keyset/31/1") &&
                             after.at("gp/keyset/31/1") == to_bytes(kNewKeys.enc) &&
                             after.at("gp/keyset/31/2") == to_bytes(kNewKeys.mac) &&
                             after.at("gp/keyset/31/3") == to_bytes(kNewKeys.dek) &&
                             after.at("gp/keyset/31/info") == from_hex("037088");
        INFO("cut at write point " << point);
        REQUIRE((old_set || new_set));
        // The card opens and authenticates with whichever set it holds.
        {
            auto card = sim::open_simulated_card(path);
            TestHost host(*card);
            REQUIRE(host.authenticate(old_set ? same_keys(kFactoryKey) : kNewKeys, 0x01) == 0x9000);
        }
        if (answered) {
            REQUIRE(new_set);
            break;
        }
        std::filesystem::copy_file(dir.path + "/before", path, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(path + ".tmp");
    }
    REQUIRE(cuts >= 8);
}

TEST_CASE("kill -9 right after INITIALIZE UPDATE: the sequence counter never goes back", "[isd][state]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    sim::open_simulated_card(path);
    uint32_t last = 0;
    for (int round = 0; round < 3; ++round) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            close(fds[0]);
            auto card = sim::open_simulated_card(path);
            const bytes answer = card->transmit(from_hex("8050000008" "0011223344556677" "00"));
            const uint32_t counter = (uint32_t{answer[29]} << 16) | (uint32_t{answer[30]} << 8) | answer[31];
            if (write(fds[1], &counter, sizeof counter) != sizeof counter) _exit(3);
            raise(SIGKILL);  // the answer has left the card; the process dies without any cleanup
            _exit(4);
        }
        close(fds[1]);
        uint32_t seen = 0;
        REQUIRE(read(fds[0], &seen, sizeof seen) == sizeof seen);
        close(fds[0]);
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));
        REQUIRE(WTERMSIG(status) == SIGKILL);
        REQUIRE(seen > last);
        auto card = sim::open_simulated_card(path);
        TestHost host(*card);
        const uint32_t next = *host.initialize_update(0, bytes(8, 0x00)).sequence_counter;
        REQUIRE(next == seen + 1);  // the same host challenge never meets the same card challenge
        last = next;
    }
}

// Tests of PersistentState and the state file format: staging and commit, reopening, the byte
// layout of specs/state-format.md, refusal of corrupt/truncated/foreign files, clean commits doing
// no I/O, stale temp files and I/O failures.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "storage/persistent_state.hpp"
#include "storage/state_file_format.hpp"

using simkit::bytes;
using simkit::secure_bytes;
using simkit::StateError;
using simkit::sim::PersistentState;

namespace {

// A fresh directory under /tmp, removed with its contents at scope exit.
class TempDirectory {
public:
    TempDirectory() {
        char pattern[] = "/tmp/simkit-state-XXXXXX";
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
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

secure_bytes sec(std::initializer_list<uint8_t> values) { return secure_bytes(values); }

bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const bytes& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
}

// The whole record set, for comparing states.
std::map<std::string, bytes> snapshot(const PersistentState& state) {
    std::map<std::string, bytes> out;
    for (const auto& name : state.names()) out[name] = simkit::to_bytes(*state.get(name));
    return out;
}

void no_records(PersistentState&) {}

// Builders for hand-made state files, following specs/state-format.md (independent of the encoder).
void put_u16(bytes& out, uint16_t v) { out.insert(out.end(), {uint8_t(v >> 8), uint8_t(v)}); }
void put_u32(bytes& out, uint32_t v) {
    out.insert(out.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
}
bytes record(const std::string& name, const bytes& value, uint8_t kind = 0x01) {
    bytes out{kind};
    put_u16(out, static_cast<uint16_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    put_u32(out, static_cast<uint32_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
    return out;
}
bytes sealed_file(uint32_t count, const bytes& records, uint16_t version = 1, uint16_t flags = 0) {
    bytes out{'S', 'I', 'M', 'K', 'S', 'T', 'A', 'T'};
    put_u16(out, version);
    put_u16(out, flags);
    put_u32(out, count);
    put_u32(out, static_cast<uint32_t>(records.size()));
    out.insert(out.end(), records.begin(), records.end());
    bytes checksum = simkit::crypto::sha256(out);
    out.insert(out.end(), checksum.begin(), checksum.end());
    return out;
}
bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

std::string decode_error(const bytes& file) {
    try {
        simkit::sim::decode_state_file(file.data(), file.size(), "/cards/test.state");
    } catch (const StateError& e) {
        return e.what();
    }
    return "accepted";
}

// A small but representative state file: empty value, binary name, a few records.
bytes small_state_file() {
    simkit::sim::StateRecords records;
    records["gp/keyset/30/enc"] = sec({0x40, 0x41, 0x42, 0x43});
    records["gp/counter/30"] = sec({0x00, 0x07});
    records["empty"] = secure_bytes{};
    return simkit::to_bytes(simkit::sim::encode_state_file(records));
}

}  // namespace

TEST_CASE("in-memory state stages, commits and rolls back", "[state]") {
    PersistentState state;
    CHECK(state.path().empty());
    CHECK_FALSE(state.dirty());
    CHECK(state.get("gp/pin/1") == nullptr);

    state.put("gp/pin/1", sec({0x31, 0x32, 0x33, 0x34}));
    CHECK(state.dirty());
    REQUIRE(state.get("gp/pin/1") != nullptr);
    CHECK(*state.get("gp/pin/1") == sec({0x31, 0x32, 0x33, 0x34}));
    state.commit();
    CHECK_FALSE(state.dirty());

    state.put("gp/pin/1", sec({0x39}));
    state.put("gp/pin/2", sec({0x01}));
    state.erase("gp/pin/1");
    CHECK(state.get("gp/pin/1") == nullptr);
    CHECK(state.names() == std::vector<std::string>{"gp/pin/2"});
    state.rollback();
    CHECK_FALSE(state.dirty());
    CHECK(*state.get("gp/pin/1") == sec({0x31, 0x32, 0x33, 0x34}));
    CHECK(state.get("gp/pin/2") == nullptr);

    state.erase("gp/pin/1");
    state.commit();
    CHECK(state.get("gp/pin/1") == nullptr);
    CHECK(state.names().empty());
}

TEST_CASE("erasing an absent record or a record put in the same transaction leaves the state clean", "[state]") {
    PersistentState state;
    state.erase("nothing/here");
    CHECK_FALSE(state.dirty());
    state.put("new/record", sec({1}));
    state.erase("new/record");
    CHECK_FALSE(state.dirty());
    CHECK(state.get("new/record") == nullptr);
}

TEST_CASE("names(prefix) merges committed and staged records, sorted, without erased ones", "[state]") {
    PersistentState state;
    state.put("gp/keyset/30/enc", sec({1}));
    state.put("gp/keyset/30/mac", sec({2}));
    state.put("gp/keyset/31/enc", sec({3}));
    state.put("gp/counter/30", sec({4}));
    state.put("file/3F00", sec({5}));
    state.commit();
    state.put("gp/keyset/30/dek", sec({6}));
    state.erase("gp/keyset/30/mac");
    state.put("gp/keyset/31/enc", sec({7}));

    CHECK(state.names("gp/keyset/") ==
          std::vector<std::string>{"gp/keyset/30/dek", "gp/keyset/30/enc", "gp/keyset/31/enc"});
    CHECK(state.names("gp/keyset/30/") == std::vector<std::string>{"gp/keyset/30/dek", "gp/keyset/30/enc"});
    CHECK(state.names("gp/") == std::vector<std::string>{"gp/counter/30", "gp/keyset/30/dek", "gp/keyset/30/enc",
                                                         "gp/keyset/31/enc"});
    CHECK(state.names("zzz").empty());
    CHECK(state.names().size() == 5);
}

TEST_CASE("record names must be 1 to 65535 bytes", "[state]") {
    PersistentState state;
    CHECK_THROWS_AS(state.put("", sec({1})), simkit::ArgumentError);
    CHECK_THROWS_AS(state.put(std::string(65536, 'n'), sec({1})), simkit::ArgumentError);
    state.put(std::string(65535, 'n'), sec({1}));
    CHECK(state.dirty());
}

TEST_CASE("open creates the file through the factory once, reopen shows committed values", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    const std::string binary_name("bin\0\xFF/\x01", 7);
    int factory_calls = 0;
    auto factory = [&](PersistentState& fresh) {
        ++factory_calls;
        fresh.put("gp/keyset/30/enc", sec({0x40, 0x41}));
        fresh.put("gp/counter/30", secure_bytes{});
        fresh.put(binary_name, sec({0x00, 0xFF}));
    };

    {
        PersistentState state = PersistentState::open(path, factory);
        CHECK(factory_calls == 1);
        CHECK(state.path() == path);
        CHECK_FALSE(state.dirty());
        CHECK(std::filesystem::exists(path));
    }
    {
        PersistentState state = PersistentState::open(path, factory);
        CHECK(factory_calls == 1);
        CHECK(snapshot(state) == std::map<std::string, bytes>{{"gp/keyset/30/enc", {0x40, 0x41}},
                                                              {"gp/counter/30", {}},
                                                              {binary_name, {0x00, 0xFF}}});
        state.put("gp/counter/30", sec({0x00, 0x01}));
        state.put("gp/keyset/30/mac", sec({0x50}));
        state.erase(binary_name);
        state.commit();
        state.put("gp/keyset/30/enc", sec({0x99}));  // staged only, then dropped with the object
    }
    PersistentState reopened = PersistentState::open(path, factory);
    CHECK(factory_calls == 1);
    CHECK(snapshot(reopened) == std::map<std::string, bytes>{{"gp/keyset/30/enc", {0x40, 0x41}},
                                                             {"gp/counter/30", {0x00, 0x01}},
                                                             {"gp/keyset/30/mac", {0x50}}});
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    CHECK((status.st_mode & 0777) == 0600);  // keys inside: owner only
}

TEST_CASE("a factory that commits or adds nothing still creates the file", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    PersistentState::open(path, [](PersistentState& fresh) {
        fresh.put("a", sec({1}));
        fresh.commit();
    });
    CHECK(snapshot(PersistentState::open(path, no_records)) == std::map<std::string, bytes>{{"a", {1}}});

    const std::string empty_path = dir.file("empty.state");
    PersistentState::open(empty_path, no_records);
    CHECK(std::filesystem::exists(empty_path));
    CHECK(PersistentState::open(empty_path, nullptr).names().empty());
}

TEST_CASE("a clean commit does no I/O", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    PersistentState state = PersistentState::open(path, [](PersistentState& s) { s.put("gp/pin/1", sec({1})); });
    int write_points = 0;
    state.set_write_point_hook([&](int) { ++write_points; });

    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    state.commit();
    state.put("gp/pin/1", sec({2}));
    state.rollback();
    state.commit();
    CHECK(write_points == 0);
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);

    // Stronger: with the file gone, a clean commit must not bring it back.
    REQUIRE(::unlink(path.c_str()) == 0);
    state.commit();
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(PersistentState::temp_path_for(path)));

    // A dirty commit does write (every commit replaces the file: new inode).
    state.put("gp/pin/1", sec({3}));
    state.commit();
    CHECK(write_points > 0);
    CHECK(std::filesystem::exists(path));
}

TEST_CASE("open refuses a missing parent directory and a directory in place of the file", "[state]") {
    TempDirectory dir;
    bool factory_called = false;
    auto factory = [&](PersistentState&) { factory_called = true; };
    const std::string missing = dir.file("no-such-dir/card.state");
    REQUIRE_THROWS_AS(PersistentState::open(missing, factory), StateError);
    CHECK_THROWS_WITH(PersistentState::open(missing, factory), Catch::Contains(missing) && Catch::Contains("does not exist"));
    CHECK_FALSE(factory_called);

    CHECK_THROWS_WITH(PersistentState::open(dir.path(), factory), Catch::Contains("not a regular file"));
    CHECK_THROWS_AS(PersistentState::open(dir.path() + "/", factory), StateError);
}

TEST_CASE("the encoder writes the byte layout of specs/state-format.md", "[state][format]") {
    simkit::sim::StateRecords records;
    records["gp/x"] = secure_bytes{};
    records["a"] = sec({0x01, 0x02});
    const bytes expected_content = simkit::from_hex(
        "53494D4B53544154"  // "SIMKSTAT"
        "0001 0000"         // version 1, flags 0
        "00000002 00000015"  // 2 records, 21 bytes of records
        "01 0001 61 00000002 0102"
        "01 0004 67702F78 00000000");
    bytes expected = expected_content;
    const bytes checksum = simkit::crypto::sha256(expected_content);
    expected.insert(expected.end(), checksum.begin(), checksum.end());

    CHECK(simkit::to_hex(simkit::sim::encode_state_file(records)) == simkit::to_hex(expected));
    CHECK(sealed_file(2, concat({record("a", {1, 2}), record("gp/x", {})})) == expected);

    auto decoded = simkit::sim::decode_state_file(expected.data(), expected.size(), "x");
    REQUIRE(decoded.size() == 2);
    CHECK(decoded["a"] == sec({0x01, 0x02}));
    CHECK(decoded["gp/x"].empty());
}

TEST_CASE("every single-byte corruption of a state file is refused", "[state][format]") {
    const bytes original = small_state_file();
    REQUIRE(decode_error(original) == "accepted");
    for (std::size_t position = 0; position < original.size(); ++position) {
        for (uint8_t mask : {0x01, 0x80, 0xFF}) {
            bytes corrupted = original;
            corrupted[position] ^= mask;
            const std::string error = decode_error(corrupted);
            INFO("byte " << position << " xor " << int(mask) << ": " << error);
            CHECK(error.find("/cards/test.state") != std::string::npos);
            CHECK(error != "accepted");
        }
    }
}

TEST_CASE("a corrupted file on disk makes open throw, names the path, and is left untouched", "[state][format]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    const bytes original = small_state_file();
    for (std::size_t position = 0; position < original.size(); ++position) {
        bytes corrupted = original;
        corrupted[position] ^= 0x5A;
        write_file(path, corrupted);
        INFO("corrupted byte " << position);
        CHECK_THROWS_WITH(PersistentState::open(path, no_records), Catch::Contains(path));
        CHECK(read_file(path) == corrupted);  // never silently reset
    }
    write_file(path, original);
    CHECK(PersistentState::open(path, no_records).names().size() == 3);
}

TEST_CASE("every truncation of a state file is refused as truncated", "[state][format]") {
    const bytes original = small_state_file();
    CHECK_THAT(decode_error({}), Catch::Contains("empty file"));
    for (std::size_t length = 1; length < original.size(); ++length) {
        const std::string error = decode_error(bytes(original.begin(), original.begin() + long(length)));
        INFO("length " << length << ": " << error);
        CHECK_THAT(error, Catch::Contains("truncated at byte " + std::to_string(length)));
    }
}

TEST_CASE("foreign, empty and future files are refused with what is wrong", "[state][format]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");

    write_file(path, {});
    CHECK_THROWS_WITH(PersistentState::open(path, no_records), Catch::Contains(path) && Catch::Contains("empty"));

    const std::string text = "this is not a state file at all, just some text\n";
    write_file(path, bytes(text.begin(), text.end()));
    CHECK_THROWS_WITH(PersistentState::open(path, no_records), Catch::Contains("bad magic"));
    write_file(path, simkit::crypto::random_bytes(300));
    CHECK_THROWS_WITH(PersistentState::open(path, no_records), Catch::Contains("bad magic"));

    write_file(path, sealed_file(1, record("a", {1}), 2));
    CHECK_THROWS_WITH(PersistentState::open(path, no_records), Catch::Contains("unsupported version 2"));
    CHECK_THAT(decode_error(sealed_file(0, {}, 0x0102)), Catch::Contains("unsupported version 258"));
    CHECK_THAT(decode_error(sealed_file(0, {}, 0)), Catch::Contains("unsupported version 0"));
}

TEST_CASE("well-sealed but malformed record areas are refused", "[state][format]") {
    const bytes a = record("a", {1});
    const bytes b = record("b", {2});
    CHECK(decode_error(sealed_file(2, concat({a, b}))) == "accepted");
    CHECK(decode_error(sealed_file(0, {})) == "accepted");

    CHECK_THAT(decode_error(sealed_file(2, concat({a, a}))), Catch::Contains("duplicate record 'a'"));
    CHECK_THAT(decode_error(sealed_file(2, concat({b, a}))), Catch::Contains("out of order"));
    CHECK_THAT(decode_error(sealed_file(1, record("a", {1}, 0x02))), Catch::Contains("unknown record kind 0x02"));
    CHECK_THAT(decode_error(sealed_file(1, record("", {1}))), Catch::Contains("empty name"));
    CHECK_THAT(decode_error(sealed_file(1, concat({a, b}))), Catch::Contains("stray bytes"));
    CHECK_THAT(decode_error(sealed_file(3, concat({a, b}))), Catch::Contains("record 2"));
    CHECK_THAT(decode_error(sealed_file(1000000000, {})), Catch::Contains("record 0"));
    CHECK_THAT(decode_error(sealed_file(1, {}, 1, 0x0001)), Catch::Contains("unknown header flags 0x0001"));

    bytes huge_value = a;  // value length 0xFFFFFFF0 with 1 byte present: no allocation, an error
    huge_value[4] = 0xFF, huge_value[5] = 0xFF, huge_value[6] = 0xFF, huge_value[7] = 0xF0;
    CHECK_THAT(decode_error(sealed_file(1, huge_value)), Catch::Contains("needs 4294967280 bytes"));

    bytes trailing = sealed_file(1, a);
    trailing.push_back(0x00);
    CHECK_THAT(decode_error(trailing), Catch::Contains("1 unexpected bytes after the checksum"));
}

TEST_CASE("accepted files re-encode to the same bytes", "[state][format]") {
    const bytes original = small_state_file();
    auto decoded = simkit::sim::decode_state_file(original.data(), original.size(), "x");
    CHECK(simkit::to_bytes(simkit::sim::encode_state_file(decoded)) == original);
}

TEST_CASE("a stale temp file from a power cut is ignored and removed at open", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    const std::string temp = PersistentState::temp_path_for(path);
    PersistentState::open(path, [](PersistentState& s) { s.put("gp/pin/1", sec({1})); });

    write_file(temp, {'S', 'I', 'M', 'K', 0x00});  // half-written, then the power went
    {
        PersistentState state = PersistentState::open(path, no_records);
        CHECK(snapshot(state) == std::map<std::string, bytes>{{"gp/pin/1", {1}}});
        CHECK_FALSE(std::filesystem::exists(temp));
    }

    // A complete-looking temp file is ignored just the same: only the rename makes it the state.
    write_file(temp, small_state_file());
    CHECK(snapshot(PersistentState::open(path, no_records)) == std::map<std::string, bytes>{{"gp/pin/1", {1}}});

    // Power cut during the very first write: no state file, only a temp file -> factory again.
    REQUIRE(::unlink(path.c_str()) == 0);
    write_file(temp, small_state_file());
    CHECK(snapshot(PersistentState::open(path, no_records)).empty());
}

TEST_CASE("an I/O failure during commit throws StateError and keeps the last committed state", "[state]") {
    TempDirectory dir;
    const std::string subdir = dir.file("cards");
    REQUIRE(::mkdir(subdir.c_str(), 0700) == 0);
    const std::string path = subdir + "/card.state";
    PersistentState state = PersistentState::open(path, [](PersistentState& s) { s.put("gp/pin/1", sec({1})); });

    std::filesystem::remove_all(subdir);  // the temp file cannot be created any more
    state.put("gp/pin/1", sec({2}));
    state.put("gp/pin/2", sec({3}));
    CHECK_THROWS_WITH(state.commit(), Catch::Contains(path) && Catch::Contains("temp file"));
    CHECK_FALSE(state.dirty());
    CHECK(snapshot(state) == std::map<std::string, bytes>{{"gp/pin/1", {1}}});
}

TEST_CASE("an error at any write point rolls back memory and file, and leaves no temp file", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    const std::map<std::string, bytes> old_records{{"a", {1}}, {"b", {2}}};
    const std::map<std::string, bytes> new_records{{"a", {9}}, {"c", {3}}};
    {
        PersistentState state = PersistentState::open(path, [](PersistentState& s) {
            s.put("a", sec({1}));
            s.put("b", sec({2}));
        });
    }
    const int last_point = 2 + 5;  // 2 records: create, header, 2 records, checksum, fsync, rename, dir fsync
    for (int failing_point = 0; failing_point <= last_point; ++failing_point) {
        INFO("error at write point " << failing_point);
        PersistentState state = PersistentState::open(path, no_records);
        REQUIRE(snapshot(state) == old_records);
        state.set_write_point_hook([failing_point](int point) {
            if (point == failing_point) throw StateError("injected I/O error");
        });
        state.put("a", sec({9}));
        state.erase("b");
        state.put("c", sec({3}));
        CHECK_THROWS_WITH(state.commit(), Catch::Contains("injected"));
        CHECK_FALSE(state.dirty());
        CHECK_FALSE(std::filesystem::exists(PersistentState::temp_path_for(path)));
        const bool renamed = failing_point == last_point;  // only the directory fsync comes after the rename
        CHECK(snapshot(state) == (renamed ? new_records : old_records));
        const bytes on_disk = read_file(path);
        const auto file_records = simkit::sim::decode_state_file(on_disk.data(), on_disk.size(), path);
        std::map<std::string, bytes> file_snapshot;
        for (const auto& [name, value] : file_records) file_snapshot[name] = simkit::to_bytes(value);
        CHECK(file_snapshot == (renamed ? new_records : old_records));
        if (renamed) {  // put the old state back for the next round
            state.set_write_point_hook(nullptr);
            state.put("a", sec({1}));
            state.put("b", sec({2}));
            state.erase("c");
            state.commit();
        }
    }
}

namespace {
std::size_t open_descriptor_count() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
    return count;
}
}  // namespace

TEST_CASE("no file descriptor is leaked on success, refusal, error or power cut", "[state]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    const std::size_t before = open_descriptor_count();
    {
        PersistentState state = PersistentState::open(path, [](PersistentState& s) { s.put("a", sec({1})); });
        state.put("a", sec({2}));
        state.commit();
        for (int point = 0; point < 7; ++point) {
            state.put("b", sec({uint8_t(point)}));
            state.set_write_point_hook([point](int reached) {
                if (reached == point) throw simkit::sim::PowerCut{reached};
            });
            CHECK_THROWS_AS(state.commit(), simkit::sim::PowerCut);
            state.set_write_point_hook([point](int reached) {
                if (reached == point) throw StateError("injected");
            });
            CHECK_THROWS_AS(state.commit(), StateError);
        }
    }
    write_file(path, bytes{'S', 'I', 'M', 'K', 'S', 'T', 'A', 'T', 0x00});
    CHECK_THROWS_AS(PersistentState::open(path, no_records), StateError);
    CHECK_THROWS_AS(PersistentState::open(dir.path(), no_records), StateError);
    CHECK(open_descriptor_count() == before);
}

TEST_CASE("a state file is owned by one card at a time", "[state][lock]") {
    TempDirectory dir;
    const std::string path = dir.file("card.state");
    {
        PersistentState first = PersistentState::open(path, [](PersistentState& s) { s.put("a", sec({1})); });
        CHECK_THROWS_WITH(PersistentState::open(path, no_records),
                          Catch::Contains(path) && Catch::Contains("in use by another card"));
        first.put("a", sec({2}));
        first.commit();  // the refused second opener changed nothing
    }
    CHECK(snapshot(PersistentState::open(path, no_records)) == std::map<std::string, bytes>{{"a", {2}}});
}

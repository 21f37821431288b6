// Tests of bytes.hpp: the hex parser/printer pair (separators, rejection messages that name the
// problem and its position), secure wiping and the zeroizing allocator, constant-time equality.
#include <catch2/catch.hpp>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/errors.hpp"

using Catch::Matchers::Contains;
using simkit::bytes;
using simkit::FormatError;
using simkit::from_hex;
using simkit::secure_bytes;
using simkit::to_hex;

TEST_CASE("from_hex parses upper and lower case, with spaces, tabs and colons between bytes", "[bytes]") {
    CHECK(from_hex("") == bytes{});
    CHECK(from_hex("00") == bytes{0x00});
    CHECK(from_hex("A0000001510000") == bytes{0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00});
    CHECK(from_hex("a0 00 00 01 51") == bytes{0xA0, 0x00, 0x00, 0x01, 0x51});
    CHECK(from_hex("a0:0b:Cc:dD:eF") == bytes{0xA0, 0x0B, 0xCC, 0xDD, 0xEF});
    CHECK(from_hex("  0102\t03 : 04  ") == bytes{0x01, 0x02, 0x03, 0x04});
    CHECK(from_hex("0123456789abcdefABCDEF") == bytes{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xAB, 0xCD, 0xEF});
    CHECK(simkit::secure_from_hex("40 41 42") == secure_bytes{0x40, 0x41, 0x42});
}

TEST_CASE("from_hex rejects odd length, naming the problem", "[bytes]") {
    CHECK_THROWS_MATCHES(from_hex("A"), FormatError, Catch::Matchers::Message("hex: odd number of hex digits (1)"));
    CHECK_THROWS_WITH(from_hex("A0 0"), Contains("odd number of hex digits (3)"));
    CHECK_THROWS_WITH(from_hex("01020"), Contains("odd") && Contains("5"));
    CHECK_THROWS_AS(simkit::secure_from_hex("123"), FormatError);
}

TEST_CASE("from_hex rejects non-hex characters, naming the character and its position", "[bytes]") {
    CHECK_THROWS_MATCHES(from_hex("0G"), FormatError,
                         Catch::Matchers::Message("hex: 'G' at position 1 is not a hex digit"));
    CHECK_THROWS_WITH(from_hex("A0 00 0x"), Contains("'x'") && Contains("position 7"));
    CHECK_THROWS_WITH(from_hex("0x01"), Contains("'x'") && Contains("position 1"));
    CHECK_THROWS_WITH(from_hex("01-02"), Contains("'-'") && Contains("position 2"));
    // Control and non-ASCII bytes are shown as 0xNN, keeping the message printable.
    CHECK_THROWS_MATCHES(from_hex("\xFF\xFE"), FormatError,
                         Catch::Matchers::Message("hex: 0xFF at position 0 is not a hex digit"));
    CHECK_THROWS_WITH(from_hex(std::string("00\0" "00", 5)), Contains("0x00") && Contains("position 2"));
    CHECK_THROWS_WITH(from_hex("00\n11"), Contains("0x0A") && Contains("position 2"));
    // A separator splitting one byte's two digits is an error, not two nibbles.
    CHECK_THROWS_WITH(from_hex("A 0"), Contains("separator inside a byte") && Contains("position 1"));
}

TEST_CASE("to_hex prints upper case without separators and round-trips with from_hex", "[bytes]") {
    CHECK(to_hex(bytes{}) == "");
    CHECK(to_hex(bytes{0x00, 0x0F, 0xA5, 0xFF}) == "000FA5FF");
    CHECK(to_hex(secure_bytes{0xDE, 0xAD}) == "DEAD");
    std::mt19937 rng(1234);
    for (int round = 0; round < 200; ++round) {
        bytes b(rng() % 64);
        for (auto& x : b) x = static_cast<uint8_t>(rng());
        const std::string hex = to_hex(b);
        CHECK(hex.size() == 2 * b.size());
        CHECK(from_hex(hex) == b);
    }
    // Every byte value, both directions.
    bytes all(256);
    for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<uint8_t>(i);
    CHECK(from_hex(to_hex(all)) == all);
}

TEST_CASE("secure_wipe zeroes exactly the given range", "[bytes]") {
    uint8_t buffer[32];
    std::memset(buffer, 0xAA, sizeof buffer);
    simkit::secure_wipe(buffer + 8, 16);
    for (std::size_t i = 0; i < sizeof buffer; ++i) {
        INFO("byte " << i);
        CHECK(buffer[i] == (i >= 8 && i < 24 ? 0x00 : 0xAA));
    }
    simkit::secure_wipe(nullptr, 10);  // tolerated
    simkit::secure_wipe(buffer, 0);    // nothing to do
    CHECK(buffer[0] == 0xAA);
}

namespace {
// A program-defined element type whose std::allocator specialization (below) does not free:
// it photographs the bytes it is handed. ZeroizingAllocator<WatchedByte>::deallocate runs the
// same template code as secure_bytes' allocator, then calls that "release" -- so we see what
// memory looks like at the moment it would be freed, on a buffer we own (no use after free).
struct WatchedByte {
    uint8_t value;
};
struct ReleaseLog {
    int calls = 0;
    std::vector<uint8_t> contents;  // bytes at the moment of release
    std::size_t count = 0;
};
ReleaseLog g_release_log;
}  // namespace

template <>
struct std::allocator<WatchedByte> {
    using value_type = WatchedByte;
    allocator() noexcept = default;
    template <typename U>
    allocator(const allocator<U>&) noexcept {}
    WatchedByte* allocate(std::size_t) { throw std::bad_alloc(); }  // never used by these tests
    void deallocate(WatchedByte* p, std::size_t n) noexcept {
        ++g_release_log.calls;
        g_release_log.count = n;
        const auto* raw = reinterpret_cast<const uint8_t*>(p);
        g_release_log.contents.assign(raw, raw + n * sizeof(WatchedByte));
    }
};

TEST_CASE("ZeroizingAllocator::deallocate wipes the whole buffer before releasing it", "[bytes]") {
    WatchedByte owned[48];
    std::memset(owned, 0xA5, sizeof owned);
    g_release_log = {};
    simkit::ZeroizingAllocator<WatchedByte> alloc;
    alloc.deallocate(owned, 40);  // the first 40 elements are "the allocation"
    REQUIRE(g_release_log.calls == 1);
    CHECK(g_release_log.count == 40);
    CHECK(g_release_log.contents == std::vector<uint8_t>(40, 0x00));  // zero when released
    for (std::size_t i = 0; i < sizeof owned; ++i) {
        INFO("byte " << i);
        CHECK(reinterpret_cast<const uint8_t*>(owned)[i] == (i < 40 ? 0x00 : 0xA5));  // not one byte more
    }
}

TEST_CASE("ZeroizingAllocator allocates usable memory and compares equal across types", "[bytes]") {
    simkit::ZeroizingAllocator<uint32_t> wide;
    uint32_t* q = wide.allocate(8);
    for (int i = 0; i < 8; ++i) q[i] = 0xFFFFFFFFu;
    CHECK(q[7] == 0xFFFFFFFFu);
    wide.deallocate(q, 8);
    const simkit::ZeroizingAllocator<uint8_t> narrow;
    const simkit::ZeroizingAllocator<uint32_t> rebound(narrow);
    CHECK(rebound == wide);
    CHECK(narrow == wide);
}

TEST_CASE("secure_bytes keeps working as a vector through growth and copies", "[bytes]") {
    secure_bytes key;
    for (int i = 0; i < 1000; ++i) key.push_back(static_cast<uint8_t>(i));  // several reallocations, each wiped
    CHECK(key.size() == 1000);
    CHECK(key[999] == static_cast<uint8_t>(999));
    const secure_bytes copy = key;
    CHECK(copy == key);
    CHECK(simkit::to_bytes(simkit::to_secure(bytes{1, 2, 3})) == bytes{1, 2, 3});
}

TEST_CASE("ct_equal: equal contents only, different lengths unequal, empty equals empty", "[bytes]") {
    const bytes a{1, 2, 3, 4};
    CHECK(simkit::ct_equal(a, bytes{1, 2, 3, 4}));
    CHECK(simkit::ct_equal(a, secure_bytes{1, 2, 3, 4}));
    CHECK_FALSE(simkit::ct_equal(a, bytes{1, 2, 3, 5}));
    CHECK_FALSE(simkit::ct_equal(a, bytes{0, 2, 3, 4}));
    CHECK_FALSE(simkit::ct_equal(a, bytes{1, 2, 3}));
    CHECK_FALSE(simkit::ct_equal(a, bytes{1, 2, 3, 4, 0}));
    CHECK(simkit::ct_equal(bytes{}, bytes{}));
    CHECK_FALSE(simkit::ct_equal(bytes{}, bytes{0}));
    CHECK(simkit::ct_equal(nullptr, 0, nullptr, 0));
    // Every single-bit difference anywhere is seen.
    const bytes base(32, 0x3C);
    for (std::size_t i = 0; i < base.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            bytes other = base;
            other[i] ^= static_cast<uint8_t>(1 << bit);
            CHECK_FALSE(simkit::ct_equal(base, other));
        }
    }
}

TEST_CASE("big-endian helpers", "[bytes]") {
    bytes out;
    simkit::append_u16(out, 0x1234);
    simkit::append_u16(out, 0x00FF);
    CHECK(out == bytes{0x12, 0x34, 0x00, 0xFF});
    CHECK(simkit::read_u16(out.data()) == 0x1234);
    CHECK(simkit::read_u16(out.data() + 2) == 0x00FF);
}

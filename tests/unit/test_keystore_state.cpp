// What the key store keeps: personalization over SCP03 STORE DATA (objects, policies, files in
// chunks), private scalars never in clear in the state file, GENERATE KEY PAIR cut at every write
// point leaves the slot empty or complete, and an older state file gains the key store on open.
#include "keystore/objects.hpp"
#include "keystore_test_support.hpp"
#include "simkit/ec.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
ResponseApdu cmd(sim::Card& card, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {}, std::size_t ne = 256) {
    return ResponseApdu::parse(card.transmit(CommandApdu::make(0x00, ins, p1, p2, data, ne).encode()));
}
const bytes kScalar = from_hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");  // RFC 6979 A.2.5
}  // namespace

TEST_CASE("personalization defines objects, writes a certificate in chunks and deletes", "[keystore][personalization]") {
    auto card = sim::make_memory_card();
    select_keystore(*card);
    // Outside a secure channel STORE DATA is refused.
    REQUIRE(sw_of(*card, "80E2880005010103840101") == 0x6982);

    bytes cert(700);
    for (std::size_t i = 0; i < cert.size(); ++i) cert[i] = static_cast<uint8_t>(i ^ 0x5A);
    {
        Personalizer p(*card);
        // A key-agreement-only private key 06, PIN-bound by policy, and a new file 07.
        REQUIRE(p.store(0x0101, cat(cat(from_hex("C10E8401067403"), bytes{'e', 'c', 'c'}), from_hex("600180610106"))) == 0x9000);
        REQUIRE(p.store(0x0101, from_hex("C30983010760010121010202")) == 0x6A80);  // 21 with 2 bytes
        REQUIRE(p.store(0x0101, bytes{}) == 0x6A80);
        REQUIRE(p.store(0x0101, from_hex("C309830107600101210102")) == 0x9000);
        for (std::size_t at = 0; at < cert.size(); at += 180) {
            const std::size_t n = std::min<std::size_t>(180, cert.size() - at);
            bytes value = from_hex("830107 5402");
            append_u16(value, static_cast<uint16_t>(at));
            value.push_back(0x53);
            value.push_back(0x81);
            value.push_back(static_cast<uint8_t>(n));
            value.insert(value.end(), cert.begin() + static_cast<std::ptrdiff_t>(at), cert.begin() + static_cast<std::ptrdiff_t>(at + n));
            REQUIRE(p.store(0x0102, value) == 0x9000);
        }
        REQUIRE(p.store(0x0102, from_hex("830107540209995301AA")) == 0x6A80);  // offset past the end
        REQUIRE(p.store(0x0103, from_hex("830103")) == 0x9000);                // delete file 03
        REQUIRE(p.store(0x0103, from_hex("830103")) == 0x6A88);
        REQUIRE(p.store(0x0104, cat(from_hex("8401025320"), kScalar), true) == 0x9000);  // load a known key
    }
    card->reset();
    select_keystore(*card);
    // Orange reads in 50-byte chunks; Thales until empty.
    bytes read;
    for (;;) {
        const ResponseApdu r = cmd(*card, 0xB0, static_cast<uint8_t>(read.size() >> 8), static_cast<uint8_t>(read.size()),
                                   {0x83, 0x01, 0x07}, 50);
        REQUIRE(r.sw() == 0x9000);
        if (r.data().empty()) break;
        read.insert(read.end(), r.data().begin(), r.data().end());
    }
    REQUIRE(read == cert);
    const ResponseApdu info = cmd(*card, 0xCB, 0xC3, 0x00, {0x83, 0x01, 0x07});
    REQUIRE(info.sw() == 0x9000);
    REQUIRE(contains(info.data(), from_hex("200202BC")));  // 700 bytes, big-endian
    REQUIRE(cmd(*card, 0xB0, 0, 0, {0x83, 0x01, 0x03}).sw() == 0x6A88);

    // Key 06: usage key agreement only -> signing 6985; and needs the PIN.
    const bytes sign06 = from_hex("840106A10101910200019201 04");
    REQUIRE(cmd(*card, 0x2A, 0x00, 0x01, sign06, 0).sw() == 0x6985);
    REQUIRE(cmd(*card, 0xB9, 0, 0, from_hex("840106")).sw() == 0x6982);  // slot PIN-bound by policy
    REQUIRE(sw_of(*card, "002000010831323334FFFFFFFF") == 0x9000);
    REQUIRE(cmd(*card, 0xB9, 0, 0, from_hex("840106")).sw() == 0x9000);
    REQUIRE(cmd(*card, 0x2A, 0x00, 0x01, sign06, 0).sw() == 0x6985);

    // The loaded key 02 has the public key of the known scalar.
    const ResponseApdu pub = cmd(*card, 0xCD, 0, 0, from_hex("850102"));
    REQUIRE(pub.sw() == 0x9000);
    REQUIRE(bytes(pub.data().begin() + 6, pub.data().end()) == crypto::p256_public_from_private(to_secure(kScalar)));
}

TEST_CASE("the state file never holds a private scalar in clear", "[keystore][state]") {
    TempStateDir dir;
    const std::string path = dir.file();
    {
        auto card = sim::open_simulated_card(path);
        Personalizer p(*card);
        REQUIRE(p.store(0x0104, cat(from_hex("8401015320"), kScalar), true) == 0x9000);
    }
    const bytes file = read_whole_file(path);
    REQUIRE(file.size() > 100);
    REQUIRE_FALSE(contains(file, kScalar));
    auto state = sim::PersistentState::open(path, [](sim::PersistentState&) { FAIL("state vanished"); });
    const secure_bytes* sealed = state.get("keystore/private/01/scalar");
    REQUIRE(sealed != nullptr);
    REQUIRE(sealed->size() == 12 + 32 + 16);
    sim::keystore::ObjectStore store(state);
    REQUIRE(to_bytes(store.private_scalar(bytes{0x01})) == kScalar);  // opens with the storage key and its name only
    // A generated key is not in the file either (checked through the sealed record's opening).
    // Moving the sealed value to another name does not open (AAD = record name).
    state.put("keystore/private/02/scalar", *sealed);
    REQUIRE_THROWS(store.private_scalar(bytes{0x02}));
}

TEST_CASE("GENERATE KEY PAIR cut at every write point leaves the slot empty or complete", "[keystore][power-cut]") {
    TempStateDir dir;
    const std::string path = dir.file();
    sim::open_simulated_card(path);
    int cuts = 0;
    for (int point = 0;; ++point) {
        std::filesystem::copy_file(path, dir.file("fresh"), std::filesystem::copy_options::overwrite_existing);
        bool answered = false;
        {
            auto card = sim::open_simulated_card(path);
            select_keystore(*card);
            card->state().set_write_point_hook([point](int p) {
                if (p == point) throw sim::PowerCut{p};
            });
            try {
                card->transmit(from_hex("00B900000384010100"));
                answered = true;
            } catch (const sim::PowerCut&) {
                ++cuts;
            }
        }
        {
            auto state = sim::PersistentState::open(path, [](sim::PersistentState&) { FAIL("state vanished"); });
            sim::keystore::ObjectStore store(state);
            const auto key = store.find_by_id(sim::keystore::ObjectKind::PrivateKey, bytes{0x01});
            REQUIRE(key);
            const bool has_private = store.filled(*key);
            const auto point_stored = store.public_point(bytes{0x01});
            REQUIRE(has_private == point_stored.has_value());
            if (has_private) REQUIRE(crypto::p256_public_from_private(store.private_scalar(bytes{0x01})) == *point_stored);
            if (!answered) REQUIRE(state.get("keystore/storage-key") != nullptr);
        }
        if (answered) break;
        std::filesystem::copy_file(dir.file("fresh"), path, std::filesystem::copy_options::overwrite_existing);
    }
    REQUIRE(cuts >= 5);
}

TEST_CASE("a state file from before the key store gains it on open, never reset", "[keystore][state][migration]") {
    TempStateDir dir;
    const std::string path = dir.file();
    std::filesystem::copy_file(std::string(SIMKIT_VECTORS_DIR) + "/state/foundation-28f06a8.state", path);
    bytes storage_key;
    bytes point;
    {
        auto card = sim::open_simulated_card(path);
        REQUIRE(card->state().get("keystore/layout") != nullptr);
        storage_key = to_bytes(*card->state().get("keystore/storage-key"));
        select_keystore(*card);
        const ResponseApdu r = ResponseApdu::parse(card->transmit(from_hex("00B900000384010100")));
        REQUIRE(r.sw() == 0x9000);
        point = bytes(r.data().end() - 65, r.data().end());
        // PIN records of the foundation build are used as they are.
        REQUIRE(sw_of(*card, "002000010831323334FFFFFFFF") == 0x9000);
    }
    auto card = sim::open_simulated_card(path);
    REQUIRE(to_bytes(*card->state().get("keystore/storage-key")) == storage_key);
    select_keystore(*card);
    const ResponseApdu pub = ResponseApdu::parse(card->transmit(from_hex("00CD00000385010100")));
    REQUIRE(bytes(pub.data().begin() + 6, pub.data().end()) == point);
}

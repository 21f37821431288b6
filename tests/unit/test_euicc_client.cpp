// Tests of simkit::Euicc (hostlib/src/euicc/euicc_client.cpp) against the simulated card in a
// temporary directory (Card::open("sim:PATH")): the EID, the profile list (the migrated profile 01,
// two test profiles added with the card-side add_test_profile before the card is opened), enable/
// disable/delete/nickname and their SGP.22 result codes as EuiccError, the USIM following the
// enabled profile, STORE DATA chaining checked on the wire, the logical channel opened and closed,
// ES10a/b (addresses, memory reset, EUICCInfo1/2, notifications with their signature checked by
// OpenSSL against the eUICC certificate they carry), and a scripted card for failing blocks.
// Expected values come from SGP.22 (tags, result names, P1 11/91 chaining) and from the profile
// data the test itself installs, not from running the client.
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "euicc/test_profiles.hpp"
#include "simkit/card.hpp"
#include "simkit/errors.hpp"
#include "simkit/es10.hpp"
#include "simkit/euicc_client.hpp"
#include "simkit/usim_client.hpp"
#include "simulated_card.hpp"
#include "state_test_support.hpp"

using namespace simkit;

namespace {

const std::string kIccidA = "8949000000000000017";   // 19 digits: F-padded on the card
const std::string kIccidB = "89490000000000000025";  // 20 digits
const std::string kImsiA = "001010000000017";
const std::string kImsiB = "001010000000025";
const bytes kIsdRAid = from_hex("A0000005591010FFFFFFFF8900000100");

// A state file with the two test profiles A (test class, named) and B (operational) added on the card
// side, then closed (the lock released) so that Card::open can take it.
void add_two_profiles(const std::string& path) {
    auto card = sim::open_simulated_card(path);
    sim::euicc::TestProfileSpec a;
    a.iccid = kIccidA;
    a.imsi = kImsiA;
    a.k = secure_from_hex("000102030405060708090A0B0C0D0E0F");
    a.opc = secure_from_hex("101112131415161718191A1B1C1D1E1F");
    a.profile_name = "Test A";
    a.service_provider_name = "simkit";
    a.profile_class = es10::ProfileClass::Test;
    sim::euicc::add_test_profile(card->state(), a);
    sim::euicc::TestProfileSpec b;
    b.iccid = kIccidB;
    b.imsi = kImsiB;
    b.k = secure_from_hex("202122232425262728292A2B2C2D2E2F");
    b.opc = secure_from_hex("303132333435363738393A3B3C3D3E3F");
    b.profile_name = "Test B";
    b.profile_class = es10::ProfileClass::Operational;
    sim::euicc::add_test_profile(card->state(), b);
    card->state().commit();
}

const es10::ProfileInfo* find_iccid(const std::vector<es10::ProfileInfo>& list, const std::string& digits) {
    for (const auto& p : list) {
        if (p.iccid && es10::iccid_to_digits(*p.iccid) == digits) return &p;
    }
    return nullptr;
}

// The EuiccError a call throws (FAIL when none).
template <typename F>
EuiccError euicc_error_of(F&& call) {
    try {
        call();
    } catch (const EuiccError& e) {
        return e;
    }
    FAIL("no EuiccError");
    throw std::logic_error("unreachable");
}

struct Wire {
    std::vector<bytes> commands;
    std::vector<bytes> responses;
    void attach(Card& card) {
        card.set_observer([this](const bytes& c, const bytes& r) {
            commands.push_back(c);
            responses.push_back(r);
        });
    }
    void clear() {
        commands.clear();
        responses.clear();
    }
};

// OpenSSL's own check of a notification's signature: ECDSA-SHA256 over the DER of its BF2F metadata
// by the key in the eUICC certificate it carries (raw r||s turned into an ECDSA-Sig-Value here).
bool signature_verifies(const es10::SignedNotification& n) {
    const unsigned char* p = n.euicc_certificate.data();
    std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(n.euicc_certificate.size())),
                                                     X509_free);
    REQUIRE(cert);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()), EVP_PKEY_free);
    REQUIRE(key);
    ECDSA_SIG* sig = ECDSA_SIG_new();
    REQUIRE(ECDSA_SIG_set0(sig, BN_bin2bn(n.signature.data(), 32, nullptr), BN_bin2bn(n.signature.data() + 32, 32, nullptr)) == 1);
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    REQUIRE(der_len > 0);
    const bytes message = n.metadata.to_tlv().encode();
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_len), message.data(), message.size()) == 1;
    OPENSSL_free(der);
    return ok;
}

// The last STORE DATA on the wire (GET RESPONSE may follow it).
bytes last_store_data(const Wire& wire) {
    for (auto it = wire.commands.rbegin(); it != wire.commands.rend(); ++it) {
        if (it->size() >= 4 && (*it)[1] == 0xE2) return *it;
    }
    FAIL("no STORE DATA");
    return {};
}

}  // namespace

TEST_CASE("Euicc on a fresh card: EID, the migrated profile 01 enabled, channel opened and closed", "[euicc-client]") {
    test::TempDir dir;
    Card card = Card::open("sim:" + dir.file());
    const std::string live_iccid = UsimClient(card).iccid();
    Wire wire;
    wire.attach(card);
    {
        Euicc euicc(card);
        CHECK(euicc.channel() >= 1);
        // MANAGE CHANNEL open (00 70 00 00 01), then SELECT ISD-R on the channel (CLA 0x).
        REQUIRE(wire.commands.size() >= 2);
        CHECK(wire.commands[0] == from_hex("0070000001"));
        CHECK(wire.responses[0] == bytes{euicc.channel(), 0x90, 0x00});
        CHECK(wire.commands[1][0] == euicc.channel());
        CHECK(wire.commands[1][1] == 0xA4);

        const bytes eid = euicc.eid();
        REQUIRE(eid.size() == 16);
        CHECK(eid[0] == 0x89);
        CHECK(euicc.eid() == eid);  // stable

        const auto profiles = euicc.profiles();
        REQUIRE(profiles.size() == 1);
        REQUIRE(profiles[0].iccid);
        CHECK(es10::iccid_to_digits(*profiles[0].iccid) == live_iccid);
        CHECK(profiles[0].state == es10::ProfileState::Enabled);
        CHECK(profiles[0].profile_class.value_or(es10::ProfileClass::Operational) == es10::ProfileClass::Operational);
        REQUIRE(profiles[0].isdp_aid);
        CHECK(profiles[0].isdp_aid->size() == 16);

        // ES10 on the channel: CLA 80 with the channel bits, INS E2, one block P1 91 P2 00.
        const bytes store = last_store_data(wire);
        CHECK(store[0] == (0x80 | euicc.channel()));
        CHECK(store[1] == 0xE2);
        CHECK(store[2] == 0x91);
        CHECK(store[3] == 0x00);

        const bytes challenge = euicc.challenge();
        CHECK(challenge.size() == 16);
        CHECK(euicc.challenge() != challenge);
        wire.clear();
    }
    // The destructor closes the channel: 00 70 80 <channel>.
    REQUIRE(wire.commands.size() == 1);
    CHECK(wire.commands[0][1] == 0x70);
    CHECK(wire.commands[0][2] == 0x80);
    CHECK(wire.commands[0][3] != 0x00);
}

TEST_CASE("Euicc on the basic channel sends CLA 80 and opens no channel", "[euicc-client]") {
    test::TempDir dir;
    Card card = Card::open("sim:" + dir.file());
    Wire wire;
    wire.attach(card);
    {
        EuiccOptions options;
        options.logical_channel = false;
        Euicc euicc(card, options);
        CHECK(euicc.channel() == 0);
        CHECK(euicc.eid().size() == 16);
        CHECK(last_store_data(wire)[0] == 0x80);
    }
    for (const bytes& c : wire.commands) CHECK(c[1] != 0x70);
}

TEST_CASE("Euicc manages two test profiles: list, enable, USIM follows, disable, delete, nickname", "[euicc-client]") {
    test::TempDir dir;
    add_two_profiles(dir.file());
    Card card = Card::open("sim:" + dir.file());
    const std::string original_iccid = UsimClient(card).iccid();
    const auto a = profile_by_iccid(kIccidA);
    const auto b = profile_by_iccid(kIccidB);
    Euicc euicc(card);

    auto profiles = euicc.profiles();
    REQUIRE(profiles.size() == 3);
    const es10::ProfileInfo* pa = find_iccid(profiles, kIccidA);
    const es10::ProfileInfo* pb = find_iccid(profiles, kIccidB);
    REQUIRE(pa);
    REQUIRE(pb);
    CHECK(pa->state == es10::ProfileState::Disabled);
    CHECK(pa->profile_class == es10::ProfileClass::Test);
    CHECK(pa->profile_name == std::optional<std::string>("Test A"));
    CHECK(pa->service_provider_name == std::optional<std::string>("simkit"));
    CHECK(pb->profile_class.value_or(es10::ProfileClass::Operational) == es10::ProfileClass::Operational);
    REQUIRE(pb->isdp_aid);
    const bytes aid_b = *pb->isdp_aid;

    SECTION("search by ICCID and a tag list") {
        es10::ProfileInfoListRequest::SearchCriteria search;
        search.profile = a;
        const auto found = euicc.profiles(search, bytes{0x5A, 0x9F, 0x70});
        REQUIRE(found.size() == 1);
        CHECK(found[0].iccid);
        CHECK(found[0].state == es10::ProfileState::Disabled);
        CHECK_FALSE(found[0].profile_name);
    }

    SECTION("enable A: A enabled, profile 01 disabled, the USIM answers for A") {
        euicc.enable(a);
        profiles = euicc.profiles();
        CHECK(find_iccid(profiles, kIccidA)->state == es10::ProfileState::Enabled);
        CHECK(find_iccid(profiles, original_iccid)->state == es10::ProfileState::Disabled);
        CHECK(find_iccid(profiles, kIccidB)->state == es10::ProfileState::Disabled);
        UsimClient usim(card);
        CHECK(usim.iccid() == kIccidA);
        CHECK(usim.imsi() == kImsiA);

        // A Test Profile enabled over 01: B (operational) may not follow it (SGP.22 5.7.16, TPRO10).
        const EuiccError wrong = euicc_error_of([&] { euicc.enable(b); });
        CHECK(wrong.code() == 4);
        CHECK(wrong.name() == "wrongProfileReenabling");
        CHECK(find_iccid(euicc.profiles(), kIccidA)->state == es10::ProfileState::Enabled);

        // Disable A: profile 01 is enabled again (SGP.21 TPRO10), the USIM answers for it.
        euicc.disable(a);
        profiles = euicc.profiles();
        CHECK(find_iccid(profiles, kIccidA)->state == es10::ProfileState::Disabled);
        CHECK(find_iccid(profiles, original_iccid)->state == es10::ProfileState::Enabled);
        CHECK(UsimClient(card).iccid() == original_iccid);

        // Then B by its ISD-P AID, without refresh: 01 is disabled in the same step.
        euicc.enable(profile_by_aid(aid_b), false);
        profiles = euicc.profiles();
        CHECK(find_iccid(profiles, original_iccid)->state == es10::ProfileState::Disabled);
        CHECK(find_iccid(profiles, kIccidA)->state == es10::ProfileState::Disabled);
        CHECK(find_iccid(profiles, kIccidB)->state == es10::ProfileState::Enabled);
        UsimClient usim_b(card);
        CHECK(usim_b.imsi() == kImsiB);

        // Enable an enabled profile; delete the enabled one; disable a disabled one.
        const EuiccError again = euicc_error_of([&] { euicc.enable(b); });
        CHECK(again.code() == 2);
        CHECK(again.name() == "profileNotInDisabledState");
        CHECK(again.request_tag() == es10::kTagEnableProfile);
        CHECK(std::string(again.what()) == "enable profile " + kIccidB + ": profileNotInDisabledState (2)");
        CHECK(euicc_error_of([&] { euicc.remove(b); }).name() == "profileNotInDisabledState");
        CHECK(euicc_error_of([&] { euicc.disable(a); }).name() == "profileNotInEnabledState");

        // Disable B: no profile enabled, no USIM.
        euicc.disable(b);
        CHECK(find_iccid(euicc.profiles(), kIccidB)->state == es10::ProfileState::Disabled);
        CHECK_THROWS_AS(UsimClient(card), SwError);
    }

    SECTION("unknown profiles: iccidOrAidNotFound") {
        const std::string unknown = "8988000000000000019";
        const EuiccError e = euicc_error_of([&] { euicc.enable(profile_by_iccid(unknown)); });
        CHECK(e.code() == 1);
        CHECK(e.name() == "iccidOrAidNotFound");
        CHECK(std::string(e.what()) == "enable profile " + unknown + ": iccidOrAidNotFound (1)");
        CHECK(euicc_error_of([&] { euicc.disable(profile_by_iccid(unknown)); }).name() == "iccidOrAidNotFound");
        CHECK(euicc_error_of([&] { euicc.remove(profile_by_aid(from_hex("A0000005591010FFFFFFFF8900009900"))); }).name() ==
              "iccidOrAidNotFound");
        CHECK(euicc_error_of([&] { euicc.set_nickname(es10::iccid_to_bytes(unknown), "x"); }).code() == 1);
        // An ICCID of the wrong shape never reaches the card.
        CHECK_THROWS_AS(profile_by_iccid("12345"), ArgumentError);
        CHECK_THROWS_AS(profile_by_aid(bytes{0xA0}), ArgumentError);
    }

    SECTION("delete B, then it is gone") {
        euicc.remove(b);
        profiles = euicc.profiles();
        CHECK(profiles.size() == 2);
        CHECK_FALSE(find_iccid(profiles, kIccidB));
        CHECK(euicc_error_of([&] { euicc.remove(b); }).name() == "iccidOrAidNotFound");
    }

    SECTION("nickname of 64 bytes, then removed") {
        const std::string nickname(64, 'n');
        euicc.set_nickname(es10::iccid_to_bytes(kIccidA), nickname);
        CHECK(find_iccid(euicc.profiles(), kIccidA)->nickname == std::optional<std::string>(nickname));
        euicc.set_nickname(es10::iccid_to_bytes(kIccidA), "");
        const auto listed = euicc.profiles();  // find_iccid points into it
        const auto* after = find_iccid(listed, kIccidA);
        REQUIRE(after != nullptr);
        CHECK((!after->nickname || after->nickname->empty()));
    }
}

TEST_CASE("Euicc chains long requests in STORE DATA blocks (P1 11 ... 91, P2 counting)", "[euicc-client]") {
    test::TempDir dir;
    add_two_profiles(dir.file());
    Card card = Card::open("sim:" + dir.file());
    Wire wire;
    wire.attach(card);

    SECTION("16-byte blocks: a 64-byte nickname in six blocks") {
        EuiccOptions options;
        options.block_size = 16;
        Euicc euicc(card, options);
        const std::string nickname(64, 'z');
        const bytes request = es10::SetNicknameRequest{es10::iccid_to_bytes(kIccidA), nickname}.encode();
        const std::size_t blocks = (request.size() + 15) / 16;
        REQUIRE(blocks >= 5);
        wire.clear();
        euicc.set_nickname(es10::iccid_to_bytes(kIccidA), nickname);
        REQUIRE(wire.commands.size() >= blocks);
        bytes joined;
        for (std::size_t i = 0; i < blocks; ++i) {
            const bytes& c = wire.commands[i];
            INFO("block " << i << ": " << to_hex(c));
            CHECK(c[0] == (0x80 | euicc.channel()));
            CHECK(c[1] == 0xE2);
            CHECK(c[2] == (i + 1 == blocks ? 0x91 : 0x11));
            CHECK(c[3] == i);
            CHECK(c[4] == std::min<std::size_t>(16, request.size() - i * 16));
            joined.insert(joined.end(), c.begin() + 5, c.begin() + 5 + c[4]);
            if (i + 1 < blocks) CHECK(wire.responses[i] == from_hex("9000"));
        }
        CHECK(joined == request);
        CHECK(find_iccid(euicc.profiles(), kIccidA)->nickname == std::optional<std::string>(nickname));
    }

    SECTION("default 120-byte blocks: a ProfileInfoList request with a long tag list") {
        Euicc euicc(card);
        bytes tags;
        for (int i = 0; i < 20; ++i) {
            const bytes some{0x5A, 0x4F, 0x9F, 0x70, 0x90, 0x91, 0x92, 0x95};
            tags.insert(tags.end(), some.begin(), some.end());
        }
        es10::ProfileInfoListRequest request;
        request.tag_list = tags;
        REQUIRE(request.encode().size() > 120);
        wire.clear();
        const auto profiles = euicc.profiles(std::nullopt, tags);
        CHECK(profiles.size() == 3);
        REQUIRE(wire.commands.size() >= 2);
        CHECK(wire.commands[0][2] == 0x11);
        CHECK(wire.commands[0][3] == 0x00);
        CHECK(wire.commands[0][4] == 120);
        CHECK(wire.commands[1][2] == 0x91);
        CHECK(wire.commands[1][3] == 0x01);
        const auto* a = find_iccid(profiles, kIccidA);
        REQUIRE(a);
        CHECK(a->profile_name == std::optional<std::string>("Test A"));
    }

    SECTION("a bad block size is refused before the card is touched") {
        EuiccOptions options;
        options.block_size = 0;
        CHECK_THROWS_AS(Euicc(card, options), ArgumentError);
        options.block_size = 256;
        CHECK_THROWS_AS(Euicc(card, options), ArgumentError);
    }
}

TEST_CASE("Euicc without an ISD-R: SELECT fails with the status word and the channel is closed", "[euicc-client]") {
    test::TempDir dir;
    Card card = Card::open("sim:" + dir.file());
    Wire wire;
    wire.attach(card);
    EuiccOptions options;
    options.aid = from_hex("A0000005591010FFFFFFFF8900000999");
    try {
        Euicc euicc(card, options);
        FAIL("no error");
    } catch (const SwError& e) {
        CHECK(e.sw() == 0x6A82);
        CHECK(std::string(e.what()).find("SELECT ISD-R") != std::string::npos);
    }
    REQUIRE(wire.commands.size() >= 3);
    CHECK(wire.commands.back()[1] == 0x70);
    CHECK(wire.commands.back()[2] == 0x80);
}

TEST_CASE("Euicc ES10a: configured addresses and the default SM-DP+ address", "[euicc-client]") {
    test::TempDir dir;
    Card card = Card::open("sim:" + dir.file());
    Euicc euicc(card);
    const auto addresses = euicc.configured_addresses();
    CHECK_FALSE(addresses.root_ds_address.empty());
    euicc.set_default_dp_address("smdp.example.org");
    CHECK(euicc.configured_addresses().default_dp_address == std::optional<std::string>("smdp.example.org"));
    euicc.set_default_dp_address("");
    CHECK_FALSE(euicc.configured_addresses().default_dp_address);
    // eUICCMemoryReset of the default address only; a second time there is nothing to delete.
    euicc.set_default_dp_address("smdp.example.org");
    es10::EuiccMemoryResetRequest reset;
    reset.reset_default_smdp_address = true;
    euicc.memory_reset(reset);
    CHECK_FALSE(euicc.configured_addresses().default_dp_address);
    CHECK(euicc_error_of([&] { euicc.memory_reset(reset); }).name() == "nothingToDelete");
}

TEST_CASE("Euicc ES10b: EUICCInfo1/2 and the rules authorisation table", "[euicc-client]") {
    test::TempDir dir;
    Card card = Card::open("sim:" + dir.file());
    Euicc euicc(card);
    const auto info2 = euicc.euicc_info2();
    CHECK(info2.svn.size() == 3);
    const auto info1 = euicc.euicc_info1();
    CHECK(info1.svn == info2.svn);
    CHECK_FALSE(info1.ci_pkids_verification.empty());
    CHECK(info1.ci_pkids_verification == info2.ci_pkids_verification);
    CHECK_NOTHROW(euicc.rat());
}

TEST_CASE("Euicc ES10b: notifications listed, retrieved signed, removed", "[euicc-client]") {
    test::TempDir dir;
    add_two_profiles(dir.file());
    Card card = Card::open("sim:" + dir.file());
    Euicc euicc(card);
    // Enable A then disable it: two notifications with increasing sequence numbers for A.
    euicc.enable(profile_by_iccid(kIccidA));
    euicc.disable(profile_by_iccid(kIccidA));
    const auto list = euicc.notifications();
    std::vector<es10::NotificationMetadata> for_a;
    for (const auto& n : list) {
        if (n.iccid && es10::iccid_to_digits(*n.iccid) == kIccidA) for_a.push_back(n);
    }
    REQUIRE(for_a.size() == 2);
    CHECK(for_a[0].event == es10::NotificationEvent::Enable);
    CHECK(for_a[1].event == es10::NotificationEvent::Disable);
    CHECK(for_a[0].seq_number < for_a[1].seq_number);
    CHECK(euicc.notifications(es10::NotificationEvent::Disable).size() >= 1);

    const auto signed_one = euicc.retrieve_notifications(for_a[0].seq_number);
    REQUIRE(signed_one.size() == 1);
    CHECK(signed_one[0].metadata == for_a[0]);
    REQUIRE(signed_one[0].signature.size() == 64);
    CHECK(signature_verifies(signed_one[0]));
    CHECK(euicc.retrieve_notifications().size() == list.size());

    euicc.remove_notification(for_a[0].seq_number);
    for (const auto& n : euicc.notifications()) CHECK(n.seq_number != for_a[0].seq_number);
    const EuiccError gone = euicc_error_of([&] { euicc.remove_notification(for_a[0].seq_number); });
    CHECK(gone.name() == "nothingToDelete");
    CHECK(euicc_error_of([&] { euicc.retrieve_notifications(for_a[0].seq_number); }).code() == 1);
}

namespace {

// A card that answers from a script (MANAGE CHANNEL, SELECT, then `store_data` for every STORE DATA).
class ScriptedEuicc : public Transport {
public:
    using Handler = std::function<ResponseApdu(const CommandApdu&)>;
    explicit ScriptedEuicc(Handler store_data) : store_data_(std::move(store_data)) {}
    bytes transmit(const bytes& raw) override {
        const CommandApdu c = CommandApdu::parse(raw);
        if (c.ins() == 0x70) return c.p1() == 0x00 ? from_hex("029000") : from_hex("9000");
        if (c.ins() == 0xA4) return from_hex("9000");
        return store_data_(c).encode();
    }
    bytes atr() override { return from_hex("3B00"); }
    void reset() override {}
    std::string description() const override { return "scripted eUICC"; }

private:
    Handler store_data_;
};

}  // namespace

TEST_CASE("Euicc names the failing STORE DATA block and maps result codes it has no special case for", "[euicc-client]") {
    SECTION("a refused middle block: SwError with the block and the request's tag") {
        Card card(std::make_unique<ScriptedEuicc>([](const CommandApdu& c) {
            CHECK(c.cla() == 0x82);  // channel 2 from the script
            return c.p2() == 1 ? ResponseApdu(0x6A84) : ResponseApdu::ok();
        }));
        EuiccOptions options;
        options.block_size = 16;
        Euicc euicc(card, options);
        CHECK(euicc.channel() == 2);
        try {
            euicc.set_nickname(es10::iccid_to_bytes(kIccidA), std::string(64, 'x'));
            FAIL("no error");
        } catch (const SwError& e) {
            CHECK(e.sw() == 0x6A84);
            CHECK_THAT(e.what(), Catch::Matchers::StartsWith("STORE DATA block 2 of 6 (ES10 BF29): 6A84"));
        }
    }
    SECTION("undefinedError (127) and a malformed answer") {
        int calls = 0;
        Card card(std::make_unique<ScriptedEuicc>([&calls](const CommandApdu&) {
            ++calls;
            return calls == 1 ? ResponseApdu::ok(es10::ResultResponse{es10::kTagDeleteProfile, 127}.encode())
                              : ResponseApdu::ok(from_hex("BF3E03"));
        }));
        EuiccOptions options;
        options.logical_channel = false;
        Euicc euicc(card, options);
        const EuiccError e = euicc_error_of([&] { euicc.remove(profile_by_iccid(kIccidA)); });
        CHECK(e.code() == 127);
        CHECK(e.name() == "undefinedError");
        CHECK(std::string(e.what()) == "delete profile " + kIccidA + ": undefinedError (127)");
        CHECK_THROWS_AS(euicc.eid(), FormatError);
    }
}

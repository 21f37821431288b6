// The eUICC's ISD-R through the card runtime with raw APDUs (specs/euicc.md): SELECT on the basic and
// a logical channel, STORE DATA chaining and its errors, 61xx + GET RESPONSE, every ES10a/b/c command
// the ISD-R takes with its SGP.22 result codes, the USIM switch (EF.ICCID, EF.IMSI and AUTHENTICATE
// follow the enabled profile; expected RES from the host's own MILENAGE), migration of a state from
// before the eUICC, add_test_profile's errors, EUICCInfo1/2 and the test PKI (checked with OpenSSL),
// notifications signed with the eUICC key, and a power cut at every write point of an enable.
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <map>

#include "euicc/isdr_applet.hpp"
#include "euicc/notifications.hpp"
#include "euicc/profile_store.hpp"
#include "euicc/test_pki.hpp"
#include "euicc/test_profiles.hpp"
#include "simkit/core/openssl_ptr.hpp"
#include "simkit/aka.hpp"
#include "simkit/crypto.hpp"
#include "simkit/ec.hpp"
#include "simkit/es10.hpp"
#include "simkit/milenage.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simulated_card_support.hpp"
#include "state_test_support.hpp"

using namespace simkit;
using namespace simkit::test;
namespace euicc = simkit::sim::euicc;

namespace {
const bytes kIsdr = from_hex("A0000005591010FFFFFFFF8900000100");
const bytes kUsimAidPrefix = from_hex("A0000000871002");
const std::string kFactoryIccid = "8988211000000000003";
const secure_bytes kK2 = to_secure(from_hex("000102030405060708090A0B0C0D0E0F"));
const secure_bytes kOpc2 = to_secure(from_hex("F0E0D0C0B0A090807060504030201000"));

ResponseApdu cmd(sim::Card& card, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const bytes& data = {}, std::size_t ne = 0) {
    const bytes raw = card.transmit(CommandApdu::make(cla, ins, p1, p2, data, ne).encode());
    REQUIRE(raw.size() >= 2);
    return ResponseApdu::parse(raw);
}

// Fetches what 61xx announces with GET RESPONSE in class `gr_cla`; the whole answer.
ResponseApdu fetch(sim::Card& card, ResponseApdu first, uint8_t gr_cla) {
    bytes data = first.data();
    uint16_t sw = first.sw();
    while ((sw >> 8) == 0x61) {
        const ResponseApdu next = cmd(card, gr_cla, 0xC0, 0x00, 0x00, {}, (sw & 0xFF) == 0 ? 256 : (sw & 0xFF));
        data.insert(data.end(), next.data().begin(), next.data().end());
        sw = next.sw();
    }
    return ResponseApdu(std::move(data), sw);
}

// One ES10 request as STORE DATA blocks of `block` bytes in class `cla`; GET RESPONSE in the
// interindustry class of the same channel.
ResponseApdu send_es10(sim::Card& card, const bytes& der, uint8_t cla = 0x80, std::size_t block = 255) {
    std::size_t offset = 0;
    for (uint8_t n = 0;; ++n) {
        const std::size_t len = std::min(block, der.size() - offset);
        const bytes part(der.begin() + static_cast<std::ptrdiff_t>(offset), der.begin() + static_cast<std::ptrdiff_t>(offset + len));
        offset += len;
        const bool last = offset == der.size();
        const ResponseApdu r = cmd(card, cla, 0xE2, last ? 0x91 : 0x11, n, part, last ? 256 : 0);
        if (last) return fetch(card, r, static_cast<uint8_t>((cla & 0x40) != 0 ? (cla & 0x4F) : (cla & 0x03)));
        REQUIRE(r.sw() == 0x9000);
    }
}

uint8_t result_of(sim::Card& card, const bytes& der, uint32_t tag) {
    const ResponseApdu r = send_es10(card, der);
    REQUIRE(r.sw() == 0x9000);
    return es10::ResultResponse::decode(r.data(), tag).code;
}

void select_isdr(sim::Card& card, uint8_t cla = 0x00) {
    REQUIRE(fetch(card, cmd(card, cla, 0xA4, 0x04, 0x00, kIsdr, 256), cla).sw() == 0x9000);
}

es10::ProfileIdentifier by_iccid(const std::string& digits) {
    return {es10::ProfileIdentifier::Kind::Iccid, es10::iccid_to_bytes(digits)};
}
es10::ProfileIdentifier by_aid(unsigned n) { return {es10::ProfileIdentifier::Kind::IsdpAid, euicc::isdp_aid(n)}; }

uint8_t enable(sim::Card& card, const es10::ProfileIdentifier& id, bool refresh = true) {
    return result_of(card, es10::ProfileOperationRequest{es10::kTagEnableProfile, id, refresh}.encode(), es10::kTagEnableProfile);
}
uint8_t disable(sim::Card& card, const es10::ProfileIdentifier& id) {
    return result_of(card, es10::ProfileOperationRequest{es10::kTagDisableProfile, id, true}.encode(), es10::kTagDisableProfile);
}
uint8_t remove(sim::Card& card, const es10::ProfileIdentifier& id) {
    return result_of(card, es10::DeleteProfileRequest{id}.encode(), es10::kTagDeleteProfile);
}

std::vector<es10::ProfileInfo> list(sim::Card& card, const es10::ProfileInfoListRequest& request = {}) {
    const ResponseApdu r = send_es10(card, request.encode());
    REQUIRE(r.sw() == 0x9000);
    const auto answer = es10::ProfileInfoListResponse::decode(r.data());
    REQUIRE_FALSE(answer.error);
    return answer.profiles;
}

int enabled_count(sim::Card& card) {
    int n = 0;
    for (const auto& p : list(card)) n += p.state == es10::ProfileState::Enabled ? 1 : 0;
    return n;
}

euicc::TestProfileSpec spec(const std::string& iccid, const std::string& imsi) {
    euicc::TestProfileSpec s;
    s.iccid = iccid;
    s.imsi = imsi;
    s.k = kK2;
    s.opc = kOpc2;
    s.profile_name = "Test profile " + iccid.substr(iccid.size() - 2);
    s.service_provider_name = "simkit test";
    return s;
}

// A card with the migrated profile 01 enabled and profile 02 (ICCID ...0011, K2/OPc2) disabled.
std::unique_ptr<sim::Card> two_profile_card(sim::CardOptions options = {}) {
    auto card = sim::make_memory_card(options);
    euicc::add_test_profile(card->state(), spec("8988211000000000011", "001010000000022"));
    card->state().commit();
    return card;
}

bytes read_ef(sim::Card& card, const bytes& adf, uint16_t fid, std::size_t size) {
    if (!adf.empty()) REQUIRE(cmd(card, 0x00, 0xA4, 0x04, 0x0C, adf).sw() == 0x9000);
    else REQUIRE(cmd(card, 0x00, 0xA4, 0x00, 0x0C, from_hex("3F00")).sw() == 0x9000);
    REQUIRE(cmd(card, 0x00, 0xA4, 0x00, 0x0C, bytes{static_cast<uint8_t>(fid >> 8), static_cast<uint8_t>(fid)}).sw() == 0x9000);
    const ResponseApdu r = cmd(card, 0x00, 0xB0, 0x00, 0x00, {}, size);
    REQUIRE(r.sw() == 0x9000);
    return r.data();
}

// AUTHENTICATE data: LV RAND, LV AUTN.
bytes auth_data(const bytes& rand, const bytes& autn) {
    bytes out(1 + rand.size() + 1 + autn.size());
    out[0] = static_cast<uint8_t>(rand.size());
    std::copy(rand.begin(), rand.end(), out.begin() + 1);
    out[1 + rand.size()] = static_cast<uint8_t>(autn.size());
    std::copy(autn.begin(), autn.end(), out.begin() + 2 + static_cast<std::ptrdiff_t>(rand.size()));
    return out;
}

// 3G AUTHENTICATE on the basic channel with ADF.USIM selected; RES must be MILENAGE's with k/opc.
void expect_aka_with(sim::Card& card, const secure_bytes& k, const secure_bytes& opc) {
    const milenage::Milenage m(k, opc);
    const bytes rand(16, 0x3C);
    const bytes sqn = from_hex("000000000041");  // SEQ 2, IND 1: fresh on any profile's new array
    const bytes autn = aka::build_autn(m, rand, sqn, from_hex("8000"));
    REQUIRE(cmd(card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
    const ResponseApdu r = cmd(card, 0x00, 0x88, 0x00, 0x81, auth_data(rand, autn), 256);
    REQUIRE(r.sw() == 0x9000);
    REQUIRE(r.data().at(0) == 0xDB);
    const bytes res = m.f2345(rand).res;
    REQUIRE(bytes(r.data().begin() + 2, r.data().begin() + 2 + r.data()[1]) == res);
}
}  // namespace

TEST_CASE("ISD-R: SELECT on the basic and a logical channel; GetEID", "[euicc]") {
    auto card = sim::make_memory_card();
    const ResponseApdu basic = cmd(*card, 0x00, 0xA4, 0x04, 0x00, kIsdr, 256);
    REQUIRE(basic.sw() == 0x9000);
    REQUIRE(fci_aid(basic) == kIsdr);
    const ResponseApdu opened = cmd(*card, 0x00, 0x70, 0x00, 0x00, {}, 1);
    REQUIRE(opened.encode() == from_hex("019000"));  // exactly the channel byte and 9000
    select_isdr(*card, 0x01);
    const ResponseApdu r = send_es10(*card, es10::GetEidRequest{}.encode(), 0x81);
    REQUIRE(r.sw() == 0x9000);
    const bytes eid = es10::GetEidResponse::decode(r.data()).eid;
    REQUIRE(eid.size() == 16);
    REQUIRE(euicc::eid_valid(euicc::eid_to_digits(eid)));
    REQUIRE(send_es10(*card, es10::GetEidRequest{}.encode(), 0x80).data() == r.data());  // basic channel too, same EID
}

TEST_CASE("ISD-R: STORE DATA chaining, block order, size limit, malformed DER", "[euicc]") {
    auto card = sim::make_memory_card();
    select_isdr(*card);
    const bytes get_eid = es10::GetEidRequest{}.encode();
    SECTION("a request in 2-byte blocks is joined") {
        const ResponseApdu r = send_es10(*card, get_eid, 0x80, 2);
        REQUIRE(r.sw() == 0x9000);
        REQUIRE(es10::GetEidResponse::decode(r.data()).eid.size() == 16);
    }
    SECTION("a block out of order abandons the chain: 6A86") {
        REQUIRE(cmd(*card, 0x80, 0xE2, 0x11, 0x00, bytes(get_eid.begin(), get_eid.begin() + 2)).sw() == 0x9000);
        REQUIRE(cmd(*card, 0x80, 0xE2, 0x91, 0x02, bytes(get_eid.begin() + 2, get_eid.end())).sw() == 0x6A86);
        REQUIRE(cmd(*card, 0x80, 0xE2, 0x91, 0x01, bytes(get_eid.begin() + 2, get_eid.end())).sw() == 0x6A86);  // chain gone
        REQUIRE(cmd(*card, 0x80, 0xE2, 0x91, 0x01, get_eid).sw() == 0x6A86);  // a new chain starts at 00
        REQUIRE(send_es10(*card, get_eid).sw() == 0x9000);
        REQUIRE(cmd(*card, 0x80, 0xE2, 0x00, 0x00, get_eid).sw() == 0x6A86);  // P1 neither 11 nor 91
    }
    SECTION("a chain longer than the ISD-R takes: 6A84") {
        uint16_t sw = 0x9000;
        uint8_t n = 0;
        for (; sw == 0x9000 && n < 100; ++n) sw = cmd(*card, 0x80, 0xE2, 0x11, n, bytes(255, 0xAA)).sw();
        REQUIRE(sw == 0x6A84);
        REQUIRE(n == sim::IsdrApplet::kMaxRequest / 255 + 1);
        REQUIRE(send_es10(*card, get_eid).sw() == 0x9000);
    }
    SECTION("not DER of a known ES10 message: 6A80") {
        REQUIRE(send_es10(*card, from_hex("BF3E055C01")).sw() == 0x6A80);        // truncated
        REQUIRE(send_es10(*card, from_hex("BF3E035C015A00")).sw() == 0x6A80);    // trailing byte
        REQUIRE(send_es10(*card, from_hex("BF7F00")).sw() == 0x6A80);            // unknown tag
        REQUIRE(send_es10(*card, from_hex("BF3103A00100")).sw() == 0x6A80);      // enable without a profile
        REQUIRE(send_es10(*card, from_hex("BF3E035C015A")).sw() == 0x9000);
    }
    SECTION("STORE DATA in the interindustry class is refused") {
        REQUIRE(cmd(*card, 0x00, 0xE2, 0x91, 0x00, get_eid).sw() == 0x6E00);
    }
}

TEST_CASE("ISD-R: long answers with 61xx and GET RESPONSE on channel 1; T=0", "[euicc]") {
    for (const bool t0 : {false, true}) {
        INFO("t0 " << t0);
        auto card = sim::make_memory_card(sim::CardOptions{t0});
        for (int i = 0; i < 6; ++i) {
            auto s = spec("89882110000000001" + std::to_string(10 + i), "00101000000002" + std::to_string(i));
            s.profile_name = std::string(60, static_cast<char>('a' + i));
            euicc::add_test_profile(card->state(), s);
        }
        card->state().commit();
        REQUIRE(cmd(*card, 0x00, 0x70, 0x00, 0x01).sw() == 0x9000);
        select_isdr(*card, 0x01);
        const bytes request = es10::ProfileInfoListRequest{}.encode();
        const ResponseApdu first = cmd(*card, 0x81, 0xE2, 0x91, 0x00, request, 256);
        REQUIRE((first.sw() >> 8) == 0x61);
        const ResponseApdu whole = fetch(*card, first, 0x01);
        REQUIRE(whole.sw() == 0x9000);
        REQUIRE(whole.data().size() > 256);
        REQUIRE(es10::ProfileInfoListResponse::decode(whole.data()).profiles.size() == 7);
    }
}

// The runtime takes GET RESPONSE in the proprietary class (81 C0) while response bytes are pending.
TEST_CASE("ISD-R: GET RESPONSE sent as 81 C0 on channel 1", "[euicc]") {
    auto card = sim::make_memory_card(sim::CardOptions{true});
    REQUIRE(cmd(*card, 0x00, 0x70, 0x00, 0x01).sw() == 0x9000);
    select_isdr(*card, 0x01);
    const ResponseApdu first = cmd(*card, 0x81, 0xE2, 0x91, 0x00, es10::GetEidRequest{}.encode(), 256);
    REQUIRE((first.sw() >> 8) == 0x61);
    const ResponseApdu whole = fetch(*card, first, 0x81);
    REQUIRE(whole.sw() == 0x9000);
    REQUIRE(es10::GetEidResponse::decode(whole.data()).eid.size() == 16);
}

TEST_CASE("ISD-R: ProfileInfoList with and without tag list and search criteria", "[euicc]") {
    auto card = two_profile_card();
    select_isdr(*card);
    const auto all = list(*card);
    REQUIRE(all.size() == 2);
    REQUIRE(all[0].iccid == es10::iccid_to_bytes(kFactoryIccid));
    REQUIRE(all[0].isdp_aid == from_hex("A0000005591010FFFFFFFF8900001000"));
    REQUIRE(all[0].state == es10::ProfileState::Enabled);
    REQUIRE(all[0].profile_class.value_or(es10::ProfileClass::Operational) == es10::ProfileClass::Operational);  // DER DEFAULT: absent
    REQUIRE(all[1].isdp_aid == from_hex("A0000005591010FFFFFFFF8900001100"));
    REQUIRE(all[1].state == es10::ProfileState::Disabled);
    REQUIRE(all[1].profile_name == std::optional<std::string>("Test profile 11"));
    REQUIRE(all[1].service_provider_name == std::optional<std::string>("simkit test"));

    es10::ProfileInfoListRequest tagged;
    tagged.tag_list = from_hex("5A9F70");
    const auto few = list(*card, tagged);
    REQUIRE(few.size() == 2);
    REQUIRE(few[1].iccid == all[1].iccid);
    REQUIRE(few[1].state == es10::ProfileState::Disabled);
    REQUIRE_FALSE(few[1].isdp_aid);
    REQUIRE_FALSE(few[1].profile_name);

    // An 18-digit ICCID is kept F-padded to 10 bytes; an LPA may send its 9 bytes unpadded.
    euicc::add_test_profile(card->state(), spec("898821100000000028", "001010000000028"));
    card->state().commit();
    es10::ProfileInfoListRequest search;
    search.search = es10::ProfileInfoListRequest::SearchCriteria{};
    bytes short_iccid = es10::iccid_to_bytes("898821100000000028");
    REQUIRE(short_iccid.back() == 0xFF);
    short_iccid.pop_back();
    search.search->profile = es10::ProfileIdentifier{es10::ProfileIdentifier::Kind::Iccid, short_iccid};
    REQUIRE(list(*card, search).size() == 1);
    REQUIRE(list(*card, search).at(0).isdp_aid == euicc::isdp_aid(3));
    search.search->profile = by_aid(1);
    REQUIRE(list(*card, search).at(0).iccid == all[0].iccid);
    search.search->profile = by_iccid("8988211000000000099");
    REQUIRE(list(*card, search).empty());
    search.search->profile.reset();
    search.search->profile_class = es10::ProfileClass::Test;
    REQUIRE(list(*card, search).empty());
    search.search->profile_class = es10::ProfileClass::Operational;
    REQUIRE(list(*card, search).size() == 3);
}

TEST_CASE("ISD-R: enable switches EF.ICCID, EF.IMSI and AUTHENTICATE; never two enabled", "[euicc]") {
    auto card = two_profile_card();
    const secure_bytes k1 = to_secure(from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC"));  // factory test set 1
    const secure_bytes opc1 = to_secure(from_hex("CD63CB71954A9F4E48A5994E37A02BAF"));
    REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == kFactoryIccid);
    expect_aka_with(*card, k1, opc1);

    select_isdr(*card);
    REQUIRE(enable(*card, by_iccid("8988211000000000099")) == es10::result::kIccidOrAidNotFound);
    REQUIRE(enable(*card, by_aid(9)) == es10::result::kIccidOrAidNotFound);
    REQUIRE(enable(*card, by_aid(1)) == es10::result::kProfileNotInDisabledState);
    REQUIRE(enable(*card, by_iccid("8988211000000000011")) == es10::result::kOk);
    REQUIRE(enabled_count(*card) == 1);
    REQUIRE(list(*card).at(1).state == es10::ProfileState::Enabled);

    REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == "8988211000000000011");
    REQUIRE(uicc::decode_imsi(read_ef(*card, kUsimAidPrefix, 0x6F07, 9)) == "001010000000022");
    expect_aka_with(*card, kK2, kOpc2);

    // Back to profile 01 (by ISD-P AID, refreshFlag false): its own data again, SQN array included.
    select_isdr(*card);
    REQUIRE(enable(*card, by_aid(1), false) == es10::result::kOk);
    REQUIRE(enabled_count(*card) == 1);
    REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == kFactoryIccid);
    REQUIRE(uicc::decode_imsi(read_ef(*card, kUsimAidPrefix, 0x6F07, 9)) == "001010123456789");
    REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
    {
        // The SQN used above with profile 01 is now stale for it: resynchronisation (DC).
        const milenage::Milenage m(k1, opc1);
        const bytes rand(16, 0x3C);
        const bytes autn = aka::build_autn(m, rand, from_hex("000000000041"), from_hex("8000"));
        REQUIRE(cmd(*card, 0x00, 0x88, 0x00, 0x81, auth_data(rand, autn), 256).data().at(0) == 0xDC);
    }
}

TEST_CASE("ISD-R: disable, delete, USIM absent with no profile enabled", "[euicc]") {
    auto card = two_profile_card();
    select_isdr(*card);
    REQUIRE(disable(*card, by_iccid("8988211000000000099")) == es10::result::kIccidOrAidNotFound);
    REQUIRE(disable(*card, by_aid(2)) == es10::result::kProfileNotInEnabledState);
    REQUIRE(remove(*card, by_aid(1)) == es10::result::kProfileNotInDisabledState);
    REQUIRE(remove(*card, by_aid(7)) == es10::result::kIccidOrAidNotFound);
    REQUIRE(disable(*card, by_aid(1)) == es10::result::kOk);
    REQUIRE(enabled_count(*card) == 0);
    REQUIRE(disable(*card, by_aid(1)) == es10::result::kProfileNotInEnabledState);
    REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x6A82);
    REQUIRE(cmd(*card, 0x01, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x6A82);  // implicit channel opening refused too
    select_isdr(*card);
    REQUIRE(remove(*card, by_iccid("8988211000000000011")) == es10::result::kOk);
    REQUIRE(list(*card).size() == 1);
    REQUIRE(card->state().names("euicc/profile/02/").empty());
    REQUIRE(enable(*card, by_aid(1)) == es10::result::kOk);
    REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
    REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == kFactoryIccid);
}

TEST_CASE("ISD-R: profile policy rules PPR1 and PPR2 give disallowedByPolicy", "[euicc]") {
    auto card = sim::make_memory_card();
    auto guarded = spec("8988211000000000029", "001010000000029");
    guarded.policy_rules = from_hex("0560");  // PPR1 and PPR2
    euicc::add_test_profile(card->state(), guarded);
    euicc::add_test_profile(card->state(), spec("8988211000000000037", "001010000000037"));
    card->state().commit();
    select_isdr(*card);
    REQUIRE(remove(*card, by_aid(2)) == es10::result::kDisallowedByPolicy);  // PPR2
    REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
    REQUIRE(disable(*card, by_aid(2)) == es10::result::kDisallowedByPolicy);  // PPR1
    REQUIRE(enable(*card, by_aid(3)) == es10::result::kDisallowedByPolicy);   // would disable a PPR1 profile
    REQUIRE(enable(*card, by_aid(1)) == es10::result::kDisallowedByPolicy);
    REQUIRE(list(*card).at(1).state == es10::ProfileState::Enabled);
    REQUIRE(list(*card).at(1).policy_rules == std::optional<bytes>(from_hex("0560")));
    REQUIRE(enabled_count(*card) == 1);
}

TEST_CASE("ISD-R: a Test Profile overrides PPR1; only the PPR1 profile may follow it", "[euicc]") {
    // Profile 01 (migrated, operational) is disabled; 02 operational with PPR1; 03 operational; 04 and
    // 05 test. SGP.21 TPRO8 / TPRO10, SGP.22 5.7.16 wrongProfileReenabling (specs/euicc.md "Policy rules").
    auto card = sim::make_memory_card();
    auto guarded = spec("8988211000000000029", "001010000000029");
    guarded.policy_rules = from_hex("0640");  // PPR1
    euicc::add_test_profile(card->state(), guarded);
    euicc::add_test_profile(card->state(), spec("8988211000000000037", "001010000000037"));
    auto test_a = spec("8988211000000000045", "001010000000045");
    test_a.profile_class = es10::ProfileClass::Test;
    euicc::add_test_profile(card->state(), test_a);
    auto test_b = spec("8988211000000000052", "001010000000052");
    test_b.profile_class = es10::ProfileClass::Test;
    euicc::add_test_profile(card->state(), test_b);
    card->state().commit();
    select_isdr(*card);
    const auto state_of = [&](unsigned n) { return list(*card).at(n - 1).state; };
    REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
    REQUIRE(enable(*card, by_aid(3)) == es10::result::kDisallowedByPolicy);  // PPR1 still holds for others

    SECTION("enable a Test Profile over PPR1; disabling it enables the PPR1 profile again") {
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(state_of(2) == es10::ProfileState::Disabled);
        REQUIRE(state_of(4) == es10::ProfileState::Enabled);
        REQUIRE(card->state().get(euicc::kEnabledBeforeTestRecord) != nullptr);
        REQUIRE(enable(*card, by_aid(3)) == es10::result::kWrongProfileReenabling);
        REQUIRE(enable(*card, by_aid(1)) == es10::result::kWrongProfileReenabling);
        REQUIRE(enable(*card, by_aid(5)) == es10::result::kOk);  // test to test: allowed, still remembered
        REQUIRE(disable(*card, by_aid(5)) == es10::result::kOk);
        REQUIRE(state_of(5) == es10::ProfileState::Disabled);
        REQUIRE(state_of(2) == es10::ProfileState::Enabled);
        REQUIRE(enabled_count(*card) == 1);
        REQUIRE(card->state().get(euicc::kEnabledBeforeTestRecord) == nullptr);
        REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == "8988211000000000029");
        select_isdr(*card);
        REQUIRE(disable(*card, by_aid(2)) == es10::result::kDisallowedByPolicy);
        // The PPR1 profile may also be enabled straight from the Test Profile.
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(state_of(4) == es10::ProfileState::Disabled);
        REQUIRE(card->state().get(euicc::kEnabledBeforeTestRecord) == nullptr);
    }
    SECTION("a Test Profile enabled over a profile without PPR1: remembered all the same (TPRO10)") {
        auto plain = sim::make_memory_card();
        euicc::add_test_profile(plain->state(), test_a);
        euicc::add_test_profile(plain->state(), spec("8988211000000000037", "001010000000037"));
        plain->state().commit();
        select_isdr(*plain);
        REQUIRE(enable(*plain, by_aid(2)) == es10::result::kOk);
        REQUIRE(plain->state().get(euicc::kEnabledBeforeTestRecord) != nullptr);
        REQUIRE(enable(*plain, by_aid(3)) == es10::result::kWrongProfileReenabling);
        REQUIRE(disable(*plain, by_aid(2)) == es10::result::kOk);
        REQUIRE(list(*plain).at(0).state == es10::ProfileState::Enabled);  // 01 again
        REQUIRE(enabled_count(*plain) == 1);
        REQUIRE(plain->state().get(euicc::kEnabledBeforeTestRecord) == nullptr);
        REQUIRE(enable(*plain, by_aid(3)) == es10::result::kOk);  // no test period: free switching
    }
    SECTION("eUICCMemoryReset of the enabled Test Profile forgets the PPR1 profile") {
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        es10::EuiccMemoryResetRequest tests_only;
        tests_only.delete_field_loaded_test_profiles = true;
        REQUIRE(result_of(*card, tests_only.encode(), es10::kTagEuiccMemoryReset) == es10::result::kOk);
        REQUIRE(list(*card).size() == 3);
        REQUIRE(enabled_count(*card) == 0);
        REQUIRE(card->state().get(euicc::kEnabledBeforeTestRecord) == nullptr);
        REQUIRE(enable(*card, by_aid(3)) == es10::result::kOk);
    }
    SECTION("deleting the PPR1 profile while the Test Profile is enabled forgets it") {
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(remove(*card, by_aid(2)) == es10::result::kOk);  // PPR1 only: deletion is allowed
        REQUIRE(card->state().get(euicc::kEnabledBeforeTestRecord) == nullptr);
        REQUIRE(enable(*card, by_aid(3)) == es10::result::kOk);
    }
}

// SGP.21 TPRO10 with SGP.22 5.7.16 wrongProfileReenabling whenever a non-test profile was enabled
// when a Test Profile got enabled (specs/euicc.md "Policy rules"). Profile 01 (migrated, operational)
// is enabled; 02 and 03 test (A, B); 04 operational; 05 provisioning.
TEST_CASE("ISD-R: a Test Profile remembers the profile enabled before it (TPRO10)", "[euicc]") {
    auto card = sim::make_memory_card();
    auto test_a = spec("8988211000000000045", "001010000000045");
    test_a.profile_class = es10::ProfileClass::Test;
    euicc::add_test_profile(card->state(), test_a);
    auto test_b = spec("8988211000000000052", "001010000000052");
    test_b.profile_class = es10::ProfileClass::Test;
    euicc::add_test_profile(card->state(), test_b);
    euicc::add_test_profile(card->state(), spec("8988211000000000037", "001010000000037"));
    auto provisioning = spec("8988211000000000060", "001010000000060");
    provisioning.profile_class = es10::ProfileClass::Provisioning;
    euicc::add_test_profile(card->state(), provisioning);
    card->state().commit();
    select_isdr(*card);
    const auto state_of = [&](unsigned n) { return list(*card).at(n - 1).state; };
    const auto notifications = [&] {
        const auto r = es10::ListNotificationResponse::decode(send_es10(*card, es10::ListNotificationRequest{}.encode()).data());
        REQUIRE_FALSE(r.error);
        return r.notifications;
    };
    const bytes iccid1 = es10::iccid_to_bytes(kFactoryIccid), iccid_a = es10::iccid_to_bytes("8988211000000000045");
    const bytes iccid_b = es10::iccid_to_bytes("8988211000000000052");
    const auto remembered = [&]() -> int {
        const secure_bytes* r = card->state().get(euicc::kEnabledBeforeTestRecord);
        return r == nullptr ? 0 : (r->size() == 1 ? (*r)[0] : -1);
    };

    SECTION("operational 01 -> test A -> operational 04: wrongProfileReenabling; disable A: 01 again") {
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(remembered() == 1);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kWrongProfileReenabling);
        REQUIRE(enable(*card, by_aid(5)) == es10::result::kWrongProfileReenabling);  // provisioning too
        REQUIRE(state_of(2) == es10::ProfileState::Enabled);
        REQUIRE(state_of(4) == es10::ProfileState::Disabled);
        const std::size_t before = notifications().size();
        REQUIRE(before == 2);  // disable 01, enable A; none for the refusals
        REQUIRE(disable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(state_of(1) == es10::ProfileState::Enabled);
        REQUIRE(state_of(2) == es10::ProfileState::Disabled);
        REQUIRE(enabled_count(*card) == 1);
        REQUIRE(remembered() == 0);
        const auto all = notifications();
        REQUIRE(all.size() == before + 2);
        REQUIRE(all[before].event == es10::NotificationEvent::Disable);
        REQUIRE(all[before].iccid == iccid_a);
        REQUIRE(all[before + 1].event == es10::NotificationEvent::Enable);
        REQUIRE(all[before + 1].iccid == iccid1);
        REQUIRE(all[before].seq_number < all[before + 1].seq_number);
        REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == kFactoryIccid);
        REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
        select_isdr(*card);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);  // the test period is over
    }
    SECTION("test A -> test B is allowed; disabling B enables 01 again") {
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(3)) == es10::result::kOk);
        REQUIRE(remembered() == 1);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kWrongProfileReenabling);
        REQUIRE(disable(*card, by_aid(3)) == es10::result::kOk);
        REQUIRE(state_of(1) == es10::ProfileState::Enabled);
        REQUIRE(state_of(2) == es10::ProfileState::Disabled);
        REQUIRE(state_of(3) == es10::ProfileState::Disabled);
        REQUIRE(enabled_count(*card) == 1);
        REQUIRE(remembered() == 0);
        const auto all = notifications();
        REQUIRE(all.size() == 6);  // disable 01, enable A, disable A, enable B, disable B, enable 01
        REQUIRE(all[4].event == es10::NotificationEvent::Disable);
        REQUIRE(all[4].iccid == iccid_b);
        REQUIRE(all[5].event == es10::NotificationEvent::Enable);
        REQUIRE(all[5].iccid == iccid1);
    }
    SECTION("enabling 01 itself while A is enabled ends the test period") {
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(1)) == es10::result::kOk);
        REQUIRE(state_of(1) == es10::ProfileState::Enabled);
        REQUIRE(state_of(2) == es10::ProfileState::Disabled);
        REQUIRE(remembered() == 0);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(disable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(enabled_count(*card) == 0);  // a non-test profile disabled: nothing comes back
    }
    SECTION("a provisioning profile is remembered like an operational one") {
        REQUIRE(enable(*card, by_aid(5)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(remembered() == 5);
        REQUIRE(enable(*card, by_aid(1)) == es10::result::kWrongProfileReenabling);
        REQUIRE(disable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(state_of(5) == es10::ProfileState::Enabled);
    }
    SECTION("no profile enabled before the Test Profile: disabling it leaves none enabled") {
        REQUIRE(disable(*card, by_aid(1)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(remembered() == 0);
        REQUIRE(enable(*card, by_aid(3)) == es10::result::kOk);
        REQUIRE(disable(*card, by_aid(3)) == es10::result::kOk);
        REQUIRE(enabled_count(*card) == 0);
        REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x6A82);
        select_isdr(*card);
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);  // nothing to go back to: free
    }
    SECTION("deleting the remembered profile forgets it") {
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(remove(*card, by_aid(1)) == es10::result::kOk);
        REQUIRE(remembered() == 0);
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
    }
    SECTION("eUICCMemoryReset deleting the remembered profile forgets it") {
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);
        es10::EuiccMemoryResetRequest operational;
        operational.delete_operational_profiles = true;
        REQUIRE(result_of(*card, operational.encode(), es10::kTagEuiccMemoryReset) == es10::result::kOk);
        REQUIRE(remembered() == 0);
        REQUIRE(state_of(1) == es10::ProfileState::Enabled);  // A (now first), still enabled
        REQUIRE(disable(*card, by_aid(2)) == es10::result::kOk);
        REQUIRE(enabled_count(*card) == 0);
    }
    SECTION("a leftover or damaged record breaks nothing") {
        card->state().put("euicc/ppr1_before_test", secure_bytes{0x01});  // the old name: ignored
        card->state().put(euicc::kEnabledBeforeTestRecord, secure_bytes{0x03});  // names a test profile: ignored
        card->state().commit();
        REQUIRE(enable(*card, by_aid(2)) == es10::result::kOk);  // over 01: the record is rewritten
        REQUIRE(remembered() == 1);
        card->state().put(euicc::kEnabledBeforeTestRecord, secure_bytes{0x09, 0x09});  // wrong size: none
        card->state().commit();
        REQUIRE(enable(*card, by_aid(4)) == es10::result::kOk);
        REQUIRE(remembered() == 0);
        REQUIRE(enabled_count(*card) == 1);
    }
}

TEST_CASE("ISD-R: SetNickname and eUICCMemoryReset", "[euicc]") {
    auto card = two_profile_card();
    select_isdr(*card);
    const uint32_t nick = es10::kTagSetNickname;
    REQUIRE(result_of(*card, es10::SetNicknameRequest{es10::iccid_to_bytes("8988211000000000011"), "work"}.encode(), nick) == 0);
    REQUIRE(list(*card).at(1).nickname == std::optional<std::string>("work"));
    REQUIRE(result_of(*card, es10::SetNicknameRequest{es10::iccid_to_bytes("8988211000000000099"), "x"}.encode(), nick) ==
            es10::result::kIccidOrAidNotFound);
    REQUIRE(result_of(*card, es10::SetNicknameRequest{es10::iccid_to_bytes("8988211000000000011"), ""}.encode(), nick) == 0);
    REQUIRE_FALSE(list(*card).at(1).nickname);

    const uint32_t reset = es10::kTagEuiccMemoryReset;
    es10::EuiccMemoryResetRequest tests_only;
    tests_only.delete_field_loaded_test_profiles = true;
    REQUIRE(result_of(*card, tests_only.encode(), reset) == es10::result::kNothingToDelete);
    es10::EuiccMemoryResetRequest operational;
    operational.delete_operational_profiles = true;
    REQUIRE(result_of(*card, operational.encode(), reset) == es10::result::kOk);
    REQUIRE(list(*card).empty());
    REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x6A82);
    REQUIRE(to_bytes(*card->state().get("usim/k")) == from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC"));  // factory again
    select_isdr(*card);
    REQUIRE(result_of(*card, operational.encode(), reset) == es10::result::kNothingToDelete);
    REQUIRE(card->state().get(euicc::kEidRecord) != nullptr);  // the EID stays
}

TEST_CASE("ISD-R: configured addresses, default SM-DP+ address, challenge, RAT", "[euicc]") {
    auto card = sim::make_memory_card();
    select_isdr(*card);
    auto addresses = es10::ConfiguredAddresses::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccConfiguredAddresses)).data());
    REQUIRE(addresses.root_ds_address == "testrootsmds.example.com");
    REQUIRE_FALSE(addresses.default_dp_address);
    REQUIRE(result_of(*card, es10::SetDefaultDpAddressRequest{"smdp.example.com"}.encode(), es10::kTagSetDefaultDpAddress) == 0);
    addresses = es10::ConfiguredAddresses::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccConfiguredAddresses)).data());
    REQUIRE(addresses.default_dp_address == std::optional<std::string>("smdp.example.com"));
    es10::EuiccMemoryResetRequest reset_address;
    reset_address.reset_default_smdp_address = true;
    REQUIRE(result_of(*card, reset_address.encode(), es10::kTagEuiccMemoryReset) == es10::result::kOk);
    addresses = es10::ConfiguredAddresses::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccConfiguredAddresses)).data());
    REQUIRE_FALSE(addresses.default_dp_address);
    REQUIRE(list(*card).size() == 1);  // the profiles stay

    const auto c1 = es10::EuiccChallengeResponse::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccChallenge)).data());
    const auto c2 = es10::EuiccChallengeResponse::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccChallenge)).data());
    REQUIRE(c1.challenge.size() == 16);
    REQUIRE(c1.challenge != c2.challenge);

    const ResponseApdu rat = send_es10(*card, es10::empty_request(es10::kTagGetRat));
    REQUIRE(rat.sw() == 0x9000);
    const auto rules = es10::RatResponse::decode(rat.data()).rules;
    REQUIRE(rules.size() == 1);
    REQUIRE(rules[0].find(0x80)->value == from_hex("0560"));
}

TEST_CASE("add_test_profile: errors as ArgumentError", "[euicc]") {
    auto card = sim::make_memory_card();
    auto& state = card->state();
    const auto installed = euicc::add_test_profile(state, spec("8988211000000000011", "001010000000022"));
    REQUIRE(installed.number == 2);
    REQUIRE(installed.isdp_aid == from_hex("A0000005591010FFFFFFFF8900001100"));
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, spec("8988211000000000011", "001010000000023")), ArgumentError);
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, spec(kFactoryIccid, "001010000000023")), ArgumentError);
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, spec("89882110000000000A1", "001010000000023")), ArgumentError);
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, spec("8988211000000000038", "00101X")), ArgumentError);
    auto short_key = spec("8988211000000000038", "001010000000023");
    short_key.k = secure_bytes(15, 0);
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, short_key), ArgumentError);
    for (unsigned n = 3; n <= euicc::kMaxProfiles; ++n) {
        euicc::add_test_profile(state, spec("89882110000000001" + std::to_string(10 + n), "001010000000023"));
    }
    REQUIRE_THROWS_AS(euicc::add_test_profile(state, spec("8988211000000000046", "001010000000023")), ArgumentError);
    state.commit();
    REQUIRE(euicc::load_profiles(state).size() == euicc::kMaxProfiles);
}

TEST_CASE("a state from before the eUICC: its USIM becomes profile 01, enabled; the EID is stable", "[euicc]") {
    TempDir dir;
    const std::string path = dir.file();
    sim::open_simulated_card(path).reset();
    {
        // Back to a pre-eUICC file: no euicc records, a personalized ICCID and IMSI.
        auto state = sim::PersistentState::open(path, [](sim::PersistentState&) { FAIL("state vanished"); });
        for (const auto& name : state.names("euicc/")) state.erase(name);
        state.put("uicc/ef/3F00/2FE2", to_secure(uicc::encode_iccid("89882110000000007771")));
        state.put("uicc/ef/ADF.USIM/6F07", to_secure(uicc::encode_imsi("001019876543210")));
        state.commit();
    }
    const auto before = records_of(path);
    REQUIRE(before.count(euicc::kEidRecord) == 0);
    bytes eid;
    {
        auto card = sim::open_simulated_card(path);
        select_isdr(*card);
        const auto profiles = list(*card);
        REQUIRE(profiles.size() == 1);
        REQUIRE(profiles[0].iccid == uicc::encode_iccid("89882110000000007771"));
        REQUIRE(profiles[0].state == es10::ProfileState::Enabled);
        REQUIRE(profiles[0].profile_class.value_or(es10::ProfileClass::Operational) == es10::ProfileClass::Operational);
        REQUIRE(profiles[0].isdp_aid == euicc::isdp_aid(1));
        eid = es10::GetEidResponse::decode(send_es10(*card, es10::GetEidRequest{}.encode()).data()).eid;
        REQUIRE(euicc::eid_valid(euicc::eid_to_digits(eid)));
        REQUIRE(uicc::decode_imsi(read_ef(*card, kUsimAidPrefix, 0x6F07, 9)) == "001019876543210");
        expect_aka_with(*card, to_secure(from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC")),
                        to_secure(from_hex("CD63CB71954A9F4E48A5994E37A02BAF")));
    }
    const auto after = records_of(path);
    for (const auto& [name, value] : before) {
        if (name != "usim/sqn/array") REQUIRE(after.at(name) == value);  // nothing existing changed (but the AKA's SQN)
    }
    auto again = sim::open_simulated_card(path);
    select_isdr(*again);
    REQUIRE(es10::GetEidResponse::decode(send_es10(*again, es10::GetEidRequest{}.encode()).data()).eid == eid);
    REQUIRE(list(*again).size() == 1);
}

TEST_CASE("EID check digits per SGP.29 (mod 97)", "[euicc]") {
    REQUIRE(euicc::eid_valid("89049032123451234512345678901235"));  // check digits 35 by mod 97
    REQUIRE_FALSE(euicc::eid_valid("89049032123451234512345678901234"));
    REQUIRE(euicc::eid_check_digits("890490321234512345123456789012") == "35");
    for (int i = 0; i < 20; ++i) REQUIRE(euicc::eid_valid(euicc::new_eid()));
}

namespace {

// A card file holding profile 02 (disabled) beside the enabled profile 01, a copy of it to start
// every attempt from, and the STORE DATA that enables profile 02: what both power-cut tests cut.
struct EnableUnderTest {
    std::string path;
    std::string before;
    bytes command;
    std::map<std::string, bytes> old_records;

    // The card file as it was before the enable (no leftover temp file).
    void restore() const {
        std::filesystem::copy_file(before, path, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(path + ".tmp");
    }
};

EnableUnderTest prepare_enable(TempDir& dir) {
    EnableUnderTest enable;
    enable.path = dir.file();
    enable.before = dir.path + "/before";
    {
        auto card = sim::open_simulated_card(enable.path);
        euicc::add_test_profile(card->state(), spec("8988211000000000011", "001010000000022"));
        card->state().commit();
    }
    enable.command = CommandApdu::make(0x80, 0xE2, 0x91, 0x00,
                                       es10::ProfileOperationRequest{es10::kTagEnableProfile, by_aid(2), true}.encode(), 256)
                         .encode();
    enable.old_records = records_of(enable.path);
    std::filesystem::copy_file(enable.path, enable.before);
    return enable;
}

}  // namespace

TEST_CASE("a power cut at every write point of an enable leaves the old or the new state", "[euicc][power-cut]") {
    TempDir dir;
    const EnableUnderTest enable = prepare_enable(dir);
    const std::string& path = enable.path;
    const bytes& command = enable.command;
    const auto& old_records = enable.old_records;
    {
        auto card = sim::open_simulated_card(path);
        select_isdr(*card);
        REQUIRE(card->transmit(command) == from_hex("BF3103800100" "9000"));
    }
    const auto new_records = records_of(path);
    REQUIRE(new_records != old_records);
    REQUIRE(new_records.at("euicc/profile/02/state") == bytes{0x01});
    REQUIRE(new_records.at("euicc/profile/01/state") == bytes{0x00});
    REQUIRE(new_records.at("usim/k") == to_bytes(kK2));

    int cuts = 0;
    for (int point = 0;; ++point) {
        enable.restore();
        auto card = sim::open_simulated_card(path);
        select_isdr(*card);
        card->state().set_write_point_hook([point](int n) {
            if (n == point) throw sim::PowerCut{n};
        });
        bool answered = false;
        try {
            card->transmit(command);
            answered = true;
        } catch (const sim::PowerCut&) {
            ++cuts;
        }
        card.reset();
        const auto after = records_of(path);
        INFO("cut at write point " << point);
        REQUIRE((after == old_records || after == new_records));
        if (answered) {
            REQUIRE(after == new_records);
            break;
        }
    }
    REQUIRE(cuts > static_cast<int>(new_records.size()));
}

namespace {
using X509Ptr = OpensslPtr<X509, X509_free>;

X509Ptr parse_certificate(const bytes& der) {
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(cert);
    REQUIRE(p == der.data() + der.size());
    return cert;
}

// The certificate's public key as an uncompressed point, read by OpenSSL (SPKI DER), not by simkit.
bytes public_point(X509* cert) {
    unsigned char* out = nullptr;
    const int n = i2d_PUBKEY(X509_get0_pubkey(cert), &out);
    REQUIRE(n > 0);
    bytes spki(out, out + n);
    OPENSSL_free(out);
    REQUIRE(spki.size() == 91);  // P-256 SPKI: 26-byte header then 04 || X || Y
    return bytes(spki.end() - 65, spki.end());
}
}  // namespace

TEST_CASE("ISD-R: EUICCInfo1/2 name the test CI; the chain CI -> EUM -> eUICC verifies", "[euicc]") {
    auto card = sim::make_memory_card();
    select_isdr(*card);
    const auto info1 = es10::EuiccInfo1::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccInfo1)).data());
    const auto info2 = es10::EuiccInfo2::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccInfo2)).data());
    REQUIRE(info1.svn == from_hex("020200"));
    REQUIRE(info2.svn == info1.svn);
    REQUIRE(info1.ci_pkids_verification.size() == 1);
    REQUIRE(info2.ci_pkids_verification == info1.ci_pkids_verification);
    REQUIRE(info2.ci_pkids_signing == info1.ci_pkids_signing);

    const auto ci = parse_certificate(to_bytes(*card->state().get(euicc::kCiCertificateRecord)));
    const auto eum = parse_certificate(to_bytes(*card->state().get(euicc::kEumCertificateRecord)));
    const auto euicc_cert = parse_certificate(to_bytes(*card->state().get(euicc::kEuiccCertificateRecord)));
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ci.get());
    REQUIRE(ski != nullptr);
    REQUIRE(bytes(ASN1_STRING_get0_data(ski), ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski)) == info1.ci_pkids_verification[0]);
    REQUIRE(X509_verify(ci.get(), X509_get0_pubkey(ci.get())) == 1);
    REQUIRE(X509_verify(eum.get(), X509_get0_pubkey(ci.get())) == 1);
    REQUIRE(X509_verify(euicc_cert.get(), X509_get0_pubkey(eum.get())) == 1);
    REQUIRE(X509_verify(euicc_cert.get(), X509_get0_pubkey(ci.get())) != 1);
    // The eUICC certificate's subject serialNumber is the EID.
    const bytes eid = es10::GetEidResponse::decode(send_es10(*card, es10::GetEidRequest{}.encode()).data()).eid;
    X509_NAME* subject = X509_get_subject_name(euicc_cert.get());
    const int at = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
    REQUIRE(at >= 0);
    const ASN1_STRING* serial = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    REQUIRE(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)), static_cast<std::size_t>(ASN1_STRING_length(serial))) ==
            euicc::eid_to_digits(eid));
    // The private key on the card belongs to the eUICC certificate.
    REQUIRE(crypto::p256_public_from_private(*card->state().get(euicc::kEuiccKeyRecord)) == public_point(euicc_cert.get()));
}

TEST_CASE("ISD-R: notifications for enable, disable, delete: listed, retrieved signed, removed", "[euicc]") {
    auto card = two_profile_card();
    select_isdr(*card);
    const auto notifications = [&](std::optional<es10::NotificationEvent> filter = std::nullopt) {
        const auto r = es10::ListNotificationResponse::decode(send_es10(*card, es10::ListNotificationRequest{filter}.encode()).data());
        REQUIRE_FALSE(r.error);
        return r.notifications;
    };
    REQUIRE(notifications().empty());
    REQUIRE(enable(*card, by_aid(2)) == 0);
    REQUIRE(disable(*card, by_aid(2)) == 0);
    REQUIRE(remove(*card, by_aid(2)) == 0);
    REQUIRE(enable(*card, by_aid(2)) == es10::result::kIccidOrAidNotFound);  // no notification for a refusal
    const auto all = notifications();
    REQUIRE(all.size() == 4);
    const bytes iccid1 = es10::iccid_to_bytes(kFactoryIccid), iccid2 = es10::iccid_to_bytes("8988211000000000011");
    REQUIRE(all[0].event == es10::NotificationEvent::Disable);  // profile 01, disabled by the enable of 02
    REQUIRE(all[0].iccid == iccid1);
    REQUIRE(all[1].event == es10::NotificationEvent::Enable);
    REQUIRE(all[1].iccid == iccid2);
    REQUIRE(all[2].event == es10::NotificationEvent::Disable);
    REQUIRE(all[3].event == es10::NotificationEvent::Delete);
    REQUIRE(all[3].iccid == iccid2);
    for (std::size_t i = 1; i < all.size(); ++i) REQUIRE(all[i].seq_number > all[i - 1].seq_number);
    REQUIRE(all[0].address == euicc::kTestSmdpAddress);
    REQUIRE(notifications(es10::NotificationEvent::Disable).size() == 2);

    const auto retrieved = es10::RetrieveNotificationsResponse::decode(
        send_es10(*card, es10::RetrieveNotificationsRequest{all[1].seq_number, std::nullopt}.encode()).data());
    REQUIRE(retrieved.notifications.size() == 1);
    const auto& signed_one = retrieved.notifications[0];
    REQUIRE(signed_one.metadata == all[1]);
    const auto euicc_cert = parse_certificate(signed_one.euicc_certificate);
    const auto eum = parse_certificate(signed_one.eum_certificate);
    REQUIRE(X509_verify(euicc_cert.get(), X509_get0_pubkey(eum.get())) == 1);
    const bytes digest = crypto::sha256(signed_one.metadata.to_tlv().encode());
    REQUIRE(crypto::p256_verify_digest(public_point(euicc_cert.get()), digest, signed_one.signature));
    const auto every = es10::RetrieveNotificationsResponse::decode(send_es10(*card, es10::RetrieveNotificationsRequest{}.encode()).data());
    REQUIRE(every.notifications.size() == 4);
    const auto none = es10::RetrieveNotificationsResponse::decode(
        send_es10(*card, es10::RetrieveNotificationsRequest{999u, std::nullopt}.encode()).data());
    REQUIRE(none.error == std::optional<uint8_t>(1));  // noResultAvailable

    const uint32_t sent = es10::kTagNotificationSent;
    REQUIRE(result_of(*card, es10::NotificationSentRequest{all[1].seq_number}.encode(), sent) == es10::result::kOk);
    REQUIRE(result_of(*card, es10::NotificationSentRequest{all[1].seq_number}.encode(), sent) == es10::result::kNothingToDelete);
    REQUIRE(notifications().size() == 3);
    // A default SM-DP+ address becomes the address of later notifications.
    REQUIRE(result_of(*card, es10::SetDefaultDpAddressRequest{"smdp.example.com"}.encode(), es10::kTagSetDefaultDpAddress) == 0);
    REQUIRE(enable(*card, by_aid(1)) == 0);
    REQUIRE(notifications().back().address == "smdp.example.com");
}

TEST_CASE("the foundation build's state file gains an EID and profile 01 with the factory ICCID", "[euicc]") {
    TempDir dir;
    const std::string path = dir.file();
    std::filesystem::copy_file(std::string(SIMKIT_VECTORS_DIR) + "/state/foundation-28f06a8.state", path);
    auto card = sim::open_simulated_card(path);
    select_isdr(*card);
    const auto profiles = list(*card);
    REQUIRE(profiles.size() == 1);
    REQUIRE(profiles[0].iccid == es10::iccid_to_bytes(kFactoryIccid));
    REQUIRE(profiles[0].state == es10::ProfileState::Enabled);
    REQUIRE_FALSE(es10::EuiccInfo1::decode(send_es10(*card, es10::empty_request(es10::kTagGetEuiccInfo1)).data()).ci_pkids_signing.empty());
    REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
}

TEST_CASE("random enables and disables: never two enabled, EF.ICCID always the enabled profile's", "[euicc]") {
    auto card = two_profile_card();
    euicc::add_test_profile(card->state(), spec("8988211000000000045", "001010000000045"));
    card->state().commit();
    const std::vector<std::string> iccids{kFactoryIccid, "8988211000000000011", "8988211000000000045"};
    std::mt19937 rng(13);
    for (int step = 0; step < 40; ++step) {
        const unsigned n = 1 + rng() % 3;
        select_isdr(*card);
        const uint8_t code = rng() % 2 == 0 ? enable(*card, by_aid(n)) : disable(*card, by_aid(n));
        INFO("step " << step << " profile " << n << " result " << int(code));
        REQUIRE(code <= 2);
        const auto profiles = list(*card);
        int enabled = 0;
        for (std::size_t i = 0; i < profiles.size(); ++i) {
            if (profiles[i].state != es10::ProfileState::Enabled) continue;
            ++enabled;
            REQUIRE(uicc::decode_iccid(read_ef(*card, {}, 0x2FE2, 10)) == iccids[i]);
            REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x9000);
        }
        REQUIRE(enabled <= 1);
        if (enabled == 0) REQUIRE(cmd(*card, 0x00, 0xA4, 0x04, 0x0C, kUsimAidPrefix).sw() == 0x6A82);
    }
}

TEST_CASE("a process killed at any write point of an enable leaves the old or the new state", "[euicc][power-cut]") {
    TempDir dir;
    const EnableUnderTest enable = prepare_enable(dir);
    const std::string& path = enable.path;
    const bytes& command = enable.command;
    const auto& old_records = enable.old_records;
    for (int point = 0; point < 400; ++point) {
        enable.restore();
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto card = sim::open_simulated_card(path);
            card->transmit(CommandApdu::make(0x00, 0xA4, 0x04, 0x00, kIsdr).encode());
            card->state().set_write_point_hook([point](int n) {
                if (n == point) _exit(42);  // power gone: no destructors, no flush
            });
            card->transmit(command);
            _exit(0);
        }
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        REQUIRE(WIFEXITED(status));
        const auto after = records_of(path);
        INFO("killed at write point " << point);
        const bool new_state = after.at("euicc/profile/02/state") == bytes{0x01} && after.at("euicc/profile/01/state") == bytes{0x00} &&
                               after.at("usim/k") == to_bytes(kK2) && after.count("euicc/profile/02/data/usim/k") == 0 &&
                               after.count("euicc/profile/01/data/usim/k") == 1;
        REQUIRE((after == old_records || new_state));
        if (WEXITSTATUS(status) == 0) {
            REQUIRE(new_state);  // the hook never fired: every point has been tried
            return;
        }
    }
    FAIL("the enable never completed");
}

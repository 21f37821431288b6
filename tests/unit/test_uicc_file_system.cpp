// The UICC file system of the simulated card (ETSI TS 102 221, 3GPP TS 31.102; specs/usim.md):
// SELECT by FID, path, parent and ADF.USIM name with FCPs checked field by field, READ/UPDATE
// BINARY and RECORD, STATUS, VERIFY of PIN1 and ADM1 with persistent counters, per-channel file
// positions, routing to the USIM applet, ISD and key store unaffected, and a state file from an
// older simkit gaining the file records. Expected bytes are written from the specifications.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "scp_test_host.hpp"
#include "simkit/core/uicc_codec.hpp"
#include "simulated_card_support.hpp"
#include "state_test_support.hpp"
#include "storage/persistent_state.hpp"
#include "uicc/file_system.hpp"

using namespace simkit;
using namespace simkit::test;

namespace {
const std::string kUsimAidHex = "A0000000871002FFFFFFFF8907090000";
const std::string kAdm1Hex = "3838383838383838";          // "88888888"
const std::string kPin1Hex = "31323334FFFFFFFF";          // "1234" padded with FF
const std::string kIsdAidHex = "A000000151000000";
const std::string kKeyStoreAidHex = "A0000005590010";


// The children of an FCP template 62, in order, as (tag, value hex).
std::vector<std::pair<uint32_t, std::string>> fcp_fields(const ResponseApdu& r) {
    REQUIRE(r.sw() == 0x9000);
    const auto list = parse_tlvs(r.data());
    REQUIRE(list.size() == 1);
    REQUIRE(list[0].tag == 0x62);
    std::vector<std::pair<uint32_t, std::string>> out;
    for (const Tlv& t : list[0].children()) out.emplace_back(t.tag, to_hex(t.value));
    return out;
}

using Fields = std::vector<std::pair<uint32_t, std::string>>;

// The FCP of the MF and of ADF.USIM (TS 102 221 11.1.1.4): descriptor 78 21, FID, [AID], proprietary,
// life cycle 05, compact security attributes (create/delete never), PIN status template listing
// PIN1 (01) and ADM1 (0A), both enabled.
const Fields kMfFcp = {{0x82, "7821"}, {0x83, "3F00"}, {0xA5, "800171"}, {0x8A, "05"},
                       {0x8C, "03FFFF"}, {0xC6, "9001C083010183010A"}};
const Fields kAdfFcp = {{0x82, "7821"}, {0x83, "7FFF"}, {0x84, kUsimAidHex}, {0xA5, ""}, {0x8A, "05"},
                        {0x8C, "03FFFF"}, {0xC6, "9001C083010183010A"}};

std::string select_fid(const std::string& fid, const std::string& p2 = "04") { return "00A400" + p2 + "02" + fid; }
std::string select_usim(const std::string& aid_hex = kUsimAidHex, const std::string& p2 = "04") {
    return "00A404" + p2 + to_hex(bytes{static_cast<uint8_t>(aid_hex.size() / 2)}) + aid_hex;
}
}  // namespace

TEST_CASE("SELECT by FID: MF, EF.ICCID, EF.DIR with their FCP field by field", "[uicc][select]") {
    auto card = sim::make_memory_card();
    CHECK(fcp_fields(send(*card, select_fid("3F00"))) == kMfFcp);
    // EF: descriptor 41 21 (transparent) or 42 21 00 LL NN (linear fixed), FID, life cycle 05,
    // 8C AM 03 with SC bytes update then read (1A = ADM1, 11 = PIN1, 00 = always), size, SFI << 3.
    CHECK(fcp_fields(send(*card, select_fid("2FE2"))) ==
          Fields{{0x82, "4121"}, {0x83, "2FE2"}, {0x8A, "05"}, {0x8C, "031A00"}, {0x80, "000A"}, {0x88, "10"}});
    CHECK(fcp_fields(send(*card, select_fid("2F00"))) ==
          Fields{{0x82, "4221002002"}, {0x83, "2F00"}, {0x8A, "05"}, {0x8C, "031A00"}, {0x80, "0040"}, {0x88, "F0"}});
    CHECK(fcp_fields(send(*card, select_fid("2F05"))) ==
          Fields{{0x82, "4121"}, {0x83, "2F05"}, {0x8A, "05"}, {0x8C, "031100"}, {0x80, "000A"}, {0x88, "28"}});
    // Le present (case 4) changes nothing; P2 00 answers the FCP too.
    CHECK(fcp_fields(send(*card, "00A40004022FE200")).at(1) == std::pair<uint32_t, std::string>{0x83, "2FE2"});
    CHECK(fcp_fields(send(*card, select_fid("2FE2", "00"))).at(1) == std::pair<uint32_t, std::string>{0x83, "2FE2"});
}

TEST_CASE("SELECT errors: P2 0C, unknown FID, wrong Lc, bad P2, parent of the MF", "[uicc][select]") {
    auto card = sim::make_memory_card();
    const ResponseApdu none = send(*card, select_fid("2FE2", "0C"));
    CHECK(none.sw() == 0x9000);
    CHECK(none.data().empty());
    CHECK(sw_of(*card, select_fid("6F07")) == 0x6A82);    // EF.IMSI is in ADF.USIM, not under the MF
    CHECK(sw_of(*card, select_fid("7FFF")) == 0x6A82);    // no application selected yet
    CHECK(sw_of(*card, select_fid("4F00")) == 0x6A82);
    CHECK(sw_of(*card, "00A40004033F0000") == 0x6700);     // a FID is 2 bytes
    CHECK(sw_of(*card, "00A40804032FE200") == 0x6700);     // a path is pairs of bytes
    CHECK(sw_of(*card, select_fid("2FE2", "08")) == 0x6A86);
    CHECK(sw_of(*card, select_fid("2FE2", "01")) == 0x6A86);
    CHECK(sw_of(*card, "00A4030C") == 0x6A82);        // the MF has no parent
    CHECK(sw_of(*card, "00A4030C023F00") == 0x6700);  // P1 03 takes no data
    // The current file is unchanged by failed selections.
    CHECK(send(*card, "00B000000A").sw() == 0x9000);  // still EF.ICCID
}

TEST_CASE("SELECT ADF.USIM by full and partial AID; next occurrence; path and parent", "[uicc][select][usim]") {
    auto card = sim::make_memory_card();
    CHECK(fcp_fields(send(*card, select_usim())) == kAdfFcp);
    CHECK(fcp_fields(send(*card, select_usim("A0000000871002"))) == kAdfFcp);  // 7-byte partial AID
    CHECK(fcp_fields(send(*card, select_usim("A000000087", "00"))) == kAdfFcp);  // the 3GPP RID
    CHECK(sw_of(*card, select_usim("A0000000871002", "02")) == 0x6A82);          // no next occurrence
    CHECK(sw_of(*card, select_usim("A0000000871002", "08")) == 0x6A86);
    CHECK(sw_of(*card, select_usim("A0000000871003")) == 0x6A82);
    const ResponseApdu quiet = send(*card, select_usim("A0000000871002", "0C"));
    CHECK(quiet.sw() == 0x9000);
    CHECK(quiet.data().empty());

    // In the ADF: EF.IMSI by FID, by path from the current DF (P1 09), by path from the MF via 7FFF.
    CHECK(fcp_fields(send(*card, select_fid("6F07"))) ==
          Fields{{0x82, "4121"}, {0x83, "6F07"}, {0x8A, "05"}, {0x8C, "031A00"}, {0x80, "0009"}, {0x88, "38"}});
    CHECK(fcp_fields(send(*card, select_fid("6F7E"))) ==
          Fields{{0x82, "4121"}, {0x83, "6F7E"}, {0x8A, "05"}, {0x8C, "031100"}, {0x80, "000B"}, {0x88, "58"}});
    CHECK(fcp_fields(send(*card, select_fid("6F08"))).at(4) == std::pair<uint32_t, std::string>{0x80, "0021"});
    CHECK(fcp_fields(send(*card, "00A40904026FAD")).at(1) == std::pair<uint32_t, std::string>{0x83, "6FAD"});
    CHECK(fcp_fields(send(*card, "00A40804047FFF6F38")).at(1) == std::pair<uint32_t, std::string>{0x83, "6F38"});
    CHECK(sw_of(*card, "00A40804046F076F07") == 0x6A82);  // 6F07 is not under the MF
    CHECK(sw_of(*card, "00A40804042FE22FE2") == 0x6A82);  // an EF cannot be in the middle of a path
    // MF files are reachable from the ADF (search of the parent's children), and the parent is the MF.
    CHECK(fcp_fields(send(*card, select_fid("2FE2"))).at(1) == std::pair<uint32_t, std::string>{0x83, "2FE2"});
    CHECK(fcp_fields(send(*card, select_fid("7FFF"))) == kAdfFcp);
    CHECK(fcp_fields(send(*card, "00A40304")) == kMfFcp);
    CHECK(fcp_fields(send(*card, "00A40804022FE2")).at(1) == std::pair<uint32_t, std::string>{0x83, "2FE2"});
    // 7FFF still names the last application selected on the channel.
    CHECK(fcp_fields(send(*card, "00A40804047FFF6F07")).at(1) == std::pair<uint32_t, std::string>{0x83, "6F07"});
}

TEST_CASE("READ BINARY: EF.ICCID and EF.IMSI decode to the factory defaults; SFI, offsets, errors", "[uicc][binary]") {
    auto card = sim::make_memory_card();
    REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
    const ResponseApdu iccid = send(*card, "00B000000A");
    REQUIRE(iccid.sw() == 0x9000);
    CHECK(to_hex(iccid.data()) == "988812010000000000F3");
    CHECK(uicc::decode_iccid(iccid.data()) == "8988211000000000003");
    CHECK(uicc::luhn_valid(uicc::decode_iccid(iccid.data())));
    CHECK(send(*card, "00B0000000").data() == iccid.data());  // Le 00: up to 256, the whole file
    CHECK(to_hex(send(*card, "00B0000504").data()) == "00000000");  // offset 5, 4 bytes
    CHECK(to_hex(send(*card, "00B0000910").data()) == "F3");        // Le beyond the end: what there is
    CHECK(sw_of(*card, "00B0000A01") == 0x6B00);                   // offset at the end
    CHECK(sw_of(*card, "00B0010001") == 0x6B00);
    CHECK(sw_of(*card, "00B000000A01") == 0x6700);                 // data in a case-2 command
    CHECK(send(*card, "00B0820000").data() == iccid.data());         // SFI 02 from the MF
    CHECK(sw_of(*card, "00B0870000") == 0x6A82);                   // SFI 07 is in the ADF
    CHECK(sw_of(*card, "00B0A20000") == 0x6A86);                   // P1 b7-b6 must be 0 with SFI
    CHECK(sw_of(*card, "00B09E0000") == 0x6981);                   // SFI 1E: EF.DIR is record-based
    CHECK(sw_of(*card, "00B0000000") == 0x6981);                   // ... and is now the current EF

    REQUIRE(sw_of(*card, select_fid("3F00", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00B0000000") == 0x6986);  // no current EF

    REQUIRE(sw_of(*card, select_usim("A0000000871002", "0C")) == 0x9000);
    const ResponseApdu imsi = send(*card, "00B0870000");  // SFI 07 = EF.IMSI
    REQUIRE(imsi.sw() == 0x9000);
    CHECK(to_hex(imsi.data()) == "080910101032547698");
    CHECK(uicc::decode_imsi(imsi.data()) == "001010123456789");
    CHECK(to_hex(send(*card, "00B0830000").data()) == "00000002");                 // EF.AD: MNC length 2
    CHECK(to_hex(send(*card, "00B08B0000").data()) == "FFFFFFFF00F110FFFEFF01");   // EF.LOCI
    CHECK(send(*card, "00B0880000").data().size() == 33);                           // EF.KEYS
}

TEST_CASE("READ BINARY in T=0: Le 00 answers 6Cxx with the file size", "[uicc][binary][t0]") {
    sim::CardOptions options;
    options.t0 = true;
    auto card = sim::make_memory_card(options);
    REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00B0000000") == 0x6C0A);
    CHECK(send(*card, "00B000000A").data().size() == 10);
}

TEST_CASE("READ RECORD of EF.DIR: the USIM application template; next, previous, errors", "[uicc][record]") {
    auto card = sim::make_memory_card();
    REQUIRE(sw_of(*card, select_fid("2F00", "0C")) == 0x9000);
    const ResponseApdu first = send(*card, "00B2010420");
    REQUIRE(first.sw() == 0x9000);
    REQUIRE(first.data().size() == 32);
    std::size_t offset = 0;
    const Tlv app = parse_tlv(first.data().data(), first.data().size(), &offset);
    CHECK(app.tag == 0x61);
    CHECK(to_hex(app.find(0x4F)->value) == kUsimAidHex);
    CHECK(app.find(0x50)->value == bytes{'U', 'S', 'I', 'M'});
    for (std::size_t i = offset; i < first.data().size(); ++i) CHECK(first.data()[i] == 0xFF);
    CHECK(send(*card, "00B2020400").data() == bytes(32, 0xFF));  // record 2 is free; Le 00
    CHECK(sw_of(*card, "00B2030420") == 0x6A83);
    CHECK(sw_of(*card, "00B2000420") == 0x6A83);  // no current record yet
    // Next from nothing is record 1, then 2, then the end; previous goes back.
    CHECK(send(*card, "00B2000220").data() == first.data());
    CHECK(send(*card, "00B2000220").data() == bytes(32, 0xFF));
    CHECK(sw_of(*card, "00B2000220") == 0x6A83);
    CHECK(send(*card, "00B2000320").data() == first.data());
    CHECK(send(*card, "00B2000420").data() == first.data());  // P1 00: the current record
    CHECK(sw_of(*card, "00B2010520") == 0x6A86);               // mode 05
    CHECK(sw_of(*card, "00B2010220") == 0x6A86);               // next with a record number
    CHECK(send(*card, "00B201F420").data() == first.data());  // SFI 1E in P2
    REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00B2010420") == 0x6981);  // transparent EF
}

TEST_CASE("UPDATE needs ADM1 (ICCID, IMSI) or PIN1 (LOCI); VERIFY opens them on this channel", "[uicc][update][pin]") {
    auto card = sim::make_memory_card();
    REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00D6000001AA") == 0x6982);
    CHECK(sw_of(*card, "0020000A") == 0x63CA);  // ADM1: 10 tries left, not verified
    CHECK(sw_of(*card, "0020000A08" + kAdm1Hex) == 0x9000);
    CHECK(sw_of(*card, "0020000A") == 0x9000);
    CHECK(sw_of(*card, "00D6000001AA") == 0x9000);
    CHECK(to_hex(send(*card, "00B0000002").data()) == "AA88");
    CHECK(sw_of(*card, "00D6000A01AA") == 0x6B00);
    CHECK(sw_of(*card, "00D6000902AAAA") == 0x6700);  // beyond the end
    CHECK(sw_of(*card, "00D60000") == 0x6700);        // no data
    // UPDATE RECORD of EF.DIR record 2 with ADM1; a record of the wrong length 6700.
    REQUIRE(sw_of(*card, select_fid("2F00", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00D6000001AA") == 0x6981);
    const std::string record(64, 'E');
    CHECK(sw_of(*card, "00DC020420" + record) == 0x9000);
    CHECK(to_hex(send(*card, "00B2020420").data()) == record);
    CHECK(sw_of(*card, "00DC0204021234") == 0x6700);
    CHECK(sw_of(*card, "00DC030420" + record) == 0x6A83);
    CHECK(sw_of(*card, "00DC020220" + record) == 0x6A86);

    // EF.LOCI needs PIN1 (the card's user PIN "1234"): ADM1 alone does not do.
    REQUIRE(sw_of(*card, select_usim("A0000000871002", "0C")) == 0x9000);
    REQUIRE(sw_of(*card, select_fid("6F7E", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00D600000BFFFFFFFF00F1100001FF00") == 0x6982);
    CHECK(sw_of(*card, "0020000108" + kPin1Hex) == 0x9000);
    CHECK(sw_of(*card, "00D600000BFFFFFFFF00F1100001FF00") == 0x9000);
    CHECK(to_hex(send(*card, "00B0000000").data()) == "FFFFFFFF00F1100001FF00");
    CHECK(sw_of(*card, "0020000208" + kPin1Hex) == 0x6A88);  // no such key reference

    // Reset forgets every verification.
    card->reset();
    REQUIRE(sw_of(*card, select_usim("A0000000871002", "0C")) == 0x9000);
    CHECK(sw_of(*card, "00D68B000100") == 0x6982);
}

TEST_CASE("VERIFY ADM1 then UPDATE BINARY persists across a card reopen", "[uicc][state]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    const bytes new_imsi = uicc::encode_imsi("001019876543210");
    {
        auto card = sim::open_simulated_card(path);
        REQUIRE(sw_of(*card, select_usim()) == 0x9000);
        REQUIRE(sw_of(*card, select_fid("6F07", "0C")) == 0x9000);
        REQUIRE(sw_of(*card, "0020000A08" + kAdm1Hex) == 0x9000);
        REQUIRE(sw_of(*card, "00D6000009" + to_hex(new_imsi)) == 0x9000);
    }
    CHECK(records_of(path).at("uicc/ef/ADF.USIM/6F07") == new_imsi);
    auto card = sim::open_simulated_card(path);
    REQUIRE(sw_of(*card, select_usim()) == 0x9000);
    const ResponseApdu imsi = send(*card, "00B0870000");
    CHECK(imsi.data() == new_imsi);
    CHECK(uicc::decode_imsi(imsi.data()) == "001019876543210");
}

TEST_CASE("a wrong ADM1 costs a try that survives a reopen; the right one restores the counter", "[uicc][pin][state]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    {
        auto card = sim::open_simulated_card(path);
        CHECK(sw_of(*card, "0020000A083132333435363738") == 0x6D00);  // the ISD's: no file selected yet
        REQUIRE(sw_of(*card, select_fid("3F00", "0C")) == 0x9000);
        CHECK(sw_of(*card, "0020000A083132333435363738") == 0x63C9);
        CHECK(sw_of(*card, "0020000A083132333435363738") == 0x63C8);
    }
    CHECK(records_of(path).at("card/pin/adm1/tries") == from_hex("080A"));
    CHECK(records_of(path).at("card/pin/user/tries") == from_hex("0303"));  // PIN1 untouched
    {
        auto card = sim::open_simulated_card(path);
        REQUIRE(sw_of(*card, select_fid("3F00", "0C")) == 0x9000);
        CHECK(sw_of(*card, "0020000A") == 0x63C8);
        CHECK(sw_of(*card, "0020000A08" + kAdm1Hex) == 0x9000);
    }
    CHECK(records_of(path).at("card/pin/adm1/tries") == from_hex("0A0A"));
}

TEST_CASE("file positions are per logical channel; STATUS shows each channel's DF", "[uicc][channels]") {
    auto card = sim::make_memory_card();
    REQUIRE(to_hex(send(*card, "0070000001").data()) == "01");
    CHECK(fcp_fields(send(*card, "01A4040407A0000000871002")) == kAdfFcp);
    CHECK(fcp_fields(send(*card, select_fid("3F00"))) == kMfFcp);  // channel 0
    CHECK(fcp_fields(send(*card, "80F2000000")) == kMfFcp);          // STATUS on channel 0
    CHECK(fcp_fields(send(*card, "81F2000000")) == kAdfFcp);         // STATUS on channel 1
    CHECK(to_hex(send(*card, "81F2000100").data()) == "8410" + kUsimAidHex);
    CHECK(sw_of(*card, "80F2000100") == 0x6A88);                     // no application on channel 0
    CHECK(send(*card, "80F2000C00").data().empty());
    CHECK(sw_of(*card, "80F2000200") == 0x6A86);
    CHECK(uicc::decode_imsi(send(*card, "01B0870000").data()) == "001010123456789");
    CHECK(sw_of(*card, "00B0870000") == 0x6A82);  // channel 0 is in the MF
    CHECK(uicc::decode_iccid(send(*card, "00B0820000").data()) == "8988211000000000003");
    // Verification is per channel too: ADM1 on channel 1 does not open channel 0.
    CHECK(sw_of(*card, "0120000A08" + kAdm1Hex) == 0x9000);
    CHECK(sw_of(*card, "00D6820001AA") == 0x6982);
    CHECK(sw_of(*card, "01D6870001AA") == 0x9000);
    // A channel opened from channel 1 starts where channel 1 is, without its verification.
    REQUIRE(to_hex(send(*card, "0170000001").data()) == "02");
    CHECK(fcp_fields(send(*card, "82F2000000")) == kAdfFcp);
    CHECK(sw_of(*card, "02D6870001AA") == 0x6982);
    // A channel opened from the basic channel starts with the ISD and the (inactive) MF.
    REQUIRE(to_hex(send(*card, "0070000001").data()) == "03");
    CHECK(sw_of(*card, "83CA00E000") == 0x9000);  // the ISD answers GET DATA
    CHECK(sw_of(*card, "03B0820000") == 0x6D00);  // READ BINARY goes to the ISD: no file selected yet
    REQUIRE(sw_of(*card, "03A4000C022FE2") == 0x9000);
    CHECK(uicc::decode_iccid(send(*card, "03B0000000").data()) == "8988211000000000003");
}

TEST_CASE("ISD and key store selection and commands are unaffected by the file system", "[uicc][routing]") {
    auto card = sim::make_memory_card();
    // After reset: the ISD on the basic channel, file position MF inactive.
    CHECK(sw_of(*card, "80CA00E000") == 0x9000);
    CHECK(sw_of(*card, "00B0820000") == 0x6D00);  // READ BINARY goes to the ISD while no file is selected
    CHECK(fci_aid(send(*card, "00A4040008" + kIsdAidHex)) == from_hex(kIsdAidHex));
    CHECK(fci_aid(send(*card, "00A4040007" + kKeyStoreAidHex)).size() == 7);
    CHECK(sw_of(*card, "0020000108" + kPin1Hex) == 0x9000);  // the key store's VERIFY
    // A file-system SELECT deselects the applet: ISD commands are no longer understood.
    REQUIRE(sw_of(*card, select_fid("3F00", "0C")) == 0x9000);
    CHECK(sw_of(*card, "80CA00E000") == 0x6D00);
    // Selecting the ISD by AID again: the ISD is back and READ BINARY goes to it.
    CHECK(fci_aid(send(*card, "00A4040008" + kIsdAidHex)) == from_hex(kIsdAidHex));
    CHECK(sw_of(*card, "80CA00E000") == 0x9000);
    CHECK(sw_of(*card, "00B0000000") == 0x6D00);
    // A partial AID of the ISD still picks the ISD (installation order), not ADF.USIM.
    CHECK(fci_aid(send(*card, "00A4040004A0000001")) == from_hex(kIsdAidHex));
    CHECK(fci_aid(send(*card, "00A4040000")) == from_hex(kIsdAidHex));
    // Secure channel to the ISD still works after the file system was used on the channel.
    REQUIRE(sw_of(*card, select_usim()) == 0x9000);
    REQUIRE(fci_aid(send(*card, "00A4040008" + kIsdAidHex)) == from_hex(kIsdAidHex));
    TestHost host(*card);
    CHECK(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
    // Reset: the ISD again, and the MF (inactive) as file position.
    REQUIRE(sw_of(*card, select_usim()) == 0x9000);
    card->reset();
    CHECK(sw_of(*card, "80CA00E000") == 0x9000);
    CHECK(fcp_fields(send(*card, select_fid("2FE2"))).at(1) == std::pair<uint32_t, std::string>{0x83, "2FE2"});
}

TEST_CASE("ADF.USIM makes its applet the channel's applet while the position is inside the ADF", "[uicc][routing][usim]") {
    // A card with an echo applet in place of the USIM applet, to see where commands go.
    sim::Card card{sim::PersistentState{}};
    card.install(std::make_unique<EchoApplet>(from_hex(kIsdAidHex), "isd"), true);
    card.install(std::make_unique<EchoApplet>(from_hex(kUsimAidHex), "usim"));
    auto files = std::make_unique<sim::uicc::FileSystem>();
    files->write_factory_defaults(card.state());
    card.state().put("card/pin/user", secure_bytes{'1', '2', '3', '4'});
    card.state().put("card/pin/user/tries", secure_bytes{3, 3});
    card.state().commit();
    card.install_file_system(std::move(files));
    card.power_on();

    CHECK(to_hex(send(card, "0003000000").data()) == kIsdAidHex);  // INS 03: the applet's AID
    REQUIRE(sw_of(card, select_usim("A0000000871002")) == 0x9000);
    CHECK(to_hex(send(card, "0003000000").data()) == kUsimAidHex);  // not a file command: the USIM applet
    CHECK(to_hex(send(card, "00010000021234").data()) == "1234");
    REQUIRE(sw_of(card, select_fid("6F07", "0C")) == 0x9000);        // an EF of the ADF: still the USIM
    CHECK(to_hex(send(card, "0003000000").data()) == kUsimAidHex);
    CHECK(uicc::decode_imsi(send(card, "00B0000000").data()) == "001010123456789");  // file command: files
    REQUIRE(sw_of(card, select_fid("3F00", "0C")) == 0x9000);        // out of the ADF: no applet
    CHECK(sw_of(card, "0003000000") == 0x6D00);
    REQUIRE(sw_of(card, "00A40804047FFF6F07") == 0x9000);             // back in by path
    CHECK(to_hex(send(card, "0003000000").data()) == kUsimAidHex);
    // On channel 1 opened from channel 0: the default applet and the MF (inactive).
    REQUIRE(to_hex(send(card, "0070000001").data()) == "01");
    CHECK(to_hex(send(card, "0103000000").data()) == kIsdAidHex);
}

TEST_CASE("a state file written by the foundation build gains the file records, keeping its data", "[uicc][state][migration]") {
    TempDir dir;
    const std::string path = dir.path + "/card.state";
    std::filesystem::copy_file(std::string(SIMKIT_VECTORS_DIR) + "/state/foundation-28f06a8.state", path);
    const auto before = records_of(path);
    REQUIRE(before.size() == 8);
    {
        auto card = sim::open_simulated_card(path);
        TestHost host(*card);
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);  // the ISD keys are kept
        REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
        CHECK(uicc::decode_iccid(send(*card, "00B0000000").data()) == "8988211000000000003");
        REQUIRE(sw_of(*card, select_usim()) == 0x9000);
        CHECK(uicc::decode_imsi(send(*card, "00B0870000").data()) == "001010123456789");
    }
    const auto after = records_of(path);
    for (const auto& [name, value] : before) {
        INFO(name);
        REQUIRE(after.at(name) == value);
    }
    const sim::uicc::FileTree tree;
    for (const sim::uicc::FileNode* ef : tree.elementary_files()) {
        INFO(ef->record);
        CHECK(after.at(ef->record) == ef->factory);
    }
    CHECK(after.at("uicc/ef/3F00/2FE2") == uicc::encode_iccid("8988211000000000003"));
    CHECK(after.at("uicc/ef/ADF.USIM/6F07") == uicc::encode_imsi("001010123456789"));
    CHECK(after.at("card/pin/adm1") == bytes{'8', '8', '8', '8', '8', '8', '8', '8'});
    CHECK(after.at("card/pin/adm1/tries") == from_hex("0A0A"));

    // A second open changes nothing that exists, even a file updated in between.
    {
        auto card = sim::open_simulated_card(path);
        REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
        REQUIRE(sw_of(*card, "0020000A08" + kAdm1Hex) == 0x9000);
        REQUIRE(sw_of(*card, "00D6000001AA") == 0x9000);
    }
    auto card = sim::open_simulated_card(path);
    REQUIRE(sw_of(*card, select_fid("2FE2", "0C")) == 0x9000);
    CHECK(to_hex(send(*card, "00B0000001").data()) == "AA");
}

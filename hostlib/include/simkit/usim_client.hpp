// The host's client of a UICC's USIM over any simkit::Card (3GPP TS 31.102, ETSI TS 102 221): select
// ADF.USIM, run AUTHENTICATE in the 3G and GSM contexts, read files (EF.ICCID, EF.IMSI, EF.AD or any
// EF by path) with their FCP. Works with simkit's simulated card and with a real USIM. specs/usim.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simkit/bytes.hpp"
#include "simkit/card.hpp"

namespace simkit {

// The answer of AUTHENTICATE in the 3G context.
struct AkaAnswer {
    enum class Result { Ok, SyncFailure, MacFailure };
    Result result = Result::MacFailure;
    bytes res;            // Ok: RES (4..16 bytes)
    secure_bytes ck, ik;  // Ok: 16 bytes each
    secure_bytes kc;      // Ok: 8 bytes when the card gives Kc (GSM access available), else empty
    bytes auts;           // SyncFailure: 14 bytes
    static const char* result_name(Result result);  // "ok", "sync_failure", "mac_failure"
};

// The answer of AUTHENTICATE in the GSM context.
struct GsmAnswer {
    bytes sres;       // 4 bytes
    secure_bytes kc;  // 8 bytes
};

// What the FCP of a selected EF says (TS 102 221 11.1.1.3).
struct FileInfo {
    bool linear_fixed = false;
    std::size_t size = 0;           // transparent: file size; linear fixed: record_length * record_count
    uint8_t record_length = 0;
    uint8_t record_count = 0;
};

class UsimClient {
public:
    // The USIM's AID prefix (RID A000000087, application 1002): SELECT by this partial AID reaches
    // ADF.USIM on any card.
    static const bytes kUsimAidPrefix;

    // Selects ADF.USIM on the basic channel (SwError when the card has no USIM).
    explicit UsimClient(Card& card);

    // AUTHENTICATE, 3G context: RAND and AUTN (16 bytes each). 9862 is MacFailure, DC is
    // SyncFailure; other status words raise SwError naming the command.
    AkaAnswer authenticate(const bytes& rand, const bytes& autn);
    // AUTHENTICATE, GSM context (RAND 16 bytes).
    GsmAnswer authenticate_gsm(const bytes& rand);

    // An EF by its path of FIDs: from the MF ({0x2FE2}) or, starting with 0x7FFF, from ADF.USIM
    // ({0x7FFF, 0x6F07}). Transparent EFs: the whole content; linear fixed: all records joined.
    bytes read_file(const std::vector<uint16_t>& path, FileInfo* info = nullptr);
    // Every record of a linear fixed EF.
    std::vector<bytes> read_records(const std::vector<uint16_t>& path);

    std::string iccid();  // EF.ICCID decoded
    std::string imsi();   // EF.IMSI decoded

private:
    FileInfo select_path(const std::vector<uint16_t>& path);
    Card& card_;
};

// Parses "2FE2", "3F00/2FE2", "7FFF/6F07" or "ADF/6F07" (ADF = 7FFF) into FIDs (3F00 first is
// dropped). FormatError for anything else.
std::vector<uint16_t> parse_file_path(const std::string& text);

}  // namespace simkit

// The modem's own use of the SIM's files: AT+CRSM (restricted SIM access, 3GPP TS 27.007 8.18) and
// AT+CIMI (the IMSI, 7.2). Like a modem's SIM driver the interpreter selects the file on the basic
// channel, fetches 61xx answers with GET RESPONSE and re-sends on 6Cxx, then reports the card's
// status word in decimal (specs/at-modem.md).
#include "serve/at_interpreter.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit::sim {

namespace {
constexpr int kCrsmReadBinary = 176, kCrsmReadRecord = 178, kCrsmGetResponse = 192, kCrsmUpdateBinary = 214,
              kCrsmUpdateRecord = 220, kCrsmStatus = 242;
constexpr uint16_t kMf = 0x3F00, kCurrentAdf = 0x7FFF;
const bytes kUsimAidPrefix{0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};

uint16_t sw_of(const bytes& r) { return r.size() < 2 ? 0x6F00 : static_cast<uint16_t>((r[r.size() - 2] << 8) | r.back()); }
bool sw_ok(const bytes& r) { return sw_of(r) == 0x9000; }
bytes data_of(const bytes& r) { return r.size() < 2 ? bytes{} : bytes(r.begin(), r.end() - 2); }

// The files under the MF (EF.ICCID 2FE2, EF.DIR 2F00 ...) versus those of ADF.USIM (6Fxx, 4Fxx).
bool under_mf(uint16_t fid) { return fid == kMf || (fid >> 8) == 0x2F; }
}  // namespace

bytes AtInterpreter::sim_exchange(bytes apdu) {
    bytes r = exchange_(apdu);
    if (r.size() == 2 && r[0] == 0x6C && apdu.size() == 5) {  // wrong Le: re-send with the card's
        apdu[4] = r[1];
        r = exchange_(apdu);
    }
    bytes data;
    while (r.size() >= 2 && r[r.size() - 2] == 0x61) {
        const bytes part = data_of(r);
        data.insert(data.end(), part.begin(), part.end());
        r = exchange_(bytes{0x00, 0xC0, 0x00, 0x00, r.back()});
    }
    if (!data.empty()) r.insert(r.begin(), data.begin(), data.end());
    return r;
}

bytes AtInterpreter::select_file(uint16_t fileid, const std::vector<uint16_t>& path) {
    // Where the walk starts: the MF, or ADF.USIM (by AID) for 7FFF paths and for the USIM's files.
    const bool from_adf = path.empty() ? !under_mf(fileid) : path.front() == kCurrentAdf;
    bytes select_start{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};  // SELECT MF
    if (from_adf) {
        select_start = {0x00, 0xA4, 0x04, 0x0C, static_cast<uint8_t>(kUsimAidPrefix.size())};  // SELECT ADF.USIM by AID
        select_start.insert(select_start.end(), kUsimAidPrefix.begin(), kUsimAidPrefix.end());
    }
    bytes r = sim_exchange(select_start);
    if (!sw_ok(r)) return r;
    std::vector<uint16_t> walk(path.begin() + (path.empty() || !from_adf ? 0 : 1), path.end());
    if (fileid != kMf) walk.push_back(fileid);
    if (walk.empty()) return sim_exchange(bytes{0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00, 0x00});
    for (const uint16_t fid : walk) {
        r = sim_exchange(bytes{0x00, 0xA4, 0x00, 0x04, 0x02, static_cast<uint8_t>(fid >> 8), static_cast<uint8_t>(fid), 0x00});
        if (!sw_ok(r)) return r;
    }
    return r;  // the FCP of the file and 9000
}

std::string AtInterpreter::crsm(const AtCommandLine& command) {
    // AT+CRSM=<command>[,<fileid>[,<P1>,<P2>,<P3>[,<data>[,<pathid>]]]]
    const auto& p = command.parameters;
    if (p.empty() || p.size() > 7 || !at_number(p[0])) return cme_error(cme::kIncorrectParameters);
    unsigned long numbers[5] = {0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < p.size() && i < 5; ++i) {
        if (p[i].text.empty() && i > 0) continue;
        const auto n = at_number(p[i]);
        if (!n || (i == 1 && *n > 0xFFFF) || (i > 1 && *n > 0xFF)) return cme_error(cme::kIncorrectParameters);
        numbers[i] = *n;
    }
    bytes data;
    std::vector<uint16_t> path;
    try {
        if (p.size() > 5) data = from_hex(p[5].text);
        if (p.size() > 6) {
            const bytes raw = from_hex(p[6].text);
            if (raw.size() % 2 != 0) return cme_error(cme::kIncorrectParameters);
            for (std::size_t i = 0; i < raw.size(); i += 2) {
                const uint16_t fid = static_cast<uint16_t>((raw[i] << 8) | raw[i + 1]);
                if (!(path.empty() && fid == kMf)) path.push_back(fid);  // the path is from the MF
            }
        }
    } catch (const FormatError&) {
        return cme_error(cme::kIncorrectParameters);
    }
    const int what = static_cast<int>(numbers[0]);
    const auto fileid = static_cast<uint16_t>(numbers[1]);
    const auto p1 = static_cast<uint8_t>(numbers[2]), p2 = static_cast<uint8_t>(numbers[3]), p3 = static_cast<uint8_t>(numbers[4]);

    bytes r;
    if (what == kCrsmStatus) {
        r = sim_exchange(bytes{0x80, 0xF2, p1, p2, p3});
    } else if (what == kCrsmReadBinary || what == kCrsmReadRecord || what == kCrsmGetResponse ||
               what == kCrsmUpdateBinary || what == kCrsmUpdateRecord) {
        if (p.size() < 2 || p[1].text.empty()) return cme_error(cme::kIncorrectParameters);
        r = select_file(fileid, path);
        if (sw_ok(r) && what != kCrsmGetResponse) {
            const uint8_t ins = what == kCrsmReadBinary ? 0xB0 : what == kCrsmReadRecord ? 0xB2 : what == kCrsmUpdateBinary ? 0xD6 : 0xDC;
            bytes apdu{0x00, ins, p1, p2};
            if (ins == 0xD6 || ins == 0xDC) {
                if (data.empty() || data.size() > 255) return cme_error(cme::kIncorrectParameters);
                apdu.push_back(static_cast<uint8_t>(data.size()));
                apdu.insert(apdu.end(), data.begin(), data.end());
            } else {
                apdu.push_back(p3);
            }
            r = sim_exchange(apdu);
        }
    } else {
        return cme_error(cme::kOperationNotSupported);  // RETRIEVE DATA / SET DATA and unknown commands
    }
    const uint16_t sw = sw_of(r);
    std::string value = std::to_string(sw >> 8) + "," + std::to_string(sw & 0xFF);
    const bytes response = data_of(r);
    if (!response.empty()) value += ",\"" + to_hex(response) + "\"";
    return answer(at_line(prefixed("+CRSM", value)));
}

std::string AtInterpreter::cimi() {
    const bytes r = select_file(0x6F07, {});
    if (!sw_ok(r)) return cme_error(cme::kSimFailure);
    const bytes imsi = sim_exchange(bytes{0x00, 0xB0, 0x00, 0x00, static_cast<uint8_t>(::simkit::uicc::kImsiEfSize)});
    if (!sw_ok(imsi)) return cme_error(cme::kSimFailure);
    try {
        return answer(at_line(::simkit::uicc::decode_imsi(data_of(imsi))));
    } catch (const FormatError&) {
        return cme_error(cme::kSimFailure);  // EF.IMSI not personalized (all FF) or damaged
    }
}

}  // namespace simkit::sim

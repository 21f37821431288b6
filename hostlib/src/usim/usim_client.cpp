// simkit::UsimClient: ADF.USIM selection, AUTHENTICATE and file reading over a simkit::Card (see
// usim_client.hpp). 61xx/6Cxx are the Card's business; this file speaks the TS 102 221 / TS 31.102
// commands only.
#include "simkit/usim_client.hpp"

#include <cctype>

#include "simkit/errors.hpp"
#include "simkit/status_words.hpp"
#include "simkit/tlv.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit {

namespace {
constexpr uint8_t kInsSelect = 0xA4;
constexpr uint8_t kInsReadBinary = 0xB0;
constexpr uint8_t kInsReadRecord = 0xB2;
constexpr uint8_t kInsAuthenticate = 0x88;
constexpr uint16_t kMf = 0x3F00;
constexpr uint16_t kCurrentAdf = 0x7FFF;
constexpr std::size_t kReadChunk = 255;

bytes fid_bytes(uint16_t fid) { return bytes{static_cast<uint8_t>(fid >> 8), static_cast<uint8_t>(fid)}; }

std::string fid_hex(uint16_t fid) { return to_hex(fid_bytes(fid)); }

// The LV fields of an AUTHENTICATE answer after its tag byte.
std::vector<bytes> lv_fields(const bytes& data, std::size_t from) {
    std::vector<bytes> out;
    std::size_t pos = from;
    while (pos < data.size()) {
        const std::size_t length = data[pos++];
        if (data.size() - pos < length) throw FormatError("AUTHENTICATE answer: field truncated");
        out.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(pos),
                         data.begin() + static_cast<std::ptrdiff_t>(pos + length));
        pos += length;
    }
    return out;
}

FileInfo parse_fcp(const bytes& fcp) {
    FileInfo info;
    const auto top = parse_tlvs(fcp);
    const auto fcp_template = find_tlv(top, 0x62);
    if (!fcp_template) throw FormatError("SELECT answer is not an FCP template (62)");
    const auto descriptor = fcp_template->find(0x82);
    if (!descriptor || descriptor->value.empty()) throw FormatError("FCP without a file descriptor (82)");
    const uint8_t structure = descriptor->value[0] & 0x07;
    if (structure == 0x02 || structure == 0x06) {
        if (descriptor->value.size() < 5) throw FormatError("FCP: record file descriptor too short");
        info.linear_fixed = true;
        info.record_length = descriptor->value[3];
        info.record_count = descriptor->value[4];
        info.size = std::size_t{info.record_length} * info.record_count;
    } else {
        const auto size = fcp_template->find(0x80);
        if (!size || size->value.empty()) throw FormatError("FCP of a transparent EF without its size (80)");
        for (uint8_t b : size->value) info.size = (info.size << 8) | b;
    }
    return info;
}
}  // namespace

const bytes UsimClient::kUsimAidPrefix = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};

const char* AkaAnswer::result_name(Result result) {
    switch (result) {
        case Result::Ok: return "ok";
        case Result::SyncFailure: return "sync_failure";
        case Result::MacFailure: return "mac_failure";
    }
    return "?";
}

UsimClient::UsimClient(Card& card) : card_(card) {
    const ResponseApdu r = card_.transmit(CommandApdu::make(0x00, kInsSelect, 0x04, 0x04, kUsimAidPrefix, 256));
    if (!r.is_ok()) throw SwError(r.sw(), "SELECT ADF.USIM");
}

AkaAnswer UsimClient::authenticate(const bytes& rand, const bytes& autn) {
    if (rand.size() != 16) throw ArgumentError("RAND must be 16 bytes, not " + std::to_string(rand.size()));
    if (autn.size() != 16) throw ArgumentError("AUTN must be 16 bytes, not " + std::to_string(autn.size()));
    bytes data{0x10};
    data.insert(data.end(), rand.begin(), rand.end());
    data.push_back(0x10);
    data.insert(data.end(), autn.begin(), autn.end());
    ResponseApdu r = card_.transmit(CommandApdu::make(0x00, kInsAuthenticate, 0x00, 0x81, data, 256));
    AkaAnswer answer;
    if (r.sw() == sw::kAuthenticationMacFailure) return answer;
    if (!r.is_ok() || r.data().empty()) throw SwError(r.sw(), "AUTHENTICATE");
    const std::vector<bytes> fields = lv_fields(r.data(), 1);
    if (r.data()[0] == 0xDC) {
        if (fields.size() != 1 || fields[0].size() != 14) throw FormatError("AUTHENTICATE: AUTS is not 14 bytes");
        answer.result = AkaAnswer::Result::SyncFailure;
        answer.auts = fields[0];
    } else if (r.data()[0] == 0xDB) {
        if (fields.size() < 3 || fields[1].size() != 16 || fields[2].size() != 16) {
            throw FormatError("AUTHENTICATE: success answer without RES, CK and IK");
        }
        answer.result = AkaAnswer::Result::Ok;
        answer.res = fields[0];
        answer.ck = to_secure(fields[1]);
        answer.ik = to_secure(fields[2]);
        if (fields.size() > 3) answer.kc = to_secure(fields[3]);
    } else {
        throw FormatError("AUTHENTICATE: answer tag is neither DB nor DC");
    }
    secure_wipe(r.data().data(), r.data().size());
    return answer;
}

GsmAnswer UsimClient::authenticate_gsm(const bytes& rand) {
    if (rand.size() != 16) throw ArgumentError("RAND must be 16 bytes, not " + std::to_string(rand.size()));
    bytes data{0x10};
    data.insert(data.end(), rand.begin(), rand.end());
    ResponseApdu r = card_.transmit(CommandApdu::make(0x00, kInsAuthenticate, 0x00, 0x80, data, 256));
    if (!r.is_ok()) throw SwError(r.sw(), "AUTHENTICATE (GSM context)");
    const std::vector<bytes> fields = lv_fields(r.data(), 0);
    if (fields.size() != 2 || fields[0].size() != 4 || fields[1].size() != 8) {
        throw FormatError("AUTHENTICATE (GSM context): answer is not SRES(4) Kc(8)");
    }
    GsmAnswer answer{fields[0], to_secure(fields[1])};
    secure_wipe(r.data().data(), r.data().size());
    return answer;
}

FileInfo UsimClient::select_path(const std::vector<uint16_t>& path) {
    if (path.empty()) throw ArgumentError("file path is empty");
    std::size_t first = 0;
    if (path[0] == kCurrentAdf) {
        const ResponseApdu r = card_.transmit(CommandApdu::make(0x00, kInsSelect, 0x04, 0x0C, kUsimAidPrefix));
        if (!r.is_ok()) throw SwError(r.sw(), "SELECT ADF.USIM");
        first = 1;
    } else {
        const ResponseApdu r = card_.transmit(CommandApdu::make(0x00, kInsSelect, 0x00, 0x0C, fid_bytes(kMf)));
        if (!r.is_ok()) throw SwError(r.sw(), "SELECT MF 3F00");
    }
    if (first == path.size()) throw ArgumentError("file path names a DF, not an EF");
    ResponseApdu r;
    for (std::size_t i = first; i < path.size(); ++i) {
        r = card_.transmit(CommandApdu::make(0x00, kInsSelect, 0x00, 0x04, fid_bytes(path[i]), 256));
        if (!r.is_ok()) throw SwError(r.sw(), "SELECT " + fid_hex(path[i]));
    }
    return parse_fcp(r.data());
}

bytes UsimClient::read_file(const std::vector<uint16_t>& path, FileInfo* info_out) {
    const FileInfo info = select_path(path);
    if (info_out != nullptr) *info_out = info;
    bytes out;
    if (info.linear_fixed) {
        for (const bytes& record : read_records(path)) out.insert(out.end(), record.begin(), record.end());
        return out;
    }
    while (out.size() < info.size) {
        const std::size_t n = std::min(kReadChunk, info.size - out.size());
        const uint16_t offset = static_cast<uint16_t>(out.size());
        const ResponseApdu r = card_.transmit(
            CommandApdu::make(0x00, kInsReadBinary, static_cast<uint8_t>(offset >> 8), static_cast<uint8_t>(offset), {}, n));
        if (!r.is_ok()) throw SwError(r.sw(), "READ BINARY");
        if (r.data().empty()) break;
        out.insert(out.end(), r.data().begin(), r.data().end());
    }
    return out;
}

std::vector<bytes> UsimClient::read_records(const std::vector<uint16_t>& path) {
    const FileInfo info = select_path(path);
    if (!info.linear_fixed) throw ArgumentError("EF " + fid_hex(path.back()) + " is not a record file");
    std::vector<bytes> records;
    for (unsigned n = 1; n <= info.record_count; ++n) {
        const ResponseApdu r = card_.transmit(
            CommandApdu::make(0x00, kInsReadRecord, static_cast<uint8_t>(n), 0x04, {}, info.record_length));
        if (!r.is_ok()) throw SwError(r.sw(), "READ RECORD " + std::to_string(n));
        records.push_back(r.data());
    }
    return records;
}

std::string UsimClient::iccid() { return uicc::decode_iccid(read_file({0x2FE2})); }

std::string UsimClient::imsi() { return uicc::decode_imsi(read_file({kCurrentAdf, 0x6F07})); }

std::vector<uint16_t> parse_file_path(const std::string& text) {
    std::vector<uint16_t> path;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t slash = text.find('/', start);
        const std::string part = text.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        uint16_t fid = 0;
        if (part == "ADF" || part == "adf") {
            fid = kCurrentAdf;
        } else {
            if (part.size() != 4) throw FormatError("file path '" + text + "': '" + part + "' is not a 4-digit hex FID");
            for (char c : part) {
                if (!std::isxdigit(static_cast<unsigned char>(c))) {
                    throw FormatError("file path '" + text + "': '" + part + "' is not a 4-digit hex FID");
                }
            }
            fid = static_cast<uint16_t>(std::stoul(part, nullptr, 16));
        }
        if (!(path.empty() && fid == kMf)) path.push_back(fid);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    if (path.empty()) throw FormatError("file path '" + text + "' names no EF");
    return path;
}

}  // namespace simkit

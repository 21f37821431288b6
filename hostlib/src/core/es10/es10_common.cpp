// ES10 pieces shared by every message: the outer tag, enum words, ICCID encodings, result-code
// names, the one-INTEGER result answer and the empty request.
#include "simkit/es10.hpp"

#include "es10_der.hpp"
#include "simkit/errors.hpp"
#include "simkit/core/uicc_codec.hpp"

namespace simkit::es10 {

uint32_t message_tag(const bytes& der) {
    std::size_t offset = 0;
    const Tlv tlv = parse_tlv(der.data(), der.size(), &offset);
    if (offset != der.size()) {
        throw FormatError("ES10 message: " + std::to_string(der.size() - offset) + " bytes after the first TLV");
    }
    return tlv.tag;
}

std::string to_string(ProfileState state) {
    switch (state) {
        case ProfileState::Disabled: return "disabled";
        case ProfileState::Enabled: return "enabled";
    }
    return "unknown(" + std::to_string(static_cast<int>(state)) + ")";
}

std::string to_string(ProfileClass profile_class) {
    switch (profile_class) {
        case ProfileClass::Test: return "test";
        case ProfileClass::Provisioning: return "provisioning";
        case ProfileClass::Operational: return "operational";
    }
    return "unknown(" + std::to_string(static_cast<int>(profile_class)) + ")";
}

// --- ICCID ---------------------------------------------------------------------------------------

bytes iccid_to_bytes(const std::string& digits) {
    if (digits.size() < 18 || digits.size() > 20) {
        throw ArgumentError("iccid: '" + digits + "' has " + std::to_string(digits.size()) +
                            " characters, an ICCID has 18..20 decimal digits");
    }
    return uicc::encode_iccid(digits);  // ArgumentError for a non-digit
}

std::string iccid_to_digits(const bytes& stored) { return uicc::decode_iccid(stored); }

namespace {
// The ICCID's nibbles in digit order with trailing F padding removed.
std::string iccid_nibbles(const bytes& b) {
    std::string out;
    for (uint8_t byte : b) {
        out.push_back(static_cast<char>(byte & 0x0F));
        out.push_back(static_cast<char>(byte >> 4));
    }
    while (!out.empty() && out.back() == 0x0F) out.pop_back();
    return out;
}
}  // namespace

bool iccid_matches(const bytes& a, const bytes& b) {
    const std::string na = iccid_nibbles(a);
    return !na.empty() && na == iccid_nibbles(b);
}

// --- result codes --------------------------------------------------------------------------------

std::string result_name(uint32_t tag, uint8_t code) {
    if (code == result::kOk) return "ok";
    if (code == result::kUndefinedError) return "undefinedError";
    switch (tag) {
        case kTagEnableProfile:
            switch (code) {
                case 1: return "iccidOrAidNotFound";
                case 2: return "profileNotInDisabledState";
                case 3: return "disallowedByPolicy";
                case 4: return "wrongProfileReenabling";
                case 5: return "catBusy";
            }
            break;
        case kTagDisableProfile:
            switch (code) {
                case 1: return "iccidOrAidNotFound";
                case 2: return "profileNotInEnabledState";
                case 3: return "disallowedByPolicy";
                case 5: return "catBusy";
            }
            break;
        case kTagDeleteProfile:
            switch (code) {
                case 1: return "iccidOrAidNotFound";
                case 2: return "profileNotInDisabledState";
                case 3: return "disallowedByPolicy";
            }
            break;
        case kTagEuiccMemoryReset:
            switch (code) {
                case 1: return "nothingToDelete";
                case 5: return "catBusy";
            }
            break;
        case kTagSetNickname:
            if (code == 1) return "iccidNotFound";
            break;
        case kTagNotificationSent:
            if (code == 1) return "nothingToDelete";
            break;
        default:
            break;
    }
    return "unknown(" + std::to_string(code) + ")";
}

bytes ResultResponse::encode() const {
    return encode_tlv(tag, encode_tlv(0x80, der::integer(code)));
}

ResultResponse ResultResponse::decode(const bytes& der, uint32_t expected_tag) {
    const std::string name = "result response " + der::tag_name(expected_tag);
    const Tlv outer = der::open_message(der, expected_tag, name.c_str());
    const auto fields = der::children_of(outer, name.c_str(), "content");
    const Tlv& code = der::require(fields, 0x80, name.c_str(), "result");
    return ResultResponse{expected_tag, static_cast<uint8_t>(der::read_integer(code, 0xFF, name.c_str(), "result"))};
}

bytes empty_request(uint32_t tag) { return encode_tlv(tag, bytes{}); }

}  // namespace simkit::es10

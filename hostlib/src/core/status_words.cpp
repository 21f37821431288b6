// Status-word meanings from ISO/IEC 7816-4 (5.6, table 5/6) and GlobalPlatform Card Spec 2.3.
#include "simkit/status_words.hpp"

#include <array>
#include <cstdio>

#include "simkit/errors.hpp"

namespace simkit {

namespace {
struct SwEntry {
    uint16_t sw;
    const char* meaning;
};

constexpr std::array kExact{
    SwEntry{0x9000, "success"},
    SwEntry{0x6200, "warning: state of non-volatile memory unchanged"},
    SwEntry{0x6281, "warning: part of returned data may be corrupted"},
    SwEntry{0x6282, "warning: end of file or record reached before reading Ne bytes"},
    SwEntry{0x6283, "warning: selected file deactivated"},
    SwEntry{0x6284, "warning: file control information not formatted"},
    SwEntry{0x6300, "warning: verification failed / more data available"},
    SwEntry{0x6310, "warning: more data available"},
    SwEntry{0x6400, "execution error: state of non-volatile memory unchanged"},
    SwEntry{0x6500, "execution error: state of non-volatile memory changed"},
    SwEntry{0x6581, "memory failure"},
    SwEntry{0x6700, "wrong length"},
    SwEntry{0x6800, "functions in CLA not supported"},
    SwEntry{0x6881, "logical channel not supported"},
    SwEntry{0x6882, "secure messaging not supported"},
    SwEntry{0x6883, "last command of the chain expected"},
    SwEntry{0x6884, "command chaining not supported"},
    SwEntry{0x6900, "command not allowed"},
    SwEntry{0x6981, "command incompatible with file structure"},
    SwEntry{0x6982, "security status not satisfied"},
    SwEntry{0x6983, "authentication method blocked"},
    SwEntry{0x6984, "reference data not usable"},
    SwEntry{0x6985, "conditions of use not satisfied"},
    SwEntry{0x6986, "command not allowed (no current EF)"},
    SwEntry{0x6987, "expected secure messaging data objects missing"},
    SwEntry{0x6988, "incorrect secure messaging data objects"},
    SwEntry{0x6999, "applet selection failed"},
    SwEntry{0x6A80, "incorrect parameters in the command data field"},
    SwEntry{0x6A81, "function not supported"},
    SwEntry{0x6A82, "file or application not found"},
    SwEntry{0x6A83, "record not found"},
    SwEntry{0x6A84, "not enough memory space in the file"},
    SwEntry{0x6A85, "Nc inconsistent with TLV structure"},
    SwEntry{0x6A86, "incorrect parameters P1-P2"},
    SwEntry{0x6A87, "Nc inconsistent with parameters P1-P2"},
    SwEntry{0x6A88, "referenced data or reference data not found"},
    SwEntry{0x6A89, "file already exists"},
    SwEntry{0x6A8A, "DF name already exists"},
    SwEntry{0x6B00, "wrong parameters P1-P2"},
    SwEntry{0x6D00, "instruction code not supported or invalid"},
    SwEntry{0x6D01, "signature does not verify"},
    SwEntry{0x6E00, "class not supported"},
    SwEntry{0x6F00, "no precise diagnosis"},
    SwEntry{0x9484, "algorithm not supported"},
    SwEntry{0x9862, "authentication error, incorrect MAC (AUTN)"},
    SwEntry{0x9864, "authentication error, security context not supported"},
    SwEntry{0x9485, "invalid key check value"},
};
}  // namespace

std::string sw_meaning(uint16_t sw) {
    for (const auto& e : kExact) {
        if (e.sw == sw) return e.meaning;
    }
    const uint8_t sw1 = static_cast<uint8_t>(sw >> 8);
    const uint8_t sw2 = static_cast<uint8_t>(sw);
    switch (sw1) {
        case 0x61: return std::to_string(sw2 == 0 ? 256 : sw2) + " more response bytes available (GET RESPONSE)";
        case 0x6C: return "wrong Le field; " + std::to_string(sw2 == 0 ? 256 : sw2) + " bytes available";
        case 0x63:
            if ((sw2 & 0xF0) == 0xC0) return "verification failed, " + std::to_string(sw2 & 0x0F) + " tries left";
            return "warning: state of non-volatile memory changed";
        case 0x62: return "warning: state of non-volatile memory unchanged";
        case 0x64: return "execution error: state of non-volatile memory unchanged";
        case 0x65: return "execution error: state of non-volatile memory changed";
        case 0x66: return "security-related issue";
        case 0x67: return "wrong length";
        case 0x68: return "functions in CLA not supported";
        case 0x69: return "command not allowed";
        case 0x6A: return "wrong parameters P1-P2";
        case 0x6B: return "wrong parameters P1-P2";
        case 0x6D: return "instruction code not supported or invalid";
        case 0x6E: return "class not supported";
        case 0x6F: return "no precise diagnosis";
        case 0x91: return "success, proactive command pending";
        case 0x92:
        case 0x94:
        case 0x98: return "SIM/UICC application error";
        default: break;
    }
    return "unknown status word";
}

std::string describe_sw(uint16_t sw) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(sw));
    return std::string(buf) + " " + sw_meaning(sw);
}

bool sw_is_success(uint16_t sw) { return sw == 0x9000 || (sw >> 8) == 0x61; }

SwError::SwError(uint16_t sw, const std::string& context)
    : Error(context.empty() ? describe_sw(sw) : context + ": " + describe_sw(sw)), sw_(sw) {}

}  // namespace simkit

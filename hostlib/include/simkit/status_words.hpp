// The status-word table: ISO 7816-4 and GlobalPlatform meanings used by every error message.
#pragma once

#include <cstdint>
#include <string>

namespace simkit {

namespace sw {
constexpr uint16_t kSuccess = 0x9000;
constexpr uint16_t kWarningNoInfo = 0x6200;
constexpr uint16_t kVerifyFailed = 0x6300;
constexpr uint16_t kMemoryFailure = 0x6581;
constexpr uint16_t kWrongLength = 0x6700;
constexpr uint16_t kLogicalChannelNotSupported = 0x6881;
constexpr uint16_t kSecureMessagingNotSupported = 0x6882;
constexpr uint16_t kLastCommandOfChainExpected = 0x6883;
constexpr uint16_t kChainingNotSupported = 0x6884;
constexpr uint16_t kCommandNotAllowed = 0x6900;
constexpr uint16_t kIncompatibleFileStructure = 0x6981;
constexpr uint16_t kSecurityStatusNotSatisfied = 0x6982;
constexpr uint16_t kAuthenticationBlocked = 0x6983;
constexpr uint16_t kReferenceDataNotUsable = 0x6984;
constexpr uint16_t kConditionsNotSatisfied = 0x6985;
constexpr uint16_t kCommandNotAllowedNoEf = 0x6986;
constexpr uint16_t kSmDataObjectsMissing = 0x6987;
constexpr uint16_t kSmDataObjectsIncorrect = 0x6988;
constexpr uint16_t kWrongData = 0x6A80;
constexpr uint16_t kFunctionNotSupported = 0x6A81;
constexpr uint16_t kFileNotFound = 0x6A82;
constexpr uint16_t kRecordNotFound = 0x6A83;
constexpr uint16_t kNotEnoughMemory = 0x6A84;
constexpr uint16_t kIncorrectP1P2 = 0x6A86;
// TS 102 221 10.2.1.5: AUTHENTICATE refused (wrong MAC in AUTN; unsupported context).
constexpr uint16_t kAuthenticationMacFailure = 0x9862;
constexpr uint16_t kSecurityContextNotSupported = 0x9864;
constexpr uint16_t kReferencedDataNotFound = 0x6A88;
constexpr uint16_t kWrongP1P2 = 0x6B00;
constexpr uint16_t kInsNotSupported = 0x6D00;
constexpr uint16_t kClaNotSupported = 0x6E00;
constexpr uint16_t kNoPreciseDiagnosis = 0x6F00;
}  // namespace sw

// "6982 security status not satisfied" — four hex digits, a space, the meaning.
std::string describe_sw(uint16_t sw);
// Just the meaning ("security status not satisfied"); covers ranges such as 61xx, 63Cx, 6Cxx.
std::string sw_meaning(uint16_t sw);
// True for 9000 and the ISO "normal processing" 61xx.
bool sw_is_success(uint16_t sw);

}  // namespace simkit

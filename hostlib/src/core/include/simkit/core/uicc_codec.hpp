// Encodings of UICC/USIM file contents shared by the card and the host: ICCID (EF.ICCID, ETSI TS
// 102 221 13.2: BCD, nibbles swapped, F-padded to 10 bytes), IMSI (EF.IMSI, 3GPP TS 31.102 4.2.2:
// length byte, parity nibble, BCD digits nibble-swapped, F-padded to 9 bytes) and the Luhn check
// digit (ISO/IEC 7812-1) that ends an ICCID.
#pragma once

#include <string>
#include <string_view>

#include "simkit/bytes.hpp"

namespace simkit::uicc {

// The Luhn check digit ('0'..'9') to append to `digits` (1 or more decimal digits; ArgumentError
// otherwise).
char luhn_check_digit(std::string_view digits);
// True when the last digit of `digits` (2 or more decimal digits) is the Luhn check digit of the others.
bool luhn_valid(std::string_view digits) noexcept;

// ICCID digits (1..20 decimal digits) -> the 10 bytes of EF.ICCID: digit pairs with the first digit in
// the low nibble, unused nibbles F ("8988211..." -> 98 88 12 ...). ArgumentError on bad input.
bytes encode_iccid(std::string_view digits);
// EF.ICCID bytes -> digits, stopping at the first F nibble. FormatError on a non-decimal nibble
// before it, or an empty result.
std::string decode_iccid(const bytes& ef);

inline constexpr std::size_t kImsiEfSize = 9;
// IMSI digits (6..15 decimal digits) -> the 9 bytes of EF.IMSI: byte 1 the number of bytes that
// follow in use ((digits + 2) / 2), then the parity nibble (9 odd / 1 even number of digits) and the
// digits, each byte low nibble first, F-padded. ArgumentError on bad input.
bytes encode_imsi(std::string_view digits);
// EF.IMSI bytes -> digits. FormatError when the length byte, the parity nibble or a digit is wrong.
std::string decode_imsi(const bytes& ef);

}  // namespace simkit::uicc

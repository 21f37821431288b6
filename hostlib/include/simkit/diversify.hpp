// Card key diversification: a card's static ENC/MAC/DEK keys from an issuer master key and the card's
// key diversification data (KDD, the first 10 bytes of its INITIALIZE UPDATE response).
//   EMV CPS 1.1 and VISA2: 2-key 3DES masters (16 bytes), 3DES-ECB over KDD bytes laid out per scheme.
//   KDF3: AES masters (16/24/32 bytes), GlobalPlatformPro's layout of the NIST SP 800-108 counter KDF
//   with AES-CMAC: CMAC(master, i || 00 00 00 0k 00 || KDD), k = 1 ENC, 2 MAC, 3 DEK. This is not
//   Amendment D's session-key KDF (different fixed input); see specs/isd.md.
#pragma once

#include <string>

#include "simkit/scp.hpp"

namespace simkit {

enum class DiversificationScheme { Emv, Visa2, Kdf3 };

// "emv", "visa2", "kdf3" (case-insensitive); ArgumentError otherwise.
DiversificationScheme parse_diversification_scheme(const std::string& name);
std::string to_string(DiversificationScheme scheme);

// The card's static keys. ArgumentError (naming the argument and the lengths allowed) for a KDD
// that is not 10 bytes or a master of the wrong length for the scheme.
scp::StaticKeys diversify_keys(DiversificationScheme scheme, const secure_bytes& master, const bytes& kdd);

// KCV of a static key as its protocol computes it: 3DES for EMV/VISA2 keys, AES for KDF3 keys.
bytes key_check_value(DiversificationScheme scheme, const secure_bytes& key);

}  // namespace simkit

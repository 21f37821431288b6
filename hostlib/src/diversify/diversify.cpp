// Card key diversification (see diversify.hpp): the EMV CPS 1.1 and VISA2 3DES layouts and the KDF3
// AES-CMAC counter KDF, laid out as GlobalPlatformPro's PlaintextKeys does. Host only: a card never
// diversifies, it holds its own keys.
#include "simkit/diversify.hpp"

#include <algorithm>
#include <cctype>

#include "simkit/crypto.hpp"
#include "simkit/errors.hpp"
#include "simkit/scp03.hpp"

namespace simkit {

namespace {

constexpr std::size_t kKddLength = 10;

// Key purpose values of the derivation data: 1 ENC, 2 MAC, 3 DEK.
enum class KeyPurpose : uint8_t { Enc = 1, Mac = 2, Dek = 3 };

// The 16 bytes 3DES-encrypted under the master: six KDD bytes chosen by the scheme, F0 k, the same
// six bytes again, 0F k.
bytes des3_derivation_data(DiversificationScheme scheme, const bytes& kdd, KeyPurpose purpose) {
    bytes six;
    if (scheme == DiversificationScheme::Emv) {
        six.assign(kdd.begin() + 4, kdd.begin() + 10);  // EMV CPS 1.1: KDD bytes 4..9
    } else {
        six.assign(kdd.begin(), kdd.begin() + 2);       // VISA2: KDD bytes 0..1 and 4..7
        six.insert(six.end(), kdd.begin() + 4, kdd.begin() + 8);
    }
    const auto k = static_cast<uint8_t>(purpose);
    bytes data = six;
    data.push_back(0xF0);
    data.push_back(k);
    data.insert(data.end(), six.begin(), six.end());
    data.push_back(0x0F);
    data.push_back(k);
    return data;
}

secure_bytes diversify_one(DiversificationScheme scheme, const secure_bytes& master, const bytes& kdd,
                           KeyPurpose purpose) {
    if (scheme == DiversificationScheme::Kdf3) {
        // CMAC(master, i || 00 00 00 k 00 || KDD): empty prefix, counter first.
        bytes suffix{0x00, 0x00, 0x00, static_cast<uint8_t>(purpose), 0x00};
        suffix.insert(suffix.end(), kdd.begin(), kdd.end());
        return scp03::kdf_counter_cmac(master, {}, suffix, master.size());
    }
    return crypto::des3_ecb(crypto::Direction::Encrypt, master, to_secure(des3_derivation_data(scheme, kdd, purpose)));
}

void check_arguments(DiversificationScheme scheme, const secure_bytes& master, const bytes& kdd) {
    if (kdd.size() != kKddLength) {
        throw ArgumentError("KDD (key diversification data) must be 10 bytes, not " + std::to_string(kdd.size()));
    }
    const std::size_t n = master.size();
    if (scheme == DiversificationScheme::Kdf3) {
        if (n != 16 && n != 24 && n != 32) {
            throw ArgumentError("kdf3 master key must be 16, 24 or 32 bytes (AES), not " + std::to_string(n));
        }
    } else if (n != 16) {
        throw ArgumentError(to_string(scheme) + " master key must be 16 bytes (2-key 3DES), not " + std::to_string(n));
    }
}

}  // namespace

DiversificationScheme parse_diversification_scheme(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "emv") return DiversificationScheme::Emv;
    if (lower == "visa2") return DiversificationScheme::Visa2;
    if (lower == "kdf3") return DiversificationScheme::Kdf3;
    throw ArgumentError("diversification scheme must be emv, visa2 or kdf3, not '" + name + "'");
}

std::string to_string(DiversificationScheme scheme) {
    switch (scheme) {
        case DiversificationScheme::Emv: return "emv";
        case DiversificationScheme::Visa2: return "visa2";
        case DiversificationScheme::Kdf3: return "kdf3";
    }
    return "unknown";
}

scp::StaticKeys diversify_keys(DiversificationScheme scheme, const secure_bytes& master, const bytes& kdd) {
    check_arguments(scheme, master, kdd);
    return scp::StaticKeys{diversify_one(scheme, master, kdd, KeyPurpose::Enc),
                           diversify_one(scheme, master, kdd, KeyPurpose::Mac),
                           diversify_one(scheme, master, kdd, KeyPurpose::Dek)};
}

bytes key_check_value(DiversificationScheme scheme, const secure_bytes& key) {
    return scheme == DiversificationScheme::Kdf3 ? scp::kcv_aes(key) : scp::kcv_des3(key);
}

}  // namespace simkit

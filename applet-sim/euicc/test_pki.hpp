// The eUICC's identity for SGP.22 signatures, TEST-ONLY: a P-256 key pair and the certificate chain
// test CI -> EUM -> eUICC, all made with OpenSSL when the card's eUICC records are first written
// (the CI and EUM private keys are thrown away at once). Nothing here is trusted by any real SM-DP+;
// a real eUICC gets its chain from its manufacturer. specs/euicc.md "Card side".
#pragma once

#include <string>

#include "simkit/bytes.hpp"
#include "storage/persistent_state.hpp"

namespace simkit::sim::euicc {

inline constexpr const char* kCiCertificateRecord = "euicc/pki/ci_certificate";       // DER
inline constexpr const char* kEumCertificateRecord = "euicc/pki/eum_certificate";     // DER
inline constexpr const char* kEuiccCertificateRecord = "euicc/pki/euicc_certificate"; // DER
inline constexpr const char* kEuiccKeyRecord = "euicc/pki/euicc_key";                 // 32-byte private scalar
inline constexpr const char* kCiPkidRecord = "euicc/pki/ci_pkid";                     // the CI's subject key identifier

struct TestPki {
    bytes ci_certificate, eum_certificate, euicc_certificate;
    secure_bytes euicc_key;
    bytes ci_pkid;  // 20 bytes
};

// A fresh chain; the eUICC certificate's subject carries the EID as serialNumber (SGP.22 4.5.2.1.0.2).
TestPki make_test_pki(const std::string& eid_digits);
// Writes the PKI records if the state lacks them (the EID must be there).
void add_missing_pki(PersistentState& state);

}  // namespace simkit::sim::euicc

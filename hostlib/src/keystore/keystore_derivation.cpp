// simkit::KeyStore key derivation on the card: COMPUTE HKDF (4A; extract and expand, or extract
// alone) and COMPUTE PRF (48; TLS 1.2 PRF with SHA-256). Requests that carry a secret (D1) and the
// derived bytes are wiped from every buffer this file fills (specs/keystore.md).
#include "simkit/keystore_client.hpp"
#include "simkit/tlv.hpp"

namespace simkit {

namespace {
constexpr uint8_t kInsComputePrf = 0x48;
constexpr uint8_t kInsComputeHkdf = 0x4A;
constexpr std::size_t kPrkSize = 32;

void append(bytes& out, const bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// 86 01 slot: a secret stored on the card.
bytes stored_secret(uint8_t slot) { return encode_tlv(0x86, bytes{slot}); }

// D1 L secret: a secret sent with the command (the buffer is wiped by derive()).
bytes given_secret(const secure_bytes& secret, const char* what) {
    if (secret.empty()) throw ArgumentError(std::string(what) + " is empty");
    bytes value(secret.begin(), secret.end());
    bytes tlv = encode_tlv(0xD1, value);
    secure_wipe(value.data(), value.size());
    return tlv;
}

void check_length(const char* name, std::size_t length) {
    if (length == 0 || length > 255) {
        throw ArgumentError(std::string(name) + ": length is " + std::to_string(length) + ", the card gives 1..255 bytes");
    }
}

bytes hkdf_tail(const bytes& salt, const bytes& info, std::size_t length) {
    bytes tail;
    if (!salt.empty()) append(tail, encode_tlv(0xD5, salt));
    append(tail, encode_tlv(0xD2, info));
    append(tail, encode_tlv(0xD3, bytes{static_cast<uint8_t>(length)}));
    return tail;
}

bytes prf_tail(const bytes& label_and_seed, std::size_t length) {
    if (label_and_seed.empty()) throw ArgumentError("prf: label_and_seed is empty");
    bytes tail = encode_tlv(0xD2, label_and_seed);
    append(tail, encode_tlv(0xD3, bytes{static_cast<uint8_t>(length)}));
    return tail;
}
}  // namespace

secure_bytes KeyStore::derive(const char* name, uint8_t ins, bytes request, std::size_t expected) {
    ResponseApdu response;
    try {
        response = transmit(ins, 0x00, 0x00, request, 256);
    } catch (...) {
        secure_wipe(request.data(), request.size());
        throw;
    }
    secure_wipe(request.data(), request.size());
    secure_bytes out(response.data().begin(), response.data().end());
    secure_wipe(response.data().data(), response.data().size());
    if (!response.is_ok()) throw SwError(response.sw(), name);
    if (out.size() != expected) {
        throw FormatError(std::string(name) + ": asked for " + std::to_string(expected) + " bytes, the card gave " +
                          std::to_string(out.size()));
    }
    return out;
}

secure_bytes KeyStore::hkdf(uint8_t secret_slot, const bytes& salt, const bytes& info, std::size_t length) {
    check_length("hkdf", length);
    bytes request = stored_secret(secret_slot);
    append(request, hkdf_tail(salt, info, length));
    return derive("COMPUTE HKDF", kInsComputeHkdf, std::move(request), length);
}

secure_bytes KeyStore::hkdf(const secure_bytes& input_key, const bytes& salt, const bytes& info, std::size_t length) {
    check_length("hkdf", length);
    const bytes tail = hkdf_tail(salt, info, length);  // argument errors before the secret is copied
    bytes request = given_secret(input_key, "hkdf: input_key");
    append(request, tail);
    return derive("COMPUTE HKDF", kInsComputeHkdf, std::move(request), length);
}

secure_bytes KeyStore::hkdf_extract(const secure_bytes& input_key, const bytes& salt) {
    bytes request = given_secret(input_key, "hkdf_extract: input_key");
    if (!salt.empty()) append(request, encode_tlv(0xD5, salt));
    append(request, encode_tlv(0x91, bytes{0x00, 0x01}));  // SHA-256
    return derive("COMPUTE HKDF (extract)", kInsComputeHkdf, std::move(request), kPrkSize);
}

secure_bytes KeyStore::prf(uint8_t secret_slot, const bytes& label_and_seed, std::size_t length) {
    check_length("prf", length);
    bytes request = stored_secret(secret_slot);
    append(request, prf_tail(label_and_seed, length));
    return derive("COMPUTE PRF", kInsComputePrf, std::move(request), length);
}

secure_bytes KeyStore::prf(const secure_bytes& secret, const bytes& label_and_seed, std::size_t length) {
    check_length("prf", length);
    const bytes tail = prf_tail(label_and_seed, length);  // argument errors before the secret is copied
    bytes request = given_secret(secret, "prf: secret");
    append(request, tail);
    return derive("COMPUTE PRF", kInsComputePrf, std::move(request), length);
}

}  // namespace simkit

// Elliptic-curve primitives over OpenSSL 3 EVP, shared by the card (the key store signs and agrees
// on the card) and the host (checks, format conversions): NIST P-256 key pairs, ECDSA with SHA-256
// (raw r||s on the card's wire, minimal DER for OpenSSL), ECDH (the x coordinate), public keys as
// uncompressed points, SubjectPublicKeyInfo DER and PEM. Key derivation is in kdf.hpp, AES-GCM in
// aes_gcm.hpp. Every OpenSSL result is checked (CryptoError); bad input raises ArgumentError or
// FormatError naming what is wrong.
// Code: ec_keys.cpp (keys, ECDSA, ECDH), ec_encoding.cpp (signature and public-key encodings).
#pragma once

#include <memory>
#include <string>

#include "simkit/bytes.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace simkit::crypto {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The property query for every software EC key and ECDSA/ECDH fetch of simkit's own code (card and
// host): never simkit's OpenSSL provider (provider/), whose EC keys live on cards and which takes no
// private key. In a process that loads it before OpenSSL's default provider (`openssl -provider
// simkit -provider default` with a sim: card inside that process) a fetch without it would find the
// provider.
inline constexpr const char* kSoftwareKeys = "provider!=simkit";

inline constexpr std::size_t kP256ScalarSize = 32;
inline constexpr std::size_t kP256PointSize = 65;  // 04 || X(32) || Y(32)

// A fresh P-256 key pair: the private scalar (32 bytes, big-endian) and the public point (65 bytes).
struct P256KeyPair {
    secure_bytes private_scalar;
    bytes public_point;
};
P256KeyPair p256_generate();
// The public point of a private scalar (ArgumentError if the scalar is 0 or >= the group order).
bytes p256_public_from_private(const secure_bytes& private_scalar);
// True when `point` is a valid uncompressed point on P-256.
bool p256_point_is_valid(const bytes& point);

// A P-256 private key loaded into OpenSSL once, for repeated signing and ECDH without importing the
// scalar each time (the key store keeps one per slot while the slot is unchanged). Move-only; the
// scalar lives only inside OpenSSL's key, which clears it when freed.
class P256PrivateKey {
public:
    // ArgumentError if the scalar is not 32 bytes in [1, n-1].
    explicit P256PrivateKey(const secure_bytes& private_scalar);
    // ECDSA of a 32-byte SHA-256 digest: raw r||s (64 bytes).
    bytes sign_digest(const bytes& digest) const;
    // The x coordinate of private * peer (32 bytes); ArgumentError for a peer point off the curve.
    secure_bytes ecdh(const bytes& peer_point) const;

private:
    Pkey key_;
};

// ECDSA over SHA-256: of a message, or of a given 32-byte SHA-256 digest. Raw r||s, 64 bytes.
// Signatures are randomized (OpenSSL's k), so two signatures of one message differ.
bytes p256_sign_message(const secure_bytes& private_scalar, const bytes& message);
bytes p256_sign_digest(const secure_bytes& private_scalar, const bytes& digest);
// Verifies a raw r||s signature over a digest with a public point; false for a wrong signature
// (including r or s of 0 or >= n). ArgumentError for a digest that is not 32 bytes, a signature
// that is not 64 bytes, or a point that is not on the curve.
bool p256_verify_digest(const bytes& public_point, const bytes& digest, const bytes& raw_signature);
// ECDH: the shared secret is the x coordinate of private * peer (32 bytes). ArgumentError for a
// peer point that is not on the curve.
secure_bytes p256_ecdh(const secure_bytes& private_scalar, const bytes& peer_point);

// Raw r||s (64 bytes) <-> DER ECDSA-Sig-Value. The DER is minimal (no surplus leading zeros), as
// OpenSSL 3 demands; the parser also takes the non-minimal DER some clients emit.
bytes ecdsa_raw_to_der(const bytes& raw_signature);
bytes ecdsa_der_to_raw(const bytes& der_signature);

// Public keys: P-256 point <-> EVP_PKEY, SubjectPublicKeyInfo DER, PEM ("-----BEGIN PUBLIC KEY-----").
Pkey p256_public_key(const bytes& public_point);
bytes public_key_to_der(const bytes& public_point);
std::string public_key_to_pem(const bytes& public_point);
// Reads a P-256 public key from PEM or DER SubjectPublicKeyInfo; FormatError otherwise.
bytes public_point_from_pem_or_der(const bytes& pem_or_der);

}  // namespace simkit::crypto

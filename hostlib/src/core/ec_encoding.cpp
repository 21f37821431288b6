// ECDSA signature encodings (raw r||s <-> DER) and P-256 public-key encodings (SubjectPublicKeyInfo
// DER and PEM) over OpenSSL 3 (see ec.hpp).
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstring>

#include "openssl_check.hpp"
#include "openssl_types.hpp"
#include "simkit/ec.hpp"

namespace simkit::crypto {

namespace {
using namespace detail;

// A big-endian unsigned integer of at most 32 significant bytes, left-padded into out[0..32).
void pad32(const uint8_t* value, std::size_t length, uint8_t* out, const char* what) {
    while (length > 0 && *value == 0) ++value, --length;
    if (length > 32) throw FormatError(std::string("ECDSA signature: ") + what + " is longer than 32 bytes");
    std::memset(out, 0, 32 - length);
    std::memcpy(out + 32 - length, value, length);
}

// One DER length at data[pos] (short form, or long form with 1-2 bytes); advances pos.
std::size_t der_length(const bytes& der, std::size_t& pos) {
    if (pos >= der.size()) throw FormatError("ECDSA signature DER: length missing");
    const uint8_t first = der[pos++];
    if (first < 0x80) return first;
    const std::size_t count = first & 0x7F;
    if (count == 0 || count > 2) throw FormatError("ECDSA signature DER: unsupported length form");
    if (der.size() - pos < count) throw FormatError("ECDSA signature DER: length truncated");
    std::size_t length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | der[pos++];
    return length;
}

// An INTEGER at der[pos..end) holding a non-negative value; its value bytes go to out[0..32).
void der_integer(const bytes& der, std::size_t& pos, std::size_t end, uint8_t* out, const char* what) {
    if (pos >= end || der[pos] != 0x02) throw FormatError(std::string("ECDSA signature DER: ") + what + " is not an INTEGER");
    ++pos;
    const std::size_t length = der_length(der, pos);
    if (pos > end || length > end - pos) throw FormatError(std::string("ECDSA signature DER: ") + what + " overruns the SEQUENCE");
    if (length == 0) throw FormatError(std::string("ECDSA signature DER: ") + what + " is empty");
    if (der[pos] & 0x80) throw FormatError(std::string("ECDSA signature DER: ") + what + " is negative");
    pad32(der.data() + pos, length, out, what);
    pos += length;
}

void append_der_integer(bytes& out, const uint8_t* value) {
    std::size_t skip = 0;
    while (skip < 31 && value[skip] == 0) ++skip;  // keep at least one byte (zero is 02 01 00)
    const bool pad = (value[skip] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<uint8_t>(32 - skip + (pad ? 1 : 0)));
    if (pad) out.push_back(0x00);
    out.insert(out.end(), value + skip, value + 32);
}

// The 32-byte big-endian value of a BIGNUM parameter of a key.
void get_coordinate(const EVP_PKEY* key, const char* name, uint8_t* out) {
    BIGNUM* raw = nullptr;
    check(EVP_PKEY_get_bn_param(key, name, &raw), "EVP_PKEY_get_bn_param");
    const Bn value(raw);
    check(BN_bn2binpad(value.get(), out, 32) == 32 ? 1 : 0, "BN_bn2binpad");
}

}  // namespace

bytes ecdsa_raw_to_der(const bytes& raw_signature) {
    if (raw_signature.size() != 64) {
        throw ArgumentError("raw ECDSA signature must be 64 bytes (r||s), not " + std::to_string(raw_signature.size()));
    }
    bytes der;
    der.reserve(72);
    der.push_back(0x30);
    der.push_back(0x00);  // the SEQUENCE length, set below: at most 2 * 35 = 70 bytes, short form
    append_der_integer(der, raw_signature.data());
    append_der_integer(der, raw_signature.data() + 32);
    der[1] = static_cast<uint8_t>(der.size() - 2);
    return der;
}

bytes ecdsa_der_to_raw(const bytes& der_signature) {
    const bytes& der = der_signature;
    if (der.empty() || der[0] != 0x30) throw FormatError("ECDSA signature DER: not a SEQUENCE");
    std::size_t pos = 1;
    const std::size_t length = der_length(der, pos);
    if (length != der.size() - pos) throw FormatError("ECDSA signature DER: SEQUENCE length does not match the data");
    bytes raw(64);
    der_integer(der, pos, der.size(), raw.data(), "r");
    der_integer(der, pos, der.size(), raw.data() + 32, "s");
    if (pos != der.size()) throw FormatError("ECDSA signature DER: bytes after s");
    return raw;
}

bytes public_key_to_der(const bytes& public_point) {
    const Pkey key = p256_public_key(public_point);
    const int length = i2d_PUBKEY(key.get(), nullptr);
    if (length <= 0) fail("i2d_PUBKEY");
    bytes der(static_cast<std::size_t>(length));
    uint8_t* p = der.data();
    if (i2d_PUBKEY(key.get(), &p) != length) fail("i2d_PUBKEY");
    return der;
}

std::string public_key_to_pem(const bytes& public_point) {
    const Pkey key = p256_public_key(public_point);
    Bio bio(check_ptr(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PUBKEY(bio.get(), key.get()), "PEM_write_bio_PUBKEY");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) fail("BIO_get_mem_data");
    return std::string(data, static_cast<std::size_t>(length));
}

bytes public_point_from_pem_or_der(const bytes& pem_or_der) {
    static const char kPemStart[] = "-----BEGIN";
    std::size_t start = 0;
    while (start < pem_or_der.size() && std::isspace(pem_or_der[start]) != 0) ++start;
    const bool pem = pem_or_der.size() - start >= sizeof kPemStart - 1 &&
                     std::memcmp(pem_or_der.data() + start, kPemStart, sizeof kPemStart - 1) == 0;
    Pkey key;
    if (pem) {
        Bio bio(check_ptr(BIO_new_mem_buf(pem_or_der.data() + start, int_size(pem_or_der.size() - start, "PEM")),
                          "BIO_new_mem_buf"));
        key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const uint8_t* p = pem_or_der.data();
        key.reset(d2i_PUBKEY(nullptr, &p, int_size(pem_or_der.size(), "DER")));
        if (key && p != pem_or_der.data() + pem_or_der.size()) {
            throw FormatError("public key DER: " + std::to_string(pem_or_der.data() + pem_or_der.size() - p) +
                              " bytes after the SubjectPublicKeyInfo");
        }
    }
    ERR_clear_error();
    if (!key) throw FormatError(std::string("not a SubjectPublicKeyInfo public key in ") + (pem ? "PEM" : "DER"));
    char group[64] = "";
    if (!EVP_PKEY_is_a(key.get(), "EC") || EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr) != 1 ||
        std::strcmp(group, kP256GroupName) != 0) {
        ERR_clear_error();
        throw FormatError(std::string("public key is not a P-256 key (") + EVP_PKEY_get0_type_name(key.get()) +
                          (group[0] != 0 ? std::string(" ") + group : std::string()) + ")");
    }
    // The affine coordinates, whatever point form (compressed or not) the encoding carried.
    bytes point(kP256PointSize);
    point[0] = 0x04;
    get_coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, point.data() + 1);
    get_coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, point.data() + 33);
    return point;
}

}  // namespace simkit::crypto

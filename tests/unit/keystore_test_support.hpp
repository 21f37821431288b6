// Shared by the key store and PIN tests: selecting the IoT SAFE applet, building its commands from
// hex, temporary state files, personalization through SCP03 STORE DATA, and an OpenSSL check of
// signatures that does not go through simkit's own conversions (SPKI and DER built here by hand).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "scp_test_host.hpp"
#include "simulated_card_support.hpp"
#include "vector_file.hpp"

namespace simkit::test {

inline const bytes kKeyStoreAid = from_hex("A0000005590010");

inline void select_keystore(sim::Card& card, uint8_t cla = 0x00) {
    REQUIRE(sw_of(card, select_hex(cla, kKeyStoreAid)) == 0x9000);
}

class TempStateDir {
public:
    TempStateDir() {
        char pattern[] = "/tmp/simkit-keystore-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        path = pattern;
    }
    ~TempStateDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name = "card.state") const { return path + "/" + name; }
    std::string path;
};

inline bytes read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// a || b
inline bytes cat(bytes a, const bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

inline bool contains(const bytes& haystack, const bytes& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// Opens an SCP03 session (factory keys, C-MAC + C-DEC + R-MAC + R-ENC) to the key store on the
// basic channel and sends one STORE DATA block per DGI; returns the last status word.
struct Personalizer {
    explicit Personalizer(sim::Card& card, const bytes& aid = kKeyStoreAid) : host(card) {
        REQUIRE(sw_of(card, select_hex(0x00, aid)) == 0x9000);
        REQUIRE(host.authenticate(same_keys(kFactoryKey), 0x33) == 0x9000);
    }
    // The DGI's value padded with 80 00.. and encrypted under the session DEK (P1 bits 60).
    uint16_t store_encrypted(uint16_t dgi, const bytes& value, bool last = false) {
        const bytes encrypted = host.channel->encrypt_sensitive(to_secure(scp::pad80(value, 16)));
        return store(dgi, encrypted, last, 0x60);
    }
    uint16_t store(uint16_t dgi, const bytes& value, bool last = false, uint8_t encryption = 0x00) {
        bytes data;
        append_u16(data, dgi);
        data.push_back(static_cast<uint8_t>(value.size()));
        data.insert(data.end(), value.begin(), value.end());
        const uint8_t p1 = static_cast<uint8_t>((last ? 0x88 : 0x08) | encryption);
        const uint16_t sw = host.send(CommandApdu::case3(0x80, 0xE2, p1, block, data)).sw();
        if (sw == 0x9000) block = last ? 0 : static_cast<uint8_t>(block + 1);
        return sw;
    }
    TestHost host;
    uint8_t block = 0;
};

// A P-256 public point as SubjectPublicKeyInfo, the fixed RFC 5480 prefix written out here.
inline bytes spki_of(const bytes& point) {
    bytes der = from_hex("3059301306072A8648CE3D020106082A8648CE3D030107034200");
    der.insert(der.end(), point.begin(), point.end());
    return der;
}

inline EVP_PKEY* evp_public_key(const bytes& point) {
    const bytes der = spki_of(point);
    const unsigned char* p = der.data();
    EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    REQUIRE(key != nullptr);
    return key;
}

// r||s -> DER ECDSA-Sig-Value, minimal INTEGERs, written out here.
inline bytes der_signature(const bytes& raw) {
    auto integer = [](const uint8_t* v) {
        std::size_t i = 0;
        while (i < 31 && v[i] == 0) ++i;
        bytes out{0x02};
        const bool pad = (v[i] & 0x80) != 0;
        out.push_back(static_cast<uint8_t>(32 - i + (pad ? 1 : 0)));
        if (pad) out.push_back(0x00);
        out.insert(out.end(), v + i, v + 32);
        return out;
    };
    const bytes r = integer(raw.data()), s = integer(raw.data() + 32);
    bytes out{0x30, static_cast<uint8_t>(r.size() + s.size())};
    out.insert(out.end(), r.begin(), r.end());
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

// OpenSSL's own verdict on an ECDSA-SHA256 signature (raw r||s) of `message` by `point`.
inline bool openssl_verifies(const bytes& point, const bytes& message, const bytes& raw_signature) {
    EVP_PKEY* key = evp_public_key(point);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    REQUIRE(md != nullptr);
    REQUIRE(EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1);
    const bytes der = der_signature(raw_signature);
    const int rc = EVP_DigestVerify(md, der.data(), der.size(), message.data(), message.size());
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return rc == 1;
}

}  // namespace simkit::test

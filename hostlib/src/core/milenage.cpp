// MILENAGE f1..f5* (3GPP TS 35.206 section 4.1) and the GSM conversions c2/c3 (TS 33.102 6.8.1.2),
// over one AES-128-ECB EVP context keyed with K (see simkit/milenage.hpp).
#include "simkit/milenage.hpp"

#include <openssl/evp.h>

#include <string>
#include <utility>

#include "openssl_check.hpp"
#include "openssl_types.hpp"
#include "simkit/errors.hpp"

namespace simkit::milenage {

namespace {
using crypto::detail::check;
using crypto::detail::fail;

constexpr std::size_t kBlock = 16;

// One 16-byte working block, wiped when it goes out of scope (TEMP and the OUTn blocks are derived
// from K and OPc).
struct Block {
    uint8_t b[kBlock] = {};
    Block() = default;
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    ~Block() { secure_wipe(b, sizeof b); }
    uint8_t& operator[](std::size_t i) { return b[i]; }
    uint8_t operator[](std::size_t i) const { return b[i]; }
};

template <typename Buffer>
void require_length(const Buffer& value, std::size_t length, const char* name) {
    if (value.size() != length) {
        throw ArgumentError(std::string("MILENAGE ") + name + " must be " + std::to_string(length) + " bytes, not " +
                            std::to_string(value.size()));
    }
}

// AES-128-ECB, fetched from the default library context once per process (an EVP_aes_128_ecb()
// object would be fetched again at every EVP_CipherInit_ex2). A failed fetch stays null and raises
// CryptoError at each use.
const EVP_CIPHER* aes_128_ecb() {
    static const crypto::detail::Cipher cipher(EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr));
    if (!cipher) fail("EVP_CIPHER_fetch(AES-128-ECB)");
    return cipher.get();
}

// A context that encrypts single blocks under `k` (16 bytes, checked by the caller).
crypto::CipherCtx keyed_context(const uint8_t* k) {
    crypto::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) fail("EVP_CIPHER_CTX_new");
    check(EVP_CipherInit_ex2(ctx.get(), aes_128_ecb(), k, nullptr, 1, nullptr), "EVP_CipherInit_ex2");
    check(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "EVP_CIPHER_CTX_set_padding");
    return ctx;
}

// ECB without padding keeps no state between blocks: every EVP_CipherUpdate of one full block
// returns that block's ciphertext, so the keyed context serves any number of calls.
void encrypt_block(EVP_CIPHER_CTX* ctx, const uint8_t in[kBlock], uint8_t out[kBlock]) {
    int n = 0;
    check(EVP_CipherUpdate(ctx, out, &n, in, static_cast<int>(kBlock)), "EVP_CipherUpdate");
    if (n != static_cast<int>(kBlock)) fail("EVP_CipherUpdate (short AES block)");
}

// out = rot(in, r bits) xor c: the cyclic left rotation by r/8 bytes of TS 35.206 (r is a multiple
// of 8, checked by Constants::validate).
void rotate_xor(const Block& in, uint8_t r, const bytes& c, Block& out) {
    const std::size_t shift = r / 8;
    for (std::size_t i = 0; i < kBlock; ++i) out[i] = static_cast<uint8_t>(in[(i + shift) % kBlock] ^ c[i]);
}
}  // namespace

void Constants::validate() const {
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i] % 8 != 0 || r[i] >= 128) {
            throw ArgumentError("MILENAGE r" + std::to_string(i + 1) + " must be a multiple of 8 below 128, not " +
                                std::to_string(r[i]));
        }
    }
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i].size() != kBlock) {
            throw ArgumentError("MILENAGE c" + std::to_string(i + 1) + " must be 16 bytes, not " +
                                std::to_string(c[i].size()));
        }
    }
}

secure_bytes opc_from_op(const secure_bytes& k, const secure_bytes& op) {
    require_length(k, kBlock, "K");
    require_length(op, kBlock, "OP");
    const crypto::CipherCtx ctx = keyed_context(k.data());
    Block encrypted;
    encrypt_block(ctx.get(), op.data(), encrypted.b);
    secure_bytes opc(kBlock);
    for (std::size_t i = 0; i < kBlock; ++i) opc[i] = static_cast<uint8_t>(op[i] ^ encrypted[i]);
    return opc;
}

Milenage::Milenage(const secure_bytes& k, const secure_bytes& opc, Constants constants)
    : opc_(opc), constants_(std::move(constants)) {
    require_length(k, kBlock, "K");
    require_length(opc, kBlock, "OPc");
    constants_.validate();
    k_ = keyed_context(k.data());
}

void Milenage::encrypt(const uint8_t in[16], uint8_t out[16]) const { encrypt_block(k_.get(), in, out); }

MacPair Milenage::f1(const bytes& rand, const bytes& sqn, const bytes& amf) const {
    require_length(rand, kBlock, "RAND");
    require_length(sqn, 6, "SQN");
    require_length(amf, 2, "AMF");
    Block temp, in1, rotated, out1;
    // TEMP = E_K(RAND xor OPc)
    for (std::size_t i = 0; i < kBlock; ++i) in1[i] = static_cast<uint8_t>(rand[i] ^ opc_[i]);
    encrypt(in1.b, temp.b);
    // IN1 = SQN || AMF || SQN || AMF; OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc
    for (std::size_t i = 0; i < 6; ++i) in1[i] = in1[i + 8] = sqn[i];
    in1[6] = in1[14] = amf[0];
    in1[7] = in1[15] = amf[1];
    for (std::size_t i = 0; i < kBlock; ++i) in1[i] = static_cast<uint8_t>(in1[i] ^ opc_[i]);
    rotate_xor(in1, constants_.r[0], constants_.c[0], rotated);
    for (std::size_t i = 0; i < kBlock; ++i) rotated[i] = static_cast<uint8_t>(rotated[i] ^ temp[i]);
    encrypt(rotated.b, out1.b);
    for (std::size_t i = 0; i < kBlock; ++i) out1[i] = static_cast<uint8_t>(out1[i] ^ opc_[i]);
    return MacPair{bytes(out1.b, out1.b + 8), bytes(out1.b + 8, out1.b + 16)};
}

Vectors Milenage::f2345(const bytes& rand) const {
    require_length(rand, kBlock, "RAND");
    Block temp, masked, rotated, out;
    for (std::size_t i = 0; i < kBlock; ++i) masked[i] = static_cast<uint8_t>(rand[i] ^ opc_[i]);
    encrypt(masked.b, temp.b);
    for (std::size_t i = 0; i < kBlock; ++i) masked[i] = static_cast<uint8_t>(temp[i] ^ opc_[i]);
    // OUTn = E_K(rot(TEMP xor OPc, rn) xor cn) xor OPc
    const auto out_n = [&](std::size_t n) {
        rotate_xor(masked, constants_.r[n - 1], constants_.c[n - 1], rotated);
        encrypt(rotated.b, out.b);
        for (std::size_t i = 0; i < kBlock; ++i) out[i] = static_cast<uint8_t>(out[i] ^ opc_[i]);
    };
    Vectors v;
    out_n(2);  // f5 = OUT2[0..47], f2 = OUT2[64..127]
    v.ak.assign(out.b, out.b + 6);
    v.res.assign(out.b + 8, out.b + 16);
    out_n(3);  // f3 = OUT3
    v.ck.assign(out.b, out.b + 16);
    out_n(4);  // f4 = OUT4
    v.ik.assign(out.b, out.b + 16);
    return v;
}

bytes Milenage::f5_star(const bytes& rand) const {
    require_length(rand, kBlock, "RAND");
    Block temp, masked, rotated, out;
    for (std::size_t i = 0; i < kBlock; ++i) masked[i] = static_cast<uint8_t>(rand[i] ^ opc_[i]);
    encrypt(masked.b, temp.b);
    for (std::size_t i = 0; i < kBlock; ++i) masked[i] = static_cast<uint8_t>(temp[i] ^ opc_[i]);
    // f5* = OUT5[0..47], OUT5 = E_K(rot(TEMP xor OPc, r5) xor c5) xor OPc
    rotate_xor(masked, constants_.r[4], constants_.c[4], rotated);
    encrypt(rotated.b, out.b);
    for (std::size_t i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(out[i] ^ opc_[i]);
    return bytes(out.b, out.b + 6);
}

bytes sres_from_res(const bytes& res) {
    if (res.size() < 4 || res.size() > 16) {
        throw ArgumentError("c2: RES must be 4 to 16 bytes, not " + std::to_string(res.size()));
    }
    bytes sres(4, 0);
    for (std::size_t i = 0; i < res.size(); ++i) sres[i % 4] = static_cast<uint8_t>(sres[i % 4] ^ res[i]);
    return sres;
}

secure_bytes kc_from_ck_ik(const secure_bytes& ck, const secure_bytes& ik) {
    require_length(ck, kBlock, "CK");
    require_length(ik, kBlock, "IK");
    secure_bytes kc(8);
    for (std::size_t i = 0; i < 8; ++i) kc[i] = static_cast<uint8_t>(ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8]);
    return kc;
}

}  // namespace simkit::milenage

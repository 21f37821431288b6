// SCP03 secure messaging per APDU at security level 33 (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION):
// host wrap_command, card unwrap_command, card wrap_response, host unwrap_response through
// simkit's Scp03Channel, against a bare baseline doing the same cryptographic work on the same byte
// lengths with OpenSSL EVP directly (per direction: AES-ECB of the counter for the ICV, AES-CBC of
// the padded data, AES-CMAC over the MAC input; 4 of each per APDU). Baselines:
//   Evp       a new EVP_CIPHER_CTX / EVP_MAC_CTX per operation, algorithms fetched once: the
//             honest minimum of a plain implementation (the ratio goal, <= 1.2x, is against it);
//   EvpReuse  contexts keyed once per session and only re-initialised (IV, CMAC restart) per
//             operation: what caching contexts could still win;
//   EvpFetch  like Evp, but with the implicit fetch of EVP_aes_128_*() and an EVP_MAC_fetch per
//             CMAC: the shape of a naive crypto layer, to show what fetching costs.
// Commands: PUT KEY-sized (60 bytes of data) and GET STATUS (4F 00); the answer is 64 bytes + 9000.
// BM_Paired_* alternates blocks of each path in one loop, so machine noise hits all alike, and
// reports median µs per APDU of each and the ratios.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "simkit/scp03.hpp"

namespace {

using simkit::bytes;
using simkit::CommandApdu;
using simkit::ResponseApdu;
namespace scp03 = simkit::scp03;

constexpr uint8_t kLevel = 0x33;
constexpr std::size_t kMacLength = 8;

const simkit::secure_bytes& static_key() {
    static const simkit::secure_bytes key = simkit::secure_from_hex("404142434445464748494A4B4C4D4E4F");
    return key;
}

scp03::SessionKeys session_keys() {
    const simkit::scp::StaticKeys keys{static_key(), static_key(), static_key()};
    return scp03::derive_session_keys(keys, simkit::from_hex("A0A1A2A3A4A5A6A7"), simkit::from_hex("0102030405060708"));
}

bytes pattern(std::size_t n, uint8_t seed) {
    bytes out(n);
    for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<uint8_t>(seed + 7 * k);
    return out;
}

const CommandApdu& put_key_command() {
    static const CommandApdu c = CommandApdu::case4(0x80, 0xD8, 0x00, 0x81, pattern(60, 0x31), 256);
    return c;
}
const CommandApdu& get_status_command() {
    static const CommandApdu c = CommandApdu::case4(0x80, 0xF2, 0x80, 0x02, {0x4F, 0x00}, 256);
    return c;
}
const ResponseApdu& answer() {
    static const ResponseApdu r(pattern(64, 0xE3), 0x9000);
    return r;
}

void check(int ok, const char* call) {
    if (ok != 1) throw std::runtime_error(std::string(call) + " failed");
}

// ---- simkit -------------------------------------------------------------------------------------

struct SimkitPath {
    scp03::Scp03Channel host;
    scp03::Scp03Channel card;
    SimkitPath()
        : host(session_keys(), static_key(), kLevel, kMacLength),
          card(session_keys(), static_key(), kLevel, kMacLength) {}

    // One APDU; returns the wire data of the wrapped command and answer (for the self-check).
    std::pair<bytes, bytes> round(const CommandApdu& plain, const ResponseApdu& reply) {
        const CommandApdu wrapped = host.wrap_command(plain);
        const CommandApdu unwrapped = card.unwrap_command(wrapped);
        const ResponseApdu protected_reply = card.wrap_response(reply);
        const ResponseApdu clear = host.unwrap_response(protected_reply);
        if (unwrapped.data().size() != plain.data().size() || clear.data().size() != reply.data().size()) {
            throw std::runtime_error("simkit round trip lost data");
        }
        return {wrapped.data(), protected_reply.data()};
    }
};

// ---- bare OpenSSL EVP ---------------------------------------------------------------------------

enum class Key { Enc, Mac, Rmac };

struct RawKeys {
    uint8_t enc[16], mac[16], rmac[16];
    RawKeys() {
        const auto keys = session_keys();
        std::memcpy(enc, keys.enc.data(), 16);
        std::memcpy(mac, keys.mac.data(), 16);
        std::memcpy(rmac, keys.rmac.data(), 16);
    }
    const uint8_t* get(Key k) const { return k == Key::Enc ? enc : k == Key::Mac ? mac : rmac; }
};

const OSSL_PARAM* cmac_params() {
    static const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>("AES-128-CBC"), 0),
        OSSL_PARAM_construct_end(),
    };
    return params;
}

// One-shot AES (no padding) in a context made for the call.
void cipher_once(const EVP_CIPHER* cipher, const uint8_t* key, const uint8_t* iv, int enc, const uint8_t* in,
                 std::size_t n, uint8_t* out) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    int n1 = 0, n2 = 0;
    const bool ok = EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, nullptr) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                    EVP_CipherUpdate(ctx, out, &n1, in, static_cast<int>(n)) == 1 &&
                    EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(ctx);
    check(ok ? 1 : 0, "AES");
}

void cmac_once(EVP_MAC* mac, const uint8_t* key, const uint8_t* in, std::size_t n, uint8_t out[16]) {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    if (ctx == nullptr) throw std::runtime_error("EVP_MAC_CTX_new failed");
    std::size_t outl = 0;
    const bool ok = EVP_MAC_init(ctx, key, 16, cmac_params()) == 1 && EVP_MAC_update(ctx, in, n) == 1 &&
                    EVP_MAC_final(ctx, out, &outl, 16) == 1;
    EVP_MAC_CTX_free(ctx);
    check(ok ? 1 : 0, "CMAC");
}

// A context per operation; algorithms fetched once.
class EvpPerOp {
public:
    EvpPerOp()
        : ecb_(EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr)),
          cbc_(EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr)),
          mac_(EVP_MAC_fetch(nullptr, "CMAC", nullptr)) {
        if (ecb_ == nullptr || cbc_ == nullptr || mac_ == nullptr) throw std::runtime_error("fetch failed");
    }
    ~EvpPerOp() {
        EVP_CIPHER_free(ecb_);
        EVP_CIPHER_free(cbc_);
        EVP_MAC_free(mac_);
    }
    EvpPerOp(const EvpPerOp&) = delete;
    EvpPerOp& operator=(const EvpPerOp&) = delete;

    void ecb(const uint8_t in[16], uint8_t out[16]) { cipher_once(ecb_, keys_.enc, nullptr, 1, in, 16, out); }
    void cbc(int enc, const uint8_t iv[16], const uint8_t* in, std::size_t n, uint8_t* out) {
        cipher_once(cbc_, keys_.enc, iv, enc, in, n, out);
    }
    void cmac(Key k, const uint8_t* in, std::size_t n, uint8_t out[16]) { cmac_once(mac_, keys_.get(k), in, n, out); }

private:
    RawKeys keys_;
    EVP_CIPHER* ecb_;
    EVP_CIPHER* cbc_;
    EVP_MAC* mac_;
};

// A context per operation, with the implicit fetch of the EVP_aes_128_*() objects and an
// EVP_MAC_fetch per CMAC.
class EvpFetchPerOp {
public:
    void ecb(const uint8_t in[16], uint8_t out[16]) {
        cipher_once(EVP_aes_128_ecb(), keys_.enc, nullptr, 1, in, 16, out);
    }
    void cbc(int enc, const uint8_t iv[16], const uint8_t* in, std::size_t n, uint8_t* out) {
        cipher_once(EVP_aes_128_cbc(), keys_.enc, iv, enc, in, n, out);
    }
    void cmac(Key k, const uint8_t* in, std::size_t n, uint8_t out[16]) {
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
        if (mac == nullptr) throw std::runtime_error("EVP_MAC_fetch failed");
        try {
            cmac_once(mac, keys_.get(k), in, n, out);
        } catch (...) {
            EVP_MAC_free(mac);
            throw;
        }
        EVP_MAC_free(mac);
    }

private:
    RawKeys keys_;
};

// Contexts keyed once; per operation only a new IV (cipher) or a restart with the same key (CMAC).
class EvpReuse {
public:
    EvpReuse() {
        EVP_CIPHER* ecb = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
        EVP_CIPHER* cbc = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
        if (ecb == nullptr || cbc == nullptr || mac == nullptr) throw std::runtime_error("fetch failed");
        const uint8_t zero[16] = {};
        for (auto [ctx, cipher, iv, enc] : {std::tuple{&ecb_, ecb, static_cast<const uint8_t*>(nullptr), 1},
                                            std::tuple{&cbc_enc_, cbc, zero, 1}, std::tuple{&cbc_dec_, cbc, zero, 0}}) {
            *ctx = EVP_CIPHER_CTX_new();
            if (*ctx == nullptr) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
            check(EVP_CipherInit_ex2(*ctx, cipher, keys_.enc, iv, enc, nullptr), "EVP_CipherInit_ex2");
            check(EVP_CIPHER_CTX_set_padding(*ctx, 0), "EVP_CIPHER_CTX_set_padding");
        }
        for (auto [ctx, key] : {std::pair{&mac_, keys_.mac}, std::pair{&rmac_, keys_.rmac}}) {
            *ctx = EVP_MAC_CTX_new(mac);
            if (*ctx == nullptr) throw std::runtime_error("EVP_MAC_CTX_new failed");
            check(EVP_MAC_init(*ctx, key, 16, cmac_params()), "EVP_MAC_init");
        }
        EVP_CIPHER_free(ecb);
        EVP_CIPHER_free(cbc);
        EVP_MAC_free(mac);
    }
    ~EvpReuse() {
        for (EVP_CIPHER_CTX* ctx : {ecb_, cbc_enc_, cbc_dec_}) EVP_CIPHER_CTX_free(ctx);
        EVP_MAC_CTX_free(mac_);
        EVP_MAC_CTX_free(rmac_);
    }
    EvpReuse(const EvpReuse&) = delete;
    EvpReuse& operator=(const EvpReuse&) = delete;

    void ecb(const uint8_t in[16], uint8_t out[16]) { run(ecb_, nullptr, in, 16, out); }
    void cbc(int enc, const uint8_t iv[16], const uint8_t* in, std::size_t n, uint8_t* out) {
        run(enc != 0 ? cbc_enc_ : cbc_dec_, iv, in, n, out);
    }
    void cmac(Key k, const uint8_t* in, std::size_t n, uint8_t out[16]) {
        EVP_MAC_CTX* ctx = k == Key::Rmac ? rmac_ : mac_;
        std::size_t outl = 0;
        check(EVP_MAC_init(ctx, nullptr, 0, nullptr), "EVP_MAC_init");
        check(EVP_MAC_update(ctx, in, n), "EVP_MAC_update");
        check(EVP_MAC_final(ctx, out, &outl, 16), "EVP_MAC_final");
    }

private:
    static void run(EVP_CIPHER_CTX* ctx, const uint8_t* iv, const uint8_t* in, std::size_t n, uint8_t* out) {
        int n1 = 0, n2 = 0;
        check(EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, -1, nullptr), "EVP_CipherInit_ex2");
        check(EVP_CipherUpdate(ctx, out, &n1, in, static_cast<int>(n)), "EVP_CipherUpdate");
        check(EVP_CipherFinal_ex(ctx, out + n1, &n2), "EVP_CipherFinal_ex");
    }

    RawKeys keys_;
    EVP_CIPHER_CTX* ecb_ = nullptr;
    EVP_CIPHER_CTX* cbc_enc_ = nullptr;
    EVP_CIPHER_CTX* cbc_dec_ = nullptr;
    EVP_MAC_CTX* mac_ = nullptr;
    EVP_MAC_CTX* rmac_ = nullptr;
};

// One side's chaining value and encryption counter.
struct End {
    uint8_t chain[16] = {};
    uint64_t counter = 0;
};

template <class Crypto>
void counter_icv(Crypto& c, uint64_t counter, bool response, uint8_t icv[16]) {
    uint8_t block[16] = {};
    for (int i = 0; i < 8; ++i) block[15 - i] = static_cast<uint8_t>(counter >> (8 * i));
    if (response) block[0] = 0x80;
    c.ecb(block, icv);
}

std::size_t pad80(const uint8_t* in, std::size_t n, uint8_t* out) {
    std::memcpy(out, in, n);
    std::size_t padded = (n / 16 + 1) * 16;
    out[n] = 0x80;
    std::memset(out + n + 1, 0, padded - n - 1);
    return padded;
}

std::size_t unpad80(const uint8_t* in, std::size_t n) {
    while (n > 0 && in[n - 1] == 0x00) --n;
    if (n == 0 || in[n - 1] != 0x80) throw std::runtime_error("bad padding");
    return n - 1;
}

// The same four steps as SimkitPath::round, on buffers; `wire_command` / `wire_answer` (optional)
// receive the protected data fields.
template <class Crypto>
void evp_round(Crypto& c, End& host, End& card, const CommandApdu& plain, const ResponseApdu& reply,
               bytes* wire_command = nullptr, bytes* wire_answer = nullptr) {
    uint8_t icv[16], mac[16], expected[16];
    uint8_t padded[288], body[288], clear[288], mac_input[320], wire[304];
    const bytes& data = plain.data();

    // Host: wrap the command.
    ++host.counter;
    counter_icv(c, host.counter, false, icv);
    const std::size_t plen = pad80(data.data(), data.size(), padded);
    c.cbc(1, icv, padded, plen, body);
    const uint8_t header[5] = {0x84, plain.ins(), plain.p1(), plain.p2(), static_cast<uint8_t>(plen + kMacLength)};
    std::memcpy(mac_input, host.chain, 16);
    std::memcpy(mac_input + 16, header, 5);
    std::memcpy(mac_input + 21, body, plen);
    c.cmac(Key::Mac, mac_input, 21 + plen, mac);
    std::memcpy(host.chain, mac, 16);
    std::memcpy(wire, body, plen);
    std::memcpy(wire + plen, mac, kMacLength);
    if (wire_command != nullptr) wire_command->assign(wire, wire + plen + kMacLength);

    // Card: verify the C-MAC, decrypt.
    std::memcpy(mac_input, card.chain, 16);
    std::memcpy(mac_input + 16, header, 5);
    std::memcpy(mac_input + 21, wire, plen);
    c.cmac(Key::Mac, mac_input, 21 + plen, expected);
    if (CRYPTO_memcmp(expected, wire + plen, kMacLength) != 0) throw std::runtime_error("C-MAC");
    std::memcpy(card.chain, expected, 16);
    ++card.counter;
    counter_icv(c, card.counter, false, icv);
    c.cbc(0, icv, wire, plen, clear);
    if (unpad80(clear, plen) != data.size()) throw std::runtime_error("command data");

    // Card: encrypt and MAC the answer.
    const bytes& answer_data = reply.data();
    counter_icv(c, card.counter, true, icv);
    const std::size_t alen = pad80(answer_data.data(), answer_data.size(), padded);
    c.cbc(1, icv, padded, alen, body);
    std::memcpy(mac_input, card.chain, 16);
    std::memcpy(mac_input + 16, body, alen);
    mac_input[16 + alen] = reply.sw1();
    mac_input[17 + alen] = reply.sw2();
    c.cmac(Key::Rmac, mac_input, 18 + alen, mac);
    std::memcpy(wire, body, alen);
    std::memcpy(wire + alen, mac, kMacLength);
    if (wire_answer != nullptr) wire_answer->assign(wire, wire + alen + kMacLength);

    // Host: verify the R-MAC, decrypt.
    std::memcpy(mac_input, host.chain, 16);
    std::memcpy(mac_input + 16, wire, alen);
    mac_input[16 + alen] = reply.sw1();
    mac_input[17 + alen] = reply.sw2();
    c.cmac(Key::Rmac, mac_input, 18 + alen, expected);
    if (CRYPTO_memcmp(expected, wire + alen, kMacLength) != 0) throw std::runtime_error("R-MAC");
    counter_icv(c, host.counter, true, icv);
    c.cbc(0, icv, wire, alen, clear);
    if (unpad80(clear, alen) != answer_data.size()) throw std::runtime_error("answer data");
}

template <class Crypto>
struct EvpPath {
    Crypto crypto;
    End host, card;
    void round(const CommandApdu& plain, const ResponseApdu& reply) { evp_round(crypto, host, card, plain, reply); }
};

// The baselines must put the same bytes on the wire as simkit, or they measure something else.
template <class Crypto>
bool same_wire_as_simkit() {
    SimkitPath simkit;
    Crypto crypto;
    End host, card;
    for (const CommandApdu* plain : {&put_key_command(), &get_status_command(), &put_key_command()}) {
        const auto [command, reply] = simkit.round(*plain, answer());
        bytes evp_command, evp_reply;
        evp_round(crypto, host, card, *plain, answer(), &evp_command, &evp_reply);
        if (command != evp_command || reply != evp_reply) return false;
    }
    return true;
}

// ---- benchmarks ---------------------------------------------------------------------------------

template <class Path>
void run(benchmark::State& state, const CommandApdu& plain) {
    try {
        Path path;
        for (auto _ : state) path.round(plain, answer());
        state.counters["APDUs/s"] =
            benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

// Blocks of kBlock APDUs on each path in turn; median µs per APDU of each path's blocks.
constexpr int kBlock = 16;

void run_paired(benchmark::State& state, const CommandApdu& plain) {
    using Clock = std::chrono::steady_clock;
    try {
        SimkitPath simkit;
        EvpPath<EvpPerOp> evp;
        EvpPath<EvpReuse> reuse;
        std::vector<double> simkit_us, evp_us, reuse_us;
        const auto block = [&](auto& path, std::vector<double>& out) {
            const auto t0 = Clock::now();
            for (int i = 0; i < kBlock; ++i) path.round(plain, answer());
            out.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kBlock);
        };
        for (auto _ : state) {
            block(evp, evp_us);
            block(reuse, reuse_us);
            block(simkit, simkit_us);
        }
        const double s = median(simkit_us), e = median(evp_us), r = median(reuse_us);
        state.counters["simkit_us"] = s;
        state.counters["evp_us"] = e;
        state.counters["evp_reuse_us"] = r;
        state.counters["ratio"] = e > 0 ? s / e : 0;
        state.counters["ratio_reuse"] = r > 0 ? s / r : 0;
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
    }
}

void BM_Paired_PutKey60(benchmark::State& s) { run_paired(s, put_key_command()); }
void BM_Paired_GetStatus(benchmark::State& s) { run_paired(s, get_status_command()); }
void BM_Simkit_PutKey60(benchmark::State& s) { run<SimkitPath>(s, put_key_command()); }
void BM_Evp_PutKey60(benchmark::State& s) { run<EvpPath<EvpPerOp>>(s, put_key_command()); }
void BM_EvpReuse_PutKey60(benchmark::State& s) { run<EvpPath<EvpReuse>>(s, put_key_command()); }
void BM_EvpFetch_PutKey60(benchmark::State& s) { run<EvpPath<EvpFetchPerOp>>(s, put_key_command()); }
void BM_Simkit_GetStatus(benchmark::State& s) { run<SimkitPath>(s, get_status_command()); }
void BM_Evp_GetStatus(benchmark::State& s) { run<EvpPath<EvpPerOp>>(s, get_status_command()); }
void BM_EvpReuse_GetStatus(benchmark::State& s) { run<EvpPath<EvpReuse>>(s, get_status_command()); }
void BM_EvpFetch_GetStatus(benchmark::State& s) { run<EvpPath<EvpFetchPerOp>>(s, get_status_command()); }

}  // namespace

BENCHMARK(BM_Paired_PutKey60)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Paired_GetStatus)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Simkit_PutKey60)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Evp_PutKey60)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvpReuse_PutKey60)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvpFetch_PutKey60)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Simkit_GetStatus)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Evp_GetStatus)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvpReuse_GetStatus)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvpFetch_GetStatus)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    try {
        if (!same_wire_as_simkit<EvpPerOp>() || !same_wire_as_simkit<EvpReuse>() ||
            !same_wire_as_simkit<EvpFetchPerOp>()) {
            std::fprintf(stderr, "simkit_bench_scp03: a baseline does not produce simkit's bytes\n");
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "simkit_bench_scp03: self-check failed: %s\n", e.what());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

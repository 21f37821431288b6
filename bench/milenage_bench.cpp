// MILENAGE full set per iteration (f1 and f1*, f2..f5, f5*: what an AuC computes for one
// authentication vector plus the resynchronisation key) through simkit's Milenage object, which
// keeps one AES-128-ECB EVP context keyed with K for every block, against a straightforward
// reference in this file that makes a new EVP context (and key schedule) per AES block:
//   Reference       new EVP_CIPHER_CTX per block, AES-128-ECB fetched once;
//   ReferenceFetch  the same with EVP_aes_128_ecb(), which OpenSSL 3 fetches again at every init.
// Both compute the same 8 AES blocks per iteration (TEMP three times, OUT1..OUT5) as simkit's API
// calls f1, f2345 and f5_star do; main() checks that all paths give TS 35.208 test set 1 first.
// After the table it prints the ratios; with --benchmark_repetitions=N they are of the medians.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "ratio_reporter.hpp"
#include "simkit/milenage.hpp"

namespace {

using simkit::bytes;
namespace milenage = simkit::milenage;

// TS 35.208 test set 1.
const bytes& k() {
    static const bytes v = simkit::from_hex("465b5ce8b199b49faa5f0a2ee238a6bc");
    return v;
}
const bytes& opc() {
    static const bytes v = simkit::from_hex("cd63cb71954a9f4e48a5994e37a02baf");
    return v;
}
const bytes& rand_() {
    static const bytes v = simkit::from_hex("23553cbe9637a89d218ae64dae47bf35");
    return v;
}
const bytes& sqn() {
    static const bytes v = simkit::from_hex("ff9bb4d0b607");
    return v;
}
const bytes& amf() {
    static const bytes v = simkit::from_hex("b9b9");
    return v;
}

// Everything one iteration produces, concatenated, for the self-check.
struct FullSet {
    uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
    bytes joined() const {
        bytes out;
        for (const auto& [p, n] : {std::pair{mac_a, 8}, std::pair{mac_s, 8}, std::pair{res, 8}, std::pair{ck, 16},
                                   std::pair{ik, 16}, std::pair{ak, 6}, std::pair{ak_star, 6}}) {
            out.insert(out.end(), p, p + n);
        }
        return out;
    }
};

// ---- simkit ----------------------------------------------------------------------------------

FullSet simkit_full_set(const milenage::Milenage& m) {
    FullSet out{};
    const milenage::MacPair macs = m.f1(rand_(), sqn(), amf());
    const milenage::Vectors v = m.f2345(rand_());
    const bytes ak_star = m.f5_star(rand_());
    std::memcpy(out.mac_a, macs.mac_a.data(), 8);
    std::memcpy(out.mac_s, macs.mac_s.data(), 8);
    std::memcpy(out.res, v.res.data(), 8);
    std::memcpy(out.ck, v.ck.data(), 16);
    std::memcpy(out.ik, v.ik.data(), 16);
    std::memcpy(out.ak, v.ak.data(), 6);
    std::memcpy(out.ak_star, ak_star.data(), 6);
    return out;
}

// ---- reference: a new EVP context per AES block ---------------------------------------------

void aes_once(const EVP_CIPHER* cipher, const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    int n1 = 0, n2 = 0;
    const bool ok = EVP_CipherInit_ex2(ctx, cipher, key, nullptr, 1, nullptr) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_CipherUpdate(ctx, out, &n1, in, 16) == 1 &&
                    EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok || n1 + n2 != 16) throw std::runtime_error("AES failed");
}

// TS 35.206 with the default constants, written out plainly.
template <typename CipherSource>
FullSet reference_full_set(CipherSource cipher_source) {
    const uint8_t* key = k().data();
    const uint8_t* op_c = opc().data();
    const auto E = [&](const uint8_t in[16], uint8_t out[16]) { aes_once(cipher_source(), key, in, out); };
    const auto temp_of = [&](uint8_t temp[16]) {
        uint8_t x[16];
        for (int i = 0; i < 16; ++i) x[i] = rand_()[i] ^ op_c[i];
        E(x, temp);
    };
    // OUT = E_K(rot(x xor OPc, r) xor c) xor OPc, with c = ..0c_last and rotation r bytes; `extra`
    // is xored in before encryption (TEMP for OUT1).
    const auto out_of = [&](const uint8_t x[16], int r_bytes, uint8_t c_last, const uint8_t* extra, uint8_t out[16]) {
        uint8_t in[16];
        for (int i = 0; i < 16; ++i) in[i] = x[(i + r_bytes) % 16] ^ op_c[(i + r_bytes) % 16];
        in[15] ^= c_last;
        if (extra != nullptr) {
            for (int i = 0; i < 16; ++i) in[i] ^= extra[i];
        }
        E(in, out);
        for (int i = 0; i < 16; ++i) out[i] ^= op_c[i];
    };
    FullSet s{};
    uint8_t temp[16], out[16], in1[16];
    // f1, f1*
    temp_of(temp);
    for (int i = 0; i < 6; ++i) in1[i] = in1[i + 8] = sqn()[i];
    in1[6] = in1[14] = amf()[0];
    in1[7] = in1[15] = amf()[1];
    out_of(in1, 8, 0x00, temp, out);  // r1 = 64 bits
    std::memcpy(s.mac_a, out, 8);
    std::memcpy(s.mac_s, out + 8, 8);
    // f2..f5
    temp_of(temp);
    out_of(temp, 0, 0x01, nullptr, out);   // r2 = 0
    std::memcpy(s.ak, out, 6);
    std::memcpy(s.res, out + 8, 8);
    out_of(temp, 4, 0x02, nullptr, out);   // r3 = 32 bits
    std::memcpy(s.ck, out, 16);
    out_of(temp, 8, 0x04, nullptr, out);   // r4 = 64 bits
    std::memcpy(s.ik, out, 16);
    // f5*
    temp_of(temp);
    out_of(temp, 12, 0x08, nullptr, out);  // r5 = 96 bits
    std::memcpy(s.ak_star, out, 6);
    return s;
}

const EVP_CIPHER* fetched_aes() {
    static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
    if (cipher == nullptr) throw std::runtime_error("EVP_CIPHER_fetch failed");
    return cipher;
}
FullSet reference() { return reference_full_set(fetched_aes); }
FullSet reference_fetch() { return reference_full_set(EVP_aes_128_ecb); }

// ---- benchmarks ------------------------------------------------------------------------------

void count(benchmark::State& state) {
    state.counters["sets/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Simkit_FullSet(benchmark::State& state) {
    const milenage::Milenage m(simkit::to_secure(k()), simkit::to_secure(opc()));
    for (auto _ : state) benchmark::DoNotOptimize(simkit_full_set(m));
    count(state);
}

void BM_SimkitNewObject_FullSet(benchmark::State& state) {
    // A Milenage object per set (as a stateless AuC call would make one): the key schedule per set.
    for (auto _ : state) {
        const milenage::Milenage m(simkit::to_secure(k()), simkit::to_secure(opc()));
        benchmark::DoNotOptimize(simkit_full_set(m));
    }
    count(state);
}

void BM_Reference_FullSet(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(reference());
    count(state);
}

void BM_ReferenceFetch_FullSet(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(reference_fetch());
    count(state);
}


}  // namespace

BENCHMARK(BM_Simkit_FullSet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SimkitNewObject_FullSet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Reference_FullSet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReferenceFetch_FullSet)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    try {
        // All paths must give the published answers of test set 1, or they measure something else.
        const bytes expected = simkit::from_hex(
            "4a9ffac354dfafb3" "01cfaf9ec4e871e9" "a54211d5e3ba50bf" "b40ba9a3c58b2a05bbf0d987b21bf8cb"
            "f769bcd751044604127672711c6d3441" "aa689c648370" "451e8beca43b");
        const milenage::Milenage m(simkit::to_secure(k()), simkit::to_secure(opc()));
        if (simkit_full_set(m).joined() != expected || reference().joined() != expected ||
            reference_fetch().joined() != expected) {
            std::fprintf(stderr, "simkit_bench_milenage: a path does not give TS 35.208 test set 1\n");
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "simkit_bench_milenage: self-check failed: %s\n", e.what());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    simkit::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios("full MILENAGE set (ratio < 1: simkit faster)", "us/set",
                          {{"BM_Simkit_FullSet", "BM_Reference_FullSet"},
                           {"BM_Simkit_FullSet", "BM_ReferenceFetch_FullSet"},
                           {"BM_SimkitNewObject_FullSet", "BM_Reference_FullSet"}});
    benchmark::Shutdown();
    return 0;
}

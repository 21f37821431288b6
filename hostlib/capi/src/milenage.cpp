// simkit_milenage: MILENAGE (3GPP TS 35.206, simkit::milenage) on the host, no card involved.
#include <algorithm>
#include <cstring>

#include "capi_state.hpp"
#include "simkit/milenage.hpp"

namespace {

template <typename Bytes, std::size_t N>
void put(uint8_t (&field)[N], const Bytes& value) {
    if (value.size() != N) throw simkit::capi::Failure{SIMKIT_E_INTERNAL, "MILENAGE output of an unexpected length"};
    std::memcpy(field, value.data(), N);
}

}  // namespace

extern "C" int simkit_milenage(const uint8_t* k, const uint8_t* op, simkit_op_kind op_kind, const uint8_t* rand,
                               const uint8_t* sqn, const uint8_t* amf, simkit_milenage_output* out) {
    using simkit::bytes;
    using simkit::secure_bytes;
    return simkit::capi::run_guarded(nullptr, [&] {
        simkit::capi::require(k, "k");
        simkit::capi::require(op, "op");
        simkit::capi::require(rand, "rand");
        simkit::capi::require(sqn, "sqn");
        simkit::capi::require(amf, "amf");
        simkit::capi::require(out, "out");
        const int kind = simkit::capi::enum_value(op_kind);
        if (kind != SIMKIT_OP && kind != SIMKIT_OPC) {
            throw simkit::capi::Failure{SIMKIT_E_INVALID_ARGUMENT, "op_kind must be SIMKIT_OP or SIMKIT_OPC"};
        }
        const secure_bytes key(k, k + SIMKIT_MILENAGE_K_LEN);
        const secure_bytes given(op, op + 16);
        const secure_bytes opc = kind == SIMKIT_OP ? simkit::milenage::opc_from_op(key, given) : given;
        const bytes r(rand, rand + SIMKIT_MILENAGE_RAND_LEN);
        const simkit::milenage::Milenage m(key, opc);
        const simkit::milenage::MacPair macs = m.f1(r, bytes(sqn, sqn + SIMKIT_MILENAGE_SQN_LEN),
                                                    bytes(amf, amf + SIMKIT_MILENAGE_AMF_LEN));
        const simkit::milenage::Vectors v = m.f2345(r);
        put(out->opc, opc);
        put(out->mac_a, macs.mac_a);
        put(out->mac_s, macs.mac_s);
        put(out->res, v.res);
        put(out->ck, v.ck);
        put(out->ik, v.ik);
        put(out->ak, v.ak);
        put(out->ak_star, m.f5_star(r));
        put(out->sres, simkit::milenage::sres_from_res(v.res));
        put(out->kc, simkit::milenage::kc_from_ck_ik(v.ck, v.ik));
        return SIMKIT_OK;
    });
}

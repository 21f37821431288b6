// Host-side computations without a card: key diversification (simkit.derive), MILENAGE
// (simkit.milenage), AUTN and AUTS (simkit.autn, simkit.sqn_from_auts). The GIL is released while
// they run.
#include "common.hpp"
#include "simkit/aka.hpp"
#include "simkit/diversify.hpp"
#include "simkit/milenage.hpp"

namespace simkit::python {

namespace {

secure_bytes opc_arg(const secure_bytes& k, const py::object& opc, const py::object& op) {
    if (opc.is_none() == op.is_none()) throw ArgumentError("give exactly one of opc= and op=");
    if (!opc.is_none()) return arg_secret(opc, "opc", 16);
    const secure_bytes op_value = arg_secret(op, "op", 16);
    py::gil_scoped_release release;
    return milenage::opc_from_op(k, op_value);
}

py::dict derive(const std::string& scheme_name, const py::object& master_arg, const py::object& kdd_arg) {
    const DiversificationScheme scheme = parse_diversification_scheme(scheme_name);
    const secure_bytes master = arg_secret(master_arg, "master");
    const bytes kdd = arg_bytes(kdd_arg, "kdd");
    scp::StaticKeys keys;
    bytes kcv[3];
    {
        py::gil_scoped_release release;
        keys = diversify_keys(scheme, master, kdd);
        kcv[0] = key_check_value(scheme, keys.enc);
        kcv[1] = key_check_value(scheme, keys.mac);
        kcv[2] = key_check_value(scheme, keys.dek);
    }
    py::dict out;
    out["scheme"] = to_string(scheme);
    out["enc"] = to_py(keys.enc);
    out["mac"] = to_py(keys.mac);
    out["dek"] = to_py(keys.dek);
    out["kcv_enc"] = to_py(kcv[0]);
    out["kcv_mac"] = to_py(kcv[1]);
    out["kcv_dek"] = to_py(kcv[2]);
    return out;
}

py::dict milenage_values(const py::object& k_arg, const py::object& rand_arg, const py::object& sqn_arg,
                         const py::object& amf_arg, const py::object& opc_arg_, const py::object& op_arg) {
    const secure_bytes k = arg_secret(k_arg, "k", 16);
    const secure_bytes opc = opc_arg(k, opc_arg_, op_arg);
    const bytes rand = arg_bytes(rand_arg, "rand", 16);
    const bytes sqn = arg_bytes(sqn_arg, "sqn", 6);
    const bytes amf = arg_bytes(amf_arg, "amf", 2);
    milenage::MacPair macs;
    milenage::Vectors v;
    bytes ak_star, sres;
    secure_bytes kc;
    {
        py::gil_scoped_release release;
        const milenage::Milenage m(k, opc);
        macs = m.f1(rand, sqn, amf);
        v = m.f2345(rand);
        ak_star = m.f5_star(rand);
        sres = milenage::sres_from_res(v.res);
        kc = milenage::kc_from_ck_ik(v.ck, v.ik);
    }
    py::dict out;
    out["opc"] = to_py(opc);
    out["mac_a"] = to_py(macs.mac_a);
    out["mac_s"] = to_py(macs.mac_s);
    out["res"] = to_py(v.res);
    out["ck"] = to_py(v.ck);
    out["ik"] = to_py(v.ik);
    out["ak"] = to_py(v.ak);
    out["ak_star"] = to_py(ak_star);
    out["sres"] = to_py(sres);
    out["kc"] = to_py(kc);
    return out;
}

py::bytes autn(const py::object& k_arg, const py::object& rand_arg, const py::object& sqn_arg, const py::object& amf_arg,
               const py::object& opc_a, const py::object& op_a) {
    const secure_bytes k = arg_secret(k_arg, "k", 16);
    const secure_bytes opc = opc_arg(k, opc_a, op_a);
    const bytes rand = arg_bytes(rand_arg, "rand", 16);
    const bytes sqn = arg_bytes(sqn_arg, "sqn", 6);
    const bytes amf = arg_bytes(amf_arg, "amf", 2);
    bytes out;
    {
        py::gil_scoped_release release;
        out = aka::build_autn(milenage::Milenage(k, opc), rand, sqn, amf);
    }
    return to_py(out);
}

py::object sqn_from_auts(const py::object& k_arg, const py::object& rand_arg, const py::object& auts_arg,
                         const py::object& opc_a, const py::object& op_a) {
    const secure_bytes k = arg_secret(k_arg, "k", 16);
    const secure_bytes opc = opc_arg(k, opc_a, op_a);
    const bytes rand = arg_bytes(rand_arg, "rand", 16);
    const bytes auts = arg_bytes(auts_arg, "auts", 14);
    std::optional<bytes> sqn;
    {
        py::gil_scoped_release release;
        sqn = aka::sqn_ms_from_auts(milenage::Milenage(k, opc), rand, auts);
    }
    if (!sqn) return py::none();
    return to_py(*sqn);
}

}  // namespace

void register_crypto(py::module_& m) {
    m.def("derive", &derive, py::arg("scheme"), py::arg("master"), py::arg("kdd"), R"doc(derive(scheme, master, kdd) -> dict

A card's static ENC/MAC/DEK keys diversified from an issuer master key and the card's key
diversification data (KDD, 10 bytes: the start of its INITIALIZE UPDATE answer), as `simkit derive`.
scheme: 'emv' (EMV CPS 1.1) or 'visa2' with a 16-byte 3DES master, 'kdf3' with a 16/24/32-byte AES
master. Returns {'scheme', 'enc', 'mac', 'dek', 'kcv_enc', 'kcv_mac', 'kcv_dek'} (keys and KCVs as bytes).

    simkit.derive("emv", "404142434445464748494A4B4C4D4E4F", "00010203040506070809")["kcv_enc"].hex()
    # 'c33013')doc");
    m.def("milenage", &milenage_values, py::arg("k"), py::arg("rand"), py::arg("sqn"), py::arg("amf"), py::kw_only(),
          py::arg("opc") = py::none(), py::arg("op") = py::none(), R"doc(milenage(k, rand, sqn, amf, *, opc=None, op=None) -> dict

MILENAGE (3GPP TS 35.206) for K (16 bytes), RAND (16), SQN (6), AMF (2) and exactly one of OPc or
OP (16). Returns the keys of `simkit milenage --json`, values as bytes: opc, mac_a (f1), mac_s
(f1*), res (f2), ck (f3), ik (f4), ak (f5), ak_star (f5*), sres, kc (GSM c2/c3).

    v = simkit.milenage(k="465b5ce8b199b49faa5f0a2ee238a6bc", op="cdc202d5123e20f62b6d676ac72cb318",
                        rand="23553cbe9637a89d218ae64dae47bf35", sqn="ff9bb4d0b607", amf="b9b9")
    v["mac_a"].hex()   # '4a9ffac354dfafb3' (TS 35.208 test set 1))doc");
    m.def("autn", &autn, py::arg("k"), py::arg("rand"), py::arg("sqn"), py::arg("amf"), py::kw_only(),
          py::arg("opc") = py::none(), py::arg("op") = py::none(),
          "autn(k, rand, sqn, amf, *, opc=None, op=None) -> bytes\n\n"
          "The network's AUTN = (SQN xor AK) || AMF || MAC-A (16 bytes), for card.aka(rand, autn).");
    m.def("sqn_from_auts", &sqn_from_auts, py::arg("k"), py::arg("rand"), py::arg("auts"), py::kw_only(),
          py::arg("opc") = py::none(), py::arg("op") = py::none(),
          "sqn_from_auts(k, rand, auts, *, opc=None, op=None) -> bytes | None\n\n"
          "The card's SQN_MS from a synchronisation failure's AUTS (14 bytes), or None when MAC-S does not verify.");
}

}  // namespace simkit::python

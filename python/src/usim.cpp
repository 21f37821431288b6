// card.usim (the USIM: ICCID, IMSI, files, AUTHENTICATE) and card.aka(rand, autn).
#include "common.hpp"
#include "simkit/usim_client.hpp"

namespace simkit::python {

namespace {

struct UsimRef {
    CardPtr card;
};

template <typename F>
auto with_usim(const CardPtr& card, F&& f) {
    return with_card_lock(*card, [&] {
        UsimClient usim(card->require_card());
        return f(usim);
    });
}

py::dict aka_dict(const AkaAnswer& answer) {
    py::dict out;
    out["result"] = AkaAnswer::result_name(answer.result);
    if (answer.result == AkaAnswer::Result::Ok) {
        out["res"] = to_py(answer.res);
        out["ck"] = to_py(answer.ck);
        out["ik"] = to_py(answer.ik);
        if (!answer.kc.empty()) out["kc"] = to_py(answer.kc);
    } else if (answer.result == AkaAnswer::Result::SyncFailure) {
        out["auts"] = to_py(answer.auts);
    }
    return out;
}

py::dict aka(const CardPtr& card, const py::object& rand_arg, const py::object& autn_arg) {
    const bytes rand = arg_bytes(rand_arg, "rand", 16);
    const bytes autn = arg_bytes(autn_arg, "autn", 16);
    const AkaAnswer answer = with_usim(card, [&](UsimClient& u) { return u.authenticate(rand, autn); });
    return aka_dict(answer);
}

const char* const kAkaDoc = R"doc(aka(rand, autn) -> dict

AUTHENTICATE in the 3G context on the card's USIM (TS 31.102 7.1.2) with RAND and AUTN (16 bytes
each, bytes or hex). Returns the keys of `simkit aka --json`, values as bytes:
  {'result': 'ok', 'res': ..., 'ck': ..., 'ik': ..., 'kc': ...}
  {'result': 'sync_failure', 'auts': ...}   (recover SQN_MS with simkit.sqn_from_auts)
  {'result': 'mac_failure'}                 (the card rejected AUTN: 9862)
AUTN for a test: simkit.autn(k, rand, sqn, amf, opc=...).)doc";

std::vector<uint16_t> path_arg(const py::handle& path) {
    if (PyUnicode_Check(path.ptr())) return parse_file_path(path.cast<std::string>());
    std::vector<uint16_t> out;
    for (auto item : path) {
        const long v = item.cast<long>();
        if (v < 0 || v > 0xFFFF) throw ArgumentError("path: file IDs are 0..0xFFFF");
        out.push_back(static_cast<uint16_t>(v));
    }
    if (out.empty()) throw ArgumentError("path: empty");
    return out;
}

}  // namespace

void register_usim(py::module_& m, CardClass& card) {
    py::class_<UsimRef> cls(m, "Usim", "The card's USIM (card.usim): ICCID, IMSI, files and AUTHENTICATE. Each call SELECTs ADF.USIM.");
    cls.def("iccid", [](UsimRef& r) { return with_usim(r.card, [](UsimClient& u) { return u.iccid(); }); },
            "iccid() -> str\n\nEF.ICCID decoded (digits).");
    cls.def("imsi", [](UsimRef& r) { return with_usim(r.card, [](UsimClient& u) { return u.imsi(); }); },
            "imsi() -> str\n\nEF.IMSI decoded (digits).");
    cls.def(
        "read_file",
        [](UsimRef& r, const py::object& path) {
            const auto fids = path_arg(path);
            return to_py(with_usim(r.card, [&](UsimClient& u) { return u.read_file(fids); }));
        },
        py::arg("path"),
        "read_file(path) -> bytes\n\nAn EF's content by path: '2FE2', '3F00/2FE2', 'ADF/6F07' (ADF.USIM), or a list of FIDs.");
    cls.def("authenticate", [](UsimRef& r, const py::object& rand, const py::object& autn) { return aka(r.card, rand, autn); },
            py::arg("rand"), py::arg("autn"), kAkaDoc);
    cls.def(
        "authenticate_gsm",
        [](UsimRef& r, const py::object& rand_arg) {
            const bytes rand = arg_bytes(rand_arg, "rand", 16);
            const GsmAnswer answer = with_usim(r.card, [&](UsimClient& u) { return u.authenticate_gsm(rand); });
            py::dict out;
            out["sres"] = to_py(answer.sres);
            out["kc"] = to_py(answer.kc);
            return out;
        },
        py::arg("rand"), "authenticate_gsm(rand) -> dict\n\nAUTHENTICATE in the GSM context: {'sres': 4 bytes, 'kc': 8 bytes}.");
    cls.def("__repr__", [](UsimRef& r) { return "<simkit.Usim of " + r.card->uri + ">"; });

    card.def_property_readonly("usim", [](const CardPtr& c) { return UsimRef{c}; }, "The USIM (Usim).");
    card.def("aka", &aka, py::arg("rand"), py::arg("autn"), kAkaDoc);
}

}  // namespace simkit::python

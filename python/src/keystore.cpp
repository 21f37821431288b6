// card.keystore (the GSMA IoT SAFE key store: on-card P-256 keys, ECDSA, ECDH, random) and card.pin
// (the user PIN). The key store is opened once per Card on its own logical channel, so a PIN
// verified through card.pin stays verified for the key store's later commands.
#include "common.hpp"
#include "simkit/ec.hpp"

namespace simkit::python {

namespace {

struct KeyStoreRef {
    CardPtr card;
};
struct PinRef {
    CardPtr card;
};

uint8_t slot_arg(int slot) {
    if (slot < 0 || slot > 255) throw ArgumentError("slot must be 0..255 (private key slots are 1 to 4), not " + std::to_string(slot));
    return static_cast<uint8_t>(slot);
}

// Message bytes: bytes-like only (a str would be ambiguous between text and hex).
bytes data_arg(const py::handle& value, const char* what) {
    if (PyUnicode_Check(value.ptr())) {
        throw ArgumentError(std::string(what) + ": expected bytes (encode text first, e.g. 'text'.encode())");
    }
    return arg_bytes(value, what);
}

// A P-256 public key: an uncompressed point (65 bytes, 04 X Y), SubjectPublicKeyInfo DER or PEM
// (bytes or str), or an object with public_bytes() (python3-cryptography's EllipticCurvePublicKey).
bytes public_point_arg(const py::handle& value, const char* what) {
    if (py::hasattr(value, "public_bytes") && !PyBytes_Check(value.ptr())) {
        auto serialization = py::module_::import("cryptography.hazmat.primitives.serialization");
        py::object der = value.attr("public_bytes")(serialization.attr("Encoding").attr("DER"),
                                                     serialization.attr("PublicFormat").attr("SubjectPublicKeyInfo"));
        return crypto::public_point_from_pem_or_der(arg_bytes(der, what));
    }
    bytes raw;
    if (PyUnicode_Check(value.ptr())) {
        const std::string text = value.cast<std::string>();
        if (text.find("-----BEGIN") != std::string::npos) {
            raw.assign(text.begin(), text.end());
        } else {
            raw = arg_bytes(value, what);  // hex of a point or DER
        }
    } else {
        raw = arg_bytes(value, what);
    }
    if (raw.size() == crypto::kP256PointSize && raw[0] == 0x04) {
        if (!crypto::p256_point_is_valid(raw)) throw ArgumentError(std::string(what) + ": the point is not on P-256");
        return raw;
    }
    try {
        return crypto::public_point_from_pem_or_der(raw);
    } catch (const FormatError& e) {
        throw ArgumentError(std::string(what) + ": not a P-256 public key (65-byte point, DER or PEM): " + e.what());
    }
}

template <typename F>
auto with_store(KeyStoreRef& ref, F&& f) {
    return with_card_lock(*ref.card, [&] { return f(ref.card->require_keystore()); });
}
template <typename F>
auto with_store(PinRef& ref, F&& f) {
    return with_card_lock(*ref.card, [&] { return f(ref.card->require_keystore()); });
}

const char* kind_name(KeyStoreObject::Kind kind) {
    switch (kind) {
        case KeyStoreObject::Kind::PrivateKey: return "private_key";
        case KeyStoreObject::Kind::PublicKey: return "public_key";
        case KeyStoreObject::Kind::Secret: return "secret";
        case KeyStoreObject::Kind::File: return "file";
    }
    return "unknown";
}

template <typename T>
py::object opt(const std::optional<T>& v) {
    return v ? py::cast(*v) : py::none();
}

}  // namespace

void register_keystore(py::module_& m, CardClass& card) {
    py::class_<KeyStoreRef> ks(m, "KeyStore", R"doc(The card's GSMA IoT SAFE key store (card.keystore): P-256 keys made and used on the card.

    pub_pem = card.keystore.generate(1) and card.keystore.public_key_pem(1)
    der = card.keystore.sign(1, b"message")          # ECDSA-SHA256, DER, verifiable by OpenSSL
    secret = card.keystore.ecdh(1, peer_public_pem)  # the x coordinate, 32 bytes

Slots: private keys 1 to 4, public key slot 5 for peers. A key generated with pin_bound=True is
usable only after card.pin.verify(). Failures raise CardError (e.g. 6A88 for an empty slot).)doc");
    ks.def(
        "generate",
        [](KeyStoreRef& r, int slot, bool pin_bound) {
            const uint8_t s = slot_arg(slot);
            return to_py(with_store(r, [&](KeyStore& k) { return k.generate(s, pin_bound); }));
        },
        py::arg("slot"), py::kw_only(), py::arg("pin_bound") = false,
        "generate(slot, *, pin_bound=False) -> bytes\n\nGenerate a P-256 key pair on the card in private key slot `slot` (1..4);\n"
        "returns the public point (65 bytes, 04 || X || Y). pin_bound=True: the card refuses to use the\n"
        "key until the user PIN is verified.");
    ks.def(
        "public_key",
        [](KeyStoreRef& r, int slot) {
            const uint8_t s = slot_arg(slot);
            return to_py(with_store(r, [&](KeyStore& k) { return k.public_key(s); }));
        },
        py::arg("slot"), "public_key(slot) -> bytes\n\nThe public point of slot `slot` (65 bytes, 04 || X || Y).");
    ks.def(
        "public_key_der",
        [](KeyStoreRef& r, int slot) {
            const uint8_t s = slot_arg(slot);
            return to_py(with_store(r, [&](KeyStore& k) { return k.public_key_der(s); }));
        },
        py::arg("slot"), "public_key_der(slot) -> bytes\n\nThe public key as SubjectPublicKeyInfo DER.");
    ks.def(
        "public_key_pem",
        [](KeyStoreRef& r, int slot) {
            const uint8_t s = slot_arg(slot);
            return with_store(r, [&](KeyStore& k) { return k.public_key_pem(s); });
        },
        py::arg("slot"),
        "public_key_pem(slot) -> str\n\nThe public key as PEM ('-----BEGIN PUBLIC KEY-----'), e.g. for\n"
        "cryptography.hazmat.primitives.serialization.load_pem_public_key(pem.encode()).");
    ks.def(
        "sign",
        [](KeyStoreRef& r, int slot, const py::object& data, bool full_text) {
            const uint8_t s = slot_arg(slot);
            const bytes message = data_arg(data, "data");
            return to_py(with_store(r, [&](KeyStore& k) {
                return k.sign(s, message, full_text ? SignMode::FullText : SignMode::HashOnHost);
            }));
        },
        py::arg("slot"), py::arg("data"), py::kw_only(), py::arg("full_text") = false,
        "sign(slot, data, *, full_text=False) -> bytes\n\nECDSA with SHA-256 of `data` (bytes) by private key `slot`; returns the DER\n"
        "signature (ECDSA-Sig-Value), as OpenSSL and python3-cryptography verify it. SHA-256 is computed\n"
        "on the host unless full_text=True (then the card hashes the message itself).");
    ks.def(
        "sign_digest",
        [](KeyStoreRef& r, int slot, const py::object& digest) {
            const uint8_t s = slot_arg(slot);
            const bytes d = arg_bytes(digest, "digest", 32);
            return to_py(with_store(r, [&](KeyStore& k) { return k.sign_digest(s, d); }));
        },
        py::arg("slot"), py::arg("digest"),
        "sign_digest(slot, digest) -> bytes\n\nECDSA of a SHA-256 digest (32 bytes) computed by the caller; DER signature.");
    ks.def(
        "verify",
        [](KeyStoreRef& r, int slot, const py::object& data, const py::object& signature) {
            const uint8_t s = slot_arg(slot);
            const bytes message = data_arg(data, "data");
            const bytes sig = arg_bytes(signature, "signature");
            return with_store(r, [&](KeyStore& k) { return k.verify(s, message, sig); });
        },
        py::arg("slot"), py::arg("data"), py::arg("signature"),
        "verify(slot, data, signature) -> bool\n\nVERIFY SIGNATURE on the card with public key `slot` (DER or raw r||s signature).");
    ks.def(
        "put_public_key",
        [](KeyStoreRef& r, int slot, const py::object& key) {
            const uint8_t s = slot_arg(slot);
            const bytes point = public_point_arg(key, "key");
            with_store(r, [&](KeyStore& k) {
                k.put_public_key(s, point);
                return 0;
            });
        },
        py::arg("slot"), py::arg("key"),
        "put_public_key(slot, key)\n\nStore a P-256 public key (point, DER, PEM or a cryptography public key) in public key slot `slot`.");
    ks.def(
        "ecdh",
        [](KeyStoreRef& r, int slot, const py::object& peer) {
            const uint8_t s = slot_arg(slot);
            const bytes point = public_point_arg(peer, "peer");
            return to_py(with_store(r, [&](KeyStore& k) { return k.ecdh(s, point); }));
        },
        py::arg("slot"), py::arg("peer"),
        "ecdh(slot, peer) -> bytes\n\nECDH between private key `slot` and a peer's P-256 public key (PEM str/bytes, DER, a\n"
        "65-byte point, or a python3-cryptography public key): the shared secret, the x coordinate\n"
        "(32 bytes), equal to what the peer computes with its private key.");
    ks.def(
        "random",
        [](KeyStoreRef& r, std::size_t count) {
            if (count < 1 || count > 65536) throw ArgumentError("count must be 1..65536");
            return to_py(with_store(r, [&](KeyStore& k) { return k.random(count); }));
        },
        py::arg("count"), "random(count) -> bytes\n\n`count` random bytes from the card (GET RANDOM).");
    ks.def(
        "list",
        [](KeyStoreRef& r) {
            const auto objects = with_store(r, [&](KeyStore& k) { return k.list(); });
            py::list out;
            for (const KeyStoreObject& o : objects) {
                py::dict d;
                d["kind"] = kind_name(o.kind);
                d["id"] = to_py(o.id);
                d["label"] = o.label;
                d["state"] = opt(o.state);
                d["pin_bound"] = opt(o.pin_bound);
                d["file_size"] = opt(o.file_size);
                out.append(d);
            }
            return out;
        },
        "list() -> list[dict]\n\nThe key store's objects: [{kind, id, label, state, pin_bound, file_size}],\n"
        "kind one of 'private_key', 'public_key', 'secret', 'file'.");
    ks.def("__repr__", [](KeyStoreRef& r) { return "<simkit.KeyStore of " + r.card->uri + ">"; });

    py::class_<PinRef> pin(m, "Pin", R"doc(The card's user PIN (card.pin): VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER.

A fresh simulated card has PIN 1234 (3 tries) and PUK 12345678. A wrong PIN raises PinError with
tries_left; at zero the PIN is blocked (PinError.blocked) until unblock(). A verified PIN lasts
while the Card is open (and not reset). PINs are str of 4 to 8 digits; never printed.)doc");
    pin.def(
        "verify",
        [](PinRef& r, const py::object& value) {
            const secure_bytes p = arg_pin(value, "pin");
            with_store(r, [&](KeyStore& k) {
                k.verify_pin(p);
                return 0;
            });
        },
        py::arg("pin"), "verify(pin)\n\nVerify the user PIN; PinError (with tries_left) when wrong.");
    pin.def(
        "change",
        [](PinRef& r, const py::object& old_pin, const py::object& new_pin) {
            const secure_bytes o = arg_pin(old_pin, "old_pin");
            const secure_bytes n = arg_pin(new_pin, "new_pin");
            with_store(r, [&](KeyStore& k) {
                k.change_pin(o, n);
                return 0;
            });
        },
        py::arg("old_pin"), py::arg("new_pin"), "change(old_pin, new_pin)\n\nChange the user PIN.");
    pin.def(
        "unblock",
        [](PinRef& r, const py::object& puk, const py::object& new_pin) {
            const secure_bytes u = arg_pin(puk, "puk");
            const secure_bytes n = arg_pin(new_pin, "new_pin");
            with_store(r, [&](KeyStore& k) {
                k.unblock_pin(u, n);
                return 0;
            });
        },
        py::arg("puk"), py::arg("new_pin"), "unblock(puk, new_pin)\n\nUnblock the PIN with the PUK and set a new PIN.");
    pin.def_property_readonly(
        "tries_left",
        [](PinRef& r) -> py::object {
            const auto tries = with_store(r, [&](KeyStore& k) { return k.pin_tries_left(); });
            return opt(tries);
        },
        "Tries left (int; 0 = blocked), or None when the PIN is already verified. Costs no try.");
    pin.def("__repr__", [](PinRef& r) { return "<simkit.Pin of " + r.card->uri + ">"; });

    card.def_property_readonly(
        "keystore", [](const CardPtr& c) { return KeyStoreRef{c}; },
        "The IoT SAFE key store (KeyStore), opened on its own logical channel at first use.");
    card.def_property_readonly("pin", [](const CardPtr& c) { return PinRef{c}; }, "The user PIN (Pin).");
}

}  // namespace simkit::python

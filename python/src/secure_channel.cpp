// card.scp03(...) / card.scp02(...) and the SecureChannel class: a GlobalPlatform secure channel to
// the card's Issuer Security Domain, as the CLI's `simkit scp03` opens it (one key, or ENC/MAC/DEK,
// or a master key with a diversification scheme; KVN; level), used as a context manager.
#include <cstdio>

#include "common.hpp"
#include "simkit/diversify.hpp"
#include "simkit/scp.hpp"

namespace simkit::python {

void SessionState::end_locked() noexcept {
    session.reset();
    if (holding) {
        holding = false;
        if (card->holds > 0 && --card->holds == 0) card->released.notify_all();
    }
}

SessionState::~SessionState() {
    if (!card) return;
    auto end = [this] {
        std::lock_guard<std::mutex> lock(card->mutex);
        end_locked();
    };
    if (PyGILState_Check()) {
        py::gil_scoped_release release;
        end();
    } else {
        end();
    }
}

namespace {

using SessionPtr = std::shared_ptr<SessionState>;

secure_bytes key_arg(const py::handle& value, const char* what) {
    secure_bytes key = arg_secret(value, what);
    if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
        throw ArgumentError(std::string(what) + " is " + std::to_string(key.size()) +
                            " bytes; a key is 16, 24 or 32 bytes (AES-128/192/256; SCP02 3DES keys are 16)");
    }
    return key;
}

// The key forms of `simkit scp03`: key (ENC = MAC = DEK), enc + mac + dek, or master + derive.
ScpKeySource key_source(const py::object& key, const py::object& enc, const py::object& mac, const py::object& dek,
                        const py::object& master, const py::object& derive) {
    const bool single = !key.is_none();
    const bool three = !enc.is_none() || !mac.is_none() || !dek.is_none();
    const bool diversified = !master.is_none() || !derive.is_none();
    const int forms = int(single) + int(three) + int(diversified);
    if (forms == 0) throw ArgumentError("no key given: pass key=K, or enc=, mac=, dek=, or master=K with derive='emv'|'visa2'|'kdf3'");
    if (forms > 1) throw ArgumentError("give one key form only: key=, or enc=/mac=/dek=, or master=/derive=");
    if (single) return single_key(key_arg(key, "key"));
    if (three) {
        for (auto [name, value] : {std::pair{"enc", &enc}, {"mac", &mac}, {"dek", &dek}}) {
            if (value->is_none()) throw ArgumentError(std::string("enc, mac and dek go together: ") + name + " is missing");
        }
        return fixed_keys(scp::StaticKeys{key_arg(enc, "enc"), key_arg(mac, "mac"), key_arg(dek, "dek")});
    }
    if (master.is_none()) throw ArgumentError("derive needs master (the issuer master key)");
    if (derive.is_none()) throw ArgumentError("master needs derive='emv', 'visa2' or 'kdf3'");
    const DiversificationScheme scheme = parse_diversification_scheme(derive.cast<std::string>());
    return [scheme, master_key = key_arg(master, "master")](const scp::InitUpdateResponse& answer) {
        return diversify_keys(scheme, master_key, answer.key_diversification_data);
    };
}

uint8_t level_arg(const py::handle& level, scp::Protocol protocol) {
    if (PyLong_Check(level.ptr()) && !PyBool_Check(level.ptr())) {
        const long v = level.cast<long>();
        if (v < 0 || v > 255) throw ArgumentError("level must be a byte such as 0x33, not " + std::to_string(v));
        char text[3];
        std::snprintf(text, sizeof text, "%02X", static_cast<unsigned>(v));
        return scp::parse_level(text, protocol);
    }
    if (PyUnicode_Check(level.ptr())) return scp::parse_level(level.cast<std::string>(), protocol);
    throw ArgumentError("level: 'mac', 'mac-enc', 'full', a hex string such as '33' or an int such as 0x33");
}

SessionPtr open_channel(const CardPtr& card, scp::Protocol protocol, const py::object& key, const py::object& enc,
                        const py::object& mac, const py::object& dek, const py::object& master,
                        const py::object& derive, const py::object& kvn, const py::object& level, bool s16,
                        const py::object& aid, const py::object& host_challenge) {
    // Every argument is checked before the card is touched.
    const ScpKeySource keys = key_source(key, enc, mac, dek, master, derive);
    ScpOptions options;
    options.protocol = protocol;
    options.kvn = arg_byte(kvn, "kvn");
    options.level = level.is_none() ? (protocol == scp::Protocol::Scp03 ? 0x33 : 0x03) : level_arg(level, protocol);
    if (s16 && protocol != scp::Protocol::Scp03) throw ArgumentError("s16 exists in SCP03 only");
    options.s16 = s16;
    if (!aid.is_none()) options.security_domain_aid = arg_bytes(aid, "aid");
    if (!host_challenge.is_none()) options.host_challenge = arg_bytes(host_challenge, "host_challenge");

    auto state = std::make_shared<SessionState>();
    state->protocol_name = protocol == scp::Protocol::Scp03 ? "scp03" : "scp02";
    with_card_lock(*card, [&] {
        Card& c = card->require_card();
        auto& handshake = state->handshake;
        c.set_observer([&handshake](const bytes& command, const bytes& response) { handshake.emplace_back(command, response); });
        try {
            state->session = std::make_unique<ScpSession>(c, keys, options);
        } catch (...) {
            c.set_observer({});
            throw;
        }
        c.set_observer({});
        state->card = card;
        card->sessions.push_back(state);
        // Held for this thread until the channel ends (see CardState).
        if (card->holds == 0) card->holder = std::this_thread::get_id();
        ++card->holds;
        state->holding = true;
    });
    return state;
}

ScpSession& require_session(SessionState& s) {
    if (!s.card || !s.card->card) throw ClosedError("the secure channel's card is closed");
    if (!s.session) throw ClosedError("the secure channel is closed");
    return *s.session;
}

py::tuple channel_transmit(SessionState& s, const py::handle& apdu, bool check) {
    const bytes raw = arg_bytes(apdu, "apdu");
    const CommandApdu command = CommandApdu::parse(raw);  // ArgumentError for a malformed APDU
    if (!s.card) throw ClosedError("the secure channel is closed");
    const ResponseApdu response = with_card_lock_nowait(*s.card, [&] {
        ScpSession& session = require_session(s);
        std::optional<std::pair<bytes, bytes>> wrapped;
        session.set_observer([&wrapped](const CommandApdu&, const bytes& wrapped_command, const bytes& wrapped_response,
                                        const ResponseApdu&) { wrapped.emplace(wrapped_command, wrapped_response); });
        ResponseApdu answer;
        try {
            answer = session.transmit(command);
        } catch (...) {
            session.set_observer({});
            s.last_wrapped = wrapped;
            if (!session.is_open()) s.end_locked();  // the channel is over: so is its hold
            throw;
        }
        session.set_observer({});
        s.last_wrapped = wrapped;
        return answer;
    });
    if (check && !response.is_ok()) throw SwError(response.sw(), "secure channel APDU " + to_hex(raw.data(), std::min<std::size_t>(raw.size(), 4)));
    return py::make_tuple(to_py(response.data()), py::int_(response.sw()));
}

void channel_close(SessionState& s) {
    if (!s.card) return;
    with_card_lock_nowait(*s.card, [&] { s.end_locked(); });
}

template <typename F>
auto with_info(SessionState& s, F&& f) {
    if (!s.card) throw ClosedError("the secure channel is closed");
    return with_card_lock_nowait(*s.card, [&] { return f(require_session(s)); });
}

const char* const kScp03Doc = R"doc(scp03(key=None, *, enc=None, mac=None, dek=None, master=None, derive=None, kvn=0, level='full', s16=False, aid=None, host_challenge=None) -> SecureChannel

Open an SCP03 secure channel (GlobalPlatform Amendment D) to the card's Issuer Security Domain,
as `simkit scp03` does. The key set, in one of three forms:
  key=K                     one AES key used as ENC, MAC and DEK (16/24/32 bytes or hex)
  enc=, mac=, dek=          the three static keys
  master=M, derive=SCHEME   keys diversified from an issuer master key with the card's KDD
                            (SCHEME 'kdf3' for AES masters, 'emv'/'visa2' for 3DES)
kvn: the key version number (int or hex such as '30'; 0 = the card's default key set).
level: 'mac' (01), 'mac-enc' (03), 'full' (33: C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION) or an int
or hex level 01 03 11 13 33. s16: S16 mode (16-byte challenges and MACs). aid: the security
domain to SELECT (default: the ISD). host_challenge: for tests only (random otherwise).

A wrong key raises SecureChannelError ('card cryptogram does not match') before anything of the
host's is sent. Use it as a context manager:

    with card.scp03(key="404142434445464748494A4B4C4D4E4F", kvn=0x30, level="full") as sc:
        data, sw = sc.transmit("80F28002024F00")   # GET STATUS of the ISD, unwrapped
)doc";

const char* const kScp02Doc = R"doc(scp02(key=None, *, enc=None, mac=None, dek=None, master=None, derive=None, kvn=0, level='mac-enc', aid=None, host_challenge=None) -> SecureChannel

Open an SCP02 secure channel (GlobalPlatform 2.2 Appendix E, 3DES, i=15/55) to the Issuer Security
Domain. Keys as for scp03() but 16-byte 3DES keys (derive 'emv' or 'visa2'); level 'mac' (01) or
'mac-enc'/'full' (03). A card needs an SCP02 key set first (PUT KEY), e.g. KVN 0x20.
)doc";

}  // namespace

void register_secure_channel(py::module_& m, CardClass& card) {
    py::class_<SessionState, std::shared_ptr<SessionState>> cls(m, "SecureChannel", R"doc(An open SCP03 or SCP02 secure channel (from card.scp03() / card.scp02()).

transmit() wraps each plain command (C-MAC, encryption by level), sends it, checks and unwraps the
answer. A response whose MAC does not verify raises SecureChannelError and ends the channel.
While it is open the channel holds the card: on pcsc: readers a PC/SC transaction keeps other
applications out, and in this process other threads' calls on the card wait until the channel
closes (their APDUs would end the card's side of the session). The thread that opened it goes on
using the card freely. Close it (close(), or a `with` block); closing the card closes it too.)doc");
    cls.def("transmit", &channel_transmit, py::arg("apdu"), py::kw_only(), py::arg("check") = false,
            R"doc(transmit(apdu, *, check=False) -> (bytes, int)

Send one plain command APDU (bytes or hex, CLA 80 for GlobalPlatform commands) through the
channel; returns the unwrapped (data, sw). check=True raises CardError unless the SW is 9000.)doc");
    cls.def("close", &channel_close, "close()\n\nEnd the channel (allowed twice).");
    cls.def("__enter__", [](std::shared_ptr<SessionState> s) { return s; }, "__enter__() -> SecureChannel");
    cls.def("__exit__", [](SessionState& s, const py::args&) { channel_close(s); }, "__exit__(*exc) -> None: close()");
    cls.def_property_readonly(
        "closed",
        [](SessionState& s) {
            if (!s.card) return true;
            return with_card_lock_nowait(*s.card, [&] { return !s.session || !s.card->card || !s.session->is_open(); });
        },
        "True once closed (by close(), the card's close(), or a failure that ended the session).");
    cls.def_property_readonly("protocol", [](SessionState& s) { return s.protocol_name; }, "'scp03' or 'scp02'.");
    cls.def_property_readonly("level", [](SessionState& s) { return with_info(s, [](ScpSession& x) { return int(x.level()); }); },
                              "The security level (int, e.g. 0x33).");
    cls.def_property_readonly(
        "kvn", [](SessionState& s) { return with_info(s, [](ScpSession& x) { return int(x.card_info().kvn); }); },
        "The key version number the card answered with.");
    cls.def_property_readonly(
        "kdd",
        [](SessionState& s) { return to_py(with_info(s, [](ScpSession& x) { return x.card_info().key_diversification_data; })); },
        "The card's key diversification data (10 bytes of INITIALIZE UPDATE's answer).");
    cls.def_property_readonly(
        "initialize_update_response",
        [](SessionState& s) { return to_py(with_info(s, [](ScpSession& x) { return x.card_info().encode(); })); },
        "The data of the card's INITIALIZE UPDATE answer (KDD, key info, challenge, cryptogram ...).");
    cls.def_property_readonly(
        "handshake",
        [](SessionState& s) {
            py::list out;
            for (const auto& [command, response] : s.handshake) out.append(py::make_tuple(to_py(command), to_py(response)));
            return out;
        },
        "The wire exchanges that opened the channel: [(command, response)] of SELECT, INITIALIZE UPDATE,\n"
        "EXTERNAL AUTHENTICATE (challenges and cryptograms, never a key).");
    cls.def_property_readonly(
        "last_wrapped",
        [](SessionState& s) -> py::object {
            if (!s.last_wrapped) return py::none();
            return py::make_tuple(to_py(s.last_wrapped->first), to_py(s.last_wrapped->second));
        },
        "(wrapped command, wrapped response) of the last transmit() as they went on the wire, or None.");
    cls.def("__repr__", [](SessionState& s) {
        return "<simkit.SecureChannel " + s.protocol_name + (s.card ? " on " + s.card->uri : std::string()) + ">";
    });

    card.def(
        "scp03",
        [](const CardPtr& c, const py::object& key, const py::object& enc, const py::object& mac, const py::object& dek,
           const py::object& master, const py::object& derive, const py::object& kvn, const py::object& level, bool s16,
           const py::object& aid, const py::object& host_challenge) {
            return open_channel(c, scp::Protocol::Scp03, key, enc, mac, dek, master, derive, kvn, level, s16, aid,
                                host_challenge);
        },
        py::arg("key") = py::none(), py::kw_only(), py::arg("enc") = py::none(), py::arg("mac") = py::none(),
        py::arg("dek") = py::none(), py::arg("master") = py::none(), py::arg("derive") = py::none(),
        py::arg("kvn") = 0, py::arg("level") = "full", py::arg("s16") = false, py::arg("aid") = py::none(),
        py::arg("host_challenge") = py::none(), kScp03Doc);
    card.def(
        "scp02",
        [](const CardPtr& c, const py::object& key, const py::object& enc, const py::object& mac, const py::object& dek,
           const py::object& master, const py::object& derive, const py::object& kvn, const py::object& level,
           const py::object& aid, const py::object& host_challenge) {
            return open_channel(c, scp::Protocol::Scp02, key, enc, mac, dek, master, derive, kvn, level, false, aid,
                                host_challenge);
        },
        py::arg("key") = py::none(), py::kw_only(), py::arg("enc") = py::none(), py::arg("mac") = py::none(),
        py::arg("dek") = py::none(), py::arg("master") = py::none(), py::arg("derive") = py::none(),
        py::arg("kvn") = 0, py::arg("level") = "mac-enc", py::arg("aid") = py::none(),
        py::arg("host_challenge") = py::none(), kScp02Doc);
}

}  // namespace simkit::python

// simkit.open() and the Card class: a card named by a URI, APDUs in and out as bytes, SELECT, the
// ATR, reset, close and the context manager. Card I/O runs with the GIL released and the card's
// own mutex held, so threads can drive several cards at once and share one card safely.
#include "common.hpp"
#include "simkit/apdu.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/status_words.hpp"

namespace simkit::python {

CardState::~CardState() { close_locked(); }

void CardState::end_sessions_locked() noexcept {
    for (auto& weak : sessions) {
        if (auto session = weak.lock()) session->end_locked();
    }
    sessions.clear();
    holds = 0;
    released.notify_all();
}

void CardState::close_locked() noexcept {
    end_sessions_locked();
    keystore.reset();
    card.reset();
}

Card& CardState::require_card() {
    if (!card) throw ClosedError("the card " + uri + " is closed");
    return *card;
}

KeyStore& CardState::require_keystore() {
    Card& c = require_card();
    if (!keystore) {
        KeyStoreOptions options;
        options.logical_channel = true;
        keystore = std::make_unique<KeyStore>(c, options);
    }
    return *keystore;
}

namespace {

const char* const kOpenDoc = R"doc(open(uri=None) -> Card

Open the card a URI names and return a Card (use it in a `with` block, or call close()).

URI forms:
  sim:PATH         an in-process simulated card; PATH is its state file, created with factory
                   defaults when absent (ISD key set KVN 30 = 404142434445464748494A4B4C4D4E4F,
                   user PIN 1234, USIM keys of TS 35.208 test set 1). Option ?t1=1: T=1 behaviour.
                   A state file is locked to the Card that opened it until close().
  pcsc:NAME        a PC/SC reader whose name contains NAME (e.g. "pcsc:Virtual PCD 00 00"),
  pcsc:INDEX       or the INDEX-th reader ("pcsc:0"); option ?wait=SECONDS waits for a card.
  at:DEVICE        a modem's SIM on a serial device, through AT+CSIM / AT+CCHO / AT+CGLA
                   (e.g. "at:/dev/ttyUSB2?baud=115200").
With no URI, $SIMKIT_CARD is used.

Raises ArgumentError (a ValueError) for a URI that is none of these forms, TransportError when
the card cannot be reached (no such reader, no card, a state file locked by another Card).

Example:
    with simkit.open("sim:card.state") as card:
        data, sw = card.transmit(bytes.fromhex("00A4040008A000000151000000"))
        print(data.hex(), hex(sw))
)doc";

CardPtr open_card(const std::optional<std::string>& uri) {
    const CardUri parsed = resolve_card_uri(uri);  // ArgumentError before the GIL goes
    auto state = std::make_shared<CardState>();
    state->uri = parsed.text;
    {
        py::gil_scoped_release release;
        state->card = std::make_unique<Card>(Card::open(parsed.text));
    }
    return state;
}

py::tuple response_tuple(const bytes& response) {
    if (response.size() < 2) throw TransportError("the card's answer is shorter than a status word");
    const bytes data(response.begin(), response.end() - 2);
    const uint16_t sw = read_u16(response.data() + response.size() - 2);
    return py::make_tuple(to_py(data), py::int_(sw));
}

void check_sw(const bytes& response, const std::string& context) {
    const uint16_t sw = read_u16(response.data() + response.size() - 2);
    if (sw != sw::kSuccess) throw SwError(sw, context);
}

std::string apdu_context(const bytes& command) {
    return "APDU " + to_hex(command.data(), std::min<std::size_t>(command.size(), 5)) + (command.size() > 5 ? "..." : "");
}

py::tuple transmit(CardState& state, const py::handle& apdu, bool raw, bool check) {
    const bytes command = arg_bytes(apdu, "apdu");
    if (command.size() < 4) {
        throw ArgumentError("apdu: " + std::to_string(command.size()) + " bytes; a command APDU has at least CLA INS P1 P2");
    }
    const bytes response = with_card_lock(state, [&] { return state.require_card().transmit_bytes(command, !raw); });
    if (response.size() >= 2 && check) check_sw(response, apdu_context(command));
    return response_tuple(response);
}

py::tuple send(CardState& state, int cla, int ins, int p1, int p2, const py::object& data, std::size_t ne, bool check) {
    for (auto [name, v] : {std::pair{"cla", cla}, {"ins", ins}, {"p1", p1}, {"p2", p2}}) {
        if (v < 0 || v > 255) throw ArgumentError(std::string(name) + " must be 0..255, not " + std::to_string(v));
    }
    const bytes body = data.is_none() ? bytes{} : arg_bytes(data, "data");
    const CommandApdu command = CommandApdu::make(static_cast<uint8_t>(cla), static_cast<uint8_t>(ins),
                                                  static_cast<uint8_t>(p1), static_cast<uint8_t>(p2), body, ne);
    const ResponseApdu response = with_card_lock(state, [&] { return state.require_card().transmit(command); });
    if (check && !response.is_ok()) throw SwError(response.sw(), apdu_context(command.encode()));
    return py::make_tuple(to_py(response.data()), py::int_(response.sw()));
}

py::bytes select(CardState& state, const py::handle& aid_arg, bool check) {
    const bytes aid = arg_bytes(aid_arg, "aid");
    if (aid.size() < 1 || aid.size() > 16) throw ArgumentError("aid must be 1 to 16 bytes, not " + std::to_string(aid.size()));
    const CommandApdu command = CommandApdu::case4(0x00, 0xA4, 0x04, 0x00, aid, 256);
    const ResponseApdu response = with_card_lock(state, [&] { return state.require_card().transmit(command); });
    if (check && !sw_is_success(response.sw())) throw SwError(response.sw(), "SELECT " + to_hex(aid));
    return to_py(response.data());
}

// Closing does not wait for another thread's secure channel: it ends it.
void close(CardState& state) {
    with_card_lock_nowait(state, [&] { state.close_locked(); });
}

}  // namespace

CardPtr card_from(const py::handle& card_or_uri, bool& opened_here) {
    opened_here = false;
    if (py::isinstance<CardState>(card_or_uri)) return card_or_uri.cast<CardPtr>();
    if (card_or_uri.is_none() || PyUnicode_Check(card_or_uri.ptr()) || py::hasattr(card_or_uri, "__fspath__")) {
        std::optional<std::string> uri;
        if (!card_or_uri.is_none()) uri = py::str(card_or_uri).cast<std::string>();
        opened_here = true;
        return open_card(uri);
    }
    throw ArgumentError("card: expected a simkit.Card or a card URI string");
}

CardClass register_card(py::module_& m) {
    CardClass cls(m, "Card", R"doc(A card opened with simkit.open(uri).

Bytes in, bytes out: transmit() sends a command APDU and returns (data, sw) with 61xx (GET RESPONSE)
and 6Cxx handled. Hex strings are accepted wherever bytes are ("00A4040000", "00 A4 04 00 00").
A Card may be shared by threads: every call holds the card's lock (with the GIL released), so the
APDUs of one call are never interleaved with another's, and while a thread has a secure channel
open other threads' calls wait for it to close. The basic channel's selection is shared: a SELECT
and a later command as two calls may have another thread's SELECT between them.
Close it when done (close(), or `with simkit.open(...) as card:`); a closed card raises ClosedError.

Sub-objects: card.keystore (IoT SAFE key store), card.pin (the user PIN), card.usim (USIM files
and AUTHENTICATE); secure channels: card.scp03(...), card.scp02(...).)doc");
    cls.def(py::init([](const std::optional<std::string>& uri) { return open_card(uri); }), py::arg("uri") = py::none(),
            "Card(uri=None)\n\nThe same as simkit.open(uri).");
    cls.def("transmit", &transmit, py::arg("apdu"), py::kw_only(), py::arg("raw") = false, py::arg("check") = false,
            R"doc(transmit(apdu, *, raw=False, check=False) -> (bytes, int)

Send one command APDU (bytes or hex) and return (response data, status word).
61xx is completed with GET RESPONSE and 6Cxx re-sent with the right Le unless raw=True (then
exactly one exchange). check=True raises CardError unless the status word is 9000.

    data, sw = card.transmit("00A4040008A000000151000000")   # SELECT the ISD
    assert sw == 0x9000)doc");
    cls.def("send", &send, py::arg("cla"), py::arg("ins"), py::arg("p1"), py::arg("p2"), py::arg("data") = py::none(),
            py::arg("ne") = 0, py::kw_only(), py::arg("check") = true,
            R"doc(send(cla, ins, p1, p2, data=None, ne=0, *, check=True) -> (bytes, int)

Build a command APDU from its fields (short or extended length chosen from the sizes; ne=256
for 'Le 00') and transmit it. check=True (the default) raises CardError unless the SW is 9000.)doc");
    cls.def("select", &select, py::arg("aid"), py::kw_only(), py::arg("check") = true,
            R"doc(select(aid, *, check=True) -> bytes

SELECT by AID (00 A4 04 00) on the basic channel; returns the FCI. Raises CardError (e.g. sw
0x6A82, file or application not found) unless check=False.)doc");
    cls.def_property_readonly(
        "atr", [](CardState& s) { return to_py(with_card_lock(s, [&] { return s.require_card().atr(); })); },
        "The card's answer to reset (bytes).");
    cls.def_property_readonly("uri", [](CardState& s) { return s.uri; }, "The URI the card was opened with.");
    cls.def_property_readonly(
        "description", [](CardState& s) { return with_card_lock(s, [&] { return s.require_card().description(); }); },
        "What the transport says the card is (state file, reader name, modem device).");
    cls.def(
        "reset",
        [](CardState& s) {
            with_card_lock(s, [&] {
                Card& card = s.require_card();
                s.end_sessions_locked();
                s.keystore.reset();
                card.reset();
            });
        },
        "reset()\n\nWarm reset: logical channels, secure channels and a verified PIN end; the card's data stays.");
    cls.def("close", &close, "close()\n\nClose the card (ends its secure channels and key store first). Closing twice is allowed.");
    cls.def_property_readonly(
        "closed", [](CardState& s) { return with_card_lock_nowait(s, [&] { return s.card == nullptr; }); },
        "True once close() was called.");
    cls.def("__enter__", [](CardPtr s) { return s; }, "__enter__() -> Card");
    cls.def("__exit__", [](CardState& s, const py::args&) { close(s); }, "__exit__(*exc) -> None: close()");
    cls.def("__repr__", [](CardState& s) {
        return "<simkit.Card " + s.uri + (with_card_lock_nowait(s, [&] { return s.card == nullptr; }) ? " (closed)>" : ">");
    });
    m.def("open", &open_card, py::arg("uri") = py::none(), kOpenDoc);
    m.def("card_uri_forms", [] { return std::string(card_uri_forms()); }, "card_uri_forms() -> str\n\nOne line naming the card URI forms.");
    m.def("sw_meaning", [](int sw) { return sw_meaning(static_cast<uint16_t>(sw)); }, py::arg("sw"),
          "sw_meaning(sw) -> str\n\nThe ISO 7816-4 / GlobalPlatform meaning of a status word: sw_meaning(0x6982) == "
          "'security status not satisfied'.");

    return cls;
}

}  // namespace simkit::python

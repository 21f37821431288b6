// The simkit Python module: PYBIND11_MODULE and the module docstring; each area registers itself
// (errors.cpp, card.cpp, secure_channel.cpp, keystore.cpp, usim.cpp, crypto.cpp, personalize.cpp).
#include "common.hpp"

PYBIND11_MODULE(simkit, m) {
    using namespace simkit::python;
    // Every docstring starts with its own Python signature (pybind11's would name C++ types).
    py::options options;
    options.disable_function_signatures();
    m.doc() = R"doc(simkit: SIM, USIM and secure-element cards from Python, over simkit's C++ host library.

    import simkit
    with simkit.open("sim:card.state") as card:          # or "pcsc:0", "at:/dev/ttyUSB2"
        data, sw = card.transmit("00A4040008A000000151000000")
        with card.scp03(key="404142434445464748494A4B4C4D4E4F", kvn=0x30, level="full") as sc:
            data, sw = sc.transmit("80F28002024F00")
        pub = card.keystore.generate(1)
        sig = card.keystore.sign(1, b"hello")
    simkit.milenage(k=..., opc=..., rand=..., sqn=..., amf=...)
    simkit.derive("kdf3", master, kdd)

Bytes in and out as bytes; keys, AIDs, RAND ... also as hex strings. Errors: CardError (.sw,
.meaning), PinError, TransportError, SecureChannelError, ArgumentError (a ValueError), all simkit.Error.
Card I/O and crypto release the GIL: threads may drive several cards, or share one (a per-card lock).)doc";
    m.attr("__version__") = SIMKIT_PYTHON_VERSION;
    m.attr("FACTORY_KEY") = "404142434445464748494A4B4C4D4E4F";
    m.attr("ISD_AID") = py::bytes("\xA0\x00\x00\x01\x51\x00\x00\x00", 8);
    m.attr("KEYSTORE_AID") = py::bytes("\xA0\x00\x00\x05\x59\x00\x10", 7);
    register_errors(m);
    CardClass card = register_card(m);
    register_secure_channel(m, card);
    register_keystore(m, card);
    register_usim(m, card);
    register_crypto(m);
    register_personalize(m);
}

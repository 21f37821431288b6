// simkit's C++ exceptions as Python exceptions. Every one derives from simkit.Error; bad arguments
// (FormatError, ArgumentError) are simkit.ArgumentError, which is also a ValueError; a status word
// other than success is simkit.CardError with .sw (int) and .meaning (str).
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "simkit/card_personalizer.hpp"
#include "simkit/keystore_client.hpp"
#include "simkit/personalization.hpp"
#include "simkit/status_words.hpp"

namespace simkit::python {

namespace {

struct Types {
    PyObject* error = nullptr;
    PyObject* card_error = nullptr;
    PyObject* pin_error = nullptr;
    PyObject* transport_error = nullptr;
    PyObject* secure_channel_error = nullptr;
    PyObject* argument_error = nullptr;
    PyObject* state_error = nullptr;
    PyObject* crypto_error = nullptr;
    PyObject* journal_error = nullptr;
    PyObject* closed_error = nullptr;
    PyObject* personalization_error = nullptr;
};
Types types;

PyObject* make_type(py::module_& m, const char* name, const char* doc, std::initializer_list<PyObject*> bases) {
    const std::string qualified = std::string("simkit.") + name;
    py::tuple base_tuple(bases.size());
    std::size_t i = 0;
    for (PyObject* base : bases) base_tuple[i++] = py::reinterpret_borrow<py::object>(base);
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base_tuple.ptr(), nullptr);
    if (type == nullptr) throw py::error_already_set();
    m.add_object(name, py::reinterpret_borrow<py::object>(type));  // the module keeps a reference too
    return type;  // one reference kept for the process
}

// Raises `type(message)` with the attributes set.
void raise(PyObject* type, const std::string& message, const py::dict& attributes = py::dict()) {
    py::object exc = py::reinterpret_borrow<py::object>(type)(message);
    for (auto item : attributes) exc.attr(item.first) = item.second;
    PyErr_SetObject(type, exc.ptr());
}

py::dict sw_attributes(uint16_t sw) {
    py::dict out;
    out["sw"] = py::int_(sw);
    out["meaning"] = py::str(sw_meaning(sw));
    return out;
}

}  // namespace

void register_errors(py::module_& m) {
    types.error = make_type(m, "Error", "Base of every simkit exception.", {PyExc_Exception});
    types.card_error = make_type(
        m, "CardError",
        "The card answered a status word other than success.\n\n"
        "Attributes: sw (int, e.g. 0x6A82) and meaning (str, e.g. 'file or application not found').",
        {types.error});
    types.pin_error = make_type(
        m, "PinError",
        "A PIN or PUK command failed (a CardError). Attributes: sw, meaning, tries_left (int, or None when\n"
        "the card did not say), blocked (bool). The message never contains the PIN.",
        {types.card_error});
    types.transport_error = make_type(
        m, "TransportError",
        "The card cannot be reached: a reader or state file that cannot be opened, a card removed,\n"
        "a modem that does not answer.",
        {types.error});
    types.secure_channel_error = make_type(
        m, "SecureChannelError",
        "A secure channel (SCP03/SCP02) failed: a card cryptogram that does not match (wrong key or\n"
        "key version), a response MAC that does not verify, a session the card ended. The channel is\n"
        "unusable afterwards.",
        {types.error});
    types.argument_error = make_type(
        m, "ArgumentError",
        "A bad argument: malformed hex, a wrong length, an unknown URI scheme or level (also a ValueError).",
        {types.error, PyExc_ValueError});
    types.state_error = make_type(m, "StateError", "A simulated card's state file cannot be read or written.",
                                  {types.error});
    types.crypto_error = make_type(m, "CryptoError", "An OpenSSL operation failed.", {types.error});
    types.journal_error = make_type(m, "JournalError", "A personalization journal cannot be opened or written.",
                                    {types.error});
    types.closed_error = make_type(
        m, "ClosedError", "A card or secure channel used after it was closed (also a ValueError, like a closed file).",
        {types.error, PyExc_ValueError});
    types.personalization_error = make_type(
        m, "PersonalizationError",
        "simkit.personalize() could not personalize the card. Attribute record: the card's record (dict)\n"
        "with 'error' saying what failed.",
        {types.error});

    py::register_exception_translator([](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const PinError& e) {
            py::dict attrs = sw_attributes(e.sw());
            attrs["tries_left"] = e.tries_left() ? py::object(py::int_(*e.tries_left())) : py::object(py::none());
            attrs["blocked"] = py::bool_(e.blocked());
            raise(types.pin_error, e.what(), attrs);
        } catch (const SwError& e) {
            raise(types.card_error, e.what(), sw_attributes(e.sw()));
        } catch (const SecureChannelError& e) {
            raise(types.secure_channel_error, e.what());
        } catch (const TransportError& e) {
            raise(types.transport_error, e.what());
        } catch (const FormatError& e) {
            raise(types.argument_error, e.what());
        } catch (const ArgumentError& e) {
            raise(types.argument_error, e.what());
        } catch (const StateError& e) {
            raise(types.state_error, e.what());
        } catch (const CryptoError& e) {
            raise(types.crypto_error, e.what());
        } catch (const personalize::JournalError& e) {
            raise(types.journal_error, e.what());
        } catch (const ClosedError& e) {
            raise(types.closed_error, e.what());
        } catch (const PersonalizationFailed& e) {
            py::dict attrs;
            attrs["record"] = py::module_::import("json").attr("loads")(e.record_json());
            raise(types.personalization_error, e.what(), attrs);
        } catch (const Error& e) {
            raise(types.error, e.what());
        }
    });
}

}  // namespace simkit::python

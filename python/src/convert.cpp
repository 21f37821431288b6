// Python objects to simkit bytes and back: bytes-like objects as they are, text as hex.
#include <cctype>

#include "common.hpp"

namespace simkit::python {

namespace {

// The raw bytes of a bytes-like object, or nothing when `value` is not one.
std::optional<std::string> buffer_bytes(const py::handle& value) {
    if (PyBytes_Check(value.ptr())) {
        char* data = nullptr;
        Py_ssize_t size = 0;
        PyBytes_AsStringAndSize(value.ptr(), &data, &size);
        return std::string(data, static_cast<std::size_t>(size));
    }
    if (PyObject_CheckBuffer(value.ptr()) && !PyUnicode_Check(value.ptr())) {
        Py_buffer view;
        if (PyObject_GetBuffer(value.ptr(), &view, PyBUF_SIMPLE) != 0) {
            PyErr_Clear();
            return std::nullopt;
        }
        std::string out(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
        PyBuffer_Release(&view);
        return out;
    }
    return std::nullopt;
}

std::string type_name(const py::handle& value) { return py::str(py::type::handle_of(value).attr("__name__")); }

// Hex text: spaces, colons and an optional 0x prefix allowed. The message never quotes a secret.
template <typename Buffer>
Buffer parse_hex(std::string text, const char* what, bool secret) {
    std::string_view view = text;
    while (!view.empty() && std::isspace(static_cast<unsigned char>(view.front()))) view.remove_prefix(1);
    if (view.size() >= 2 && view[0] == '0' && (view[1] == 'x' || view[1] == 'X')) view.remove_prefix(2);
    try {
        if constexpr (std::is_same_v<Buffer, secure_bytes>) {
            Buffer out = secure_from_hex(view);
            secure_wipe(text.data(), text.size());
            return out;
        } else {
            return from_hex(view);
        }
    } catch (const FormatError& e) {
        secure_wipe(text.data(), text.size());
        if (secret) throw ArgumentError(std::string(what) + ": not valid hex");
        throw ArgumentError(std::string(what) + ": " + e.what());
    }
}

template <typename Buffer>
Buffer convert(const py::handle& value, const char* what, bool secret) {
    if (value.is_none()) throw ArgumentError(std::string(what) + " is missing (None)");
    if (PyUnicode_Check(value.ptr())) return parse_hex<Buffer>(value.cast<std::string>(), what, secret);
    if (auto raw = buffer_bytes(value)) {
        Buffer out(raw->begin(), raw->end());
        secure_wipe(raw->data(), raw->size());
        return out;
    }
    throw ArgumentError(std::string(what) + ": expected bytes or a hex string, not " + type_name(value));
}

template <typename Buffer>
Buffer with_length(Buffer value, const char* what, std::size_t length) {
    if (value.size() != length) {
        throw ArgumentError(std::string(what) + " must be " + std::to_string(length) + " bytes (" +
                            std::to_string(2 * length) + " hex digits), not " + std::to_string(value.size()));
    }
    return value;
}

}  // namespace

bytes arg_bytes(const py::handle& value, const char* what) { return convert<bytes>(value, what, false); }
secure_bytes arg_secret(const py::handle& value, const char* what) { return convert<secure_bytes>(value, what, true); }
bytes arg_bytes(const py::handle& value, const char* what, std::size_t length) {
    return with_length(arg_bytes(value, what), what, length);
}
secure_bytes arg_secret(const py::handle& value, const char* what, std::size_t length) {
    return with_length(arg_secret(value, what), what, length);
}

secure_bytes arg_pin(const py::handle& value, const char* what) {
    secure_bytes out;
    if (PyUnicode_Check(value.ptr())) {
        std::string text = value.cast<std::string>();
        out.assign(text.begin(), text.end());
        secure_wipe(text.data(), text.size());
    } else if (PyLong_Check(value.ptr())) {
        throw ArgumentError(std::string(what) + ": give the digits as a str (a PIN such as 0123 would lose its zero as an int)");
    } else if (auto raw = buffer_bytes(value)) {
        out.assign(raw->begin(), raw->end());
        secure_wipe(raw->data(), raw->size());
    } else {
        throw ArgumentError(std::string(what) + ": expected a str of digits, not " + type_name(value));
    }
    if (out.size() < 4 || out.size() > 8) throw ArgumentError(std::string(what) + " must be 4 to 8 digits");
    for (uint8_t c : out) {
        if (c < '0' || c > '9') throw ArgumentError(std::string(what) + " must be decimal digits only");
    }
    return out;
}

uint8_t arg_byte(const py::handle& value, const char* what) {
    if (PyLong_Check(value.ptr()) && !PyBool_Check(value.ptr())) {
        const long long v = value.cast<long long>();
        if (v < 0 || v > 255) throw ArgumentError(std::string(what) + " must be 0..255, not " + std::to_string(v));
        return static_cast<uint8_t>(v);
    }
    if (PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr())) {
        const bytes b = arg_bytes(value, what);
        if (b.size() == 1) return b[0];
        throw ArgumentError(std::string(what) + " must be one byte (an int 0..255 or two hex digits such as '30')");
    }
    throw ArgumentError(std::string(what) + ": expected an int 0..255 or two hex digits, not " + type_name(value));
}

py::bytes to_py(const bytes& data) {
    return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}
py::bytes to_py(const secure_bytes& data) {
    return py::bytes(reinterpret_cast<const char*>(data.data()), data.size());
}

}  // namespace simkit::python

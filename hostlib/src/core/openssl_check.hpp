// The one border between OpenSSL's return codes and simkit's exceptions, for the EVP wrappers in
// hostlib/src/core (crypto.cpp, ec_keys.cpp, ec_encoding.cpp, kdf.cpp, aes_gcm.cpp): a failed call raises CryptoError naming the call and
// OpenSSL's queued error string.
#pragma once

namespace simkit::crypto::detail {

[[noreturn]] void fail(const char* call);

inline void check(int ok, const char* call) {
    if (ok != 1) fail(call);
}

template <typename T>
T* check_ptr(T* p, const char* call) {
    if (p == nullptr) fail(call);
    return p;
}

}  // namespace simkit::crypto::detail

// An OpenSSL object owned by a std::unique_ptr that frees it with its own free function:
//   OpensslPtr<X509, X509_free> cert(X509_new());
// One copy for the core's EVP wrappers, the card and the tools.
#pragma once

#include <memory>

namespace simkit {

template <typename T, void (*Free)(T*)>
struct OpensslFree {
    void operator()(T* p) const noexcept { Free(p); }
};

template <typename T, void (*Free)(T*)>
using OpensslPtr = std::unique_ptr<T, OpensslFree<T, Free>>;

}  // namespace simkit

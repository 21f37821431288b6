// Owning handles for the OpenSSL objects the EC, KDF and AEAD wrappers in hostlib/src/core use, and
// two small helpers for passing byte strings to OpenSSL. Internal to simkit_core.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <string>

#include "simkit/errors.hpp"
#include "simkit/core/openssl_ptr.hpp"

namespace simkit::crypto::detail {

using PkeyCtx = OpensslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using Bn = OpensslPtr<BIGNUM, BN_free>;
using SecretBn = OpensslPtr<BIGNUM, BN_clear_free>;
using BnCtx = OpensslPtr<BN_CTX, BN_CTX_free>;
using Group = OpensslPtr<EC_GROUP, EC_GROUP_free>;
using Point = OpensslPtr<EC_POINT, EC_POINT_free>;
using ParamBld = OpensslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = OpensslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using Bio = OpensslPtr<BIO, BIO_free_all>;
using Kdf = OpensslPtr<EVP_KDF, EVP_KDF_free>;
using KdfCtx = OpensslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using Cipher = OpensslPtr<EVP_CIPHER, EVP_CIPHER_free>;

// OpenSSL's name of P-256 (= prime256v1 = secp256r1).
inline constexpr const char* kP256GroupName = "prime256v1";

// OSSL_PARAM octet strings want a non-null pointer even for zero bytes.
inline void* param_data(const uint8_t* data) {
    static const uint8_t empty = 0;  // read, never written
    return const_cast<uint8_t*>(data != nullptr ? data : &empty);
}

// A length as the int OpenSSL's older calls take; ArgumentError beyond INT_MAX.
inline int int_size(std::size_t size, const char* what) {
    if (size > static_cast<std::size_t>(INT_MAX)) throw ArgumentError(std::string(what) + " is too long");
    return static_cast<int>(size);
}

}  // namespace simkit::crypto::detail

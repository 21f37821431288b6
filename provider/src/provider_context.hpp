// The provider's context (one per provider instance, OpenSSL's "provctx"): the core's handle and
// error upcalls, a child library context for the host-side digests, and the card sessions.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include "card_sessions.hpp"

namespace simkit::provider {

inline constexpr const char* kName = "simkit";
// Every algorithm of this provider carries this property; fetches for our own use exclude it.
inline constexpr const char* kProperties = "provider=simkit";
inline constexpr const char* kNotThisProvider = "provider!=simkit";

struct ProviderContext {
    const OSSL_CORE_HANDLE* handle = nullptr;
    OSSL_LIB_CTX* libctx = nullptr;  // child of the application's library context
    OSSL_FUNC_core_new_error_fn* new_error = nullptr;
    OSSL_FUNC_core_set_error_debug_fn* set_error_debug = nullptr;
    OSSL_FUNC_core_vset_error_fn* vset_error = nullptr;
    CardSessions sessions;
};

// The provider's entry point (OSSL_provider_init's signature). module_entry.cpp exports it as
// OSSL_provider_init; provider_key.cpp registers it as a built-in provider.
int provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
                  void** provctx);

// The algorithm tables (store_loader.cpp, ec_keymgmt.cpp, ecdsa_signature.cpp).
extern const OSSL_DISPATCH kStoreLoaderFunctions[];
extern const OSSL_DISPATCH kEcKeymgmtFunctions[];
extern const OSSL_DISPATCH kEcdsaSignatureFunctions[];

}  // namespace simkit::provider

// The provider's entry: the core's upcalls, the child library context, the algorithm tables
// (STORE "simkit", KEYMGMT "EC", SIGNATURE "ECDSA"), the provider's parameters and teardown.
#include "provider_context.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <memory>

#include "provider_errors.hpp"

namespace simkit::provider {
namespace {

#ifndef SIMKIT_VERSION
#define SIMKIT_VERSION "0.1.0"
#endif

const OSSL_ALGORITHM kStoreAlgorithms[] = {
    {"simkit", kProperties, kStoreLoaderFunctions, "simkit key URIs: keys in a SIM's IoT SAFE key store"},
    {nullptr, nullptr, nullptr, nullptr},
};
const OSSL_ALGORITHM kKeymgmtAlgorithms[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", kProperties, kEcKeymgmtFunctions, "P-256 keys held by a SIM"},
    {nullptr, nullptr, nullptr, nullptr},
};
const OSSL_ALGORITHM kSignatureAlgorithms[] = {
    {"ECDSA", kProperties, kEcdsaSignatureFunctions, "ECDSA computed by the SIM"},
    {nullptr, nullptr, nullptr, nullptr},
};

const OSSL_ALGORITHM* provider_query(void*, int operation_id, int* no_cache) {
    *no_cache = 0;
    switch (operation_id) {
        case OSSL_OP_STORE: return kStoreAlgorithms;
        case OSSL_OP_KEYMGMT: return kKeymgmtAlgorithms;
        case OSSL_OP_SIGNATURE: return kSignatureAlgorithms;
        default: return nullptr;
    }
}

const OSSL_PARAM* provider_gettable_params(void*) {
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, nullptr, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, nullptr, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, nullptr, 0),
        OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, nullptr),
        OSSL_PARAM_END,
    };
    return gettable;
}

int provider_get_params(void*, OSSL_PARAM params[]) {
    OSSL_PARAM* p = nullptr;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != nullptr &&
        !OSSL_PARAM_set_utf8_ptr(p, "simkit: keys in a SIM's key store"))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != nullptr && !OSSL_PARAM_set_utf8_ptr(p, SIMKIT_VERSION))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != nullptr && !OSSL_PARAM_set_utf8_ptr(p, SIMKIT_VERSION))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != nullptr && !OSSL_PARAM_set_int(p, 1)) return 0;
    return 1;
}

const OSSL_ITEM* provider_reason_strings(void*) { return static_cast<const OSSL_ITEM*>(reason_strings()); }

void provider_teardown(void* provctx) {
    auto* ctx = static_cast<ProviderContext*>(provctx);
    OSSL_LIB_CTX_free(ctx->libctx);
    delete ctx;  // closes the card sessions no key holds any more
}

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, reinterpret_cast<void (*)()>(provider_teardown)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<void (*)()>(provider_query)},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(provider_gettable_params)},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, reinterpret_cast<void (*)()>(provider_get_params)},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, reinterpret_cast<void (*)()>(provider_reason_strings)},
    {0, nullptr},
};

}  // namespace

int provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
                  void** provctx) {
    auto ctx = std::unique_ptr<ProviderContext>(new (std::nothrow) ProviderContext);
    if (!ctx) return 0;
    ctx->handle = handle;
    for (const OSSL_DISPATCH* upcall = in; upcall != nullptr && upcall->function_id != 0; ++upcall) {
        switch (upcall->function_id) {
            case OSSL_FUNC_CORE_NEW_ERROR: ctx->new_error = OSSL_FUNC_core_new_error(upcall); break;
            case OSSL_FUNC_CORE_SET_ERROR_DEBUG: ctx->set_error_debug = OSSL_FUNC_core_set_error_debug(upcall); break;
            case OSSL_FUNC_CORE_VSET_ERROR: ctx->vset_error = OSSL_FUNC_core_vset_error(upcall); break;
            default: break;
        }
    }
    // Digests for digest-sign come from the application's providers (not this one), seen through a
    // child of its library context.
    ctx->libctx = OSSL_LIB_CTX_new_child(handle, in);
    if (ctx->libctx == nullptr) return 0;
    *out = kProviderFunctions;
    *provctx = ctx.release();
    return 1;
}

}  // namespace simkit::provider

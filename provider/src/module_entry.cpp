// The loadable module's one exported symbol (module.map keeps everything else inside).
#include <openssl/core.h>

#include "provider_context.hpp"

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE* handle,
                                                                         const OSSL_DISPATCH* in,
                                                                         const OSSL_DISPATCH** out, void** provctx) {
    return simkit::provider::provider_init(handle, in, out, provctx);
}

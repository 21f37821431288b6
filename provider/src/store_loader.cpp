// OSSL_STORE loader for the "simkit" scheme: opening a key URI yields one object, the private key
// of the slot (with its public half), passed to the core by reference to our KEYMGMT. Loading opens
// the card (or reuses the process's session on it), reads the slot's object attributes and public
// key, and verifies the PIN of a PIN-bound key (from pin-file/pin-env, else the passphrase callback).
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

#include "key_object.hpp"
#include "provider_context.hpp"
#include "provider_errors.hpp"
#include "simkit/card_uri.hpp"
#include "simkit/key_uri.hpp"

namespace simkit::provider {
namespace {

struct LoaderContext {
    ProviderContext* ctx = nullptr;
    KeyUri uri;
    std::unique_ptr<KeyObject> key;  // kept until close: the core copies it through KEYMGMT load
    bool done = false;
};

void* loader_open(void* provctx, const char* uri) {
    auto* ctx = static_cast<ProviderContext*>(provctx);
    if (uri == nullptr || !KeyUri::has_scheme(uri)) return nullptr;
    return guarded<void*>(ctx, "", nullptr, [&]() -> void* {
        auto loader = std::make_unique<LoaderContext>();
        loader->ctx = ctx;
        loader->uri = KeyUri::parse(uri);
        return loader.release();
    });
}

const OSSL_PARAM* loader_settable_ctx_params(void*) {
    static const OSSL_PARAM params[] = {OSSL_PARAM_END};
    return params;
}

// OSSL_STORE_expect() and search criteria arrive here; there is one object per URI, so every
// request is answered by it (or by nothing, which the core then reports).
int loader_set_ctx_params(void*, const OSSL_PARAM*) { return 1; }

// The PIN from the passphrase callback: nullopt when there is no callback or it gives nothing.
std::optional<secure_bytes> pin_from_callback(const KeyUri& uri, OSSL_PASSPHRASE_CALLBACK* pw_cb, void* pw_cbarg) {
    if (pw_cb == nullptr) return std::nullopt;
    char buffer[64];
    std::size_t length = 0;
    const std::string& info = uri.text;  // "Enter pass phrase for simkit:slot=...:"
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PASSPHRASE_PARAM_INFO, const_cast<char*>(info.c_str()), 0),
        OSSL_PARAM_END,
    };
    std::optional<secure_bytes> pin;
    // A callback without a way to ask ("No password method specified") is not an error of its own:
    // the PIN-required error that follows says what to do.
    ERR_set_mark();
    if (pw_cb(buffer, sizeof buffer, &length, params, pw_cbarg) && length > 0 && length <= sizeof buffer) {
        pin = secure_bytes(reinterpret_cast<const uint8_t*>(buffer), reinterpret_cast<const uint8_t*>(buffer) + length);
    }
    ERR_pop_to_mark();
    OPENSSL_cleanse(buffer, sizeof buffer);
    return pin;
}

std::unique_ptr<KeyObject> load_key(LoaderContext& loader, OSSL_PASSPHRASE_CALLBACK* pw_cb, void* pw_cbarg) {
    auto key = std::make_unique<KeyObject>();
    key->ctx = loader.ctx;
    key->slot = loader.uri.slot;
    key->name = loader.uri.text;
    key->session = loader.ctx->sessions.get(resolve_card_uri(loader.uri.card).text);

    KeyStoreObject info;
    try {
        info = key->session->run([&](KeyStore& store) {
            KeyStoreObject object = store.private_key_info(key->slot);
            key->public_point = store.public_key(key->slot);
            return object;
        });
    } catch (const SwError& error) {
        if (error.sw() != 0x6A88 && error.sw() != 0x6984) throw;
        throw SwError(error.sw(), "slot " + std::to_string(key->slot) + " holds no key pair (make one with `simkit key gen --slot " +
                                      std::to_string(key->slot) + "`)");
    }
    if (info.pin_bound.value_or(false)) {
        std::optional<secure_bytes> pin = loader.uri.read_pin();
        if (!pin) pin = pin_from_callback(loader.uri, pw_cb, pw_cbarg);
        if (!pin) {
            throw PinRequired("the key in slot " + std::to_string(key->slot) +
                              " is PIN-bound and no PIN was given: add pin-file=PATH or pin-env=NAME to the key URI, "
                              "or give a passphrase (e.g. -passin)");
        }
        key->session->verify_pin(*pin);
    }
    return key;
}

int loader_load(void* loaderctx, OSSL_CALLBACK* object_cb, void* object_cbarg, OSSL_PASSPHRASE_CALLBACK* pw_cb,
                void* pw_cbarg) {
    auto* loader = static_cast<LoaderContext*>(loaderctx);
    if (loader->done) return 0;
    loader->done = true;
    loader->key = guarded<std::unique_ptr<KeyObject>>(loader->ctx, "loading " + loader->uri.text, nullptr,
                                                      [&] { return load_key(*loader, pw_cb, pw_cbarg); });
    if (!loader->key) return 0;

    int object_type = OSSL_OBJECT_PKEY;
    KeyObject* reference = loader->key.get();
    OSSL_PARAM params[] = {
        OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>("EC"), 0),
        OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &reference, sizeof reference),
        OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DESC, const_cast<char*>(loader->uri.text.c_str()), 0),
        OSSL_PARAM_END,
    };
    return object_cb(params, object_cbarg);
}

int loader_eof(void* loaderctx) { return static_cast<LoaderContext*>(loaderctx)->done ? 1 : 0; }

int loader_close(void* loaderctx) {
    delete static_cast<LoaderContext*>(loaderctx);
    return 1;
}

}  // namespace

const OSSL_DISPATCH kStoreLoaderFunctions[] = {
    {OSSL_FUNC_STORE_OPEN, reinterpret_cast<void (*)()>(loader_open)},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, reinterpret_cast<void (*)()>(loader_settable_ctx_params)},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, reinterpret_cast<void (*)()>(loader_set_ctx_params)},
    {OSSL_FUNC_STORE_LOAD, reinterpret_cast<void (*)()>(loader_load)},
    {OSSL_FUNC_STORE_EOF, reinterpret_cast<void (*)()>(loader_eof)},
    {OSSL_FUNC_STORE_CLOSE, reinterpret_cast<void (*)()>(loader_close)},
    {0, nullptr},
};

}  // namespace simkit::provider

// The C++ helper: simkit's provider registered in-process as a built-in provider, and a key URI
// opened through OpenSSL's STORE API like any other key name.
#include "simkit/provider_key.hpp"

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>

#include "provider_context.hpp"
#include "simkit/errors.hpp"
#include "simkit/key_uri.hpp"

namespace simkit {
namespace {

// The PIN handed to the provider's passphrase callback (through OpenSSL's UI wrapper).
int pin_callback(char* buffer, int size, int, void* userdata) {
    const auto* pin = static_cast<const secure_bytes*>(userdata);
    if (pin == nullptr || pin->empty() || pin->size() > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buffer, pin->data(), pin->size());
    return static_cast<int>(pin->size());
}

struct StoreCloser {
    void operator()(OSSL_STORE_CTX* store) const noexcept { OSSL_STORE_close(store); }
};
struct UiMethodFree {
    void operator()(UI_METHOD* method) const noexcept { UI_destroy_method(method); }
};
struct StoreInfoFree {
    void operator()(OSSL_STORE_INFO* info) const noexcept { OSSL_STORE_INFO_free(info); }
};

}  // namespace

void load_simkit_provider(OSSL_LIB_CTX* libctx) {
    static std::mutex mutex;
    static std::set<OSSL_LIB_CTX*> loaded;
    std::lock_guard lock(mutex);
    if (loaded.count(libctx) != 0) return;
    // Loading a provider explicitly switches off the implicit default one: load it too (first, so
    // that generic fetches of "EC" keep finding the software implementation).
    if (OSSL_PROVIDER_load(libctx, "default") == nullptr) {
        throw CryptoError("loading OpenSSL's default provider: " + take_openssl_errors());
    }
    if (!OSSL_PROVIDER_available(libctx, provider::kName)) {
        if (!OSSL_PROVIDER_add_builtin(libctx, provider::kName, provider::provider_init) ||
            OSSL_PROVIDER_load(libctx, provider::kName) == nullptr) {
            throw CryptoError("loading the simkit provider: " + take_openssl_errors());
        }
    }
    loaded.insert(libctx);
}

crypto::Pkey open_provider_key(const std::string& uri, const ProviderKeyOptions& options) {
    KeyUri::parse(uri);  // a clear FormatError before OpenSSL's generic "unsupported" one
    load_simkit_provider(options.libctx);
    ERR_clear_error();

    std::unique_ptr<UI_METHOD, UiMethodFree> ui;
    if (options.pin) {
        ui.reset(UI_UTIL_wrap_read_pem_callback(pin_callback, 0));
        if (!ui) throw CryptoError("UI_UTIL_wrap_read_pem_callback: " + take_openssl_errors());
    }
    void* ui_data = options.pin ? const_cast<secure_bytes*>(&*options.pin) : nullptr;
    // provider=simkit: the key data comes to this provider's KEYMGMT directly.
    std::unique_ptr<OSSL_STORE_CTX, StoreCloser> store(
        OSSL_STORE_open_ex(uri.c_str(), options.libctx, provider::kProperties, ui.get(), ui_data, nullptr, nullptr, nullptr));
    crypto::Pkey key;
    while (store && !key && !OSSL_STORE_eof(store.get())) {
        std::unique_ptr<OSSL_STORE_INFO, StoreInfoFree> info(OSSL_STORE_load(store.get()));
        if (!info) break;
        if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) key.reset(OSSL_STORE_INFO_get1_PKEY(info.get()));
    }
    if (!key) {
        const std::string errors = take_openssl_errors();
        throw CryptoError("opening key " + uri + ": " + (errors.empty() ? "no key found" : errors));
    }
    return key;
}

std::string take_openssl_errors() {
    std::string text;
    const char* data = nullptr;
    int flags = 0;
    while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        // The provider's own errors carry the whole message; OpenSSL's say the reason, with detail.
        const bool has_data = data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0';
        const char* reason = ERR_reason_error_string(code);
        std::string message;
        if (has_data && std::strncmp(data, "simkit: ", 8) == 0) {
            message = data + 8;
        } else if (reason != nullptr) {
            message = has_data ? std::string(reason) + " (" + data + ")" : reason;
        } else {
            char buffer[256];
            ERR_error_string_n(code, buffer, sizeof buffer);
            message = has_data ? std::string(buffer) + " (" + data + ")" : buffer;
        }
        if (!text.empty()) text += "; ";
        text += message;
    }
    return text;
}

}  // namespace simkit

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
#include <vector>

#include "provider_context.hpp"
#include "simkit/errors.hpp"
#include "simkit/key_uri.hpp"
#include "simkit/core/openssl_ptr.hpp"

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

// The providers load_simkit_provider loaded, unloaded when the program ends.
class LoadedProviders {
public:
    ~LoadedProviders() {
        for (auto it = providers_.rbegin(); it != providers_.rend(); ++it) OSSL_PROVIDER_unload(*it);
    }
    bool has(OSSL_LIB_CTX* libctx) const { return contexts_.count(libctx) != 0; }
    void add(OSSL_PROVIDER* provider) { providers_.push_back(provider); }
    void mark(OSSL_LIB_CTX* libctx) { contexts_.insert(libctx); }

private:
    std::vector<OSSL_PROVIDER*> providers_;
    std::set<OSSL_LIB_CTX*> contexts_;
};

}  // namespace

void load_simkit_provider(OSSL_LIB_CTX* libctx) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    // Loading a provider explicitly switches off the implicit default one: load it too (first, so
    // that generic fetches of "EC" keep finding the software implementation).
    OSSL_PROVIDER* default_provider = OSSL_PROVIDER_load(libctx, "default");
    if (default_provider == nullptr) throw CryptoError("loading OpenSSL's default provider: " + take_openssl_errors());
    // Constructed after OpenSSL's own initialisation (the load above), so destroyed before OpenSSL's
    // exit-time cleanup: the providers are unloaded, the card sessions closed (state files unlocked,
    // readers released) and nothing is left for a leak checker.
    static LoadedProviders loaded;
    if (loaded.has(libctx)) {
        OSSL_PROVIDER_unload(default_provider);
        return;
    }
    loaded.add(default_provider);
    if (!OSSL_PROVIDER_available(libctx, provider::kName) &&
        !OSSL_PROVIDER_add_builtin(libctx, provider::kName, provider::provider_init)) {
        throw CryptoError("registering the simkit provider: " + take_openssl_errors());
    }
    OSSL_PROVIDER* simkit_provider = OSSL_PROVIDER_load(libctx, provider::kName);
    if (simkit_provider == nullptr) throw CryptoError("loading the simkit provider: " + take_openssl_errors());
    loaded.add(simkit_provider);
    loaded.mark(libctx);
}

crypto::Pkey open_provider_key(const std::string& uri, const ProviderKeyOptions& options) {
    KeyUri::parse(uri);  // a clear FormatError before OpenSSL's generic "unsupported" one
    load_simkit_provider(options.libctx);
    ERR_clear_error();

    OpensslPtr<UI_METHOD, UI_destroy_method> ui;
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
        OpensslPtr<OSSL_STORE_INFO, OSSL_STORE_INFO_free> info(OSSL_STORE_load(store.get()));
        if (!info) break;
        if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) key.reset(OSSL_STORE_INFO_get1_PKEY(info.get()));
    }
    if (!key) {
        const std::string errors = take_openssl_errors();
        // The provider's messages name the URI already.
        if (errors.find(uri) != std::string::npos) throw CryptoError(errors);
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

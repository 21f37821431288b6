// simkit's OpenSSL 3 provider from C++: the on-card key as an EVP_PKEY that any OpenSSL 3 code
// (libssl, X509_REQ_sign_ctx, EVP_DigestSign...) uses like a software key, while every private-key
// operation (ECDSA) runs on the card. Key names are key URIs (key_uri.hpp, specs/provider.md):
//   auto key = simkit::open_provider_key("simkit:slot=1;card=sim:card.state");
//   SSL_CTX_use_PrivateKey(ctx, key.get());
// The same provider is the loadable module build/lib/ossl-modules/simkit.so for programs that cannot
// change their code (`openssl s_client -provider-path ... -provider default -provider simkit -key
// simkit:...`). In-process, the provider is registered as a built-in provider named "simkit"; no
// module file is needed.
#pragma once

#include <optional>
#include <string>

#include "simkit/bytes.hpp"
#include "simkit/ec.hpp"

typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;

namespace simkit {

// Makes the "simkit" provider (and OpenSSL's "default" provider, which an explicit load would
// otherwise switch off) available in `libctx` (nullptr: OpenSSL's default library context).
// Idempotent and thread-safe. CryptoError when OpenSSL refuses.
void load_simkit_provider(OSSL_LIB_CTX* libctx = nullptr);

struct ProviderKeyOptions {
    OSSL_LIB_CTX* libctx = nullptr;
    // The user PIN of a PIN-bound key, handed to the provider through OpenSSL's passphrase callback
    // (used when the URI names neither pin-file nor pin-env). Wiped by the caller's secure_bytes.
    std::optional<secure_bytes> pin;
};

// Loads the provider (load_simkit_provider) and opens the key `uri` names through OpenSSL's STORE
// API: the card is opened (or the process's open session on it reused), the key store applet
// selected, the slot's public key read and, for a PIN-bound key, the PIN verified. The returned
// EVP_PKEY holds a reference to the slot, never the private key. Errors: FormatError for a URI
// that is not a key URI; CryptoError carrying the provider's message (which names the card's status
// word, e.g. "no private key in slot 9 on sim:card.state: 6A88 referenced data not found") otherwise.
crypto::Pkey open_provider_key(const std::string& uri, const ProviderKeyOptions& options = {});

// The OpenSSL error queue as text, oldest first, "; "-separated (the queue is emptied). Empty when
// the queue is empty. For messages after a failed OpenSSL call made with a provider key.
std::string take_openssl_errors();

}  // namespace simkit

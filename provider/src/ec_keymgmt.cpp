// KEYMGMT "EC" (P-256 only): key data is a KeyObject. Keys loaded from a key URI hold a reference to
// the card's slot; the private half never comes to the host. Public keys can be imported (so that
// EVP_PKEY_eq can compare a certificate's key with ours) and exported (so that encoders write the
// SubjectPublicKeyInfo of CSRs and certificates). Export refuses a selection that includes the
// private key: OpenSSL would otherwise move the key to the default provider as a public key and
// try to sign there ("missing private key"); refusing makes it use this provider's SIGNATURE.
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

#include "key_object.hpp"
#include "provider_context.hpp"
#include "provider_errors.hpp"
#include "simkit/ec.hpp"

namespace simkit::provider {

std::string KeyObject::where() const {
    return "slot " + std::to_string(slot) + (session ? " on " + session->card_uri() : std::string());
}

namespace {

constexpr const char* kGroupName = "prime256v1";
constexpr int kBits = 256;
constexpr int kSecurityBits = 128;
constexpr int kMaxSignatureSize = 72;  // DER ECDSA-Sig-Value with two 33-byte integers

bool is_p256_name(const char* name) {
    return OPENSSL_strcasecmp(name, "prime256v1") == 0 || OPENSSL_strcasecmp(name, "P-256") == 0 ||
           OPENSSL_strcasecmp(name, "secp256r1") == 0;
}

// An encoded point (uncompressed or compressed) as 04 || X || Y; empty when it is not on P-256
// (EC_POINT_oct2point checks that).
bytes uncompressed_point(const unsigned char* data, std::size_t size) {
    std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1),
                                                              EC_GROUP_free);
    if (!group) return {};
    std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> ec_point(EC_POINT_new(group.get()), EC_POINT_free);
    if (!ec_point || !EC_POINT_oct2point(group.get(), ec_point.get(), data, size, nullptr)) return {};
    bytes point(crypto::kP256PointSize);
    if (EC_POINT_point2oct(group.get(), ec_point.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(), point.size(),
                           nullptr) != point.size()) {
        return {};
    }
    return point;
}

void* keymgmt_new(void* provctx) {
    auto* key = new (std::nothrow) KeyObject;
    if (key != nullptr) key->ctx = static_cast<ProviderContext*>(provctx);
    return key;
}

void keymgmt_free(void* keydata) { delete static_cast<KeyObject*>(keydata); }

// The store loader's reference: a pointer to its KeyObject, copied.
void* keymgmt_load(const void* reference, std::size_t reference_size) {
    if (reference == nullptr || reference_size != sizeof(KeyObject*)) return nullptr;
    const KeyObject* source = nullptr;
    std::memcpy(&source, reference, sizeof source);
    return new (std::nothrow) KeyObject(*source);
}

void* keymgmt_dup(const void* keydata, int) { return new (std::nothrow) KeyObject(*static_cast<const KeyObject*>(keydata)); }

int keymgmt_has(const void* keydata, int selection) {
    const auto* key = static_cast<const KeyObject*>(keydata);
    if (key == nullptr) return 0;
    bool ok = true;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) ok = ok && !key->public_point.empty();
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) ok = ok && key->has_private();
    return ok ? 1 : 0;
}

int keymgmt_match(const void* keydata1, const void* keydata2, int selection) {
    const auto* a = static_cast<const KeyObject*>(keydata1);
    const auto* b = static_cast<const KeyObject*>(keydata2);
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return 1;  // domain parameters: both P-256
    // A private half on a card is known by its public half.
    return !a->public_point.empty() && a->public_point == b->public_point ? 1 : 0;
}

int keymgmt_import(void* keydata, int selection, const OSSL_PARAM params[]) {
    auto* key = static_cast<KeyObject*>(keydata);
    const OSSL_PARAM* group = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (group != nullptr) {
        const char* name = nullptr;
        if (!OSSL_PARAM_get_utf8_string_ptr(group, &name) || !is_p256_name(name)) {
            raise_error(key->ctx, kReasonUnsupported, std::string("only P-256 keys, not ") + (name ? name : "?"));
            return 0;
        }
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 &&
        OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY) != nullptr) {
        raise_error(key->ctx, kReasonUnsupported, "a private key cannot be imported: simkit keys are made on the card");
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0) return 1;
    const OSSL_PARAM* pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
    const void* data = nullptr;
    std::size_t size = 0;
    if (pub == nullptr || !OSSL_PARAM_get_octet_string_ptr(pub, &data, &size)) return 0;
    bytes point = uncompressed_point(static_cast<const unsigned char*>(data), size);
    if (point.empty()) {
        raise_error(key->ctx, kReasonUnsupported, "the public key is not a point on P-256");
        return 0;
    }
    key->public_point = std::move(point);
    return 1;
}

const OSSL_PARAM* keymgmt_key_types(int) {
    static const OSSL_PARAM types[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
        OSSL_PARAM_END,
    };
    return types;
}

int keymgmt_export(void* keydata, int selection, OSSL_CALLBACK* callback, void* cbarg) {
    auto* key = static_cast<KeyObject*>(keydata);
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 || key->public_point.empty()) return 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(kGroupName), 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, key->public_point.data(), key->public_point.size()),
        OSSL_PARAM_END,
    };
    return callback(params, cbarg);
}

int keymgmt_get_params(void* keydata, OSSL_PARAM params[]) {
    auto* key = static_cast<KeyObject*>(keydata);
    OSSL_PARAM* p = nullptr;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) != nullptr && !OSSL_PARAM_set_int(p, kBits)) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) != nullptr && !OSSL_PARAM_set_int(p, kSecurityBits))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) != nullptr && !OSSL_PARAM_set_int(p, kMaxSignatureSize))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) != nullptr && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) != nullptr && !OSSL_PARAM_set_utf8_string(p, kGroupName))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT)) != nullptr &&
        !OSSL_PARAM_set_utf8_string(p, "uncompressed"))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING)) != nullptr && !OSSL_PARAM_set_utf8_string(p, "named_curve"))
        return 0;
    for (const char* name : {OSSL_PKEY_PARAM_PUB_KEY, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY}) {
        if ((p = OSSL_PARAM_locate(params, name)) != nullptr &&
            (key->public_point.empty() || !OSSL_PARAM_set_octet_string(p, key->public_point.data(), key->public_point.size())))
            return 0;
    }
    return 1;
}

const OSSL_PARAM* keymgmt_gettable_params(void*) {
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
        OSSL_PARAM_END,
    };
    return gettable;
}

const char* keymgmt_query_operation_name(int operation_id) {
    return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" : nullptr;
}

}  // namespace

const OSSL_DISPATCH kEcKeymgmtFunctions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, reinterpret_cast<void (*)()>(keymgmt_new)},
    {OSSL_FUNC_KEYMGMT_FREE, reinterpret_cast<void (*)()>(keymgmt_free)},
    {OSSL_FUNC_KEYMGMT_LOAD, reinterpret_cast<void (*)()>(keymgmt_load)},
    {OSSL_FUNC_KEYMGMT_DUP, reinterpret_cast<void (*)()>(keymgmt_dup)},
    {OSSL_FUNC_KEYMGMT_HAS, reinterpret_cast<void (*)()>(keymgmt_has)},
    {OSSL_FUNC_KEYMGMT_MATCH, reinterpret_cast<void (*)()>(keymgmt_match)},
    {OSSL_FUNC_KEYMGMT_IMPORT, reinterpret_cast<void (*)()>(keymgmt_import)},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, reinterpret_cast<void (*)()>(keymgmt_key_types)},
    {OSSL_FUNC_KEYMGMT_EXPORT, reinterpret_cast<void (*)()>(keymgmt_export)},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, reinterpret_cast<void (*)()>(keymgmt_key_types)},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, reinterpret_cast<void (*)()>(keymgmt_get_params)},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, reinterpret_cast<void (*)()>(keymgmt_gettable_params)},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, reinterpret_cast<void (*)()>(keymgmt_query_operation_name)},
    {0, nullptr},
};

}  // namespace simkit::provider

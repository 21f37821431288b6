/* C API: key store generate / public key / sign, and the user PIN. Truth: OpenSSL, used directly
 * here (EVP), verifies every signature against the public key the card gave, and checks that the
 * DER SubjectPublicKeyInfo and the uncompressed point are the same key; status words as specified
 * in specs/keystore.md (6984 empty object, 6A88 unknown slot, 6982 PIN-bound key without PIN) and
 * ISO 7816-4 (63Cx wrong PIN, x tries left). Factory PIN 1234, 3 tries (README). */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "capi_check.h"

static const char kMessage[] = "firmware image 1.2.3";

/* 1 when `sig` is a valid ECDSA-SHA256 signature of `message` under the SPKI `spki`. */
static int openssl_verifies(const uint8_t *spki, size_t spki_len, const uint8_t *message, size_t message_len,
                            const uint8_t *sig, size_t sig_len) {
    const unsigned char *p = spki;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)spki_len);
    if (key == NULL) return 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, message, message_len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

/* 1 when the SPKI holds a P-256 key whose uncompressed point is `point`. */
static int spki_matches_point(const uint8_t *spki, size_t spki_len, const uint8_t *point, size_t point_len) {
    const unsigned char *p = spki;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)spki_len);
    if (key == NULL) return 0;
    unsigned char encoded[128];
    size_t encoded_len = 0;
    char group[32];
    int ok = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, NULL) == 1 &&
             strcmp(group, "prime256v1") == 0 &&
             EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, encoded, sizeof encoded,
                                             &encoded_len) == 1 &&
             encoded_len == point_len && memcmp(encoded, point, point_len) == 0;
    EVP_PKEY_free(key);
    return ok;
}

static void generate_and_sign(simkit_card *card) {
    CHECK_OK(simkit_keystore_generate(card, 1, 0));

    /* size queries: no buffer, length 0 */
    size_t point_len = 0;
    CHECK_RC(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_POINT, NULL, &point_len), SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(point_len == SIMKIT_P256_POINT_LEN);
    size_t spki_len = 0;
    CHECK_RC(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_SPKI_DER, NULL, &spki_len), SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(spki_len == SIMKIT_P256_SPKI_DER_LEN);
    uint8_t small[10];
    size_t small_len = sizeof small;
    CHECK_RC(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_POINT, small, &small_len), SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(small_len == 65);
    CHECK(strstr(simkit_last_error(card), "65 bytes needed") != NULL);

    uint8_t point[SIMKIT_P256_POINT_LEN];
    point_len = sizeof point;
    CHECK_OK(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_POINT, point, &point_len));
    CHECK(point_len == 65 && point[0] == 0x04);
    uint8_t spki[128];
    spki_len = sizeof spki;
    CHECK_OK(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_SPKI_DER, spki, &spki_len));
    CHECK(spki_len == SIMKIT_P256_SPKI_DER_LEN);
    CHECK(spki_matches_point(spki, spki_len, point, point_len));

    uint8_t sig[SIMKIT_ECDSA_DER_MAX_LEN];
    for (int i = 0; i < 3; i++) {
        size_t sig_len = sizeof sig;
        CHECK_OK(simkit_keystore_sign(card, 1, (const uint8_t *)kMessage, strlen(kMessage), sig, &sig_len));
        CHECK(sig_len >= 8 && sig_len <= SIMKIT_ECDSA_DER_MAX_LEN && sig[0] == 0x30);
        CHECK(openssl_verifies(spki, spki_len, (const uint8_t *)kMessage, strlen(kMessage), sig, sig_len));
        /* and not for another message */
        CHECK(!openssl_verifies(spki, spki_len, (const uint8_t *)"other", 5, sig, sig_len));
    }

    /* the digest form: SHA-256 computed here with OpenSSL */
    uint8_t digest[32];
    unsigned digest_len = 0;
    CHECK(EVP_Digest(kMessage, strlen(kMessage), digest, &digest_len, EVP_sha256(), NULL) == 1 && digest_len == 32);
    size_t sig_len = sizeof sig;
    CHECK_OK(simkit_keystore_sign_digest(card, 1, digest, sizeof digest, sig, &sig_len));
    CHECK(openssl_verifies(spki, spki_len, (const uint8_t *)kMessage, strlen(kMessage), sig, sig_len));
    CHECK_RC(simkit_keystore_sign_digest(card, 1, digest, 31, sig, &sig_len), SIMKIT_E_INVALID_ARGUMENT);

    /* empty message */
    sig_len = sizeof sig;
    CHECK_OK(simkit_keystore_sign(card, 1, NULL, 0, sig, &sig_len));
    CHECK(openssl_verifies(spki, spki_len, (const uint8_t *)"", 0, sig, sig_len));

    /* signature buffer checked before the card signs: the maximum DER length is needed */
    size_t query = 0;
    CHECK_RC(simkit_keystore_sign(card, 1, (const uint8_t *)kMessage, 3, NULL, &query), SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(query == SIMKIT_ECDSA_DER_MAX_LEN);
    uint8_t short_sig[40];
    size_t short_len = sizeof short_sig;
    CHECK_RC(simkit_keystore_sign(card, 1, (const uint8_t *)kMessage, 3, short_sig, &short_len),
             SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(short_len == 72);

    /* NULL arguments */
    CHECK_RC(simkit_keystore_sign(card, 1, NULL, 4, sig, &sig_len), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_keystore_sign(card, 1, (const uint8_t *)kMessage, 3, sig, NULL), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_POINT, point, NULL), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_keystore_public_key(card, 1, (simkit_pubkey_format)9, point, &point_len),
             SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_keystore_generate(card, 1, 0x80), SIMKIT_E_INVALID_ARGUMENT);
}

static void card_errors_name_the_status_word(simkit_card *card) {
    uint8_t buf[128];
    size_t len = sizeof buf;
    CHECK_RC(simkit_keystore_public_key(card, 2, SIMKIT_PUBKEY_POINT, buf, &len), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6984);
    CHECK(strstr(simkit_last_error(card), "6984") != NULL);
    CHECK(strstr(simkit_last_error(NULL), "6984") != NULL);

    len = sizeof buf;
    CHECK_RC(simkit_keystore_sign(card, 2, (const uint8_t *)kMessage, 4, buf, &len), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6984);

    CHECK_RC(simkit_keystore_generate(card, 9, 0), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6A88);
    CHECK(strstr(simkit_last_error(card), "6A88") != NULL);
    CHECK(strstr(simkit_last_error(card), "not found") != NULL); /* the meaning */
}

/* A PIN-bound key signs only after VERIFY; wrong PINs report the tries left (and never the PIN). */
static void pin(const capi_temp_dir *dir) {
    simkit_card *card = capi_open_fresh(dir, "pin.state");
    CHECK_OK(simkit_keystore_generate(card, 2, SIMKIT_KEY_PIN_BOUND));
    uint8_t sig[SIMKIT_ECDSA_DER_MAX_LEN];
    size_t sig_len = sizeof sig;
    CHECK_RC(simkit_keystore_sign(card, 2, (const uint8_t *)kMessage, 4, sig, &sig_len), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6982);

    int tries = 99;
    CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"9999", 4, &tries), SIMKIT_E_CARD);
    CHECK(tries == 2);
    CHECK(simkit_last_sw(card) == 0x63C2);
    CHECK(strstr(simkit_last_error(card), "63C2") != NULL);
    CHECK(strstr(simkit_last_error(card), "9999") == NULL);
    CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"9998", 4, NULL), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x63C1);

    CHECK_OK(simkit_verify_pin(card, (const uint8_t *)"1234", 4, &tries));
    CHECK(tries == -1);
    sig_len = sizeof sig;
    CHECK_OK(simkit_keystore_sign(card, 2, (const uint8_t *)kMessage, strlen(kMessage), sig, &sig_len));
    uint8_t spki[128];
    size_t spki_len = sizeof spki;
    CHECK_OK(simkit_keystore_public_key(card, 2, SIMKIT_PUBKEY_SPKI_DER, spki, &spki_len));
    CHECK(openssl_verifies(spki, spki_len, (const uint8_t *)kMessage, strlen(kMessage), sig, sig_len));

    CHECK_RC(simkit_verify_pin(card, NULL, 4, &tries), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"1234", 0, &tries), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_OK(simkit_close(&card));

    /* three wrong PINs block it: 6983, 0 tries */
    card = capi_open_fresh(dir, "pin.state");
    for (int i = 0; i < 3; i++) CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"0000", 4, &tries), SIMKIT_E_CARD);
    CHECK(tries == 0);
    CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"1234", 4, &tries), SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6983);
    CHECK(tries == 0);
    CHECK_OK(simkit_close(&card));
}

int main(void) {
    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    simkit_card *card = capi_open_fresh(&dir, "card.state");
    generate_and_sign(card);
    card_errors_name_the_status_word(card);
    CHECK_OK(simkit_close(&card));
    pin(&dir);
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_keystore_test");
}

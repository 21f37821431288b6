/* simkit C API example: make a P-256 key on the card's key store, sign a message with it, and print
 * the public key (DER SubjectPublicKeyInfo) and the DER ECDSA signature in hex, one per line:
 *
 *   keystore_sign CARD_URI [SLOT]      e.g. keystore_sign sim:/tmp/card.state 1
 *
 * Check the signature with any ECDSA verifier (openssl dgst -sha256 -verify, python cryptography).
 * Exit 0 on success; on failure the message of simkit_last_error() on stderr and exit 1. */
#include <simkit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_hex(const char *name, const uint8_t *data, size_t len) {
    printf("%s: ", name);
    for (size_t i = 0; i < len; i++) printf("%02x", data[i]);
    printf("\n");
}

static int fail(simkit_card **card, const char *what, int code) {
    fprintf(stderr, "keystore_sign: %s: %s (%s)\n", what, simkit_last_error(*card), simkit_strerror(code));
    if (*card != NULL) simkit_close(card);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CARD_URI [SLOT]\n", argv[0]);
        return 2;
    }
    const uint8_t slot = (uint8_t)(argc == 3 ? atoi(argv[2]) : 1);
    const char *message = "hello from the device firmware";

    simkit_card *card = NULL;
    int rc = simkit_open(argv[1], &card);
    if (rc != SIMKIT_OK) return fail(&card, "open", rc);

    rc = simkit_keystore_generate(card, slot, 0);
    if (rc != SIMKIT_OK) return fail(&card, "generate", rc);

    uint8_t spki[SIMKIT_P256_SPKI_DER_LEN];
    size_t spki_len = sizeof spki;
    rc = simkit_keystore_public_key(card, slot, SIMKIT_PUBKEY_SPKI_DER, spki, &spki_len);
    if (rc != SIMKIT_OK) return fail(&card, "public key", rc);

    uint8_t sig[SIMKIT_ECDSA_DER_MAX_LEN];
    size_t sig_len = sizeof sig;
    rc = simkit_keystore_sign(card, slot, (const uint8_t *)message, strlen(message), sig, &sig_len);
    if (rc != SIMKIT_OK) return fail(&card, "sign", rc);

    printf("message: %s\n", message);
    print_hex("public_key_der", spki, spki_len);
    print_hex("signature_der", sig, sig_len);
    simkit_close(&card);
    return 0;
}

/* C API: GlobalPlatform secure channels. Truth: the factory key set documented for a fresh card
 * (SCP03 KVN 30, ENC = MAC = DEK = 40..4F) and GET STATUS's answer for the ISD (GP 2.3 11.4:
 * E3 template with 4F = the ISD's AID A000000151000000). The property checked is the protocol's:
 * the right keys open a channel whose MACed (and encrypted) commands the card accepts at every
 * level; a wrong key is refused with SIMKIT_E_SECURE_CHANNEL. For SCP02 this test adds a 3DES key
 * set with PUT KEY (GP 2.3 11.8) built here with OpenSSL EVP: key data AES-encrypted under the
 * SCP03 DEK (Amendment D 7.2.2), KCVs = 3DES of 8 zero bytes, which the card must echo. */
#include <openssl/evp.h>

#include "capi_check.h"

static const uint8_t kKey[16] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                                 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
static const uint8_t kGetStatusIsd[] = {0x80, 0xF2, 0x80, 0x02, 0x02, 0x4F, 0x00, 0x00};
static const uint8_t kIsdAidTlv[] = {0x4F, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

static int contains(const uint8_t *data, size_t len, const uint8_t *part, size_t part_len) {
    for (size_t i = 0; i + part_len <= len; i++) {
        if (memcmp(data + i, part, part_len) == 0) return 1;
    }
    return 0;
}

static void get_status_at_level(simkit_card *card, uint8_t level) {
    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0x30, level, kKey, kKey, kKey, sizeof kKey, &scp));
    if (scp == NULL) return;
    for (int round = 0; round < 3; round++) { /* MAC chaining over several commands */
        uint8_t resp[256];
        size_t resp_len = sizeof resp;
        uint16_t sw = 0;
        CHECK_OK(simkit_scp_transmit(scp, kGetStatusIsd, sizeof kGetStatusIsd, resp, &resp_len, &sw));
        CHECK(sw == 0x9000);
        CHECK(resp_len > 2 && resp[0] == 0xE3);
        CHECK(contains(resp, resp_len, kIsdAidTlv, sizeof kIsdAidTlv));
    }
    CHECK_OK(simkit_scp_close(&scp));
}

static void short_buffer(simkit_card *card) {
    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0, SIMKIT_SCP_LEVEL_FULL, kKey, kKey, kKey, sizeof kKey, &scp));
    uint8_t resp[4];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_RC(simkit_scp_transmit(scp, kGetStatusIsd, sizeof kGetStatusIsd, resp, &resp_len, &sw),
             SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(sw == 0x9000);
    CHECK(resp_len > sizeof resp); /* the length needed: the E3 template */
    /* the session goes on: the lost answer was unwrapped and the MAC chain is intact */
    uint8_t big[256];
    size_t big_len = sizeof big;
    CHECK_OK(simkit_scp_transmit(scp, kGetStatusIsd, sizeof kGetStatusIsd, big, &big_len, &sw));
    CHECK(sw == 0x9000 && big_len == resp_len);
    CHECK_OK(simkit_scp_close(&scp));
}

/* simkit.h: a raw SELECT on the basic channel deselects the ISD and the card ends the session. */
static void raw_select_ends_the_session(simkit_card *card) {
    static const uint8_t select_isd[] = {0x00, 0xA4, 0x04, 0x00, 0x00};
    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_FULL, kKey, kKey, kKey, sizeof kKey, &scp));
    uint8_t resp[256];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_transmit(card, select_isd, sizeof select_isd, resp, &resp_len, &sw));
    CHECK(sw == 0x9000);
    resp_len = sizeof resp;
    /* README: a command outside an established session is answered 6982 */
    CHECK_OK(simkit_scp_transmit(scp, kGetStatusIsd, sizeof kGetStatusIsd, resp, &resp_len, &sw));
    CHECK(sw == 0x6982);
    CHECK(simkit_last_sw(card) == 0x6982);
    CHECK_OK(simkit_scp_close(&scp));
}

static void wrong_keys_and_arguments(simkit_card *card) {
    uint8_t wrong[16];
    memcpy(wrong, kKey, sizeof wrong);
    wrong[15] ^= 0x01;
    simkit_scp *scp = (simkit_scp *)&scp;
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_FULL, wrong, wrong, wrong, 16, &scp),
             SIMKIT_E_SECURE_CHANNEL);
    CHECK(scp == NULL);
    CHECK(strstr(simkit_last_error(card), "cryptogram") != NULL);
    /* only the MAC key wrong: the card cryptogram is under S-MAC, so still caught */
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_MAC, kKey, wrong, kKey, 16, &scp),
             SIMKIT_E_SECURE_CHANNEL);

    /* no key set 0x31: INITIALIZE UPDATE answers 6A88 referenced data not found */
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x31, SIMKIT_SCP_LEVEL_MAC, kKey, kKey, kKey, 16, &scp),
             SIMKIT_E_CARD);
    CHECK(simkit_last_sw(card) == 0x6A88);
    CHECK(strstr(simkit_last_error(card), "6A88") != NULL);

    /* SCP02 asked, the card's key set is SCP03: the protocol check refuses it */
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP02, 0x30, SIMKIT_SCP_LEVEL_MAC, kKey, kKey, kKey, 16, &scp),
             SIMKIT_E_SECURE_CHANNEL);

    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, 0x02, kKey, kKey, kKey, 16, &scp), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP02, 0x30, 0x33, kKey, kKey, kKey, 16, &scp), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, 0x33, kKey, kKey, kKey, 15, &scp), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_scp_open(card, (simkit_scp_protocol)7, 0x30, 0x01, kKey, kKey, kKey, 16, &scp),
             SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, 0x33, NULL, kKey, kKey, 16, &scp), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0x30, 0x33, kKey, kKey, kKey, 16, NULL), SIMKIT_E_INVALID_ARGUMENT);
    CHECK(scp == NULL);
}

/* ECB encryption of whole blocks with OpenSSL; 1 on success. */
static int ecb_encrypt(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *in, int len, uint8_t *out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, tail = 0;
    int ok = ctx != NULL && EVP_EncryptInit_ex(ctx, cipher, NULL, key, NULL) == 1 &&
             EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_EncryptUpdate(ctx, out, &n, in, len) == 1 &&
             EVP_EncryptFinal_ex(ctx, out + n, &tail) == 1 && n + tail == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static void scp02_key_set(simkit_card *card) {
    static const uint8_t keys[3][16] = {
        {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F},
        {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F},
        {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F}};
    /* PUT KEY 80 D8 00 81: new KVN 20, then per key: type 80 (DES), 10, encrypted key, 03, KCV */
    uint8_t put_key[5 + 1 + 3 * 22 + 1] = {0x80, 0xD8, 0x00, 0x81, 1 + 3 * 22, 0x20};
    uint8_t kcvs[3][3];
    const uint8_t zeros[8] = {0};
    for (int i = 0; i < 3; i++) {
        uint8_t *component = put_key + 6 + 22 * i;
        uint8_t kcv_block[8];
        component[0] = 0x80;
        component[1] = 0x10;
        CHECK(ecb_encrypt(EVP_aes_128_ecb(), kKey, keys[i], 16, component + 2));
        CHECK(ecb_encrypt(EVP_des_ede_ecb(), keys[i], zeros, 8, kcv_block));
        memcpy(kcvs[i], kcv_block, 3);
        component[18] = 0x03;
        memcpy(component + 19, kcvs[i], 3);
    }
    put_key[sizeof put_key - 1] = 0x00; /* Le */

    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_FULL, kKey, kKey, kKey, sizeof kKey, &scp));
    uint8_t resp[64];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_scp_transmit(scp, put_key, sizeof put_key, resp, &resp_len, &sw));
    CHECK(sw == 0x9000);
    CHECK(resp_len == 10 && resp[0] == 0x20);
    for (int i = 0; i < 3 && resp_len == 10; i++) CHECK(memcmp(resp + 1 + 3 * i, kcvs[i], 3) == 0);
    CHECK_OK(simkit_scp_close(&scp));

    const uint8_t levels[] = {SIMKIT_SCP_LEVEL_MAC, SIMKIT_SCP_LEVEL_MAC_ENC};
    for (int l = 0; l < 2; l++) {
        CHECK_OK(simkit_scp_open(card, SIMKIT_SCP02, 0x20, levels[l], keys[0], keys[1], keys[2], 16, &scp));
        for (int round = 0; round < 2 && scp != NULL; round++) {
            resp_len = sizeof resp;
            CHECK_OK(simkit_scp_transmit(scp, kGetStatusIsd, sizeof kGetStatusIsd, resp, &resp_len, &sw));
            CHECK(sw == 0x9000 && contains(resp, resp_len, kIsdAidTlv, sizeof kIsdAidTlv));
        }
        CHECK_OK(simkit_scp_close(&scp));
    }
    /* the SCP03 keys are not the SCP02 set's */
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP02, 0x20, SIMKIT_SCP_LEVEL_MAC, kKey, kKey, kKey, 16, &scp),
             SIMKIT_E_SECURE_CHANNEL);
    CHECK(scp == NULL);
}

int main(void) {
    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    simkit_card *card = capi_open_fresh(&dir, "card.state");
    get_status_at_level(card, SIMKIT_SCP_LEVEL_MAC);
    get_status_at_level(card, SIMKIT_SCP_LEVEL_MAC_ENC);
    get_status_at_level(card, 0x13);
    get_status_at_level(card, SIMKIT_SCP_LEVEL_FULL);
    short_buffer(card);
    raw_select_ends_the_session(card);
    wrong_keys_and_arguments(card);
    /* after all the refusals the right key still works */
    get_status_at_level(card, SIMKIT_SCP_LEVEL_FULL);
    scp02_key_set(card); /* last: KVN 0 now means the SCP02 set 20 */
    CHECK_OK(simkit_close(&card));
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_scp_test");
}

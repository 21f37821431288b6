/* C API: handles after close, double close, a secure channel whose card was closed, distinct
 * error codes and their descriptions. The property: every misuse of a closed handle gives the
 * documented SIMKIT_E_INVALID_HANDLE, never a crash (this test also runs under ASan). */
#include "capi_check.h"

static const uint8_t kKey[16] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                                 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
static const uint8_t kGetStatus[] = {0x80, 0xF2, 0x80, 0x02, 0x02, 0x4F, 0x00};
static const uint8_t kSelectIsd[] = {0x00, 0xA4, 0x04, 0x00, 0x00};

static void error_codes_are_distinct(void) {
    const int codes[] = {SIMKIT_OK, SIMKIT_E_INVALID_ARGUMENT, SIMKIT_E_BUFFER_TOO_SMALL, SIMKIT_E_TRANSPORT,
                         SIMKIT_E_CARD, SIMKIT_E_SECURE_CHANNEL, SIMKIT_E_INVALID_HANDLE, SIMKIT_E_NO_MEMORY,
                         SIMKIT_E_INTERNAL};
    const size_t n = sizeof codes / sizeof codes[0];
    CHECK(SIMKIT_OK == 0);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) CHECK(codes[i] < 0);
        CHECK(simkit_strerror(codes[i]) != NULL && strlen(simkit_strerror(codes[i])) > 0);
        for (size_t j = i + 1; j < n; j++) {
            CHECK(codes[i] != codes[j]);
            CHECK(strcmp(simkit_strerror(codes[i]), simkit_strerror(codes[j])) != 0);
        }
    }
    CHECK(strstr(simkit_strerror(12345), "unknown") != NULL);
}

static void use_after_close(const capi_temp_dir *dir) {
    simkit_card *card = capi_open_fresh(dir, "close.state");
    CHECK_OK(simkit_close(&card));
    CHECK(card == NULL);

    uint8_t resp[64];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_RC(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw), SIMKIT_E_INVALID_HANDLE);
    CHECK(strstr(simkit_last_error(NULL), "NULL") != NULL);
    CHECK_RC(simkit_keystore_generate(card, 1, 0), SIMKIT_E_INVALID_HANDLE);
    CHECK_RC(simkit_keystore_public_key(card, 1, SIMKIT_PUBKEY_POINT, resp, &resp_len), SIMKIT_E_INVALID_HANDLE);
    CHECK_RC(simkit_keystore_sign(card, 1, resp, 1, resp, &resp_len), SIMKIT_E_INVALID_HANDLE);
    CHECK_RC(simkit_verify_pin(card, (const uint8_t *)"1234", 4, NULL), SIMKIT_E_INVALID_HANDLE);
    simkit_aka_answer answer;
    CHECK_RC(simkit_aka(card, resp, resp, &answer), SIMKIT_E_INVALID_HANDLE);
    simkit_scp *scp = NULL;
    CHECK_RC(simkit_scp_open(card, SIMKIT_SCP03, 0, 0x33, kKey, kKey, kKey, 16, &scp), SIMKIT_E_INVALID_HANDLE);
    CHECK(scp == NULL);
    CHECK(simkit_last_sw(card) == 0);
    CHECK(simkit_last_error(card) == simkit_last_error(NULL));

    CHECK_RC(simkit_close(&card), SIMKIT_E_INVALID_HANDLE); /* double close: detected, harmless */
    CHECK_RC(simkit_close(NULL), SIMKIT_E_INVALID_ARGUMENT);

    /* the state file is free again: the same card opens anew */
    card = capi_open_fresh(dir, "close.state");
    CHECK_OK(simkit_close(&card));
}

static void secure_channel_outlived_by_its_handle(const capi_temp_dir *dir) {
    simkit_card *card = capi_open_fresh(dir, "scp.state");
    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0, SIMKIT_SCP_LEVEL_FULL, kKey, kKey, kKey, sizeof kKey, &scp));
    uint8_t resp[64];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_scp_transmit(scp, kGetStatus, sizeof kGetStatus, resp, &resp_len, &sw));
    CHECK(sw == 0x9000);

    CHECK_OK(simkit_close(&card)); /* ends the session */
    resp_len = sizeof resp;
    CHECK_RC(simkit_scp_transmit(scp, kGetStatus, sizeof kGetStatus, resp, &resp_len, &sw), SIMKIT_E_INVALID_HANDLE);
    CHECK(strstr(simkit_last_error(NULL), "closed") != NULL);
    CHECK_OK(simkit_scp_close(&scp));
    CHECK(scp == NULL);
    CHECK_RC(simkit_scp_transmit(scp, kGetStatus, sizeof kGetStatus, resp, &resp_len, &sw), SIMKIT_E_INVALID_HANDLE);
    CHECK_RC(simkit_scp_close(&scp), SIMKIT_E_INVALID_HANDLE);
    CHECK_RC(simkit_scp_close(NULL), SIMKIT_E_INVALID_ARGUMENT);
}

static void session_closed_before_its_card(const capi_temp_dir *dir) {
    simkit_card *card = capi_open_fresh(dir, "order.state");
    simkit_scp *scp = NULL;
    CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_MAC, kKey, kKey, kKey, sizeof kKey, &scp));
    CHECK_OK(simkit_scp_close(&scp));
    /* the card still works after its session ended */
    uint8_t resp[64];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw));
    CHECK(sw == 0x9000);
    CHECK_OK(simkit_close(&card));
}

int main(void) {
    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    error_codes_are_distinct();
    use_after_close(&dir);
    secure_channel_outlived_by_its_handle(&dir);
    session_closed_before_its_card(&dir);
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_handles_test");
}

/* C API: opening cards by URI, raw APDUs and their status words, output buffers, bad URIs.
 * Truth: the ISO 7816-4 / GlobalPlatform answers documented for a fresh simulated card (README:
 * SELECT of the ISD A000000151000000 answers the FCI 6F..84 08 <AID>.. with 9000; an unknown AID
 * 6A82 "file or application not found"). */
#include "capi_check.h"

static const uint8_t kSelectIsd[] = {0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
static const uint8_t kIsdAid[] = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
static const uint8_t kSelectUnknown[] = {0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x11, 0x22, 0x33, 0x44};

static void select_isd_answers_fci(simkit_card *card) {
    uint8_t resp[SIMKIT_MAX_SHORT_RESPONSE];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw));
    CHECK(sw == 0x9000);
    CHECK(simkit_last_sw(card) == 0x9000);
    /* FCI template 6F with the AID in tag 84 */
    CHECK(resp_len > 12 && resp[0] == 0x6F && resp[2] == 0x84 && resp[3] == 0x08);
    CHECK(resp_len > 12 && memcmp(resp + 4, kIsdAid, sizeof kIsdAid) == 0);
}

static void error_status_word_is_an_answer(simkit_card *card) {
    uint8_t resp[16];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_OK(simkit_transmit(card, kSelectUnknown, sizeof kSelectUnknown, resp, &resp_len, &sw));
    CHECK(sw == 0x6A82);
    CHECK(resp_len == 0);
    CHECK(simkit_last_sw(card) == 0x6A82);
}

static void short_buffer_reports_needed_length(simkit_card *card) {
    uint8_t resp[4];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    CHECK_RC(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw), SIMKIT_E_BUFFER_TOO_SMALL);
    CHECK(sw == 0x9000);   /* the command ran */
    CHECK(resp_len == 18); /* 6F 10 + 16 bytes: the FCI's own length byte says so */
    CHECK(strstr(simkit_last_error(card), "18 bytes needed") != NULL);
    CHECK(strstr(simkit_last_error(NULL), "18 bytes needed") != NULL);

    /* no data expected: NULL buffer with length 0 is fine */
    size_t none = 0;
    CHECK_OK(simkit_transmit(card, kSelectUnknown, sizeof kSelectUnknown, NULL, &none, &sw));
    CHECK(sw == 0x6A82 && none == 0);
}

static void malformed_apdus_and_null_arguments(simkit_card *card) {
    uint8_t resp[8];
    size_t resp_len = sizeof resp;
    uint16_t sw = 0;
    const uint8_t truncated[] = {0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00}; /* Lc 8, 2 bytes of data */
    CHECK_RC(simkit_transmit(card, truncated, sizeof truncated, resp, &resp_len, &sw), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_transmit(card, kSelectIsd, 3, resp, &resp_len, &sw), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_transmit(card, NULL, 5, resp, &resp_len, &sw), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, NULL, &sw), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, NULL, &resp_len, &sw), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_transmit(card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, NULL), SIMKIT_E_INVALID_ARGUMENT);
    CHECK(strstr(simkit_last_error(card), "sw is NULL") != NULL);
    CHECK_RC(simkit_transmit(NULL, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw), SIMKIT_E_INVALID_HANDLE);
}

static void bad_uris(const capi_temp_dir *dir) {
    simkit_card *card = (simkit_card *)&card; /* not NULL: a failed open must set it to NULL */
    CHECK_RC(simkit_open("nosuchscheme:x", &card), SIMKIT_E_INVALID_ARGUMENT);
    CHECK(card == NULL);
    /* the message names the URI forms */
    CHECK(strstr(simkit_last_error(NULL), "sim:") != NULL);
    CHECK(strstr(simkit_last_error(NULL), "pcsc:") != NULL);

    char uri[300];
    snprintf(uri, sizeof uri, "sim:%s/no/such/dir/card.state", dir->path);
    CHECK_RC(simkit_open(uri, &card), SIMKIT_E_TRANSPORT);
    CHECK(card == NULL);
    CHECK(strlen(simkit_last_error(NULL)) > 0);

    CHECK_RC(simkit_open("sim:x", NULL), SIMKIT_E_INVALID_ARGUMENT);

    /* a state file is one card: a second handle on it is refused while the first is open */
    simkit_card *first = capi_open_fresh(dir, "once.state");
    capi_sim_uri(dir, "once.state", uri, sizeof uri);
    CHECK_RC(simkit_open(uri, &card), SIMKIT_E_TRANSPORT);
    CHECK(card == NULL);
    CHECK(strstr(simkit_last_error(NULL), "in use") != NULL);
    CHECK_OK(simkit_close(&first));
    CHECK_OK(simkit_open(uri, &card));
    CHECK_OK(simkit_close(&card));
}

static void uri_from_environment(const capi_temp_dir *dir) {
    char uri[300];
    capi_sim_uri(dir, "env.state", uri, sizeof uri);
    simkit_card *card = NULL;
    unsetenv("SIMKIT_CARD");
    CHECK_RC(simkit_open(NULL, &card), SIMKIT_E_INVALID_ARGUMENT);
    CHECK(strstr(simkit_last_error(NULL), "SIMKIT_CARD") != NULL);
    setenv("SIMKIT_CARD", uri, 1);
    CHECK_OK(simkit_open(NULL, &card));
    CHECK(card != NULL);
    if (card != NULL) select_isd_answers_fci(card);
    CHECK_OK(simkit_close(&card));
    CHECK_OK(simkit_open("", &card)); /* "" is the environment too */
    CHECK_OK(simkit_close(&card));
    unsetenv("SIMKIT_CARD");
}

int main(void) {
    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    simkit_card *card = capi_open_fresh(&dir, "card.state");
    CHECK(simkit_last_sw(card) == 0);
    CHECK(strcmp(simkit_last_error(card), "") == 0);
    select_isd_answers_fci(card);
    error_status_word_is_an_answer(card);
    short_buffer_reports_needed_length(card);
    malformed_apdus_and_null_arguments(card);
    CHECK_OK(simkit_close(&card));
    CHECK(card == NULL);
    bad_uris(&dir);
    uri_from_environment(&dir);
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_card_test");
}

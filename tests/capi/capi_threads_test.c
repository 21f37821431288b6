/* C API: one card handle shared by several threads (the per-card mutex serialises them: every
 * exchange must come back whole and right), then a secure channel used between other threads' key
 * store calls (the key store has its own logical channel; raw SELECTs on the basic channel would
 * end the card's secure channel session, as GlobalPlatform says, so phase 2 sends none), and
 * MILENAGE from every thread at once. Truth: each thread's SELECT answers the ISD
 * FCI with 9000, GET STATUS through SCP03 answers the ISD's E3 template (a broken MAC chain would
 * not), every signature is a DER SEQUENCE (verified with OpenSSL in capi_keystore_test), and
 * MILENAGE matches TS 35.208 test set 1. */
#include <pthread.h>

#include "milenage_vectors.h"

#define THREADS 4
#define ROUNDS 300

static const uint8_t kSelectIsd[] = {0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
static const uint8_t kKey[16] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                                 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
static const uint8_t kGetStatusIsd[] = {0x80, 0xF2, 0x80, 0x02, 0x02, 0x4F, 0x00, 0x00};

typedef struct worker {
    simkit_card *card;
    simkit_scp *scp; /* phase 2: worker 0 uses it */
    int select;      /* phase 1: raw SELECTs on the basic channel */
    const milenage_vector *vector;
    int index;
    int failures;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    for (int round = 0; round < ROUNDS; round++) {
        uint8_t resp[256];
        size_t resp_len = sizeof resp;
        uint16_t sw = 0;
        if (w->select && (simkit_transmit(w->card, kSelectIsd, sizeof kSelectIsd, resp, &resp_len, &sw) != SIMKIT_OK ||
                          sw != 0x9000 || resp_len != 18 || resp[0] != 0x6F)) {
            w->failures++;
        }
        uint8_t sig[SIMKIT_ECDSA_DER_MAX_LEN];
        size_t sig_len = sizeof sig;
        if (simkit_keystore_sign(w->card, 1, (const uint8_t *)"x", 1, sig, &sig_len) != SIMKIT_OK || sig[0] != 0x30) {
            w->failures++;
        }
        if (w->scp != NULL) {
            resp_len = sizeof resp;
            if (simkit_scp_transmit(w->scp, kGetStatusIsd, sizeof kGetStatusIsd, resp, &resp_len, &sw) != SIMKIT_OK ||
                sw != 0x9000 || resp[0] != 0xE3) {
                w->failures++;
            }
        }
        simkit_milenage_output out;
        const milenage_vector *v = w->vector;
        if (simkit_milenage(v->k, v->op, SIMKIT_OP, v->rand, v->sqn, v->amf, &out) != SIMKIT_OK ||
            memcmp(out.res, v->f2, 8) != 0 || memcmp(out.ck, v->f3, 16) != 0) {
            w->failures++;
        }
    }
    if (w->failures != 0) fprintf(stderr, "worker %d: %d failures; last error: %s\n", w->index, w->failures,
                                  simkit_last_error(NULL));
    return NULL;
}

int main(void) {
    FILE *file = open_milenage_vectors();
    milenage_vector set1;
    CHECK(next_milenage_vector(file, &set1) == 1);
    fclose(file);

    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    simkit_card *card = capi_open_fresh(&dir, "card.state");
    CHECK_OK(simkit_keystore_generate(card, 1, 0));
    simkit_scp *scp = NULL;
    for (int phase = 1; phase <= 2; phase++) {
        if (phase == 2) {
            CHECK_OK(simkit_scp_open(card, SIMKIT_SCP03, 0x30, SIMKIT_SCP_LEVEL_FULL, kKey, kKey, kKey, sizeof kKey,
                                     &scp));
        }
        pthread_t threads[THREADS];
        worker workers[THREADS];
        for (int i = 0; i < THREADS; i++) {
            workers[i] = (worker){card, i == 0 ? scp : NULL, phase == 1, &set1, i, 0};
            CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
        }
        for (int i = 0; i < THREADS; i++) {
            CHECK(pthread_join(threads[i], NULL) == 0);
            CHECK(workers[i].failures == 0);
        }
    }
    CHECK_OK(simkit_scp_close(&scp));
    CHECK_OK(simkit_close(&card));
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_threads_test");
}

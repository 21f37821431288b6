/* C API: AKA on the card's USIM, checked against simkit_milenage (itself checked against the TS
 * 35.208 vectors by capi_milenage_test) with the card's documented keys: a fresh simulated card
 * holds K and OPc of TS 35.208 test set 1 (README), read here from the vector file. The network
 * side is written out in this test from TS 33.102 6.3: AUTN = (SQN xor AK) || AMF || MAC-A, and
 * AUTS = (SQN_MS xor AK*) || MAC-S with MAC-S = f1*(RAND, SQN_MS, AMF 0000). */
#include "milenage_vectors.h"

static const uint8_t kAmf[2] = {0x80, 0x00};

static void build_autn(const milenage_vector *keys, const uint8_t rand[16], const uint8_t sqn[6], uint8_t autn[16],
                       simkit_milenage_output *out) {
    CHECK_OK(simkit_milenage(keys->k, keys->opc, SIMKIT_OPC, rand, sqn, kAmf, out));
    for (int i = 0; i < 6; i++) autn[i] = (uint8_t)(sqn[i] ^ out->ak[i]);
    memcpy(autn + 6, kAmf, 2);
    memcpy(autn + 8, out->mac_a, 8);
}

/* AUTS checked as the network does; returns SQN_MS in sqn_ms. */
static void check_auts(const milenage_vector *keys, const uint8_t rand[16], const uint8_t auts[14], uint8_t sqn_ms[6]) {
    simkit_milenage_output first;
    const uint8_t zero_sqn[6] = {0};
    const uint8_t resync_amf[2] = {0x00, 0x00};
    CHECK_OK(simkit_milenage(keys->k, keys->opc, SIMKIT_OPC, rand, zero_sqn, resync_amf, &first));
    for (int i = 0; i < 6; i++) sqn_ms[i] = (uint8_t)(auts[i] ^ first.ak_star[i]);
    simkit_milenage_output with_sqn_ms;
    CHECK_OK(simkit_milenage(keys->k, keys->opc, SIMKIT_OPC, rand, sqn_ms, resync_amf, &with_sqn_ms));
    CHECK(memcmp(auts + 6, with_sqn_ms.mac_s, 8) == 0);
}

static void sqn_add_one(uint8_t sqn[6]) {
    for (int i = 5; i >= 0; i--) {
        if (++sqn[i] != 0) break;
    }
}

int main(void) {
    FILE *file = open_milenage_vectors();
    milenage_vector set1;
    CHECK(next_milenage_vector(file, &set1) == 1 && strcmp(set1.name, "1") == 0);
    fclose(file);

    capi_temp_dir dir;
    capi_temp_dir_make(&dir);
    simkit_card *card = capi_open_fresh(&dir, "card.state");

    uint8_t rand[16];
    memcpy(rand, set1.rand, 16);
    uint8_t sqn[6] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x21};
    uint8_t autn[16];
    simkit_milenage_output expected;
    build_autn(&set1, rand, sqn, autn, &expected);

    simkit_aka_answer answer;
    CHECK_OK(simkit_aka(card, rand, autn, &answer));
    CHECK(answer.result == SIMKIT_AKA_OK);
    CHECK(answer.res_len == 8 && memcmp(answer.res, expected.res, 8) == 0);
    CHECK(memcmp(answer.ck, expected.ck, 16) == 0);
    CHECK(memcmp(answer.ik, expected.ik, 16) == 0);
    if (answer.kc_len != 0) CHECK(answer.kc_len == 8 && memcmp(answer.kc, expected.kc, 8) == 0);
    CHECK(simkit_last_sw(card) == 0x9000);

    /* the same SQN again is not fresh: synchronisation failure with a valid AUTS */
    CHECK_OK(simkit_aka(card, rand, autn, &answer));
    CHECK(answer.result == SIMKIT_AKA_SYNC_FAILURE);
    uint8_t sqn_ms[6];
    check_auts(&set1, rand, answer.auts, sqn_ms);
    CHECK(memcmp(sqn_ms, sqn, 6) >= 0); /* the card has accepted at least this SQN */

    /* resynchronised: SQN_MS + 1 is accepted */
    sqn_add_one(sqn_ms);
    rand[0] ^= 0x5A;
    build_autn(&set1, rand, sqn_ms, autn, &expected);
    CHECK_OK(simkit_aka(card, rand, autn, &answer));
    CHECK(answer.result == SIMKIT_AKA_OK);
    CHECK(memcmp(answer.res, expected.res, 8) == 0);

    /* a wrong MAC-A: MAC failure, status word 9862 */
    sqn_add_one(sqn_ms);
    build_autn(&set1, rand, sqn_ms, autn, &expected);
    autn[15] ^= 0x01;
    CHECK_OK(simkit_aka(card, rand, autn, &answer));
    CHECK(answer.result == SIMKIT_AKA_MAC_FAILURE);
    CHECK(simkit_last_sw(card) == 0x9862);

    CHECK_RC(simkit_aka(card, NULL, autn, &answer), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_aka(card, rand, NULL, &answer), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_aka(card, rand, autn, NULL), SIMKIT_E_INVALID_ARGUMENT);

    CHECK_OK(simkit_close(&card));
    capi_temp_dir_remove(&dir);
    return capi_finish("capi_aka_test");
}

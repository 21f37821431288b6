/* Reads the MILENAGE known answers of tests/vectors/milenage_ts35208.vec (3GPP TS 35.208 test
 * sets, with TS 55.205's SRES/Kc): one "milenage set=<name> k=... rand=... ..." line per set. */
#ifndef SIMKIT_CAPI_MILENAGE_VECTORS_H
#define SIMKIT_CAPI_MILENAGE_VECTORS_H

#include <stdio.h>
#include <string.h>

#include "capi_check.h"

typedef struct milenage_vector {
    char name[32];
    uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
    uint8_t f1[8], f1star[8], f2[8], f3[16], f4[16], f5[6], f5star[6];
    uint8_t sres[4], kc[8];
    int has_gsm; /* sres and kc present */
} milenage_vector;

/* The hex of field `name` (" name=") in `line` into out (exactly `size` bytes); 1 when found. */
static inline int vector_field(const char *line, const char *name, uint8_t *out, size_t size) {
    char key[24];
    snprintf(key, sizeof key, " %s=", name);
    const char *at = strstr(line, key);
    if (at == NULL) return 0;
    at += strlen(key);
    char hex[80];
    size_t n = strcspn(at, " \n");
    if (n >= sizeof hex) return 0;
    memcpy(hex, at, n);
    hex[n] = '\0';
    return capi_from_hex(hex, out, size) == size;
}

/* The next vector from `file`; 1 when one was read, 0 at the end, -1 for a malformed line. */
static inline int next_milenage_vector(FILE *file, milenage_vector *v) {
    char line[1024];
    while (fgets(line, sizeof line, file) != NULL) {
        if (strncmp(line, "milenage ", 9) != 0) continue;
        memset(v, 0, sizeof *v);
        if (sscanf(line, "milenage set=%31s", v->name) != 1) return -1;
        int ok = vector_field(line, "k", v->k, 16) && vector_field(line, "rand", v->rand, 16) &&
                 vector_field(line, "sqn", v->sqn, 6) && vector_field(line, "amf", v->amf, 2) &&
                 vector_field(line, "op", v->op, 16) && vector_field(line, "opc", v->opc, 16) &&
                 vector_field(line, "f1", v->f1, 8) && vector_field(line, "f1star", v->f1star, 8) &&
                 vector_field(line, "f2", v->f2, 8) && vector_field(line, "f3", v->f3, 16) &&
                 vector_field(line, "f4", v->f4, 16) && vector_field(line, "f5", v->f5, 6) &&
                 vector_field(line, "f5star", v->f5star, 6);
        if (!ok) return -1;
        v->has_gsm = vector_field(line, "sres", v->sres, 4) && vector_field(line, "kc", v->kc, 8);
        return 1;
    }
    return 0;
}

/* Opens the vector file (path from the build: SIMKIT_VECTORS_DIR); exits when it cannot. */
static inline FILE *open_milenage_vectors(void) {
    const char *path = SIMKIT_VECTORS_DIR "/milenage_ts35208.vec";
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        perror(path);
        exit(2);
    }
    return file;
}

#endif /* SIMKIT_CAPI_MILENAGE_VECTORS_H */

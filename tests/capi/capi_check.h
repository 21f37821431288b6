/* What every C test of the C API shares: CHECK macros that report the file, line and
 * simkit_last_error, a fresh sim: card in a temporary directory, and hex helpers. */
#ifndef SIMKIT_CAPI_CHECK_H
#define SIMKIT_CAPI_CHECK_H

#include <simkit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int capi_failures = 0;

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            capi_failures++;                                                                  \
        }                                                                                     \
    } while (0)

/* A call's return code; on a mismatch prints both codes and the thread's last error. */
#define CHECK_RC(call, expected)                                                              \
    do {                                                                                      \
        int rc_ = (call);                                                                     \
        if (rc_ != (expected)) {                                                              \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s); last error: %s\n", \
                    __FILE__, __LINE__, #call, rc_, simkit_strerror(rc_), (int)(expected),    \
                    simkit_strerror(expected), simkit_last_error(NULL));                      \
            capi_failures++;                                                                  \
        }                                                                                     \
    } while (0)

#define CHECK_OK(call) CHECK_RC(call, SIMKIT_OK)

/* Ends a test program: 0 when every CHECK held. */
static inline int capi_finish(const char *name) {
    if (capi_failures != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, capi_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

/* A temporary directory for state files, removed by capi_temp_dir_remove. */
typedef struct capi_temp_dir {
    char path[256];
} capi_temp_dir;

static inline void capi_temp_dir_make(capi_temp_dir *dir) {
    const char *base = getenv("TMPDIR");
    snprintf(dir->path, sizeof dir->path, "%s/simkit-capi-XXXXXX", base != NULL ? base : "/tmp");
    if (mkdtemp(dir->path) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
}

static inline void capi_temp_dir_remove(const capi_temp_dir *dir) {
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", dir->path);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir->path);
}

/* "sim:<dir>/<name>" into uri. */
static inline void capi_sim_uri(const capi_temp_dir *dir, const char *name, char *uri, size_t size) {
    snprintf(uri, size, "sim:%s/%s", dir->path, name);
}

/* Opens a fresh simulated card (factory defaults) named `name` in `dir`; exits on failure. */
static inline simkit_card *capi_open_fresh(const capi_temp_dir *dir, const char *name) {
    char uri[300];
    capi_sim_uri(dir, name, uri, sizeof uri);
    simkit_card *card = NULL;
    int rc = simkit_open(uri, &card);
    if (rc != SIMKIT_OK || card == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", uri, simkit_last_error(NULL));
        exit(2);
    }
    return card;
}

/* Parses `hex` (even length, no separators) into out; returns the byte count, or (size_t)-1. */
static inline size_t capi_from_hex(const char *hex, uint8_t *out, size_t capacity) {
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > capacity) return (size_t)-1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned value;
        if (sscanf(hex + 2 * i, "%2x", &value) != 1) return (size_t)-1;
        out[i] = (uint8_t)value;
    }
    return n / 2;
}

#endif /* SIMKIT_CAPI_CHECK_H */

/*
 * simkit.h - the C API of simkit for firmware and other C programs.
 *
 * simkit reaches a SIM/eUICC card named by a URI and runs what a device needs on it: raw APDUs,
 * a GlobalPlatform secure channel (SCP03 / SCP02), the GSMA IoT SAFE key store (P-256 keys made
 * on the card, ECDSA signatures), the user PIN, 3G authentication (AKA) on the USIM, and MILENAGE
 * on the host. This file is all you need to read; link with -lsimkit (pkg-config simkit, or CMake
 * find_package(simkit) and target simkit::simkit).
 *
 *   simkit_card *card = NULL;
 *   if (simkit_open("sim:/tmp/card.state", &card) != SIMKIT_OK) {
 *       fprintf(stderr, "%s\n", simkit_last_error(NULL));
 *       return 1;
 *   }
 *   ...
 *   simkit_close(&card);   (card is NULL afterwards)
 *
 * CARD URIS
 *   sim:PATH          in-process simulated card; state file PATH, created with factory defaults if
 *                     absent (one open handle per state file at a time)
 *   pcsc:NAME|INDEX   a PC/SC reader, by name substring or index (pcsc:0)
 *   at:DEVICE         a modem's SIM on a serial device (AT+CSIM / AT+CCHO / AT+CGLA)
 *
 * RETURN CODES
 *   Every function returns a simkit_status: SIMKIT_OK (0) or a negative code. After a failure,
 *   simkit_last_error() gives a one-line message saying what failed; for card errors it names the
 *   status word and its meaning ("6982 security status not satisfied"), and simkit_last_sw() gives
 *   the status word itself. No C++ exception ever leaves a simkit_* function.
 *
 * OUTPUT BUFFERS
 *   Variable-length outputs use a caller buffer and a length in/out: on entry *out_len is the size
 *   of `out`, on return the number of bytes written. When the buffer is too small the function
 *   returns SIMKIT_E_BUFFER_TOO_SMALL and sets *out_len to the length needed. out == NULL with
 *   *out_len == 0 is a legal size query (for functions without side effects on the card; see each
 *   function).
 *
 * HANDLES AND CLOSING
 *   simkit_card and simkit_scp are opaque handles. simkit_close(&card) and simkit_scp_close(&scp)
 *   free them and set the caller's variable to NULL; every function given a NULL handle returns
 *   SIMKIT_E_INVALID_HANDLE, so use after close (through that variable) is a defined error. Do not
 *   keep other copies of a handle: a copy is not nulled, and using it after close is undefined.
 *   Closing a card also ends its secure channels: their simkit_scp handles stay valid until
 *   simkit_scp_close but every call on them returns SIMKIT_E_INVALID_HANDLE.
 *
 * THREADS
 *   Each card handle has its own mutex: calls on one card (and on its secure channels) from several
 *   threads are serialised, and different cards can be used in parallel. Closing a handle while
 *   another thread still uses it is the caller's bug (as with free()). simkit_last_error(card) and
 *   simkit_last_sw(card) are the card's last failure and status word, meaningful when one thread
 *   drives the card; simkit_last_error(NULL) is the calling thread's own last failure, always
 *   meaningful. A secure channel lives on the card's basic channel: see simkit_scp_open for what
 *   other calls may do to it.
 *   simkit_milenage needs no card and is safe from any thread.
 *
 * SECRETS
 *   Keys and PINs you pass in are copied into memory that simkit wipes after use; they never
 *   appear in error messages. Wiping your own copies (and the CK/IK/Kc outputs) is up to you.
 */
#ifndef SIMKIT_H
#define SIMKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Return codes
 * ------------------------------------------------------------------------------------------- */

typedef enum simkit_status {
    SIMKIT_OK = 0,
    SIMKIT_E_INVALID_ARGUMENT = -1,  /* NULL pointer, wrong length, malformed URI or APDU, bad level */
    SIMKIT_E_BUFFER_TOO_SMALL = -2,  /* *out_len now holds the length needed */
    SIMKIT_E_TRANSPORT = -3,         /* the card cannot be reached or its state file not used */
    SIMKIT_E_CARD = -4,              /* the card answered an error status word: simkit_last_sw() */
    SIMKIT_E_SECURE_CHANNEL = -5,    /* wrong key or KVN, bad R-MAC, session ended; the session is dead */
    SIMKIT_E_INVALID_HANDLE = -6,    /* NULL (closed) handle, or a secure channel whose card was closed */
    SIMKIT_E_NO_MEMORY = -7,         /* out of memory */
    SIMKIT_E_INTERNAL = -8           /* anything else (a bug, or OpenSSL failing) */
} simkit_status;

/* A short English description of a code ("buffer too small"); never NULL, static storage. */
const char *simkit_strerror(int code);

/* ---------------------------------------------------------------------------------------------
 * Opening, closing, errors
 * ------------------------------------------------------------------------------------------- */

typedef struct simkit_card simkit_card;

/* Opens the card named by `uri` (see CARD URIS above); NULL or "" uses the environment variable
 * SIMKIT_CARD. On success *card is a new handle; on failure *card is NULL and the message is in
 * simkit_last_error(NULL). Codes: SIMKIT_E_INVALID_ARGUMENT (card NULL, malformed URI, no URI and no
 * SIMKIT_CARD), SIMKIT_E_TRANSPORT (reader absent, state file unusable or in use). */
int simkit_open(const char *uri, simkit_card **card);

/* Closes the card (ending its secure channels), frees the handle and sets *card to NULL.
 * SIMKIT_E_INVALID_ARGUMENT when card is NULL; SIMKIT_E_INVALID_HANDLE when *card is already NULL
 * (harmless: nothing is done). */
int simkit_close(simkit_card **card);

/* The message of the last failure: of this card when `card` is not NULL, else of the calling
 * thread (for simkit_open, simkit_milenage, NULL handles...). "" when there was none. Never NULL;
 * valid until the next simkit call on the same card (or thread). Every failure is recorded for the
 * thread as well, so simkit_last_error(NULL) right after a failed call is always its message. */
const char *simkit_last_error(const simkit_card *card);

/* The last status word the card answered to a call on this handle (9000 after success), or 0 when
 * there was none yet or card is NULL. After SIMKIT_E_CARD it is the status word that failed. */
uint16_t simkit_last_sw(const simkit_card *card);

/* ---------------------------------------------------------------------------------------------
 * Raw APDUs
 * ------------------------------------------------------------------------------------------- */

/* The largest response data of a short (256) and an extended (65536) APDU. */
#define SIMKIT_MAX_SHORT_RESPONSE 256u
#define SIMKIT_MAX_RESPONSE 65536u

/* Sends one command APDU (ISO 7816-4 wire form, e.g. 00 A4 04 00 08 A0..00) on the card and
 * returns the whole answer: 61xx GET RESPONSE and 6Cxx re-send are done for you. The response data
 * (without the status word) goes to resp and *resp_len, the status word to *sw.
 * Returns SIMKIT_OK whenever the card answered, WHATEVER THE STATUS WORD: check *sw (0x9000 is
 * success). SIMKIT_E_INVALID_ARGUMENT for a malformed APDU, SIMKIT_E_TRANSPORT when the card cannot
 * be reached. The command runs before the buffer is checked: when resp is too small the answer is
 * lost (*sw is still set) and SIMKIT_E_BUFFER_TOO_SMALL returned with the length needed; size the
 * buffer from Le, or SIMKIT_MAX_RESPONSE. resp may be NULL when *resp_len is 0 and no data comes. */
int simkit_transmit(simkit_card *card, const uint8_t *apdu, size_t apdu_len, uint8_t *resp, size_t *resp_len,
                    uint16_t *sw);

/* ---------------------------------------------------------------------------------------------
 * Secure channel (GlobalPlatform SCP03 and SCP02) to the Issuer Security Domain
 * ------------------------------------------------------------------------------------------- */

typedef struct simkit_scp simkit_scp;

typedef enum simkit_scp_protocol {
    SIMKIT_SCP02 = 0x02, /* 3DES, i=15/55; 16-byte keys; levels 01, 03 */
    SIMKIT_SCP03 = 0x03  /* AES, S8 mode; 16-, 24- or 32-byte keys; levels 01, 03, 11, 13, 33 */
} simkit_scp_protocol;

/* Security levels (GlobalPlatform): bits C-MAC 01, C-DECRYPTION 02, R-MAC 10, R-ENCRYPTION 20. */
#define SIMKIT_SCP_LEVEL_MAC 0x01u      /* C-MAC */
#define SIMKIT_SCP_LEVEL_MAC_ENC 0x03u  /* C-MAC + C-DECRYPTION */
#define SIMKIT_SCP_LEVEL_FULL 0x33u     /* SCP03: C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION */

/* Opens a secure channel to the card's Issuer Security Domain (SELECT, INITIALIZE UPDATE, check of
 * the card cryptogram, EXTERNAL AUTHENTICATE) with the static key set ENC, MAC, DEK (raw key bytes,
 * each key_len long; the three may point to the same key). kvn 0 picks the card's default key set.
 * A fresh simulated card has SCP03 key set KVN 0x30 with ENC = MAC = DEK =
 * 40 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F.
 * On success *scp is a new session handle; the card is held for this session until it is closed.
 * The session lives on the basic channel: the key store calls and simkit_verify_pin use their own
 * logical channel and do not disturb it, but a raw SELECT through simkit_transmit or simkit_aka
 * (which selects the USIM), or a second simkit_scp_open, deselects or re-selects the security
 * domain, and the card then ends the session (GP rule): its next command is refused (typically
 * status word 6982). Do those before opening or after closing the session.
 * Codes: SIMKIT_E_SECURE_CHANNEL for a wrong key or KVN (caught before any host cryptogram is
 * sent), a refused EXTERNAL AUTHENTICATE or an unexpected protocol; SIMKIT_E_CARD when SELECT or
 * INITIALIZE UPDATE fail (6A88: no key set with that KVN); SIMKIT_E_INVALID_ARGUMENT for NULL
 * pointers, a key length or level the protocol does not know. Your key bytes are copied and the
 * copies wiped when the session ends. */
int simkit_scp_open(simkit_card *card, simkit_scp_protocol protocol, uint8_t kvn, uint8_t level, const uint8_t *enc,
                    const uint8_t *mac, const uint8_t *dek, size_t key_len, simkit_scp **scp);

/* Sends a plain command APDU through the session: wrapped (MAC, encryption per level), answer
 * unwrapped. Like simkit_transmit: SIMKIT_OK with whatever status word in *sw, the plain response
 * data in resp and *resp_len (the command ran even when SIMKIT_E_BUFFER_TOO_SMALL is returned).
 * SIMKIT_E_SECURE_CHANNEL when the response MAC does not verify or the session has ended (the
 * session is then unusable: close it); SIMKIT_E_INVALID_HANDLE when scp is NULL or its card was
 * closed. Errors are reported through the card's simkit_last_error / simkit_last_sw. */
int simkit_scp_transmit(simkit_scp *scp, const uint8_t *apdu, size_t apdu_len, uint8_t *resp, size_t *resp_len,
                        uint16_t *sw);

/* Ends the session (wiping its keys), frees the handle and sets *scp to NULL. Nothing is sent to
 * the card. SIMKIT_E_INVALID_ARGUMENT when scp is NULL, SIMKIT_E_INVALID_HANDLE when *scp is NULL. */
int simkit_scp_close(simkit_scp **scp);

/* ---------------------------------------------------------------------------------------------
 * Key store (GSMA IoT SAFE applet): P-256 keys made on the card, ECDSA-SHA256 signatures
 * ------------------------------------------------------------------------------------------- */

/* Sizes: an uncompressed P-256 point (04 || X || Y), its DER SubjectPublicKeyInfo, and the longest
 * DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) of P-256. */
#define SIMKIT_P256_POINT_LEN 65u
#define SIMKIT_P256_SPKI_DER_LEN 91u
#define SIMKIT_ECDSA_DER_MAX_LEN 72u

/* Flags of simkit_keystore_generate. */
#define SIMKIT_KEY_PIN_BOUND 0x01u  /* the card refuses to use the key before the user PIN is verified */

/* Generates a P-256 key pair in private key slot `slot` (1..4 on simkit's card) on the card,
 * replacing what was there. The private key never leaves the card. flags: 0 or
 * SIMKIT_KEY_PIN_BOUND. Read the public key with simkit_keystore_public_key.
 * SIMKIT_E_CARD when the card refuses (e.g. 6A88 no such slot). */
int simkit_keystore_generate(simkit_card *card, uint8_t slot, unsigned flags);

typedef enum simkit_pubkey_format {
    SIMKIT_PUBKEY_POINT = 0,    /* the uncompressed point 04 || X || Y, SIMKIT_P256_POINT_LEN bytes */
    SIMKIT_PUBKEY_SPKI_DER = 1  /* DER SubjectPublicKeyInfo (OpenSSL d2i_PUBKEY), SIMKIT_P256_SPKI_DER_LEN */
} simkit_pubkey_format;

/* The public key of slot `slot` in the given format. Reading has no side effect, so out == NULL
 * with *out_len == 0 is a size query (answered with SIMKIT_E_BUFFER_TOO_SMALL and the length).
 * SIMKIT_E_CARD when the slot holds no key. */
int simkit_keystore_public_key(simkit_card *card, uint8_t slot, simkit_pubkey_format format, uint8_t *out,
                               size_t *out_len);

/* ECDSA signature with private key `slot` of SHA-256(message), as DER (what OpenSSL's
 * EVP_DigestVerify and `openssl dgst -verify` take). The buffer is checked BEFORE the card signs:
 * less than SIMKIT_ECDSA_DER_MAX_LEN bytes gives SIMKIT_E_BUFFER_TOO_SMALL with *sig_len = 72 (a
 * size query with sig == NULL, *sig_len == 0 does the same); on success *sig_len is the signature's
 * actual length (at most 72, usually 70..72). SIMKIT_E_CARD: 6984 empty slot, 6A88 no such slot,
 * 6982 a PIN-bound key without a verified PIN. message may be NULL when message_len is 0. */
int simkit_keystore_sign(simkit_card *card, uint8_t slot, const uint8_t *message, size_t message_len, uint8_t *sig,
                         size_t *sig_len);

/* The same for a SHA-256 digest computed by the caller (digest_len must be 32). */
int simkit_keystore_sign_digest(simkit_card *card, uint8_t slot, const uint8_t *digest, size_t digest_len,
                                uint8_t *sig, size_t *sig_len);

/* ---------------------------------------------------------------------------------------------
 * User PIN (ISO 7816-4 VERIFY through the key store applet)
 * ------------------------------------------------------------------------------------------- */

/* Verifies the user PIN (ASCII digits as bytes, e.g. "1234" with pin_len 4; a fresh simulated card
 * has PIN 1234 with 3 tries). The verified state lasts while the card handle is open (on the key
 * store's logical channel; a card reset or transport failure ends it).
 * On a wrong PIN: SIMKIT_E_CARD, simkit_last_sw() = 63Cx and *tries_left (if tries_left is not
 * NULL) = the tries left; a blocked PIN: SIMKIT_E_CARD with 6983 and *tries_left = 0. *tries_left is
 * -1 when not known (success, other errors). The PIN is wiped from simkit's copies. */
int simkit_verify_pin(simkit_card *card, const uint8_t *pin, size_t pin_len, int *tries_left);

/* ---------------------------------------------------------------------------------------------
 * MILENAGE (3GPP TS 35.206) on the host - no card needed - and AKA on the card's USIM
 * ------------------------------------------------------------------------------------------- */

/* Lengths, in bytes. */
#define SIMKIT_MILENAGE_K_LEN 16u
#define SIMKIT_MILENAGE_RAND_LEN 16u
#define SIMKIT_MILENAGE_SQN_LEN 6u
#define SIMKIT_MILENAGE_AMF_LEN 2u
#define SIMKIT_AKA_AUTN_LEN 16u
#define SIMKIT_AKA_AUTS_LEN 14u

/* What the `op` argument of simkit_milenage holds. */
typedef enum simkit_op_kind {
    SIMKIT_OP = 0,  /* the operator variant OP: OPc = OP xor E_K(OP) is computed */
    SIMKIT_OPC = 1  /* OPc itself */
} simkit_op_kind;

/* The MILENAGE outputs for one K, OPc, RAND, SQN, AMF. CK, IK, Kc are secrets: wipe them when done. */
typedef struct simkit_milenage_output {
    uint8_t opc[16];     /* OPc (as given or derived from OP) */
    uint8_t mac_a[8];    /* f1: network authentication code */
    uint8_t mac_s[8];    /* f1*: resynchronisation code */
    uint8_t res[8];      /* f2: RES */
    uint8_t ck[16];      /* f3: cipher key */
    uint8_t ik[16];      /* f4: integrity key */
    uint8_t ak[6];       /* f5: anonymity key */
    uint8_t ak_star[6];  /* f5*: anonymity key for resynchronisation */
    uint8_t sres[4];     /* GSM SRES = c2(RES) (TS 33.102 6.8.1.2) */
    uint8_t kc[8];       /* GSM Kc = c3(CK, IK) */
} simkit_milenage_output;

/* Computes MILENAGE, as an AuC/HSS does for an authentication vector. Fixed lengths: k and op 16
 * bytes, rand 16, sqn 6, amf 2. The network's AUTN for the card is
 * (SQN xor out.ak) || AMF || out.mac_a. SIMKIT_E_INVALID_ARGUMENT for NULL pointers or an unknown
 * op_kind. K and OP are wiped from simkit's copies. */
int simkit_milenage(const uint8_t *k, const uint8_t *op, simkit_op_kind op_kind, const uint8_t *rand,
                    const uint8_t *sqn, const uint8_t *amf, simkit_milenage_output *out);

typedef enum simkit_aka_result {
    SIMKIT_AKA_OK = 0,            /* res, ck, ik (and kc if kc_len is 8) are set */
    SIMKIT_AKA_SYNC_FAILURE = 1,  /* the SQN was not fresh: auts is set (card's SQN_MS xor AK* || MAC-S) */
    SIMKIT_AKA_MAC_FAILURE = 2    /* AUTN's MAC did not verify (status word 9862): nothing else set */
} simkit_aka_result;

typedef struct simkit_aka_answer {
    simkit_aka_result result;
    uint8_t res[16];
    size_t res_len;      /* 4..16 (8 with MILENAGE) */
    uint8_t ck[16];
    uint8_t ik[16];
    uint8_t kc[8];
    size_t kc_len;       /* 8 when the card gave Kc, else 0 */
    uint8_t auts[14];
} simkit_aka_answer;

/* Runs AUTHENTICATE (3G context, TS 31.102 7.1.2) on the card's USIM with rand (16 bytes) and autn
 * (16 bytes), as a device's modem does when the network challenges it. Returns SIMKIT_OK whenever
 * the USIM answered one of the three results in answer->result (a MAC or sync failure is an
 * answer, not an error); SIMKIT_E_CARD for another status word (e.g. no USIM on the card). It
 * SELECTs the USIM on the basic channel (see simkit_scp_open). CK, IK, Kc are secrets: wipe the
 * answer when done. */
int simkit_aka(simkit_card *card, const uint8_t *rand, const uint8_t *autn, simkit_aka_answer *answer);

#ifdef __cplusplus
}
#endif

#endif /* SIMKIT_H */

/* C API: simkit_milenage against every published test set of 3GPP TS 35.208 (and TS 35.207 set 2)
 * in tests/vectors/milenage_ts35208.vec: OPc from OP, f1, f1*, f2..f5, f5*, and the GSM SRES/Kc of
 * TS 55.205, computed from OP and from OPc. */
#include "milenage_vectors.h"

#define SAME(field, expected) (memcmp((field), (expected), sizeof(field)) == 0)

static void check_output(const milenage_vector *v, const simkit_milenage_output *out) {
    int ok = SAME(out->opc, v->opc) && SAME(out->mac_a, v->f1) && SAME(out->mac_s, v->f1star) &&
             SAME(out->res, v->f2) && SAME(out->ck, v->f3) && SAME(out->ik, v->f4) && SAME(out->ak, v->f5) &&
             SAME(out->ak_star, v->f5star);
    if (v->has_gsm) ok = ok && SAME(out->sres, v->sres) && SAME(out->kc, v->kc);
    if (!ok) fprintf(stderr, "MILENAGE test set %s differs\n", v->name);
    CHECK(ok);
}

static void null_arguments(const milenage_vector *v) {
    simkit_milenage_output out;
    CHECK_RC(simkit_milenage(NULL, v->op, SIMKIT_OP, v->rand, v->sqn, v->amf, &out), SIMKIT_E_INVALID_ARGUMENT);
    CHECK(strstr(simkit_last_error(NULL), "k is NULL") != NULL);
    CHECK_RC(simkit_milenage(v->k, NULL, SIMKIT_OP, v->rand, v->sqn, v->amf, &out), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_milenage(v->k, v->op, SIMKIT_OP, NULL, v->sqn, v->amf, &out), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_milenage(v->k, v->op, SIMKIT_OP, v->rand, NULL, v->amf, &out), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_milenage(v->k, v->op, SIMKIT_OP, v->rand, v->sqn, NULL, &out), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_milenage(v->k, v->op, SIMKIT_OP, v->rand, v->sqn, v->amf, NULL), SIMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(simkit_milenage(v->k, v->op, (simkit_op_kind)5, v->rand, v->sqn, v->amf, &out),
             SIMKIT_E_INVALID_ARGUMENT);
}

int main(void) {
    FILE *file = open_milenage_vectors();
    milenage_vector v;
    int count = 0, gsm = 0, rc;
    while ((rc = next_milenage_vector(file, &v)) == 1) {
        simkit_milenage_output from_op, from_opc;
        CHECK_OK(simkit_milenage(v.k, v.op, SIMKIT_OP, v.rand, v.sqn, v.amf, &from_op));
        check_output(&v, &from_op);
        CHECK_OK(simkit_milenage(v.k, v.opc, SIMKIT_OPC, v.rand, v.sqn, v.amf, &from_opc));
        check_output(&v, &from_opc);
        if (count == 0) null_arguments(&v);
        count++;
        gsm += v.has_gsm;
    }
    fclose(file);
    CHECK(rc == 0);      /* no malformed line */
    CHECK(count == 20);  /* TS 35.208 sets 1, 3..20 and TS 35.207 set 2 */
    CHECK(gsm == 19);
    printf("%d MILENAGE test sets checked (%d with SRES/Kc)\n", count, gsm);
    return capi_finish("capi_milenage_test");
}

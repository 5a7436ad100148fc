/* test_verify.c: when the exact check applies (cim_verify_exact_applies), on
 * the analog model alone: each reason it may not apply is named, and only
 * then; the policy is derived from the build, so every case holds for every
 * configuration. */
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cosim.h"
#include "suites.h"

typedef struct vfix {
  rram_array *a;
  int32_t *W;
  cim_verify *v;
} vfix;

static void vfix_make(vfix *f, const rram_device *dev) {
  cosim_build b;
  cosim_build_get(&b);
  f->W = calloc((size_t)b.n_out * (size_t)b.geo.rows, sizeof *f->W);
  ck_assert_ptr_nonnull(f->W);
  f->a = cosim_array_dev(f->W, b.n_out, b.geo.rows, 5, dev);
  ck_assert_ptr_nonnull(f->a);
  ck_assert_int_eq(cim_verify_create(f->a, f->W, b.n_out, b.geo.rows, b.w_bits, &f->v), CIM_OK);
}

static void vfix_free(vfix *f) {
  cim_verify_destroy(f->v);
  rram_array_destroy(f->a);
  free(f->W);
}

/* A resolved job of K rows and row group P. */
static cim_job job_of(int k, int p) {
  return (cim_job){.n_rows = k, .n_outs = 1, .x_bits = 1, .group_rows = p, .out_bits = 32};
}

START_TEST(test_verify_ideal_applies) {
  vfix f;
  vfix_make(&f, NULL);
  char why[200] = "x";
  cim_job job = job_of(CIM_CFG_ROWS, CIM_CFG_P_FIT);
  if (CIM_CFG_LEVEL_MAX > CIM_CFG_ADC_MAX) {
    /* one cell's top level alone passes the full scale: nothing fits */
    ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "ADC clipping possible") != NULL, "%s", why);
    vfix_free(&f);
    return;
  }
  ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), 1);
  ck_assert_str_eq(why, "");
  /* identity calibrations leave it applying */
  cim_adc_cal *cal = calloc(CIM_CFG_N_ADC, sizeof *cal);
  for (int i = 0; i < CIM_CFG_N_ADC; i++) cal[i] = CIM_ADC_CAL_IDENTITY;
  job.adc_cal = cal;
  ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), 1);
  /* one ADC's calibration not the identity: named */
  cal[CIM_CFG_N_ADC - 1].gain_q14 = 0x4001;
  ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), 0);
  char want[64];
  snprintf(want, sizeof want, "ADC %d is calibrated", CIM_CFG_N_ADC - 1);
  ck_assert_msg(strstr(why, want) != NULL, "%s", why);
  free(cal);
  vfix_free(&f);
}
END_TEST

/* Clipping is the reason exactly when min(P, K) rows at the top level pass
 * the ADC's full scale. */
START_TEST(test_verify_clipping_boundary) {
  vfix f;
  vfix_make(&f, NULL);
  char why[200];
  for (int p = 1; p <= CIM_CFG_P_MAX; p++) {
    cim_job job = job_of(CIM_CFG_ROWS, p);
    const int rows_on = p < CIM_CFG_ROWS ? p : CIM_CFG_ROWS;
    const int want = rows_on * CIM_CFG_LEVEL_MAX <= CIM_CFG_ADC_MAX;
    ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), want);
    if (!want) ck_assert_msg(strstr(why, "ADC clipping possible") != NULL, "%s", why);
    /* with K at most P_FIT rows no group can clip, whatever P (unless one
     * cell alone can: P_FIT is at least 1) */
    cim_job small = job_of(CIM_CFG_P_FIT < CIM_CFG_ROWS ? CIM_CFG_P_FIT : CIM_CFG_ROWS, p);
    ck_assert_int_eq(cim_verify_exact_applies(f.v, &small, why, sizeof why),
                     CIM_CFG_LEVEL_MAX <= CIM_CFG_ADC_MAX);
  }
  vfix_free(&f);
}
END_TEST

/* A non-ideal device names the keys in which it differs, and only them. */
START_TEST(test_verify_device_keys) {
  rram_device d;
  rram_device_ideal(&d);
  char err[256];
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "0.01", err, sizeof err), RRAM_OK);
  ck_assert_int_eq(rram_device_set(&d, "stuck_gmax_rate", "0.001", err, sizeof err), RRAM_OK);
  vfix f;
  vfix_make(&f, &d);
  char why[200];
  cim_job job = job_of(1, 1);
  ck_assert_int_eq(cim_verify_exact_applies(f.v, &job, why, sizeof why), 0);
  ck_assert_msg(strstr(why, "non-ideal device (differs from ideal in: ") != NULL, "%s", why);
  ck_assert_msg(strstr(why, "read_noise") && strstr(why, "stuck_gmax_rate"), "%s", why);
  ck_assert_msg(strstr(why, "stuck_gmin_rate") == NULL && strstr(why, "r_wl_ohm") == NULL,
                "keys that equal the ideal device's were named: %s", why);
  vfix_free(&f);
}
END_TEST

Suite *suite_verify(void) {
  Suite *s = suite_create("verify");
  suite_add_test(s, test_verify_ideal_applies);
  suite_add_test(s, test_verify_clipping_boundary);
  suite_add_test(s, test_verify_device_keys);
  return s;
}

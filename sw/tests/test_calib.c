/* test_calib.c: the ADC calibration path. The RTL must apply whatever the
 * ADC_CAL window holds exactly as the twin does, and the firmware routine
 * must find the identity on an ideal device. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "cosim.h"
#include "suites.h"

/* A batch of MVMs over random W with the given calibration setup. */
static void run_cal_batch(cosim_batch *batch, const char *name, uint64_t seed, int n_mvm,
                          int exact) {
  cosim_build b;
  cosim_build_get(&b);
  cosim_rng r = {seed};
  int32_t *W = cosim_random_weights(&r, b.n_out, b.geo.rows, b.w_bits);
  cosim_mvm *mvm = calloc((size_t)n_mvm, sizeof *mvm);
  int32_t **xs = calloc((size_t)n_mvm, sizeof *xs);
  ck_assert_ptr_nonnull(W);
  ck_assert_ptr_nonnull(mvm);
  for (int i = 0; i < n_mvm; i++) {
    xs[i] = cosim_random_inputs(&r, b.geo.rows, b.x_bits, i % 2);
    mvm[i].job = (cim_job){.n_rows = b.geo.rows, .n_outs = b.n_out, .x_bits = b.x_bits,
                           .is_signed = i % 2, .out_bits = 32};
    mvm[i].conv_cycles = 2;
    mvm[i].x = xs[i];
  }
  batch->array = cosim_array(W, b.n_out, b.geo.rows, seed);
  batch->W = W;
  batch->k = b.geo.rows;
  batch->mvm = mvm;
  batch->n_mvm = n_mvm;
  ck_assert_int_eq(cosim_run_batch(batch, NULL), 0);
  ck_assert_msg(batch->cal_status == CIM_OK, "calibration setup: %s",
                cim_strerror(batch->cal_status));
  for (int i = 0; i < n_mvm; i++) {
    char msg[512];
    int bad = cosim_compare(&mvm[i], exact, msg, sizeof msg);
    ck_assert_msg(bad == 0, "MVM %d: %d outputs wrong, first: %s\nreproduce: %s", i, bad, msg,
                  cosim_repro(name, seed));
  }
  for (int i = 0; i < n_mvm; i++) free(xs[i]);
  free(xs);
  free(mvm);
  free(W);
  rram_array_destroy(batch->array);
}

/* Random calibrations on every ADC: outputs change, the twin follows. */
START_TEST(test_cal_rtl_matches_twin) {
  cosim_build b;
  cosim_build_get(&b);
  uint64_t seed = cosim_seed(41);
  cosim_rng r = {seed ^ 0xCA1u};
  int n_adc = (b.geo.cols + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc;
  cim_adc_cal *cal = calloc((size_t)n_adc, sizeof *cal);
  for (int a = 0; a < n_adc; a++) {
    cal[a].offset_q4 = (int16_t)cosim_range(&r, -2048, 2047);
    cal[a].gain_q14 = (uint16_t)cosim_range(&r, 0x1000, 0xFFFF);
  }
  cal[0] = (cim_adc_cal){-2048, 0xFFFF}; /* the corners of both fields */
  cosim_batch batch = {.cal = cal};
  run_cal_batch(&batch, "test_cal_rtl_matches_twin", seed, 3, 0);
  free(cal);
}
END_TEST

/* On an ideal device the fit is the identity and the MVM stays exact. */
START_TEST(test_cal_routine_ideal) {
  uint64_t seed = cosim_seed(42);
  cosim_batch batch = {.calibrate = 1};
  run_cal_batch(&batch, "test_cal_routine_ideal", seed, 2, 1);
  const cim_cal_report *rep = &batch.cal_report;
  ck_assert_msg(rep->n_points > 0, "the calibration used no points");
  ck_assert_msg(rep->rms_before < 1e-9 && rep->rms_after < 1e-9,
                "ideal device: RMS before %g after %g LSB, want 0", rep->rms_before,
                rep->rms_after);
  ck_assert_msg(rep->max_abs_offset_lsb < 1e-6 && rep->max_abs_gain_err < 1e-6,
                "ideal device: fitted offset %g LSB, gain error %g", rep->max_abs_offset_lsb,
                rep->max_abs_gain_err);
}
END_TEST

Suite *suite_calib(void) {
  Suite *s = suite_create("calib");
  suite_add_test(s, test_cal_rtl_matches_twin);
  suite_add_test(s, test_cal_routine_ideal);
  return s;
}

/* test_calib.c: the ADC calibration path. The RTL must apply whatever the
 * ADC_CAL window holds exactly as the twin does, and the firmware routine
 * must find the identity on an ideal device. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cim_map.h"
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
  /* the calibration routine's status is the caller's to judge */
  ck_assert_msg(batch->calibrate || batch->cal_status == CIM_OK, "calibration setup: %s",
                cim_strerror(batch->cal_status));
  for (int i = 0; i < n_mvm; i++) {
    char msg[512];
    int bad = cosim_compare(&mvm[i], exact && cosim_exact_owed(&mvm[i].job), msg, sizeof msg);
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

/* On an ideal device the fit is the identity and the MVM stays exact. A
 * 1-bit ADC has no code to fit (its codes 0 and 1 are 0 and full scale, both
 * clipped), and one-row groups none that separates the offset from the
 * pedestal: the routine must say so (CIM_ENODATA), touch no ADC_CAL word and
 * leave the MVM exact. */
START_TEST(test_cal_routine_ideal) {
  cosim_build b;
  cosim_build_get(&b);
  uint64_t seed = cosim_seed(42);
  cosim_batch batch = {.calibrate = 1};
  run_cal_batch(&batch, "test_cal_routine_ideal", seed, 2, 1);
  const cim_cal_report *rep = &batch.cal_report;
  const int n_col = b.n_out * 2 * cim_map_slices(b.w_bits, b.geo.cell_bits);
  const int n_adc = (b.geo.cols + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc;
  const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
  /* every code read is either used or clipped (16 patterns) */
  ck_assert_msg(rep->n_points + rep->n_clipped == 16 * n_col,
                "%d points used and %d clipped of %d codes read", rep->n_points, rep->n_clipped,
                16 * n_col);
  /* an ideal fit encodes to the identity; an unfitted ADC keeps it */
  for (int a = 0; a < n_adc && a < 1024; a++)
    ck_assert_msg(batch.cal_fit[a].offset_q4 == id.offset_q4 &&
                      batch.cal_fit[a].gain_q14 == id.gain_q14,
                  "ideal device: ADC %d calibrated to offset %d gain %u, want the identity", a,
                  batch.cal_fit[a].offset_q4, batch.cal_fit[a].gain_q14);
  /* a 1-bit ADC clips every code; a calibration group that spans few
   * unclipped codes may leave every fit undetermined (cosim_cal_fit_owed) */
  if (b.geo.adc_bits == 1 || (!cosim_cal_fit_owed() && batch.cal_status == CIM_ENODATA)) {
    ck_assert_msg(batch.cal_status == CIM_ENODATA,
                  "1-bit ADC: calibration returned %s, want %s", cim_strerror(batch.cal_status),
                  cim_strerror(CIM_ENODATA));
    ck_assert_msg((b.geo.adc_bits > 1 || rep->n_points == 0) && rep->n_adc == 0 &&
                      rep->n_refused == 0 && (rep->n_unfit > 0) == (rep->n_points > 0),
                  "nothing to fit: %d points used, %d ADCs calibrated, %d refused, %d unfit",
                  rep->n_points, rep->n_adc, rep->n_refused, rep->n_unfit);
    printf("test_cal_routine_ideal: %d-bit ADC, %d codes clipped, %d ADCs unfit: %s\n",
           b.geo.adc_bits, rep->n_clipped, rep->n_unfit, cim_strerror(batch.cal_status));
    return;
  }
  if (b.p_max == 1 || b.geo.rows == 1) {
    /* one-row groups: an ideal undriven column reads 0, which clips, so
     * every code used has one driven row and the offset cannot be told from
     * the pedestal (cim_calib.h): nothing is fitted, and the routine says so */
    ck_assert_msg(batch.cal_status == CIM_ENODATA,
                  "one-row groups: calibration returned %s, want %s",
                  cim_strerror(batch.cal_status), cim_strerror(CIM_ENODATA));
    ck_assert_msg(rep->n_adc == 0 && rep->n_refused == 0 &&
                      (rep->n_unfit > 0) == (rep->n_points > 0),
                  "one-row groups: %d ADCs calibrated, %d refused, %d unfit from %d points",
                  rep->n_adc, rep->n_refused, rep->n_unfit, rep->n_points);
    printf("test_cal_routine_ideal: one-row groups, %d ADCs whose codes fit nothing: %s\n",
           rep->n_unfit, cim_strerror(batch.cal_status));
    return;
  }
  ck_assert_msg(batch.cal_status == CIM_OK, "calibration: %s", cim_strerror(batch.cal_status));
  ck_assert_msg(rep->n_points > 0, "the calibration used no points");
  ck_assert_msg(rep->n_adc > 0, "the calibration fitted no ADC");
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

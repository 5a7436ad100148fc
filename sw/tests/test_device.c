/* test_device.c: each device effect alone, through the whole co-simulation.
 * The RTL must still equal the twin bit for bit (the twin reads the codes the
 * device produced), and the effect must move the result away from the exact
 * MVM in its expected direction by a plausible amount. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_golden.h"
#include "cim_map.h"
#include "cim_seq.h"
#include "cosim.h"
#include "rram_device.h"
#include "suites.h"

typedef struct effect_run {
  double rel_rms;    /* rms(y - exact) / rms(exact) */
  double shrink;     /* sum |y| / sum |exact|: below 1 when magnitudes shrink */
} effect_run;

/* Figures of MVMs first..first+n-1 of a finished batch; assert that the RTL
 * matched the twin on every output of them. */
static effect_run figures(const char *name, uint64_t seed, const cosim_batch *batch, int first,
                          int n) {
  double se = 0, sx = 0, sy_abs = 0, sx_abs = 0;
  for (int i = first; i < first + n; i++) {
    const cosim_mvm *m = &batch->mvm[i];
    char msg[512];
    int bad = cosim_compare(m, 0, msg, sizeof msg);
    ck_assert_msg(bad == 0, "%s: MVM %d: RTL != twin on %d outputs, first: %s\nreproduce: %s",
                  name, i, bad, msg, cosim_repro(name, seed));
    for (int j = 0; j < m->job.n_outs; j++) {
      double e = (double)m->y_rtl[j] - (double)m->y_exact[j];
      se += e * e;
      sx += (double)m->y_exact[j] * (double)m->y_exact[j];
      sy_abs += fabs((double)m->y_rtl[j]);
      sx_abs += fabs((double)m->y_exact[j]);
    }
  }
  return (effect_run){sqrt(se / sx), sy_abs / sx_abs};
}

/* The relative rms error of MVMs 0..n-1 of batch replayed on device dev
 * (same weights, inputs, jobs and array seed) by the C model's sequencer and
 * the twin, without RTL: what the model says this build's ADCs make of the
 * effect. */
static double replay_rel_rms(const cosim_batch *batch, const rram_device *dev, uint64_t seed,
                             int n) {
  cosim_build b;
  cosim_build_get(&b);
  rram_array *a = cosim_array_dev(batch->W, b.n_out, batch->k, seed, dev);
  ck_assert_ptr_nonnull(a);
  int32_t *y = calloc((size_t)b.n_out, sizeof *y);
  ck_assert_ptr_nonnull(y);
  double se = 0, sx = 0;
  for (int i = 0; i < n; i++) {
    const cosim_mvm *m = &batch->mvm[i];
    char err[256] = "";
    ck_assert_int_eq(cim_seq_run(a, b.w_bits, &m->job, m->x), RRAM_OK);
    ck_assert_msg(cim_twin_run(a, b.w_bits, &m->job, m->x, NULL, y, err, sizeof err) == RRAM_OK,
                  "twin: %s", err);
    for (int j = 0; j < m->job.n_outs; j++) {
      double e = (double)y[j] - (double)m->y_exact[j];
      se += e * e;
      sx += (double)m->y_exact[j] * (double)m->y_exact[j];
    }
  }
  free(y);
  rram_array_destroy(a);
  return sqrt(se / sx);
}

/* Run 2 full-size MVMs on device dev aged age_s; with calibrate, run the
 * same 2 inputs again after the firmware calibration (MVMs 2 and 3). */
static void run_effect(cosim_batch *batch, const rram_device *dev, double age_s, int calibrate,
                       uint64_t seed) {
  cosim_build b;
  cosim_build_get(&b);
  cosim_rng r = {seed};
  const int n_in = 2, n_mvm = calibrate ? 4 : 2;
  int32_t *W = cosim_random_weights(&r, b.n_out, b.geo.rows, b.w_bits);
  cosim_mvm *mvm = calloc((size_t)n_mvm, sizeof *mvm);
  ck_assert_ptr_nonnull(mvm);
  for (int i = 0; i < n_mvm; i++) {
    /* a quarter of the ADC range left as headroom, as a design would leave
     * for gain and offset errors: clipping is not the effect under test */
    int p = b.p_fit * 3 / 4 > 0 ? b.p_fit * 3 / 4 : 1;
    mvm[i].job = (cim_job){.n_rows = b.geo.rows, .n_outs = b.n_out, .x_bits = b.x_bits,
                           .group_rows = p, .out_bits = 32};
    mvm[i].conv_cycles = 1;
    mvm[i].x = i < n_in ? cosim_random_inputs(&r, b.geo.rows, b.x_bits, 0) : mvm[i - n_in].x;
  }
  *batch = (cosim_batch){.array = cosim_array_dev(W, b.n_out, b.geo.rows, seed, dev),
                         .W = W, .k = b.geo.rows, .mvm = mvm, .n_mvm = n_mvm,
                         .calibrate = calibrate, .calibrate_at = n_in};
  ck_assert_ptr_nonnull(batch->array);
  if (age_s > 0) ck_assert_int_eq(rram_array_age(batch->array, age_s), RRAM_OK);
  ck_assert_int_eq(cosim_run_batch(batch, NULL), 0);
  ck_assert_msg(batch->cal_status == CIM_OK, "calibration: %s", cim_strerror(batch->cal_status));
}

static effect_run one_effect(const char *name, const rram_device *dev, double age_s,
                             uint64_t seed) {
  cosim_batch batch;
  run_effect(&batch, dev, age_s, 0, seed);
  return figures(name, seed, &batch, 0, batch.n_mvm);
}

static rram_device preset(const char *name) {
  rram_device d;
  ck_assert_int_eq(rram_device_preset(name, &d), RRAM_OK);
  return d;
}

/* Check the calibration the firmware programmed (fit[a], ADC by ADC index)
 * against the model's truth. Every ADC that serves an output column is
 * either calibrated (checked: offset within 0.5 LSB, gain within 5 %) or
 * skipped (it kept the identity: refused or nothing to fit), and exactly
 * n_cal of them are calibrated. Returns the number of problems and writes
 * the first one to msg. */
static int check_adc_fits(const rram_array *array, const cim_adc_cal *fit, int n_used, int n_cal,
                          int *n_skipped /* OUT */, char *msg, size_t len) {
  int bad = 0, checked = 0;
  const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
  *n_skipped = 0;
  msg[0] = '\0';
  for (int a = 0; a < n_used; a++) {
    if (fit[a].offset_q4 == id.offset_q4 && fit[a].gain_q14 == id.gain_q14) {
      ++*n_skipped; /* kept the identity: not calibrated, nothing to compare */
      continue;
    }
    checked++;
    double off, gain;
    if (rram_array_adc_truth(array, a, &off, &gain) != RRAM_OK) {
      if (bad++ == 0) snprintf(msg, len, "ADC %d: no truth in the model", a);
      continue;
    }
    double off_fit = fit[a].offset_q4 / 16.0;
    double gain_fit = 16384.0 / fit[a].gain_q14;
    /* quantization and the pedestal term limit the fit; 16 patterns */
    if (!(fabs(off_fit - off) < 0.5 && fabs(gain_fit / gain - 1.0) < 0.05) && bad++ == 0)
      snprintf(msg, len, "ADC %d: fitted offset %.3f LSB gain %.4f, the model's truth %.3f LSB %.4f",
               a, off_fit, gain_fit, off, gain);
  }
  if (checked != n_cal && bad++ == 0)
    snprintf(msg, len, "%d of %d ADCs carry a calibration, the report says %d were calibrated",
             checked, n_used, n_cal);
  return bad;
}

/* A plausible error: visible, yet far from destroying the result. */
#define ASSERT_REL_RMS(name, e, lo, hi)                                                  \
  ck_assert_msg((e).rel_rms > (lo) && (e).rel_rms < (hi),                                \
                "%s: relative rms error %.4g outside the plausible %g..%g", name, (e).rel_rms, \
                (double)(lo), (double)(hi))

START_TEST(test_dev_prog_error) {
  rram_device d = preset("prog_error");
  effect_run e = one_effect("test_dev_prog_error", &d, 0, cosim_seed(51));
  ASSERT_REL_RMS("prog_error", e, 0.01, 0.5);
}
END_TEST

START_TEST(test_dev_read_noise) {
  rram_device d = preset("read_noise");
  d.read_noise = 0.05; /* 1 % stays below one ADC LSB on these sums */
  effect_run e = one_effect("test_dev_read_noise", &d, 0, cosim_seed(52));
  ASSERT_REL_RMS("read_noise 5 %", e, 0.001, 0.3);
}
END_TEST

START_TEST(test_dev_stuck) {
  rram_device d = preset("stuck");
  effect_run e = one_effect("test_dev_stuck", &d, 0, cosim_seed(53));
  ASSERT_REL_RMS("stuck", e, 0.05, 2.0);
}
END_TEST

/* Drift only lowers conductances (nu > 0), so outputs shrink towards 0. */
START_TEST(test_dev_drift_shrinks) {
  rram_device d = preset("drift");
  effect_run aged = one_effect("test_dev_drift_shrinks", &d, 3.15e7, cosim_seed(54));
  ASSERT_REL_RMS("drift after a year", aged, 0.01, 0.5);
  ck_assert_msg(aged.shrink < 1.0, "a year of drift grew the outputs (ratio %g)", aged.shrink);
}
END_TEST

/* IR drop lowers every cell's read voltage: magnitudes shrink. On a small
 * array with coarse ADC steps (e.g. 47 rows x 89 columns, 3-bit cells, a
 * 13-row group) the drop at 0.5 ohm per segment stays below half an LSB on
 * every column and rounds away: whether it shows is what the C model says
 * of the same MVMs without RTL. Where it shows, it must be plausible and
 * shrink the outputs; where it rounds away, the RTL must be exact too. */
START_TEST(test_dev_ir_drop_shrinks) {
  rram_device d = preset("ir_drop");
  const char *name = "test_dev_ir_drop_shrinks";
  uint64_t seed = cosim_seed(55);
  cosim_batch batch;
  run_effect(&batch, &d, 0, 0, seed);
  effect_run e = figures(name, seed, &batch, 0, batch.n_mvm);
  double predicted = replay_rel_rms(&batch, &d, seed, batch.n_mvm);
  ck_assert_msg(fabs(e.rel_rms - predicted) <= 1e-12 * (1 + predicted),
                "ir_drop: relative rms %g through the RTL, %g in the C model alone", e.rel_rms,
                predicted);
  if (predicted == 0) {
    printf("%s: the IR drop rounds away in this build (RTL exact, as the model says)\n", name);
    ck_assert_msg(e.shrink == 1.0, "IR drop changed exact outputs (ratio %g)", e.shrink);
    return;
  }
  /* visible (the model says so, and the RTL agrees), and far from
   * destroying the result; how much shows depends on the build's steps */
  ASSERT_REL_RMS("ir_drop", e, 0, 0.5);
  ck_assert_msg(e.shrink < 1.0, "IR drop grew the outputs (ratio %g)", e.shrink);
}
END_TEST

/* ADC offset and gain errors, and the firmware calibration that undoes them. */
START_TEST(test_dev_adc_calibration) {
  /* the conductance window of the default device (its level-0 pedestal keeps
   * codes off 0, where a negative offset would clip) with ADC errors only:
   * noise and INL are not what calibration corrects */
  rram_device d = preset("window");
  const rram_device adc = preset("adc");
  d.adc_lsb_ua = 0; /* one level per LSB whatever the build's cell bits */
  d.adc_offset_lsb = adc.adc_offset_lsb;
  d.adc_gain_err = adc.adc_gain_err;
  d.adc_gain_sigma = 0.15; /* well above the quantization floor of the pedestal */
  d.adc_offset_sigma_lsb = 3;
  const char *name = "test_dev_adc_calibration";
  uint64_t seed = cosim_seed(56);
  cosim_batch batch;
  run_effect(&batch, &d, 0, 1, seed);
  effect_run raw = figures(name, seed, &batch, 0, 2);
  effect_run cal = figures(name, seed, &batch, 2, 2);
  const cim_cal_report *rep = &batch.cal_report;
  /* offsets cancel only where both columns of a pair share an ADC */
  ASSERT_REL_RMS("adc gain/offset", raw, 0.01, 10.0);
  ck_assert_msg(rep->rms_after < 0.5 * rep->rms_before,
                "calibration: code error rms %g -> %g LSB, want at least halved",
                rep->rms_before, rep->rms_after);
  /* what the firmware fitted against the model's truth, by ADC index: the
   * ADCs that serve output columns, calibrated or skipped */
  cosim_build b;
  cosim_build_get(&b);
  const int n_col = b.n_out * 2 * cim_map_slices(b.w_bits, b.geo.cell_bits);
  const int n_used = (n_col + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc;
  ck_assert_int_gt(rep->n_adc, 0);
  char msg[256];
  int skipped;
  int bad = check_adc_fits(batch.array, batch.cal_fit, n_used, rep->n_adc, &skipped, msg,
                           sizeof msg);
  ck_assert_msg(bad == 0, "%s\nreproduce: %s", msg, cosim_repro(name, seed));
  ck_assert_msg(skipped == n_used - rep->n_adc, "%d ADCs skipped, %d used, %d calibrated", skipped,
                n_used, rep->n_adc);
  /* A skipped ADC in the middle must not shift the checks of the others:
   * the same fits with ADC 0 (or 1) left at the identity still check out,
   * ADC by ADC, with one more skipped. */
  if (n_used >= 2 && rep->n_adc >= 2) {
    cim_adc_cal fits[1024];
    memcpy(fits, batch.cal_fit, sizeof fits);
    const int gap = n_used > 2 ? 1 : 0;
    fits[gap] = CIM_ADC_CAL_IDENTITY;
    int skipped2;
    bad = check_adc_fits(batch.array, fits, n_used, rep->n_adc - 1, &skipped2, msg, sizeof msg);
    ck_assert_msg(bad == 0 && skipped2 == skipped + 1,
                  "with ADC %d skipped: %d problems (%s), %d skipped", gap, bad, msg, skipped2);
    /* and a calibration the report does not account for is a problem */
    ck_assert_int_gt(check_adc_fits(batch.array, fits, n_used, rep->n_adc, &skipped2, msg,
                                    sizeof msg), 0);
  }
  /* What calibration can reach depends on the build: each calibrated code
   * is rounded to an integer again, an error of 1/sqrt(12) LSB rms per
   * conversion that no calibration removes. Through the shift-and-add it
   * weighs 2^(cell_bits s) 2^b per slice s and input bit plane b, on both
   * columns of a pair, once per row group: with few ADC bits and 1-bit cells
   * that floor is as large as the ADC errors' own share of the MVM error.
   * So calibration must lower the MVM's error, and take it to half, or to
   * within 1.5x that rounding floor, whichever is larger. */
  const cim_job *job = &batch.mvm[2].job;
  const int slices = cim_map_slices(b.w_bits, b.geo.cell_bits);
  const int groups = (job->n_rows + job->group_rows - 1) / job->group_rows;
  double w_planes = 0, w_slices = 0, sy = 0;
  for (int p = 0; p < job->x_bits; p++) w_planes += ldexp(1.0, 2 * p);
  for (int s = 0; s < slices; s++) w_slices += ldexp(1.0, 2 * b.geo.cell_bits * s);
  for (int i = 2; i < 4; i++)
    for (int j = 0; j < job->n_outs; j++)
      sy += (double)batch.mvm[i].y_exact[j] * (double)batch.mvm[i].y_exact[j];
  const double rounding_floor =
      sqrt(2.0 / 12.0 * groups * w_planes * w_slices) / sqrt(sy / (2.0 * job->n_outs));
  const double want = fmax(0.5 * raw.rel_rms, 1.5 * rounding_floor);
  ck_assert_msg(cal.rel_rms < raw.rel_rms && cal.rel_rms < want,
                "calibration did not help the MVM enough: relative rms %g -> %g, want below %g "
                "(half, or 1.5x the rounding floor %g)\nreproduce: %s",
                raw.rel_rms, cal.rel_rms, want, rounding_floor, cosim_repro(name, seed));
  printf("adc calibration: code rms %.3f -> %.3f LSB, MVM relative rms %.4f -> %.4f "
         "(rounding floor %.4f)\n",
         rep->rms_before, rep->rms_after, raw.rel_rms, cal.rel_rms, rounding_floor);
}
END_TEST

Suite *suite_device(void) {
  Suite *s = suite_create("device");
  suite_add_test(s, test_dev_prog_error);
  suite_add_test(s, test_dev_read_noise);
  suite_add_test(s, test_dev_stuck);
  suite_add_test(s, test_dev_drift_shrinks);
  suite_add_test(s, test_dev_ir_drop_shrinks);
  suite_add_test(s, test_dev_adc_calibration);
  return s;
}

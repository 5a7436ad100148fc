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
  double g_sum, g0_sum; /* summed conductance of W's cells with the effect and without, uS */
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
  return (effect_run){.rel_rms = sqrt(se / sx), .shrink = sy_abs / sx_abs};
}

/* The relative rms error of MVMs 0..n-1 of batch replayed on device dev
 * (same weights, inputs, jobs and array seed) by the C model's sequencer and
 * the twin, without RTL: what the model says this build's ADCs make of the
 * effect. */
static double replay_rel_rms(const cosim_batch *batch, const rram_device *dev, double age_s,
                             uint64_t seed, int n) {
  cosim_build b;
  cosim_build_get(&b);
  rram_array *a = cosim_array_dev(batch->W, b.n_out, batch->k, seed, dev);
  ck_assert_ptr_nonnull(a);
  if (age_s > 0) ck_assert_int_eq(rram_array_age(a, age_s), RRAM_OK);
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
  /* W and inputs whose exact MVM is not all 0: on a small build (one row,
   * 1-bit inputs, one output) a draw can make every output 0, which no
   * effect's relative error can be measured on; draw again from the same
   * stream then (larger builds keep their first draw) */
  int32_t *W = NULL, *xs[2] = {NULL, NULL};
  int64_t *y = calloc((size_t)b.n_out, sizeof *y);
  ck_assert_ptr_nonnull(y);
  int nonzero = 0;
  for (int tries = 0; tries < 100 && !nonzero; tries++) {
    free(W);
    free(xs[0]);
    free(xs[1]);
    W = cosim_random_weights(&r, b.n_out, b.geo.rows, b.w_bits);
    for (int i = 0; i < n_in; i++) xs[i] = cosim_random_inputs(&r, b.geo.rows, b.x_bits, 0);
    for (int i = 0; i < n_in; i++) {
      cim_mvm_exact(W, xs[i], b.n_out, b.geo.rows, y);
      for (int j = 0; j < b.n_out; j++) nonzero |= y[j] != 0;
    }
  }
  free(y);
  ck_assert_msg(nonzero, "100 draws of W and x all gave W x = 0");
  cosim_mvm *mvm = calloc((size_t)n_mvm, sizeof *mvm);
  ck_assert_ptr_nonnull(mvm);
  for (int i = 0; i < n_mvm; i++) {
    /* a quarter of the ADC range left as headroom, as a design would leave
     * for gain and offset errors: clipping is not the effect under test */
    int p = b.p_fit * 3 / 4 > 0 ? b.p_fit * 3 / 4 : 1;
    mvm[i].job = (cim_job){.n_rows = b.geo.rows, .n_outs = b.n_out, .x_bits = b.x_bits,
                           .group_rows = p, .out_bits = 32};
    mvm[i].conv_cycles = 1;
    mvm[i].x = xs[i % n_in];
  }
  *batch = (cosim_batch){.array = cosim_array_dev(W, b.n_out, b.geo.rows, seed, dev),
                         .W = W, .k = b.geo.rows, .mvm = mvm, .n_mvm = n_mvm,
                         .calibrate = calibrate, .calibrate_at = n_in};
  ck_assert_ptr_nonnull(batch->array);
  if (age_s > 0) ck_assert_int_eq(rram_array_age(batch->array, age_s), RRAM_OK);
  ck_assert_int_eq(cosim_run_batch(batch, NULL), 0);
}

static rram_device preset(const char *name) {
  rram_device d;
  ck_assert_int_eq(rram_device_preset(name, &d), RRAM_OK);
  return d;
}

/* Check the calibration the firmware programmed (fit[a], ADC by ADC index)
 * against the model's truth. Every ADC that serves an output column is
 * either calibrated (checked: offset within tol_off LSB, gain within tol_gain
 * relative) or skipped (it kept the identity: refused or nothing to fit), and
 * exactly n_cal of them are calibrated. Returns the number of problems and
 * writes the first one to msg. */
static int check_adc_fits(const rram_array *array, const cim_adc_cal *fit, int n_used, int n_cal,
                          double tol_off, double tol_gain, int *n_skipped /* OUT */, char *msg,
                          size_t len) {
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
    if (!(fabs(off_fit - off) < tol_off && fabs(gain_fit / gain - 1.0) < tol_gain) && bad++ == 0)
      snprintf(msg, len,
               "ADC %d: fitted offset %.3f LSB gain %.4f, the model's truth %.3f LSB %.4f "
               "(tolerance %.3f LSB, %.4f)",
               a, off_fit, gain_fit, off, gain, tol_off, tol_gain);
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

/* Cells of outputs 0..n_out-1 of W (rows 0..ROWS-1) whose conductance on
 * device dev, aged age_s, differs from the same weights on the ideal device:
 * where an effect rounds away in the ADC, this says it is there all the same. */
static int cells_moved(const int32_t *W, const rram_device *dev, double age_s, uint64_t seed,
                       double *g_sum /* OUT */, double *g0_sum /* OUT */) {
  cosim_build b;
  cosim_build_get(&b);
  rram_array *a = cosim_array_dev(W, b.n_out, b.geo.rows, seed, dev);
  rram_array *ideal = cosim_array(W, b.n_out, b.geo.rows, seed);
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(ideal);
  if (age_s > 0) ck_assert_int_eq(rram_array_age(a, age_s), RRAM_OK);
  const int n_col = b.n_out * 2 * cim_map_slices(b.w_bits, b.geo.cell_bits);
  int moved = 0;
  *g_sum = *g0_sum = 0;
  for (int row = 0; row < b.geo.rows; row++)
    for (int c = 0; c < n_col; c++) {
      double g, g0;
      ck_assert_int_eq(rram_array_get_conductance(a, row, c, &g), RRAM_OK);
      ck_assert_int_eq(rram_array_get_conductance(ideal, row, c, &g0), RRAM_OK);
      moved += fabs(g - g0) > 1e-9 * (1.0 + fabs(g0));
      *g_sum += g;
      *g0_sum += g0;
    }
  rram_array_destroy(a);
  rram_array_destroy(ideal);
  return moved;
}

/* A cell effect (drawn per cell, nothing per conversion) on this build: the
 * RTL equals the twin, and its error equals what the C model alone makes of
 * the same MVMs (replay_rel_rms: the effect and this build's ADC steps,
 * without RTL). How much shows depends on the build: one driven row of
 * 1-bit cells read by a 1-bit ADC rounds a programming error of a few
 * percent of a level away on every conversion, 48 rows of 2-bit cells do
 * not. Where the model says the effect rounds away, the RTL must be exact;
 * where it shows, the error must be plausible: visible, yet below hi (far
 * from destroying the result). *shows says which, *moved how many cells the
 * effect moved off their ideal conductance (cells_moved). */
static effect_run cell_effect(const char *name, const rram_device *dev, double age_s,
                              uint64_t seed, double hi, int *shows /* OUT */,
                              int *moved /* OUT */) {
  cosim_batch batch;
  run_effect(&batch, dev, age_s, 0, seed);
  effect_run e = figures(name, seed, &batch, 0, batch.n_mvm);
  double predicted = replay_rel_rms(&batch, dev, age_s, seed, batch.n_mvm);
  ck_assert_msg(fabs(e.rel_rms - predicted) <= 1e-12 * (1 + predicted),
                "%s: relative rms %g through the RTL, %g in the C model alone\nreproduce: %s",
                name, e.rel_rms, predicted, cosim_repro(name, seed));
  *shows = predicted > 0;
  if (!*shows) {
    printf("%s: the effect rounds away in this build (RTL exact, as the model says)\n", name);
    ck_assert_msg(e.rel_rms == 0 && e.shrink == 1.0,
                  "%s: outputs changed (relative rms %g, ratio %g) where the model says none do",
                  name, e.rel_rms, e.shrink);
  } else {
    ck_assert_msg(e.rel_rms > 0 && e.rel_rms < hi,
                  "%s: relative rms error %.4g outside the plausible 0..%g\nreproduce: %s", name,
                  e.rel_rms, hi, cosim_repro(name, seed));
  }
  *moved = cells_moved(batch.W, dev, age_s, seed, &e.g_sum, &e.g0_sum);
  rram_array_destroy(batch.array);
  return e;
}

/* The programming error of a cell at level L has sigma(g_min + L step) uS,
 * step = (g_max - g_min) / LEVEL_MAX: at most e levels, the largest over the
 * levels. Slice s weighs 2^(CELL_BITS s) on both cells of a pair, so a
 * weight's error has rms at most e sqrt(2 sum_s 4^(CELL_BITS s)), against
 * 2^(W_BITS-1) / sqrt(3) for uniform random weights; the MVM's relative
 * error over random inputs is about that ratio. With 2-bit cells a level is
 * 13 uS and the error a fifth of it; with 4-bit cells a level is 2.7 uS and
 * the error about one level, weighed 16x on the top slice. The estimate
 * takes the largest sigma of any level for every cell: plausible below it. */
START_TEST(test_dev_prog_error) {
  rram_device d = preset("prog_error");
  cosim_build b;
  cosim_build_get(&b);
  const int level_max = (1 << b.geo.cell_bits) - 1;
  const double step_us = (d.g_max_us - d.g_min_us) / level_max;
  double e_levels = 0, w_slices = 0;
  for (int l = 0; l <= level_max; l++)
    e_levels = fmax(e_levels, rram_device_prog_sigma_us(&d, d.g_min_us + l * step_us) / step_us);
  for (int s = 0; s < cim_map_slices(b.w_bits, b.geo.cell_bits); s++)
    w_slices += ldexp(1.0, 2 * b.geo.cell_bits * s);
  /* the expected relative rms of independent per-cell errors of e_levels;
   * one batch of MVMs (tens of outputs) lands within twice that */
  const double estimate = e_levels * sqrt(2.0 * w_slices) / (ldexp(1.0, b.w_bits - 1) / sqrt(3.0));
  int shows, moved;
  effect_run e =
      cell_effect("test_dev_prog_error", &d, 0, cosim_seed(51), 2.0 * estimate, &shows, &moved);
  printf("test_dev_prog_error: error up to %.3f levels per cell, relative rms %.4f (expected "
         "about %.4f, plausible below twice that)\n", e_levels, e.rel_rms, estimate);
  /* whether or not the ADC resolves it, programming error moves cells */
  ck_assert_msg(moved > 0, "prog_error moved no cell off its level");
}
END_TEST

/* Read noise is drawn per conversion, in the order the RTL converts, so the
 * C model alone cannot replay it draw for draw. What the build allows
 * follows from its numbers: a column's noise has sigma read_noise * sqrt(sum
 * of squared currents), at most read_noise * L * sqrt(p) LSB for a group of
 * p rows (one ADC LSB per level), L the highest level a weight reaches
 * (LEVEL_MAX, or 2^(W_BITS-1) where the weights are narrower than a cell). Below 1/16 LSB a conversion
 * rounds the noise away unless it exceeds 8 sigma (probability 1e-15): the
 * RTL must be exact. From 1/2 LSB on, a third of the conversions of the
 * fullest columns cross a step: the error must be visible and plausible.
 * In between, it must stay plausible. */
START_TEST(test_dev_read_noise) {
  rram_device d = preset("read_noise");
  d.read_noise = 0.05; /* 1 % stays below one ADC LSB on these sums */
  ck_assert_msg(d.adc_lsb_ua <= 0 && d.g_min_us == 0,
                "the read_noise preset is no longer one LSB per level from 0");
  const char *name = "test_dev_read_noise";
  uint64_t seed = cosim_seed(52);
  cosim_batch batch;
  run_effect(&batch, &d, 0, 0, seed);
  effect_run e = figures(name, seed, &batch, 0, batch.n_mvm);
  cosim_build b;
  cosim_build_get(&b);
  const int p = batch.mvm[0].job.group_rows;
  /* the highest level a weight puts in a cell: LEVEL_MAX, or less where the
   * weights' magnitude (at most 2^(W_BITS-1)) is narrower than a cell */
  const int level_max = (1 << b.geo.cell_bits) - 1, mag_max = 1 << (b.w_bits - 1);
  const int level_top = mag_max < level_max ? mag_max : level_max;
  const double sigma_max = d.read_noise * level_top * sqrt((double)p);
  if (sigma_max < 1.0 / 16) {
    printf("%s: noise sigma at most %.3g LSB rounds away in this build (RTL exact)\n", name,
           sigma_max);
    ck_assert_msg(e.rel_rms == 0, "read noise of sigma at most %g LSB changed outputs "
                  "(relative rms %g)\nreproduce: %s", sigma_max, e.rel_rms, cosim_repro(name, seed));
    return;
  }
  const double lo = sigma_max >= 0.5 ? 0.001 : 0;
  ck_assert_msg(e.rel_rms >= lo && e.rel_rms < 0.3,
                "read_noise 5 %%: relative rms error %.4g outside the plausible %g..0.3 (noise "
                "sigma up to %.3g LSB)\nreproduce: %s", e.rel_rms, lo, sigma_max,
                cosim_repro(name, seed));
}
END_TEST

/* A cell stuck at g_max holds LEVEL_MAX whatever its slice: the pair of a
 * weight can then hold up to 2^(CELL_BITS S) - 1, r times the largest weight
 * magnitude 2^(W_BITS-1). r is about 2 where the slices fill W_BITS (8-bit
 * weights in 2-bit cells) and 8 for 6-bit weights in 4-bit cells, whose top
 * slice holds 2 of its 4 bits. With about 11 % of the cells stuck, the
 * relative rms error is near 0.6 r on random data: plausible below r. */
START_TEST(test_dev_stuck) {
  rram_device d = preset("stuck");
  cosim_build b;
  cosim_build_get(&b);
  const int span_bits = b.geo.cell_bits * cim_map_slices(b.w_bits, b.geo.cell_bits);
  const double r = (ldexp(1.0, span_bits) - 1) / ldexp(1.0, b.w_bits - 1);
  int shows, moved;
  cell_effect("test_dev_stuck", &d, 0, cosim_seed(53), r, &shows, &moved);
  /* a small array may hold no stuck cell, or only cells stuck at their own
   * level or in undriven rows: then the model says nothing shows, and the
   * RTL was exact (cell_effect) */
  printf("test_dev_stuck: %d cells off their level, %s\n", moved,
         shows ? "the error shows" : "no output changed");
}
END_TEST

/* Drift lowers conductances (nu > 0 on average): the cells' summed
 * conductance shrinks. The outputs need not: a pair's G- can drop by more
 * steps than its G+ (nu varies per cell, codes round), so a differential
 * output can grow, and a coarse ADC shows exactly that (a 3-bit ADC with
 * two-row groups grew the summed |y| by 0.1 %); the RTL still equals the C
 * model's replay of the drift (cell_effect). */
START_TEST(test_dev_drift_shrinks) {
  rram_device d = preset("drift");
  int shows, moved;
  effect_run aged =
      cell_effect("test_dev_drift_shrinks", &d, 3.15e7, cosim_seed(54), 0.5, &shows, &moved);
  /* whether or not the ADC resolves it, a year of drift lowers the cells
   * above 0 uS, and W x != 0 puts one there */
  ck_assert_msg(moved > 0, "a year of drift moved no cell");
  ck_assert_msg(aged.g_sum < aged.g0_sum,
                "a year of drift raised the summed conductance %g -> %g uS", aged.g0_sum,
                aged.g_sum);
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
  double predicted = replay_rel_rms(&batch, &d, 0, seed, batch.n_mvm);
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
  cosim_build b;
  cosim_build_get(&b);
  /* the largest row group the calibration can drive: with one row, offset
   * and pedestal move together unless the offset lifts the undriven code
   * off 0, so the routine may fit nothing (cim_calib.h) */
  const int cal_rows_max = b.p_max < b.geo.rows ? b.p_max : b.geo.rows;
  if (b.geo.adc_bits > 1 && cal_rows_max == 1 && batch.cal_status == CIM_ENODATA) {
    ck_assert_msg(rep->n_adc == 0 && rep->n_refused == 0 && rep->n_unfit > 0,
                  "one-row groups, nothing to fit: %d ADCs calibrated, %d refused, %d unfit",
                  rep->n_adc, rep->n_refused, rep->n_unfit);
    const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
    for (int a = 0; a < (b.geo.cols + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc; a++)
      ck_assert_msg(batch.cal_fit[a].offset_q4 == id.offset_q4 &&
                        batch.cal_fit[a].gain_q14 == id.gain_q14,
                    "one-row groups: ADC %d left calibrated", a);
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < batch.mvm[i].job.n_outs; j++)
        ck_assert_msg(batch.mvm[i].y_rtl[j] == batch.mvm[i + 2].y_rtl[j],
                      "one-row groups: output %d of vector %d changed with no calibration", j, i);
    printf("adc calibration: one-row groups, %d ADCs whose codes fit nothing (%s)\n",
           rep->n_unfit, cim_strerror(batch.cal_status));
    return;
  }
  /* A 1-bit ADC's only codes, 0 and 1, are 0 and full scale: no code says
   * anything about offset or gain. Where the calibration group spans few
   * unclipped codes their rounding alone may leave every fit undetermined
   * (cosim_cal_fit_owed). Where the routine finds nothing to fit it must say
   * so, calibrate nothing, and the MVMs after it must be the MVMs before it. */
  if (b.geo.adc_bits == 1 || (!cosim_cal_fit_owed() && batch.cal_status == CIM_ENODATA)) {
    ck_assert_msg(batch.cal_status == CIM_ENODATA, "1-bit ADC: calibration returned %s, want %s",
                  cim_strerror(batch.cal_status), cim_strerror(CIM_ENODATA));
    ck_assert_msg(rep->n_adc == 0 && rep->n_refused == 0 &&
                      (b.geo.adc_bits > 1 || rep->n_points == 0),
                  "nothing to fit, yet %d ADCs calibrated, %d refused, from %d points",
                  rep->n_adc, rep->n_refused, rep->n_points);
    const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
    for (int a = 0; a < (b.geo.cols + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc; a++)
      ck_assert_msg(batch.cal_fit[a].offset_q4 == id.offset_q4 &&
                        batch.cal_fit[a].gain_q14 == id.gain_q14,
                    "1-bit ADC: ADC %d left calibrated", a);
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < batch.mvm[i].job.n_outs; j++)
        ck_assert_msg(batch.mvm[i].y_rtl[j] == batch.mvm[i + 2].y_rtl[j],
                      "1-bit ADC: output %d of vector %d changed from %d to %d with no "
                      "calibration", j, i, batch.mvm[i].y_rtl[j], batch.mvm[i + 2].y_rtl[j]);
    printf("adc calibration: %d-bit ADC, %d codes clipped, %d ADCs unfit, nothing to fit (%s); "
           "MVM relative rms %.4f\n", b.geo.adc_bits, rep->n_clipped, rep->n_unfit,
           cim_strerror(batch.cal_status), raw.rel_rms);
    return;
  }
  ck_assert_msg(batch.cal_status == CIM_OK, "calibration: %s\nreproduce: %s",
                cim_strerror(batch.cal_status), cosim_repro(name, seed));
  /* offsets cancel only where both columns of a pair share an ADC */
  ASSERT_REL_RMS("adc gain/offset", raw, 0.01, 10.0);
  /* the codes of ADCs the routine could not fit keep their error: halved
   * where every ADC was fitted, lowered where some were not */
  const int all_fitted = rep->n_unfit == 0 && rep->n_refused == 0;
  ck_assert_msg(rep->rms_after < (all_fitted ? 0.5 : 1.0) * rep->rms_before,
                "calibration: code error rms %g -> %g LSB, want %s (%d ADCs unfit, %d refused)",
                rep->rms_before, rep->rms_after, all_fitted ? "at least halved" : "lower",
                rep->n_unfit, rep->n_refused);
  /* what the firmware fitted against the model's truth, by ADC index: the
   * ADCs that serve output columns, calibrated or skipped */
  const int n_col = b.n_out * 2 * cim_map_slices(b.w_bits, b.geo.cell_bits);
  const int n_used = (n_col + b.geo.cols_per_adc - 1) / b.geo.cols_per_adc;
  ck_assert_int_gt(rep->n_adc, 0);
  /* The firmware fits an ADC only where rounding alone leaves a standard
   * error of at most CIM_CAL_MAX_SE_* and reports the largest it fitted:
   * each fit must be within 4 of those, and never looser than 0.5 LSB and
   * 5 % where the build's codes pin it down better. */
  ck_assert_msg(rep->max_se_offset_lsb > 0 && rep->max_se_offset_lsb <= CIM_CAL_MAX_SE_OFFSET_LSB &&
                    rep->max_se_gain > 0 && rep->max_se_gain <= CIM_CAL_MAX_SE_GAIN,
                "calibration: standard errors %g LSB, %g of the fits outside 0..%g, 0..%g",
                rep->max_se_offset_lsb, rep->max_se_gain, CIM_CAL_MAX_SE_OFFSET_LSB,
                CIM_CAL_MAX_SE_GAIN);
  const double tol_off = fmax(0.5, 4.0 * rep->max_se_offset_lsb);
  const double tol_gain = fmax(0.05, 4.0 * rep->max_se_gain);
  char msg[256];
  int skipped;
  int bad = check_adc_fits(batch.array, batch.cal_fit, n_used, rep->n_adc, tol_off, tol_gain,
                           &skipped, msg, sizeof msg);
  ck_assert_msg(bad == 0, "%s\nreproduce: %s", msg, cosim_repro(name, seed));
  ck_assert_msg(skipped == n_used - rep->n_adc, "%d ADCs skipped, %d used, %d calibrated", skipped,
                n_used, rep->n_adc);
  ck_assert_msg(rep->n_unfit + rep->n_refused <= skipped,
                "%d ADCs unfit and %d refused, but only %d skipped", rep->n_unfit, rep->n_refused,
                skipped);
  /* A skipped ADC in the middle must not shift the checks of the others:
   * the same fits with ADC 0 (or 1) left at the identity still check out,
   * ADC by ADC, with one more skipped. */
  if (n_used >= 2 && rep->n_adc >= 2) {
    cim_adc_cal fits[1024];
    memcpy(fits, batch.cal_fit, sizeof fits);
    /* the first calibrated ADC past ADC 0 where there is one (an ADC the
     * routine could not fit is already at the identity) */
    const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
    int gap = -1;
    for (int a = n_used > 2 ? 1 : 0; a < n_used && gap < 0; a++)
      if (fits[a].offset_q4 != id.offset_q4 || fits[a].gain_q14 != id.gain_q14) gap = a;
    if (gap < 0) gap = 0;
    fits[gap] = CIM_ADC_CAL_IDENTITY;
    int skipped2;
    bad = check_adc_fits(batch.array, fits, n_used, rep->n_adc - 1, tol_off, tol_gain, &skipped2,
                         msg, sizeof msg);
    ck_assert_msg(bad == 0 && skipped2 == skipped + 1,
                  "with ADC %d skipped: %d problems (%s), %d skipped", gap, bad, msg, skipped2);
    /* and a calibration the report does not account for is a problem */
    ck_assert_int_gt(check_adc_fits(batch.array, fits, n_used, rep->n_adc, tol_off, tol_gain,
                                    &skipped2, msg, sizeof msg), 0);
  }
  /* What calibration can reach depends on the build: each calibrated code
   * is rounded to an integer again, an error of 1/sqrt(12) LSB rms per
   * conversion that no calibration removes. Through the shift-and-add it
   * weighs 2^(cell_bits s) 2^b per slice s and input bit plane b, on both
   * columns of a pair, once per row group: with few ADC bits and 1-bit cells
   * that floor is as large as the ADC errors' own share of the MVM error.
   * Each calibrated code also carries its fit's own error (a standard
   * error of up to CIM_CAL_MAX_SE_OFFSET_LSB, about the rounding's 0.29 LSB),
   * so the floor is taken twice. Calibration must take the MVM's error to
   * half, or to within twice that rounding floor, whichever is larger: it
   * must lower the error where the raw error stands above twice the floor,
   * and where the differential pair already cancels most of the offsets
   * (both columns on one ADC) and the raw error is below it, it must stay
   * within it. Where the routine left some used ADC unfit, that
   * ADC's error stays in the MVM whole: the error must then not grow by
   * more than the re-rounding of the fitted ADCs' codes (the floor; a
   * 16 x 32 build fits 2 of its 8 ADCs and moves the error by 3e-5), or
   * stay within twice the floor. */
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
  const double want = fmax(all_fitted ? 0.5 * raw.rel_rms : raw.rel_rms + rounding_floor,
                           2.0 * rounding_floor);
  ck_assert_msg(cal.rel_rms < want,
                "calibration did not help the MVM enough: relative rms %g -> %g, want below %g "
                "(%s, or twice the rounding floor %g); %d of %d ADCs fitted, %d unfit, %d "
                "refused\nreproduce: %s",
                raw.rel_rms, cal.rel_rms, want, all_fitted ? "half" : "no more than the floor above",
                rounding_floor,
                rep->n_adc, n_used, rep->n_unfit, rep->n_refused, cosim_repro(name, seed));
  printf("adc calibration: code rms %.3f -> %.3f LSB, MVM relative rms %.4f -> %.4f "
         "(rounding floor %.4f); %d ADCs fitted within %.3f LSB, %.4f, %d unfit\n",
         rep->rms_before, rep->rms_after, raw.rel_rms, cal.rel_rms, rounding_floor, rep->n_adc,
         tol_off, tol_gain, rep->n_unfit);
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

/* test_program.c: the write-verify programming engine, front door: ideal
 * switching reaches every level exactly and the MVM is exact; random
 * switching stays inside the window for the fraction the model predicts and
 * the MVM still equals the twin; stuck cells fail at their addresses; the
 * iteration limit holds; bad configurations and busy starts are refused;
 * front door against back door on the same device seed. Small shapes (k
 * rows x 2 outputs) keep each test well under a second of simulation. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_compensate.h"
#include "cim_golden.h"
#include "cim_map.h"
#include "cim_program.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"
#include "cosim.h"
#include "fwcheck.h"
#include "rram_switch.h"
#include "suites.h"

#define PROG_K 16      /* rows programmed */
#define PROG_N_MVM 3   /* MVMs after programming */

typedef struct prog_ctx {
  fwcheck c;
  cosim_build b;
  rram_array *array;
  const int32_t *W;
  int n_out, k, n_col;
  cim_program_cfg cfg;
  int backdoor_first;  /* load W by the backdoor, run the MVMs, then program */
  int read_only;       /* load W by the backdoor and read the cells back, no programming */
  int compensate;      /* after programming, cim_compensate_pairs */
  uint32_t *row_en, *col_en; /* non-NULL: cim_set_line_enables before programming */
  /* filled by the firmware */
  int open_status, prog_status;
  cim_program_report rep;
  uint8_t cell[PROG_K * 1024];
  uint32_t wv_fail, wv_cells, wv_pulses;  /* registers after the last run */
  uint8_t codes[PROG_K * 1024];           /* read_only: the sense codes read */
  double g0[PROG_K * 1024];               /* conductances before the read / compensation */
  int read_status;
  cim_comp_report comp;
  int32_t *x[PROG_N_MVM];
  cosim_mvm mvm[2][PROG_N_MVM];           /* [0] front door, [1] back door */
  double g_err_back[2];                   /* rms / max |G - level G|, uS, back door */
  int back_outside;                       /* back door: cells the engine would pulse */
} prog_ctx;

/* One MVM over rows 0..k-1 of W through the checked-MVM routine, as in
 * cosim.c. */
static int run_mvm(cim_dev *dev, prog_ctx *x, cosim_mvm *m) {
  int rc;
  cim_verify *ver = NULL;
  if ((rc = cim_set_conv_cycles(dev, 1)) != CIM_OK) return rc;
  if ((rc = cim_configure(dev, &m->job)) != CIM_OK) return rc;
  m->job = *cim_get_job(dev);
  if ((rc = cim_verify_create(x->array, x->W, x->n_out, x->k, x->b.w_bits, &ver)) != CIM_OK)
    return rc;
  m->exact_applies = cim_verify_exact_applies(ver, &m->job, m->exact_why, sizeof m->exact_why);
  cim_check_init(&m->chk);
  rc = cim_verify_mvm(ver, dev, m->x, CIM_WAIT_POLL, m->y_rtl, &m->cycles, &m->chk, NULL);
  m->job.adc_cal = NULL; /* it pointed into the driver */
  if (rc == CIM_OK) {
    const int32_t *yt = cim_verify_last_twin(ver);
    if (yt != NULL) memcpy(m->y_twin, yt, sizeof *yt * (size_t)m->job.n_outs);
    memcpy(m->y_exact, cim_verify_last_exact(ver), sizeof m->y_exact[0] * (size_t)m->job.n_outs);
  }
  cim_verify_destroy(ver);
  return rc;
}

static void run_mvms(cim_dev *dev, prog_ctx *x, cosim_mvm *mvm) {
  for (int i = 0; i < PROG_N_MVM; i++) {
    cosim_mvm *m = &mvm[i];
    m->job = (cim_job){.n_rows = x->k, .n_outs = x->n_out, .x_bits = x->b.x_bits,
                       .is_signed = i % 2, .out_bits = 32};
    m->x = x->x[i];
    m->status = run_mvm(dev, x, m);
    if (m->status != CIM_OK)
      snprintf(m->errmsg, sizeof m->errmsg, "%s: %s", cim_strerror(m->status), cim_errmsg(dev));
  }
}

/* |G - the conductance of its level| over the programmed cells, uS. */
static void level_error(const prog_ctx *x, double *rms, double *max) {
  const rram_device *d = rram_array_device(x->array);
  const int cb = x->b.geo.cell_bits, slices = CIM_CFG_SLICES;
  const double unit = (d->g_max_us - d->g_min_us) / ((1 << cb) - 1);
  double se = 0, mx = 0;
  int n = 0;
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      int level = 0, fault = 0;
      double g = 0;
      rram_array_get_fault(x->array, r, c, &fault);
      if (fault != RRAM_FAULT_NONE) continue; /* the same rail either way */
      (void)cim_map_level(x->W[(size_t)(c / (2 * slices)) * x->k + r], (c % (2 * slices)) / 2,
                          c % 2, x->b.w_bits, cb, &level);
      rram_array_get_conductance(x->array, r, c, &g);
      const double e = g - (d->g_min_us + level * unit);
      se += e * e;
      if (fabs(e) > mx) mx = fabs(e);
      n++;
    }
  }
  *rms = n ? sqrt(se / n) : 0;
  *max = mx;
}

/* The model's conductances of the programmed block into g. */
static void snapshot(const prog_ctx *x, double *g) {
  for (int r = 0; r < x->k; r++)
    for (int c = 0; c < x->n_col; c++)
      rram_array_get_conductance(x->array, r, c, &g[r * x->n_col + c]);
}

static int g_inside(const rram_device *d, double g, int t, int tol);
static int target_of(const prog_ctx *x, const rram_device *d, int r, int c);

/* Cells outside their window as the verify read would see them (no
 * noise): the cells the engine would pulse. */
static int count_outside(const prog_ctx *x) {
  const rram_device *d = rram_array_device(x->array);
  int n = 0;
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      double g = 0;
      int fault = 0;
      rram_array_get_fault(x->array, r, c, &fault);
      rram_array_get_conductance(x->array, r, c, &g);
      n += fault == RRAM_FAULT_NONE && !g_inside(d, g, target_of(x, d, r, c), x->cfg.tol);
    }
  }
  return n;
}

static int fw_program(mmio_bus *bus, void *arg) {
  prog_ctx *x = arg;
  cim_dev *dev = NULL;
  x->open_status = cim_open(bus, &dev);
  if (x->open_status != CIM_OK) return x->open_status;
  if (x->read_only) {
    x->prog_status = cim_map_load(x->array, x->W, x->n_out, x->k, x->b.w_bits) == RRAM_OK
                         ? CIM_OK : CIM_EINVAL;
    snapshot(x, x->g0);
    x->rep.n_cells = x->k * x->n_col;
    for (int r = 0; r < x->k && x->prog_status == CIM_OK; r++)
      x->prog_status = cim_program_read(dev, &x->cfg, r, 0, x->n_col, x->codes + r * x->n_col, NULL);
    mmio_read32(bus, CIM_REGS_WV_CELLS_OFFSET, &x->wv_cells);
    mmio_read32(bus, CIM_REGS_WV_PULSES_OFFSET, &x->wv_pulses);
    cim_close(dev);
    return 0;
  }
  if (x->backdoor_first) {
    x->prog_status = cim_map_load(x->array, x->W, x->n_out, x->k, x->b.w_bits) == RRAM_OK
                         ? CIM_OK : CIM_EINVAL;
    level_error(x, &x->g_err_back[0], &x->g_err_back[1]);
    x->back_outside = count_outside(x);
    run_mvms(dev, x, x->mvm[1]);
  }
  if (x->row_en) {
    snapshot(x, x->g0);
    if ((x->prog_status = cim_set_line_enables(dev, x->row_en, x->col_en)) != CIM_OK) {
      cim_close(dev);
      return 0;
    }
  }
  x->rep.cell = x->cell;
  x->prog_status = cim_program_weights(dev, x->W, x->n_out, x->k, &x->cfg, &x->rep);
  mmio_read32(bus, CIM_REGS_WV_FAIL_OFFSET, &x->wv_fail);
  mmio_read32(bus, CIM_REGS_WV_CELLS_OFFSET, &x->wv_cells);
  mmio_read32(bus, CIM_REGS_WV_PULSES_OFFSET, &x->wv_pulses);
  if (x->prog_status == CIM_OK && x->compensate) {
    snapshot(x, x->g0);
    x->prog_status = cim_compensate_pairs(dev, x->W, x->n_out, x->k, &x->cfg, x->cell, &x->comp);
  }
  if (x->prog_status == CIM_OK) run_mvms(dev, x, x->mvm[0]);
  cim_close(dev);
  return 0;
}

/* Build W and inputs, create the array on dev and program it front door. */
static void prog_run(prog_ctx *x, const rram_device *dev, uint64_t seed, const char *name) {
  cosim_build_get(&x->b);
  cosim_rng r = {seed};
  x->n_out = x->b.n_out < 2 ? x->b.n_out : 2;
  x->k = x->b.geo.rows < PROG_K ? x->b.geo.rows : PROG_K;
  x->n_col = x->n_out * CIM_CFG_COLS_PER_OUT;
  int32_t *W = cosim_random_weights(&r, x->n_out, x->k, x->b.w_bits);
  ck_assert_ptr_nonnull(W);
  x->W = W;
  for (int i = 0; i < PROG_N_MVM; i++) {
    x->x[i] = cosim_random_inputs(&r, x->k, x->b.x_bits, i % 2);
    ck_assert_ptr_nonnull(x->x[i]);
  }
  x->array = cosim_array_dev(NULL, 0, 0, seed, dev);
  ck_assert_ptr_nonnull(x->array);
  cim_sim_opts opts = {.array = x->array};
  int rc = cim_sim_run(&opts, fw_program, x, NULL);
  ck_assert_msg(rc == 0 && x->open_status == CIM_OK, "simulation failed (%d); reproduce: %s", rc,
                cosim_repro(name, seed));
  ck_assert_msg(x->prog_status == CIM_OK, "cim_program_weights: %s; reproduce: %s",
                cim_strerror(x->prog_status), cosim_repro(name, seed));
  if (!x->row_en) ck_assert_int_eq(x->rep.n_cells, x->k * x->n_col);
}

static void prog_free(prog_ctx *x) {
  for (int i = 0; i < PROG_N_MVM; i++) free(x->x[i]);
  free((void *)x->W);
  rram_array_destroy(x->array);
}

/* Every MVM of set s matched the twin (and the exact MVM with exact). */
static void assert_mvms(const prog_ctx *x, int s, int exact, const char *name, uint64_t seed) {
  for (int i = 0; i < PROG_N_MVM; i++) {
    char msg[512];
    int bad = cosim_compare(&x->mvm[s][i], exact && cosim_exact_owed(&x->mvm[s][i].job), msg,
                            sizeof msg);
    ck_assert_msg(bad == 0, "%s MVM %d: %d outputs wrong, first: %s\nreproduce: %s",
                  s ? "back-door" : "front-door", i, bad, msg, cosim_repro(name, seed));
  }
}

/* Sense-code position of a cell's conductance (not rounded, no noise). */
static double true_code(const rram_device *d, double g) {
  return (g - d->g_min_us) / (d->g_max_us - d->g_min_us) * rram_switch_code_max(d);
}

static int target_of(const prog_ctx *x, const rram_device *d, int r, int c) {
  const int cb = x->b.geo.cell_bits, slices = CIM_CFG_SLICES;
  int level = 0;
  (void)cim_map_level(x->W[(size_t)(c / (2 * slices)) * x->k + r], (c % (2 * slices)) / 2, c % 2,
                      x->b.w_bits, cb, &level);
  return rram_switch_level_code(d, cb, level);
}

/* ------------------------------------------------------------ ideal */
START_TEST(test_prog_ideal_exact) {
  const char *name = "test_prog_ideal_exact";
  uint64_t seed = cosim_seed(61);
  rram_device d;
  rram_device_ideal(&d);
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->cfg.tol = 0;
  x->cfg.max_iter = 64;
  prog_run(x, &d, seed, name);
  ck_assert_msg(x->rep.n_failed == 0, "%d cells failed, first (%d, %d); reproduce: %s",
                x->rep.n_failed, x->rep.fail[0].row, x->rep.fail[0].col, cosim_repro(name, seed));
  /* every cell sits exactly on its level's sense code */
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      double g = 0;
      rram_array_get_conductance(x->array, r, c, &g);
      const int t = target_of(x, &d, r, c);
      ck_assert_msg(fabs(true_code(&d, g) - t) < 1e-3, "cell (%d, %d): code %.4f, target %d", r,
                    c, true_code(&d, g), t);
    }
  }
  assert_mvms(x, 0, 1, name, seed);
  ck_assert_msg(x->rep.pulses > 0 && x->rep.wv_cycles > 0 && x->rep.total_cycles >= x->rep.wv_cycles,
                "statistics: %" PRIu64 " pulses, %" PRIu64 " engine cycles", x->rep.pulses,
                x->rep.wv_cycles);
  prog_free(x);
  free(x);
}
END_TEST

/* ----------------------------------------------- random switching */
/* The engine's algorithm in C on the analog model, for one cell: the
 * reference the RTL must equal (the same calls in the same order give the
 * same draws) and, on other seeds, the model's prediction. Returns the
 * WV_RESULT byte. */
static uint8_t ref_cell(rram_array *a, int row, int col, int t, const cim_program_cfg *cfg) {
  int iter = 0, pulsed = 0, pol = 0, amp = 0;
  for (;;) {
    int code = 0;
    rram_array_verify_read(a, row, col, &code);
    const int below = code + cfg->tol < t, above = code > t + cfg->tol;
    if (!below && !above) return (uint8_t)iter;
    if (iter == cfg->max_iter) return (uint8_t)(0x80 | iter);
    const int start = above ? cfg->reset_start : cfg->set_start;
    const int step = above ? cfg->reset_step : cfg->set_step;
    const int max = above ? cfg->reset_max : cfg->set_max;
    amp = pulsed && pol == above ? (amp + step > max ? max : amp + step) : start;
    pol = above;
    pulsed = 1;
    rram_array_pulse(a, row, col, above ? RRAM_PULSE_RESET : RRAM_PULSE_SET, amp, cfg->width);
    iter++;
  }
}

/* Conductance inside the window target +- (tol + 1/2 code), the rails open. */
static int g_inside(const rram_device *d, double g, int t, int tol) {
  const int cmax = rram_switch_code_max(d);
  const double xc = true_code(d, g);
  return (t - tol <= 0 || xc >= t - tol - 0.5) && (t + tol >= cmax || xc <= t + tol + 0.5);
}

START_TEST(test_prog_random_window) {
  const char *name = "test_prog_random_window";
  uint64_t seed = cosim_seed(62);
  rram_device d;
  rram_device_preset("window", &d);
  d.prog_model = RRAM_PROG_NEURRAM; /* the spread of the cells' starting state */
  d.prog_sigma = 1.0;
  d.read_noise = 0.01;
  d.sw_rate_set = 0.3;
  d.sw_rate_reset = 0.4;
  d.sw_c2c = 0.3;
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  prog_run(x, &d, seed, name);
  assert_mvms(x, 0, 0, name, seed);

  /* 1. the RTL equals the reference engine on the same seed, cell for cell */
  rram_geometry geo = x->b.geo;
  rram_array *ref = NULL;
  ck_assert_int_eq(rram_array_create(&geo, &d, seed, &ref), RRAM_OK);
  int n_in = 0, n_ok = 0;
  double se = 0;
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      const int t = target_of(x, &d, r, c);
      const uint8_t want = ref_cell(ref, r, c, t, &x->cfg), got = x->cell[r * x->n_col + c];
      double g = 0, g_ref = 0;
      rram_array_get_conductance(x->array, r, c, &g);
      rram_array_get_conductance(ref, r, c, &g_ref);
      ck_assert_msg(got == want && g == g_ref,
                    "cell (%d, %d): RTL result 0x%02x G %.6f uS, reference 0x%02x G %.6f uS; "
                    "reproduce: %s", r, c, got, g, want, g_ref, cosim_repro(name, seed));
      if (got & 0x80) continue;
      n_ok++;
      n_in += g_inside(&d, g, t, x->cfg.tol);
      double xc = true_code(&d, g); /* below g_min reads as code 0, as on the sense amp */
      xc = xc < 0 ? 0 : xc;
      se += (xc - t) * (xc - t);
    }
  }
  rram_array_destroy(ref);

  /* 2. the fraction inside the window, against the model's prediction: the
   * reference engine on the same targets over 16 other seeds */
  int p_in = 0, p_ok = 0;
  for (uint64_t s2 = 1; s2 <= 16; s2++) {
    ck_assert_int_eq(rram_array_create(&geo, &d, seed * 1000 + s2, &ref), RRAM_OK);
    for (int r = 0; r < x->k; r++) {
      for (int c = 0; c < x->n_col; c++) {
        const int t = target_of(x, &d, r, c);
        if (ref_cell(ref, r, c, t, &x->cfg) & 0x80) continue;
        double g = 0;
        rram_array_get_conductance(ref, r, c, &g);
        p_ok++;
        p_in += g_inside(&d, g, t, x->cfg.tol);
      }
    }
    rram_array_destroy(ref);
  }
  ck_assert_int_gt(n_ok, 0);
  const double frac = (double)n_in / n_ok, want = (double)p_in / p_ok;
  const double sd = sqrt(want * (1 - want) / n_ok);
  printf("  %s: %d cells, %d ok, %d failed; %.2f pulses/cell (max %d); in window %.3f, "
         "model %.3f; rms error %.2f codes; %" PRIu64 " engine cycles\n",
         name, x->rep.n_cells, x->rep.n_ok, x->rep.n_failed, cim_program_mean_pulses(&x->rep),
         x->rep.max_pulses, frac, want, sqrt(se / n_ok), x->rep.wv_cycles);
  /* within 4 standard errors of the prediction (binomial over n_ok cells) */
  ck_assert_msg(fabs(frac - want) <= 4 * sd + 1e-9,
                "in window %.3f, the model predicts %.3f +- %.3f; reproduce: %s", frac, want, sd,
                cosim_repro(name, seed));
  ck_assert_msg(x->rep.n_failed * 20 <= x->rep.n_cells, "%d of %d cells failed; reproduce: %s",
                x->rep.n_failed, x->rep.n_cells, cosim_repro(name, seed));
  prog_free(x);
  free(x);
}
END_TEST

/* Cells on lines disabled in ROW_EN / COL_EN are left alone: not pulsed,
 * not counted, their result bytes 0; every other cell lands exactly and the
 * MVMs equal the twin, which follows the same masks. */
START_TEST(test_prog_skips_disabled) {
  const char *name = "test_prog_skips_disabled";
  uint64_t seed = cosim_seed(64);
  rram_device d;
  rram_device_ideal(&d);
  prog_ctx *x = calloc(1, sizeof *x);
  ck_assert_ptr_nonnull(x);
  cim_program_cfg_default(&x->cfg);
  x->cfg.tol = 0;
  x->cfg.max_iter = 64;
  cosim_build b;
  cosim_build_get(&b);
  x->row_en = malloc(((size_t)b.geo.rows + 31) / 32 * sizeof *x->row_en);
  x->col_en = malloc(((size_t)b.geo.cols + 31) / 32 * sizeof *x->col_en);
  ck_assert(x->row_en && x->col_en);
  memset(x->row_en, 0xff, ((size_t)b.geo.rows + 31) / 32 * sizeof *x->row_en);
  memset(x->col_en, 0xff, ((size_t)b.geo.cols + 31) / 32 * sizeof *x->col_en);
  /* every third row of the block (row 0 stays on), and its column 1 */
  const int k = b.geo.rows < PROG_K ? b.geo.rows : PROG_K;
  for (int r = 2; r < k; r += 3) x->row_en[r / 32] &= ~(UINT32_C(1) << (r % 32));
  const int col_off = b.geo.cols > 1 ? 1 : -1;
  if (col_off >= 0) x->col_en[0] &= ~(UINT32_C(1) << col_off);
  prog_run(x, &d, seed, name);
  int skipped = 0, moved_if_programmed = 0, enabled = 0;
  for (int r = 0; r < x->k; r++) {
    const int row_on = r % 3 != 2;
    for (int c = 0; c < x->n_col; c++) {
      double g = 0;
      rram_array_get_conductance(x->array, r, c, &g);
      const double g0 = x->g0[r * x->n_col + c];
      const int t = target_of(x, &d, r, c);
      if (row_on && c != col_off) {
        enabled++;
        ck_assert_msg(fabs(true_code(&d, g) - t) < 1e-3, "enabled cell (%d, %d): code %.4f, target "
                      "%d; reproduce: %s", r, c, true_code(&d, g), t, cosim_repro(name, seed));
        continue;
      }
      skipped++;
      moved_if_programmed += fabs(true_code(&d, g0) - t) >= 0.5;
      ck_assert_msg(g == g0 && x->cell[r * x->n_col + c] == 0,
                    "disabled cell (%d, %d) was programmed: G %.4f uS, before %.4f uS, result 0x%02x;"
                    " reproduce: %s", r, c, g, g0, x->cell[r * x->n_col + c], cosim_repro(name, seed));
    }
  }
  ck_assert_int_eq(x->rep.n_cells, enabled);
  ck_assert_int_eq(x->rep.n_failed, 0);
  /* the check could fail: some skipped cell is off its target (a build of
   * a few cells may draw none; beyond 8 skipped cells a draw has some) */
  ck_assert_msg(skipped <= 8 || moved_if_programmed > 0,
                "no disabled cell would have moved; reproduce: %s", cosim_repro(name, seed));
  assert_mvms(x, 0, 0, name, seed);
  printf("  %s: %d cells programmed, %d on disabled lines left alone (%d of them off target)\n",
         name, x->rep.n_cells, skipped, moved_if_programmed);
  free(x->row_en);
  free(x->col_en);
  prog_free(x);
  free(x);
}
END_TEST

/* ------------------------------------------------------------ stuck */
START_TEST(test_prog_stuck_reported) {
  const char *name = "test_prog_stuck_reported";
  uint64_t seed = cosim_seed(63);
  rram_device d;
  rram_device_ideal(&d);
  d.stuck_gmin_rate = 0.08;
  d.stuck_gmax_rate = 0.08;
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->cfg.tol = 0;
  x->cfg.max_iter = 48;
  prog_run(x, &d, seed, name);
  /* failed exactly where a stuck cell's rail is not its target */
  int n_expect = 0, listed = 0, last_row_first = -1;
  const int cmax = rram_switch_code_max(&d);
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      int fault = 0;
      rram_array_get_fault(x->array, r, c, &fault);
      const int t = target_of(x, &d, r, c);
      const int expect = (fault == RRAM_FAULT_GMIN && t != 0) || (fault == RRAM_FAULT_GMAX && t != cmax);
      const uint8_t res = x->cell[r * x->n_col + c];
      ck_assert_msg(((res >> 7) & 1) == expect, "cell (%d, %d): fault %d, target %d, result 0x%02x",
                    r, c, fault, t, res);
      if (!expect) continue;
      ck_assert_msg((res & 0x7F) == x->cfg.max_iter, "failed cell (%d, %d) took %d pulses, limit %d",
                    r, c, res & 0x7F, x->cfg.max_iter);
      if (listed < x->rep.n_fail_listed) {
        ck_assert_msg(x->rep.fail[listed].row == r && x->rep.fail[listed].col == c,
                      "failure %d listed at (%d, %d), expected (%d, %d)", listed,
                      x->rep.fail[listed].row, x->rep.fail[listed].col, r, c);
        listed++;
      }
      if (r == x->k - 1 && last_row_first < 0) last_row_first = c;
      n_expect++;
    }
  }
  ck_assert_msg(n_expect > 0, "seed %" PRIu64 " put no failing stuck cell in the block", seed);
  ck_assert_int_eq(x->rep.n_failed, n_expect);
  /* WV_FAIL names the first failure of the last run (the last row) */
  if (last_row_first >= 0) {
    ck_assert_int_eq((int)FIELD(WV_FAIL, ROW, x->wv_fail), x->k - 1);
    ck_assert_int_eq((int)FIELD(WV_FAIL, COL, x->wv_fail), last_row_first);
  }
  printf("  %s: %d of %d cells failed (stuck), first at (%d, %d)\n", name, x->rep.n_failed,
         x->rep.n_cells, x->rep.fail[0].row, x->rep.fail[0].col);
  prog_free(x);
  free(x);
}
END_TEST

/* ------------------------------------------------------ read-only runs */
/* WV_CTRL.READ: every cell's result byte is the sense code its conductance
 * gives (cells off their levels: device-to-device gain), no pulse, nothing
 * moves. */
START_TEST(test_prog_read_only) {
  const char *name = "test_prog_read_only";
  uint64_t seed = cosim_seed(67);
  rram_device d;
  rram_device_ideal(&d);
  d.d2d_sigma = 0.1;
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->read_only = 1;
  prog_run(x, &d, seed, name);
  int off_level = 0;
  for (int r = 0; r < x->k; r++)
    for (int c = 0; c < x->n_col; c++)
      off_level += x->codes[r * x->n_col + c] != target_of(x, &d, r, c);
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      double g = 0;
      rram_array_get_conductance(x->array, r, c, &g);
      const int want = rram_switch_sense_code(&d, g), got = x->codes[r * x->n_col + c];
      ck_assert_msg(got == want, "cell (%d, %d): read code %d, its conductance %.3f uS gives %d; "
                    "reproduce: %s", r, c, got, g, want, cosim_repro(name, seed));
      ck_assert_msg(g == x->g0[r * x->n_col + c], "cell (%d, %d) moved during a read-only run",
                    r, c);
    }
  }
  ck_assert_int_eq((int)FIELD(WV_PULSES, COUNT, x->wv_pulses), 0);
  ck_assert_int_eq((int)FIELD(WV_CELLS, FAILED, x->wv_cells), 0);
  ck_assert_int_eq((int)FIELD(WV_CELLS, DONE, x->wv_cells), x->n_col);
  /* the codes are not simply the targets: the reads see the d2d gain (a
   * block of a few cells, on a small build, may hold level-0 cells only,
   * which read 0 whatever their gain; one simulation per process, so no
   * second draw) */
  ck_assert_msg(off_level > 0 || x->k * x->n_col < 64, "no cell off its level code; reproduce: %s",
                cosim_repro(name, seed));
  printf("  %s: %d cells read, %d off their level's code\n", name, x->k * x->n_col, off_level);
  prog_free(x);
  free(x);
}
END_TEST

/* ------------------------------------------------- stuck-cell compensation */
/* Stuck cells under ideal switching: after cim_compensate_pairs every pair
 * with one failed cell encodes its intended difference (in the model's
 * truth), or its partner sits at the end of the range the difference
 * needs; pairs without a failure are not touched; the counts add up. */
typedef struct comp_counts {
  int one, both, exact, clamped, missed, wrong_before;
} comp_counts;

/* Check the compensated block of x in the model's truth (see below) and
 * count its pairs. */
static comp_counts comp_check(const prog_ctx *x, const rram_device *d, const char *name,
                              uint64_t seed) {
  const int cmax = rram_switch_code_max(d);
  comp_counts n = {0};
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c += 2) {
      const int i = r * x->n_col + c;
      const int fp = x->cell[i] >> 7, fn = x->cell[i + 1] >> 7;
      double gp = 0, gn = 0;
      rram_array_get_conductance(x->array, r, c, &gp);
      rram_array_get_conductance(x->array, r, c + 1, &gn);
      if (!fp && !fn) {
        ck_assert_msg(gp == x->g0[i] && gn == x->g0[i + 1],
                      "pair (%d, %d) had no failure but moved; reproduce: %s", r, c,
                      cosim_repro(name, seed));
        continue;
      }
      if (fp && fn) {
        n.both++;
        continue;
      }
      n.one++;
      const long diff = target_of(x, d, r, c) - target_of(x, d, r, c + 1);
      const long before = lround(true_code(d, x->g0[i]) - true_code(d, x->g0[i + 1]));
      n.wrong_before += before != diff;
      const long a = lround(true_code(d, fp ? gp : gn));
      const long t = fp ? a - diff : a + diff;
      const long partner = lround(true_code(d, fp ? gn : gp));
      int fault = 0;
      rram_array_get_fault(x->array, r, fp ? c + 1 : c, &fault);
      if (t < 0 || t > cmax) {
        n.clamped++;
        const long want = t < 0 ? 0 : cmax;
        ck_assert_msg(fault != RRAM_FAULT_NONE || partner == want,
                      "pair (%d, %d): the partner sits at code %ld, not %ld; reproduce: %s", r, c,
                      partner, want, cosim_repro(name, seed));
        continue;
      }
      n.exact++;
      if (fault != RRAM_FAULT_NONE) {
        n.missed += partner != t; /* a stuck partner that passed its first target */
        continue;
      }
      const long after = lround(true_code(d, gp) - true_code(d, gn));
      ck_assert_msg(after == diff,
                    "pair (%d, %d): difference %ld codes after compensation, intended %ld "
                    "(failed %s cell at code %ld); reproduce: %s",
                    r, c, after, diff, fp ? "G+" : "G-", a, cosim_repro(name, seed));
    }
  }
  ck_assert_int_eq(x->comp.n_failed, x->rep.n_failed);
  ck_assert_int_eq(x->comp.n_both, n.both);
  ck_assert_int_eq(x->comp.n_exact, n.exact);
  ck_assert_int_eq(x->comp.n_clamped, n.clamped);
  ck_assert_int_eq(x->comp.n_partner_missed, n.missed);
  return n;
}

START_TEST(test_prog_compensate) {
  const char *name = "test_prog_compensate";
  uint64_t seed = cosim_seed(71);
  rram_device d;
  rram_device_ideal(&d);
  d.stuck_gmin_rate = 0.1;
  d.stuck_gmax_rate = 0.1;
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->cfg.tol = 0;
  x->cfg.max_iter = 48;
  x->cfg.set_max = x->cfg.reset_max = 255;
  x->compensate = 1;
  prog_run(x, &d, seed, name);
  const comp_counts n = comp_check(x, &d, name, seed);
  /* the seed has pairs to mend, except on a block of a few cells (a small
   * build; one simulation per process, so no second draw) */
  ck_assert_msg((n.wrong_before > 0 && n.exact > 0) || x->k * x->n_col < 64,
                "seed %" PRIu64 " left nothing to compensate", seed);
  assert_mvms(x, 0, 0, name, seed);
  printf("  %s: %d failed cells; %d pairs with one (%d wrong before), %d mended, %d clamped, "
         "%d with both\n", name, x->comp.n_failed, n.one, n.wrong_before, n.exact, n.clamped,
         n.both);
  prog_free(x);
  free(x);
}
END_TEST

/* ------------------------------------------------------ iteration limit */
START_TEST(test_prog_iter_limit) {
  const char *name = "test_prog_iter_limit";
  uint64_t seed = cosim_seed(64);
  rram_device d;
  rram_device_ideal(&d);
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->cfg.tol = 0;
  x->cfg.max_iter = 3;
  prog_run(x, &d, seed, name);
  uint64_t sum = 0;
  int n_fail = 0;
  for (int i = 0; i < x->k * x->n_col; i++) {
    const int p = x->cell[i] & 0x7F;
    ck_assert_msg(p <= 3, "cell %d took %d pulses, limit 3", i, p);
    if (x->cell[i] & 0x80) {
      ck_assert_int_eq(p, 3);
      n_fail++;
    }
    sum += (uint64_t)p;
  }
  ck_assert_msg(n_fail > 0, "no cell needed more than 3 pulses");
  ck_assert_int_eq(n_fail, x->rep.n_failed);
  ck_assert_int_eq(sum, x->rep.pulses);
  /* the model saw exactly those pulses, and one read per pulse plus one per cell */
  uint64_t pulses = 0, reads = 0;
  rram_array_wv_stats(x->array, &pulses, &reads);
  ck_assert_int_eq(pulses, sum);
  ck_assert_int_eq(reads, sum + (uint64_t)x->rep.n_cells);
  prog_free(x);
  free(x);
}
END_TEST

/* ------------------------------------------ invalid configuration, busy */
typedef struct wv_err_ctx {
  fwcheck c;
  cosim_build b;
} wv_err_ctx;

static uint32_t rd32(mmio_bus *bus, uint32_t a) {
  uint32_t v = 0;
  mmio_read32(bus, a, &v);
  return v;
}

static const char *const kErr[] = CIM_ERR_NAMES;

/* Write WV_CTRL.START and expect the error code want and no run. */
static void expect_refused(mmio_bus *bus, fwcheck *c, uint32_t want, const char *what) {
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 0x7u);
  mmio_write32(bus, CIM_REGS_WV_CTRL_OFFSET, 1u);
  uint32_t st = rd32(bus, CIM_REGS_STATUS_OFFSET), ws = rd32(bus, CIM_REGS_WV_STATUS_OFFSET);
  uint32_t is = rd32(bus, CIM_REGS_INTR_STATE_OFFSET);
  uint32_t e = FIELD(STATUS, ERR_CODE, st);
  fwcheck_expect(c, e == want && FIELD(STATUS, ERROR, st), "%s: ERR_CODE %s, want %s", what,
                 e < 16 ? kErr[e] : "?", kErr[want]);
  fwcheck_expect(c, !FIELD(WV_STATUS, BUSY, ws), "%s: a refused run started", what);
  fwcheck_expect(c, FIELD(INTR_STATE, ERROR, is), "%s: no error interrupt", what);
}

static void wv_defaults(mmio_bus *bus, int count) {
  mmio_write32(bus, CIM_REGS_WV_ADDR_OFFSET, 0);
  mmio_write32(bus, CIM_REGS_WV_COUNT_OFFSET, (uint32_t)count);
  mmio_write32(bus, CIM_REGS_WV_VERIFY_OFFSET, 0u | 127u << 8);
  mmio_write32(bus, CIM_REGS_WV_SET_OFFSET, 100u | 10u << 8 | 200u << 16);
  mmio_write32(bus, CIM_REGS_WV_RESET_OFFSET, 120u | 10u << 8 | 250u << 16);
  mmio_write32(bus, CIM_REGS_WV_TIMING_OFFSET, 255u | 4u << 8);
}

static int fw_wv_errors(mmio_bus *bus, void *arg) {
  wv_err_ctx *x = arg;
  fwcheck *c = &x->c;
  const int rows = x->b.geo.rows, cols = x->b.geo.cols;
  const int wv_cells = cols < 1024 ? cols : 1024;
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_COUNT_OFFSET, 0);
  expect_refused(bus, c, CIM_ERR_BAD_WV_RANGE, "COUNT 0");
  mmio_write32(bus, CIM_REGS_WV_COUNT_OFFSET, (uint32_t)wv_cells + 1u);
  expect_refused(bus, c, CIM_ERR_BAD_WV_RANGE, "COUNT past the window");
  mmio_write32(bus, CIM_REGS_WV_COUNT_OFFSET, 2);
  mmio_write32(bus, CIM_REGS_WV_ADDR_OFFSET, (uint32_t)(cols - 1) << 16);
  expect_refused(bus, c, CIM_ERR_BAD_WV_RANGE, "COL + COUNT past COLS");
  mmio_write32(bus, CIM_REGS_WV_ADDR_OFFSET, (uint32_t)rows);
  expect_refused(bus, c, CIM_ERR_BAD_WV_RANGE, "ROW = ROWS");
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_VERIFY_OFFSET, 4u);
  expect_refused(bus, c, CIM_ERR_BAD_WV_ITER, "MAX_ITER 0");
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_SET_OFFSET, 0u | 10u << 8 | 200u << 16);
  expect_refused(bus, c, CIM_ERR_BAD_WV_AMP, "SET START 0");
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_RESET_OFFSET, 200u | 10u << 8 | 150u << 16);
  expect_refused(bus, c, CIM_ERR_BAD_WV_AMP, "RESET START > MAX");
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_TIMING_OFFSET, 0u | 4u << 8);
  expect_refused(bus, c, CIM_ERR_BAD_WV_TIMING, "WIDTH 0");
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_TIMING_OFFSET, 10u);
  expect_refused(bus, c, CIM_ERR_BAD_WV_TIMING, "READ_CYCLES 0");

  /* a long run: 4 cells from level 0 to the top code, 255-cycle pulses */
  wv_defaults(bus, 4);
  mmio_write32(bus, CIM_REGS_WV_TARGET_BASE, 0xFFFFFFFFu);
  fwcheck_expect(c, rd32(bus, CIM_REGS_WV_TARGET_BASE) == 0xFFFFFFFFu, "WV_TARGET read back");
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 0x7u);
  mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, CIM_REGS__INTR_ENABLE__WV_DONE_bm);
  mmio_write32(bus, CIM_REGS_WV_CTRL_OFFSET, 1u);
  uint32_t st = rd32(bus, CIM_REGS_STATUS_OFFSET), ws = rd32(bus, CIM_REGS_WV_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, BUSY, st) && FIELD(WV_STATUS, BUSY, ws) &&
                        FIELD(STATUS, ERR_CODE, st) == CIM_ERR_NONE,
                 "accepted run: STATUS 0x%08x WV_STATUS 0x%08x", st, ws);
  /* while it runs: both starts refused, configuration and windows locked */
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, 1u);
  st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, ERR_CODE, st) == CIM_ERR_START_BUSY &&
                        FIELD(STATUS, STATE, st) == CIM_STATE_Idle,
                 "MVM START during a run: STATUS 0x%08x", st);
  mmio_write32(bus, CIM_REGS_WV_CTRL_OFFSET, 1u);
  st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, ERR_CODE, st) == CIM_ERR_START_BUSY, "WV START during a run");
  uint32_t v = 0;
  fwcheck_expect(c, mmio_write32(bus, CIM_REGS_WV_ADDR_OFFSET, 5) == MMIO_SLVERR,
                 "WV_ADDR write while busy accepted");
  fwcheck_expect(c, mmio_write32(bus, CIM_REGS_SHAPE_OFFSET, 5) == MMIO_SLVERR,
                 "SHAPE write while programming accepted");
  fwcheck_expect(c, mmio_read32(bus, CIM_REGS_WV_TARGET_BASE, &v) == MMIO_SLVERR,
                 "WV_TARGET read while busy accepted");
  fwcheck_expect(c, mmio_read32(bus, CIM_REGS_WV_RESULT_BASE, &v) == MMIO_SLVERR,
                 "WV_RESULT read while busy accepted");
  fwcheck_expect(c, mmio_read32(bus, CIM_REGS_INBUF_BASE, &v) == MMIO_SLVERR,
                 "INBUF read while programming accepted");
  fwcheck_expect(c, mmio_wait_irq(bus, 2000000u) == 1, "no WV_DONE interrupt");
  ws = rd32(bus, CIM_REGS_WV_STATUS_OFFSET);
  uint32_t is = rd32(bus, CIM_REGS_INTR_STATE_OFFSET), cells = rd32(bus, CIM_REGS_WV_CELLS_OFFSET);
  fwcheck_expect(c, !FIELD(WV_STATUS, BUSY, ws) && FIELD(WV_STATUS, DONE, ws) &&
                        FIELD(INTR_STATE, WV_DONE, is) && FIELD(WV_CELLS, DONE, cells) == 4 &&
                        FIELD(WV_CELLS, FAILED, cells) == 0,
                 "after the run: WV_STATUS 0x%08x INTR_STATE 0x%08x WV_CELLS 0x%08x", ws, is, cells);
  uint32_t res = rd32(bus, CIM_REGS_WV_RESULT_BASE);
  fwcheck_expect(c, (res & 0x80808080u) == 0 && (res & 0x7Fu) > 0, "WV_RESULT 0x%08x", res);
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 0x7u);
  mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, 0);

  /* an MVM runs: WV_CTRL.START refused, the MVM finishes */
  mmio_write32(bus, CIM_REGS_SHAPE_OFFSET, (uint32_t)rows | 1u << 16);
  mmio_write32(bus, CIM_REGS_INPUT_OFFSET, (uint32_t)x->b.x_bits | 1u << 16);
  mmio_write32(bus, CIM_REGS_ADC_OFFSET, 50);
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, 1u);
  mmio_write32(bus, CIM_REGS_WV_CTRL_OFFSET, 1u);
  st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  ws = rd32(bus, CIM_REGS_WV_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, BUSY, st) && FIELD(STATUS, ERR_CODE, st) == CIM_ERR_START_BUSY &&
                        !FIELD(WV_STATUS, BUSY, ws),
                 "WV START during an MVM: STATUS 0x%08x WV_STATUS 0x%08x", st, ws);
  for (int i = 0; i < 100000 && FIELD(STATUS, BUSY, st); i++) {
    mmio_delay(bus, 100);
    st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  }
  fwcheck_expect(c, FIELD(STATUS, DONE, st) && !FIELD(STATUS, BUSY, st),
                 "the MVM did not finish: STATUS 0x%08x", st);
  /* STATUS.ERR_CODE is the code of the unit that last recorded an error or
   * accepted a start: the refused WV START's until the next accepted MVM
   * START, which shows the MVM's own (none) */
  fwcheck_expect(c, FIELD(STATUS, ERROR, st) && FIELD(STATUS, ERR_CODE, st) == CIM_ERR_START_BUSY,
                 "after the MVM, before the next START: STATUS 0x%08x", st);
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, 1u);
  st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  for (int i = 0; i < 100000 && FIELD(STATUS, BUSY, st); i++) {
    mmio_delay(bus, 100);
    st = rd32(bus, CIM_REGS_STATUS_OFFSET);
  }
  fwcheck_expect(c, FIELD(STATUS, DONE, st) && !FIELD(STATUS, ERROR, st) &&
                        FIELD(STATUS, ERR_CODE, st) == CIM_ERR_NONE,
                 "an accepted MVM START after a refused WV START: STATUS 0x%08x", st);

  /* the driver refuses bad settings before any bus access */
  cim_dev *dev = NULL;
  fwcheck_expect(c, cim_open(bus, &dev) == CIM_OK, "cim_open");
  if (dev) {
    int32_t W[4] = {1, -2, 3, -4};
    cim_program_cfg cfg;
    cim_program_cfg_default(&cfg);
    const uint64_t t0 = mmio_cycles(bus);
    cfg.max_iter = 0;
    fwcheck_expect(c, cim_program_weights(dev, W, 1, 4, &cfg, NULL) == CIM_EINVAL, "max_iter 0");
    cim_program_cfg_default(&cfg);
    cfg.set_start = 250;
    fwcheck_expect(c, cim_program_weights(dev, W, 1, 4, &cfg, NULL) == CIM_EINVAL, "start > max");
    cim_program_cfg_default(&cfg);
    fwcheck_expect(c, cim_program_weights(dev, W, 0, 4, &cfg, NULL) == CIM_EINVAL, "n_out 0");
    W[0] = 1 << 20;
    fwcheck_expect(c, cim_program_weights(dev, W, 1, 4, &cfg, NULL) == CIM_EINVAL, "W too big");
    fwcheck_expect(c, mmio_cycles(bus) == t0, "refused arguments reached the bus");
    cim_close(dev);
  }
  return 0;
}

START_TEST(test_prog_errors) {
  wv_err_ctx *x = calloc(1, sizeof *x);
  cosim_build_get(&x->b);
  rram_array *a = cosim_array(NULL, 0, 0, 1);
  ck_assert_ptr_nonnull(a);
  cim_sim_opts opts = {.array = a};
  ck_assert_int_eq(cim_sim_run(&opts, fw_wv_errors, x, NULL), 0);
  ASSERT_FW_CLEAN(*x);
  rram_array_destroy(a);
  free(x);
}
END_TEST

/* ------------------------------------------- front door against back door */
START_TEST(test_prog_front_vs_back) {
  const char *name = "test_prog_front_vs_back";
  uint64_t seed = cosim_seed(66);
  rram_device d;
  rram_device_preset("default", &d);
  /* bad lines cost the same either way (an open cell is open to both, a
   * leak is mapped out by cim_linemap, tested on its own): the comparison
   * is of the cells' programming */
  d.unformed_row_rate = d.unformed_col_rate = d.leaky_row_rate = d.leaky_col_rate = 0.0;
  prog_ctx *x = calloc(1, sizeof *x);
  cim_program_cfg_default(&x->cfg);
  x->backdoor_first = 1;
  prog_run(x, &d, seed, name);
  assert_mvms(x, 1, 0, name, seed);
  assert_mvms(x, 0, 0, name, seed);
  double rms_front = 0, max_front = 0;
  level_error(x, &rms_front, &max_front);
  /* MVM error against the exact result, each way */
  double se[2] = {0, 0}, sx = 0;
  for (int s = 0; s < 2; s++)
    for (int i = 0; i < PROG_N_MVM; i++)
      for (int j = 0; j < x->n_out; j++) {
        const double e = (double)x->mvm[s][i].y_rtl[j] - (double)x->mvm[s][i].y_exact[j];
        se[s] += e * e;
        if (s == 0) sx += (double)x->mvm[s][i].y_exact[j] * (double)x->mvm[s][i].y_exact[j];
      }
  printf("  %s: |G - level| rms %.3f uS (max %.2f) back door, %.3f uS (max %.2f) front door; "
         "MVM rel. rms error %.4f back, %.4f front; %d of %d cells failed, "
         "%.2f pulses/cell\n",
         name, x->g_err_back[0], x->g_err_back[1], rms_front, max_front, sqrt(se[1] / sx),
         sqrt(se[0] / sx), x->rep.n_failed, x->rep.n_cells, cim_program_mean_pulses(&x->rep));
  /* strictly better where the back door left a cell the engine can see
   * outside its window (a build of a few cells may draw none, or only cells
   * below g_min, which read as code 0: then no worse) */
  if (x->back_outside > 0)
    ck_assert_msg(rms_front < x->g_err_back[0],
                  "front door %.3f uS rms is not better than back door %.3f uS; reproduce: %s",
                  rms_front, x->g_err_back[0], cosim_repro(name, seed));
  else
    ck_assert_msg(rms_front <= x->g_err_back[0] + 1e-9,
                  "front door %.3f uS rms is worse than back door %.3f uS, whose cells were all in "
                  "the window; reproduce: %s", rms_front, x->g_err_back[0], cosim_repro(name, seed));
  prog_free(x);
  free(x);
}
END_TEST

Suite *suite_program(void) {
  Suite *s = suite_create("program");
  suite_add_test(s, test_prog_ideal_exact);
  suite_add_test(s, test_prog_random_window);
  suite_add_test(s, test_prog_stuck_reported);
  suite_add_test(s, test_prog_skips_disabled);
  suite_add_test(s, test_prog_iter_limit);
  suite_add_test(s, test_prog_read_only);
  suite_add_test(s, test_prog_compensate);
  suite_add_test(s, test_prog_errors);
  suite_add_test(s, test_prog_front_vs_back);
  return s;
}

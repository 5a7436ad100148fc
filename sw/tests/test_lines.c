/* test_lines.c: the firmware's bad-line characterisation (cim_lines.h) on
 * the co-simulated macro finds exactly the unformed and leaky rows and
 * columns the analog model drew, without ever reading the model. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_golden.h"
#include "cim_lines.h"
#include "cim_linemap.h"
#include "cim_map.h"
#include "cim_progcfg.h"
#include "cim_reg_enums.h"
#include "cosim.h"
#include "suites.h"

typedef struct lines_ctx {
  rram_array *array;
  cim_program_cfg cfg;
  uint8_t *rows, *cols;
  cim_lines_report rep;
  int open_status, status;
} lines_ctx;

static int fw_lines(mmio_bus *bus, void *arg) {
  lines_ctx *x = arg;
  cim_dev *dev = NULL;
  x->open_status = cim_open(bus, &dev);
  if (x->open_status != CIM_OK) return x->open_status;
  x->status = cim_find_bad_lines(dev, &x->cfg, x->rows, x->cols, &x->rep);
  cim_close(dev);
  return 0;
}

/* The model's truth of one kind of line: counts and whether the draw can be
 * characterised at all (formed rows and columns to read through). */
typedef struct truth {
  int unformed[2], leaky[2], ok[2];
  int good_slots; /* outputs whose 2S columns are all good */
} truth;

static truth truth_of(const rram_array *a, const rram_geometry *g) {
  truth t = {{0, 0}, {0, 0}, {0, 0}, 0};
  for (int is_col = 0; is_col <= 1; is_col++) {
    for (int i = 0; i < (is_col ? g->cols : g->rows); i++) {
      int k = RRAM_LINE_OK;
      rram_array_get_line(a, is_col, i, &k);
      t.unformed[is_col] += k == RRAM_LINE_UNFORMED;
      t.leaky[is_col] += k == RRAM_LINE_LEAKY;
      t.ok[is_col] += k == RRAM_LINE_OK;
    }
  }
  for (int j = 0; j < g->cols / CIM_CFG_COLS_PER_OUT; j++) {
    int ok = 1;
    for (int c = j * CIM_CFG_COLS_PER_OUT; c < (j + 1) * CIM_CFG_COLS_PER_OUT; c++) {
      int k = RRAM_LINE_OK;
      rram_array_get_line(a, 1, c, &k);
      ok &= k == RRAM_LINE_OK;
    }
    t.good_slots += ok;
  }
  return t;
}

/* Well posed: fewer than half of each kind of line unformed, two formed
 * rows where there are two (one to probe, one to read through) and a clean
 * column to probe. */
static int well_posed(const truth *t, const rram_geometry *g) {
  return 2 * t->unformed[0] < g->rows && 2 * t->unformed[1] < g->cols &&
         g->rows - t->unformed[0] >= (g->rows < 2 ? g->rows : 2) && t->ok[1] >= 1;
}

/* Preset base with every kind of bad line at rates a test can meet. */
static void lines_device(const char *base, const cosim_build *b, rram_device *d) {
  rram_device_preset(base, d);
  /* one row cannot be read through another: no row defects then */
  d->unformed_row_rate = b->geo.rows >= 2 ? 0.05 : 0.0;
  d->unformed_col_rate = 0.03;
  /* the leaky rows' cells at code 0 still leak: a few of them, so that
   * together they stay well inside the sense range (cim_lines.h) */
  d->leaky_row_rate = b->geo.rows >= 2 ? (3.0 / b->geo.rows < 0.03 ? 3.0 / b->geo.rows : 0.03) : 0.0;
  d->leaky_row_frac = 0.2;
  d->leaky_col_rate = 0.05;
  d->leaky_col_us = 3.0;
}

/* An array of d drawn on seed, seed + 1, ... until the draw can be
 * characterised (and, with need_slot, leaves an output slot good) and, on a
 * build large enough, holds every kind of bad line d has a rate for; *seed
 * and *t are the draw's. */
static rram_array *draw_lines(const rram_device *d, uint64_t *seed, const rram_geometry *g,
                              int need_slot, truth *t) {
  rram_array *a = NULL;
  for (int draw = 0; draw < 100; draw++, (*seed)++) {
    rram_array_destroy(a);
    a = cosim_array_dev(NULL, 0, 0, *seed, d);
    ck_assert_ptr_nonnull(a);
    *t = truth_of(a, g);
    const int all_kinds = (t->unformed[0] || !d->unformed_row_rate) &&
                          (t->unformed[1] || !d->unformed_col_rate) &&
                          (t->leaky[1] || !d->leaky_col_rate) && (t->leaky[0] || !d->leaky_row_rate);
    if (well_posed(t, g) && (!need_slot || t->good_slots > 0) && (all_kinds || draw >= 50))
      return a;
  }
  ck_abort_msg("no well-posed draw in 100 seeds");
  return a;
}

/* Run 0 on ideal switching; run 1 with the default device's random
 * switching and read noise, where a cell brought back "to 0" lands anywhere
 * in its window: no line may be flagged for that. */
START_TEST(test_lines_found) {
  const char *name = "test_lines_found";
  uint64_t seed = cosim_seed(_i ? 1073 : 73);
  cosim_build b;
  cosim_build_get(&b);
  rram_device d;
  lines_device("window", &b, &d);
  if (_i == 1) {
    rram_device sw;
    rram_device_preset("default", &sw);
    d.sw_rate_set = sw.sw_rate_set;
    d.sw_rate_reset = sw.sw_rate_reset;
    d.sw_c2c = sw.sw_c2c;
    d.read_noise = sw.read_noise;
  }
  lines_ctx x;
  memset(&x, 0, sizeof x);
  truth t;
  x.array = draw_lines(&d, &seed, &b.geo, 0, &t);
  /* characterisation needs no precise landing: a coarse window, few pulses */
  cim_progcfg_for_device(&d, &x.cfg);
  x.cfg.tol = 8;
  x.cfg.max_iter = 24;
  x.rows = malloc((size_t)b.geo.rows);
  x.cols = malloc((size_t)b.geo.cols);
  x.rep.col_base = malloc((size_t)b.geo.cols);
  ck_assert(x.rows && x.cols && x.rep.col_base);
  cim_sim_opts opts = {.array = x.array};
  const int rc = cim_sim_run(&opts, fw_lines, &x, NULL);
  ck_assert_msg(rc == 0 && x.open_status == CIM_OK && x.status == CIM_OK,
                "simulation %d, cim_find_bad_lines %s; reproduce: %s", rc,
                cim_strerror(x.status), cosim_repro(name, seed));
  for (int is_col = 0; is_col <= 1; is_col++) {
    const uint8_t *found = is_col ? x.cols : x.rows;
    for (int i = 0; i < (is_col ? b.geo.cols : b.geo.rows); i++) {
      int k = RRAM_LINE_OK;
      rram_array_get_line(x.array, is_col, i, &k);
      const int want = k == RRAM_LINE_UNFORMED ? CIM_LINE_UNFORMED
                       : k == RRAM_LINE_LEAKY  ? CIM_LINE_LEAKY
                                               : CIM_LINE_OK;
      ck_assert_msg(found[i] == want, "%s %d: found state %d, the model drew %d; reproduce: %s",
                    is_col ? "column" : "row", i, found[i], want, cosim_repro(name, seed));
    }
  }
  ck_assert_int_eq(x.rep.unformed_rows, t.unformed[0]);
  ck_assert_int_eq(x.rep.unformed_cols, t.unformed[1]);
  ck_assert_int_eq(x.rep.leaky_rows, t.leaky[0]);
  ck_assert_int_eq(x.rep.leaky_cols, t.leaky[1]);
  /* each formed column's background: what the leaky rows' cells (and its
   * own leak) add, in sense codes, within a code and a half */
  const double code_us = (d.g_max_us - d.g_min_us) / 255.0;
  double worst = 0;
  for (int c = 0; c < b.geo.cols; c++) {
    int k = RRAM_LINE_OK;
    rram_array_get_line(x.array, 1, c, &k);
    if (k == RRAM_LINE_UNFORMED) continue;
    double leak = k == RRAM_LINE_LEAKY ? d.leaky_col_us : 0.0;
    for (int i = 0; i < b.geo.rows; i++) {
      int ki = RRAM_LINE_OK;
      double g = 0;
      rram_array_get_line(x.array, 0, i, &ki);
      rram_array_get_conductance(x.array, i, c, &g);
      if (ki == RRAM_LINE_LEAKY) leak += d.leaky_row_frac * g;
    }
    const double err = fabs(x.rep.col_base[c] - leak / code_us);
    if (err > worst) worst = err;
    ck_assert_msg(err <= 1.5, "column %d: background %d codes, the model's leak %.2f codes; "
                  "reproduce: %s", c, x.rep.col_base[c], leak / code_us, cosim_repro(name, seed));
  }
  printf("  %s %s (seed %" PRIu64 "): rows %d unformed, %d leaky; columns %d unformed, %d leaky; "
         "all found in %.2f M DUT cycles; backgrounds within %.2f codes of the leaks\n", name,
         _i ? "random switching" : "ideal switching", seed, t.unformed[0], t.leaky[0],
         t.unformed[1], t.leaky[1], (double)x.rep.total_cycles / 1e6, worst);
  free(x.rows);
  free(x.cols);
  free(x.rep.col_base);
  rram_array_destroy(x.array);
}
END_TEST

/* ---- weights mapped around the bad lines (cim_linemap.h) ---- */

/* cim_linemap_from_states: the good rows and slots in order, W placed on
 * them with 0 between, inputs and outputs moved the same way; refusals. */
START_TEST(test_linemap_place) {
  cosim_build b;
  cosim_build_get(&b);
  const cim_info in = {.rows = b.geo.rows, .cols = b.geo.cols, .w_bits = b.w_bits,
                       .cell_bits = b.geo.cell_bits, .n_out = b.n_out};
  const int per = CIM_CFG_COLS_PER_OUT;
  uint8_t *rs = calloc((size_t)in.rows, 1), *cs = calloc((size_t)in.cols, 1);
  ck_assert(rs && cs);
  /* every third row bad (row 0 stays good), and one column of output 0 */
  for (int i = 2; i < in.rows; i += 3) rs[i] = (uint8_t)(i % 2 ? CIM_LINE_LEAKY : CIM_LINE_UNFORMED);
  if (in.n_out > 1) cs[per - 1] = CIM_LINE_UNFORMED;
  cim_linemap *m = NULL;
  ck_assert_int_eq(cim_linemap_from_states(&in, rs, cs, &m), CIM_OK);
  const int good_rows = in.rows - (in.rows + 0) / 3, good_slots = in.n_out > 1 ? in.n_out - 1 : 1;
  ck_assert_int_eq(cim_linemap_rows(m), good_rows);
  ck_assert_int_eq(cim_linemap_outputs(m), good_slots);
  const int k = good_rows, n = good_slots;
  int32_t *W = malloc((size_t)n * (size_t)k * sizeof *W);
  int32_t *Wp = malloc((size_t)in.n_out * (size_t)in.rows * sizeof *Wp);
  int32_t *x = malloc((size_t)k * sizeof *x), *xp = malloc((size_t)in.rows * sizeof *xp);
  int32_t *yp = malloc((size_t)in.n_out * sizeof *yp), *y = malloc((size_t)n * sizeof *y);
  ck_assert(W && Wp && x && xp && yp && y);
  for (int i = 0; i < n * k; i++) W[i] = 1 + i % 5;
  for (int q = 0; q < k; q++) x[q] = 1 + q;
  int np = 0, kp = 0;
  ck_assert_int_eq(cim_linemap_place_weights(m, W, n, k, Wp, &np, &kp), CIM_OK);
  /* the physical MVM equals the logical one, output for output */
  cim_linemap_place_inputs(m, x, k, kp, xp);
  for (int j = 0; j < np; j++) {
    int64_t s = 0;
    for (int r = 0; r < kp; r++) {
      const int32_t w = Wp[(size_t)j * (size_t)kp + (size_t)r];
      ck_assert_msg(w == 0 || (rs[r] == CIM_LINE_OK && (in.n_out == 1 || j != 0)),
                    "weight %d placed on bad row %d or slot %d", w, r, j);
      s += (int64_t)w * xp[r];
    }
    yp[j] = (int32_t)s;
  }
  cim_linemap_take_outputs(m, yp, n, y);
  for (int j = 0; j < n; j++) {
    int64_t s = 0;
    for (int q = 0; q < k; q++) s += (int64_t)W[(size_t)j * (size_t)k + (size_t)q] * x[q];
    ck_assert_msg(y[j] == s, "output %d: placed %d, logical %lld", j, y[j], (long long)s);
  }
  /* more than the good lines hold is refused */
  ck_assert_int_eq(cim_linemap_place_weights(m, W, n, k + 1, Wp, &np, &kp), CIM_EINVAL);
  ck_assert_int_eq(cim_linemap_place_weights(m, W, n + 1, k, Wp, &np, &kp), CIM_EINVAL);
  cim_linemap_destroy(m);
  /* no good row left */
  memset(rs, CIM_LINE_UNFORMED, (size_t)in.rows);
  ck_assert_int_eq(cim_linemap_from_states(&in, rs, cs, &m), CIM_ENODATA);
  ck_assert_ptr_null(m);
  free(W);
  free(Wp);
  free(x);
  free(xp);
  free(yp);
  free(y);
  free(rs);
  free(cs);
}
END_TEST

typedef struct mapped_ctx {
  rram_array *array;
  cim_program_cfg cfg;
  const int32_t *W, *x;
  int n_out, k, w_bits, x_bits;
  /* filled by the firmware */
  int status;
  const char *step;
  int32_t y_plain[64], y_mapped[64];
  cim_check chk_plain, chk_mapped;
  int np, kp, good_rows, good_slots;
  cim_job job_mapped;
} mapped_ctx;

/* W programmed front door and one MVM through the checked routine, on the
 * array as it is (plain) and, after cim_linemap_create, on the good lines. */
static int fw_mapped(mmio_bus *bus, void *arg) {
  mapped_ctx *x = arg;
  cim_dev *dev = NULL;
  cim_verify *ver = NULL;
  cim_linemap *m = NULL;
  int32_t *Wp = NULL, *xp = NULL, *yp = NULL;
  if ((x->status = cim_open(bus, &dev)) != CIM_OK) return 0;
  const cim_info *in = cim_get_info(dev);
  for (int pass = 0; pass < 2; pass++) {
    const int32_t *W = x->W, *xv = x->x;
    int np = x->n_out, kp = x->k;
    if (pass == 1) {
      cim_program_cfg coarse = x->cfg;
      coarse.tol = 8;
      x->step = "cim_linemap_create";
      if ((x->status = cim_linemap_create(dev, &coarse, &m, NULL)) != CIM_OK) goto out;
      x->good_rows = cim_linemap_rows(m);
      x->good_slots = cim_linemap_outputs(m);
      Wp = malloc((size_t)in->n_out * (size_t)in->rows * sizeof *Wp);
      xp = malloc((size_t)in->rows * sizeof *xp);
      yp = malloc((size_t)in->n_out * sizeof *yp);
      x->step = "cim_linemap_place_weights";
      if (!Wp || !xp || !yp ||
          (x->status = cim_linemap_place_weights(m, x->W, x->n_out, x->k, Wp, &np, &kp)) != CIM_OK)
        goto out;
      cim_linemap_place_inputs(m, x->x, x->k, kp, xp);
      W = Wp;
      xv = xp;
      x->np = np;
      x->kp = kp;
    }
    x->step = "cim_program_weights";
    if ((x->status = cim_program_weights(dev, W, np, kp, &x->cfg, NULL)) != CIM_OK) goto out;
    const cim_job job = {.n_rows = kp, .n_outs = np, .x_bits = x->x_bits, .out_bits = 32};
    x->step = "cim_configure";
    if ((x->status = cim_configure(dev, &job)) != CIM_OK) goto out;
    if (pass == 1) x->job_mapped = *cim_get_job(dev);
    x->step = "cim_verify_create";
    if ((x->status = cim_verify_create(x->array, W, np, kp, x->w_bits, &ver)) != CIM_OK) goto out;
    cim_check *chk = pass ? &x->chk_mapped : &x->chk_plain;
    cim_check_init(chk);
    x->step = "cim_verify_mvm";
    if ((x->status = cim_verify_mvm(ver, dev, xv, CIM_WAIT_POLL, pass ? yp : x->y_plain, NULL, chk,
                                    &x->step)) != CIM_OK)
      goto out;
    if (pass == 1) cim_linemap_take_outputs(m, yp, x->n_out, x->y_mapped);
    cim_verify_destroy(ver);
    ver = NULL;
  }
  x->step = NULL;
out:
  cim_verify_destroy(ver);
  cim_linemap_destroy(m);
  free(Wp);
  free(xp);
  free(yp);
  cim_close(dev);
  return 0;
}

/* On an ideal device with unformed and leaky rows and columns, the MVM
 * placed on the good lines equals the exact W x, where the same weights on
 * the first rows and columns do not; the twin is bit-exact both ways. */
START_TEST(test_lines_mapped_exact) {
  const char *name = "test_lines_mapped_exact";
  uint64_t seed = cosim_seed(89);
  cosim_build b;
  cosim_build_get(&b);
  rram_device d;
  lines_device("ideal", &b, &d);
  mapped_ctx x;
  memset(&x, 0, sizeof x);
  truth t;
  x.array = draw_lines(&d, &seed, &b.geo, 1, &t);
  /* the logical block: what the good lines hold, at most 32 rows and 4
   * outputs, and within what the ADC adds up exactly */
  x.k = t.ok[0] < 32 ? t.ok[0] : 32;
  x.n_out = t.good_slots < 4 ? t.good_slots : 4;
  /* and down to the first unformed row, where the good rows allow it, so
   * that the unmapped block holds one */
  for (int q = 0; q < b.geo.rows; q++) {
    int kind = RRAM_LINE_OK;
    rram_array_get_line(x.array, 0, q, &kind);
    if (kind != RRAM_LINE_UNFORMED) continue;
    if (q + 1 > x.k && q + 1 <= t.ok[0]) x.k = q + 1;
    break;
  }
  ck_assert_msg(x.k >= 1 && x.n_out >= 1, "seed %" PRIu64 ": no good row or slot", seed);
  x.w_bits = b.w_bits;
  x.x_bits = b.x_bits;
  cosim_rng r = {seed};
  int32_t *W = cosim_random_weights(&r, x.n_out, x.k, b.w_bits);
  int32_t *in = cosim_random_inputs(&r, x.k, b.x_bits, 0);
  ck_assert(W && in);
  x.W = W;
  x.x = in;
  cim_progcfg_for_device(&d, &x.cfg);
  cim_sim_opts opts = {.array = x.array};
  const int rc = cim_sim_run(&opts, fw_mapped, &x, NULL);
  ck_assert_msg(rc == 0 && x.status == CIM_OK, "simulation %d, %s: %s; reproduce: %s", rc,
                x.step ? x.step : "", cim_strerror(x.status), cosim_repro(name, seed));
  ck_assert_msg(cim_check_twin_ok(&x.chk_plain) && cim_check_twin_ok(&x.chk_mapped),
                "the RTL differs from the twin (plain %llu, mapped %llu outputs); reproduce: %s",
                (unsigned long long)x.chk_plain.twin_fail_outputs,
                (unsigned long long)x.chk_mapped.twin_fail_outputs, cosim_repro(name, seed));
  int plain_wrong = 0;
  const int owed = cosim_exact_owed(&x.job_mapped);
  for (int j = 0; j < x.n_out; j++) {
    int64_t s = 0;
    for (int q = 0; q < x.k; q++) s += (int64_t)W[(size_t)j * (size_t)x.k + (size_t)q] * in[q];
    plain_wrong += x.y_plain[j] != s;
    ck_assert_msg(!owed || x.y_mapped[j] == s, "output %d mapped: RTL %d, exact %lld; reproduce: %s",
                  j, x.y_mapped[j], (long long)s, cosim_repro(name, seed));
  }
  /* the plain run's block must be wrong where it holds an unformed row or
   * column that a non-zero product needs: that product never reaches the
   * sum (other bad lines may round away, e.g. a small leak on a wide ADC) */
  int must_differ = 0;
  const int per = CIM_CFG_COLS_PER_OUT;
  for (int q = 0; q < x.k; q++) {
    int row_kind = RRAM_LINE_OK;
    rram_array_get_line(x.array, 0, q, &row_kind);
    for (int c = 0; in[q] != 0 && c < x.n_out * per; c++) {
      int col_kind = RRAM_LINE_OK, level = 0;
      rram_array_get_line(x.array, 1, c, &col_kind);
      (void)cim_map_level(W[(size_t)(c / per) * (size_t)x.k + (size_t)q], (c % per) / 2, c % 2,
                          b.w_bits, b.geo.cell_bits, &level);
      must_differ |= level != 0 && (row_kind == RRAM_LINE_UNFORMED || col_kind == RRAM_LINE_UNFORMED);
    }
  }
  ck_assert_msg(!owed || !must_differ || plain_wrong > 0,
                "the unmapped block holds an unformed row with a non-zero product and still "
                "equals W x; reproduce: %s", cosim_repro(name, seed));
  printf("  %s (seed %" PRIu64 "): %d x %d block on rows 0..%d, slots 0..%d of %d good rows, %d "
         "good slots; mapped %s, unmapped wrong on %d of %d outputs%s\n",
         name, seed, x.n_out, x.k, x.kp - 1, x.np - 1, x.good_rows, x.good_slots,
         owed ? "exact" : "twin-exact (the ADC may clip: no exact check owed)", plain_wrong,
         x.n_out, must_differ ? " (an unformed line holds a product: owed)" : "");
  free(W);
  free(in);
  rram_array_destroy(x.array);
}
END_TEST

/* ---- ROW_EN / COL_EN ---- */

typedef struct en_ctx {
  rram_array *array;
  const int32_t *W, *x;
  int n_out, k, w_bits, x_bits;
  uint32_t row_en[128], col_en[128];
  /* filled by the firmware */
  int status;
  const char *step;
  int32_t y[1024];
  cim_check chk;
  int exact_applies;
  int twin_wrong_rc;      /* the twin told every row is enabled, on this log */
  char twin_wrong_err[256];
  uint32_t readback_row0, readback_last; /* ROW_EN word 0 and the last word */
  int busy_write_rc;      /* a ROW_EN write during an MVM */
} en_ctx;

static int fw_enables(mmio_bus *bus, void *arg) {
  en_ctx *x = arg;
  cim_dev *dev = NULL;
  cim_verify *ver = NULL;
  if ((x->status = cim_open(bus, &dev)) != CIM_OK) return 0;
  x->step = "cim_set_line_enables";
  if ((x->status = cim_set_line_enables(dev, x->row_en, x->col_en)) != CIM_OK) goto out;
  const cim_info *in = cim_get_info(dev);
  mmio_read32(bus, CIM_REGS_ROW_EN_BASE, &x->readback_row0);
  mmio_read32(bus, CIM_REGS_ROW_EN_BASE + 4u * (uint32_t)((in->rows - 1) / 32), &x->readback_last);
  const cim_job job = {.n_rows = x->k, .n_outs = x->n_out, .x_bits = x->x_bits, .out_bits = 32};
  x->step = "cim_configure";
  if ((x->status = cim_configure(dev, &job)) != CIM_OK) goto out;
  x->step = "cim_verify_create";
  if ((x->status = cim_verify_create(x->array, x->W, x->n_out, x->k, x->w_bits, &ver)) != CIM_OK)
    goto out;
  cim_check_init(&x->chk);
  x->exact_applies = cim_verify_exact_applies(ver, cim_get_job(dev), NULL, 0);
  if ((x->status = cim_verify_mvm(ver, dev, x->x, CIM_WAIT_POLL, x->y, NULL, &x->chk, &x->step)) !=
      CIM_OK)
    goto out;
  /* the twin must see the enables: told that every line is on, it refuses
   * the same log */
  cim_job all_on = *cim_get_job(dev);
  all_on.row_en = all_on.col_en = NULL;
  int32_t y2[1024];
  x->twin_wrong_rc = cim_twin_run(x->array, x->w_bits, &all_on, x->x, NULL, y2, x->twin_wrong_err,
                                  sizeof x->twin_wrong_err);
  /* a ROW_EN write while an MVM runs is refused */
  x->step = "busy write";
  if ((x->status = cim_load_inputs(dev, x->x, x->k)) == CIM_OK &&
      (x->status = cim_start(dev)) == CIM_OK) {
    x->busy_write_rc = mmio_write32(bus, CIM_REGS_ROW_EN_BASE, 0);
    x->status = cim_wait(dev, CIM_WAIT_POLL, cim_wait_budget(dev));
  }
  x->step = NULL;
out:
  cim_verify_destroy(ver);
  cim_close(dev);
  return 0;
}

/* Disabled rows are never selected or driven and disabled columns add 0:
 * the RTL equals the twin that follows the masks, the exact MVM over the
 * enabled rows where no output column is disabled, and the twin told that
 * every line is on refuses the log. A ROW_EN write while busy is refused. */
static void run_enables(const char *name, uint64_t seed, int pass) {
  cosim_build b;
  cosim_build_get(&b);
  cosim_rng r = {seed};
  en_ctx *x = calloc(1, sizeof *x);
  ck_assert_ptr_nonnull(x);
  x->n_out = b.n_out < 4 ? b.n_out : 4;
  x->k = b.geo.rows < 64 ? b.geo.rows : 64;
  x->w_bits = b.w_bits;
  x->x_bits = b.x_bits;
  int32_t *W = cosim_random_weights(&r, x->n_out, x->k, b.w_bits);
  int32_t *in = cosim_random_inputs(&r, x->k, b.x_bits, 0);
  ck_assert(W && in);
  x->W = W;
  x->x = in;
  memset(x->row_en, 0xff, sizeof x->row_en);
  memset(x->col_en, 0xff, sizeof x->col_en);
  /* a quarter of the job's rows off (at least one, not all) */
  int off = 0;
  for (int i = 0; i < x->k; i++) {
    if (cosim_range(&r, 0, 3) == 0 && off + 1 < x->k) {
      x->row_en[i / 32] &= ~(UINT32_C(1) << (i % 32));
      off++;
    }
  }
  if (off == 0 && x->k > 1) {
    x->row_en[0] &= ~UINT32_C(1);
    off = 1;
  }
  {
    /* pass 1 also turns off one column of an output */
    if (pass == 1) {
      const int c = cosim_range(&r, 0, x->n_out * CIM_CFG_COLS_PER_OUT - 1);
      x->col_en[c / 32] &= ~(UINT32_C(1) << (c % 32));
    }
    x->array = cosim_array(W, x->n_out, x->k, seed);
    ck_assert_ptr_nonnull(x->array);
    cim_sim_opts opts = {.array = x->array};
    const int rc = cim_sim_run(&opts, fw_enables, x, NULL);
    ck_assert_msg(rc == 0 && x->status == CIM_OK, "pass %d: simulation %d, %s: %s; reproduce: %s",
                  pass, rc, x->step ? x->step : "", cim_strerror(x->status), cosim_repro(name, seed));
    ck_assert_msg(cim_check_twin_ok(&x->chk), "pass %d: the RTL differs from the twin on %llu "
                  "outputs; reproduce: %s", pass, (unsigned long long)x->chk.twin_fail_outputs,
                  cosim_repro(name, seed));
    const cim_job probe = {.n_rows = x->k, .n_outs = x->n_out, .x_bits = x->x_bits,
                           .group_rows = b.p_fit < x->k ? b.p_fit : x->k, .out_bits = 32};
    if (pass == 0 && cosim_exact_owed(&probe)) {
      ck_assert_msg(x->exact_applies && x->chk.exact_fail_outputs == 0,
                    "rows disabled: the RTL differs from the exact MVM over the enabled rows on "
                    "%llu outputs; reproduce: %s", (unsigned long long)x->chk.exact_fail_outputs,
                    cosim_repro(name, seed));
    }
    if (pass == 1) ck_assert_msg(!x->exact_applies, "a disabled output column left the exact check on");
    /* the log: no disabled row ever selected or driven */
    for (size_t p = 0; p < rram_array_log_phases(x->array); p++) {
      const rram_phase *ph = rram_array_log_phase(x->array, p);
      for (int w = 0; w < (b.geo.rows + 31) / 32; w++)
        ck_assert_msg(((ph->sel[w] | ph->wl[w]) & ~x->row_en[w]) == 0,
                      "phase %zu selects a disabled row in word %d; reproduce: %s", p, w,
                      cosim_repro(name, seed));
    }
    /* (a one-row job has no row to disable) */
    ck_assert_msg(off == 0 || x->twin_wrong_rc != RRAM_OK, "pass %d: the twin accepted the log "
                  "without the masks; reproduce: %s", pass, cosim_repro(name, seed));
    ck_assert_int_eq(x->busy_write_rc, MMIO_SLVERR);
    ck_assert_uint_eq(x->readback_row0, x->row_en[0] & (b.geo.rows >= 32 ? UINT32_MAX
                                                        : (UINT32_C(1) << b.geo.rows) - 1u));
    /* bits past the last row read 0 */
    const int last_bits = b.geo.rows - 32 * ((b.geo.rows - 1) / 32);
    if (last_bits < 32) ck_assert_uint_eq(x->readback_last >> last_bits, 0u);
    printf("  %s pass %d: %d of %d rows disabled%s; twin exact, refused without the masks (%s)\n",
           name, pass, off, x->k, pass ? ", one output column disabled" : "", x->twin_wrong_err);
    rram_array_destroy(x->array);
  }
  free(W);
  free(in);
  free(x);
}

START_TEST(test_line_enables_rows) { run_enables("test_line_enables_rows", cosim_seed(79), 0); }
END_TEST

START_TEST(test_line_enables_cols) { run_enables("test_line_enables_cols", cosim_seed(83), 1); }
END_TEST

Suite *suite_lines(void) {
  Suite *s = suite_create("lines");
  suite_add_loop_test(s, test_lines_found, 0, 2);
  suite_add_test(s, test_linemap_place);
  suite_add_test(s, test_lines_mapped_exact);
  suite_add_test(s, test_line_enables_rows);
  suite_add_test(s, test_line_enables_cols);
  return s;
}

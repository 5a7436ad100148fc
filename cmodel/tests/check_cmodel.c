/* check_cmodel.c: unit tests of the analog model and the golden models, no
 * simulator involved. Every random case uses a fixed seed that its failure
 * message prints, so a failure reproduces by rerunning the same binary.
 *
 * Exit status: 0 only when every test ran and passed; a CK_RUN_SUITE or
 * CK_RUN_CASE filter that matches nothing fails too (Check would report
 * 0 tests as success). */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cim_golden.h"
#include "../cim_map.h"
#include "../cim_seq.h"
#include "../rram_array.h"
#include "../rram_array_int.h"
#include "../rram_rng.h"
#include "../rram_status.h"
#include "check_suites.h"

/* ---- helpers ---------------------------------------------------------- */

/* The tests' own generator (splitmix64), separate from the model's, so test
 * data does not change if the model's draws do. */
typedef struct trng {
  uint64_t s;
} trng;

static uint64_t trng_next(trng *t) {
  uint64_t z = (t->s += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform integer in lo..hi inclusive. */
static int trng_range(trng *t, int lo, int hi) {
  return lo + (int)(trng_next(t) % (uint64_t)(hi - lo + 1));
}

static rram_geometry geom(int rows, int cols, int cell_bits, int adc_bits, int cpa) {
  rram_geometry g = {rows, cols, cell_bits, adc_bits, cpa};
  return g;
}

static rram_array *make_array(const rram_geometry *g, uint64_t seed) {
  rram_device dev;
  rram_device_ideal(&dev);
  rram_array *a = NULL;
  char why[200];
  int rc = rram_array_create(g, &dev, seed, &a);
  if (rc != RRAM_OK) rram_array_check_config(g, &dev, why, sizeof why);
  ck_assert_msg(rc == RRAM_OK && a, "create %dx%d failed: %s (%s)", g->rows, g->cols,
                rram_strerror(rc), rc == RRAM_OK ? "" : why);
  return a;
}

/* A job by its first eight fields, designated so fields added later to
 * cim_job start at zero without a warning. */
#define JOB(k, n, xb, sg, p, relu_, shift_, ob)                                        \
  {.n_rows = (k), .n_outs = (n), .x_bits = (xb), .is_signed = (sg), .group_rows = (p), \
   .relu = (relu_), .shift = (shift_), .out_bits = (ob)}

static cim_job plain_job(int n_rows, int n_outs, int x_bits, int is_signed, int p) {
  cim_job j = JOB(n_rows, n_outs, x_bits, is_signed, p, 0, 0, 32);
  return j;
}

static int32_t rand_weight(trng *t, int w_bits) {
  const int lo = -(1 << (w_bits - 1)), hi = (1 << (w_bits - 1)) - 1;
  /* Extremes a quarter of the time: -2^(w_bits-1) is the mapping's corner. */
  switch (trng_next(t) % 8) {
    case 0: return lo;
    case 1: return hi;
    default: return trng_range(t, lo, hi);
  }
}

static int32_t rand_input(trng *t, int x_bits, int is_signed) {
  const int lo = is_signed ? -(1 << (x_bits - 1)) : 0;
  const int hi = is_signed ? (1 << (x_bits - 1)) - 1 : (1 << x_bits) - 1;
  switch (trng_next(t) % 8) {
    case 0: return lo;
    case 1: return hi;
    default: return trng_range(t, lo, hi);
  }
}

/* Straightforward requant, written independently of cim_requant: the
 * rounding shift in double (exact here: |v| < 2^52 and d a power of two). */
static int64_t ref_requant(int64_t acc, int relu, int shift, int out_bits) {
  int64_t v = acc;
  if (relu && v < 0) v = 0;
  if (shift) {
    const double d = ldexp(1.0, shift);
    v = (int64_t)floor(((double)v + d / 2.0) / d);
  }
  const int64_t hi = (INT64_C(1) << (out_bits - 1)) - 1, lo = -hi - 1;
  return v > hi ? hi : (v < lo ? lo : v);
}

/* ---- status ----------------------------------------------------------- */

START_TEST(test_strerror) {
  ck_assert_str_eq(rram_strerror(RRAM_OK), "success");
  ck_assert_str_eq(rram_strerror(RRAM_EINVAL), "argument out of range");
  ck_assert_str_eq(rram_strerror(RRAM_ESEQ),
                   "the recorded run does not follow the controller's sequence");
  ck_assert_str_eq(rram_strerror(RRAM_EIO), "cannot read or parse a file");
  ck_assert_str_eq(rram_strerror(-7), "unknown status");
  ck_assert_str_eq(rram_strerror(99), "unknown status");
}
END_TEST

/* ---- mapping ---------------------------------------------------------- */

START_TEST(test_map_roundtrip_all_weights) {
  for (int wb = 2; wb <= 8; wb++) {
    for (int cb = 1; cb <= 4; cb++) {
      const int n_s = cim_map_slices(wb, cb);
      ck_assert_int_eq(n_s, (wb + cb - 1) / cb);
      for (int32_t w = -(1 << (wb - 1)); w <= (1 << (wb - 1)) - 1; w++) {
        int64_t back = 0;
        int any_pos = 0, any_neg = 0;
        for (int s = 0; s < n_s; s++) {
          int lp = -1, ln = -1;
          ck_assert_int_eq(cim_map_level(w, s, 0, wb, cb, &lp), RRAM_OK);
          ck_assert_int_eq(cim_map_level(w, s, 1, wb, cb, &ln), RRAM_OK);
          ck_assert_msg(lp >= 0 && lp < (1 << cb) && ln >= 0 && ln < (1 << cb),
                        "w_bits %d cell_bits %d w %d slice %d: levels %d/%d", wb, cb, (int)w, s,
                        lp, ln);
          any_pos |= lp != 0;
          any_neg |= ln != 0;
          back += (int64_t)(lp - ln) * (INT64_C(1) << (s * cb));
        }
        ck_assert_msg(back == w, "w_bits %d cell_bits %d: w %d maps back to %" PRId64, wb, cb,
                      (int)w, back);
        ck_assert_msg(!(any_pos && any_neg), "w %d uses both polarities", (int)w);
      }
      /* Out of range weights and slices are refused. */
      int l;
      ck_assert_int_eq(cim_map_level(1 << (wb - 1), 0, 0, wb, cb, &l), RRAM_EINVAL);
      ck_assert_int_eq(cim_map_level(-(1 << (wb - 1)) - 1, 0, 1, wb, cb, &l), RRAM_EINVAL);
      ck_assert_int_eq(cim_map_level(0, n_s, 0, wb, cb, &l), RRAM_EINVAL);
      ck_assert_int_eq(cim_map_level(0, 0, 2, wb, cb, &l), RRAM_EINVAL);
      /* Columns: (j, s, p) is a bijection onto 0 .. n_out*2S-1. */
      const int n_out = cim_map_outputs(50, wb, cb);
      ck_assert_int_eq(n_out, 50 / (2 * n_s));
      int seen[64] = {0};
      for (int j = 0; j < n_out; j++)
        for (int s = 0; s < n_s; s++)
          for (int p = 0; p < 2; p++) {
            const int c = cim_map_col(j, s, p, wb, cb);
            ck_assert_int_eq(c, j * 2 * n_s + 2 * s + p);
            ck_assert(c >= 0 && c < n_out * 2 * n_s && !seen[c]);
            seen[c] = 1;
          }
      ck_assert_int_eq(cim_map_col(0, n_s, 0, wb, cb), -1);
    }
  }
  ck_assert_int_eq(cim_map_slices(8, 5), 0);
  ck_assert_int_eq(cim_map_slices(0, 2), 0);
  ck_assert_int_eq(cim_map_outputs(256, 8, 2), 32);
}
END_TEST

START_TEST(test_map_load_readback) {
  const uint64_t seed = 11;
  trng t = {seed};
  for (int cb = 1; cb <= 4; cb++) {
    const int wb = 2 + (int)(trng_next(&t) % 7);
    const int n_s = cim_map_slices(wb, cb);
    rram_geometry g = geom(19, 2 * n_s * 3 + 1, cb, 8, 2);
    rram_array *a = make_array(&g, seed);
    /* Fill with junk first: the load must clear what it does not write. */
    for (int r = 0; r < g.rows; r++)
      for (int c = 0; c < g.cols; c++)
        ck_assert_int_eq(rram_array_set_level(a, r, c, (r + c) % (1 << cb)), RRAM_OK);
    const int n_out = 2, k = 13;
    int32_t W[2 * 13];
    for (int i = 0; i < n_out * k; i++) W[i] = rand_weight(&t, wb);
    ck_assert_int_eq(cim_map_load(a, W, n_out, k, wb), RRAM_OK);
    for (int j = 0; j < n_out; j++)
      for (int r = 0; r < k; r++) {
        int64_t back = 0;
        for (int s = 0; s < n_s; s++) {
          int lp, ln;
          ck_assert_int_eq(rram_array_get_level(a, r, cim_map_col(j, s, 0, wb, cb), &lp), 0);
          ck_assert_int_eq(rram_array_get_level(a, r, cim_map_col(j, s, 1, wb, cb), &ln), 0);
          back += (int64_t)(lp - ln) * (INT64_C(1) << (s * cb));
        }
        ck_assert_msg(back == W[j * k + r], "seed %" PRIu64 " cb %d wb %d: W[%d][%d]", seed,
                      cb, wb, j, r);
      }
    /* Outside the weights: rows < k and active columns are zeroed, the
     * rest keeps the junk. */
    const int n_col = n_out * 2 * n_s;
    for (int r = 0; r < g.rows; r++)
      for (int c = 0; c < g.cols; c++) {
        if (r < k && c < n_col) continue;
        int l;
        ck_assert_int_eq(rram_array_get_level(a, r, c, &l), RRAM_OK);
        const int want = (r < k || c < n_col) ? 0 : (r + c) % (1 << cb);
        ck_assert_msg(l == want, "cb %d cell (%d,%d) level %d, expected %d", cb, r, c, l, want);
      }
    rram_array_destroy(a);
  }
}
END_TEST

/* ---- exact MVM and requant -------------------------------------------- */

START_TEST(test_mvm_exact_by_hand) {
  const int32_t W[2 * 3] = {1, -2, 3, 0, 4, -5};
  const int32_t x[3] = {2, -1, 3};
  int64_t y[2];
  cim_mvm_exact(W, x, 2, 3, y);
  ck_assert_int_eq(y[0], 2 + 2 + 9);  /* 1*2 + -2*-1 + 3*3 */
  ck_assert_int_eq(y[1], 0 - 4 - 15); /* 0*2 + 4*-1 + -5*3 */
  /* int64 accumulation: no 32-bit overflow. */
  const int32_t Wb[2] = {INT32_MAX, INT32_MAX};
  const int32_t xb[2] = {INT32_MAX, INT32_MAX};
  cim_mvm_exact(Wb, xb, 1, 2, y);
  ck_assert(y[0] == 2 * (int64_t)INT32_MAX * INT32_MAX);
}
END_TEST

START_TEST(test_requant_corners) {
  cim_job j = plain_job(1, 1, 8, 1, 1);
  /* Round half up, also for negatives: -3/2 = -1.5 -> -1, -1/2 -> 0. */
  j.shift = 1;
  ck_assert_int_eq(cim_requant(-3, &j), -1);
  ck_assert_int_eq(cim_requant(-1, &j), 0);
  ck_assert_int_eq(cim_requant(-2, &j), -1);
  ck_assert_int_eq(cim_requant(-4, &j), -2);
  ck_assert_int_eq(cim_requant(3, &j), 2);
  ck_assert_int_eq(cim_requant(1, &j), 1);
  j.shift = 2;
  ck_assert_int_eq(cim_requant(-6, &j), -1); /* -1.5 -> -1 */
  ck_assert_int_eq(cim_requant(-7, &j), -2); /* -1.75 -> -2 */
  ck_assert_int_eq(cim_requant(-5, &j), -1); /* -1.25 -> -1 */
  ck_assert_int_eq(cim_requant(6, &j), 2);   /* 1.5 -> 2 */
  ck_assert_int_eq(cim_requant(5, &j), 1);
  /* Saturation at both rails. */
  j.shift = 0;
  j.out_bits = 8;
  ck_assert_int_eq(cim_requant(127, &j), 127);
  ck_assert_int_eq(cim_requant(128, &j), 127);
  ck_assert_int_eq(cim_requant(-128, &j), -128);
  ck_assert_int_eq(cim_requant(-129, &j), -128);
  j.out_bits = 2;
  ck_assert_int_eq(cim_requant(5, &j), 1);
  ck_assert_int_eq(cim_requant(-5, &j), -2);
  j.out_bits = 32;
  ck_assert_int_eq(cim_requant(INT64_C(1) << 40, &j), INT32_MAX);
  ck_assert_int_eq(cim_requant(-(INT64_C(1) << 40), &j), INT32_MIN);
  ck_assert_int_eq(cim_requant(INT32_MAX, &j), INT32_MAX);
  ck_assert_int_eq(cim_requant(INT32_MIN, &j), INT32_MIN);
  /* Extremes of int64 must not overflow inside the rounding. */
  j.shift = 1;
  ck_assert_int_eq(cim_requant(INT64_MAX, &j), INT32_MAX);
  ck_assert_int_eq(cim_requant(INT64_MIN, &j), INT32_MIN);
  j.shift = 31;
  ck_assert_int_eq(cim_requant(INT64_C(3) << 30, &j), 2); /* 1.5 -> 2 */
  ck_assert_int_eq(cim_requant(-(INT64_C(3) << 30), &j), -1);
  /* ReLU first, then shift. */
  j.shift = 1;
  j.relu = 1;
  ck_assert_int_eq(cim_requant(-3, &j), 0);
  ck_assert_int_eq(cim_requant(INT64_MIN, &j), 0);
  ck_assert_int_eq(cim_requant(3, &j), 2);
  /* cim_requant agrees with the reference across a sweep. */
  for (int relu = 0; relu < 2; relu++)
    for (int sh = 0; sh <= 6; sh++)
      for (int ob = 2; ob <= 10; ob += 4)
        for (int64_t v = -300; v <= 300; v++) {
          cim_job q = plain_job(1, 1, 8, 1, 1);
          q.relu = relu;
          q.shift = sh;
          q.out_bits = ob;
          ck_assert_msg(cim_requant(v, &q) == ref_requant(v, relu, sh, ob),
                        "acc %" PRId64 " relu %d shift %d out_bits %d", v, relu, sh, ob);
        }
}
END_TEST

/* ---- the array -------------------------------------------------------- */

START_TEST(test_ideal_conversion_is_sum_of_levels) {
  const uint64_t seed = 2024;
  trng t = {seed};
  for (int cb = 1; cb <= 4; cb++) {
    rram_geometry g = geom(300, 37, cb, 16, 5); /* 16-bit ADC: no clipping */
    rram_array *a = make_array(&g, seed);
    static int lev[300][37];
    for (int r = 0; r < g.rows; r++)
      for (int c = 0; c < g.cols; c++) {
        lev[r][c] = trng_range(&t, 0, (1 << cb) - 1);
        ck_assert_int_eq(rram_array_set_level(a, r, c, lev[r][c]), RRAM_OK);
      }
    uint32_t wl[10];
    for (int trial = 0; trial < 20; trial++) {
      const int density = trng_range(&t, 0, 4); /* 0: none .. 4: all rows */
      memset(wl, 0, sizeof wl);
      for (int r = 0; r < g.rows; r++)
        if (trng_range(&t, 1, 4) <= density) wl[r / 32] |= 1u << (r % 32);
      ck_assert_int_eq(rram_array_drive(a, wl, 10), RRAM_OK);
      for (int c = 0; c < g.cols; c++) {
        int sum = 0, code = -1;
        for (int r = 0; r < g.rows; r++)
          if ((wl[r / 32] >> (r % 32)) & 1u) sum += lev[r][c];
        ck_assert_int_eq(rram_array_convert(a, c / 5, c, &code), RRAM_OK);
        ck_assert_msg(code == sum, "seed %" PRIu64 " cb %d trial %d col %d: code %d, sum %d",
                      seed, cb, trial, c, code, sum);
      }
    }
    rram_array_destroy(a);
  }
}
END_TEST

START_TEST(test_conversion_clips_at_full_scale) {
  rram_geometry g = geom(8, 4, 2, 4, 4); /* full scale 15 */
  rram_array *a = make_array(&g, 1);
  for (int r = 0; r < 8; r++) ck_assert_int_eq(rram_array_set_level(a, r, 0, 3), RRAM_OK);
  const struct {
    uint32_t wl;
    int code;
  } cases[] = {{0x0f, 12}, {0x1f, 15}, {0x3f, 15}, {0xff, 15}, {0x00, 0}, {0x01, 3}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int code;
    ck_assert_int_eq(rram_array_drive(a, &cases[i].wl, 1), RRAM_OK);
    ck_assert_int_eq(rram_array_convert(a, 0, 0, &code), RRAM_OK);
    ck_assert_msg(code == cases[i].code, "wl 0x%02x: code %d, expected %d", cases[i].wl, code,
                  cases[i].code);
  }
  rram_array_destroy(a);

  /* An explicit LSB of four levels: codes are sum / 4, rounded. (Sums are
   * chosen away from exact halves: v_read * dG / lsb is not exactly 0.25 in
   * binary, so a tie could fall either way.) */
  rram_device dev;
  rram_device_ideal(&dev);
  dev.adc_lsb_ua = 4.0 * dev.v_read * dev.g_max_us / 3.0;
  g = geom(4, 1, 2, 8, 1);
  ck_assert_int_eq(rram_array_create(&g, &dev, 1, &a), RRAM_OK);
  ck_assert_int_eq(rram_array_set_level(a, 0, 0, 3), RRAM_OK);
  ck_assert_int_eq(rram_array_set_level(a, 1, 0, 2), RRAM_OK);
  ck_assert_int_eq(rram_array_set_level(a, 2, 0, 1), RRAM_OK);
  const struct {
    uint32_t wl;
    int code;
  } lsb4[] = {{0x1, 1}, {0x3, 1}, {0x4, 0}, {0x6, 1}, {0x5, 1}};
  int code;
  for (size_t i = 0; i < sizeof lsb4 / sizeof lsb4[0]; i++) {
    ck_assert_int_eq(rram_array_drive(a, &lsb4[i].wl, 1), RRAM_OK);
    ck_assert_int_eq(rram_array_convert(a, 0, 0, &code), RRAM_OK);
    ck_assert_msg(code == lsb4[i].code, "lsb 4 levels, wl 0x%x: code %d, expected %d",
                  lsb4[i].wl, code, lsb4[i].code);
  }
  rram_array_destroy(a);

  /* g_min > 0: level 0 cells carry current, codes include the offset. */
  rram_device_ideal(&dev);
  dev.g_min_us = 4.0; /* on/off 10; dG = 12 uS = 3 g_min */
  g = geom(6, 1, 2, 8, 1);
  ck_assert_int_eq(rram_array_create(&g, &dev, 1, &a), RRAM_OK);
  const uint32_t all = 0x3f;
  rram_array_drive(a, &all, 1);
  rram_array_convert(a, 0, 0, &code);
  ck_assert_int_eq(code, 2); /* 6 * 4/12 = 2 */
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_log_records_phases) {
  rram_geometry g = geom(40, 10, 2, 8, 4); /* ADCs: 0..3, 4..7, 8..9 */
  rram_array *a = make_array(&g, 5);
  ck_assert_int_eq(rram_array_num_adcs(a), 3);
  ck_assert_int_eq(rram_array_set_level(a, 33, 9, 2), RRAM_OK);
  int code;
  /* Before any drive: orphan, returns a code, logs nothing. */
  ck_assert_int_eq(rram_array_convert(a, 0, 1, &code), RRAM_OK);
  ck_assert_uint_eq(rram_array_log_orphans(a), 1);
  ck_assert_uint_eq(rram_array_log_phases(a), 0);
  ck_assert_ptr_null(rram_array_log_phase(a, 0));

  const uint32_t wl[2] = {0x5u, 0x2u}; /* rows 0, 2, 33 */
  ck_assert_int_eq(rram_array_drive(a, wl, 2), RRAM_OK);
  ck_assert_int_eq(rram_array_convert(a, 2, 9, &code), RRAM_OK);
  ck_assert_int_eq(code, 2);
  ck_assert_int_eq(rram_array_convert(a, 2, 9, &code), RRAM_OK);
  ck_assert_int_eq(rram_array_convert(a, 1, 5, &code), RRAM_OK);
  const uint32_t wl2[2] = {0, 0};
  ck_assert_int_eq(rram_array_drive(a, wl2, 2), RRAM_OK);
  ck_assert_uint_eq(rram_array_log_phases(a), 2);
  const rram_phase *p0 = rram_array_log_phase(a, 0);
  ck_assert_ptr_nonnull(p0);
  ck_assert_uint_eq(p0->wl[0], 0x5u);
  ck_assert_uint_eq(p0->wl[1], 0x2u);
  for (int c = 0; c < 10; c++) {
    ck_assert_int_eq(p0->n_conv[c], c == 9 ? 2 : (c == 5 ? 1 : 0));
    ck_assert_int_eq(p0->code[c], c == 9 ? 2 : (c == 5 ? 0 : -1));
  }
  const rram_phase *p1 = rram_array_log_phase(a, 1);
  for (int c = 0; c < 10; c++) ck_assert_int_eq(p1->code[c], -1);
  ck_assert_uint_eq(rram_array_log_orphans(a), 1);

  /* Clear forgets phases and orphans, and reuses the phase memory. */
  const uint32_t *old_wl = p0->wl;
  rram_array_log_clear(a);
  ck_assert_uint_eq(rram_array_log_phases(a), 0);
  ck_assert_uint_eq(rram_array_log_orphans(a), 0);
  ck_assert_int_eq(rram_array_drive(a, wl, 2), RRAM_OK);
  ck_assert_ptr_eq(rram_array_log_phase(a, 0)->wl, old_wl);
  ck_assert_int_eq(rram_array_log_phase(a, 0)->code[9], -1);
  /* Growing past the first capacity keeps earlier phases intact. */
  for (int i = 0; i < 100; i++) ck_assert_int_eq(rram_array_drive(a, wl2, 2), RRAM_OK);
  ck_assert_uint_eq(rram_array_log_phases(a), 101);
  ck_assert_uint_eq(rram_array_log_phase(a, 0)->wl[0], 0x5u);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_array_argument_errors) {
  rram_geometry g = geom(40, 10, 2, 8, 4);
  rram_array *a = make_array(&g, 5);
  int code = 123, level;
  const uint32_t wl[3] = {1u, 0u, 0u};
  ck_assert_int_eq(rram_array_drive(a, wl, 3), RRAM_OK); /* extra zero words are fine */

  ck_assert_int_eq(rram_array_convert(a, 3, 9, &code), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "adc 3 out of range 0..2");
  ck_assert_int_eq(rram_array_convert(a, 1, 3, &code), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "col 3 is not an input of adc 1 (columns 4..7)");
  ck_assert_int_eq(rram_array_convert(a, 2, 10, &code), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "col 10 out of range 0..9");
  ck_assert_int_eq(rram_array_convert(a, -1, 0, &code), RRAM_EINVAL);
  ck_assert_int_eq(code, 123);
  ck_assert_int_eq(rram_array_log_phase(a, 0)->n_conv[3], 0); /* nothing logged */

  const uint32_t bad[2] = {0u, 1u << 8}; /* row 40 of 40 */
  ck_assert_int_eq(rram_array_drive(a, bad, 2), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "wordline 40 driven but rows is 40");
  const uint32_t bad3[3] = {0u, 0u, 1u};
  ck_assert_int_eq(rram_array_drive(a, bad3, 3), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "wordline 64 driven but rows is 40");
  ck_assert_int_eq(rram_array_drive(a, wl, 1), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "wordline bitmap has 1 words, 2 needed for 40 rows");
  ck_assert_uint_eq(rram_array_log_phases(a), 1); /* failed drives open no phase */

  ck_assert_int_eq(rram_array_set_level(a, 0, 0, 4), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "level 4 out of range 0..3 (cell_bits 2)");
  ck_assert_int_eq(rram_array_set_level(a, 40, 0, 1), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "row 40 out of range 0..39");
  ck_assert_int_eq(rram_array_set_level(a, 0, -1, 1), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(a), "col -1 out of range 0..9");
  ck_assert_int_eq(rram_array_get_level(a, 0, 10, &level), RRAM_EINVAL);

  /* A bad weight is named, and nothing is written. */
  rram_geometry g2 = geom(4, 16, 2, 8, 4);
  rram_array *b = make_array(&g2, 5);
  const int32_t W[2 * 3] = {1, 2, 3, 4, 5, 200};
  ck_assert_int_eq(cim_map_load(b, W, 2, 3, 8), RRAM_EINVAL);
  ck_assert_str_eq(rram_array_errmsg(b), "W[1][2] = 200 out of range -128..127 (w_bits 8)");
  ck_assert_int_eq(rram_array_get_level(b, 0, 0, &level), RRAM_OK);
  ck_assert_int_eq(level, 0);
  ck_assert_int_eq(cim_map_load(b, W, 3, 3, 8), RRAM_EINVAL);
  ck_assert_ptr_nonnull(strstr(rram_array_errmsg(b), "n_out 3 out of range 1..2"));
  ck_assert_int_eq(cim_map_load(b, W, 1, 5, 8), RRAM_EINVAL);
  ck_assert_ptr_nonnull(strstr(rram_array_errmsg(b), "k 5 out of range 1..4"));
  ck_assert_int_eq(cim_map_load(b, W, 1, 3, 17), RRAM_EINVAL);
  ck_assert_ptr_nonnull(strstr(rram_array_errmsg(b), "w_bits 17"));
  rram_array_destroy(b);
  rram_array_destroy(a);
  rram_array_destroy(NULL); /* harmless no-op */
  ck_assert_str_eq(rram_array_errmsg(NULL), "no array (NULL handle)");
}
END_TEST

/* Bad geometries and devices: create fails, and the reason names the field. */
static const struct bad_cfg {
  rram_geometry g;
  double g_max, g_min, v_read, lsb;
  const char *msg;
} bad_cfgs[] = {
    {{0, 8, 2, 8, 1}, 40, 0, 0.2, 0, "rows 0 out of range 1..65535"},
    {{65536, 8, 2, 8, 1}, 40, 0, 0.2, 0, "rows 65536 out of range 1..65535"},
    {{8, 0, 2, 8, 1}, 40, 0, 0.2, 0, "cols 0 out of range 1..65535"},
    {{8, 8, 5, 8, 1}, 40, 0, 0.2, 0, "cell_bits 5 out of range 1..4"},
    {{8, 8, 0, 8, 1}, 40, 0, 0.2, 0, "cell_bits 0 out of range 1..4"},
    {{8, 8, 2, 0, 1}, 40, 0, 0.2, 0, "adc_bits 0 out of range 1..16"},
    {{8, 8, 2, 17, 1}, 40, 0, 0.2, 0, "adc_bits 17 out of range 1..16"},
    {{8, 8, 2, 8, 0}, 40, 0, 0.2, 0, "cols_per_adc 0 out of range 1..8 (cols)"},
    {{8, 8, 2, 8, 9}, 40, 0, 0.2, 0, "cols_per_adc 9 out of range 1..8 (cols)"},
    {{8, 8, 2, 8, 1}, 40, -1, 0.2, 0, "g_min_us -1 must be finite and >= 0"},
    {{8, 8, 2, 8, 1}, 4, 4, 0.2, 0, "g_max_us 4 must be finite and > g_min_us 4"},
    {{8, 8, 2, 8, 1}, 40, 0, 0, 0, "v_read 0 must be finite and > 0"},
    {{8, 8, 2, 8, 1}, 40, 0, 0.2, 1e-320, "adc_lsb_ua 9.99989e-321 gives no finite ADC full scale"},
};

START_TEST(test_create_rejects_bad_config) {
  const struct bad_cfg *b = &bad_cfgs[_i];
  rram_device dev;
  rram_device_ideal(&dev);
  dev.g_max_us = b->g_max;
  dev.g_min_us = b->g_min;
  dev.v_read = b->v_read;
  dev.adc_lsb_ua = b->lsb;
  rram_geometry ok = geom(2, 2, 1, 1, 1);
  rram_array *keep = make_array(&ok, 1);
  rram_array *a = keep; /* create must overwrite it with NULL */
  char why[200] = "";
  ck_assert_int_eq(rram_array_create(&b->g, &dev, 1, &a), RRAM_EINVAL);
  ck_assert_ptr_null(a);
  rram_array_destroy(keep);
  ck_assert_int_eq(rram_array_check_config(&b->g, &dev, why, sizeof why), RRAM_EINVAL);
  ck_assert_msg(strcmp(why, b->msg) == 0, "case %d: message '%s', expected '%s'", _i, why,
                b->msg);
}
END_TEST

START_TEST(test_create_null_args) {
  rram_geometry g = geom(8, 8, 2, 8, 1);
  rram_device dev;
  rram_device_ideal(&dev);
  rram_array *a = NULL;
  char why[64];
  ck_assert_int_eq(rram_array_create(&g, &dev, 1, NULL), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_create(NULL, &dev, 1, &a), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_check_config(&g, NULL, why, sizeof why), RRAM_EINVAL);
  ck_assert_str_eq(why, "device is NULL");
  ck_assert_int_eq(rram_array_check_config(&g, &dev, why, sizeof why), RRAM_OK);
  ck_assert_int_eq(rram_array_create(&g, &dev, 1, &a), RRAM_OK);
  ck_assert_int_eq(rram_array_geometry(a)->cols_per_adc, 1);
  ck_assert_int_eq(rram_array_num_adcs(a), 8);
  rram_array_destroy(a);
}
END_TEST

/* ---- seeding ---------------------------------------------------------- */

START_TEST(test_same_seed_reproduces) {
  const uint64_t seeds[] = {0, 1, 42, UINT64_MAX};
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    rram__rng r1, r2, r3;
    rram__rng_seed(&r1, seeds[i]);
    rram__rng_seed(&r2, seeds[i]);
    rram__rng_seed(&r3, seeds[i] + 1);
    int differs = 0;
    for (int n = 0; n < 1000; n++) {
      const uint64_t v = rram__rng_next(&r1);
      ck_assert_msg(v == rram__rng_next(&r2), "seed %" PRIu64 ": draw %d differs", seeds[i], n);
      differs |= v != rram__rng_next(&r3);
    }
    ck_assert_msg(differs, "seeds %" PRIu64 " and +1 give the same stream", seeds[i]);
    /* Reseeding restarts the stream, normals included. */
    rram__rng_seed(&r1, seeds[i]);
    rram__rng_seed(&r2, seeds[i]);
    (void)rram__rng_normal(&r1);
    rram__rng_seed(&r1, seeds[i]);
    ck_assert(rram__rng_normal(&r1) == rram__rng_normal(&r2));
  }
  /* Moments: uniform in [0,1), normal mean 0 / variance 1. */
  rram__rng r;
  rram__rng_seed(&r, 7);
  double su = 0, sn = 0, sn2 = 0;
  const int n = 200000;
  for (int k = 0; k < n; k++) {
    const double u = rram__rng_uniform(&r);
    ck_assert(u >= 0.0 && u < 1.0);
    su += u;
    const double z = rram__rng_normal(&r);
    sn += z;
    sn2 += z * z;
  }
  ck_assert_msg(fabs(su / n - 0.5) < 0.005, "seed 7: uniform mean %g", su / n);
  ck_assert_msg(fabs(sn / n) < 0.01, "seed 7: normal mean %g", sn / n);
  ck_assert_msg(fabs(sn2 / n - 1.0) < 0.02, "seed 7: normal variance %g", sn2 / n);

  /* The array owns its generator: same seed, same stream; no sharing. */
  rram_geometry g = geom(4, 4, 2, 8, 1);
  rram_array *a = make_array(&g, 99), *b = make_array(&g, 99), *c = make_array(&g, 100);
  const uint64_t va = rram__rng_next(rram__array_rng(a));
  ck_assert(va == rram__rng_next(rram__array_rng(b)));
  ck_assert(va != rram__rng_next(rram__array_rng(c)));
  ck_assert(rram__rng_next(rram__array_rng(a)) != va);
  rram_array_destroy(a);
  rram_array_destroy(b);
  rram_array_destroy(c);
}
END_TEST

/* Draws after rram_array_reseed(key) depend on (seed, key) and what follows
 * alone: the history before is forgotten, another key gives other draws, and
 * the die stays as create drew it. */
static void reseed_run(rram_array *a, uint64_t key, int *codes /* OUT 8 conversions + 1 read */) {
  rram_array_reseed(a, key);
  uint32_t wl[1] = {0xfu};
  ck_assert_int_eq(rram_array_set_level(a, 0, 1, 2), RRAM_OK); /* a back-door write */
  ck_assert_int_eq(rram_array_drive(a, wl, 1), RRAM_OK);
  for (int c = 0; c < 8; c++) ck_assert_int_eq(rram_array_convert(a, c / 2, c, &codes[c]), RRAM_OK);
  ck_assert_int_eq(rram_array_verify_read(a, 2, 3, &codes[8]), RRAM_OK);
}

START_TEST(test_reseed_forgets_history) {
  rram_geometry g = geom(4, 8, 2, 8, 2);
  rram_device dev;
  ck_assert_int_eq(rram_device_preset("default", &dev), RRAM_OK);
  dev.adc_noise_lsb = 2.0; /* noise large enough to show in every code */
  rram_array *a = NULL, *b = NULL;
  ck_assert_int_eq(rram_array_create(&g, &dev, 5, &a), RRAM_OK);
  ck_assert_int_eq(rram_array_create(&g, &dev, 5, &b), RRAM_OK);
  double ga = 0, gb = 0;
  ck_assert_int_eq(rram_array_get_conductance(a, 3, 7, &ga), RRAM_OK);
  /* b has a history: other draws first, then the same key */
  int junk[9], ca[9], cb[9], cc[9];
  reseed_run(b, 99, junk);
  reseed_run(b, 7, junk);
  reseed_run(a, 7, ca);
  reseed_run(b, 7, cb);
  for (int i = 0; i < 9; i++) ck_assert_msg(ca[i] == cb[i], "draw %d: %d after a fresh create, "
                                            "%d after other draws", i, ca[i], cb[i]);
  reseed_run(a, 8, cc);
  ck_assert_msg(memcmp(ca, cc, sizeof ca) != 0, "keys 7 and 8 gave the same draws");
  ck_assert_int_eq(rram_array_get_conductance(b, 3, 7, &gb), RRAM_OK);
  ck_assert_msg(ga == gb, "the die moved: G(3,7) %g before, %g after reseeding", ga, gb);
  rram_array_destroy(a);
  rram_array_destroy(b);
}
END_TEST

/* Kolmogorov-Smirnov distance of the n sorted values z from the standard
 * normal CDF. */
static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double ks_normal(double *z, int n) {
  qsort(z, (size_t)n, sizeof *z, cmp_double);
  double d = 0.0;
  for (int i = 0; i < n; i++) {
    const double F = 0.5 * erfc(-z[i] / sqrt(2.0));
    d = fmax(d, fmax(fabs(F - (double)i / n), fabs((double)(i + 1) / n - F)));
  }
  return d;
}

/* The ziggurat: its tables are the recurrence they come from, and its
 * deviates are normal (Kolmogorov-Smirnov at 1e6 draws, the tail beyond R
 * at its expected rate); the KS check itself rejects unit-variance
 * uniform deviates, so it can fail. */
START_TEST(test_normal_ziggurat) {
  const double R = RRAM__ZIG_R, V = RRAM__ZIG_V;
  double x = V / exp(-0.5 * R * R);
  ck_assert_msg(fabs(rram__zig_x[0] - x) <= 1e-14 * x, "zig_x[0] %.17g, recomputed %.17g",
                rram__zig_x[0], x);
  ck_assert(rram__zig_x[1] == R && rram__zig_x[RRAM__ZIG_N] == 0.0);
  for (int i = 2; i < RRAM__ZIG_N; i++) {
    const double p = rram__zig_x[i - 1];
    x = sqrt(-2.0 * log(V / p + exp(-0.5 * p * p)));
    ck_assert_msg(fabs(rram__zig_x[i] - x) <= 1e-13 * x, "zig_x[%d] %.17g, recomputed %.17g", i,
                  rram__zig_x[i], x);
  }
  for (int i = 0; i < RRAM__ZIG_N; i++)
    ck_assert_msg(fabs(rram__zig_r[i] - rram__zig_x[i + 1] / rram__zig_x[i]) <= 1e-15,
                  "zig_r[%d]", i);

  enum { N = 1000000 };
  double *z = malloc(N * sizeof *z);
  ck_assert(z != NULL);
  rram__rng r;
  rram__rng_seed(&r, 2024);
  int tail = 0;
  for (int i = 0; i < N; i++) {
    z[i] = rram__rng_normal(&r);
    tail += fabs(z[i]) > R;
  }
  /* 99.9 % critical value of the KS distance: 1.95 / sqrt(n) */
  const double crit = 1.95 / sqrt((double)N), d = ks_normal(z, N);
  ck_assert_msg(d < crit, "seed 2024: KS distance %.3g >= %.3g", d, crit);
  const double p_tail = erfc(R / sqrt(2.0)), mean = p_tail * N, sd = sqrt(mean);
  ck_assert_msg(fabs(tail - mean) < 5.0 * sd, "seed 2024: %d beyond R, expected %.0f +- %.0f",
                tail, mean, sd);
  for (int i = 0; i < N; i++) z[i] = sqrt(3.0) * (2.0 * rram__rng_uniform(&r) - 1.0);
  const double du = ks_normal(z, N);
  ck_assert_msg(du > crit, "the KS check passes uniform deviates (%.3g < %.3g)", du, crit);
  free(z);
}
END_TEST

/* ---- sequencer + twin ------------------------------------------------- */

/* A random configuration; ideal means the group's column sum fits the ADC,
 * i.e. P * (2^cell_bits - 1) <= 2^adc_bits - 1. */
typedef struct rand_case {
  rram_geometry g;
  int w_bits;
  cim_job job;
} rand_case;

static rand_case random_case(trng *t, int ideal) {
  rand_case rc;
  const int cb = trng_range(t, 1, 4);
  const int wb = trng_range(t, 2, 8);
  const int adc = trng_range(t, cb, cb + 9 > 16 ? 16 : cb + 9);
  const int n_s = cim_map_slices(wb, cb);
  const int rows = trng_range(t, 1, 97);
  const int cols = 2 * n_s * trng_range(t, 1, 5) + trng_range(t, 0, 2 * n_s - 1);
  rc.g = geom(rows, cols, cb, adc, trng_range(t, 1, cols < 9 ? cols : 9));
  rc.w_bits = wb;
  const int n_rows = trng_range(t, 1, rows);
  const int p_fit = ((1 << adc) - 1) / ((1 << cb) - 1);
  const int p_hi = ideal ? (p_fit < n_rows + 3 ? p_fit : n_rows + 3) : n_rows + 3;
  const int x_bits = trng_range(t, 1, 8);
  rc.job = plain_job(n_rows, trng_range(t, 1, cim_map_outputs(cols, wb, cb)), x_bits,
                     (int)(trng_next(t) & 1), trng_range(t, 1, p_hi));
  return rc;
}

/* Run one case through cim_seq_run + twin; on return acc, y and exact hold
 * n_outs values. Asserts the run itself is clean. */
static void run_case(const rand_case *c, uint64_t seed, trng *t, int64_t *acc, int32_t *y,
                     int64_t *exact) {
  rram_array *a = make_array(&c->g, seed);
  const int k = c->job.n_rows, n = c->job.n_outs;
  int32_t *W = malloc(sizeof *W * (size_t)(k * n));
  int32_t *x = malloc(sizeof *x * (size_t)k);
  ck_assert(W && x);
  for (int i = 0; i < k * n; i++) W[i] = rand_weight(t, c->w_bits);
  for (int r = 0; r < k; r++) x[r] = rand_input(t, c->job.x_bits, c->job.is_signed);
  ck_assert_msg(cim_map_load(a, W, n, k, c->w_bits) == RRAM_OK, "seed %" PRIu64 ": load: %s",
                seed, rram_array_errmsg(a));
  ck_assert_msg(cim_seq_run(a, c->w_bits, &c->job, x) == RRAM_OK, "seed %" PRIu64 ": seq: %s",
                seed, rram_array_errmsg(a));
  char err[256];
  const int rc = cim_twin_run(a, c->w_bits, &c->job, x, acc, y, err, sizeof err);
  ck_assert_msg(rc == RRAM_OK, "seed %" PRIu64 ": twin %s: %s", seed, rram_strerror(rc), err);
  cim_mvm_exact(W, x, n, k, exact);
  free(W);
  free(x);
  rram_array_destroy(a);
}

START_TEST(test_seq_twin_equals_exact) {
  /* 400 random shapes plus the default macro; each its own seed. */
  for (uint64_t seed = 1000; seed < 1401; seed++) {
    trng t = {seed};
    rand_case c = random_case(&t, 1);
    if (seed == 1400) { /* the default macro: 256x256, P 64, signed 8-bit */
      c.g = geom(256, 256, 2, 8, 8);
      c.w_bits = 8;
      c.job = plain_job(256, 32, 8, 1, 64);
    }
    int64_t acc[128], exact[128];
    int32_t y[128];
    run_case(&c, seed, &t, acc, y, exact);
    for (int j = 0; j < c.job.n_outs; j++) {
      ck_assert_msg(acc[j] == exact[j],
                    "seed %" PRIu64 " (%dx%d cb %d adc %d cpa %d w_bits %d x_bits %d %s P %d): "
                    "out %d twin %" PRId64 " exact %" PRId64,
                    seed, c.g.rows, c.g.cols, c.g.cell_bits, c.g.adc_bits, c.g.cols_per_adc,
                    c.w_bits, c.job.x_bits, c.job.is_signed ? "signed" : "unsigned",
                    c.job.group_rows, j, acc[j], exact[j]);
      ck_assert_msg(y[j] == (int32_t)exact[j], "seed %" PRIu64 ": out %d y %d", seed, j,
                    (int)y[j]);
    }
  }
}
END_TEST

START_TEST(test_twin_requant_vs_reference) {
  for (uint64_t seed = 5000; seed < 5200; seed++) {
    trng t = {seed};
    rand_case c = random_case(&t, 1);
    c.job.relu = (int)(trng_next(&t) & 1);
    c.job.shift = trng_range(&t, 0, 12);
    c.job.out_bits = trng_range(&t, 2, 32);
    int64_t acc[128], exact[128];
    int32_t y[128];
    run_case(&c, seed, &t, acc, y, exact);
    for (int j = 0; j < c.job.n_outs; j++) {
      const int64_t want = ref_requant(exact[j], c.job.relu, c.job.shift, c.job.out_bits);
      ck_assert_msg(y[j] == want,
                    "seed %" PRIu64 ": out %d acc %" PRId64 " relu %d shift %d out_bits %d: "
                    "y %d, reference %" PRId64,
                    seed, j, exact[j], c.job.relu, c.job.shift, c.job.out_bits, (int)y[j], want);
    }
  }
}
END_TEST

START_TEST(test_twin_follows_codes_when_adc_clips) {
  /* P too large for the ADC: the twin must still match what the codes say
   * (it models the periphery, not the ideal answer), and differ from exact
   * for some seed, which shows clipping is really exercised. */
  int differed = 0;
  for (uint64_t seed = 7000; seed < 7100; seed++) {
    trng t = {seed};
    rand_case c = random_case(&t, 0);
    c.g.adc_bits = c.g.cell_bits; /* full scale is one cell's top level */
    c.job.group_rows = c.job.n_rows;
    int64_t acc[128], exact[128];
    int32_t y[128];
    run_case(&c, seed, &t, acc, y, exact);
    for (int j = 0; j < c.job.n_outs; j++) differed |= acc[j] != exact[j];
  }
  ck_assert_msg(differed, "seeds 7000..7099: ADC clipping never changed a result");
}
END_TEST

/* The negative check: corrupt one recorded code through the device (change
 * one cell for one drive only; the log stays a valid sequence) and show the
 * twin follows it and no longer equals the exact MVM. */
START_TEST(test_twin_vs_exact_can_fail) {
  const uint64_t seed = 31337;
  trng t = {seed};
  rram_geometry g = geom(20, 16, 2, 8, 4);
  rram_array *a = make_array(&g, seed);
  const int k = 20, n = 2, wb = 8;
  int32_t W[2 * 20], x[20];
  for (int i = 0; i < n * k; i++) W[i] = rand_weight(&t, wb);
  for (int r = 0; r < k; r++) x[r] = rand_input(&t, 4, 0);
  x[3] = 0x4;                    /* row 3 is driven in plane 2 */
  W[1 * k + 3] = 5;              /* out 1, row 3: slice 0 level 1 on G+ */
  ck_assert_int_eq(cim_map_load(a, W, n, k, wb), RRAM_OK);
  cim_job job = plain_job(k, n, 4, 0, 20);
  const int col = cim_map_col(1, 0, 0, wb, 2);

  /* Play the sequence by hand, with the cell at level 3 during plane 2. */
  rram_array_log_clear(a);
  for (int kb = 0; kb < 4; kb++) {
    uint32_t wl = 0, sel = (1u << k) - 1u; /* one group of all k rows */
    for (int r = 0; r < k; r++) wl |= (((uint32_t)x[r] >> kb) & 1u) << r;
    if (kb == 2) rram_array_set_level(a, 3, col, 3);
    ck_assert_int_eq(rram_array_drive_rows(a, &sel, &wl, 1), RRAM_OK);
    if (kb == 2) rram_array_set_level(a, 3, col, 1); /* back: only this phase saw it */
    for (int c = 0; c < n * 8; c++) {
      int code;
      ck_assert_int_eq(rram_array_convert(a, c / 4, c, &code), RRAM_OK);
    }
  }
  int64_t acc[2], exact[2];
  int32_t y[2];
  char err[200];
  ck_assert_int_eq(cim_twin_run(a, wb, &job, x, acc, y, err, sizeof err), RRAM_OK);
  cim_mvm_exact(W, x, n, k, exact);
  ck_assert_msg(acc[0] == exact[0], "seed %" PRIu64 ": untouched output differs", seed);
  /* +2 levels on slice 0 in plane 2: the twin sees 2 * 2^2 = 8 more. */
  ck_assert_msg(acc[1] == exact[1] + 8, "seed %" PRIu64 ": twin %" PRId64 ", exact %" PRId64,
                seed, acc[1], exact[1]);
  ck_assert_msg(y[1] != (int32_t)exact[1], "seed %" PRIu64 ": the comparison cannot fail", seed);
  rram_array_destroy(a);
}
END_TEST

/* ---- sequence violations ---------------------------------------------- */

enum fault_kind {
  F_NONE,
  F_FLIP_ROW,      /* phase, row (selected too, if it becomes driven) */
  F_FLIP_SEL,      /* phase, row: its select bit only */
  F_SKIP_CONV,     /* phase, col */
  F_DOUBLE_CONV,   /* phase, col */
  F_EXTRA_PHASE,   /* after the last */
  F_MISSING_PHASE, /* phase */
  F_ORPHAN,        /* before the first drive */
  F_INACTIVE_CONV, /* phase, col */
};

static const struct fault {
  const char *name;
  enum fault_kind kind;
  int phase, arg;
  const char *msg; /* expected text of the reason (substring) */
} faults[] = {
    {"flipped wordline bit", F_FLIP_ROW, 5, 20, "phase 5 (group 1, plane 1): row 20 "},
    {"wordline outside the group", F_FLIP_ROW, 0, 30,
     "phase 0 (group 0, plane 0): row 30 driven outside the group (rows 0..15)"},
    {"row selected outside the group", F_FLIP_SEL, 4, 3,
     "phase 4 (group 1, plane 0): row 3 selected, but the group is rows 16..31"},
    {"missing conversion", F_SKIP_CONV, 2, 9,
     "phase 2 (group 0, plane 2): column 9 (output 1, slice 0, G-) converted 0 times, "
     "expected once"},
    {"double conversion", F_DOUBLE_CONV, 7, 0,
     "phase 7 (group 1, plane 3): column 0 (output 0, slice 0, G+) converted 2 times"},
    {"extra phase", F_EXTRA_PHASE, 12, 0,
     "phase 12: extra phase after the last one (group 2, plane 3)"},
    {"missing last phase", F_MISSING_PHASE, 11, 0,
     "phase 11 (group 2, plane 3) missing: log has 11 phases, expected 12"},
    {"missing middle phase", F_MISSING_PHASE, 4, 0,
     "phase 4 (group 1, plane 0): row "},
    {"orphan conversion", F_ORPHAN, 0, 3, "1 conversion before the first drive (orphan)"},
    {"inactive column converted", F_INACTIVE_CONV, 3, 24,
     "phase 3 (group 0, plane 3): inactive column 24 converted 1 times (active columns 0..23)"},
};

/* The controller sequence played by hand (not through cim_seq_run), with one
 * fault injected; F_NONE must satisfy the twin, which shows the faults are
 * what the twin rejects. */
static void play(rram_array *a, const cim_job *job, int n_col, const int32_t *x,
                 const struct fault *f) {
  const int groups = (job->n_rows + job->group_rows - 1) / job->group_rows;
  const rram_geometry *g = rram_array_geometry(a);
  const size_t nw = ((size_t)g->rows + 31) / 32;
  uint32_t wl[4], sel[4];
  int code, ph = 0;
  rram_array_log_clear(a);
  if (f->kind == F_ORPHAN) rram_array_convert(a, f->arg / g->cols_per_adc, f->arg, &code);
  for (int gi = 0; gi < groups; gi++) {
    for (int kb = 0; kb < job->x_bits; kb++, ph++) {
      if (f->kind == F_MISSING_PHASE && f->phase == ph) continue;
      memset(wl, 0, sizeof wl);
      memset(sel, 0, sizeof sel);
      for (int r = gi * job->group_rows; r < job->n_rows && r < (gi + 1) * job->group_rows; r++) {
        sel[r / 32] |= 1u << (r % 32);
        if (((uint32_t)x[r] >> kb) & 1u) wl[r / 32] |= 1u << (r % 32);
      }
      if (f->kind == F_FLIP_ROW && f->phase == ph) {
        wl[f->arg / 32] ^= 1u << (f->arg % 32);
        sel[f->arg / 32] |= wl[f->arg / 32] & (1u << (f->arg % 32));
      }
      if (f->kind == F_FLIP_SEL && f->phase == ph) sel[f->arg / 32] ^= 1u << (f->arg % 32);
      ck_assert_int_eq(rram_array_drive_rows(a, sel, wl, nw), RRAM_OK);
      for (int c = 0; c < n_col; c++) {
        if (f->kind == F_SKIP_CONV && f->phase == ph && f->arg == c) continue;
        ck_assert_int_eq(rram_array_convert(a, c / g->cols_per_adc, c, &code), RRAM_OK);
        if (f->kind == F_DOUBLE_CONV && f->phase == ph && f->arg == c)
          ck_assert_int_eq(rram_array_convert(a, c / g->cols_per_adc, c, &code), RRAM_OK);
      }
      if (f->kind == F_INACTIVE_CONV && f->phase == ph)
        ck_assert_int_eq(rram_array_convert(a, f->arg / g->cols_per_adc, f->arg, &code),
                         RRAM_OK);
    }
  }
  if (f->kind == F_EXTRA_PHASE) {
    memset(wl, 0, sizeof wl);
    ck_assert_int_eq(rram_array_drive(a, wl, nw), RRAM_OK);
    for (int c = 0; c < n_col; c++) rram_array_convert(a, c / g->cols_per_adc, c, &code);
  }
}

/* Shared setup: 40 rows, 26 columns (3 outputs of 8 columns + 2 inactive),
 * 37 active rows in groups of 16 (3 groups), 4-bit unsigned inputs: 12
 * phases. Inputs chosen so that row 20 is off in plane 1 and the group
 * boundaries differ between consecutive phases. */
static rram_array *violation_setup(cim_job *job, int32_t *x, uint64_t seed) {
  rram_geometry g = geom(40, 26, 2, 8, 4);
  rram_array *a = make_array(&g, seed);
  trng t = {seed};
  int32_t W[3 * 37];
  for (int i = 0; i < 3 * 37; i++) W[i] = rand_weight(&t, 8);
  for (int r = 0; r < 37; r++) x[r] = rand_input(&t, 4, 0) | 1; /* every row in plane 0 */
  x[20] = 0x5;
  ck_assert_int_eq(cim_map_load(a, W, 3, 37, 8), RRAM_OK);
  *job = plain_job(37, 3, 4, 0, 16);
  return a;
}

START_TEST(test_twin_accepts_clean_play) {
  const uint64_t seed = 77;
  cim_job job;
  int32_t x[37];
  rram_array *a = violation_setup(&job, x, seed);
  const struct fault none = {"none", F_NONE, 0, 0, ""};
  play(a, &job, 24, x, &none);
  int64_t acc[3];
  int32_t y[3];
  char err[256] = "";
  ck_assert_msg(cim_twin_run(a, 8, &job, x, acc, y, err, sizeof err) == RRAM_OK,
                "seed %" PRIu64 ": clean play rejected: %s", seed, err);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_twin_rejects_sequence_fault) {
  const uint64_t seed = 77;
  const struct fault *f = &faults[_i];
  cim_job job;
  int32_t x[37];
  rram_array *a = violation_setup(&job, x, seed);
  play(a, &job, 24, x, f);
  int64_t acc[3];
  int32_t y[3] = {11, 22, 33};
  char err[256] = "";
  const int rc = cim_twin_run(a, 8, &job, x, acc, y, err, sizeof err);
  ck_assert_msg(rc == RRAM_ESEQ, "seed %" PRIu64 " fault '%s': twin returned %s (%s)", seed,
                f->name, rram_strerror(rc), err);
  ck_assert_msg(strstr(err, f->msg) != NULL, "seed %" PRIu64 " fault '%s': reason '%s' lacks '%s'",
                seed, f->name, err, f->msg);
  ck_assert_msg(strchr(err, '\n') == NULL, "reason is not one line: '%s'", err);
  ck_assert_msg(y[0] == 11 && y[1] == 22 && y[2] == 33, "fault '%s': y written on ESEQ",
                f->name);
  /* A NULL err is allowed. */
  ck_assert_int_eq(cim_twin_run(a, 8, &job, x, NULL, y, NULL, 0), RRAM_ESEQ);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_job_argument_errors) {
  rram_geometry g = geom(40, 26, 2, 8, 4);
  rram_array *a = make_array(&g, 3);
  int32_t x[40] = {0};
  int32_t y[3];
  char err[200];
  const struct {
    cim_job job;
    int w_bits;
    int32_t x2;
    const char *msg;
  } cases[] = {
      {JOB(37, 3, 4, 0, 0, 0, 0, 32), 8, 0, "group_rows 0 must be >= 1"},
      {JOB(0, 3, 4, 0, 16, 0, 0, 32), 8, 0, "n_rows 0 out of range 1..40 (rows)"},
      {JOB(41, 3, 4, 0, 16, 0, 0, 32), 8, 0, "n_rows 41 out of range 1..40 (rows)"},
      {JOB(37, 4, 4, 0, 16, 0, 0, 32), 8, 0, "n_outs 4 out of range 1..3 (outputs)"},
      {JOB(37, 3, 0, 0, 16, 0, 0, 32), 8, 0, "x_bits 0 out of range 1..16"},
      {JOB(37, 3, 4, 0, 16, 0, 32, 32), 8, 0, "shift 32 out of range 0..31"},
      {JOB(37, 3, 4, 0, 16, 0, 0, 33), 8, 0, "out_bits 33 out of range 2..32"},
      {JOB(37, 3, 4, 0, 16, 0, 0, 1), 8, 0, "out_bits 1 out of range 2..32"},
      {JOB(37, 3, 4, 0, 16, 0, 0, 32), 0, 0, "w_bits 0 out of range"},
      {JOB(37, 3, 4, 0, 16, 0, 0, 32), 8, 16, "x[2] = 16 does not fit 4-bit unsigned (0..15)"},
      {JOB(37, 3, 4, 0, 16, 0, 0, 32), 8, -1, "x[2] = -1 does not fit 4-bit unsigned (0..15)"},
      {JOB(37, 3, 4, 1, 16, 0, 0, 32), 8, 8, "x[2] = 8 does not fit 4-bit signed (-8..7)"},
      {JOB(37, 3, 4, 1, 16, 0, 0, 32), 8, -9, "x[2] = -9 does not fit 4-bit signed (-8..7)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    x[2] = cases[i].x2;
    ck_assert_int_eq(rram_array_drive(a, (const uint32_t[2]){0, 0}, 2), RRAM_OK);
    const size_t phases = rram_array_log_phases(a);
    int rc = cim_twin_run(a, cases[i].w_bits, &cases[i].job, x, NULL, y, err, sizeof err);
    ck_assert_msg(rc == RRAM_EINVAL && strstr(err, cases[i].msg),
                  "case %zu: twin %s '%s', expected '%s'", i, rram_strerror(rc), err,
                  cases[i].msg);
    rc = cim_seq_run(a, cases[i].w_bits, &cases[i].job, x);
    ck_assert_msg(rc == RRAM_EINVAL && strstr(rram_array_errmsg(a), cases[i].msg),
                  "case %zu: seq %s '%s', expected '%s'", i, rram_strerror(rc),
                  rram_array_errmsg(a), cases[i].msg);
    /* A refused job touches nothing, not even the log. */
    ck_assert_uint_eq(rram_array_log_phases(a), phases);
  }
  x[2] = 0;
  const cim_job ok = JOB(37, 3, 4, 0, 16, 0, 0, 32);
  ck_assert_int_eq(cim_twin_run(NULL, 8, &ok, x, NULL, y, err, sizeof err), RRAM_EINVAL);
  ck_assert_int_eq(cim_twin_run(a, 8, NULL, x, NULL, y, err, sizeof err), RRAM_EINVAL);
  ck_assert_str_eq(err, "job is NULL");
  ck_assert_int_eq(cim_twin_run(a, 8, &ok, NULL, NULL, y, err, sizeof err), RRAM_EINVAL);
  ck_assert_int_eq(cim_twin_run(a, 8, &ok, x, NULL, NULL, err, sizeof err), RRAM_EINVAL);
  ck_assert_int_eq(cim_seq_run(NULL, 8, &ok, x), RRAM_EINVAL);
  ck_assert_int_eq(cim_seq_run(a, 8, &ok, x), RRAM_OK);
  ck_assert_int_eq(cim_twin_run(a, 8, &ok, x, NULL, y, err, sizeof err), RRAM_OK);
  rram_array_destroy(a);
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

static Suite *cmodel_suite(void) {
  Suite *s = suite_create("cmodel");
  TCase *core = tcase_create("Core");
  tcase_add_test(core, test_strerror);
  tcase_add_test(core, test_map_roundtrip_all_weights);
  tcase_add_test(core, test_map_load_readback);
  tcase_add_test(core, test_mvm_exact_by_hand);
  tcase_add_test(core, test_requant_corners);
  tcase_add_test(core, test_ideal_conversion_is_sum_of_levels);
  tcase_add_test(core, test_conversion_clips_at_full_scale);
  tcase_add_test(core, test_log_records_phases);
  tcase_add_test(core, test_same_seed_reproduces);
  tcase_add_test(core, test_reseed_forgets_history);
  tcase_add_test(core, test_normal_ziggurat);
  suite_add_tcase(s, core);

  TCase *golden = tcase_create("Golden");
  tcase_set_timeout(golden, 60);
  tcase_add_test(golden, test_seq_twin_equals_exact);
  tcase_add_test(golden, test_twin_requant_vs_reference);
  tcase_add_test(golden, test_twin_follows_codes_when_adc_clips);
  tcase_add_test(golden, test_twin_vs_exact_can_fail);
  tcase_add_test(golden, test_twin_accepts_clean_play);
  tcase_add_loop_test(golden, test_twin_rejects_sequence_fault, 0,
                      (int)(sizeof faults / sizeof faults[0]));
  suite_add_tcase(s, golden);

  TCase *limits = tcase_create("Limits");
  tcase_add_test(limits, test_array_argument_errors);
  tcase_add_test(limits, test_create_null_args);
  tcase_add_loop_test(limits, test_create_rejects_bad_config, 0,
                      (int)(sizeof bad_cfgs / sizeof bad_cfgs[0]));
  tcase_add_test(limits, test_job_argument_errors);
  suite_add_tcase(s, limits);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(cmodel_suite());
  srunner_add_suite(sr, device_suite());
  srunner_add_suite(sr, switch_suite());
  srunner_add_suite(sr, parse_suite());
  srunner_add_suite(sr, ir_accuracy_suite());
  srunner_add_suite(sr, lines_suite());
  srunner_add_suite(sr, activity_suite());
  srunner_run_all(sr, CK_NORMAL);
  const int run = srunner_ntests_run(sr);
  const int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  if (run == 0) {
    fprintf(stderr, "check_cmodel: no test ran (CK_RUN_SUITE/CK_RUN_CASE match nothing?)\n");
    return EXIT_FAILURE;
  }
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

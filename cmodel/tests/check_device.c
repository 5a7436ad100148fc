/* check_device.c: unit tests of the device effects of the analog model and
 * of the device file parser. Statistical tests use fixed seeds (printed on
 * failure) and state their tolerance next to the assertion; each tolerance
 * is several standard errors of the estimate it bounds, so a correct model
 * fails none of them for these seeds and a model off by the stated amount
 * fails.
 *
 * RRAM_BENCH=1 adds the "Bench" case: cell-evals/s of one drive per effect
 * on a 256 x 256 array with half its rows driven. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../rram_array.h"
#include "../rram_array_int.h"
#include "../rram_device.h"
#include "../rram_switch.h"
#include "check_suites.h"
#include "ir_ref.h"

/* ---- helpers ------------------------------------------------------------ */

static void all_rows(uint32_t *wl, int rows) {
  memset(wl, 0, sizeof(uint32_t) * (size_t)((rows + 31) / 32));
  for (int r = 0; r < rows; r++) wl[r / 32] |= 1u << (r % 32);
}

static double mean_of(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  return s / n;
}

static double sd_of(const double *x, int n) {
  const double m = mean_of(x, n);
  double s = 0;
  for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return sqrt(s / (n - 1));
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- device files and presets -------------------------------------------- */

START_TEST(test_presets_load_and_roundtrip) {
  const char *const *names = rram_device_presets();
  int n = 0;
  for (; names[n]; n++) {
    rram_device d, back;
    char err[256];
    memset(&d, 0xa5, sizeof d);
    ck_assert_msg(rram_device_load(names[n], &d, err, sizeof err) == RRAM_OK, "%s: %s",
                  names[n], err);
    ck_assert_msg(rram_device_check(&d, err, sizeof err) == RRAM_OK, "%s: %s", names[n], err);
    rram_geometry g = {16, 16, 2, 8, 8};
    rram_array *a = check_array_create(&g, &d, 1);
    rram_array_destroy(a);
    /* Written out and read back: the same bits. */
    char text[4096];
    FILE *f = fmemopen(text, sizeof text, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(rram_device_write(f, &d), RRAM_OK);
    fclose(f);
    ck_assert_msg(rram_device_parse(text, names[n], &back, err, sizeof err) == RRAM_OK,
                  "%s written: %s\n%s", names[n], err, text);
    ck_assert_msg(memcmp(&back, &d, offsetof(rram_device, adc_noise_lsb) + sizeof(double)) == 0,
                  "%s: write/parse round trip differs:\n%s", names[n], text);
  }
  ck_assert_int_ge(n, 9);
  rram_device ideal, p;
  rram_device_ideal(&ideal);
  ck_assert_int_eq(rram_device_preset("ideal", &p), RRAM_OK);
  ck_assert(memcmp(&ideal, &p, sizeof p) == 0);
  ck_assert_int_eq(rram_device_preset("no_such", &p), RRAM_EINVAL);
  ck_assert_int_eq(rram_device_preset("default", &p), RRAM_OK);
  ck_assert(p.g_max_us == 40.0 && p.g_min_us == 4.0 && p.read_noise == 0.01 &&
            p.prog_model == RRAM_PROG_NEURRAM);
  /* anchored on NeuRRAM: line defects and weak cells, no hard stuck-at */
  ck_assert(p.unformed_row_rate > 0 && p.leaky_col_rate > 0 && p.weak_rate > 0 &&
            p.stuck_gmin_rate == 0 && p.stuck_gmax_rate == 0);
  /* the old default kept for comparison: the same but Chen 2015's rates */
  rram_device old;
  ck_assert_int_eq(rram_device_preset("stuck_2015", &old), RRAM_OK);
  ck_assert(old.stuck_gmin_rate == 0.0175 && old.stuck_gmax_rate == 0.0904 &&
            old.unformed_row_rate == 0 && old.weak_rate == 0 && old.read_noise == p.read_noise &&
            old.adc_noise_lsb == p.adc_noise_lsb && old.sw_rate_set == p.sw_rate_set);
}
END_TEST

START_TEST(test_example_file_loads) {
  /* The documented example, at the absolute path the Makefile compiles in
   * (RRAM_EXAMPLE_DEV): the test passes from any current directory. */
#ifndef RRAM_EXAMPLE_DEV
#error "build with -DRRAM_EXAMPLE_DEV='\"<repository>/cmodel/devices/example.dev\"' (Makefile)"
#endif
  const char *path = RRAM_EXAMPLE_DEV;
  rram_device d, def;
  char err[256];
  ck_assert_msg(rram_device_load(path, &d, err, sizeof err) == RRAM_OK, "%s", err);
  rram_device_preset("default", &def);
  ck_assert(d.read_noise == 0.02);           /* overridden in the example */
  ck_assert(d.g_max_us == def.g_max_us);     /* from its preset line */
  ck_assert_int_eq(rram_device_load("/no/such/file.dev", &d, err, sizeof err), RRAM_ENOTFOUND);
  ck_assert_msg(strstr(err, "/no/such/file.dev") && strstr(err, "no such preset or file"), "%s",
                err);
  ck_assert_int_eq(rram_device_load(NULL, &d, err, sizeof err), RRAM_EINVAL);
}
END_TEST

static const struct bad_file {
  const char *text;
  const char *msg; /* expected message, exactly */
} bad_files[] = {
    {"read_noise = 0.01\nbogus = 1\n", "t.dev:2: bogus: unknown key"},
    {"# c\n\nread_noise = 1e-2x\n", "t.dev:3: read_noise: '1e-2x' is not a number"},
    {"read_noise = nan\n", "t.dev:1: read_noise: 'nan' is not a number"},
    {"read_noise = 2\n", "t.dev:1: read_noise: 2 is out of range 0..1"},
    {"stuck_gmin_rate = -0.1\n", "t.dev:1: stuck_gmin_rate: -0.1 is out of range 0..1"},
    {"g_min_us = 40\n", "t.dev:1: g_min_us: g_max_us 40 must be > g_min_us 40"},
    {"g_max_us = 3\ng_min_us = 2\ng_max_us = 1\n", "t.dev:3: g_max_us: already set on line 1"},
    {"g_max_us = 3\ng_min_us = 4\n", "t.dev:2: g_min_us: g_max_us 3 must be > g_min_us 4"},
    {"stuck_gmin_rate = 0.6\nstuck_gmax_rate = 0.6\n",
     "t.dev:2: stuck_gmax_rate: stuck_gmin_rate 0.6 + stuck_gmax_rate 0.6 exceed 1"},
    {"read_noise 0.01\n", "t.dev:1: expected 'key = value', got 'read_noise 0.01'"},
    {"read_noise =\n", "t.dev:1: read_noise: missing value"},
    {" = 3\n", "t.dev:1: missing key before '='"},
    {"read_noise = 0.1\nread_noise = 0.2\n", "t.dev:2: read_noise: already set on line 1"},
    {"read_noise = 0.1\npreset = default\n", "t.dev:2: preset: must be the first key"},
    {"preset = best\n", "t.dev:1: preset: unknown preset 'best'"},
    {"prog_model = gaussian\n",
     "t.dev:1: prog_model: 'gaussian' is not a model (none, neurram, proportional, absolute)"},
    {"prog_model = 7\n",
     "t.dev:1: prog_model: '7' is not a model (none, neurram, proportional, absolute)"},
    {"row_model = sideways\n", "t.dev:1: row_model: 'sideways' is not a model (isolated, connected)"},
    {"row_model = 2\n", "t.dev:1: row_model: '2' is not a model (isolated, connected)"},
};

START_TEST(test_parser_errors_name_line_and_key) {
  rram_device d, before;
  rram_device_preset("default", &d);
  before = d;
  char err[256] = "";
  const struct bad_file *b = &bad_files[_i];
  const int rc = rram_device_parse(b->text, "t.dev", &d, err, sizeof err);
  ck_assert_msg(rc == RRAM_EIO, "case %d: rc %d", _i, rc);
  ck_assert_msg(strcmp(err, b->msg) == 0, "case %d: '%s', expected '%s'", _i, err, b->msg);
  ck_assert_msg(memcmp(&d, &before, sizeof d) == 0, "case %d: device changed on error", _i);
}
END_TEST

/* One-field overrides (the CLI's --set and the sweeps) follow the file's rules. */
START_TEST(test_set_overrides_one_field) {
  rram_device d, before;
  char err[256];
  ck_assert_int_eq(rram_device_preset("default", &d), RRAM_OK);
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "0.03", err, sizeof err), RRAM_OK);
  ck_assert(d.read_noise == 0.03);
  before = d;
  ck_assert_int_eq(rram_device_set(&d, "read_nois", "0.03", err, sizeof err), RRAM_EIO);
  ck_assert_msg(strstr(err, "read_nois") && strstr(err, "unknown"), "message: %s", err);
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "2", err, sizeof err), RRAM_EIO);
  ck_assert_msg(strstr(err, "out of range"), "message: %s", err);
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "x", err, sizeof err), RRAM_EIO);
  /* a value legal alone but not with the others: g_min above g_max */
  ck_assert_int_eq(rram_device_set(&d, "g_min_us", "50", err, sizeof err), RRAM_EIO);
  ck_assert_msg(rram_device_equal(&d, &before), "a refused set changed the device");
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "0.02", err, sizeof err), RRAM_OK);
  ck_assert_msg(!rram_device_equal(&d, &before), "devices differing in read_noise compare equal");
}
END_TEST

START_TEST(test_parser_accepts) {
  rram_device d;
  char err[256];
  const char *text =
      "# comment line\r\n"
      "preset = ideal   # start point\n"
      "\n"
      "   prog_model = proportional\n"
      "prog_sigma=0.05\n"
      "adc_gain_err = -2.5e-2\n"
      "prog_model_unused_comment_is_fine = 1 # no: this key is unknown\n";
  ck_assert_int_eq(rram_device_parse(text, "x", &d, err, sizeof err), RRAM_EIO);
  ck_assert_str_eq(err, "x:7: prog_model_unused_comment_is_fine: unknown key");
  const char *ok = "preset = ideal\nprog_model = 2\nprog_sigma=0.05\nadc_gain_err = -2.5e-2";
  ck_assert_msg(rram_device_parse(ok, "x", &d, err, sizeof err) == RRAM_OK, "%s", err);
  ck_assert_int_eq(d.prog_model, RRAM_PROG_PROPORTIONAL);
  ck_assert(d.prog_sigma == 0.05 && d.adc_gain_err == -0.025 && d.g_max_us == 40.0);
  /* An array refuses an out-of-range device with the field's name. */
  rram_device_ideal(&d);
  d.read_noise = -1;
  rram_geometry g = {4, 4, 2, 8, 1};
  ck_assert_int_eq(rram_array_check_config(&g, &d, err, sizeof err), RRAM_EINVAL);
  ck_assert_str_eq(err, "read_noise -1 out of range 0..1");
}
END_TEST

/* ---- programming error, stuck cells, drift -------------------------------- */

/* Program every cell of a 256 x 256 array with cell_bits 2 to level
 * (row*cols+col) % 4 and check per level: mean at the target within 4
 * standard errors, sample sigma within 4 % of the configured sigma(G)
 * (standard error of a sigma from 16384 samples: 0.55 %). */
static void check_prog_sigma(const rram_device *d, uint64_t seed, const char *what) {
  rram_geometry g = {256, 256, 2, 8, 8};
  rram_array *a = check_array_create(&g, d, seed);
  enum { N = 256 * 256 / 4 };
  static double dev_us[4][N];
  int n[4] = {0, 0, 0, 0};
  for (int r = 0; r < g.rows; r++)
    for (int c = 0; c < g.cols; c++)
      ck_assert_int_eq(rram_array_set_level(a, r, c, (r * g.cols + c) % 4), RRAM_OK);
  const double unit = (d->g_max_us - d->g_min_us) / 3.0;
  for (int r = 0; r < g.rows; r++)
    for (int c = 0; c < g.cols; c++) {
      const int L = (r * g.cols + c) % 4;
      double gu;
      rram_array_get_conductance(a, r, c, &gu);
      dev_us[L][n[L]++] = gu - (d->g_min_us + L * unit);
    }
  for (int L = 0; L < 4; L++) {
    const double target = d->g_min_us + L * unit;
    const double want = rram_device_prog_sigma_us(d, target);
    if (target - 3.0 * want < 0.0) continue; /* clipped at 0 G: not Gaussian */
    const double m = mean_of(dev_us[L], n[L]), s = sd_of(dev_us[L], n[L]);
    ck_assert_msg(fabs(m) < 4.0 * want / sqrt(n[L]),
                  "%s seed %" PRIu64 " level %d: mean error %g uS, sigma %g", what, seed, L, m,
                  want);
    ck_assert_msg(fabs(s / want - 1.0) < 0.04,
                  "%s seed %" PRIu64 " level %d (G %g uS): sigma %g uS, configured %g uS", what,
                  seed, L, target, s, want);
  }
  rram_array_destroy(a);
}

START_TEST(test_prog_error_sigma) {
  rram_device d;
  rram_device_preset("window", &d); /* g_min 4, g_max 40: levels 4, 16, 28, 40 uS */
  d.prog_model = RRAM_PROG_NEURRAM;
  d.prog_sigma = 1.0;
  /* The fit itself: sigma(G) at 4, 16, 28, 40 uS from the cubic. */
  ck_assert(fabs(rram_device_prog_sigma_us(&d, 4.0) - 1.8257104) < 1e-9);
  ck_assert(fabs(rram_device_prog_sigma_us(&d, 40.0) - 1.7074) < 1e-9);
  check_prog_sigma(&d, 11, "neurram");
  d.prog_model = RRAM_PROG_PROPORTIONAL;
  d.prog_sigma = 0.05;
  check_prog_sigma(&d, 12, "proportional 5%");
  d.prog_model = RRAM_PROG_ABSOLUTE;
  d.prog_sigma = 0.7;
  check_prog_sigma(&d, 13, "absolute 0.7 uS");
}
END_TEST

START_TEST(test_read_noise_redraws_prog_error_does_not) {
  const uint64_t seed = 21;
  rram_device d;
  rram_device_ideal(&d);
  d.prog_model = RRAM_PROG_PROPORTIONAL;
  d.prog_sigma = 0.05;
  d.read_noise = 0.05;
  rram_geometry g = {64, 2, 2, 16, 2};
  /* 16 LSB per level: quantization (1/sqrt(12) LSB) is small against the
   * noise sigma (about 19 LSB). */
  d.adc_lsb_ua = d.v_read * d.g_max_us / 3.0 / 16.0;
  rram_array *a = check_array_create(&g, &d, seed);
  for (int r = 0; r < 64; r++) rram_array_set_level(a, r, 0, 3);
  double g0[64], sum_i2 = 0.0, sum_i = 0.0;
  const double unit = d.g_max_us / 3.0;
  for (int r = 0; r < 64; r++) {
    rram_array_get_conductance(a, r, 0, &g0[r]);
    sum_i += g0[r] / unit;
    sum_i2 += (g0[r] / unit) * (g0[r] / unit);
  }
  uint32_t wl[2];
  all_rows(wl, 64);
  ck_assert_int_eq(rram_array_drive(a, wl, 2), RRAM_OK);
  enum { N = 20000 };
  static double code[N];
  for (int i = 0; i < N; i++) {
    int c;
    ck_assert_int_eq(rram_array_convert(a, 0, 0, &c), RRAM_OK);
    code[i] = c;
  }
  /* Per-cell model: sigma = read_noise * sqrt(sum I_i^2), here in LSB. */
  const double want = d.read_noise * sqrt(sum_i2) * 16.0;
  const double s = sd_of(code, N), m = mean_of(code, N);
  /* sd of a sd from 20000 samples: 0.5 %; quantization adds < 0.02 %. */
  ck_assert_msg(fabs(s / want - 1.0) < 0.03, "seed %" PRIu64 ": read sigma %g LSB, want %g",
                seed, s, want);
  ck_assert_msg(fabs(m - sum_i * 16.0) < 4.0 * want / sqrt(N),
                "seed %" PRIu64 ": read mean %g LSB, want %g", seed, m, sum_i * 16.0);
  /* Programming error did not move. */
  for (int r = 0; r < 64; r++) {
    double gr;
    rram_array_get_conductance(a, r, 0, &gr);
    ck_assert_msg(gr == g0[r], "seed %" PRIu64 ": cell %d moved by reading", seed, r);
  }
  /* Rewriting a cell draws a new error. */
  rram_array_set_level(a, 5, 0, 3);
  double g5;
  rram_array_get_conductance(a, 5, 0, &g5);
  ck_assert_msg(g5 != g0[5], "seed %" PRIu64 ": rewrite kept the same error", seed);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_stuck_cells_sit_at_rails) {
  const uint64_t seed = 31;
  rram_device d;
  rram_device_preset("window", &d);
  d.stuck_gmin_rate = 0.10;
  d.stuck_gmax_rate = 0.05;
  d.prog_model = RRAM_PROG_NEURRAM;
  d.prog_sigma = 1.0;
  d.drift_nu_mean = 0.05;
  rram_geometry g = {128, 128, 2, 8, 8};
  rram_array *a = check_array_create(&g, &d, seed);
  static int fault0[128][128];
  int n_min = 0, n_max = 0;
  for (int pass = 0; pass < 3; pass++) {
    const int level = pass == 0 ? 3 : pass == 1 ? 0 : 1;
    for (int r = 0; r < 128; r++)
      for (int c = 0; c < 128; c++) rram_array_set_level(a, r, c, level);
    if (pass == 2) rram_array_age(a, 1e6);
    for (int r = 0; r < 128; r++)
      for (int c = 0; c < 128; c++) {
        int f;
        double gu;
        rram_array_get_fault(a, r, c, &f);
        rram_array_get_conductance(a, r, c, &gu);
        if (pass == 0) {
          fault0[r][c] = f;
          n_min += f == RRAM_FAULT_GMIN;
          n_max += f == RRAM_FAULT_GMAX;
        }
        ck_assert_msg(f == fault0[r][c], "seed %" PRIu64 ": fault map changed", seed);
        /* float storage of G in level units: exact to 1e-6 relative. */
        if (f == RRAM_FAULT_GMIN)
          ck_assert_msg(fabs(gu - 4.0) < 1e-5, "seed %" PRIu64 ": (%d,%d) stuck low at %g",
                        seed, r, c, gu);
        if (f == RRAM_FAULT_GMAX)
          ck_assert_msg(fabs(gu - 40.0) < 1e-4, "seed %" PRIu64 ": (%d,%d) stuck high at %g",
                        seed, r, c, gu);
      }
  }
  /* Rates: binomial over 16384 cells, 5 standard errors. */
  const double n = 128.0 * 128.0;
  ck_assert_msg(fabs(n_min / n - 0.10) < 5.0 * sqrt(0.10 * 0.90 / n), "seed %" PRIu64
                ": %d stuck low of %g", seed, n_min, n);
  ck_assert_msg(fabs(n_max / n - 0.05) < 5.0 * sqrt(0.05 * 0.95 / n), "seed %" PRIu64
                ": %d stuck high of %g", seed, n_max, n);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_drift_power_law) {
  const uint64_t seed = 41;
  rram_device d;
  rram_device_preset("window", &d);
  d.drift_nu_mean = 0.05;
  d.drift_nu_sigma = 0.02;
  d.drift_t0_s = 2.0;
  rram_geometry g = {128, 128, 2, 8, 8};
  rram_array *a = check_array_create(&g, &d, seed);
  for (int r = 0; r < 128; r++)
    for (int c = 0; c < 128; c++) rram_array_set_level(a, r, c, 1 + (r + c) % 3);
  static double g0[128][128];
  for (int r = 0; r < 128; r++)
    for (int c = 0; c < 128; c++) rram_array_get_conductance(a, r, c, &g0[r][c]);
  /* Before t0: nothing moves. */
  rram_array_age(a, 1.5);
  double gx;
  rram_array_get_conductance(a, 7, 9, &gx);
  ck_assert(gx == g0[7][9]);
  /* Mean over cells of ln(G(t)/G(t0)) = -mean(nu) ln(t/t0): fit the slope
   * over t = 2e1 .. 2e7 s. */
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int np = 0;
  for (double t = 20.0; t <= 2e7; t *= 10.0, np++) {
    rram_array_age(a, t - rram_array_time(a));
    double acc = 0;
    for (int r = 0; r < 128; r++)
      for (int c = 0; c < 128; c++) {
        rram_array_get_conductance(a, r, c, &gx);
        acc += log(gx / g0[r][c]);
      }
    const double x = log(t / 2.0), y = acc / (128.0 * 128.0);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double slope = (np * sxy - sx * sy) / (np * sxx - sx * sx);
  /* Sample mean of 16384 nu: standard error 0.02/128 = 1.6e-4; allow 6e-4. */
  ck_assert_msg(fabs(slope + 0.05) < 6e-4, "seed %" PRIu64 ": log-log slope %g, want -0.05",
                seed, slope);
  /* A rewritten cell restarts its clock. */
  rram_array_set_level(a, 3, 3, 2);
  double fresh;
  rram_array_get_conductance(a, 3, 3, &fresh);
  ck_assert_msg(fabs(fresh - 28.0) < 1e-4, "rewritten cell at %g uS, want 28", fresh);
  ck_assert_int_eq(rram_array_age(a, -1.0), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_age(a, NAN), RRAM_EINVAL);
  rram_array_destroy(a);
}
END_TEST

/* ---- ADC --------------------------------------------------------------- */

START_TEST(test_adc_offset_gain_inl) {
  const uint64_t seed = 51;
  rram_device d;
  rram_device_ideal(&d);
  d.adc_offset_lsb = 1.0;
  d.adc_offset_sigma_lsb = 2.0;
  d.adc_gain_err = -0.02;
  d.adc_gain_sigma = 0.03;
  d.adc_inl_lsb = 0.2;
  /* 255 rows of level-1 cells (cell_bits 1): driving k rows puts exactly
   * k LSB on every column; 512 columns, one ADC each. */
  rram_geometry g = {255, 512, 1, 8, 1};
  rram_array *a = check_array_create(&g, &d, seed);
  for (int r = 0; r < 255; r++)
    for (int c = 0; c < 512; c++) rram_array_set_level(a, r, c, 1);
  static int code[256][512];
  uint32_t wl[8];
  for (int k = 0; k <= 255; k++) {
    memset(wl, 0, sizeof wl);
    for (int r = 0; r < k; r++) wl[r / 32] |= 1u << (r % 32);
    ck_assert_int_eq(rram_array_drive(a, wl, 8), RRAM_OK);
    for (int c = 0; c < 512; c++) rram_array_convert(a, c, c, &code[k][c]);
  }
  static double off[512], gain[512], inl[512 * 255];
  for (int c = 0; c < 512; c++) {
    rram_array_adc_truth(a, c, &off[c], &gain[c]);
    double prev = -1e9;
    for (int k = 1; k <= 255; k++) {
      double t;
      ck_assert_int_eq(rram_array_adc_threshold(a, c, k, &t), RRAM_OK);
      ck_assert_msg(t >= prev, "adc %d: transitions not sorted", c);
      prev = t;
      inl[c * 255 + k - 1] = t - (k - 0.5);
    }
    /* Every code is what the truth predicts: #(transitions <= gain x + off). */
    for (int k = 0; k <= 255; k++) {
      const double y = gain[c] * k + off[c];
      int want = 0;
      for (int j = 1; j <= 255; j++) {
        double t;
        rram_array_adc_threshold(a, c, j, &t);
        want += t <= y;
      }
      ck_assert_msg(code[k][c] == want, "seed %" PRIu64 " adc %d input %d: code %d, truth %d",
                    seed, c, k, code[k][c], want);
    }
    /* A line fitted through the unclipped codes finds offset and gain
     * (within 0.3 LSB and 0.4 %: quantization plus INL residue). */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int k = 0; k <= 255; k++) {
      if (code[k][c] <= 2 || code[k][c] >= 253) continue;
      sx += k;
      sy += code[k][c];
      sxx += (double)k * k;
      sxy += (double)k * code[k][c];
      n++;
    }
    const double fg = (n * sxy - sx * sy) / (n * sxx - sx * sx), fo = (sy - fg * sx) / n;
    ck_assert_msg(fabs(fg - gain[c]) < 0.004 && fabs(fo - off[c]) < 0.3,
                  "seed %" PRIu64 " adc %d: fit gain %g offset %g, truth %g %g", seed, c, fg, fo,
                  gain[c], off[c]);
  }
  /* The draws over 512 ADCs follow the configuration (sd of a mean: sigma /
   * 22.6, of a sd: 3.1 %; 4 standard errors). */
  const double mo = mean_of(off, 512), so = sd_of(off, 512);
  const double mg = mean_of(gain, 512), sg = sd_of(gain, 512);
  ck_assert_msg(fabs(mo - 1.0) < 4 * 2.0 / 22.6 && fabs(so / 2.0 - 1) < 0.125,
                "seed %" PRIu64 ": offsets mean %g sd %g", seed, mo, so);
  ck_assert_msg(fabs(mg - 0.98) < 4 * 0.03 / 22.6 && fabs(sg / 0.03 - 1) < 0.125,
                "seed %" PRIu64 ": gains mean %g sd %g", seed, mg, sg);
  const double si = sd_of(inl, 512 * 255);
  ck_assert_msg(fabs(si / 0.2 - 1) < 0.02, "seed %" PRIu64 ": INL sd %g, want 0.2", seed, si);
  double t_bad;
  ck_assert_int_eq(rram_array_adc_threshold(a, 0, 0, &t_bad), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_adc_threshold(a, 0, 256, &t_bad), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_adc_truth(a, 512, NULL, NULL), RRAM_EINVAL);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_adc_noise_and_clipping) {
  const uint64_t seed = 52;
  rram_device d;
  rram_device_ideal(&d);
  d.adc_noise_lsb = 1.5;
  d.adc_offset_lsb = -3.0;
  rram_geometry g = {300, 1, 1, 8, 1};
  rram_array *a = check_array_create(&g, &d, seed);
  for (int r = 0; r < 300; r++) rram_array_set_level(a, r, 0, 1);
  uint32_t wl[10] = {0};
  for (int r = 0; r < 100; r++) wl[r / 32] |= 1u << (r % 32);
  rram_array_drive(a, wl, 10);
  enum { N = 20000 };
  static double code[N];
  for (int i = 0; i < N; i++) {
    int c;
    rram_array_convert(a, 0, 0, &c);
    code[i] = c;
  }
  /* 100 LSB in, offset -3: mean 97; sd sqrt(1.5^2 + 1/12) (noise plus
   * rounding): 1.528; 3 % tolerance (standard error 0.5 %). */
  const double m = mean_of(code, N), s = sd_of(code, N);
  ck_assert_msg(fabs(m - 97.0) < 0.05, "seed %" PRIu64 ": noisy mean %g, want 97", seed, m);
  ck_assert_msg(fabs(s / sqrt(1.5 * 1.5 + 1.0 / 12.0) - 1.0) < 0.03,
                "seed %" PRIu64 ": noisy sd %g, want 1.528", seed, s);
  /* Clipping: nothing driven with offset -3 reads 0; 300 rows read 255. */
  int c;
  memset(wl, 0, sizeof wl);
  rram_array_drive(a, wl, 10);
  for (int i = 0; i < 100; i++) {
    rram_array_convert(a, 0, 0, &c);
    ck_assert_int_le(c, 1);
    ck_assert_int_ge(c, 0);
  }
  all_rows(wl, 300);
  rram_array_drive(a, wl, 10);
  for (int i = 0; i < 100; i++) {
    rram_array_convert(a, 0, 0, &c);
    ck_assert_int_eq(c, 255);
  }
  rram_array_destroy(a);
}
END_TEST

/* ---- IR drop ------------------------------------------------------------ */

/* Max relative error of the model's currents against the exact solve on a
 * 16 x 16 array, random levels, rows driven by mask; with connected rows
 * all 16 selected (the undriven ones at 0 V). */
static double ir_error(double r_wl, double r_bl, uint32_t mask, int model, uint64_t seed,
                       int *iters) {
  rram_device d;
  rram_device_preset("window", &d);
  d.r_wl_ohm = r_wl;
  d.r_bl_ohm = r_bl;
  d.row_model = model;
  rram_geometry g = {16, 16, 2, 8, 1};
  rram_array *a = check_array_create(&g, &d, seed);
  double G[256];
  uint64_t x = seed;
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 16; c++) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      const int L = (int)(x >> 62);
      rram_array_set_level(a, r, c, L);
      G[r * 16 + c] = 4.0 + 12.0 * L;
    }
  const uint32_t wl = mask, sel = model == RRAM_ROWS_CONNECTED ? 0xffffu : mask;
  rram_array_drive_rows(a, &sel, &wl, 1);
  double got[16], want[16];
  rram__array_currents_ua(a, got);
  rram_array_ir_stats(a, iters, NULL);
  /* the exact nodal solve, independent of rram_ir.c (ir_ref.h) */
  ck_assert_int_eq(ir_ref_dense(16, 16, G, &sel, &wl, r_wl > 0 ? r_wl : 1e-12,
                                r_bl > 0 ? r_bl : 1e-12,
                                d.v_read, want), 0);
  double worst = 0.0;
  for (int c = 0; c < 16; c++) worst = fmax(worst, fabs(got[c] - want[c]) / want[c]);
  rram_array_destroy(a);
  return worst;
}

START_TEST(test_ir_drop_matches_exact_solve) {
  /* Strong wires (100 ohm per segment: the far cells lose ~10-20 % of
   * their voltage) so the comparison is not trivially small. Stated
   * accuracy: relative error of every column current < 1e-5 at the
   * default tolerance (float storage of the result alone is 6e-8). */
  const struct {
    double r_wl, r_bl;
    uint32_t mask;
  } cases[] = {{100, 100, 0xffff}, {100, 100, 0x5a5a}, {300, 30, 0xf00f},
               {30, 300, 0x0ff0}, {100, 0, 0xffff},   {0, 100, 0x8421}};
  for (int model = RRAM_ROWS_ISOLATED; model <= RRAM_ROWS_CONNECTED; model++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      int iters = 0;
      const double e = ir_error(cases[i].r_wl, cases[i].r_bl, cases[i].mask, model, 60 + i, &iters);
      ck_assert_msg(e < 1e-5, "row model %d case %zu (seed %zu): relative error %g after %d "
                    "iterations", model, i, 60 + i, e, iters);
      if (cases[i].r_wl == 0 || cases[i].r_bl == 0) ck_assert_int_eq(iters, 1);
      if (getenv("RRAM_BENCH"))
        printf("ir: rows %d r_wl %g r_bl %g mask 0x%04x: max rel error %.2e, %d iterations\n",
               model, cases[i].r_wl, cases[i].r_bl, cases[i].mask, e, iters);
    }
}
END_TEST

/* Connected rows keep a transfer matrix per row group (rram_ir.h); it must
 * follow every change of the cells and of the group. Array A is driven, then
 * changed (a level written, a pulse, aging with drift, another group that
 * overlaps), then driven again; array B gets the same changes before its
 * first drive. The currents must be the same bits, and differ from A's
 * before the change (so the comparison can fail). */
enum { CH_LEVEL, CH_PULSE, CH_AGE, CH_GROUP, N_CH };
static const char *const ch_name[N_CH] = {"set_level", "pulse", "age", "other group"};

static void ch_apply(rram_array *a, int ch) {
  const uint32_t sel2[2] = {0x0000ffffu, 0}, wl2[2] = {0x00000f0fu, 0};
  switch (ch) {
    case CH_LEVEL: ck_assert_int_eq(rram_array_set_level(a, 3, 5, 0), RRAM_OK); break;
    case CH_PULSE: ck_assert_int_eq(rram_array_pulse(a, 7, 2, RRAM_PULSE_RESET, 200, 10), RRAM_OK); break;
    case CH_AGE: ck_assert_int_eq(rram_array_age(a, 1e4), RRAM_OK); break;
    default: ck_assert_int_eq(rram_array_drive_rows(a, sel2, wl2, 2), RRAM_OK); break;
  }
}

static void ch_currents(rram_array *a, const uint32_t *sel, const uint32_t *wl, double *cur) {
  ck_assert_int_eq(rram_array_drive_rows(a, sel, wl, 2), RRAM_OK);
  rram__array_currents_ua(a, cur);
}

START_TEST(test_ir_connected_follows_changes) {
  const int ch = _i;
  rram_device d;
  rram_device_preset("window", &d);
  d.r_wl_ohm = d.r_bl_ohm = 5.0;
  d.row_model = RRAM_ROWS_CONNECTED;
  d.drift_nu_mean = 0.05; /* aging changes every cell */
  rram_geometry g = {40, 16, 2, 12, 1};
  rram_array *a = check_array_create(&g, &d, 5), *b = check_array_create(&g, &d, 5);
  for (int r = 0; r < 40; r++)
    for (int c = 0; c < 16; c++) {
      ck_assert_int_eq(rram_array_set_level(a, r, c, (r * 7 + c) % 4), RRAM_OK);
      ck_assert_int_eq(rram_array_set_level(b, r, c, (r * 7 + c) % 4), RRAM_OK);
    }
  const uint32_t sel[2] = {0xffffffffu, 0}, wl[2] = {0x5a5a5a5au, 0}; /* rows 0..31 */
  double before[16], after_a[16], after_b[16];
  ch_currents(a, sel, wl, before);
  ch_apply(a, ch);
  ch_apply(b, ch);
  ch_currents(a, sel, wl, after_a);
  ch_currents(b, sel, wl, after_b);
  int moved = 0;
  for (int c = 0; c < 16; c++) {
    ck_assert_msg(after_a[c] == after_b[c], "%s: column %d: %.9g uA after a drive, %.9g fresh",
                  ch_name[ch], c, after_a[c], after_b[c]);
    moved |= after_a[c] != before[c];
  }
  ck_assert_msg(moved || ch == CH_GROUP, "%s changed no current: the test cannot fail",
                ch_name[ch]);
  rram_array_destroy(a);
  rram_array_destroy(b);
}
END_TEST

START_TEST(test_ir_drop_lowers_far_currents) {
  const uint64_t seed = 70;
  rram_device d;
  rram_device_preset("window", &d);
  d.r_wl_ohm = 2.0;
  d.r_bl_ohm = 2.0;
  rram_geometry g = {64, 64, 2, 16, 1};
  rram_array *a = check_array_create(&g, &d, seed);
  for (int r = 0; r < 64; r++)
    for (int c = 0; c < 64; c++) rram_array_set_level(a, r, c, 3);
  const double ideal = 40.0 * d.v_read; /* uA of one cell without IR drop */
  double cur[64], prev_row_far = 1e9;
  uint32_t wl[2];
  /* One row at a time: the farther the column from the row driver, the
   * smaller its current; the farther the row from the sense end, the
   * smaller the current of a given column. */
  for (int r = 0; r < 64; r += 9) {
    memset(wl, 0, sizeof wl);
    wl[r / 32] = 1u << (r % 32);
    rram_array_drive(a, wl, 2);
    rram__array_currents_ua(a, cur);
    for (int c = 1; c < 64; c++)
      ck_assert_msg(cur[c] < cur[c - 1], "row %d: col %d current %g >= col %d's %g", r, c,
                    cur[c], c - 1, cur[c - 1]);
    ck_assert(cur[0] < ideal);
    ck_assert_msg(cur[63] < prev_row_far, "row %d: far current %g not below row before's %g",
                  r, cur[63], prev_row_far);
    prev_row_far = cur[63];
  }
  /* All rows: every column loses, the far ones more. */
  all_rows(wl, 64);
  rram_array_drive(a, wl, 2);
  rram__array_currents_ua(a, cur);
  ck_assert(cur[63] < cur[0] && cur[0] < 64 * ideal);
  /* The codes go down the same way (ideal ADC, 16 bits, LSB = one level). */
  int c0, c63;
  rram_array_convert(a, 0, 0, &c0);
  rram_array_convert(a, 63, 63, &c63);
  ck_assert_int_lt(c63, c0);
  ck_assert_int_lt(c0, 64 * 10 / 3 + 1);
  rram_array_destroy(a);
}
END_TEST

/* ---- seeds -------------------------------------------------------------- */

/* Every code of a short run with every effect on, and every conductance. */
static void run_default(uint64_t seed, const rram_device *d, int *codes, double *gs) {
  rram_geometry g = {64, 32, 2, 8, 4};
  rram_array *a = check_array_create(&g, d, seed);
  for (int r = 0; r < 64; r++)
    for (int c = 0; c < 32; c++) rram_array_set_level(a, r, c, (r * 7 + c * 3) % 4);
  rram_array_age(a, 3600.0);
  int n = 0;
  for (int ph = 0; ph < 8; ph++) {
    uint32_t wl[2] = {0x9e3779b9u * (uint32_t)(ph + 1), 0x7f4a7c15u ^ (uint32_t)ph};
    rram_array_drive(a, wl, 2);
    for (int c = 0; c < 32; c++) rram_array_convert(a, c / 4, c, &codes[n++]);
  }
  for (int r = 0; r < 64; r++)
    for (int c = 0; c < 32; c++) rram_array_get_conductance(a, r, c, &gs[r * 32 + c]);
  rram_array_destroy(a);
}

START_TEST(test_same_seed_same_bits_every_effect) {
  rram_device d;
  rram_device_preset("default", &d);
  d.r_wl_ohm = d.r_bl_ohm = 20.0; /* make IR drop matter at this size */
  static int c1[256], c2[256], c3[256];
  static double g1[2048], g2[2048], g3[2048];
  run_default(7, &d, c1, g1);
  run_default(7, &d, c2, g2);
  run_default(8, &d, c3, g3);
  ck_assert_msg(memcmp(c1, c2, sizeof c1) == 0, "seed 7: codes differ between two runs");
  ck_assert_msg(memcmp(g1, g2, sizeof g1) == 0, "seed 7: conductances differ between two runs");
  ck_assert_msg(memcmp(c1, c3, sizeof c1) != 0, "seeds 7 and 8 give the same codes");
  ck_assert_msg(memcmp(g1, g3, sizeof g1) != 0, "seeds 7 and 8 give the same conductances");
  /* Streams are per effect: turning read noise off keeps the stuck map and
   * the programming draws, so every conductance is the same. */
  d.read_noise = 0.0;
  run_default(7, &d, c3, g3);
  ck_assert_msg(memcmp(g1, g3, sizeof g1) == 0, "seed 7: read noise changed conductances");
}
END_TEST

START_TEST(test_ideal_presets_bit_exact) {
  /* Presets with no random effect leave the ideal path: window (g_min 4,
   * physical LSB) converts to round(sum of G / lsb) exactly as computed by
   * hand; ideal is the sum of levels (check_cmodel.c's tests). */
  rram_device d;
  rram_device_preset("window", &d);
  rram_geometry g = {64, 8, 2, 8, 8};
  rram_array *a = check_array_create(&g, &d, 3);
  for (int r = 0; r < 64; r++)
    for (int c = 0; c < 8; c++) rram_array_set_level(a, r, c, (r + c) % 4);
  uint32_t wl[2];
  all_rows(wl, 64);
  rram_array_drive(a, wl, 2);
  for (int c = 0; c < 8; c++) {
    double sum_ua = 0;
    for (int r = 0; r < 64; r++) sum_ua += (4.0 + 12.0 * ((r + c) % 4)) * 0.2;
    int code;
    rram_array_convert(a, 0, c, &code);
    ck_assert_int_eq(code, (int)floor(sum_ua / 2.4 + 0.5));
  }
  rram_array_destroy(a);
}
END_TEST

/* ---- bench (RRAM_BENCH=1) ---------------------------------------------------- */

/* The workload's drive: a 64-row group selected, 32 of its rows driven.
 * The first drive after programming is timed alone: with connected rows
 * under IR drop it builds the group's transfer matrix. */
static void bench_one(const char *name, const rram_device *d) {
  rram_geometry g = {256, 256, 2, 8, 8};
  rram_array *a = check_array_create(&g, d, 1);
  for (int r = 0; r < 256; r++)
    for (int c = 0; c < 256; c++) rram_array_set_level(a, r, c, (r ^ c) & 3);
  const uint32_t sel[8] = {~0u, ~0u}, wl[8] = {0x55555555u, 0x55555555u}; /* 32 of 64 */
  const double tf = now_s();
  rram_array_drive_rows(a, sel, wl, 8);
  const double first = now_s() - tf;
  int reps = 64;
  double t = 0;
  for (;;) {
    const double t0 = now_s();
    for (int i = 0; i < reps; i++) {
      rram_array_log_clear(a);
      rram_array_drive_rows(a, sel, wl, 8);
    }
    t = now_s() - t0;
    if (t > 0.3 || reps > (1 << 22)) break;
    reps *= 4;
  }
  const double drive_rate = (double)reps * 32.0 * 256.0 / t;
  /* Conversions: all 256 columns after one drive. */
  int convs = 256 * 64, code;
  const double t1 = now_s();
  for (int i = 0; i < convs; i++) rram_array_convert(a, (i & 255) / 8, i & 255, &code);
  const double conv_rate = convs / (now_s() - t1);
  int iters = 0;
  rram_array_ir_stats(a, &iters, NULL);
  char note[80] = "";
  if (iters) snprintf(note, sizeof note, "  IR: first drive %.2f ms, %d iterations", 1e3 * first, iters);
  printf("bench %-22s %9.3g cell-evals/s (drive %8.2f us)  %9.3g conversions/s%s\n", name,
         drive_rate, 1e6 * t / reps, conv_rate, note);
  rram_array_destroy(a);
}

START_TEST(test_bench_effects) {
  const char *const *names = rram_device_presets();
  for (int i = 0; names[i]; i++) {
    rram_device d;
    rram_device_preset(names[i], &d);
    bench_one(names[i], &d);
  }
  /* the other row model: one nodal solve per drive */
  rram_device d;
  rram_device_preset("default", &d);
  d.row_model = RRAM_ROWS_ISOLATED;
  bench_one("default, isolated rows", &d);
}
END_TEST

Suite *device_suite(void) {
  Suite *s = suite_create("device");
  TCase *files = tcase_create("Files");
  tcase_add_test(files, test_presets_load_and_roundtrip);
  tcase_add_test(files, test_example_file_loads);
  tcase_add_loop_test(files, test_parser_errors_name_line_and_key, 0,
                      (int)(sizeof bad_files / sizeof bad_files[0]));
  tcase_add_test(files, test_parser_accepts);
  tcase_add_test(files, test_set_overrides_one_field);
  suite_add_tcase(s, files);

  TCase *fx = tcase_create("Effects");
  tcase_set_timeout(fx, 30);
  tcase_add_test(fx, test_prog_error_sigma);
  tcase_add_test(fx, test_read_noise_redraws_prog_error_does_not);
  tcase_add_test(fx, test_stuck_cells_sit_at_rails);
  tcase_add_test(fx, test_drift_power_law);
  tcase_add_test(fx, test_adc_offset_gain_inl);
  tcase_add_test(fx, test_adc_noise_and_clipping);
  tcase_add_test(fx, test_ir_drop_matches_exact_solve);
  tcase_add_test(fx, test_ir_drop_lowers_far_currents);
  tcase_add_loop_test(fx, test_ir_connected_follows_changes, 0, N_CH);
  tcase_add_test(fx, test_same_seed_same_bits_every_effect);
  tcase_add_test(fx, test_ideal_presets_bit_exact);
  suite_add_tcase(s, fx);

  if (getenv("RRAM_BENCH")) {
    TCase *bench = tcase_create("Bench");
    tcase_set_timeout(bench, 120);
    tcase_add_test(bench, test_bench_effects);
    suite_add_tcase(s, bench);
  }
  return s;
}

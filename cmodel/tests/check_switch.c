/* check_switch.c: unit tests of the cell switching model and the verify read
 * (rram_switch.h) through the array's front door (rram_array_pulse,
 * rram_array_verify_read): direction, threshold, width, saturation at the
 * rails, SET/RESET asymmetry, stuck cells, ideal switching on the sense-code
 * grid, randomness reproducible per seed, and that programming leaves the
 * MVM log alone. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "../rram_array.h"
#include "../rram_device.h"
#include "../rram_switch.h"
#include "check_suites.h"

static rram_array *make(const rram_device *d, uint64_t seed) {
  rram_geometry g = {8, 8, 2, 8, 8};
  rram_array *a = NULL;
  ck_assert_int_eq(rram_array_create(&g, d, seed, &a), RRAM_OK);
  return a;
}

static double g_of(const rram_array *a, int r, int c) {
  double g = 0;
  ck_assert_int_eq(rram_array_get_conductance(a, r, c, &g), RRAM_OK);
  return g;
}

static void physical(rram_device *d) {
  rram_device_preset("switching", d);
  d->sw_c2c = 0; /* deterministic unless a test turns it on */
}

START_TEST(test_switch_direction_and_threshold) {
  rram_device d;
  physical(&d);
  rram_array *a = make(&d, 1);
  const double g0 = g_of(a, 0, 0);
  /* at or below the SET threshold (0.9 V = code 90): nothing */
  ck_assert_int_eq(rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 90, 10), RRAM_OK);
  ck_assert(g_of(a, 0, 0) == g0);
  ck_assert_int_eq(rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 120, 0), RRAM_OK); /* width 0 */
  ck_assert(g_of(a, 0, 0) == g0);
  /* SET raises, by rate * over * width * (Gmax - G) to first order */
  rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 100, 10);
  const double g1 = g_of(a, 0, 0);
  const double want = (d.g_max_us - g0) * -expm1(-0.3 * 0.1);
  ck_assert_msg(fabs((g1 - g0) - want) < 1e-4, "SET step %g, model %g", g1 - g0, want);
  /* a larger or longer pulse moves more */
  rram_array *b = make(&d, 1), *c = make(&d, 1);
  rram_array_pulse(b, 0, 0, RRAM_PULSE_SET, 150, 10);
  rram_array_pulse(c, 0, 0, RRAM_PULSE_SET, 100, 30);
  ck_assert(g_of(b, 0, 0) - g0 > 2 * (g1 - g0));
  ck_assert(g_of(c, 0, 0) - g0 > 2 * (g1 - g0));
  /* RESET lowers; below its threshold (1.1 V) nothing */
  rram_array_pulse(a, 0, 0, RRAM_PULSE_RESET, 110, 10);
  ck_assert(g_of(a, 0, 0) == g1);
  rram_array_pulse(a, 0, 0, RRAM_PULSE_RESET, 150, 10);
  ck_assert(g_of(a, 0, 0) < g1);
  /* bad arguments change nothing */
  ck_assert_int_eq(rram_array_pulse(a, 0, 0, 2, 150, 10), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_pulse(a, 8, 0, RRAM_PULSE_SET, 150, 10), RRAM_EINVAL);
  ck_assert_int_eq(rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 256, 10), RRAM_EINVAL);
  rram_array_destroy(a);
  rram_array_destroy(b);
  rram_array_destroy(c);
}
END_TEST

START_TEST(test_switch_saturation_and_asymmetry) {
  rram_device d;
  physical(&d);
  d.sw_c2c = 0.5; /* even with a wide spread the rails hold */
  rram_array *a = make(&d, 2);
  double prev = g_of(a, 1, 1);
  for (int i = 0; i < 200; i++) {
    rram_array_pulse(a, 1, 1, RRAM_PULSE_SET, 250, 50);
    const double g = g_of(a, 1, 1);
    ck_assert(g >= prev - 1e-9 && g <= d.g_max_us + 1e-6);
    prev = g;
  }
  ck_assert_msg(fabs(prev - d.g_max_us) < 1e-3, "200 strong SET pulses end at %g uS", prev);
  for (int i = 0; i < 200; i++) {
    rram_array_pulse(a, 1, 1, RRAM_PULSE_RESET, 250, 50);
    const double g = g_of(a, 1, 1);
    ck_assert(g <= prev + 1e-9 && g >= d.g_min_us - 1e-6);
    prev = g;
  }
  ck_assert_msg(fabs(prev - d.g_min_us) < 1e-3, "200 strong RESET pulses end at %g uS", prev);
  /* asymmetry: from the middle, equal over-threshold pulses move differently */
  physical(&d);
  rram_array *s = make(&d, 3), *r = make(&d, 3);
  for (int i = 0; i < 8; i++) {
    rram_array_pulse(s, 0, 0, RRAM_PULSE_SET, 150, 20);
    rram_array_pulse(r, 0, 0, RRAM_PULSE_SET, 150, 20);
  }
  const double mid = g_of(s, 0, 0);
  ck_assert(fabs(mid - g_of(r, 0, 0)) < 1e-9);
  rram_array_pulse(s, 0, 0, RRAM_PULSE_SET, 90 + 30, 10);   /* 0.3 V over SET threshold */
  rram_array_pulse(r, 0, 0, RRAM_PULSE_RESET, 110 + 30, 10); /* 0.3 V over RESET threshold */
  const double up = g_of(s, 0, 0) - mid, down = mid - g_of(r, 0, 0);
  const double want_up = (d.g_max_us - mid) * -expm1(-0.3 * 0.3);
  const double want_down = (mid - d.g_min_us) * -expm1(-0.4 * 0.3);
  ck_assert_msg(fabs(up - want_up) < 1e-4 && fabs(down - want_down) < 1e-4,
                "up %g (model %g), down %g (model %g)", up, want_up, down, want_down);
  rram_array_destroy(a);
  rram_array_destroy(s);
  rram_array_destroy(r);
}
END_TEST

START_TEST(test_switch_stuck_never_moves) {
  rram_device d;
  physical(&d);
  d.stuck_gmin_rate = 0.3;
  d.stuck_gmax_rate = 0.3;
  rram_array *a = make(&d, 4);
  int n_stuck = 0;
  for (int r = 0; r < 8; r++) {
    for (int c = 0; c < 8; c++) {
      int f = 0;
      rram_array_get_fault(a, r, c, &f);
      if (f == RRAM_FAULT_NONE) continue;
      n_stuck++;
      const double g = g_of(a, r, c);
      ck_assert(g == (f == RRAM_FAULT_GMIN ? d.g_min_us : d.g_max_us) || fabs(g - (f == RRAM_FAULT_GMIN ? d.g_min_us : d.g_max_us)) < 1e-4);
      for (int i = 0; i < 5; i++) {
        rram_array_pulse(a, r, c, RRAM_PULSE_SET, 250, 100);
        rram_array_pulse(a, r, c, RRAM_PULSE_RESET, 250, 100);
      }
      ck_assert(g_of(a, r, c) == g);
      int code = -1;
      rram_array_verify_read(a, r, c, &code);
      ck_assert_int_eq(code, f == RRAM_FAULT_GMIN ? 0 : 255);
    }
  }
  ck_assert_int_gt(n_stuck, 5);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_switch_ideal_grid) {
  rram_device d;
  rram_device_ideal(&d);
  ck_assert(rram_switch_is_ideal(&d));
  rram_array *a = make(&d, 5);
  int code = -1;
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 0);
  /* one code per 100 mV over threshold, whole codes, any width */
  rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 100, 10);
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 1);
  rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 130, 1);
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 5);
  rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 130, 0); /* width 0: nothing */
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 5);
  ck_assert(fabs(g_of(a, 0, 0) - rram_switch_code_g_us(&d, 5)) < 1e-5);
  rram_array_pulse(a, 0, 0, RRAM_PULSE_RESET, 121, 10); /* 0.11 V over: 2 codes */
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 3);
  for (int i = 0; i < 40; i++) rram_array_pulse(a, 0, 0, RRAM_PULSE_SET, 250, 10);
  rram_array_verify_read(a, 0, 0, &code);
  ck_assert_int_eq(code, 255);
  ck_assert(fabs(g_of(a, 0, 0) - d.g_max_us) < 1e-5);
  /* level codes: exact multiples for 2-bit cells, rounded for 3-bit */
  ck_assert_int_eq(rram_switch_level_code(&d, 2, 1), 85);
  ck_assert_int_eq(rram_switch_level_code(&d, 3, 1), 36);
  ck_assert_int_eq(rram_switch_level_code(&d, 3, 7), 255);
  d.sense_bits = 6;
  ck_assert_int_eq(rram_switch_code_max(&d), 63);
  ck_assert_int_eq(rram_switch_level_code(&d, 2, 2), 42);
  rram_array_destroy(a);
}
END_TEST

/* The pulses of a fixed script, then every conductance and a few reads. */
static void run_script(const rram_device *d, uint64_t seed, double *g, int *codes) {
  rram_array *a = make(d, seed);
  for (int i = 0; i < 64; i++)
    rram_array_pulse(a, i % 8, i / 8, i % 3 ? RRAM_PULSE_SET : RRAM_PULSE_RESET, 150, 20);
  for (int i = 0; i < 64; i++) g[i] = g_of(a, i % 8, i / 8);
  for (int i = 0; i < 64; i++) rram_array_verify_read(a, i % 8, i / 8, &codes[i]);
  rram_array_destroy(a);
}

START_TEST(test_switch_random_reproducible) {
  rram_device d;
  rram_device_preset("switching", &d);
  d.read_noise = 0.02;
  double g1[64], g2[64], g3[64];
  int c1[64], c2[64], c3[64];
  run_script(&d, 11, g1, c1);
  run_script(&d, 11, g2, c2);
  run_script(&d, 12, g3, c3);
  ck_assert_msg(memcmp(g1, g2, sizeof g1) == 0 && memcmp(c1, c2, sizeof c1) == 0,
                "seed 11 twice gave different results");
  ck_assert_msg(memcmp(g1, g3, sizeof g1) != 0, "seeds 11 and 12 gave the same conductances");
  /* c2c spread: the same pulse from the same state lands at different places */
  rram_array *a = make(&d, 13);
  double dg[32];
  for (int i = 0; i < 32; i++) {
    const double g0 = g_of(a, i % 8, i / 8);
    rram_array_pulse(a, i % 8, i / 8, RRAM_PULSE_SET, 120, 10);
    dg[i] = g_of(a, i % 8, i / 8) - g0;
  }
  double m = 0, v = 0;
  for (int i = 0; i < 32; i++) m += dg[i] / 32;
  for (int i = 0; i < 32; i++) v += (dg[i] - m) * (dg[i] - m) / 31;
  const double rel = sqrt(v) / m;
  /* sw_c2c 0.3; 32 samples: the estimate is within ~0.3 * (1 +- 0.5) */
  ck_assert_msg(rel > 0.15 && rel < 0.45, "relative spread %g, device 0.3", rel);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_switch_leaves_log_alone) {
  rram_device d;
  physical(&d);
  d.read_noise = 0.01;
  rram_array *a = make(&d, 7);
  uint32_t wl = 0xFF;
  ck_assert_int_eq(rram_array_drive(a, &wl, 1), RRAM_OK);
  int code = 0;
  rram_array_convert(a, 0, 3, &code);
  ck_assert_int_eq(rram_array_log_phases(a), 1);
  const rram_phase *p = rram_array_log_phase(a, 0);
  const int32_t before = p->code[3];
  for (int i = 0; i < 20; i++) {
    rram_array_pulse(a, i % 8, 3, RRAM_PULSE_SET, 200, 50);
    rram_array_verify_read(a, i % 8, 3, &code);
  }
  ck_assert_int_eq(rram_array_log_phases(a), 1);
  ck_assert_int_eq(rram_array_log_orphans(a), 0);
  ck_assert_int_eq(rram_array_log_phase(a, 0)->code[3], before);
  ck_assert_int_eq(rram_array_log_phase(a, 0)->n_conv[3], 1);
  int level = -1;
  rram_array_get_level(a, 0, 3, &level);
  ck_assert_int_eq(level, 0); /* pulses write no level */
  uint64_t pulses = 0, reads = 0;
  rram_array_wv_stats(a, &pulses, &reads);
  ck_assert(pulses == 20 && reads == 20);
  rram_array_destroy(a);
}
END_TEST

START_TEST(test_switch_device_keys) {
  rram_device d;
  char err[256];
  ck_assert_int_eq(rram_device_parse("preset = ideal\nsw_rate_set = 0.5\nsense_bits = 6\n", "t.dev",
                                     &d, err, sizeof err), RRAM_OK);
  ck_assert(d.sw_rate_set == 0.5 && d.sense_bits == 6);
  ck_assert_int_eq(rram_device_parse("sense_bits = 6.5\n", "t.dev", &d, err, sizeof err), RRAM_EIO);
  ck_assert_msg(strstr(err, "sense_bits"), "%s", err);
  ck_assert_int_eq(rram_device_parse("sense_bits = 9\n", "t.dev", &d, err, sizeof err), RRAM_EIO);
  rram_device_preset("default", &d);
  ck_assert(d.sw_rate_set > 0 && d.sw_rate_reset > 0 && d.sw_c2c > 0);
  rram_device_ideal(&d);
  ck_assert(rram_switch_is_ideal(&d) && rram_switch_sense_bits(&d) == 8);
}
END_TEST

Suite *switch_suite(void) {
  Suite *s = suite_create("switch");
  TCase *tc = tcase_create("Switching");
  tcase_add_test(tc, test_switch_direction_and_threshold);
  tcase_add_test(tc, test_switch_saturation_and_asymmetry);
  tcase_add_test(tc, test_switch_stuck_never_moves);
  tcase_add_test(tc, test_switch_ideal_grid);
  tcase_add_test(tc, test_switch_random_reproducible);
  tcase_add_test(tc, test_switch_leaves_log_alone);
  tcase_add_test(tc, test_switch_device_keys);
  suite_add_tcase(s, tc);
  return s;
}

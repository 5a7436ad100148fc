/* check_activity.c: the model's activity counts and energies
 * (rram_array_activity) against hand-computed values: every drive, wordline,
 * conversion, pulse and verify read counted once, and V^2 G t from the
 * conductances the test wrote. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "../rram_array.h"
#include "../rram_device.h"
#include "../rram_switch.h"
#include "check_suites.h"

static int close_rel(double a, double b) { return fabs(a - b) <= 1e-9 * fabs(b) + 1e-30; }

/* Ideal device, 8 x 8, levels written by hand: the drive energy is
 * v_read^2 t times the conductances on the driven rows, summed. */
START_TEST(test_activity_drive_energy) {
  const rram_geometry g = {.rows = 8, .cols = 8, .cell_bits = 2, .adc_bits = 8, .cols_per_adc = 2};
  rram_device d;
  rram_device_ideal(&d);
  d.read_pulse_ns = 20.0;
  rram_array *a = check_array_create(&g, &d, 1);
  double sum_g_driven = 0;
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++) {
      const int level = (r + 2 * c) % 4;
      ck_assert_int_eq(rram_array_set_level(a, r, c, level), RRAM_OK);
      double gc = 0;
      rram_array_get_conductance(a, r, c, &gc);
      if (r == 1 || r == 6) sum_g_driven += gc;
    }
  const uint32_t wl = (1u << 1) | (1u << 6);
  ck_assert_int_eq(rram_array_drive(a, &wl, 1), RRAM_OK);
  int code;
  for (int c = 0; c < 8; c++) ck_assert_int_eq(rram_array_convert(a, c / 2, c, &code), RRAM_OK);
  ck_assert_int_eq(rram_array_drive(a, &wl, 1), RRAM_OK);
  rram_activity act;
  ck_assert_int_eq(rram_array_activity(a, &act), RRAM_OK);
  ck_assert_uint_eq(act.drives, 2);
  ck_assert_uint_eq(act.wordlines, 4);
  ck_assert_uint_eq(act.conversions, 8);
  ck_assert_uint_eq(act.pulses, 0);
  const double want = 2 * d.v_read * d.v_read * sum_g_driven * 1e-6 * 20e-9;
  ck_assert_msg(close_rel(act.e_drive_j, want), "drive energy %.6g J, expected %.6g J",
                act.e_drive_j, want);
  rram_array_activity_clear(a);
  ck_assert_int_eq(rram_array_activity(a, &act), RRAM_OK);
  ck_assert(act.drives == 0 && act.e_drive_j == 0.0);
  rram_array_destroy(a);
}
END_TEST

/* A pulse costs V^2 G t at the conductance before it (stuck cells too); a
 * verify read v_read^2 G t at the default 10 ns. */
START_TEST(test_activity_pulse_energy) {
  const rram_geometry g = {.rows = 4, .cols = 4, .cell_bits = 2, .adc_bits = 8, .cols_per_adc = 2};
  rram_device d;
  rram_device_ideal(&d);
  d.g_min_us = 4.0;
  d.stuck_gmax_rate = 0.5; /* some cells stuck at g_max */
  rram_array *a = check_array_create(&g, &d, 3);
  double want_pulse = 0, want_read = 0;
  int stuck = 0;
  for (int c = 0; c < 4; c++) {
    double g0 = 0;
    int fault = 0;
    rram_array_get_conductance(a, 0, c, &g0);
    rram_array_get_fault(a, 0, c, &fault);
    stuck += fault != RRAM_FAULT_NONE;
    ck_assert_int_eq(rram_array_pulse(a, 0, c, RRAM_PULSE_SET, 150, 7), RRAM_OK);
    want_pulse += 1.5 * 1.5 * g0 * 1e-6 * 70e-9;
    double g1 = 0;
    rram_array_get_conductance(a, 0, c, &g1);
    int code;
    ck_assert_int_eq(rram_array_verify_read(a, 0, c, &code), RRAM_OK);
    want_read += d.v_read * d.v_read * g1 * 1e-6 * 10e-9;
  }
  rram_activity act;
  ck_assert_int_eq(rram_array_activity(a, &act), RRAM_OK);
  ck_assert_uint_eq(act.pulses, 4);
  ck_assert_uint_eq(act.reads, 4);
  ck_assert_msg(stuck > 0 && stuck < 4, "seed 3 drew %d stuck cells of 4", stuck);
  ck_assert_msg(close_rel(act.e_pulse_j, want_pulse), "pulse energy %.6g J, expected %.6g J",
                act.e_pulse_j, want_pulse);
  ck_assert_msg(close_rel(act.e_verify_j, want_read), "verify energy %.6g J, expected %.6g J",
                act.e_verify_j, want_read);
  rram_array_destroy(a);
}
END_TEST

Suite *activity_suite(void) {
  Suite *s = suite_create("activity");
  TCase *tc = tcase_create("Activity");
  tcase_add_test(tc, test_activity_drive_energy);
  tcase_add_test(tc, test_activity_pulse_energy);
  suite_add_tcase(s, tc);
  return s;
}

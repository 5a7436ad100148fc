/* suites.h: the co-simulation test suites, one per file. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

/* Per-test time limit in seconds: a co-simulation test is a whole process. */
#define COSIM_TIMEOUT_S 300

/* Each test is its own TCase named after it, so that the repro line
 * CK_RUN_CASE=<test name> runs exactly that test (Check filters by case). */
static inline void suite_add_test(Suite *s, const TTest *t) {
  TCase *tc = tcase_create(t->name);
  tcase_set_timeout(tc, COSIM_TIMEOUT_S);
  tcase_add_test(tc, t);
  suite_add_tcase(s, tc);
}

/* The same for a loop test over _i = lo..hi-1 (one case, one repro name). */
static inline void suite_add_loop_test(Suite *s, const TTest *t, int lo, int hi) {
  TCase *tc = tcase_create(t->name);
  tcase_set_timeout(tc, COSIM_TIMEOUT_S);
  tcase_add_loop_test(tc, t, lo, hi);
  suite_add_tcase(s, tc);
}

Suite *suite_regs(void);     /* test_regs.c: reset values, access rules */
Suite *suite_mvm(void);      /* test_mvm.c: ideal MVMs, requantization */
Suite *suite_errors(void);   /* test_errors.c: error paths, interrupts */
Suite *suite_negative(void); /* test_negative.c: the checks can fail */
Suite *suite_device(void);   /* test_device.c: each device effect, twin still exact */
Suite *suite_calib(void);    /* test_calib.c: ADC calibration in RTL, twin and firmware */
Suite *suite_program(void);  /* test_program.c: write-verify programming, front door */
Suite *suite_outfile(void);  /* test_outfile.c: outputs written whole or not at all */
Suite *suite_cal_encode(void); /* test_cal_encode.c: ADC_CAL encoding refuses, never wraps */
Suite *suite_verify(void);   /* test_verify.c: when the exact check applies, and why not */
Suite *suite_idx(void);      /* test_idx.c: the IDX dataset reader, good and bad files */
Suite *suite_net(void);      /* test_net.c: network files and the integer reference */
Suite *suite_lines(void);    /* test_lines.c: the firmware finds the bad rows and columns */
Suite *suite_activity(void); /* test_activity.c: ACT_* counters against the model's counts */
Suite *suite_abuse(void);    /* test_abuse.c: random legal and illegal APB accesses */

#endif

/* suites.h: the co-simulation test suites, one per file. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>

/* Per-test time limit in seconds: a co-simulation test is a whole process. */
#define COSIM_TIMEOUT_S 300

Suite *suite_regs(void);     /* test_regs.c: reset values, access rules */
Suite *suite_mvm(void);      /* test_mvm.c: ideal MVMs, requantization */
Suite *suite_errors(void);   /* test_errors.c: error paths, interrupts */
Suite *suite_negative(void); /* test_negative.c: the checks can fail */

#endif

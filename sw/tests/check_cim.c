/* check_cim.c: the co-simulation regression (Check, fork mode: SystemC can
 * elaborate once per process, so every test runs in its own child).
 * Filter with CK_RUN_SUITE / CK_RUN_CASE; a filter that matches nothing is a
 * failure, not a pass. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(int argc, char **argv) {
  (void)argc;
  /* the repro lines name this binary */
  setenv("CIM_TEST_PROG", argv[0], 0);
  SRunner *sr = srunner_create(suite_regs());
  srunner_add_suite(sr, suite_mvm());
  srunner_add_suite(sr, suite_errors());
  srunner_add_suite(sr, suite_negative());
  srunner_add_suite(sr, suite_calib());
  srunner_add_suite(sr, suite_device());
  srunner_add_suite(sr, suite_program());
  srunner_add_suite(sr, suite_outfile());
  srunner_add_suite(sr, suite_cal_encode());
  srunner_add_suite(sr, suite_verify());
  srunner_add_suite(sr, suite_idx());
  srunner_add_suite(sr, suite_net());
  srunner_add_suite(sr, suite_lines());
  srunner_add_suite(sr, suite_activity());
  srunner_add_suite(sr, suite_abuse());
  srunner_set_fork_status(sr, CK_FORK);
  srunner_run_all(sr, CK_NORMAL);
  int ran = srunner_ntests_run(sr);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  if (ran == 0) {
    fprintf(stderr, "check_cim: no test ran (misspelled CK_RUN_SUITE/CK_RUN_CASE?)\n");
    return EXIT_FAILURE;
  }
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

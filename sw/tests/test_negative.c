/* test_negative.c: the checks can fail. A corrupted RTL output, a twin
 * given the wrong job, and a twin given inputs other than those the RTL drove
 * must each be caught, on a real co-simulation run. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cim_golden.h"
#include "cosim.h"
#include "suites.h"

typedef struct neg_run {
  cosim_build b;
  cosim_batch batch;
  cosim_mvm mvm;
  int32_t *W, *x;
  uint64_t seed;
} neg_run;

/* One clean, passing MVM whose log stays in the array for the test to reuse. */
static void neg_setup(neg_run *n, const char *name) {
  memset(n, 0, sizeof *n);
  cosim_build_get(&n->b);
  n->seed = cosim_seed(31);
  cosim_rng r = {n->seed};
  n->W = cosim_random_weights(&r, n->b.n_out, n->b.geo.rows, n->b.w_bits);
  n->x = cosim_random_inputs(&r, n->b.geo.rows, n->b.x_bits, 1);
  n->mvm.job = (cim_job){.n_rows = n->b.geo.rows, .n_outs = n->b.n_out, .x_bits = n->b.x_bits,
                         .is_signed = 1, .out_bits = 32};
  n->mvm.conv_cycles = 2;
  n->mvm.x = n->x;
  n->batch = (cosim_batch){.array = cosim_array(n->W, n->b.n_out, n->b.geo.rows, n->seed),
                           .W = n->W, .k = n->b.geo.rows, .mvm = &n->mvm, .n_mvm = 1};
  ck_assert_int_eq(cosim_run_batch(&n->batch, NULL), 0);
  char msg[512];
  ck_assert_msg(cosim_compare(&n->mvm, 1, msg, sizeof msg) == 0,
                "the clean run already fails: %s; reproduce: %s", msg, cosim_repro(name, n->seed));
}

static void neg_teardown(neg_run *n) {
  rram_array_destroy(n->batch.array);
  free(n->W);
  free(n->x);
}

START_TEST(test_neg_corrupt_rtl_output) {
  neg_run n;
  neg_setup(&n, "test_neg_corrupt_rtl_output");
  char msg[512];
  int j = n.b.n_out / 2;
  n.mvm.y_rtl[j] ^= 1; /* one flipped bit, as a datapath fault would */
  ck_assert_int_eq(cosim_compare(&n.mvm, 1, msg, sizeof msg), 1);
  ck_assert_msg(strstr(msg, "twin mismatch") != NULL, "message: %s", msg);
  /* and the exact check alone also sees it */
  memcpy(n.mvm.y_twin, n.mvm.y_rtl, sizeof n.mvm.y_twin);
  ck_assert_int_eq(cosim_compare(&n.mvm, 1, msg, sizeof msg), 1);
  ck_assert_msg(strstr(msg, "exact mismatch") != NULL, "message: %s", msg);
  neg_teardown(&n);
}
END_TEST

START_TEST(test_neg_broken_twin) {
  neg_run n;
  neg_setup(&n, "test_neg_broken_twin");
  /* a twin that rounds differently from the RTL: it must disagree */
  cim_job job = n.mvm.job;
  job.shift = 3;
  int32_t y[1024];
  ck_assert_int_eq(cim_twin_run(n.batch.array, n.b.w_bits, &job, n.x, NULL, y, NULL, 0), RRAM_OK);
  int differ = 0;
  for (int j = 0; j < n.b.n_out; j++) differ += y[j] != n.mvm.y_rtl[j];
  ck_assert_msg(differ > 0, "a twin with shift 3 still matched the RTL's shift-0 outputs");
  neg_teardown(&n);
}
END_TEST

START_TEST(test_neg_twin_sees_wrong_wordlines) {
  neg_run n;
  neg_setup(&n, "test_neg_twin_sees_wrong_wordlines");
  /* inputs other than those loaded into the macro: the wordlines the RTL
   * drove no longer match, and the twin must refuse the log */
  int32_t *x = malloc(sizeof *x * (size_t)n.b.geo.rows);
  memcpy(x, n.x, sizeof *x * (size_t)n.b.geo.rows);
  x[n.b.geo.rows - 1] ^= 1;
  char err[256] = "";
  int32_t y[1024];
  int rc = cim_twin_run(n.batch.array, n.b.w_bits, &n.mvm.job, x, NULL, y, err, sizeof err);
  ck_assert_msg(rc == RRAM_ESEQ, "twin accepted a log driven by other inputs (rc %d)", rc);
  ck_assert_msg(err[0] != '\0', "the twin gave no reason");
  free(x);
  neg_teardown(&n);
}
END_TEST

Suite *suite_negative(void) {
  Suite *s = suite_create("negative");
  suite_add_test(s, test_neg_corrupt_rtl_output);
  suite_add_test(s, test_neg_broken_twin);
  suite_add_test(s, test_neg_twin_sees_wrong_wordlines);
  return s;
}

/* test_negative.c: the checks can fail, on the shipped path. Each test
 * corrupts a real co-simulation run (an output on its way to the firmware, an
 * ADC code on its way to the RTL, the job or the inputs the checker is given)
 * and shows that the shipped checked-MVM routine (sw/host/cim_verify.h, the
 * one the CLI runs) reports it for its own reason. */
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

/* One MVM of every output and row, with the fault inject (NULL: none); the
 * run's log stays in the array for the test to check again. */
static void neg_run_mvm(neg_run *n, const char *inject) {
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
                           .W = n->W, .k = n->b.geo.rows, .mvm = &n->mvm, .n_mvm = 1,
                           .inject = inject};
  ck_assert_int_eq(cosim_run_batch(&n->batch, NULL), 0);
  ck_assert_int_eq(n->mvm.status, CIM_OK);
}

/* The same with every weight w and every input x. */
static void neg_run_fixed(neg_run *n, int32_t w, int32_t x) {
  memset(n, 0, sizeof *n);
  cosim_build_get(&n->b);
  n->seed = cosim_seed(31);
  const size_t nw = (size_t)n->b.n_out * (size_t)n->b.geo.rows;
  n->W = malloc(sizeof *n->W * nw);
  n->x = malloc(sizeof *n->x * (size_t)n->b.geo.rows);
  ck_assert(n->W != NULL && n->x != NULL);
  for (size_t i = 0; i < nw; i++) n->W[i] = w;
  for (int r = 0; r < n->b.geo.rows; r++) n->x[r] = x;
  n->mvm.job = (cim_job){.n_rows = n->b.geo.rows, .n_outs = n->b.n_out, .x_bits = n->b.x_bits,
                         .is_signed = 1, .out_bits = 32};
  n->mvm.conv_cycles = 2;
  n->mvm.x = n->x;
  n->batch = (cosim_batch){.array = cosim_array(n->W, n->b.n_out, n->b.geo.rows, n->seed),
                           .W = n->W, .k = n->b.geo.rows, .mvm = &n->mvm, .n_mvm = 1};
  ck_assert_int_eq(cosim_run_batch(&n->batch, NULL), 0);
  ck_assert_int_eq(n->mvm.status, CIM_OK);
}

static void neg_free(neg_run *n) {
  rram_array_destroy(n->batch.array);
  free(n->W);
  free(n->x);
}

/* Check the finished run again with the shipped routine, on job and x. */
static unsigned recheck(neg_run *n, const cim_job *job, const int32_t *x, cim_check *chk) {
  cim_verify *v = NULL;
  ck_assert_int_eq(cim_verify_create(n->batch.array, n->W, n->b.n_out, n->b.geo.rows,
                                     n->b.w_bits, &v), CIM_OK);
  cim_check_init(chk);
  unsigned bits = cim_verify_outputs(v, job, x, n->mvm.y_rtl, chk);
  cim_verify_destroy(v);
  return bits;
}

/* Without a fault the same run passes: each negative test below fails for
 * its fault, not for its set-up. */
START_TEST(test_neg_clean_run_passes) {
  neg_run n;
  neg_run_mvm(&n, NULL);
  char msg[512];
  ck_assert_msg(cosim_compare(&n.mvm, cosim_exact_owed(&n.mvm.job), msg, sizeof msg) == 0,
                "clean run fails: %s; reproduce: %s",
                msg, cosim_repro("test_neg_clean_run_passes", n.seed));
  cim_check chk;
  /* the exact comparison is counted always; owed only where nothing clips */
  const unsigned allowed = cosim_exact_owed(&n.mvm.job) ? 0u : CIM_CHECK_EXACT_FAIL;
  ck_assert_uint_eq(recheck(&n, &n.mvm.job, n.x, &chk) & ~allowed, 0);
  ck_assert(cim_check_passed(&chk));
  neg_free(&n);
}
END_TEST

/* One bit of one output flipped between the output buffer and the firmware:
 * the twin check names that output, and the exact check sees it too. */
START_TEST(test_neg_corrupt_rtl_output) {
  neg_run n;
  char spec[32], msg[512];
  cosim_build_get(&n.b);
  const int j = n.b.n_out / 2;
  snprintf(spec, sizeof spec, "out:%d:0", j);
  neg_run_mvm(&n, spec);
  const int owed = cosim_exact_owed(&n.mvm.job);
  ck_assert_int_eq(cosim_compare(&n.mvm, owed, msg, sizeof msg), 1);
  ck_assert_msg(strstr(msg, "twin mismatch") != NULL, "message: %s", msg);
  const cim_check *k = &n.mvm.chk;
  ck_assert(!cim_check_passed(k));
  ck_assert_int_eq(k->twin_first.column, j);
  ck_assert_int_eq(k->twin_first.rtl ^ k->twin_first.twin, 1);
  if (owed) { /* where every MVM may clip, only the twin can see it */
    ck_assert_uint_eq(k->exact_fail_outputs, 1);
    ck_assert_int_eq(k->exact_first.column, j);
  }
  neg_free(&n);
}
END_TEST

/* The RTL receives a code one LSB off what the analog model logged for the
 * first conversion: the twin, fed with the log, disagrees. */
START_TEST(test_neg_adc_code_differs_from_log) {
  neg_run n;
  char msg[512];
  neg_run_mvm(&n, "adc:0:1");
  ck_assert_int_ge(cosim_compare(&n.mvm, 1, msg, sizeof msg), 1);
  ck_assert_msg(strstr(msg, "twin mismatch") != NULL, "message: %s", msg);
  ck_assert(!cim_check_twin_ok(&n.mvm.chk));
  neg_free(&n);
}
END_TEST

/* The checker given a job other than the one the RTL ran: the RTL read its
 * inputs as signed, the checker is told unsigned (the same bit patterns, so
 * the same wordlines). With every input negative and every weight at the
 * top of its range, each output differs by 2^X_BITS x w_max x K, whatever
 * the configuration: the twin's outputs must differ from the RTL's. */
START_TEST(test_neg_broken_twin_job) {
  neg_run n;
  cosim_build b;
  cosim_build_get(&b);
  const int32_t w_max = (1 << (b.w_bits - 1)) - 1, x_min = -(1 << (b.x_bits - 1));
  n.W = NULL;
  neg_run_fixed(&n, w_max, x_min);
  cim_job job = n.mvm.job;
  job.is_signed = 0;
  int32_t *xu = malloc(sizeof *xu * (size_t)b.geo.rows);
  ck_assert_ptr_nonnull(xu);
  for (int r = 0; r < b.geo.rows; r++) xu[r] = n.x[r] + (1 << b.x_bits); /* same bits */
  cim_check chk;
  unsigned bits = recheck(&n, &job, xu, &chk);
  ck_assert_msg(bits & CIM_CHECK_TWIN_FAIL, "a twin told 'unsigned' matched the RTL's signed run");
  ck_assert_uint_eq(chk.twin_refused, 0); /* a mismatch, not a refused log */
  ck_assert_uint_eq(chk.twin_fail_outputs, (uint64_t)b.n_out);
  ck_assert(!cim_check_passed(&chk));
  /* the right job on the same run passes: the failure is the job's */
  const unsigned allowed = cosim_exact_owed(&n.mvm.job) ? 0u : CIM_CHECK_EXACT_FAIL;
  ck_assert_uint_eq(recheck(&n, &n.mvm.job, n.x, &chk) & ~allowed, 0);
  ck_assert(cim_check_passed(&chk));
  free(xu);
  neg_free(&n);
}
END_TEST

/* The checker given inputs other than those loaded into the macro: the
 * wordlines the RTL drove no longer match, and the twin refuses the log. */
START_TEST(test_neg_twin_sees_wrong_wordlines) {
  neg_run n;
  neg_run_mvm(&n, NULL);
  int32_t *x = malloc(sizeof *x * (size_t)n.b.geo.rows);
  memcpy(x, n.x, sizeof *x * (size_t)n.b.geo.rows);
  x[n.b.geo.rows - 1] ^= 1;
  cim_check chk;
  unsigned bits = recheck(&n, &n.mvm.job, x, &chk);
  ck_assert(bits & CIM_CHECK_TWIN_FAIL);
  ck_assert_uint_eq(chk.twin_refused, 1);
  ck_assert_int_eq(chk.twin_first.column, -1);
  ck_assert_msg(chk.twin_first.twin_err[0] != '\0', "the twin gave no reason");
  ck_assert(!cim_check_passed(&chk));
  free(x);
  neg_free(&n);
}
END_TEST

Suite *suite_negative(void) {
  Suite *s = suite_create("negative");
  suite_add_test(s, test_neg_clean_run_passes);
  suite_add_test(s, test_neg_corrupt_rtl_output);
  suite_add_test(s, test_neg_adc_code_differs_from_log);
  suite_add_test(s, test_neg_broken_twin_job);
  suite_add_test(s, test_neg_twin_sees_wrong_wordlines);
  return s;
}

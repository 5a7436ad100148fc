/* test_mvm.c: ideal MVMs through the verilated periphery equal the exact
 * integer MVM, and the RTL equals the twin bit for bit, over shapes, input
 * formats, row-group sizes, ADC latencies and the output stage. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cim_map.h"
#include "cosim.h"
#include "suites.h"

/* How one batch test draws its MVMs. */
typedef struct batch_plan {
  const char *name;
  uint64_t seed;
  int n_mvm;
  int exact;   /* the exact check applies (ideal device, P fits the ADC) */
  void (*draw)(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k);
} batch_plan;

/* CYCLES from START to DONE, as the data path in README runs it: per phase
 * (row group x input plane) one drive cycle, one start cycle, each mux
 * select's conversion (CONV_CYCLES busy, then one done cycle in which the
 * next select starts) and one accumulate cycle; then one cycle per output.
 * The selects stop at the last active column of ADC 0. */
static uint32_t mvm_cycles(const cosim_build *b, const cim_job *j, int conv) {
  int act = j->n_outs * 2 * cim_map_slices(b->w_bits, b->geo.cell_bits);
  int sels = act < b->geo.cols_per_adc ? act : b->geo.cols_per_adc;
  int groups = (j->n_rows + j->group_rows - 1) / j->group_rows;
  return (uint32_t)(groups * j->x_bits * (3 + sels * (conv + 1)) + j->n_outs);
}

static void run_plan(const batch_plan *p) {
  cosim_build b;
  cosim_build_get(&b);
  uint64_t seed = cosim_seed(p->seed);
  cosim_rng r = {seed};
  /* one array per test: W over every row and output, jobs use a corner of it */
  int32_t *W = cosim_random_weights(&r, b.n_out, b.geo.rows, b.w_bits);
  ck_assert_ptr_nonnull(W);
  cosim_mvm *mvm = calloc((size_t)p->n_mvm, sizeof *mvm);
  int32_t **xs = calloc((size_t)p->n_mvm, sizeof *xs);
  ck_assert_ptr_nonnull(mvm);
  for (int i = 0; i < p->n_mvm; i++) {
    int k = 0;
    p->draw(&r, &b, i, &mvm[i], &k);
    xs[i] = cosim_random_inputs(&r, b.geo.rows, mvm[i].job.x_bits, mvm[i].job.is_signed);
    mvm[i].x = xs[i];
  }
  cosim_batch batch = {.array = cosim_array(W, b.n_out, b.geo.rows, seed),
                       .W = W, .k = b.geo.rows, .mvm = mvm, .n_mvm = p->n_mvm};
  ck_assert_ptr_nonnull(batch.array);
  cim_sim_stats st = {0};
  int rc = cosim_run_batch(&batch, &st);
  ck_assert_msg(rc == 0, "simulation failed (%d); reproduce: %s", rc, cosim_repro(p->name, seed));
  ck_assert_msg(batch.open_status == CIM_OK, "cim_open: %s", cim_strerror(batch.open_status));
  for (int i = 0; i < p->n_mvm; i++) {
    char msg[512];
    const cim_job *j = &mvm[i].job;
    int bad = cosim_compare(&mvm[i], p->exact && cosim_exact_owed(j), msg, sizeof msg);
    ck_assert_msg(bad == 0,
                  "MVM %d (K=%d N=%d x_bits=%d %s P=%d conv=%d relu=%d shift=%d out_bits=%d): "
                  "%d outputs wrong, first: %s\nseed %" PRIu64 "; reproduce: %s",
                  i, j->n_rows, j->n_outs, j->x_bits, j->is_signed ? "signed" : "unsigned",
                  j->group_rows, mvm[i].conv_cycles, j->relu, j->shift, j->out_bits, bad, msg,
                  seed, cosim_repro(p->name, seed));
    ck_assert_msg(mvm[i].cycles == mvm_cycles(&b, j, mvm[i].conv_cycles),
                  "MVM %d (K=%d N=%d x_bits=%d P=%d conv=%d): CYCLES %u, the sequence takes %u",
                  i, j->n_rows, j->n_outs, j->x_bits, j->group_rows, mvm[i].conv_cycles,
                  mvm[i].cycles, mvm_cycles(&b, j, mvm[i].conv_cycles));
  }
  for (int i = 0; i < p->n_mvm; i++) free(xs[i]);
  free(xs);
  free(mvm);
  free(W);
  rram_array_destroy(batch.array);
}

static void job_plain(cosim_mvm *m, int n_rows, int n_outs, int x_bits, int is_signed, int p) {
  m->job = (cim_job){.n_rows = n_rows, .n_outs = n_outs, .x_bits = x_bits,
                     .is_signed = is_signed, .group_rows = p, .out_bits = 32};
  m->conv_cycles = 4;
  m->wait = CIM_WAIT_POLL;
}

/* full array, unsigned then signed, driver-chosen P */
static void draw_full(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k) {
  (void)r;
  job_plain(m, b->geo.rows, b->n_out, b->x_bits, i % 2, 0);
  *k = b->geo.rows;
}

/* partial and odd shapes: corners, one row, one output, odd counts */
static void draw_shapes(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k) {
  const int rows = b->geo.rows, outs = b->n_out;
  int shapes[][2] = {{1, 1}, {rows, 1}, {1, outs}, {rows / 2 + 1, outs / 2 + 1},
                     {rows - 1 > 0 ? rows - 1 : 1, outs - 1 > 0 ? outs - 1 : 1}};
  int n = (int)(sizeof shapes / sizeof shapes[0]);
  if (i < n) {
    job_plain(m, shapes[i][0], shapes[i][1], b->x_bits, i % 2, 0);
  } else {
    job_plain(m, cosim_range(r, 1, rows), cosim_range(r, 1, outs), b->x_bits, i % 2, 0);
  }
  *k = m->job.n_rows;
}

/* every input width 1..X_BITS, both signednesses, random P and ADC latency */
static void draw_formats(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k) {
  int x_bits = 1 + (i / 2) % b->x_bits;
  int is_signed = i % 2; /* 1-bit signed inputs are {-1, 0} */
  static const int conv[] = {1, 2, 3, 7, 16};
  job_plain(m, cosim_range(r, 1, b->geo.rows), cosim_range(r, 1, b->n_out), x_bits, is_signed,
            cosim_range(r, 1, b->p_fit));
  m->conv_cycles = conv[cosim_next(r) % (sizeof conv / sizeof conv[0])];
  m->wait = (cosim_next(r) & 1) ? CIM_WAIT_IRQ : CIM_WAIT_POLL;
  *k = m->job.n_rows;
}

/* the output stage: ReLU, shifts with rounding, saturation to narrow widths */
static void draw_requant(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k) {
  job_plain(m, b->geo.rows, b->n_out, b->x_bits, (int)(cosim_next(r) & 1), 0);
  m->job.relu = i % 2;
  m->job.shift = (int)(cosim_next(r) % 16);
  static const int widths[] = {2, 4, 8, 12, 16, 32};
  m->job.out_bits = widths[(i / 2) % 6];
  *k = m->job.n_rows;
}

START_TEST(test_mvm_full) {
  batch_plan p = {"test_mvm_full", 11, 4, 1, draw_full};
  run_plan(&p);
}
END_TEST

START_TEST(test_mvm_shapes) {
  batch_plan p = {"test_mvm_shapes", 12, 10, 1, draw_shapes};
  run_plan(&p);
}
END_TEST

START_TEST(test_mvm_formats) {
  cosim_build b;
  cosim_build_get(&b);
  batch_plan p = {"test_mvm_formats", 13, 4 * b.x_bits, 1, draw_formats};
  run_plan(&p);
}
END_TEST

START_TEST(test_mvm_requant) {
  batch_plan p = {"test_mvm_requant", 14, 12, 1, draw_requant};
  run_plan(&p);
}
END_TEST

/* The largest row group the build allows. Where P_MAX exceeds what the ADC
 * can hold, column sums clip and the exact MVM is out of reach, yet the RTL
 * must still equal the twin bit for bit; the exact check applies otherwise. */
static void draw_p_max(cosim_rng *r, const cosim_build *b, int i, cosim_mvm *m, int *k) {
  (void)r;
  job_plain(m, b->geo.rows, b->n_out, b->x_bits, i % 2, b->p_max);
  *k = b->geo.rows;
}

START_TEST(test_mvm_p_max) {
  cosim_build b;
  cosim_build_get(&b);
  batch_plan p = {"test_mvm_p_max", 15, 2, b.p_max <= b.p_fit, draw_p_max};
  run_plan(&p);
}
END_TEST

/* ADC clipping, made certain: every weight the largest positive value (its
 * low slices at the top level) and every input the largest unsigned value,
 * so all P_MAX rows of a group conduct at the top level in every phase. Where
 * P_MAX x LEVEL_MAX exceeds the ADC's full scale the converter clips: the
 * checker must say the exact check does not apply and why, the twin must
 * still match bit for bit, and the exact comparison must show the loss (the
 * run still passes). Where it cannot clip (this configuration allows no
 * group past the ADC), the exact check applies and holds. */
START_TEST(test_mvm_adc_clipping) {
  cosim_build b;
  cosim_build_get(&b);
  const uint64_t seed = cosim_seed(16);
  const int rows = b.geo.rows, n = b.n_out;
  const long level_max = (1L << b.geo.cell_bits) - 1, adc_max = (1L << b.geo.adc_bits) - 1;
  const int clips = (long)b.p_max * level_max > adc_max;
  /* the generated P_FIT says the same (it is at least 1, even where one
   * cell alone clips) */
  ck_assert_int_eq(clips, b.p_fit < b.p_max || level_max > adc_max);
  int32_t *W = malloc(sizeof *W * (size_t)n * (size_t)rows);
  int32_t *x = malloc(sizeof *x * (size_t)rows);
  ck_assert(W != NULL && x != NULL);
  for (size_t i = 0; i < (size_t)n * (size_t)rows; i++) W[i] = (1 << (b.w_bits - 1)) - 1;
  for (int r = 0; r < rows; r++) x[r] = (1 << b.x_bits) - 1;
  cosim_mvm m;
  memset(&m, 0, sizeof m);
  job_plain(&m, rows, n, b.x_bits, 0, b.p_max);
  m.x = x;
  cosim_batch batch = {.array = cosim_array(W, n, rows, seed), .W = W, .k = rows, .mvm = &m,
                       .n_mvm = 1};
  ck_assert_ptr_nonnull(batch.array);
  ck_assert_int_eq(cosim_run_batch(&batch, NULL), 0);
  char msg[512];
  const cim_check *k = &m.chk;
  if (clips) {
    ck_assert_msg(!m.exact_applies, "P_MAX %d x level %ld > %ld, yet the exact check applies",
                  b.p_max, level_max, adc_max);
    ck_assert_msg(strstr(m.exact_why, "ADC clipping") != NULL, "reason: %s", m.exact_why);
    ck_assert_msg(cosim_compare(&m, 0, msg, sizeof msg) == 0, "%s; reproduce: %s", msg,
                  cosim_repro("test_mvm_adc_clipping", seed));
    ck_assert_msg(k->exact_fail_outputs > 0, "clipped sums, yet every output equals W x");
    ck_assert_uint_eq(k->exact_applied, 0);
    ck_assert(cim_check_passed(k));
    ck_assert_msg(strstr(k->exact_skip_reason, "ADC clipping") != NULL, "%s",
                  k->exact_skip_reason);
    /* the same run, told that exact results are owed, must fail */
    ck_assert_int_ne(cosim_compare(&m, 1, msg, sizeof msg), 0);
  } else {
    ck_assert_msg(cosim_compare(&m, 1, msg, sizeof msg) == 0, "%s; reproduce: %s", msg,
                  cosim_repro("test_mvm_adc_clipping", seed));
    ck_assert_uint_eq(k->exact_applied, 1);
  }
  rram_array_destroy(batch.array);
  free(W);
  free(x);
}
END_TEST

Suite *suite_mvm(void) {
  Suite *s = suite_create("mvm");
  suite_add_test(s, test_mvm_full);
  suite_add_test(s, test_mvm_shapes);
  suite_add_test(s, test_mvm_formats);
  suite_add_test(s, test_mvm_requant);
  suite_add_test(s, test_mvm_p_max);
  suite_add_test(s, test_mvm_adc_clipping);
  return s;
}

/* test_activity.c: the RTL's activity counters (ACT_*, cim_activity.h)
 * against the analog model's own count of the same events
 * (rram_array_activity) on random jobs: every drive, wordline, conversion,
 * pulse and verify read; the shift-and-add operations against the phases
 * the model logged times the job's columns; busy cycles against the
 * macro's own CYCLES and WV_CYCLES. A corrupted counter read
 * (CIM_INJECT=reg:...) must fail the same comparison. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_activity.h"
#include "cim_cfg.h"
#include "cim_map.h"
#include "cim_program.h"
#include "cim_reg_enums.h"
#include "cosim.h"
#include "suites.h"

#define ACT_MVMS 6

typedef struct act_ctx {
  cosim_build b;
  rram_array *array;
  uint64_t seed;
  /* filled by the firmware */
  int status;
  const char *step;
  cim_activity rtl;
  rram_activity model;
  uint64_t want_shift_adds, cycles_mvm, cycles_wv;
  int mvms, runs;
} act_ctx;

static int fw_activity(mmio_bus *bus, void *arg) {
  act_ctx *x = arg;
  const cosim_build *b = &x->b;
  cim_dev *dev = NULL;
  cosim_rng r = {x->seed};
  int32_t *W = NULL, *in = NULL;
  cim_verify *ver = NULL;
  if ((x->status = cim_open(bus, &dev)) != CIM_OK) return 0;
  x->step = "cim_activity_clear";
  if ((x->status = cim_activity_clear(dev)) != CIM_OK) goto out;
  rram_array_activity_clear(x->array);
  /* front door: a small random block, then a read-only run over one row */
  {
    const int n = b->n_out < 2 ? b->n_out : 2, k = b->geo.rows < 4 ? b->geo.rows : 4;
    W = cosim_random_weights(&r, n, k, b->w_bits);
    cim_program_cfg cfg;
    cim_program_cfg_default(&cfg);
    cfg.tol = 0;
    cfg.max_iter = 64;
    cim_program_report rep;
    memset(&rep, 0, sizeof rep);
    x->step = "cim_program_weights";
    if (!W || (x->status = cim_program_weights(dev, W, n, k, &cfg, &rep)) != CIM_OK) goto out;
    x->cycles_wv += rep.wv_cycles;
    x->runs += rep.runs;
    uint8_t codes[16];
    const int count = b->geo.cols < 16 ? b->geo.cols : 16;
    uint32_t wv = 0;
    x->step = "cim_program_read";
    if ((x->status = cim_program_read(dev, &cfg, 0, 0, count, codes, NULL)) != CIM_OK) goto out;
    mmio_read32(bus, CIM_REGS_WV_CYCLES_OFFSET, &wv);
    x->cycles_wv += wv;
    x->runs++;
    free(W);
    W = NULL;
  }
  /* MVMs of random shapes, weights loaded by the back door */
  for (int m = 0; m < ACT_MVMS; m++) {
    const int n = cosim_range(&r, 1, b->n_out), k = cosim_range(&r, 1, b->geo.rows);
    const int x_bits = cosim_range(&r, 1, b->x_bits), sgn = x_bits > 1 && cosim_range(&r, 0, 1);
    const int group = cosim_range(&r, 0, 1) ? 0 : cosim_range(&r, 1, b->p_max);
    W = cosim_random_weights(&r, n, k, b->w_bits);
    in = cosim_random_inputs(&r, k, x_bits, sgn);
    x->step = "cim_map_load";
    if (!W || !in || cim_map_load(x->array, W, n, k, b->w_bits) != RRAM_OK) {
      x->status = CIM_ENOMEM;
      goto out;
    }
    const cim_job job = {.n_rows = k, .n_outs = n, .x_bits = x_bits, .is_signed = sgn,
                         .group_rows = group, .out_bits = 32};
    x->step = "cim_configure";
    if ((x->status = cim_configure(dev, &job)) != CIM_OK) goto out;
    x->step = "cim_verify_create";
    if ((x->status = cim_verify_create(x->array, W, n, k, b->w_bits, &ver)) != CIM_OK) goto out;
    int32_t y[1024];
    uint32_t cyc = 0;
    cim_check chk;
    cim_check_init(&chk);
    x->step = "cim_verify_mvm";
    if ((x->status = cim_verify_mvm(ver, dev, in, CIM_WAIT_POLL, y, &cyc, &chk, &x->step)) != CIM_OK)
      goto out;
    /* the log holds this MVM's phases: each adds 2S codes per active output */
    x->want_shift_adds += (uint64_t)rram_array_log_phases(x->array) * (uint64_t)n * CIM_CFG_COLS_PER_OUT;
    uint32_t c = 0;
    x->step = "cim_last_cycles";
    if ((x->status = cim_last_cycles(dev, &c)) != CIM_OK) goto out;
    x->cycles_mvm += c;
    x->mvms++;
    cim_verify_destroy(ver);
    ver = NULL;
    free(W);
    free(in);
    W = in = NULL;
  }
  x->step = "cim_activity_read";
  if ((x->status = cim_activity_read(dev, &x->rtl)) != CIM_OK) goto out;
  rram_array_activity(x->array, &x->model);
  x->step = NULL;
out:
  cim_verify_destroy(ver);
  free(W);
  free(in);
  cim_close(dev);
  return 0;
}

/* Run the random jobs of seed; 0 if every counter agrees, else the number
 * that disagree, each named in msg. */
static int run_activity(uint64_t seed, const char *inject, act_ctx *x, char *msg, size_t len) {
  memset(x, 0, sizeof *x);
  cosim_build_get(&x->b);
  x->seed = seed;
  x->array = cosim_array(NULL, 0, 0, seed);
  ck_assert_ptr_nonnull(x->array);
  cim_sim_opts opts = {.array = x->array, .inject = inject};
  const int rc = cim_sim_run(&opts, fw_activity, x, NULL);
  ck_assert_msg(rc == 0 && x->status == CIM_OK, "simulation %d, %s: %s", rc,
                x->step ? x->step : "", cim_strerror(x->status));
  const struct {
    const char *name;
    uint64_t rtl, want;
  } c[] = {
      {"ACT_PHASES (model: drives)", x->rtl.phases, x->model.drives},
      {"ACT_WORDLINES (model: driven wordlines)", x->rtl.wordlines, x->model.wordlines},
      {"ACT_CONVERSIONS (model: conversions)", x->rtl.conversions, x->model.conversions},
      {"ACT_SHIFT_ADDS (model: logged phases x 2S x outputs)", x->rtl.shift_adds,
       x->want_shift_adds},
      {"ACT_PULSES (model: pulses)", x->rtl.pulses, x->model.pulses},
      {"ACT_READS (model: verify reads)", x->rtl.reads, x->model.reads},
      {"ACT_BUSY (CYCLES + WV_CYCLES)", x->rtl.busy, x->cycles_mvm + x->cycles_wv},
  };
  int bad = 0;
  size_t used = 0;
  msg[0] = '\0';
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    if (c[i].rtl == c[i].want) continue;
    bad++;
    used += (size_t)snprintf(msg + used, used < len ? len - used : 0, "%s%s: RTL %" PRIu64
                             ", expected %" PRIu64, bad > 1 ? "; " : "", c[i].name, c[i].rtl,
                             c[i].want);
    if (used >= len) used = len - 1;
  }
  rram_array_destroy(x->array);
  return bad;
}

START_TEST(test_activity_counts) {
  const char *name = "test_activity_counts";
  const uint64_t seed = cosim_seed(97);
  act_ctx x;
  char msg[1024];
  const int bad = run_activity(seed, NULL, &x, msg, sizeof msg);
  ck_assert_msg(bad == 0, "%s; reproduce: %s", msg, cosim_repro(name, seed));
  ck_assert_msg(x.rtl.phases > 0 && x.rtl.conversions > 0 && x.rtl.pulses > 0 && x.rtl.reads > 0,
                "a counter saw nothing to count; reproduce: %s", cosim_repro(name, seed));
  printf("  %s (seed %" PRIu64 "): %d MVMs and %d engine runs: %" PRIu64 " phases, %" PRIu64
         " wordlines, %" PRIu64 " conversions, %" PRIu64 " shift-adds, %" PRIu64 " pulses, %" PRIu64
         " reads, %" PRIu64 " busy cycles, each equal to the model's count\n",
         name, seed, x.mvms, x.runs, x.rtl.phases, x.rtl.wordlines, x.rtl.conversions,
         x.rtl.shift_adds, x.rtl.pulses, x.rtl.reads, x.rtl.busy);
}
END_TEST

/* A counter read one too high (the bus, CIM_INJECT=reg:OFFSET:1) fails the
 * comparison, naming that counter and no other. */
START_TEST(test_activity_wrong_counter_fails) {
  const uint64_t seed = cosim_seed(97);
  const struct {
    uint32_t off;
    const char *name;
  } regs[] = {{CIM_REGS_ACT_CONVERSIONS_OFFSET, "ACT_CONVERSIONS"},
              {CIM_REGS_ACT_BUSY_OFFSET, "ACT_BUSY"}};
  const int i = _i;
  char spec[48], msg[1024];
  snprintf(spec, sizeof spec, "reg:%u:1", (unsigned)regs[i].off);
  act_ctx x;
  const int bad = run_activity(seed, spec, &x, msg, sizeof msg);
  ck_assert_msg(bad == 1 && strstr(msg, regs[i].name),
                "%s read one too high: %d counters disagree (%s)", regs[i].name, bad, msg);
  printf("  test_activity_wrong_counter_fails: %s + 1 fails: %s\n", regs[i].name, msg);
}
END_TEST

Suite *suite_activity(void) {
  Suite *s = suite_create("activity");
  suite_add_test(s, test_activity_counts);
  suite_add_loop_test(s, test_activity_wrong_counter_fails, 0, 2);
  return s;
}

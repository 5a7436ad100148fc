/* test_errors.c: every error path of the macro and the driver, interrupts,
 * and the bounded waits that keep a hung DUT from hanging the regression. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_reg_enums.h"
#include "cim_regs.h"
#include "cosim.h"
#include "fwcheck.h"
#include "suites.h"


typedef struct err_ctx {
  fwcheck c;
  cosim_build b;
  const int32_t *W; /* n_out x rows, loaded in the array */
  int32_t x[4096];
} err_ctx;

static const char *const kErrNames[] = CIM_ERR_NAMES;

static uint32_t rd(mmio_bus *bus, uint32_t addr) {
  uint32_t v = 0;
  mmio_read32(bus, addr, &v);
  return v;
}

static int run_err_fw(cim_fw_fn fw, err_ctx *ctx, uint64_t max_cycles, cim_sim_stats *st) {
  cosim_build_get(&ctx->b);
  cosim_rng r = {cosim_seed(21)};
  int32_t *W = cosim_random_weights(&r, ctx->b.n_out, ctx->b.geo.rows, ctx->b.w_bits);
  int32_t *x = cosim_random_inputs(&r, ctx->b.geo.rows, ctx->b.x_bits, 0);
  memcpy(ctx->x, x, sizeof *x * (size_t)ctx->b.geo.rows);
  ctx->W = W;
  rram_array *a = cosim_array(W, ctx->b.n_out, ctx->b.geo.rows, 1);
  ck_assert_ptr_nonnull(a);
  cim_sim_opts opts = {.array = a, .max_cycles = max_cycles};
  int rc = cim_sim_run(&opts, fw, ctx, st);
  rram_array_destroy(a);
  free(W);
  free(x);
  return rc;
}

/* A legal configuration written with raw stores, as a bring-up script would. */
static void raw_config(mmio_bus *bus, const cosim_build *b, uint32_t group_rows, uint32_t conv) {
  mmio_write32(bus, CIM_REGS_SHAPE_OFFSET,
               (uint32_t)b->geo.rows | (uint32_t)b->n_out << CIM_REGS__SHAPE__N_OUTS_bp);
  mmio_write32(bus, CIM_REGS_INPUT_OFFSET,
               (uint32_t)b->x_bits | group_rows << CIM_REGS__INPUT__GROUP_ROWS_bp);
  mmio_write32(bus, CIM_REGS_ADC_OFFSET, conv);
  mmio_write32(bus, CIM_REGS_OUTPUT_OFFSET, 32u << CIM_REGS__OUTPUT__OUT_BITS_bp);
}

static uint32_t wait_idle(mmio_bus *bus) {
  uint32_t st = 0;
  for (int i = 0; i < 1000000; i++) {
    st = rd(bus, CIM_REGS_STATUS_OFFSET);
    if (!FIELD(STATUS, BUSY, st)) break;
    mmio_delay(bus, 50);
  }
  return st;
}

/* Open the driver and start an MVM over every row, one row per group, with
 * conv-cycle conversions: long enough to act on while it runs. NULL (with
 * the reason recorded) if any step fails. */
static cim_dev *start_long_mvm(mmio_bus *bus, err_ctx *x, int conv) {
  fwcheck *c = &x->c;
  cim_dev *dev = NULL;
  fwcheck_expect(c, cim_open(bus, &dev) == CIM_OK, "cim_open");
  if (dev == NULL) return NULL;
  cim_job job = {.n_rows = x->b.geo.rows, .n_outs = x->b.n_out, .x_bits = x->b.x_bits,
                 .group_rows = 1, .out_bits = 32};
  int ok = cim_set_conv_cycles(dev, conv) == CIM_OK && cim_configure(dev, &job) == CIM_OK &&
           cim_load_inputs(dev, x->x, job.n_rows) == CIM_OK && cim_start(dev) == CIM_OK;
  fwcheck_expect(c, ok, "starting a long MVM: %s", cim_errmsg(dev));
  if (!ok) {
    cim_close(dev);
    return NULL;
  }
  return dev;
}

/* ------------------------------------------------ configurations refused */
static int fw_bad_config(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  fwcheck *c = &x->c;
  const cosim_build *b = &x->b;
  struct {
    const char *what;
    uint32_t addr, field_bm, field_bp, value;
    int err;
  } cases[] = {
      {"N_ROWS=0", CIM_REGS_SHAPE_OFFSET, CIM_REGS__SHAPE__N_ROWS_bm, CIM_REGS__SHAPE__N_ROWS_bp, 0, CIM_ERR_BAD_ROWS},
      {"N_ROWS=ROWS+1", CIM_REGS_SHAPE_OFFSET, CIM_REGS__SHAPE__N_ROWS_bm, CIM_REGS__SHAPE__N_ROWS_bp, (uint32_t)b->geo.rows + 1, CIM_ERR_BAD_ROWS},
      {"N_OUTS=0", CIM_REGS_SHAPE_OFFSET, CIM_REGS__SHAPE__N_OUTS_bm, CIM_REGS__SHAPE__N_OUTS_bp, 0, CIM_ERR_BAD_OUTS},
      {"N_OUTS=N_OUT+1", CIM_REGS_SHAPE_OFFSET, CIM_REGS__SHAPE__N_OUTS_bm, CIM_REGS__SHAPE__N_OUTS_bp, (uint32_t)b->n_out + 1, CIM_ERR_BAD_OUTS},
      {"X_BITS=0", CIM_REGS_INPUT_OFFSET, CIM_REGS__INPUT__X_BITS_bm, CIM_REGS__INPUT__X_BITS_bp, 0, CIM_ERR_BAD_XBITS},
      {"X_BITS=X_BITS+1", CIM_REGS_INPUT_OFFSET, CIM_REGS__INPUT__X_BITS_bm, CIM_REGS__INPUT__X_BITS_bp, (uint32_t)b->x_bits + 1, CIM_ERR_BAD_XBITS},
      {"GROUP_ROWS=0", CIM_REGS_INPUT_OFFSET, CIM_REGS__INPUT__GROUP_ROWS_bm, CIM_REGS__INPUT__GROUP_ROWS_bp, 0, CIM_ERR_BAD_GROUP},
      {"GROUP_ROWS=P_MAX+1", CIM_REGS_INPUT_OFFSET, CIM_REGS__INPUT__GROUP_ROWS_bm, CIM_REGS__INPUT__GROUP_ROWS_bp, (uint32_t)b->p_max + 1, CIM_ERR_BAD_GROUP},
      {"CONV_CYCLES=0", CIM_REGS_ADC_OFFSET, CIM_REGS__ADC__CONV_CYCLES_bm, CIM_REGS__ADC__CONV_CYCLES_bp, 0, CIM_ERR_BAD_ADC},
      {"OUT_BITS=1", CIM_REGS_OUTPUT_OFFSET, CIM_REGS__OUTPUT__OUT_BITS_bm, CIM_REGS__OUTPUT__OUT_BITS_bp, 1, CIM_ERR_BAD_OUTPUT},
      {"OUT_BITS=33", CIM_REGS_OUTPUT_OFFSET, CIM_REGS__OUTPUT__OUT_BITS_bm, CIM_REGS__OUTPUT__OUT_BITS_bp, 33, CIM_ERR_BAD_OUTPUT},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* X_BITS+1 may not fit its field when the build uses all of it */
    if ((cases[i].value << cases[i].field_bp & cases[i].field_bm) >> cases[i].field_bp != cases[i].value)
      continue;
    raw_config(bus, b, 1, 4);
    uint32_t v = rd(bus, cases[i].addr);
    v = (v & ~cases[i].field_bm) | (cases[i].value << cases[i].field_bp);
    mmio_write32(bus, cases[i].addr, v);
    mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 0xFFFFFFFFu);
    mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
    mmio_delay(bus, 5);
    uint32_t st = rd(bus, CIM_REGS_STATUS_OFFSET);
    uint32_t code = FIELD(STATUS, ERR_CODE, st);
    fwcheck_expect(c, FIELD(STATUS, BUSY, st) == 0, "%s: the macro started anyway", cases[i].what);
    fwcheck_expect(c, FIELD(STATUS, ERROR, st) == 1 && (int)code == cases[i].err,
                   "%s: STATUS 0x%08x, ERR_CODE %u (%s), want %s", cases[i].what, st, code,
                   code < 8 ? kErrNames[code] : "?", kErrNames[cases[i].err]);
    uint32_t is = rd(bus, CIM_REGS_INTR_STATE_OFFSET);
    fwcheck_expect(c, FIELD(INTR_STATE, ERROR, is) == 1 && FIELD(INTR_STATE, DONE, is) == 0,
                   "%s: INTR_STATE 0x%08x, want ERROR only", cases[i].what, is);
  }
  /* a good configuration afterwards clears the error */
  raw_config(bus, b, 1, 1);
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  uint32_t st = wait_idle(bus);
  fwcheck_expect(c, FIELD(STATUS, ERROR, st) == 0 && FIELD(STATUS, DONE, st) == 1,
                 "after a legal START: STATUS 0x%08x", st);
  return 0;
}

START_TEST(test_err_bad_config) {
  err_ctx ctx = {0};
  ck_assert_int_eq(run_err_fw(fw_bad_config, &ctx, 0, NULL), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ---------------------------------------------------- START while busy */
static int fw_start_busy(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  fwcheck *c = &x->c;
  cim_dev *dev = start_long_mvm(bus, x, 8);
  if (dev == NULL) return 1;
  /* the driver refuses a second start without touching the macro */
  int rc = cim_start(dev);
  fwcheck_expect(c, rc == CIM_EBUSY, "second cim_start: %s, want EBUSY", cim_strerror(rc));
  /* a raw START while busy: accepted on the bus, recorded as an error */
  int brc = mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  fwcheck_expect(c, brc == MMIO_OK, "START while busy answered %d", brc);
  uint32_t st = rd(bus, CIM_REGS_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, BUSY, st) == 1 && FIELD(STATUS, ERR_CODE, st) == CIM_ERR_START_BUSY,
                 "STATUS 0x%08x after START while busy, want busy with START_BUSY", st);
  fwcheck_expect(c, FIELD(INTR_STATE, ERROR, rd(bus, CIM_REGS_INTR_STATE_OFFSET)) == 1,
                 "INTR_STATE.ERROR not set by START while busy");
  st = wait_idle(bus);
  fwcheck_expect(c, FIELD(STATUS, DONE, st) == 1, "the running MVM did not finish: 0x%08x", st);
  /* the running MVM went on undisturbed: its outputs are W x, where one
   * row's top level fits the ADC (else every conversion may clip) */
  int32_t y[1024];
  const cim_job one_row = {.n_rows = x->b.geo.rows, .group_rows = 1};
  for (int j = 0; j < x->b.n_out && cosim_exact_owed(&one_row); j++) {
    uint32_t v = rd(bus, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)j);
    y[j] = (int32_t)v;
    int64_t want = 0;
    for (int r = 0; r < x->b.geo.rows; r++) want += (int64_t)x->W[(size_t)j * x->b.geo.rows + r] * x->x[r];
    fwcheck_expect(c, y[j] == want, "output %d after START while busy: %d, exact %lld", j, y[j],
                   (long long)want);
  }
  cim_close(dev);
  return 0;
}

START_TEST(test_err_start_busy) {
  err_ctx ctx = {0};
  ck_assert_int_eq(run_err_fw(fw_start_busy, &ctx, 0, NULL), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* -------------------------------------- the driver refuses bad arguments */
static int fw_driver_einval(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  fwcheck *c = &x->c;
  const cosim_build *b = &x->b;
  cim_dev *dev = NULL;
  fwcheck_expect(c, cim_open(bus, &dev) == CIM_OK, "cim_open");
  if (dev == NULL) return 1;
  const cim_job good = {.n_rows = b->geo.rows, .n_outs = b->n_out, .x_bits = b->x_bits,
                        .group_rows = 0, .out_bits = 32};
  struct {
    const char *what;
    cim_job job;
  } bad[] = {
      {"n_rows", good}, {"n_rows", good}, {"n_outs", good}, {"n_outs", good},
      {"x_bits", good}, {"x_bits", good}, {"group_rows", good}, {"shift", good},
      {"out_bits", good}, {"out_bits", good},
  };
  bad[0].job.n_rows = 0;
  bad[1].job.n_rows = b->geo.rows + 1;
  bad[2].job.n_outs = 0;
  bad[3].job.n_outs = b->n_out + 1;
  bad[4].job.x_bits = 0;
  bad[5].job.x_bits = b->x_bits + 1;
  bad[6].job.group_rows = b->p_max + 1;
  bad[7].job.shift = 32;
  bad[8].job.out_bits = 1;
  bad[9].job.out_bits = 33;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint64_t t0 = mmio_cycles(bus);
    int rc = cim_configure(dev, &bad[i].job);
    fwcheck_expect(c, rc == CIM_EINVAL, "bad %s: %s, want EINVAL", bad[i].what, cim_strerror(rc));
    fwcheck_expect(c, strstr(cim_errmsg(dev), bad[i].what) != NULL,
                   "bad %s: message '%s' does not name the field", bad[i].what, cim_errmsg(dev));
    fwcheck_expect(c, mmio_cycles(bus) == t0, "bad %s: the driver touched the bus", bad[i].what);
  }
  fwcheck_expect(c, cim_set_conv_cycles(dev, 0) == CIM_EINVAL, "conv cycles 0 accepted");
  fwcheck_expect(c, cim_set_conv_cycles(dev, 256) == CIM_EINVAL, "conv cycles 256 accepted");
  /* inputs that do not fit the configured format */
  fwcheck_expect(c, cim_configure(dev, &good) == CIM_OK, "good job refused: %s", cim_errmsg(dev));
  int32_t xs[4] = {0, 1, 1 << b->x_bits, 2};
  uint64_t t0 = mmio_cycles(bus);
  fwcheck_expect(c, cim_load_inputs(dev, xs, 4) == CIM_EINVAL, "unsigned input 2^x_bits accepted");
  xs[2] = -1;
  fwcheck_expect(c, cim_load_inputs(dev, xs, 4) == CIM_EINVAL, "negative unsigned input accepted");
  fwcheck_expect(c, mmio_cycles(bus) == t0, "refused inputs touched the bus");
  cim_close(dev);
  return 0;
}

START_TEST(test_err_driver_einval) {
  err_ctx ctx = {0};
  ck_assert_int_eq(run_err_fw(fw_driver_einval, &ctx, 0, NULL), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------ a wait that gives up, and says where */
static int fw_timeout(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  fwcheck *c = &x->c;
  cim_dev *dev = start_long_mvm(bus, x, 200);
  if (dev == NULL) return 1;
  for (int mode = CIM_WAIT_POLL; mode <= CIM_WAIT_IRQ; mode++) {
    uint64_t t0 = mmio_cycles(bus);
    int rc = cim_wait(dev, (cim_wait_mode)mode, 100);
    uint64_t spent = mmio_cycles(bus) - t0;
    fwcheck_expect(c, rc == CIM_ETIMEOUT, "wait mode %d: %s, want ETIMEOUT", mode, cim_strerror(rc));
    fwcheck_expect(c, strstr(cim_errmsg(dev), "STATE=") != NULL,
                   "timeout message '%s' does not report the FSM state", cim_errmsg(dev));
    fwcheck_expect(c, spent < 1000, "a 100-cycle timeout took %llu cycles", (unsigned long long)spent);
  }
  /* the macro itself is fine: a patient wait completes */
  int rc = cim_wait(dev, CIM_WAIT_POLL, 100u * 1000u * 1000u);
  fwcheck_expect(c, rc == CIM_OK, "long wait: %s %s", cim_strerror(rc), cim_errmsg(dev));
  cim_close(dev);
  return 0;
}

START_TEST(test_err_timeout) {
  err_ctx ctx = {0};
  ck_assert_int_eq(run_err_fw(fw_timeout, &ctx, 0, NULL), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* -------------------------------------------------------------- interrupts */
static int fw_irq(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  fwcheck *c = &x->c;
  raw_config(bus, &x->b, 8 <= x->b.p_fit ? 8 : (uint32_t)x->b.p_fit, 2);
  /* disabled: the state bit sets but the line stays low */
  mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, 0);
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  fwcheck_expect(c, mmio_wait_irq(bus, 200000) == 0, "irq rose with INTR_ENABLE 0");
  /* a build of many rows and wide ADC muxes runs longer than that */
  (void)wait_idle(bus);
  fwcheck_expect(c, mmio_wait_irq(bus, 1) == 0, "irq rose with INTR_ENABLE 0 (at the end)");
  uint32_t is = rd(bus, CIM_REGS_INTR_STATE_OFFSET);
  fwcheck_expect(c, is == CIM_REGS__INTR_STATE__DONE_bm, "INTR_STATE 0x%08x, want DONE", is);
  /* enabling a pending bit raises the line; W1C lowers it */
  mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, CIM_REGS__INTR_ENABLE__DONE_bm);
  fwcheck_expect(c, mmio_wait_irq(bus, 2) == 1, "pending DONE + enable: no irq");
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, CIM_REGS__INTR_STATE__ERROR_bm);
  fwcheck_expect(c, rd(bus, CIM_REGS_INTR_STATE_OFFSET) == CIM_REGS__INTR_STATE__DONE_bm,
                 "W1C of ERROR cleared DONE");
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, CIM_REGS__INTR_STATE__DONE_bm);
  fwcheck_expect(c, rd(bus, CIM_REGS_INTR_STATE_OFFSET) == 0, "W1C of DONE did not clear it");
  fwcheck_expect(c, mmio_wait_irq(bus, 2) == 0, "irq still high after W1C");
  /* enabled: the line rises when the MVM is done, not before */
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  fwcheck_expect(c, FIELD(STATUS, BUSY, rd(bus, CIM_REGS_STATUS_OFFSET)) == 1, "not busy");
  fwcheck_expect(c, mmio_wait_irq(bus, 2000000) == 1, "no irq at the end of the MVM");
  uint32_t st = rd(bus, CIM_REGS_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, DONE, st) == 1 && FIELD(STATUS, BUSY, st) == 0,
                 "irq before done: STATUS 0x%08x", st);
  /* the error interrupt */
  mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 3);
  mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, CIM_REGS__INTR_ENABLE__ERROR_bm);
  mmio_write32(bus, CIM_REGS_ADC_OFFSET, 0);
  mmio_write32(bus, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  fwcheck_expect(c, mmio_wait_irq(bus, 100) == 1, "no irq for a refused START");
  return 0;
}

START_TEST(test_irq) {
  err_ctx ctx = {0};
  ck_assert_int_eq(run_err_fw(fw_irq, &ctx, 0, NULL), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ----------------------------------------------- the simulation's watchdog */
static int fw_spin(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  /* a firmware bug: wait for a bit that never sets */
  for (;;) {
    uint32_t v = 0;
    int rc = mmio_read32(bus, CIM_REGS_CYCLES_OFFSET, &v);
    fwcheck_expect(&x->c, rc == MMIO_OK || rc == MMIO_TIMEOUT, "read status %d", rc);
    if (rc == MMIO_TIMEOUT) return 7;
  }
}

START_TEST(test_sim_watchdog) {
  err_ctx ctx = {0};
  cim_sim_stats st = {0};
  int rc = run_err_fw(fw_spin, &ctx, 5000, &st);
  ck_assert_int_eq(rc, 7);
  ck_assert_int_eq(st.watchdog_fired, 1);
  ck_assert_msg(st.cycles >= 5000 && st.cycles < 5100, "stopped at %llu cycles",
                (unsigned long long)st.cycles);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* --------------------------------------- an RTL assertion stops the run */
static int fw_reads(mmio_bus *bus, void *arg) {
  err_ctx *x = arg;
  int n_ok = 0, n_timeout = 0;
  for (int i = 0; i < 10; i++) {
    uint32_t v = 0;
    int rc = mmio_read32(bus, CIM_REGS_CYCLES_OFFSET, &v);
    n_ok += rc == MMIO_OK;
    n_timeout += rc == MMIO_TIMEOUT;
  }
  /* the third transfer breaks the APB protocol: it and every later call fail */
  fwcheck_expect(&x->c, n_ok == 2 && n_timeout == 8, "%d reads OK, %d timed out; want 2 and 8",
                 n_ok, n_timeout);
  return 0;
}

/* The process neither aborts nor goes on: the failing assertion is named in
 * the statistics, the DUT stops like at the watchdog, and the run fails. */
START_TEST(test_sim_assertion) {
  err_ctx ctx = {0};
  cim_sim_stats st = {0};
  cosim_build_get(&ctx.b);
  cosim_rng r = {cosim_seed(22)};
  int32_t *W = cosim_random_weights(&r, ctx.b.n_out, ctx.b.geo.rows, ctx.b.w_bits);
  rram_array *a = cosim_array(W, ctx.b.n_out, ctx.b.geo.rows, 1);
  ck_assert_ptr_nonnull(a);
  cim_sim_opts opts = {.array = a, .inject = "apb:3"};
  int rc = cim_sim_run(&opts, fw_reads, &ctx, &st);
  rram_array_destroy(a);
  free(W);
  ck_assert_int_eq(rc, -1);
  ck_assert_int_eq(st.assertion_failed, 1);
  ck_assert_int_eq(st.watchdog_fired, 0);
  /* the RTL file as verilated: rtl/cim_apb_regs.sv, or a folder ending in
   * rtl/ (a mutant of make mutate builds from a copy in its build folder) */
  const char *name = strstr(st.assertion_msg, "ApbStable_A (");
  const char *file = name ? strstr(name, "rtl/cim_apb_regs.sv:") : NULL;
  ck_assert_msg(file != NULL && (file == name + 13 || (file[-1] == '/' &&
                                 strcspn(name + 13, " )") > (size_t)(file - name - 13))),
                "assertion_msg: '%s'", st.assertion_msg);
  char at[64];
  snprintf(at, sizeof at, "at cycle %llu", (unsigned long long)st.assertion_cycle);
  ck_assert_msg(st.assertion_cycle > 0 && st.assertion_cycle <= st.cycles &&
                    strstr(st.assertion_msg, at) != NULL,
                "assertion_cycle %llu, cycles %llu, msg '%s'",
                (unsigned long long)st.assertion_cycle, (unsigned long long)st.cycles,
                st.assertion_msg);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

Suite *suite_errors(void) {
  Suite *s = suite_create("errors");
  suite_add_test(s, test_err_bad_config);
  suite_add_test(s, test_err_start_busy);
  suite_add_test(s, test_err_driver_einval);
  suite_add_test(s, test_err_timeout);
  suite_add_test(s, test_irq);
  suite_add_test(s, test_sim_watchdog);
  suite_add_test(s, test_sim_assertion);
  return s;
}

/* test_regs.c: the register file as the RDL describes it: identity and build
 * parameters, reset values, read/write masks, and every access the slave must
 * refuse with PSLVERR while changing nothing. */
#include <stdint.h>
#include <stdlib.h>

#include "cim_map.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"
#include "cosim.h"
#include "fwcheck.h"
#include "suites.h"

#define RESET(reg, f) ((uint32_t)CIM_REGS__##reg##__##f##_reset << CIM_REGS__##reg##__##f##_bp)

typedef struct regs_ctx {
  fwcheck c;
  cosim_build b;
} regs_ctx;

static uint32_t rd(mmio_bus *bus, fwcheck *c, uint32_t addr) {
  uint32_t v = 0;
  int rc = mmio_read32(bus, addr, &v);
  fwcheck_expect(c, rc == MMIO_OK, "read 0x%04x: status %d, want OK", addr, rc);
  return v;
}

static void wr(mmio_bus *bus, fwcheck *c, uint32_t addr, uint32_t v) {
  int rc = mmio_write32(bus, addr, v);
  fwcheck_expect(c, rc == MMIO_OK, "write 0x%04x: status %d, want OK", addr, rc);
}

static int run_fw(cim_fw_fn fw, regs_ctx *ctx) {
  rram_array *a = cosim_array(NULL, 0, 0, 1);
  ck_assert_ptr_nonnull(a);
  cim_sim_opts opts = {.array = a};
  cosim_build_get(&ctx->b);
  int rc = cim_sim_run(&opts, fw, ctx, NULL);
  rram_array_destroy(a);
  return rc;
}

/* ------------------------------------------------------------------ identity */
static int fw_identity(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  const rram_geometry *g = &x->b.geo;
  uint32_t v = rd(bus, c, CIM_REGS_ID_OFFSET);
  fwcheck_expect(c, v == CIM_REGS__ID__MAGIC_reset, "ID 0x%08x", v);
  v = rd(bus, c, CIM_REGS_VERSION_OFFSET);
  fwcheck_expect(c, FIELD(VERSION, MAJOR, v) == CIM_REGS__VERSION__MAJOR_reset, "VERSION 0x%08x", v);
  v = rd(bus, c, CIM_REGS_PARAM_ARRAY_OFFSET);
  fwcheck_expect(c, (int)FIELD(PARAM_ARRAY, ROWS, v) == g->rows, "ROWS %u", FIELD(PARAM_ARRAY, ROWS, v));
  fwcheck_expect(c, (int)FIELD(PARAM_ARRAY, COLS, v) == g->cols, "COLS %u", FIELD(PARAM_ARRAY, COLS, v));
  v = rd(bus, c, CIM_REGS_PARAM_BITS_OFFSET);
  fwcheck_expect(c, (int)FIELD(PARAM_BITS, W_BITS, v) == x->b.w_bits, "W_BITS 0x%08x", v);
  fwcheck_expect(c, (int)FIELD(PARAM_BITS, CELL_BITS, v) == g->cell_bits, "CELL_BITS 0x%08x", v);
  fwcheck_expect(c, (int)FIELD(PARAM_BITS, X_BITS, v) == x->b.x_bits, "X_BITS 0x%08x", v);
  fwcheck_expect(c, (int)FIELD(PARAM_BITS, ADC_BITS, v) == g->adc_bits, "ADC_BITS 0x%08x", v);
  v = rd(bus, c, CIM_REGS_PARAM_ADC_OFFSET);
  fwcheck_expect(c, (int)FIELD(PARAM_ADC, COLS_PER_ADC, v) == g->cols_per_adc, "COLS_PER_ADC 0x%08x", v);
  fwcheck_expect(c, (int)FIELD(PARAM_ADC, P_MAX, v) == x->b.p_max, "P_MAX 0x%08x", v);
  v = rd(bus, c, CIM_REGS_PARAM_OUT_OFFSET);
  fwcheck_expect(c, (int)FIELD(PARAM_OUT, N_OUT, v) == x->b.n_out, "N_OUT %u, cmodel says %d",
                 FIELD(PARAM_OUT, N_OUT, v), x->b.n_out);
  /* the accumulator must hold any legal sum of ADC codes without overflow */
  int slices = cim_map_slices(x->b.w_bits, g->cell_bits);
  int rows_log2 = 0;
  while ((1 << rows_log2) < g->rows) rows_log2++;
  int need = g->adc_bits + slices * g->cell_bits + x->b.x_bits + rows_log2 + 1;
  fwcheck_expect(c, (int)FIELD(PARAM_OUT, ACC_BITS, v) >= need, "ACC_BITS %u < %d",
                 FIELD(PARAM_OUT, ACC_BITS, v), need);
  return 0;
}

START_TEST(test_reg_identity) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_identity, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------------------------- reset values */
static int fw_reset_values(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  struct {
    const char *name;
    uint32_t addr, want;
  } regs[] = {
      {"SHAPE", CIM_REGS_SHAPE_OFFSET, RESET(SHAPE, N_ROWS) | RESET(SHAPE, N_OUTS)},
      {"INPUT", CIM_REGS_INPUT_OFFSET,
       RESET(INPUT, X_BITS) | RESET(INPUT, SIGNED) | RESET(INPUT, GROUP_ROWS)},
      {"ADC", CIM_REGS_ADC_OFFSET, RESET(ADC, CONV_CYCLES)},
      {"OUTPUT", CIM_REGS_OUTPUT_OFFSET,
       RESET(OUTPUT, RELU) | RESET(OUTPUT, SHIFT) | RESET(OUTPUT, OUT_BITS)},
      {"INTR_STATE", CIM_REGS_INTR_STATE_OFFSET, 0},
      {"INTR_ENABLE", CIM_REGS_INTR_ENABLE_OFFSET, 0},
      {"STATUS", CIM_REGS_STATUS_OFFSET, 0}, /* idle, no error, state Idle */
      {"CYCLES", CIM_REGS_CYCLES_OFFSET, 0},
      {"CTRL", CIM_REGS_CTRL_OFFSET, 0},
  };
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
    uint32_t v = rd(bus, c, regs[i].addr);
    fwcheck_expect(c, v == regs[i].want, "%s after reset 0x%08x, RDL says 0x%08x", regs[i].name,
                   v, regs[i].want);
  }
  return 0;
}

START_TEST(test_reg_reset_values) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_reset_values, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* The windows with a reset value: OUTBUF reads 0 before the first MVM (no
 * stale or made-up output), every ADC_CAL word is the RDL's identity, and
 * ROW_EN / COL_EN enable every line the build has and no bit past it. */
static uint32_t line_mask(int lines, int word) {
  int n = lines - 32 * word;
  return n >= 32 ? 0xFFFFFFFFu : (n <= 0 ? 0u : (1u << n) - 1u);
}

static int fw_reset_windows(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  const rram_geometry *g = &x->b.geo;
  for (int j = 0; j < x->b.n_out; j++) {
    uint32_t v = rd(bus, c, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)j);
    fwcheck_expect(c, v == 0, "OUTBUF[%d] after reset 0x%08x, want 0", j, v);
  }
  const uint32_t cal = RESET(ADC_CAL__CAL, OFFSET) | RESET(ADC_CAL__CAL, GAIN);
  for (int a = 0; a < (g->cols + g->cols_per_adc - 1) / g->cols_per_adc; a++) {
    uint32_t v = rd(bus, c, CIM_REGS_ADC_CAL_BASE + 4u * (uint32_t)a);
    fwcheck_expect(c, v == cal, "ADC_CAL[%d] after reset 0x%08x, RDL says 0x%08x", a, v, cal);
  }
  for (int w = 0; w < (g->rows + 31) / 32; w++) {
    uint32_t v = rd(bus, c, CIM_REGS_ROW_EN_BASE + 4u * (uint32_t)w);
    fwcheck_expect(c, v == line_mask(g->rows, w), "ROW_EN[%d] after reset 0x%08x, want 0x%08x",
                   w, v, line_mask(g->rows, w));
  }
  for (int w = 0; w < (g->cols + 31) / 32; w++) {
    uint32_t v = rd(bus, c, CIM_REGS_COL_EN_BASE + 4u * (uint32_t)w);
    fwcheck_expect(c, v == line_mask(g->cols, w), "COL_EN[%d] after reset 0x%08x, want 0x%08x",
                   w, v, line_mask(g->cols, w));
  }
  return 0;
}

START_TEST(test_reg_reset_windows) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_reset_windows, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------------------- read/write masks */
static int fw_rw_masks(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  struct {
    const char *name;
    uint32_t addr, mask;
  } regs[] = {
      {"SHAPE", CIM_REGS_SHAPE_OFFSET, CIM_REGS__SHAPE__N_ROWS_bm | CIM_REGS__SHAPE__N_OUTS_bm},
      {"INPUT", CIM_REGS_INPUT_OFFSET,
       CIM_REGS__INPUT__X_BITS_bm | CIM_REGS__INPUT__SIGNED_bm | CIM_REGS__INPUT__GROUP_ROWS_bm},
      {"ADC", CIM_REGS_ADC_OFFSET, CIM_REGS__ADC__CONV_CYCLES_bm},
      {"OUTPUT", CIM_REGS_OUTPUT_OFFSET,
       CIM_REGS__OUTPUT__RELU_bm | CIM_REGS__OUTPUT__SHIFT_bm | CIM_REGS__OUTPUT__OUT_BITS_bm},
      {"INTR_ENABLE", CIM_REGS_INTR_ENABLE_OFFSET,
       CIM_REGS__INTR_ENABLE__DONE_bm | CIM_REGS__INTR_ENABLE__ERROR_bm |
           CIM_REGS__INTR_ENABLE__WV_DONE_bm},
  };
  const uint32_t patterns[] = {0xFFFFFFFFu, 0x00000000u, 0xA5A5A5A5u, 0x5A5A5A5Au};
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
      wr(bus, c, regs[i].addr, patterns[p]);
      uint32_t v = rd(bus, c, regs[i].addr);
      fwcheck_expect(c, v == (patterns[p] & regs[i].mask), "%s wrote 0x%08x read 0x%08x, mask 0x%08x",
                     regs[i].name, patterns[p], v, regs[i].mask);
    }
  }
  /* CTRL.START is a single pulse: it reads back 0 (here it starts an MVM with
   * whatever configuration; a bad one is refused, which is fine) */
  /* INBUF: every implemented word is storage, byte lanes masked to X_BITS */
  int words = (x->b.geo.rows + 3) / 4;
  uint32_t lane = (uint32_t)((1u << x->b.x_bits) - 1u);
  uint32_t lanes = 0;
  for (int b = 0; b < 4; b++)
    if (4 * (words - 1) + b < x->b.geo.rows) lanes |= lane << (8 * b);
  uint32_t full = lane * 0x01010101u;
  for (int w = 0; w < words; w++) wr(bus, c, CIM_REGS_INBUF_BASE + 4u * (uint32_t)w, 0x9E3779B9u * (uint32_t)(w + 1));
  for (int w = 0; w < words; w++) {
    uint32_t want = 0x9E3779B9u * (uint32_t)(w + 1) & (w == words - 1 ? lanes : full);
    uint32_t v = rd(bus, c, CIM_REGS_INBUF_BASE + 4u * (uint32_t)w);
    fwcheck_expect(c, v == want, "INBUF[%d] read 0x%08x, want 0x%08x", w, v, want);
  }
  return 0;
}

START_TEST(test_reg_rw_masks) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_rw_masks, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------------------- refused accesses */
static void expect_slverr_write(mmio_bus *bus, fwcheck *c, uint32_t addr, const char *what) {
  uint32_t before = 0, after = 0;
  int readable = mmio_read32(bus, addr & ~3u, &before) == MMIO_OK;
  int rc = mmio_write32(bus, addr, ~before);
  fwcheck_expect(c, rc == MMIO_SLVERR, "write to %s (0x%04x): status %d, want PSLVERR", what, addr, rc);
  if (readable) {
    mmio_read32(bus, addr & ~3u, &after);
    fwcheck_expect(c, after == before, "refused write to %s changed it: 0x%08x -> 0x%08x", what,
                   before, after);
  }
}

static void expect_slverr_read(mmio_bus *bus, fwcheck *c, uint32_t addr, const char *what) {
  uint32_t v = 0xDEADBEEFu;
  int rc = mmio_read32(bus, addr, &v);
  fwcheck_expect(c, rc == MMIO_SLVERR, "read of %s (0x%04x): status %d, want PSLVERR", what, addr, rc);
}

static int fw_slverr(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  /* write to read-only registers */
  expect_slverr_write(bus, c, CIM_REGS_ID_OFFSET, "ID");
  expect_slverr_write(bus, c, CIM_REGS_VERSION_OFFSET, "VERSION");
  expect_slverr_write(bus, c, CIM_REGS_PARAM_ARRAY_OFFSET, "PARAM_ARRAY");
  expect_slverr_write(bus, c, CIM_REGS_PARAM_BITS_OFFSET, "PARAM_BITS");
  expect_slverr_write(bus, c, CIM_REGS_PARAM_ADC_OFFSET, "PARAM_ADC");
  expect_slverr_write(bus, c, CIM_REGS_PARAM_OUT_OFFSET, "PARAM_OUT");
  expect_slverr_write(bus, c, CIM_REGS_STATUS_OFFSET, "STATUS");
  expect_slverr_write(bus, c, CIM_REGS_CYCLES_OFFSET, "CYCLES");
  expect_slverr_write(bus, c, CIM_REGS_OUTBUF_BASE, "OUTBUF[0]");
  /* unmapped holes and beyond the map */
  const uint32_t holes[] = {0x018, 0x01C, 0x03C, 0x048, 0x0FFC,
                            1u << CIM_REGS_ADDR_WIDTH /* past the map */};
  for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++) {
    expect_slverr_read(bus, c, holes[i], "a hole");
    expect_slverr_write(bus, c, holes[i], "a hole");
  }
  /* misaligned */
  expect_slverr_read(bus, c, CIM_REGS_SHAPE_OFFSET + 2u, "SHAPE+2");
  expect_slverr_write(bus, c, CIM_REGS_SHAPE_OFFSET + 1u, "SHAPE+1");
  /* window words past what the build implements */
  uint32_t in_words = (uint32_t)(x->b.geo.rows + 3) / 4;
  if (in_words < CIM_REGS_INBUF_WORDS) {
    expect_slverr_write(bus, c, CIM_REGS_INBUF_BASE + 4u * in_words, "INBUF past ROWS");
    expect_slverr_read(bus, c, CIM_REGS_INBUF_BASE + 4u * in_words, "INBUF past ROWS");
  }
  if ((uint32_t)x->b.n_out < CIM_REGS_OUTBUF_WORDS)
    expect_slverr_read(bus, c, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)x->b.n_out, "OUTBUF past N_OUT");
  uint32_t n_adc = (uint32_t)((x->b.geo.cols + x->b.geo.cols_per_adc - 1) / x->b.geo.cols_per_adc);
  if (n_adc < CIM_REGS_ADC_CAL_WORDS) {
    expect_slverr_write(bus, c, CIM_REGS_ADC_CAL_BASE + 4u * n_adc, "ADC_CAL past the ADCs");
    expect_slverr_read(bus, c, CIM_REGS_ADC_CAL_BASE + 4u * n_adc, "ADC_CAL past the ADCs");
  }
  if ((uint32_t)x->b.geo.cols < CIM_REGS_CODES_WORDS)
    expect_slverr_read(bus, c, CIM_REGS_CODES_BASE + 4u * (uint32_t)x->b.geo.cols, "CODES past COLS");
  expect_slverr_write(bus, c, CIM_REGS_CODES_BASE, "CODES[0]");
  /* a legal access still works afterwards */
  uint32_t v = rd(bus, c, CIM_REGS_ID_OFFSET);
  fwcheck_expect(c, v == CIM_REGS__ID__MAGIC_reset, "ID after refused accesses 0x%08x", v);
  return 0;
}

START_TEST(test_reg_pslverr) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_slverr, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------------- refused while busy */
static int fw_busy_rules(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  /* a long MVM: every row, one row per group, slow ADC */
  wr(bus, c, CIM_REGS_SHAPE_OFFSET, (uint32_t)x->b.geo.rows | 1u << CIM_REGS__SHAPE__N_OUTS_bp);
  wr(bus, c, CIM_REGS_INPUT_OFFSET, (uint32_t)x->b.x_bits | 1u << CIM_REGS__INPUT__GROUP_ROWS_bp);
  wr(bus, c, CIM_REGS_ADC_OFFSET, 50);
  wr(bus, c, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  uint32_t st = rd(bus, c, CIM_REGS_STATUS_OFFSET);
  fwcheck_expect(c, FIELD(STATUS, BUSY, st) == 1, "STATUS 0x%08x not busy after START", st);
  uint32_t shape = rd(bus, c, CIM_REGS_SHAPE_OFFSET);
  expect_slverr_write(bus, c, CIM_REGS_SHAPE_OFFSET, "SHAPE while busy");
  expect_slverr_write(bus, c, CIM_REGS_INPUT_OFFSET, "INPUT while busy");
  expect_slverr_write(bus, c, CIM_REGS_ADC_OFFSET, "ADC while busy");
  expect_slverr_write(bus, c, CIM_REGS_OUTPUT_OFFSET, "OUTPUT while busy");
  expect_slverr_write(bus, c, CIM_REGS_INBUF_BASE, "INBUF while busy");
  expect_slverr_read(bus, c, CIM_REGS_INBUF_BASE, "INBUF while busy");
  expect_slverr_read(bus, c, CIM_REGS_OUTBUF_BASE, "OUTBUF while busy");
  fwcheck_expect(c, rd(bus, c, CIM_REGS_SHAPE_OFFSET) == shape, "SHAPE changed while busy");
  /* registers that stay legal while busy */
  rd(bus, c, CIM_REGS_STATUS_OFFSET);
  wr(bus, c, CIM_REGS_INTR_ENABLE_OFFSET, 0);
  for (int i = 0; i < 100000; i++) {
    st = rd(bus, c, CIM_REGS_STATUS_OFFSET);
    if (!FIELD(STATUS, BUSY, st)) break;
    mmio_delay(bus, 100);
  }
  fwcheck_expect(c, FIELD(STATUS, DONE, st) == 1 && FIELD(STATUS, BUSY, st) == 0,
                 "STATUS 0x%08x: the MVM never finished", st);
  uint32_t v = 0;
  fwcheck_expect(c, mmio_read32(bus, CIM_REGS_OUTBUF_BASE, &v) == MMIO_OK,
                 "OUTBUF refused once idle again");
  return 0;
}

START_TEST(test_reg_busy_rules) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_busy_rules, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ------------------------------------------------ line enables, word by word */
/* Each ROW_EN / COL_EN word is written on its own: clearing a word clears
 * exactly its bits (of every word, not only word 0), a pattern reads back
 * within the build's lines, and the other words keep theirs. */
static void line_words(mmio_bus *bus, fwcheck *c, uint32_t base, int lines, const char *name) {
  const int words = (lines + 31) / 32;
  for (int w = 0; w < words; w++) {
    const uint32_t a = base + 4u * (uint32_t)w;
    const uint32_t pattern = 0xA5C3965Au & line_mask(lines, w);
    wr(bus, c, a, 0);
    uint32_t v = rd(bus, c, a);
    fwcheck_expect(c, v == 0, "%s[%d] cleared: reads 0x%08x", name, w, v);
    wr(bus, c, a, pattern);
    v = rd(bus, c, a);
    fwcheck_expect(c, v == pattern, "%s[%d] = 0x%08x reads 0x%08x", name, w, pattern, v);
    for (int o = 0; o < words; o++) {
      if (o == w) continue;
      v = rd(bus, c, base + 4u * (uint32_t)o);
      fwcheck_expect(c, v == line_mask(lines, o), "%s[%d] 0x%08x after a write of %s[%d]", name,
                     o, v, name, w);
    }
    wr(bus, c, a, 0xFFFFFFFFu);
    v = rd(bus, c, a);
    fwcheck_expect(c, v == line_mask(lines, w), "%s[%d] all set: reads 0x%08x", name, w, v);
  }
}

static int fw_line_en_words(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  line_words(bus, &x->c, CIM_REGS_ROW_EN_BASE, x->b.geo.rows, "ROW_EN");
  line_words(bus, &x->c, CIM_REGS_COL_EN_BASE, x->b.geo.cols, "COL_EN");
  return 0;
}

START_TEST(test_reg_line_en_words) {
  regs_ctx ctx = {0};
  ck_assert_int_eq(run_fw(fw_line_en_words, &ctx), 0);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

/* ---------------------------------------------- OUTBUF past the active outputs */
/* A START clears OUTBUF: after an MVM of every output, one of a single
 * output leaves words 1..N_OUT-1 at 0, not the earlier MVM's outputs. Needs
 * N_OUT >= 2 (a 1-output build has no word past the active one). */
static int mvm_raw(mmio_bus *bus, fwcheck *c, int rows, int n_outs) {
  wr(bus, c, CIM_REGS_SHAPE_OFFSET, (uint32_t)rows << CIM_REGS__SHAPE__N_ROWS_bp |
                                        (uint32_t)n_outs << CIM_REGS__SHAPE__N_OUTS_bp);
  wr(bus, c, CIM_REGS_INPUT_OFFSET, 1u << CIM_REGS__INPUT__X_BITS_bp |
                                        1u << CIM_REGS__INPUT__GROUP_ROWS_bp);
  wr(bus, c, CIM_REGS_CTRL_OFFSET, CIM_REGS__CTRL__START_bm);
  uint32_t st = 0;
  for (int i = 0; i < 100000; i++) {
    st = rd(bus, c, CIM_REGS_STATUS_OFFSET);
    if (!FIELD(STATUS, BUSY, st)) break;
    mmio_delay(bus, 100);
  }
  fwcheck_expect(c, FIELD(STATUS, DONE, st) && !FIELD(STATUS, ERROR, st),
                 "MVM of %d outputs: STATUS 0x%08x", n_outs, st);
  return FIELD(STATUS, DONE, st);
}

static int fw_outbuf_cleared(mmio_bus *bus, void *arg) {
  regs_ctx *x = arg;
  fwcheck *c = &x->c;
  const int rows = x->b.geo.rows, n_out = x->b.n_out;
  for (int w = 0; w < (rows + 3) / 4; w++) {
    wr(bus, c, CIM_REGS_INBUF_BASE + 4u * (uint32_t)w, 0x01010101u); /* every input 1 */
  }
  if (!mvm_raw(bus, c, rows, n_out)) return 0;
  int nonzero = 0;
  for (int j = 1; j < n_out; j++) {
    nonzero += rd(bus, c, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)j) != 0;
  }
  fwcheck_expect(c, nonzero > 0, "the first MVM left every output past 0 at 0: no test");
  if (!mvm_raw(bus, c, rows, 1)) return 0;
  for (int j = 1; j < n_out; j++) {
    uint32_t v = rd(bus, c, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)j);
    fwcheck_expect(c, v == 0, "OUTBUF[%d] after a 1-output MVM: 0x%08x, want 0", j, v);
  }
  return 0;
}

START_TEST(test_reg_outbuf_cleared) {
  regs_ctx ctx = {0};
  cosim_build_get(&ctx.b);
  if (ctx.b.n_out < 2) return; /* nothing past the one output */
  cosim_rng r = {cosim_seed(41)};
  int32_t *W = cosim_random_weights(&r, ctx.b.n_out, ctx.b.geo.rows, ctx.b.w_bits);
  rram_array *a = cosim_array(W, ctx.b.n_out, ctx.b.geo.rows, 1);
  ck_assert_ptr_nonnull(a);
  cim_sim_opts opts = {.array = a};
  ck_assert_int_eq(cim_sim_run(&opts, fw_outbuf_cleared, &ctx, NULL), 0);
  rram_array_destroy(a);
  free(W);
  ASSERT_FW_CLEAN(ctx);
}
END_TEST

Suite *suite_regs(void) {
  Suite *s = suite_create("regs");
  suite_add_test(s, test_reg_identity);
  suite_add_test(s, test_reg_reset_values);
  suite_add_test(s, test_reg_reset_windows);
  suite_add_test(s, test_reg_line_en_words);
  suite_add_test(s, test_reg_outbuf_cleared);
  suite_add_test(s, test_reg_rw_masks);
  suite_add_test(s, test_reg_pslverr);
  suite_add_test(s, test_reg_busy_rules);
  return s;
}

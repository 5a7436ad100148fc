/* test_abuse.c: register abuse in co-simulation. Thousands of random APB
 * reads and writes at random addresses (registers, windows, unmapped holes,
 * misaligned, past the map) with random data at random times; some land
 * while an MVM runs, some while a write-verify run is busy, and random START
 * writes start either while the other runs. Every access is classified from
 * the register map (CIM_REGS_REG_LIST / CIM_REGS_MEM_LIST, generated from
 * rtl/cim_regs.rdl) as legal or refused, and:
 *  - every refused access answers PSLVERR and changes nothing: the stored
 *    registers (and, while idle, the window word it aimed at) still hold the
 *    last legal values;
 *  - every legal access completes; a legal read of a stored register or
 *    window word returns its shadow; write-only registers read 0;
 *  - a START while busy leaves the running operation busy with
 *    STATUS.ERR_CODE START_BUSY, and every run ends within a bound (else the
 *    FSM states are reported: the DUT hung);
 * then the firmware sets the macro up again as the driver does, programs a
 * block front door (every cell lands on its level) and runs an MVM over it
 * that equals the twin and the exact MVM. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_map.h"
#include "cim_program.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"
#include "cosim.h"
#include "fwcheck.h"
#include "rram_switch.h"
#include "suites.h"

#define ABUSE_ACCESSES 40000 /* random accesses of the full test */
#define ABUSE_NEG_ACCESSES 400 /* of the negative test */
#define ABUSE_K 16          /* rows programmed and multiplied afterwards, at most */
#define ABUSE_MAX_BEYOND 4  /* accesses past the map (each prints a decode error) */

/* ------------------------------------------------------- the register map */
typedef struct reg_rule {
  const char *name;
  uint32_t off;
  int rd, wr;      /* software may read / write it */
  uint32_t stored; /* bits a write stores and a read returns */
  int hw;          /* hardware writes a readable field */
  int busy_locked; /* writes refused while busy */
} reg_rule;

static const reg_rule kRegs[] = {
#define X(n, o, r, w, s, h, b) {#n, o, r, w, s, h, b},
    CIM_REGS_REG_LIST(X)
#undef X
};
#define N_REGS ((int)(sizeof kRegs / sizeof kRegs[0]))

typedef struct mem_rule {
  const char *name;
  uint32_t base, words;
  int wr, busy_locked; /* software may write it; every access refused while busy */
} mem_rule;

static const mem_rule kMems[] = {
#define X(n, b, w, wr, bl) {#n, b, w, wr, bl},
    CIM_REGS_MEM_LIST(X)
#undef X
};
#define N_MEMS ((int)(sizeof kMems / sizeof kMems[0]))

/* The words of a window this build implements, as each window's description
 * in rtl/cim_regs.rdl states them (words past them answer PSLVERR). */
static uint32_t mem_implemented(const mem_rule *m) {
  const uint32_t wv_cells = CIM_CFG_COLS < 4u * CIM_REGS_WV_TARGET_WORDS
                                ? (uint32_t)CIM_CFG_COLS : 4u * CIM_REGS_WV_TARGET_WORDS;
  switch (m->base) {
    case CIM_REGS_INBUF_BASE: return (CIM_CFG_ROWS + 3u) / 4u;
    case CIM_REGS_OUTBUF_BASE: return CIM_CFG_N_OUT;
    case CIM_REGS_ADC_CAL_BASE: return CIM_CFG_N_ADC;
    case CIM_REGS_CODES_BASE: return CIM_CFG_COLS;
    case CIM_REGS_WV_TARGET_BASE:
    case CIM_REGS_WV_RESULT_BASE: return (wv_cells + 3u) / 4u;
    case CIM_REGS_ROW_EN_BASE: return (CIM_CFG_ROWS + 31u) / 32u;
    case CIM_REGS_COL_EN_BASE: return (CIM_CFG_COLS + 31u) / 32u;
    default: return 0;
  }
}

/* What an address hits: a register (reg >= 0), a window word (mem >= 0), or
 * nothing. */
typedef struct hit {
  int reg, mem;
  uint32_t word;
} hit;

static hit decode(uint32_t addr) {
  hit h = {-1, -1, 0};
  for (int i = 0; i < N_REGS; i++)
    if (kRegs[i].off == addr) h.reg = i;
  for (int i = 0; i < N_MEMS; i++)
    if (addr >= kMems[i].base && addr < kMems[i].base + 4u * kMems[i].words) {
      h.mem = i;
      h.word = (addr - kMems[i].base) / 4u;
    }
  return h;
}

/* Whether the slave must refuse the access (1, with the rule in *why), or
 * complete it (0), when STATUS.BUSY is busy at its setup phase. */
static int refused(uint32_t addr, int write, int busy, const char **why) {
  if (addr >> CIM_REGS_ADDR_WIDTH) return *why = "outside the map", 1;
  if (addr & 3u) return *why = "misaligned", 1;
  hit h = decode(addr);
  if (h.reg >= 0) {
    const reg_rule *r = &kRegs[h.reg];
    if (write && !r->wr) return *why = "write to a read-only register", 1;
    if (write && busy && r->busy_locked) return *why = "configuration write while busy", 1;
    return *why = "legal", 0; /* a write-only register reads 0 without an error */
  }
  if (h.mem >= 0) {
    const mem_rule *m = &kMems[h.mem];
    if (h.word >= mem_implemented(m)) return *why = "window word past the build's", 1;
    if (write && !m->wr) return *why = "write to a read-only window", 1;
    if (busy && m->busy_locked) return *why = "window access while busy", 1;
    return *why = "legal", 0;
  }
  return *why = "unmapped", 1;
}

/* ------------------------------------------------------- the firmware */
typedef struct abuse_ctx {
  fwcheck c;
  cosim_build b;
  uint64_t seed;
  int n_access;     /* random accesses to issue */
  int final_phase;  /* set up, program and multiply afterwards */
  rram_array *array;
  /* shadows: stored registers (the last legal value), and the words of the
   * writable windows as read back after the last legal write */
  uint32_t reg_shadow[64];
  uint32_t *mem_shadow[16];
  /* counts */
  int n_legal, n_refused, n_ambiguous, n_during_mvm, n_during_wv, n_unmapped, n_misaligned,
      n_beyond, n_start_busy, n_mvm_started, n_wv_started, n_config_refused, n_reads, n_writes;
  uint64_t abuse_cycles;
  int stopped;       /* the DUT stopped answering (watchdog, assertion) or hung */
  char hang_msg[256];
  /* run in progress, for its bound */
  uint64_t op_deadline;
  /* after the abuse */
  int open_status, reinit_status, prog_status;
  int32_t *W, *x;
  int k, n_out, n_col;
  cim_program_report rep;
  cosim_mvm mvm;
} abuse_ctx;

/* Accesses issued so far (the checker's own reads not counted). */
#define ACCESSES(x) ((x)->n_legal + (x)->n_refused)

static const char *const kStateNames[] = CIM_STATE_NAMES;
static const char *const kWvStateNames[] = WV_STATE_NAMES;
static const char *const kErrNames[] = CIM_ERR_NAMES;

static const char *state_name(uint32_t st) {
  uint32_t s = FIELD(STATUS, STATE, st);
  return s < sizeof kStateNames / sizeof kStateNames[0] ? kStateNames[s] : "?";
}

static const char *wv_state_name(uint32_t ws) {
  uint32_t s = FIELD(WV_STATUS, STATE, ws);
  return s < sizeof kWvStateNames / sizeof kWvStateNames[0] ? kWvStateNames[s] : "?";
}

/* A read the checker itself makes (legal at any time); a bus failure stops
 * the abuse. */
static uint32_t probe(mmio_bus *bus, abuse_ctx *x, uint32_t addr) {
  uint32_t v = 0;
  int rc = mmio_read32(bus, addr, &v);
  if (rc == MMIO_TIMEOUT) x->stopped = 1;
  fwcheck_expect(&x->c, rc == MMIO_OK || rc == MMIO_TIMEOUT, "checker read of 0x%04x answered %d",
                 addr, rc);
  return v;
}

/* Every stored and constant register still holds its shadow. Registers
 * hardware writes (hw = 1: STATUS, CYCLES, INTR_STATE's set bits, WV_STATUS,
 * WV_CELLS, WV_PULSES, WV_FAIL, WV_CYCLES, the ACT_* counters, and the
 * PARAM_* words driven from the build) change on their own and are left out,
 * as are write-only registers (nothing to read back). */
static void check_regs(mmio_bus *bus, abuse_ctx *x, int at, const char *after) {
  for (int i = 0; i < N_REGS && !x->stopped; i++) {
    const reg_rule *r = &kRegs[i];
    if (!r->rd || r->hw) continue;
    uint32_t v = probe(bus, x, r->off);
    fwcheck_expect(&x->c, x->stopped || v == x->reg_shadow[i],
                   "access %d (%s): %s is 0x%08x, the last legal write left 0x%08x", at, after,
                   r->name, v, x->reg_shadow[i]);
  }
}

/* Every implemented word of every writable window still holds its shadow
 * (call while idle). */
static void check_windows(mmio_bus *bus, abuse_ctx *x, int at, const char *when) {
  for (int m = 0; m < N_MEMS && !x->stopped; m++) {
    if (x->mem_shadow[m] == NULL) continue;
    for (uint32_t w = 0; w < mem_implemented(&kMems[m]) && !x->stopped; w++) {
      uint32_t v = probe(bus, x, kMems[m].base + 4u * w);
      fwcheck_expect(&x->c, x->stopped || v == x->mem_shadow[m][w],
                     "access %d (%s): %s[%u] is 0x%08x, the last legal write left 0x%08x", at,
                     when, kMems[m].name, w, v, x->mem_shadow[m][w]);
    }
  }
}

/* A generous bound in cycles on a run the macro accepted, from its
 * configuration (a bound for the watchdog, not a model of the timing). */
static uint64_t run_bound(const abuse_ctx *x, int wv) {
  const uint32_t *s = x->reg_shadow;
  int i_shape = 0, i_input = 0, i_adc = 0, i_cnt = 0, i_ver = 0, i_tim = 0;
  for (int i = 0; i < N_REGS; i++) {
    if (kRegs[i].off == CIM_REGS_SHAPE_OFFSET) i_shape = i;
    if (kRegs[i].off == CIM_REGS_INPUT_OFFSET) i_input = i;
    if (kRegs[i].off == CIM_REGS_ADC_OFFSET) i_adc = i;
    if (kRegs[i].off == CIM_REGS_WV_COUNT_OFFSET) i_cnt = i;
    if (kRegs[i].off == CIM_REGS_WV_VERIFY_OFFSET) i_ver = i;
    if (kRegs[i].off == CIM_REGS_WV_TIMING_OFFSET) i_tim = i;
  }
  if (wv) {
    uint64_t cells = FIELD(WV_COUNT, COUNT, s[i_cnt]);
    uint64_t iter = FIELD(WV_VERIFY, MAX_ITER, s[i_ver]) + 1u;
    uint64_t per = FIELD(WV_TIMING, WIDTH, s[i_tim]) + FIELD(WV_TIMING, READ_CYCLES, s[i_tim]) + 16u;
    return 4u * (cells * iter * per + 256u) + 10000u;
  }
  uint64_t rows = FIELD(SHAPE, N_ROWS, s[i_shape]);
  uint64_t group = FIELD(INPUT, GROUP_ROWS, s[i_input]);
  uint64_t phases = (rows + group - 1u) / (group ? group : 1u) * FIELD(INPUT, X_BITS, s[i_input]);
  uint64_t per = (uint64_t)CIM_CFG_COLS_PER_ADC * (FIELD(ADC, CONV_CYCLES, s[i_adc]) + 16u) + 32u;
  return 4u * (phases * per + 4u * CIM_CFG_N_OUT + 256u) + 10000u;
}

/* Wait, bounded, until the macro is idle; a run past its bound is a hung DUT:
 * say where both FSMs were. */
static int wait_idle(mmio_bus *bus, abuse_ctx *x, int at) {
  for (;;) {
    uint32_t st = probe(bus, x, CIM_REGS_STATUS_OFFSET);
    if (x->stopped) return -1;
    if (!FIELD(STATUS, BUSY, st)) return 0;
    if (mmio_cycles(bus) > x->op_deadline) {
      uint32_t ws = probe(bus, x, CIM_REGS_WV_STATUS_OFFSET);
      snprintf(x->hang_msg, sizeof x->hang_msg,
               "after access %d: the macro is still busy at cycle %" PRIu64
               " past its bound (cycle %" PRIu64 "): STATUS 0x%08x, STATUS.STATE=%s, "
               "WV_STATUS.STATE=%s",
               at, mmio_cycles(bus), x->op_deadline, st, state_name(st), wv_state_name(ws));
      fwcheck_expect(&x->c, 0, "%s", x->hang_msg);
      x->stopped = 1;
      return -1;
    }
    mmio_delay(bus, 64);
  }
}

/* Random data: all 32 bits, or small field values (plausible, often legal
 * configurations whose runs stay short), or the low START/READ bits. */
static uint32_t draw_data(cosim_rng *r) {
  uint32_t d = (uint32_t)cosim_next(r);
  switch (cosim_range(r, 0, 7)) {
    case 0: case 1: case 2: return d;
    case 3: case 4: return d & 0x000F000Fu;
    case 5: case 6: return d & 0x0F0F0F0Fu;
    default: return d & 3u;
  }
}

/* A random address: a register, a window word (half of them inside what the
 * build implements), misaligned, an unmapped hole, or past the map. */
static uint32_t draw_addr(cosim_rng *r, abuse_ctx *x) {
  int k = cosim_range(r, 0, 99);
  if (k < 40) return kRegs[cosim_range(r, 0, N_REGS - 1)].off;
  if (k < 70) {
    const mem_rule *m = &kMems[cosim_range(r, 0, N_MEMS - 1)];
    uint32_t impl = mem_implemented(m);
    uint32_t w = cosim_range(r, 0, 1) && impl > 0 ? (uint32_t)cosim_range(r, 0, (int32_t)impl - 1)
                                                 : (uint32_t)cosim_range(r, 0, (int32_t)m->words - 1);
    return m->base + 4u * w;
  }
  if (k < 82) {
    uint32_t a = cosim_range(r, 0, 1) ? kRegs[cosim_range(r, 0, N_REGS - 1)].off
                                      : kMems[cosim_range(r, 0, N_MEMS - 1)].base;
    return a + (uint32_t)cosim_range(r, 1, 3);
  }
  if (k < 99 || x->n_beyond >= ABUSE_MAX_BEYOND) {
    for (int t = 0; t < 256; t++) {
      uint32_t a = (uint32_t)cosim_range(r, 0, (1 << CIM_REGS_ADDR_WIDTH) / 4 - 1) * 4u;
      hit h = decode(a);
      if (h.reg < 0 && h.mem < 0) return a;
    }
    return 0x018u;
  }
  return (1u << CIM_REGS_ADDR_WIDTH) + 4u * (uint32_t)cosim_range(r, 0, 1023);
}

/* One access of the generator: issue it between two STATUS probes, classify
 * it, check its answer and what it left. Returns 0, or -1 when the abuse must
 * stop (the DUT stopped answering or hung). */
static int do_access(mmio_bus *bus, abuse_ctx *x, uint32_t addr, int write, uint32_t data) {
  fwcheck *c = &x->c;
  const int at = ACCESSES(x); /* its number, from 0 */
  uint32_t st0 = probe(bus, x, CIM_REGS_STATUS_OFFSET);
  if (x->stopped) return -1;
  const int busy0 = (int)FIELD(STATUS, BUSY, st0);
  if (busy0 && mmio_cycles(bus) > x->op_deadline) return wait_idle(bus, x, at);
  if (busy0 && FIELD(STATUS, STATE, st0) != CIM_STATE_Idle) x->n_during_mvm++;
  else if (busy0) x->n_during_wv++;
  uint32_t v = 0;
  int rc = write ? mmio_write32(bus, addr, data) : mmio_read32(bus, addr, &v);
  if (rc == MMIO_TIMEOUT) {
    x->stopped = 1;
    fwcheck_expect(c, 0, "access %d: %s 0x%05x: the DUT stopped answering (MMIO_TIMEOUT)", at,
                   write ? "write" : "read", addr);
    return -1;
  }
  uint32_t st1 = probe(bus, x, CIM_REGS_STATUS_OFFSET);
  if (x->stopped) return -1;
  const int busy1 = (int)FIELD(STATUS, BUSY, st1);
  write ? x->n_writes++ : x->n_reads++;
  /* busy at the setup phase is known when both probes agree; a run that
   * ended in between leaves it open (either answer is right then) */
  const char *why = NULL, *why_idle = NULL;
  int ref_busy = refused(addr, write, 1, &why);
  int ref_idle = refused(addr, write, 0, &why_idle);
  int known = busy0 == busy1 || ref_busy == ref_idle;
  int ref = busy0 ? ref_busy : ref_idle;
  if (!busy0) why = why_idle;
  if (!known) {
    x->n_ambiguous++;
    ref = rc == MMIO_SLVERR;
  }
  if (addr >> CIM_REGS_ADDR_WIDTH) x->n_beyond++;
  else if (addr & 3u) x->n_misaligned++;
  else if (decode(addr).reg < 0 && decode(addr).mem < 0) x->n_unmapped++;
  ref ? x->n_refused++ : x->n_legal++;
  fwcheck_expect(c, !ref || rc == MMIO_SLVERR,
                 "access %d: %s 0x%05x data 0x%08x (%s, busy %d): answered OK, want PSLVERR", at,
                 write ? "write" : "read", addr, data, why, busy0);
  fwcheck_expect(c, ref || rc == MMIO_OK, "access %d: legal %s 0x%05x (busy %d): answered %d",
                 at, write ? "write" : "read", addr, busy0, rc);
  hit h = decode(addr);
  if (!ref && rc == MMIO_OK && !(addr & 3u)) {
    if (h.reg >= 0) {
      const reg_rule *r = &kRegs[h.reg];
      if (!write && !r->rd)
        fwcheck_expect(c, v == 0, "access %d: write-only %s read 0x%08x, want 0", at, r->name, v);
      if (!write && r->rd && !r->hw)
        fwcheck_expect(c, v == x->reg_shadow[h.reg],
                       "access %d: %s read 0x%08x, the last legal write left 0x%08x", at, r->name,
                       v, x->reg_shadow[h.reg]);
      if (write && r->stored) x->reg_shadow[h.reg] = data & r->stored;
      /* START and WV_CTRL.START: accepted while idle, START_BUSY while busy */
      int start = write && ((r->off == CIM_REGS_CTRL_OFFSET && (data & CIM_REGS__CTRL__START_bm)) ||
                            (r->off == CIM_REGS_WV_CTRL_OFFSET &&
                             (data & CIM_REGS__WV_CTRL__START_bm)));
      const uint32_t err1 = FIELD(STATUS, ERR_CODE, st1);
      if (start && busy0 && busy1 && err1 == CIM_ERR_NONE) {
        /* the run ended between the probe and this START, which started the
         * next one (an accepted START clears ERR_CODE) */
        x->n_ambiguous++;
        x->op_deadline = mmio_cycles(bus) + run_bound(x, r->off == CIM_REGS_WV_CTRL_OFFSET);
      } else if (start && busy0 && busy1) {
        x->n_start_busy++;
        fwcheck_expect(c, err1 == CIM_ERR_START_BUSY,
                       "access %d: %s START while busy: STATUS 0x%08x, ERR_CODE %s, want "
                       "START_BUSY with the run going on",
                       at, r->name, st1, kErrNames[err1 % 12u]);
      } else if (start && !busy0 && busy1) {
        int wv = r->off == CIM_REGS_WV_CTRL_OFFSET;
        wv ? x->n_wv_started++ : x->n_mvm_started++;
        x->op_deadline = mmio_cycles(bus) + run_bound(x, wv);
      } else if (start && !busy0 && !busy1) {
        x->n_config_refused += FIELD(STATUS, ERROR, st1) != 0;
      }
    } else if (h.mem >= 0 && x->mem_shadow[h.mem] != NULL) {
      uint32_t *sh = &x->mem_shadow[h.mem][h.word];
      if (!write)
        fwcheck_expect(c, v == *sh, "access %d: %s[%u] read 0x%08x, the last legal write left 0x%08x",
                       at, kMems[h.mem].name, h.word, v, *sh);
      else if (!busy1)
        *sh = probe(bus, x, addr); /* what the word holds after a legal write */
    }
  }
  if (ref && write) {
    /* nothing changed: every stored register, and the word it aimed at */
    check_regs(bus, x, at, why);
    if (h.mem >= 0 && x->mem_shadow[h.mem] != NULL && h.word < mem_implemented(&kMems[h.mem]) &&
        !busy1) {
      uint32_t w = probe(bus, x, kMems[h.mem].base + 4u * h.word);
      fwcheck_expect(c, x->stopped || w == x->mem_shadow[h.mem][h.word],
                     "access %d (%s): %s[%u] is 0x%08x, the last legal write left 0x%08x", at,
                     why, kMems[h.mem].name, h.word, w, x->mem_shadow[h.mem][h.word]);
    }
  }
  return x->stopped ? -1 : 0;
}

/* A legal configuration, as firmware would write it, through the checked
 * access path: an MVM of at most 32 rows and a write-verify segment of at
 * most 8 cells, both short. */
static int legal_setup(mmio_bus *bus, abuse_ctx *x, cosim_rng *r) {
  const cosim_build *b = &x->b;
  int rows = cosim_range(r, 1, b->geo.rows < 32 ? b->geo.rows : 32);
  int group = cosim_range(r, 1, rows < b->p_max ? rows : b->p_max);
  int cells = b->geo.cols < 8 ? b->geo.cols : 8;
  int count = cosim_range(r, 1, cells);
  int col = cosim_range(r, 0, b->geo.cols - count);
  int max = cosim_range(r, 1, 255), rmax = cosim_range(r, 1, 255);
  const struct {
    uint32_t off, v;
  } w[] = {
      {CIM_REGS_SHAPE_OFFSET, (uint32_t)rows | (uint32_t)cosim_range(r, 1, b->n_out) << 16},
      {CIM_REGS_INPUT_OFFSET, (uint32_t)cosim_range(r, 1, b->x_bits) |
                                  (uint32_t)cosim_range(r, 0, 1) << CIM_REGS__INPUT__SIGNED_bp |
                                  (uint32_t)group << CIM_REGS__INPUT__GROUP_ROWS_bp},
      {CIM_REGS_ADC_OFFSET, (uint32_t)cosim_range(r, 1, 8)},
      {CIM_REGS_OUTPUT_OFFSET, (uint32_t)cosim_range(r, 0, 1) |
                                   (uint32_t)cosim_range(r, 0, 31) << CIM_REGS__OUTPUT__SHIFT_bp |
                                   (uint32_t)cosim_range(r, 2, 32) << CIM_REGS__OUTPUT__OUT_BITS_bp},
      {CIM_REGS_WV_ADDR_OFFSET, (uint32_t)cosim_range(r, 0, b->geo.rows - 1) |
                                    (uint32_t)col << CIM_REGS__WV_ADDR__COL_bp},
      {CIM_REGS_WV_COUNT_OFFSET, (uint32_t)count},
      {CIM_REGS_WV_VERIFY_OFFSET, (uint32_t)cosim_range(r, 0, 8) |
                                      (uint32_t)cosim_range(r, 1, 8) << CIM_REGS__WV_VERIFY__MAX_ITER_bp},
      {CIM_REGS_WV_SET_OFFSET, (uint32_t)cosim_range(r, 1, max) |
                                   (uint32_t)cosim_range(r, 0, 255) << CIM_REGS__WV_SET__STEP_bp |
                                   (uint32_t)max << CIM_REGS__WV_SET__MAX_bp},
      {CIM_REGS_WV_RESET_OFFSET, (uint32_t)cosim_range(r, 1, rmax) |
                                     (uint32_t)cosim_range(r, 0, 255) << CIM_REGS__WV_RESET__STEP_bp |
                                     (uint32_t)rmax << CIM_REGS__WV_RESET__MAX_bp},
      {CIM_REGS_WV_TIMING_OFFSET, (uint32_t)cosim_range(r, 1, 32) |
                                      (uint32_t)cosim_range(r, 1, 32) << CIM_REGS__WV_TIMING__READ_CYCLES_bp},
  };
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
    if (do_access(bus, x, w[i].off, 1, w[i].v) != 0) return -1;
  return 0;
}

/* The abuse phase: episodes of a legal set-up, maybe a START of either
 * kind, then random accesses at random times. */
static int abuse(mmio_bus *bus, abuse_ctx *x) {
  cosim_rng r = {x->seed};
  /* the shadows start from what the macro holds after reset */
  for (int i = 0; i < N_REGS; i++)
    if (kRegs[i].rd && !kRegs[i].hw) x->reg_shadow[i] = probe(bus, x, kRegs[i].off);
  for (int m = 0; m < N_MEMS; m++) {
    if (!kMems[m].wr) continue; /* read-only windows are written by the runs */
    uint32_t n = mem_implemented(&kMems[m]);
    x->mem_shadow[m] = calloc(n ? n : 1, sizeof(uint32_t));
    for (uint32_t w = 0; w < n; w++) x->mem_shadow[m][w] = probe(bus, x, kMems[m].base + 4u * w);
  }
  const uint64_t t0 = mmio_cycles(bus);
  while (ACCESSES(x) < x->n_access && !x->stopped) {
    if (wait_idle(bus, x, ACCESSES(x)) != 0) break;
    if (legal_setup(bus, x, &r) != 0) break;
    int kind = cosim_range(&r, 0, 2);
    if (kind == 0 && do_access(bus, x, CIM_REGS_CTRL_OFFSET, 1, CIM_REGS__CTRL__START_bm)) break;
    if (kind == 1 && do_access(bus, x, CIM_REGS_WV_CTRL_OFFSET, 1,
                               CIM_REGS__WV_CTRL__START_bm |
                                   (uint32_t)cosim_range(&r, 0, 1) << CIM_REGS__WV_CTRL__READ_bp))
      break;
    int n = cosim_range(&r, 16, 64);
    for (int i = 0; i < n && ACCESSES(x) < x->n_access && !x->stopped; i++) {
      if (cosim_range(&r, 0, 3) == 0) mmio_delay(bus, (uint32_t)cosim_range(&r, 1, 300));
      uint32_t addr = draw_addr(&r, x);
      int write = cosim_range(&r, 0, 1);
      uint32_t data = write ? draw_data(&r) : 0;
      if (cosim_range(&r, 0, 19) == 0) { /* one in 20: a START of either kind */
        addr = cosim_range(&r, 0, 1) ? CIM_REGS_CTRL_OFFSET : CIM_REGS_WV_CTRL_OFFSET;
        write = 1;
        data = (uint32_t)cosim_range(&r, 1, 3);
      }
      if (do_access(bus, x, addr, write, data) != 0) break;
    }
    if (!x->stopped && wait_idle(bus, x, ACCESSES(x)) == 0 && cosim_range(&r, 0, 7) == 0)
      check_windows(bus, x, ACCESSES(x), "between episodes");
  }
  if (!x->stopped && wait_idle(bus, x, ACCESSES(x)) == 0) {
    check_regs(bus, x, ACCESSES(x), "at the end");
    check_windows(bus, x, ACCESSES(x), "at the end");
  }
  x->abuse_cycles = mmio_cycles(bus) - t0;
  return x->stopped ? -1 : 0;
}

/* After the abuse: the driver's set-up (every line on, identity ADC
 * calibrations, interrupts off and cleared), a front-door programming run
 * of a k x n_out block, and a checked MVM over it. */
static void after(mmio_bus *bus, abuse_ctx *x) {
  cim_dev *dev = NULL;
  x->open_status = cim_open(bus, &dev);
  if (x->open_status != CIM_OK) return;
  const cim_adc_cal ident = {0, 0x4000};
  x->reinit_status = cim_set_line_enables(dev, NULL, NULL);
  for (int a = 0; a < cim_num_adcs(dev) && x->reinit_status == CIM_OK; a++)
    x->reinit_status = cim_set_adc_cal(dev, a, &ident);
  if (x->reinit_status == CIM_OK &&
      (mmio_write32(bus, CIM_REGS_INTR_ENABLE_OFFSET, 0) != MMIO_OK ||
       mmio_write32(bus, CIM_REGS_INTR_STATE_OFFSET, 0xFFFFFFFFu) != MMIO_OK))
    x->reinit_status = CIM_EBUS;
  if (x->reinit_status != CIM_OK) {
    cim_close(dev);
    return;
  }
  cim_program_cfg cfg;
  cim_program_cfg_default(&cfg);
  cfg.tol = 0;
  cfg.max_iter = 64;
  x->prog_status = cim_program_weights(dev, x->W, x->n_out, x->k, &cfg, &x->rep);
  cosim_mvm *m = &x->mvm;
  m->job = (cim_job){.n_rows = x->k, .n_outs = x->n_out, .x_bits = x->b.x_bits, .out_bits = 32};
  m->x = x->x;
  cim_verify *ver = NULL;
  int rc = x->prog_status;
  if (rc == CIM_OK) rc = cim_set_conv_cycles(dev, 1);
  if (rc == CIM_OK) rc = cim_configure(dev, &m->job);
  if (rc == CIM_OK) {
    m->job = *cim_get_job(dev);
    rc = cim_verify_create(x->array, x->W, x->n_out, x->k, x->b.w_bits, &ver);
  }
  if (rc == CIM_OK) {
    m->exact_applies = cim_verify_exact_applies(ver, &m->job, m->exact_why, sizeof m->exact_why);
    cim_check_init(&m->chk);
    rc = cim_verify_mvm(ver, dev, m->x, CIM_WAIT_POLL, m->y_rtl, &m->cycles, &m->chk, NULL);
  }
  m->job.adc_cal = NULL; /* it pointed into the driver */
  m->status = rc;
  if (rc != CIM_OK) snprintf(m->errmsg, sizeof m->errmsg, "%s: %s", cim_strerror(rc), cim_errmsg(dev));
  cim_verify_destroy(ver);
  cim_close(dev);
}

static int fw_abuse(mmio_bus *bus, void *arg) {
  abuse_ctx *x = arg;
  if (abuse(bus, x) == 0 && x->final_phase) after(bus, x);
  return 0;
}

/* Run the abuse of seed with n accesses (and the phase after it when
 * final_phase), with the fault inject (NULL = none). */
static void abuse_run(abuse_ctx *x, const char *name, uint64_t seed, int n, int final_phase,
                      const char *inject) {
  cosim_build_get(&x->b);
  x->seed = seed;
  x->n_access = n;
  x->final_phase = final_phase;
  x->op_deadline = UINT64_MAX;
  cosim_rng r = {seed ^ 0xAB05Eu}; /* the data stream, apart from the access stream */
  x->n_out = x->b.n_out < 2 ? x->b.n_out : 2;
  x->k = x->b.geo.rows < ABUSE_K ? x->b.geo.rows : ABUSE_K;
  x->n_col = x->n_out * CIM_CFG_COLS_PER_OUT;
  x->W = cosim_random_weights(&r, x->n_out, x->k, x->b.w_bits);
  x->x = cosim_random_inputs(&r, x->k, x->b.x_bits, 0);
  x->array = cosim_array(NULL, 0, 0, seed);
  ck_assert_ptr_nonnull(x->W);
  ck_assert_ptr_nonnull(x->x);
  ck_assert_ptr_nonnull(x->array);
  /* the simulation's own watchdog, behind the bounded waits */
  cim_sim_opts opts = {.array = x->array, .inject = inject, .max_cycles = 400000000ull};
  cim_sim_stats st = {0};
  int rc = cim_sim_run(&opts, fw_abuse, x, &st);
  printf("  abuse (seed %" PRIu64 "%s%s): %d accesses: %d legal, %d refused (%d unmapped, %d "
         "misaligned, %d past the map), %d reads, %d writes; %d during an MVM, %d during a "
         "write-verify run, %d busy-or-not; %d MVMs and %d runs started, %d STARTs while busy, "
         "%d refused configurations; %" PRIu64 " cycles, %.1f s\n",
         seed, inject ? ", inject " : "", inject ? inject : "", x->n_legal + x->n_refused,
         x->n_legal, x->n_refused, x->n_unmapped, x->n_misaligned, x->n_beyond, x->n_reads,
         x->n_writes, x->n_during_mvm, x->n_during_wv, x->n_ambiguous, x->n_mvm_started,
         x->n_wv_started, x->n_start_busy, x->n_config_refused, x->abuse_cycles,
         st.wall_seconds);
  ck_assert_msg(rc == 0, "simulation failed (%d): %s; reproduce: %s", rc,
                st.assertion_failed ? st.assertion_msg : "see above", cosim_repro(name, seed));
}

static void abuse_free(abuse_ctx *x) {
  for (int m = 0; m < N_MEMS; m++) free(x->mem_shadow[m]);
  free(x->W);
  free(x->x);
  rram_array_destroy(x->array);
}

/* The level sense code cell (r, c) of the programmed block must sit on. */
static int target_code(const abuse_ctx *x, const rram_device *d, int r, int c) {
  int level = 0;
  (void)cim_map_level(x->W[(size_t)(c / (2 * CIM_CFG_SLICES)) * x->k + r],
                      (c % (2 * CIM_CFG_SLICES)) / 2, c % 2, x->b.w_bits, x->b.geo.cell_bits,
                      &level);
  return rram_switch_level_code(d, x->b.geo.cell_bits, level);
}

START_TEST(test_abuse_random_access) {
  const char *name = "test_abuse_random_access";
  const uint64_t seed = cosim_seed(151);
  abuse_ctx *x = calloc(1, sizeof *x);
  ck_assert_ptr_nonnull(x);
  abuse_run(x, name, seed, ABUSE_ACCESSES, 1, NULL);
  const char *repro = cosim_repro(name, seed);
  ck_assert_msg(x->c.n_failed == 0, "%d of %d checks failed:\n%s\nreproduce: %s", x->c.n_failed,
                x->c.n_checked, x->c.log, repro);
  ck_assert_msg(!x->stopped, "the abuse stopped early: %s; reproduce: %s", x->hang_msg, repro);
  /* the abuse reached what it is for */
  ck_assert_msg(x->n_legal + x->n_refused >= ABUSE_ACCESSES && x->n_refused > 0 &&
                    x->n_during_mvm > 0 && x->n_during_wv > 0 && x->n_start_busy > 0 &&
                    x->n_mvm_started > 0 && x->n_wv_started > 0 && x->n_unmapped > 0 &&
                    x->n_misaligned > 0,
                "the random accesses missed a case (see the summary line); reproduce: %s", repro);
  /* after it: set-up, programming and the MVM as on a fresh macro */
  ck_assert_msg(x->open_status == CIM_OK && x->reinit_status == CIM_OK,
                "set-up after the abuse: open %s, set-up %s; reproduce: %s",
                cim_strerror(x->open_status), cim_strerror(x->reinit_status), repro);
  ck_assert_msg(x->prog_status == CIM_OK && x->rep.n_failed == 0 &&
                    x->rep.n_cells == x->k * x->n_col,
                "programming after the abuse: %s, %d of %d cells failed; reproduce: %s",
                cim_strerror(x->prog_status), x->rep.n_failed, x->rep.n_cells, repro);
  const rram_device *d = rram_array_device(x->array);
  for (int r = 0; r < x->k; r++) {
    for (int c = 0; c < x->n_col; c++) {
      double g = 0;
      rram_array_get_conductance(x->array, r, c, &g);
      const double code = (g - d->g_min_us) / (d->g_max_us - d->g_min_us) * rram_switch_code_max(d);
      const int t = target_code(x, d, r, c);
      ck_assert_msg(fabs(code - t) < 1e-3, "cell (%d, %d) after programming: code %.4f, target %d; "
                    "reproduce: %s", r, c, code, t, repro);
    }
  }
  char msg[512];
  int bad = cosim_compare(&x->mvm, cosim_exact_owed(&x->mvm.job), msg, sizeof msg);
  ck_assert_msg(bad == 0, "MVM after the abuse: %d outputs wrong, first: %s; reproduce: %s", bad,
                msg, repro);
  abuse_free(x);
  free(x);
}
END_TEST

/* The checker can fail: a bus that loses one PSLVERR answer, and a stored
 * register that reads wrong, each reported for its own reason. */
START_TEST(test_abuse_fault_fails) {
  const uint64_t seed = cosim_seed(152);
  const struct {
    const char *inject, *want;
  } cases[] = {
      {"slverr:7", "answered OK, want PSLVERR"},
      {"reg:144:256", "WV_VERIFY is"}, /* WV_VERIFY (0x090) reads MAX_ITER + 1 */
  };
  abuse_ctx *x = calloc(1, sizeof *x);
  ck_assert_ptr_nonnull(x);
  abuse_run(x, "test_abuse_fault_fails", seed, ABUSE_NEG_ACCESSES, 0, cases[_i].inject);
  ck_assert_msg(x->c.n_failed > 0 && strstr(x->c.log, cases[_i].want) != NULL,
                "fault %s: %d failed checks, none says '%s':\n%s", cases[_i].inject, x->c.n_failed,
                cases[_i].want, x->c.log);
  const char *nl = strchr(x->c.log, '\n');
  printf("  test_abuse_fault_fails: %s fails: %.*s\n", cases[_i].inject,
         nl ? (int)(nl - x->c.log) : (int)strlen(x->c.log), x->c.log);
  abuse_free(x);
  free(x);
}
END_TEST

Suite *suite_abuse(void) {
  Suite *s = suite_create("abuse");
  suite_add_test(s, test_abuse_random_access);
  suite_add_loop_test(s, test_abuse_fault_fails, 0, 2);
  return s;
}

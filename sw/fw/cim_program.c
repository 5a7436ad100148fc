/* cim_program.c: front-door weight programming through the write-verify
 * engine (cim_program.h). Firmware: registers from the generated map, every
 * access an mmio_* call, arguments checked before the first access. */
#include "cim_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_map.h"
#include "cim_fields.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"

#define RETURN_IF_ERROR(expr)      \
  do {                             \
    int rc_ = (expr);              \
    if (rc_ != CIM_OK) return rc_; \
  } while (0)

/* Cycles between two polls of WV_STATUS. */
#define POLL_CYCLES 64u

static const char *const k_err_names[] = CIM_ERR_NAMES;

void cim_program_cfg_default(cim_program_cfg *cfg) {
  cfg->tol = (int)CIM_REGS__WV_VERIFY__TOL_reset;
  cfg->max_iter = (int)CIM_REGS__WV_VERIFY__MAX_ITER_reset;
  cfg->set_start = (int)CIM_REGS__WV_SET__START_reset;
  cfg->set_step = (int)CIM_REGS__WV_SET__STEP_reset;
  cfg->set_max = (int)CIM_REGS__WV_SET__MAX_reset;
  cfg->reset_start = (int)CIM_REGS__WV_RESET__START_reset;
  cfg->reset_step = (int)CIM_REGS__WV_RESET__STEP_reset;
  cfg->reset_max = (int)CIM_REGS__WV_RESET__MAX_reset;
  cfg->width = (int)CIM_REGS__WV_TIMING__WIDTH_reset;
  cfg->read_cycles = (int)CIM_REGS__WV_TIMING__READ_CYCLES_reset;
  cfg->sense_bits = 8;
  cfg->col_offset = NULL;
}

const cim_program_cfg *cim_program_cfg_or_default(const cim_program_cfg *cfg,
                                                  cim_program_cfg *buf) {
  if (cfg) return cfg;
  cim_program_cfg_default(buf);
  return buf;
}

int cim_program_columns(const cim_info *in, int n_out, int k) {
  const int slices = cim_map_slices(in->w_bits, in->cell_bits);
  if (slices == 0 || n_out < 1 || n_out > in->n_out || k < 1 || k > in->rows) return 0;
  return n_out * 2 * slices;
}

int cim_program_level_code(int level, int cell_bits, int sense_bits) {
  if (sense_bits == 0) sense_bits = 8;
  if (cell_bits < 1 || cell_bits > 4 || sense_bits < 1 || sense_bits > 8 || level < 0 ||
      level >= (1 << cell_bits))
    return -1;
  const int cmax = (1 << sense_bits) - 1, lmax = (1 << cell_bits) - 1;
  return (level * cmax * 2 + lmax) / (2 * lmax); /* round half up */
}

int cim_program_target(const cim_info *in, const int32_t *W, int k, int row, int col,
                       int sense_bits) {
  const int slices = cim_map_slices(in->w_bits, in->cell_bits);
  const int j = col / (2 * slices), s = (col % (2 * slices)) / 2, p = col % 2;
  int level = 0;
  (void)cim_map_level(W[(size_t)j * (size_t)k + (size_t)row], s, p, in->w_bits, in->cell_bits,
                      &level);
  return cim_program_level_code(level, in->cell_bits, sense_bits);
}

double cim_program_mean_pulses(const cim_program_report *rep) {
  return rep && rep->n_cells > 0 ? (double)rep->pulses / rep->n_cells : 0.0;
}

/* Register access; a PSLVERR or a timeout becomes a driver status. */
static int wr(mmio_bus *bus, uint32_t off, uint32_t v) {
  const int rc = mmio_write32(bus, off, v);
  return rc == MMIO_OK ? CIM_OK : rc == MMIO_SLVERR ? CIM_EBUS : CIM_ETIMEOUT;
}

static int rd(mmio_bus *bus, uint32_t off, uint32_t *v) {
  const int rc = mmio_read32(bus, off, v);
  return rc == MMIO_OK ? CIM_OK : rc == MMIO_SLVERR ? CIM_EBUS : CIM_ETIMEOUT;
}

static int in_range(int v, int lo, int hi) { return v >= lo && v <= hi; }

/* Why cfg is invalid, or NULL. */
static const char *bad_cfg(const cim_program_cfg *c) {
  if (!in_range(c->tol, 0, (int)FIELD_MAX(WV_VERIFY, TOL))) return "tol outside 0..255";
  if (!in_range(c->max_iter, 1, (int)FIELD_MAX(WV_VERIFY, MAX_ITER)))
    return "max_iter outside 1..127";
  if (!in_range(c->set_max, 1, 255) || !in_range(c->set_start, 1, c->set_max) ||
      !in_range(c->set_step, 0, 255))
    return "SET amplitude: need 1 <= start <= max <= 255, step 0..255";
  if (!in_range(c->reset_max, 1, 255) || !in_range(c->reset_start, 1, c->reset_max) ||
      !in_range(c->reset_step, 0, 255))
    return "RESET amplitude: need 1 <= start <= max <= 255, step 0..255";
  if (!in_range(c->width, 1, 255) || !in_range(c->read_cycles, 1, 255))
    return "width and read_cycles must be 1..255 cycles";
  if (!in_range(c->sense_bits, 0, 8)) return "sense_bits outside 0..8";
  return NULL;
}

/* One engine run: row, columns col..col+count-1 to tgt[0..count-1], or a
 * read-only run when tgt is NULL (res gets the sense codes). */
static int run_segment(cim_dev *dev, const cim_program_cfg *cfg, int row, int col, int count,
                       const uint8_t *tgt, uint8_t *res, cim_program_report *r) {
  mmio_bus *bus = cim_get_bus(dev);
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_ADDR_OFFSET,
                     FIELD_PREP(WV_ADDR, ROW, row) | FIELD_PREP(WV_ADDR, COL, col)));
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_COUNT_OFFSET, FIELD_PREP(WV_COUNT, COUNT, count)));
  for (int i = 0; tgt && i < count; i += 4) {
    uint32_t w = 0;
    for (int b = 0; b < 4 && i + b < count; b++) w |= (uint32_t)tgt[i + b] << (8 * b);
    RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_TARGET_BASE + (uint32_t)i, w));
  }
  RETURN_IF_ERROR(wr(bus, CIM_REGS_INTR_STATE_OFFSET,
                     CIM_REGS__INTR_STATE__WV_DONE_bm | CIM_REGS__INTR_STATE__ERROR_bm));
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_CTRL_OFFSET,
                     FIELD_PREP(WV_CTRL, START, 1) | FIELD_PREP(WV_CTRL, READ, tgt == NULL)));
  uint32_t st = 0;
  RETURN_IF_ERROR(rd(bus, CIM_REGS_STATUS_OFFSET, &st));
  if (FIELD_GET(st, STATUS, ERROR)) {
    const uint32_t e = FIELD_GET(st, STATUS, ERR_CODE);
    fprintf(stderr, "cim_program: the macro refused WV_CTRL.START (row %d, col %d, count %d): "
            "STATUS.ERR_CODE=%s\n", row, col, count,
            e < sizeof k_err_names / sizeof k_err_names[0] ? k_err_names[e] : "(unknown)");
    return CIM_EHW;
  }
  /* A bound no legal run reaches: every cell at its limit, slack per op. */
  const uint64_t budget = (uint64_t)count * (uint64_t)(cfg->max_iter + 1) *
                              (uint64_t)(cfg->width + cfg->read_cycles + 8) + 10000u;
  const uint64_t t0 = mmio_cycles(bus);
  uint32_t ws = 0;
  for (;;) {
    RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_STATUS_OFFSET, &ws));
    if (!FIELD_GET(ws, WV_STATUS, BUSY)) break;
    if (mmio_cycles(bus) - t0 > budget) {
      fprintf(stderr, "cim_program: run of row %d timed out after %llu cycles\n", row,
              (unsigned long long)(mmio_cycles(bus) - t0));
      return CIM_ETIMEOUT;
    }
    mmio_delay(bus, POLL_CYCLES);
  }
  uint32_t cells = 0, pulses = 0, fail = 0, cycles = 0;
  RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_CELLS_OFFSET, &cells));
  RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_PULSES_OFFSET, &pulses));
  RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_FAIL_OFFSET, &fail));
  RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_CYCLES_OFFSET, &cycles));
  if (!FIELD_GET(ws, WV_STATUS, DONE) || (int)FIELD_GET(cells, WV_CELLS, DONE) != count) {
    fprintf(stderr, "cim_program: run of row %d ended with %u of %d cells done\n", row,
            (unsigned)FIELD_GET(cells, WV_CELLS, DONE), count);
    return CIM_EHW;
  }
  for (int i = 0; i < count; i += 4) {
    uint32_t w = 0;
    RETURN_IF_ERROR(rd(bus, CIM_REGS_WV_RESULT_BASE + (uint32_t)i, &w));
    for (int b = 0; b < 4 && i + b < count; b++) res[i + b] = (uint8_t)(w >> (8 * b));
  }
  r->runs++;
  r->pulses += pulses;
  r->wv_cycles += cycles;
  (void)fail; /* the per-cell results carry every address; WV_FAIL is the first */
  return CIM_OK;
}

/* Refuse a run while busy, then write the engine's configuration. */
static int begin_runs(mmio_bus *bus, const cim_program_cfg *cfg) {
  uint32_t st = 0;
  RETURN_IF_ERROR(rd(bus, CIM_REGS_STATUS_OFFSET, &st));
  if (FIELD_GET(st, STATUS, BUSY)) return CIM_EBUSY;
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_VERIFY_OFFSET, FIELD_PREP(WV_VERIFY, TOL, cfg->tol) |
                                                         FIELD_PREP(WV_VERIFY, MAX_ITER, cfg->max_iter)));
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_SET_OFFSET, FIELD_PREP(WV_SET, START, cfg->set_start) |
                                                      FIELD_PREP(WV_SET, STEP, cfg->set_step) |
                                                      FIELD_PREP(WV_SET, MAX, cfg->set_max)));
  RETURN_IF_ERROR(wr(bus, CIM_REGS_WV_RESET_OFFSET, FIELD_PREP(WV_RESET, START, cfg->reset_start) |
                                                        FIELD_PREP(WV_RESET, STEP, cfg->reset_step) |
                                                        FIELD_PREP(WV_RESET, MAX, cfg->reset_max)));
  return wr(bus, CIM_REGS_WV_TIMING_OFFSET, FIELD_PREP(WV_TIMING, WIDTH, cfg->width) |
                                                FIELD_PREP(WV_TIMING, READ_CYCLES, cfg->read_cycles));
}

/* Cells one run takes: the target window, capped by a row (cim_pkg WvCells). */
static int segment_cells(const cim_info *in) {
  const int seg = (int)CIM_REGS_WV_TARGET_WORDS * 4;
  return seg < in->cols ? seg : in->cols;
}

/* Cells row, col..col+count-1 to tgt (NULL: read them into res), one
 * engine run per WV_TARGET window; the configuration already written. */
static int run_row(cim_dev *dev, const cim_program_cfg *cfg, int row, int col, int count,
                   const uint8_t *tgt, uint8_t *res, cim_program_report *r) {
  const int seg = segment_cells(cim_get_info(dev));
  for (int c0 = 0; c0 < count; c0 += seg)
    RETURN_IF_ERROR(run_segment(dev, cfg, row, col + c0, count - c0 < seg ? count - c0 : seg,
                                tgt ? tgt + c0 : NULL, res + c0, r));
  return CIM_OK;
}

/* Add the outcomes res of cells (row, col + c) aimed at tgt to r. */
static void count_results(cim_program_report *r, int row, int col, int count, const uint8_t *tgt,
                          const uint8_t *res) {
  for (int c = 0; c < count; c++) {
    const int pulses = res[c] & 0x7F;
    r->n_cells++;
    r->hist[pulses]++;
    if (pulses > r->max_pulses) r->max_pulses = pulses;
    if (!(res[c] >> 7)) {
      r->n_ok++;
      continue;
    }
    r->n_failed++;
    if (r->n_fail_listed < CIM_PROGRAM_MAX_FAILS)
      r->fail[r->n_fail_listed++] = (cim_program_fail){row, col + c, tgt[c], pulses};
  }
}

/* Target t of column col with the column's background offset, at most the
 * top code. */
static uint8_t offset_target(const cim_program_cfg *cfg, int t, int col) {
  const int top = (1 << (cfg->sense_bits ? cfg->sense_bits : 8)) - 1;
  if (cfg->col_offset) t += cfg->col_offset[col];
  return (uint8_t)(t < top ? t : top);
}

/* Check the cells and cfg, write the configuration, then run_row. */
static int run_cells(cim_dev *dev, const cim_program_cfg *cfg, int row, int col, int count,
                     const uint8_t *tgt, uint8_t *res, cim_program_report *r) {
  const cim_info *in = cim_get_info(dev);
  cim_program_cfg def;
  cfg = cim_program_cfg_or_default(cfg, &def);
  if (!res || count < 1 || row < 0 || row >= in->rows || col < 0 || col > in->cols - count) {
    fprintf(stderr, "cim_program: bad cells (row %d of 0..%d, columns %d..%d of 0..%d)\n", row,
            in->rows - 1, col, col + count - 1, in->cols - 1);
    return CIM_EINVAL;
  }
  const char *why = bad_cfg(cfg);
  if (why) {
    fprintf(stderr, "cim_program: %s\n", why);
    return CIM_EINVAL;
  }
  mmio_bus *bus = cim_get_bus(dev);
  const uint64_t t0 = mmio_cycles(bus);
  RETURN_IF_ERROR(begin_runs(bus, cfg));
  RETURN_IF_ERROR(run_row(dev, cfg, row, col, count, tgt, res, r));
  r->total_cycles += mmio_cycles(bus) - t0;
  return CIM_OK;
}

int cim_program_cells(cim_dev *dev, const cim_program_cfg *cfg, int row, int col, int count,
                      const uint8_t *targets, uint8_t *results, cim_program_report *rep) {
  cim_program_report r;
  memset(&r, 0, sizeof r);
  if (!targets) return CIM_EINVAL;
  const int rc = run_cells(dev, cfg, row, col, count, targets, results, &r);
  if (rc == CIM_OK) count_results(&r, row, col, count, targets, results);
  if (rep) *rep = r;
  return rc;
}

int cim_program_read(cim_dev *dev, const cim_program_cfg *cfg, int row, int col, int count,
                     uint8_t *codes, uint64_t *cycles) {
  cim_program_report r;
  memset(&r, 0, sizeof r);
  const int rc = run_cells(dev, cfg, row, col, count, NULL, codes, &r);
  if (cycles) *cycles += r.total_cycles;
  return rc;
}

int cim_program_weights(cim_dev *dev, const int32_t *W, int n_out, int k,
                        const cim_program_cfg *cfg, cim_program_report *rep) {
  const cim_info *in = cim_get_info(dev);
  cim_program_cfg def;
  cfg = cim_program_cfg_or_default(cfg, &def);
  const int n_col = cim_program_columns(in, n_out, k);
  if (!W || n_col == 0) {
    fprintf(stderr, "cim_program: bad shape (n_out %d of 1..%d, k %d of 1..%d)\n", n_out,
            in->n_out, k, in->rows);
    return CIM_EINVAL;
  }
  const char *why = bad_cfg(cfg);
  if (why) {
    fprintf(stderr, "cim_program: %s\n", why);
    return CIM_EINVAL;
  }
  const int32_t wlo = -(INT32_C(1) << (in->w_bits - 1)), whi = (INT32_C(1) << (in->w_bits - 1)) - 1;
  for (size_t i = 0; i < (size_t)n_out * (size_t)k; i++) {
    if (W[i] < wlo || W[i] > whi) {
      fprintf(stderr, "cim_program: W[%zu] = %ld outside %ld..%ld\n", i, (long)W[i], (long)wlo,
              (long)whi);
      return CIM_EINVAL;
    }
  }
  cim_program_report r;
  memset(&r, 0, sizeof r);
  r.cell = rep ? rep->cell : NULL;
  mmio_bus *bus = cim_get_bus(dev);
  const uint64_t t_start = mmio_cycles(bus);
  uint8_t *tgt = malloc((size_t)n_col), *res = malloc((size_t)n_col);
  if (!tgt || !res) {
    free(tgt);
    free(res);
    return CIM_ENOMEM;
  }

  int rc = begin_runs(bus, cfg);

  /* cells on disabled lines are left alone: no MVM reads them, and on an
   * unformed line every one would only run to max_iter and fail */
  for (int row = 0; row < k && rc == CIM_OK; row++) {
    memset(res, 0, (size_t)n_col);
    for (int c0 = 0, c1; cim_row_enabled(dev, row) && c0 < n_col && rc == CIM_OK; c0 = c1) {
      if (!cim_col_enabled(dev, c0)) {
        c1 = c0 + 1;
        continue;
      }
      for (c1 = c0; c1 < n_col && cim_col_enabled(dev, c1); c1++)
        tgt[c1] = offset_target(cfg, cim_program_target(in, W, k, row, c1, cfg->sense_bits), c1);
      rc = run_row(dev, cfg, row, c0, c1 - c0, tgt + c0, res + c0, &r);
      if (rc == CIM_OK) count_results(&r, row, c0, c1 - c0, tgt + c0, res + c0);
    }
    if (rc == CIM_OK && r.cell) memcpy(r.cell + (size_t)row * (size_t)n_col, res, (size_t)n_col);
  }
  r.total_cycles = mmio_cycles(bus) - t_start;
  if (rep) *rep = r;
  free(tgt);
  free(res);
  return rc;
}

/* cim_program.h: front-door programming of a signed weight matrix through the
 * macro's write-verify engine (WV_* registers).
 *
 * The routine maps W exactly as cim_map_load() does (cmodel/cim_map.h: S
 * slices of CELL_BITS per weight, a G+/G- column pair per slice, output j on
 * columns j*2S .. j*2S+2S-1, row r of W on wordline r), turns each cell's
 * level into a target sense code, and programs rows 0..k-1 x columns
 * 0..n_out*2S-1 one row segment per engine run. Unlike the backdoor it does
 * not rewrite the rest of those rows and columns: an MVM of k rows and
 * n_out outputs never reads them. Nor does it touch the cells of rows and
 * columns disabled in ROW_EN / COL_EN (cim_set_line_enables): no MVM reads
 * them, and on an unformed line each would only run to max_iter and fail.
 *
 * Sense codes: the verify sense amplifier reads 0 at g_min and 2^sense_bits-1
 * at g_max; level L of a cell of CELL_BITS bits has the target
 * round(L * (2^sense_bits - 1) / (2^CELL_BITS - 1)) (cim_program_level_code,
 * the same rule as rram_switch_level_code). */
#ifndef CIM_PROGRAM_H
#define CIM_PROGRAM_H

#include <stdint.h>

#include "cim_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Engine settings (register fields of WV_VERIFY, WV_SET, WV_RESET, WV_TIMING). */
typedef struct cim_program_cfg {
  int tol;         /* acceptance window target +- tol, sense codes, 0..255 */
  int max_iter;    /* pulses per cell at most, 1..127 */
  int set_start, set_step, set_max;       /* SET amplitude codes (10 mV each), 1..255 */
  int reset_start, reset_step, reset_max; /* RESET amplitude codes */
  int width;       /* pulse width, clock cycles, 1..255 */
  int read_cycles; /* verify read time, clock cycles, 1..255 */
  int sense_bits;  /* bits of the verify sense code, 1..8; 0 = 8 */
  /* cim_program_weights only: per physical column, sense codes added to
   * every target (up to the top code), the background a column's verify
   * reads carry, e.g. the leak of disabled leaky rows (cim_linemap.h);
   * NULL: none. */
  const uint8_t *col_offset;
} cim_program_cfg;

/* Pulses counted by the histogram: 0..CIM_PROGRAM_HIST-1 (MAX_ITER <= 127). */
#define CIM_PROGRAM_HIST 128
/* Failed cells listed with their addresses (the count has them all). */
#define CIM_PROGRAM_MAX_FAILS 64

/* One cell that stayed outside its window after max_iter pulses. */
typedef struct cim_program_fail {
  int row, col;   /* wordline, physical column */
  int target;     /* its target sense code */
  int pulses;     /* pulses it took (= max_iter) */
} cim_program_fail;

typedef struct cim_program_report {
  /* In: caller-owned array of k * n_col bytes (n_col = n_out * 2S), row-major
   * (cell (r, c) at r * n_col + c), filled with each cell's WV_RESULT byte:
   * bits 6:0 the pulses it took, bit 7 set if it failed. NULL: not wanted. */
  uint8_t *cell;
  /* Out: */
  int n_cells;            /* cells programmed: k * n_col less those on
                             disabled lines (their cell[] bytes are 0) */
  int n_ok, n_failed;     /* in the window / failed */
  uint64_t pulses;        /* SET and RESET pulses in all */
  uint32_t hist[CIM_PROGRAM_HIST]; /* hist[p]: cells that took p pulses */
  int max_pulses;         /* most pulses any cell took */
  int n_fail_listed;      /* entries of fail[] used */
  cim_program_fail fail[CIM_PROGRAM_MAX_FAILS]; /* the first failed cells, in order */
  int runs;               /* engine runs (row segments) */
  uint64_t wv_cycles;     /* clock cycles the engine ran (sum of WV_CYCLES) */
  uint64_t total_cycles;  /* DUT cycles of the whole routine, bus traffic included */
} cim_program_report;

/** Fill cfg with the macro's reset values (WV_* registers in the RDL), which
 * are the defaults for the `default` device (cmodel/rram_device.c), and
 * sense_bits 8. No hardware access. */
void cim_program_cfg_default(cim_program_cfg *cfg /* OUT */);

/** cfg, or when it is NULL buf filled with cim_program_cfg_default(). */
const cim_program_cfg *cim_program_cfg_or_default(const cim_program_cfg *cfg,
                                                  cim_program_cfg *buf);

/** Physical columns of n_out outputs of the build (n_out * 2S), or 0 when
 * n_out is outside 1..N_OUT or k outside 1..ROWS. */
int cim_program_columns(const cim_info *in, int n_out, int k);

/** Target sense code of level of a cell of cell_bits bits; -1 if out of range. */
int cim_program_level_code(int level, int cell_bits, int sense_bits);

/** The target sense code of cell (row, col) when W (n_out x k, as below)
 * is programmed: the level cim_map gives column col's slice and side. */
int cim_program_target(const cim_info *in, const int32_t *W, int k, int row, int col,
                       int sense_bits);

/** Program W (n_out x k, row-major W[j*k + r], y = W x, values in the signed
 * W_BITS range) through the write-verify engine; see the file comment.
 * Must not run while an MVM or another run is going on.
 * @param cfg engine settings; NULL = cim_program_cfg_default()
 * @param[in,out] rep statistics (may be NULL); rep->cell is an input
 * @return CIM_OK once every cell was tried, failed cells included (count them
 *         in rep); CIM_EINVAL (nothing written), CIM_EBUSY, CIM_EHW (the
 *         engine refused its configuration, reason in cim_errmsg),
 *         CIM_ETIMEOUT, CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_program_weights(cim_dev *dev, const int32_t *W, int n_out, int k,
                                               const cim_program_cfg *cfg,
                                               cim_program_report *rep);

/** Program the cells (row, col + i), i = 0..count-1, to the sense codes
 * targets[i] (one engine run per WV_TARGET window); results[i] gets each
 * cell's WV_RESULT byte (bits 6:0 pulses, bit 7 failed). cfg NULL = the
 * defaults. rep (may be NULL) counts these cells as cim_program_weights'
 * report does. @return as cim_program_weights */
CIM_WARN_UNUSED_RESULT int cim_program_cells(cim_dev *dev, const cim_program_cfg *cfg, int row,
                                             int col, int count, const uint8_t *targets,
                                             uint8_t *results /* OUT */,
                                             cim_program_report *rep /* OUT */);

/** Read the sense codes of the cells (row, col + i), i = 0..count-1, into
 * codes with read-only engine runs (WV_CTRL.READ: one verify read each, no
 * pulse). cfg NULL = the defaults (its read time counts, the rest is only
 * checked). The DUT cycles taken are added to *cycles (may be NULL).
 * @return as cim_program_weights */
CIM_WARN_UNUSED_RESULT int cim_program_read(cim_dev *dev, const cim_program_cfg *cfg, int row,
                                            int col, int count, uint8_t *codes /* OUT */,
                                            uint64_t *cycles /* IN,OUT */);

/** Mean pulses per cell of a report (0 for no cell). */
double cim_program_mean_pulses(const cim_program_report *rep);

#ifdef __cplusplus
}
#endif
#endif

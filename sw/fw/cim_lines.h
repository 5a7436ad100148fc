/* cim_lines.h: find the bad rows and columns of the array, as NeuRRAM's die
 * characterisation does (github weierwan/Neurram_48core: forming flags
 * unformed rows, a read of another row flags leaky ones, a read under
 * 1 MOhm flags leaky columns), with the macro's own write-verify engine and
 * verify reads. It never looks at the analog model: only what the macro
 * reads back.
 *
 *   1. Program every cell to code 0 and read it back: a column whose cells
 *      read at least LEAK_CODES above the typical column carries a
 *      parasitic leak.
 *   2. For each row i: program a few probe cells of i to the top code and
 *      read the same columns of a reference row (row 0; row 1 for row 0):
 *      if they rise by at least LEAK_CODES, i passes current while not
 *      selected (a leaky wordline). Program the probe cells back to 0.
 *   3. Program every cell but the leaky rows' to the top code and read it
 *      back: a cell that reads within a quarter of the range of its code-0
 *      reading never formed; a row (column) most of whose cells did not is
 *      unformed. The leaky rows stay at 0, so their leak stays small.
 *   4. On request (cim_lines_report.col_base): drive a few good rows to
 *      their floor (target 0, no window) and read them: the median per
 *      column is its background, what the disabled leaky rows will still
 *      add to every verify read (cim_program_cfg.col_offset).
 *
 * The array's contents are lost: run it before programming weights, once
 * per die. It assumes what the leaky rows pass together with their cells at
 * code 0 stays well inside the sense range (a few leaky rows, as on
 * NeuRRAM's cores); a leak that fills the range hides the unformed lines.
 */
#ifndef CIM_LINES_H
#define CIM_LINES_H

#include <stdint.h>

#include "cim_driver.h"
#include "cim_program.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A line's state, as cim_find_bad_lines found it. */
enum cim_line { CIM_LINE_OK = 0, CIM_LINE_UNFORMED = 1, CIM_LINE_LEAKY = 2 };

/* Sense codes above the typical reading that flag a leak (steps 2, 3). */
#define CIM_LINES_LEAK_CODES 6
/* Probe cells per row in step 2. */
#define CIM_LINES_PROBES 8
/* Good rows driven to their floor to read each column's background (step 4). */
#define CIM_LINES_FLOOR_ROWS 3

typedef struct cim_lines_report {
  /* In: caller-owned COLS bytes, or NULL. Out: each column's background
   * (step 4), what the leaky rows and its own leak add to every verify read
   * there, in sense codes. */
  uint8_t *col_base;
  /* Out: */
  int unformed_rows, leaky_rows, unformed_cols, leaky_cols;
  int reference_row;       /* the row step 3 read; -1 if none was good */
  uint64_t total_cycles;   /* DUT cycles of the whole routine */
} cim_lines_report;

/** Classify every row (row_state[0..ROWS-1]) and column
 * (col_state[0..COLS-1]) as enum cim_line. cfg: the engine's settings (NULL
 * = the defaults; their sense_bits set the code range). rep may be NULL.
 * @return CIM_OK, CIM_EINVAL, CIM_ENOMEM, or a driver status of the runs */
CIM_WARN_UNUSED_RESULT int cim_find_bad_lines(cim_dev *dev, const cim_program_cfg *cfg,
                                              uint8_t *row_state /* OUT */,
                                              uint8_t *col_state /* OUT */,
                                              cim_lines_report *rep /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

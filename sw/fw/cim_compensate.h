/* cim_compensate.h: stuck-cell compensation after front-door programming.
 *
 * A weight slice is a differential pair: G+ - G- encodes its digit
 * (cim_map.h). When the write-verify engine leaves one cell of a pair
 * outside its window (a stuck or weak cell), firmware reads the level that
 * cell actually holds (a read-only engine run, WV_CTRL.READ) and moves its
 * partner so that the difference is the digit again:
 *   G+ failed at a:  G- := a - (t+ - t-)      G- failed at a:  G+ := a + (t+ - t-)
 * in sense codes, t+/t- the pair's intended targets. Where that lies outside
 * the sense range the partner goes to the nearest end (the pair then errs by
 * the excess); where both cells failed nothing can be done. The rest of the
 * array is not touched. */
#ifndef CIM_COMPENSATE_H
#define CIM_COMPENSATE_H

#include <stdint.h>

#include "cim_driver.h"
#include "cim_program.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_comp_report {
  int n_failed;         /* cells the programming run left outside their window */
  int n_exact;          /* partners re-targeted to restore the pair's difference */
  int n_clamped;        /* partners sent to the end of the range: the pair still errs */
  int n_both;           /* pairs whose two cells failed: left alone */
  int n_partner_missed; /* re-targeted partners that missed their new window */
  int rows_read;        /* rows read back */
  uint64_t total_cycles; /* DUT cycles of the whole routine */
} cim_comp_report;

/** After cim_program_weights(dev, W, n_out, k, cfg, &prep) with prep.cell
 * set: compensate the failed cells that cell (prep.cell, k x n_out*2S
 * WV_RESULT bytes) names, as the file comment says, with the same cfg.
 * @return CIM_OK (also when nothing failed), CIM_EINVAL, or a driver status
 * of the runs (cim_program_cells, cim_program_read) */
CIM_WARN_UNUSED_RESULT int cim_compensate_pairs(cim_dev *dev, const int32_t *W, int n_out, int k,
                                                const cim_program_cfg *cfg, const uint8_t *cell,
                                                cim_comp_report *rep /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

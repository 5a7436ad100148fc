/* cim_linemap.h: place weights on the good lines only, as NeuRRAM's mapping
 * does (github weierwan/Neurram_48core: `rows = np.delete(np.arange(256),
 * bad_rows)`, bad columns the same way).
 *
 * cim_linemap_create() characterises the array (cim_find_bad_lines),
 * disables its bad rows and columns in ROW_EN / COL_EN, and lists the good
 * rows and the good output slots (an output's 2S columns all good). A
 * logical block of weights (n_out x k) then goes on the first k good rows
 * and the first n_out good slots: cim_linemap_place_weights() gives the
 * physical block to program and to configure the job with, the cells in
 * between 0 (on disabled lines: never programmed, never read);
 * cim_linemap_place_inputs() and cim_linemap_take_outputs() move one
 * vector's inputs and outputs between the two. Pure after creation: no
 * hardware access. */
#ifndef CIM_LINEMAP_H
#define CIM_LINEMAP_H

#include <stdint.h>

#include "cim_driver.h"
#include "cim_lines.h"
#include "cim_program.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_linemap cim_linemap;

/** Characterise with cfg (NULL = the defaults), disable the bad lines and
 * build the map. The array's contents are lost (cim_lines.h). rep (may be
 * NULL) gets the characterisation's report.
 * @return CIM_OK; CIM_ENODATA (*out NULL) when no good row or no good output
 *         slot is left, the message in cim_errmsg's stead on stderr;
 *         CIM_ENOMEM; or a status of the characterisation */
CIM_WARN_UNUSED_RESULT int cim_linemap_create(cim_dev *dev, const cim_program_cfg *cfg,
                                              cim_linemap **out, cim_lines_report *rep);

/** The map of given line states (enum cim_line, one per row and column of
 * the build in info): what cim_linemap_create builds, without hardware.
 * @return CIM_OK, CIM_EINVAL, CIM_ENODATA, CIM_ENOMEM */
CIM_WARN_UNUSED_RESULT int cim_linemap_from_states(const cim_info *info, const uint8_t *row_state,
                                                   const uint8_t *col_state, cim_linemap **out);

void cim_linemap_destroy(cim_linemap *m);

/** Good rows: the most logical rows one block takes. */
int cim_linemap_rows(const cim_linemap *m);
/** Good output slots: the most logical outputs one block takes. */
int cim_linemap_outputs(const cim_linemap *m);

/** W (n_out x k, row-major W[j*k + q]) into Wp (*np x *kp, row-major, the
 * smallest block of the array that holds it: kp past the k-th good row, np
 * past the n_out-th good slot), 0 elsewhere. Wp holds N_OUT x ROWS values.
 * @return CIM_OK, CIM_EINVAL (k or n_out beyond the good lines) */
int cim_linemap_place_weights(const cim_linemap *m, const int32_t *W, int n_out, int k,
                              int32_t *Wp /* OUT */, int *np /* OUT */, int *kp /* OUT */);

/** x (k logical inputs) into xp (kp physical inputs, 0 on the rows
 * between). */
void cim_linemap_place_inputs(const cim_linemap *m, const int32_t *x, int k, int kp,
                              int32_t *xp /* OUT */);

/** Each column's background (cim_lines_report.col_base) as found by
 * cim_linemap_create, COLS bytes; NULL for a map from states. Give it to
 * cim_program_cfg.col_offset so that verify reads meet their targets over
 * the leak of the disabled leaky rows. */
const uint8_t *cim_linemap_col_base(const cim_linemap *m);

/** The logical outputs y[0..n_out-1] from the physical yp. */
void cim_linemap_take_outputs(const cim_linemap *m, const int32_t *yp, int n_out,
                              int32_t *y /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

/* cim_seq.c: the controller's sequence (cim_golden.h) played in C against
 * the analog model, the way the RTL plays it through DPI. */
#include "cim_seq.h"

#include <stdlib.h>
#include <string.h>

#include "cim_int.h"
#include "cim_map.h"
#include "rram_array_int.h"

int cim_seq_run(rram_array *a, int w_bits, const cim_job *job, const int32_t *x) {
  if (!a) return RRAM_EINVAL;
  const rram_geometry *geo = rram_array_geometry(a);
  char why[200];
  int rc = cim__job_check(geo, w_bits, job, x, why, sizeof why);
  if (rc != RRAM_OK) {
    rram__array_seterr(a, "%s", why);
    return rc;
  }
  const int n_col = job->n_outs * 2 * cim_map_slices(w_bits, geo->cell_bits);
  const size_t wl_words = ((size_t)geo->rows + 31) / 32;
  uint32_t *wl = malloc(2 * wl_words * sizeof *wl);
  if (!wl) {
    rram__array_seterr(a, "out of memory");
    return RRAM_ENOMEM;
  }
  rram_array_log_clear(a);
  for (int first = 0; first < job->n_rows && rc == RRAM_OK; first += job->group_rows) {
    const int end = job->n_rows - first < job->group_rows ? job->n_rows : first + job->group_rows;
    uint32_t *sel = wl + wl_words; /* the group's rows */
    memset(sel, 0, wl_words * sizeof *sel);
    for (int r = first; r < end; r++)
      if (cim_line_enabled(job->row_en, r)) sel[r / 32] |= UINT32_C(1) << (r % 32);
    for (int kb = 0; kb < job->x_bits && rc == RRAM_OK; kb++) {
      memset(wl, 0, wl_words * sizeof *wl);
      for (int r = first; r < end; r++)
        if ((((uint32_t)x[r] >> kb) & 1u) && cim_line_enabled(job->row_en, r))
          wl[r / 32] |= UINT32_C(1) << (r % 32);
      rc = rram_array_drive_rows(a, sel, wl, wl_words);
      /* Each column through its own ADC and mux input, as the RTL does. */
      for (int c = 0; c < n_col && rc == RRAM_OK; c++) {
        int code;
        rc = rram_array_convert(a, c / geo->cols_per_adc, c, &code);
      }
    }
  }
  free(wl);
  return rc;
}

/* cim_linemap.c: weights on the good lines only (cim_linemap.h). */
#include "cim_linemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cim_linemap {
  int n_rows, n_slots;
  uint8_t *col_base; /* cim_lines_report.col_base; NULL from states alone */
  int *row;  /* row[q]: the physical row of logical row q */
  int *slot; /* slot[j]: the physical output slot of logical output j */
};

void cim_linemap_destroy(cim_linemap *m) {
  if (!m) return;
  free(m->row);
  free(m->slot);
  free(m->col_base);
  free(m);
}

int cim_linemap_rows(const cim_linemap *m) { return m ? m->n_rows : 0; }
const uint8_t *cim_linemap_col_base(const cim_linemap *m) { return m ? m->col_base : NULL; }
int cim_linemap_outputs(const cim_linemap *m) { return m ? m->n_slots : 0; }

int cim_linemap_from_states(const cim_info *in, const uint8_t *rs, const uint8_t *cs,
                            cim_linemap **out) {
  if (!in || !rs || !cs || !out) return CIM_EINVAL;
  *out = NULL;
  const int per = cim_program_columns(in, 1, 1);
  if (per <= 0) return CIM_EINVAL;
  cim_linemap *m = calloc(1, sizeof *m);
  if (!m) return CIM_ENOMEM;
  m->row = malloc((size_t)in->rows * sizeof *m->row);
  m->slot = malloc((size_t)in->n_out * sizeof *m->slot);
  if (!m->row || !m->slot) {
    cim_linemap_destroy(m);
    return CIM_ENOMEM;
  }
  for (int i = 0; i < in->rows; i++)
    if (rs[i] == CIM_LINE_OK) m->row[m->n_rows++] = i;
  for (int j = 0; j < in->n_out; j++) {
    int ok = 1;
    for (int c = j * per; c < (j + 1) * per; c++) ok &= cs[c] == CIM_LINE_OK;
    if (ok) m->slot[m->n_slots++] = j;
  }
  if (m->n_rows == 0 || m->n_slots == 0) {
    cim_linemap_destroy(m);
    return CIM_ENODATA;
  }
  *out = m;
  return CIM_OK;
}

int cim_linemap_create(cim_dev *dev, const cim_program_cfg *cfg, cim_linemap **out,
                       cim_lines_report *rep) {
  if (!dev || !out) return CIM_EINVAL;
  *out = NULL;
  const cim_info *in = cim_get_info(dev);
  const size_t ew = ((size_t)in->rows + 31) / 32, cw = ((size_t)in->cols + 31) / 32;
  uint8_t *rs = malloc((size_t)in->rows), *cs = malloc((size_t)in->cols);
  uint32_t *ren = calloc(ew, sizeof *ren), *cen = calloc(cw, sizeof *cen);
  uint8_t *base = malloc((size_t)in->cols);
  cim_lines_report r = {.col_base = base};
  int st = rs && cs && ren && cen && base ? CIM_OK : CIM_ENOMEM;
  if (st == CIM_OK) st = cim_find_bad_lines(dev, cfg, rs, cs, &r);
  for (int i = 0; st == CIM_OK && i < in->rows; i++)
    if (rs[i] == CIM_LINE_OK) ren[i / 32] |= UINT32_C(1) << (i % 32);
  for (int c = 0; st == CIM_OK && c < in->cols; c++)
    if (cs[c] == CIM_LINE_OK) cen[c / 32] |= UINT32_C(1) << (c % 32);
  if (st == CIM_OK) st = cim_set_line_enables(dev, ren, cen);
  if (st == CIM_OK && rep) {
    *rep = r;
    rep->col_base = NULL; /* the map's own */
  }
  if (st == CIM_OK) st = cim_linemap_from_states(in, rs, cs, out);
  if (st == CIM_OK) {
    (*out)->col_base = base;
    base = NULL;
  }
  if (st == CIM_ENODATA)
    fprintf(stderr, "cim_linemap: no good %s left (%d rows and %d columns bad)\n",
            r.unformed_rows + r.leaky_rows < in->rows ? "output slot" : "row",
            r.unformed_rows + r.leaky_rows, r.unformed_cols + r.leaky_cols);
  free(rs);
  free(cs);
  free(ren);
  free(cen);
  free(base);
  return st;
}

int cim_linemap_place_weights(const cim_linemap *m, const int32_t *W, int n_out, int k,
                              int32_t *Wp, int *np, int *kp) {
  if (!m || !W || !Wp || !np || !kp || k < 1 || k > m->n_rows || n_out < 1 ||
      n_out > m->n_slots)
    return CIM_EINVAL;
  *kp = m->row[k - 1] + 1;
  *np = m->slot[n_out - 1] + 1;
  memset(Wp, 0, (size_t)*np * (size_t)*kp * sizeof *Wp);
  for (int j = 0; j < n_out; j++)
    for (int q = 0; q < k; q++)
      Wp[(size_t)m->slot[j] * (size_t)*kp + (size_t)m->row[q]] = W[(size_t)j * (size_t)k + (size_t)q];
  return CIM_OK;
}

void cim_linemap_place_inputs(const cim_linemap *m, const int32_t *x, int k, int kp, int32_t *xp) {
  memset(xp, 0, (size_t)kp * sizeof *xp);
  for (int q = 0; q < k; q++) xp[m->row[q]] = x[q];
}

void cim_linemap_take_outputs(const cim_linemap *m, const int32_t *yp, int n_out, int32_t *y) {
  for (int j = 0; j < n_out; j++) y[j] = yp[m->slot[j]];
}

/* cim_compensate.c: stuck-cell compensation (cim_compensate.h). */
#include "cim_compensate.h"

#include <stdlib.h>
#include <string.h>


#define FAILED(b) (((b) >> 7) & 1)

int cim_compensate_pairs(cim_dev *dev, const int32_t *W, int n_out, int k,
                         const cim_program_cfg *cfg, const uint8_t *cell, cim_comp_report *rep) {
  cim_comp_report r;
  memset(&r, 0, sizeof r);
  const cim_info *in = cim_get_info(dev);
  cim_program_cfg def;
  cfg = cim_program_cfg_or_default(cfg, &def);
  const int n_col = cim_program_columns(in, n_out, k);
  if (!W || !cell || !rep || n_col == 0) return CIM_EINVAL;
  const int cmax = (1 << (cfg->sense_bits ? cfg->sense_bits : 8)) - 1;
  uint8_t *codes = malloc((size_t)n_col);
  if (!codes) return CIM_ENOMEM;
  mmio_bus *bus = cim_get_bus(dev);
  const uint64_t t0 = mmio_cycles(bus);
  int rc = CIM_OK;
  for (int row = 0; row < k && rc == CIM_OK; row++) {
    const uint8_t *res = cell + (size_t)row * (size_t)n_col;
    int any = 0;
    for (int c = 0; c < n_col; c++) any += FAILED(res[c]);
    if (!any) continue;
    r.n_failed += any;
    uint64_t cyc = 0;
    if ((rc = cim_program_read(dev, cfg, row, 0, n_col, codes, &cyc)) != CIM_OK) break;
    r.rows_read++;
    for (int c = 0; c < n_col && rc == CIM_OK; c += 2) {
      const int fp = FAILED(res[c]), fn = FAILED(res[c + 1]);
      if (fp && fn) r.n_both++;
      if (fp == fn) continue;
      /* the pair's intended difference, kept against the failed cell */
      const int diff = cim_program_target(in, W, k, row, c, cfg->sense_bits) -
                       cim_program_target(in, W, k, row, c + 1, cfg->sense_bits);
      const int partner = fp ? c + 1 : c;
      int t = fp ? codes[c] - diff : codes[c + 1] + diff;
      if (t < 0 || t > cmax) {
        t = t < 0 ? 0 : cmax;
        r.n_clamped++;
      } else {
        r.n_exact++;
      }
      const uint8_t tgt = (uint8_t)t;
      uint8_t out = 0;
      rc = cim_program_cells(dev, cfg, row, partner, 1, &tgt, &out, NULL);
      if (rc == CIM_OK && FAILED(out)) r.n_partner_missed++;
    }
  }
  free(codes);
  r.total_cycles = mmio_cycles(bus) - t0;
  *rep = r;
  return rc;
}

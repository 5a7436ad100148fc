/* cim_lines.c: bad-line characterisation through the write-verify engine
 * (cim_lines.h). Firmware: only driver and engine calls. */
#include "cim_lines.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u8(const void *a, const void *b) {
  return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* Median of n bytes (n >= 1), sorted in place. */
static int median_u8(uint8_t *v, int n) {
  qsort(v, (size_t)n, 1, cmp_u8);
  return v[n / 2];
}

/* Program every row but those skip marks to code t, and read every row back
 * into codes. */
static int fill_and_read(cim_dev *dev, const cim_program_cfg *cfg, int rows, int cols,
                         uint8_t t, const uint8_t *skip, uint8_t *row_buf, uint8_t *res,
                         uint8_t *codes) {
  memset(row_buf, t, (size_t)cols);
  int rc = CIM_OK;
  for (int r = 0; r < rows && rc == CIM_OK; r++)
    if (!skip[r]) rc = cim_program_cells(dev, cfg, r, 0, cols, row_buf, res, NULL);
  for (int r = 0; r < rows && rc == CIM_OK; r++)
    rc = cim_program_read(dev, cfg, r, 0, cols, codes + (size_t)r * (size_t)cols, NULL);
  return rc;
}

/* Mean code of the probe columns of row ref, read now. */
static int probe_mean(cim_dev *dev, const cim_program_cfg *cfg, int ref, int cols,
                      const int *probe, int n_probe, uint8_t *row_buf, double *mean) {
  const int rc = cim_program_read(dev, cfg, ref, 0, cols, row_buf, NULL);
  double s = 0;
  for (int i = 0; i < n_probe; i++) s += row_buf[probe[i]];
  *mean = n_probe ? s / n_probe : 0.0;
  return rc;
}

/* Program the probe cells of row r to code t, one cell per run. */
static int set_probes(cim_dev *dev, const cim_program_cfg *cfg, int r, const int *probe,
                      int n_probe, uint8_t t) {
  int rc = CIM_OK;
  for (int i = 0; i < n_probe && rc == CIM_OK; i++) {
    uint8_t res = 0;
    rc = cim_program_cells(dev, cfg, r, probe[i], 1, &t, &res, NULL);
  }
  return rc;
}

/* Step 2: is row r leaky, read through row ref? The reference is read just
 * before the probes rise: a cell brought back "to 0" lands anywhere in its
 * window, so a reading from earlier would not be this one's baseline. */
static int row_leaks(cim_dev *dev, const cim_program_cfg *cfg, int r, int ref, int cols,
                     const int *probe, int n_probe, uint8_t top, uint8_t *row_buf, int *leaky) {
  double base = 0, m = 0;
  int rc = probe_mean(dev, cfg, ref, cols, probe, n_probe, row_buf, &base);
  if (rc == CIM_OK) rc = set_probes(dev, cfg, r, probe, n_probe, top);
  if (rc == CIM_OK) rc = probe_mean(dev, cfg, ref, cols, probe, n_probe, row_buf, &m);
  if (rc == CIM_OK) rc = set_probes(dev, cfg, r, probe, n_probe, 0);
  *leaky = m - base >= CIM_LINES_LEAK_CODES;
  return rc;
}

/* Up to CIM_LINES_FLOOR_ROWS good rows at their floor, read: base[c] is
 * the median of their codes in column c (0 where no row is good). lo is
 * scratch of rows x cols. */
static int background(cim_dev *dev, const cim_program_cfg *cfg, const uint8_t *row_state,
                     int rows, int cols, uint8_t *row_buf, uint8_t *res, uint8_t *tmp, uint8_t *lo,
                     uint8_t *base) {
  cim_program_cfg floor_cfg = *cfg;
  floor_cfg.tol = 0;
  floor_cfg.col_offset = NULL;
  memset(row_buf, 0, (size_t)cols);
  int n = 0, rc = CIM_OK;
  for (int i = 0; i < rows && n < CIM_LINES_FLOOR_ROWS && rc == CIM_OK; i++) {
    if (row_state[i] != CIM_LINE_OK) continue;
    rc = cim_program_cells(dev, &floor_cfg, i, 0, cols, row_buf, res, NULL);
    if (rc == CIM_OK) rc = cim_program_read(dev, cfg, i, 0, cols, lo + (size_t)n * (size_t)cols, NULL);
    n++;
  }
  for (int c = 0; rc == CIM_OK && c < cols; c++) {
    for (int k = 0; k < n; k++) tmp[k] = lo[(size_t)k * (size_t)cols + (size_t)c];
    base[c] = (uint8_t)(n ? median_u8(tmp, n) : 0);
  }
  return rc;
}

int cim_find_bad_lines(cim_dev *dev, const cim_program_cfg *cfg, uint8_t *row_state,
                       uint8_t *col_state, cim_lines_report *rep) {
  const cim_info *in = cim_get_info(dev);
  cim_program_cfg def;
  cfg = cim_program_cfg_or_default(cfg, &def);
  if (!row_state || !col_state) return CIM_EINVAL;
  const int rows = in->rows, cols = in->cols;
  const uint8_t top = (uint8_t)((1 << (cfg->sense_bits ? cfg->sense_bits : 8)) - 1);
  const size_t n = (size_t)rows * (size_t)cols;
  uint8_t *lo = malloc(n), *hi = malloc(n), *row_buf = malloc((size_t)cols);
  uint8_t *res = malloc((size_t)cols), *tmp = malloc((size_t)(rows > cols ? rows : cols));
  int probe[CIM_LINES_PROBES];
  cim_lines_report r = {.reference_row = -1, .col_base = rep ? rep->col_base : NULL};
  mmio_bus *bus = cim_get_bus(dev);
  const uint64_t t0 = mmio_cycles(bus);
  int rc = lo && hi && row_buf && res && tmp ? CIM_OK : CIM_ENOMEM;
  memset(row_state, CIM_LINE_OK, (size_t)rows);
  memset(col_state, CIM_LINE_OK, (size_t)cols);

  /* 1. Every cell at code 0. A leaky column reads high on every row: its
   * median over the rows stands above the typical column's. */
  if (rc == CIM_OK) rc = fill_and_read(dev, cfg, rows, cols, 0, row_state, row_buf, res, lo);
  if (rc == CIM_OK) {
    uint8_t *col_med = row_buf; /* free until the next read */
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < rows; i++) tmp[i] = lo[(size_t)i * (size_t)cols + (size_t)c];
      col_med[c] = (uint8_t)median_u8(tmp, rows);
    }
    memcpy(res, col_med, (size_t)cols);
    const int typical = median_u8(res, cols);
    for (int c = 0; c < cols; c++) {
      if (col_med[c] >= typical + CIM_LINES_LEAK_CODES) {
        col_state[c] = CIM_LINE_LEAKY;
        r.leaky_cols++;
      }
    }
  }

  /* 2. Leaky rows: a few probe cells of row i at the top code raise what a
   * reference row reads in their columns (formed or not: an unformed
   * reference reads the leak alone). Probes spread over the columns that
   * do not leak themselves. */
  int n_probe = 0, clean = 0;
  for (int c = 0; c < cols; c++) clean += col_state[c] == CIM_LINE_OK;
  const int every = clean / CIM_LINES_PROBES > 0 ? clean / CIM_LINES_PROBES : 1;
  for (int c = 0, k = 0; c < cols && n_probe < CIM_LINES_PROBES; c++)
    if (col_state[c] == CIM_LINE_OK && k++ % every == 0) probe[n_probe++] = c;
  const int ref = rows >= 2 ? 0 : -1, ref2 = rows >= 2 ? 1 : -1;
  r.reference_row = ref;
  if (rc == CIM_OK && ref >= 0 && n_probe > 0) {
    for (int i = 0; rc == CIM_OK && i < rows; i++) {
      int leaky = 0;
      /* the reference itself is read through the second one */
      rc = row_leaks(dev, cfg, i, i == ref ? ref2 : ref, cols, probe, n_probe, top, row_buf,
                     &leaky);
      if (leaky) {
        row_state[i] = CIM_LINE_LEAKY;
        r.leaky_rows++;
      }
    }
  }

  /* 3. Every cell but the leaky rows' at the top code (theirs stay at 0 so
   * their leak stays small). A cell that reads about the same as at code 0
   * never formed; a row or column most of whose cells did not is unformed. */
  if (rc == CIM_OK) rc = fill_and_read(dev, cfg, rows, cols, top, row_state, row_buf, res, hi);
  const int step = top / 4;
#define DEAD(i, c) \
  (hi[(size_t)(i) * (size_t)cols + (size_t)(c)] < lo[(size_t)(i) * (size_t)cols + (size_t)(c)] + step)
  for (int i = 0; rc == CIM_OK && i < rows; i++) {
    if (row_state[i] != CIM_LINE_OK) continue;
    int k = 0;
    for (int c = 0; c < cols; c++) k += DEAD(i, c);
    if (2 * k > cols) {
      row_state[i] = CIM_LINE_UNFORMED;
      r.unformed_rows++;
    }
  }
  for (int c = 0; rc == CIM_OK && c < cols; c++) {
    int k = 0, m = 0;
    for (int i = 0; i < rows; i++) {
      if (row_state[i] != CIM_LINE_OK) continue;
      m++;
      k += DEAD(i, c);
    }
    if (m > 0 && 2 * k > m) {
      if (col_state[c] == CIM_LINE_LEAKY) r.leaky_cols--;
      col_state[c] = CIM_LINE_UNFORMED;
      r.unformed_cols++;
    }
  }
#undef DEAD
  /* 4. The background: a few good rows driven to their floor (target 0,
   * no window: every pulse the limit allows) read what the column adds by
   * itself, the leaky rows' leak. Step 1's readings cannot tell it: a cell
   * only "within the window of 0" may sit anywhere in it. */
  if (rc == CIM_OK && r.col_base) rc = background(dev, cfg, row_state, rows, cols, row_buf, res, tmp,
                                                  lo, r.col_base);
  r.total_cycles = mmio_cycles(bus) - t0;
  if (rep) *rep = r;
  free(lo);
  free(hi);
  free(row_buf);
  free(res);
  free(tmp);
  return rc;
}

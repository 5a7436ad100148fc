/* cim_calib.c: ADC offset/gain calibration (cim_calib.h). */
#include "cim_calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_map.h"

/* Normal equations of one ADC's least-squares fit
 *   code = o + g * ideal + h * active
 * where ideal is the column's sum of driven cell levels and active the
 * number of driven rows: h absorbs the pedestal of level-0 cells (g_min > 0),
 * which the differential pair cancels and the calibration must not fold into
 * the gain. m is symmetric over the regressors (1, ideal, active). */
typedef struct fit_acc {
  double m[3][3], v[3];
} fit_acc;

static void fit_add(fit_acc *f, double e, double act, double code) {
  const double r[3] = {1.0, e, act};
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++) f->m[i][j] += r[i] * r[j];
    f->v[i] += r[i] * code;
  }
}

/* Solve the first n unknowns of f (n = 2 drops the pedestal term) by
 * Gaussian elimination; 0 on success, -1 if singular. */
static int fit_solve(const fit_acc *f, int n, double out[3]) {
  double a[3][4];
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) a[i][j] = f->m[i][j];
    a[i][n] = f->v[i];
  }
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(a[r][c]) > fabs(a[piv][c])) piv = r;
    if (fabs(a[piv][c]) < 1e-9 * (1.0 + fabs(f->m[0][0]) * fabs(f->m[n - 1][n - 1]))) return -1;
    for (int j = 0; j <= n; j++) {
      double t = a[c][j];
      a[c][j] = a[piv][j];
      a[piv][j] = t;
    }
    for (int r = 0; r < n; r++) {
      if (r == c) continue;
      double k = a[r][c] / a[c][c];
      for (int j = c; j <= n; j++) a[r][j] -= k * a[c][j];
    }
  }
  for (int i = 0; i < 3; i++) out[i] = i < n ? a[i][n] / a[i][i] : 0.0;
  return 0;
}

/* Invert the symmetric 3x3 matrix m; 0 on success, -1 if singular. */
static int inv3(const double m[3][3], double out[3][3]) {
  double c[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
      c[j][i] = m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]; /* adjugate */
    }
  double det = m[0][0] * c[0][0] + m[0][1] * c[1][0] + m[0][2] * c[2][0];
  double scale = fabs(m[0][0] * m[1][1] * m[2][2]);
  if (!(fabs(det) > 1e-12 * (scale > 1.0 ? scale : 1.0))) return -1;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) out[i][j] = c[i][j] / det;
  return 0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Whether ADC a's unclipped codes determine its offset, gain and pedestal
 * (cim_calib.h): the distinct (ideal, active) points among them, each
 * counted once, as a point repeated gives the same code and the same rounding
 * error again. With rounding alone (1/sqrt(12) LSB per distinct point) the
 * fit's standard errors are sqrt(inv(M)_ii / 12) over those points' normal
 * matrix M, written to se_off (LSB) and se_gain (relative). keys has room
 * for every point of the ADC. 1 if they are within CIM_CAL_MAX_SE_*, else 0. */
static int fit_determined(const int32_t *ideal, const int32_t *raw, const int *active, int n_col,
                          int n_patterns, int cols_per_adc, int a, int32_t code_max, double gain,
                          int64_t *keys, double *se_off /* OUT */, double *se_gain /* OUT */) {
  const int c0 = a * cols_per_adc, c1 = c0 + cols_per_adc < n_col ? c0 + cols_per_adc : n_col;
  size_t n = 0;
  for (int t = 0; t < n_patterns; t++)
    for (int c = c0; c < c1; c++) {
      size_t i = (size_t)t * (size_t)n_col + (size_t)c;
      if (raw[i] > 0 && raw[i] < code_max)
        keys[n++] = (int64_t)active[t] * ((int64_t)1 << 32) + ideal[i];
    }
  qsort(keys, n, sizeof *keys, cmp_i64);
  fit_acc d = {0};
  int n_distinct = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && keys[i] == keys[i - 1]) continue;
    n_distinct++;
    fit_add(&d, (double)(keys[i] & 0xFFFFFFFF), (double)(keys[i] >> 32), 0.0);
  }
  double inv[3][3];
  if (n_distinct < CIM_CAL_MIN_POINTS || inv3(d.m, inv) != 0 || !(gain > 0.0)) return 0;
  *se_off = sqrt(inv[0][0] / 12.0);
  *se_gain = sqrt(inv[1][1] / 12.0) / gain;
  return *se_off <= CIM_CAL_MAX_SE_OFFSET_LSB && *se_gain <= CIM_CAL_MAX_SE_GAIN;
}

/* Firmware-local generator for the patterns (xorshift32, never 0). */
static uint32_t next_rand(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Ideal code of physical column c for the active rows of x: the sum of the
 * cell levels there (one ADC LSB per level). */
static int32_t ideal_code(const cim_info *in, const int32_t *W, int k, const int32_t *x, int rows,
                          int c) {
  int slices = cim_map_slices(in->w_bits, in->cell_bits);
  int j = c / (2 * slices), s = (c % (2 * slices)) / 2, p = c % 2;
  int32_t sum = 0;
  for (int r = 0; r < rows; r++) {
    int level = 0;
    if (x[r] && cim_map_level(W[(size_t)j * (size_t)k + (size_t)r], s, p, in->w_bits,
                              in->cell_bits, &level) == 0)
      sum += level;
  }
  return sum;
}

int cim_calibrate_adcs(cim_dev *dev, const int32_t *W, int n_out, int k, int n_patterns,
                       uint32_t seed, cim_cal_report *rep) {
  const cim_info *in = cim_get_info(dev);
  if (!W || n_out < 1 || n_out > in->n_out || k < 1 || k > in->rows || n_patterns < 2)
    return CIM_EINVAL;
  const int slices = cim_map_slices(in->w_bits, in->cell_bits);
  const int n_col = n_out * 2 * slices;
  const int n_adc = (n_col + in->cols_per_adc - 1) / in->cols_per_adc;
  const int32_t code_max = (1 << in->adc_bits) - 1;
  /* the largest group that fits the ADC, but at least CIM_CAL_MIN_ROWS where
   * the macro allows: one or two rows give too few distinct sums to separate
   * offset, gain and pedestal (codes that clip are left out) */
  int rows = cim_max_group_rows(dev);
  if (rows < CIM_CAL_MIN_ROWS) rows = in->p_max < CIM_CAL_MIN_ROWS ? in->p_max : CIM_CAL_MIN_ROWS;
  if (rows > k) rows = k;

  int32_t *x = calloc((size_t)rows, sizeof *x);
  int32_t *codes = calloc((size_t)n_col, sizeof *codes);
  int32_t *ideal = calloc((size_t)n_col * (size_t)n_patterns, sizeof *ideal);
  int32_t *raw = calloc((size_t)n_col * (size_t)n_patterns, sizeof *raw);
  int *active = calloc((size_t)n_patterns, sizeof *active);
  fit_acc *fit = calloc((size_t)n_adc, sizeof *fit);
  int rc = (x && codes && ideal && raw && active && fit) ? CIM_OK : CIM_ENOMEM;

  /* Start from the identity so the codes read are the ADCs' own. */
  for (int a = 0; a < n_adc && rc == CIM_OK; a++)
    rc = cim_set_adc_cal(dev, a, &CIM_ADC_CAL_IDENTITY);
  const cim_job job = {.n_rows = rows, .n_outs = n_out, .x_bits = 1, .group_rows = rows,
                       .out_bits = 32};
  if (rc == CIM_OK) rc = cim_configure(dev, &job);

  uint32_t state = seed ? seed : 0x9E3779B9u;
  for (int t = 0; t < n_patterns && rc == CIM_OK; t++) {
    /* densities from sparse to full spread the ideal codes over the range */
    uint32_t density = (uint32_t)(((t + 1) * 256) / n_patterns);
    active[t] = 0;
    for (int r = 0; r < rows; r++) {
      x[r] = (next_rand(&state) & 0xFFu) < density;
      active[t] += x[r];
    }
    rc = cim_load_inputs(dev, x, rows);
    if (rc == CIM_OK) rc = cim_start(dev);
    if (rc == CIM_OK) rc = cim_wait(dev, CIM_WAIT_POLL, 1000000u);
    if (rc == CIM_OK) rc = cim_read_codes(dev, 0, n_col, codes);
    for (int c = 0; c < n_col && rc == CIM_OK; c++) {
      int32_t e = ideal_code(in, W, k, x, rows, c);
      size_t i = (size_t)t * (size_t)n_col + (size_t)c;
      ideal[i] = e;
      raw[i] = codes[c];
      if (codes[c] <= 0 || codes[c] >= code_max) continue; /* clipped: says nothing */
      fit_add(&fit[c / in->cols_per_adc], e, active[t], codes[c]);
    }
  }

  cim_cal_report r = {.first_refused = -1};
  double *off = calloc((size_t)n_adc, sizeof *off), *gain = calloc((size_t)n_adc, sizeof *gain);
  double *ped = calloc((size_t)n_adc, sizeof *ped);
  int64_t *keys = calloc((size_t)in->cols_per_adc * (size_t)n_patterns, sizeof *keys);
  if (rc == CIM_OK && (!off || !gain || !ped || !keys)) rc = CIM_ENOMEM;
  for (int a = 0; a < n_adc && rc == CIM_OK; a++) {
    double p[3], se_off = 0.0, se_gain = 0.0;
    off[a] = 0.0;
    gain[a] = 1.0;
    ped[a] = 0.0;
    /* offset, gain and pedestal together, or nothing: without the pedestal
     * term the fitted offset would carry the pedestal */
    if (fit[a].m[0][0] < CIM_CAL_MIN_POINTS || fit_solve(&fit[a], 3, p) != 0 ||
        !fit_determined(ideal, raw, active, n_col, n_patterns, in->cols_per_adc, a, code_max,
                        p[1], keys, &se_off, &se_gain)) {
      if (fit[a].m[0][0] > 0) r.n_unfit++; /* codes that do not determine a fit */
      continue;                            /* keep the identity */
    }
    rc = cim_set_adc_cal_fit(dev, a, p[0], p[1]);
    if (rc == CIM_EINVAL) {
      /* ADC_CAL cannot hold this correction: a clamped one would be wrong
       * while looking right, so the ADC keeps the identity and the report
       * says which one and why. */
      if (r.n_refused++ == 0) {
        r.first_refused = a;
        snprintf(r.refused_msg, sizeof r.refused_msg, "%s", cim_errmsg(dev));
      }
      rc = CIM_OK;
      continue;
    }
    if (rc != CIM_OK) break;
    off[a] = p[0];
    gain[a] = p[1];
    ped[a] = p[2];
    r.n_adc++;
    if (fabs(off[a]) > r.max_abs_offset_lsb) r.max_abs_offset_lsb = fabs(off[a]);
    if (fabs(gain[a] - 1.0) > r.max_abs_gain_err) r.max_abs_gain_err = fabs(gain[a] - 1.0);
    if (se_off > r.max_se_offset_lsb) r.max_se_offset_lsb = se_off;
    if (se_gain > r.max_se_gain) r.max_se_gain = se_gain;
  }
  /* errors before and after over the unclipped points */
  double sb = 0, sa = 0;
  for (int t = 0; t < n_patterns && rc == CIM_OK; t++) {
    for (int c = 0; c < n_col; c++) {
      size_t i = (size_t)t * (size_t)n_col + (size_t)c;
      int a = c / in->cols_per_adc;
      if (raw[i] <= 0 || raw[i] >= code_max) {
        r.n_clipped++;
        continue;
      }
      /* the pedestal is no error: the differential pair cancels it */
      double pedestal = ped[a] * active[t];
      double before = raw[i] - pedestal / gain[a] - ideal[i];
      double after = (raw[i] - off[a] - pedestal) / gain[a] - ideal[i];
      sb += before * before;
      sa += after * after;
      r.n_points++;
    }
  }
  if (r.n_points > 0) {
    r.rms_before = sqrt(sb / r.n_points);
    r.rms_after = sqrt(sa / r.n_points);
  }
  /* no ADC could be fitted: say so instead of a silent calibration of none */
  if (rc == CIM_OK && r.n_adc == 0 && r.n_refused == 0) rc = CIM_ENODATA;
  if (rep) *rep = r;
  free(off);
  free(gain);
  free(ped);
  free(keys);
  free(active);
  free(x);
  free(codes);
  free(ideal);
  free(raw);
  free(fit);
  return rc;
}

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
  int rows = cim_max_group_rows(dev);
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
  if (rc == CIM_OK && (!off || !gain || !ped)) rc = CIM_ENOMEM;
  for (int a = 0; a < n_adc && rc == CIM_OK; a++) {
    double p[3];
    off[a] = 0.0;
    gain[a] = 1.0;
    ped[a] = 0.0;
    /* with a pedestal term when the patterns separate it, else without */
    if (fit[a].m[0][0] < 3 || (fit_solve(&fit[a], 3, p) != 0 && fit_solve(&fit[a], 2, p) != 0))
      continue; /* nothing to fit: keep the identity */
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
  free(active);
  free(x);
  free(codes);
  free(ideal);
  free(raw);
  free(fit);
  return rc;
}

/* cim_golden.c: exact MVM, requantization and the periphery twin (contract
 * and controller sequence in cim_golden.h).
 *
 * The twin deliberately shares no code with cim_seq.c beyond the job check:
 * it recomputes the expected wordlines from x on its own, so a bug in the C
 * sequencer cannot hide the same bug in the twin. */
#include "cim_golden.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cim_int.h"
#include "cim_map.h"
#include "rram_util.h"

void cim_mvm_exact(const int32_t *W, const int32_t *x, int n_out, int k, int64_t *y) {
  for (int j = 0; j < n_out; j++) {
    int64_t sum = 0;
    const int32_t *row = W + (size_t)j * (size_t)k;
    for (int r = 0; r < k; r++) sum += (int64_t)row[r] * x[r];
    y[j] = sum;
  }
}

/* floor((v + 2^(shift-1)) / 2^shift) for shift >= 1, without v + half
 * overflowing and without >> on a negative value (implementation-defined in
 * C): split v = q*d + r with 0 <= r < d, then round up when r >= d/2. */
static int64_t round_shift(int64_t v, int shift) {
  const int64_t d = INT64_C(1) << shift;
  int64_t q = v / d, r = v % d;
  if (r < 0) {
    q -= 1;
    r += d;
  }
  return q + (r >= d / 2 ? 1 : 0);
}

int32_t cim_adc_calibrate(int32_t code, const cim_adc_cal *cal) {
  if (cal == NULL) return code;
  return (int32_t)round_shift(((int64_t)code * 16 - cal->offset_q4) * (int64_t)cal->gain_q14, 18);
}

int32_t cim_requant(int64_t acc, const cim_job *job) {
  /* Out-of-range settings are clamped rather than trusted: this function
   * has no error channel, and a shift of 64 would be undefined behaviour. */
  const int shift = job->shift < 0 ? 0 : (job->shift > 62 ? 62 : job->shift);
  const int out_bits = job->out_bits < 2 ? 2 : (job->out_bits > 32 ? 32 : job->out_bits);
  int64_t v = acc;
  if (job->relu && v < 0) v = 0;
  if (shift > 0) v = round_shift(v, shift);
  const int64_t hi = (INT64_C(1) << (out_bits - 1)) - 1;
  const int64_t lo = -(INT64_C(1) << (out_bits - 1));
  if (v > hi) v = hi;
  if (v < lo) v = lo;
  return (int32_t)v;
}

int cim__job_check(const rram_geometry *geo, int w_bits, const cim_job *job, const int32_t *x,
                   char *err, size_t err_len) {
  if (!geo || !job || !x) {
    rram__fmt_err(err, err_len, "%s is NULL", !geo ? "array" : (!job ? "job" : "x"));
    return RRAM_EINVAL;
  }
  const int n_s = cim_map_slices(w_bits, geo->cell_bits);
  if (n_s == 0) {
    rram__fmt_err(err, err_len, "w_bits %d out of range for cell_bits %d", w_bits, geo->cell_bits);
    return RRAM_EINVAL;
  }
  const int max_out = cim_map_outputs(geo->cols, w_bits, geo->cell_bits);
  if (job->n_rows < 1 || job->n_rows > geo->rows) {
    rram__fmt_err(err, err_len, "n_rows %d out of range 1..%d (rows)", job->n_rows, geo->rows);
    return RRAM_EINVAL;
  }
  if (job->n_outs < 1 || job->n_outs > max_out) {
    rram__fmt_err(err, err_len, "n_outs %d out of range 1..%d (outputs)", job->n_outs, max_out);
    return RRAM_EINVAL;
  }
  if (job->x_bits < 1 || job->x_bits > CIM__MAX_X_BITS) {
    rram__fmt_err(err, err_len, "x_bits %d out of range 1..%d", job->x_bits, CIM__MAX_X_BITS);
    return RRAM_EINVAL;
  }
  if (job->group_rows < 1) {
    rram__fmt_err(err, err_len, "group_rows %d must be >= 1 (0 is resolved by the driver)",
            job->group_rows);
    return RRAM_EINVAL;
  }
  if (job->shift < 0 || job->shift > 31) {
    rram__fmt_err(err, err_len, "shift %d out of range 0..31", job->shift);
    return RRAM_EINVAL;
  }
  if (job->out_bits < 2 || job->out_bits > 32) {
    rram__fmt_err(err, err_len, "out_bits %d out of range 2..32", job->out_bits);
    return RRAM_EINVAL;
  }
  const int32_t lo = job->is_signed ? -(INT32_C(1) << (job->x_bits - 1)) : 0;
  const int32_t hi = job->is_signed ? (INT32_C(1) << (job->x_bits - 1)) - 1
                                    : (INT32_C(1) << job->x_bits) - 1;
  for (int r = 0; r < job->n_rows; r++) {
    if (x[r] < lo || x[r] > hi) {
      rram__fmt_err(err, err_len, "x[%d] = %ld does not fit %d-bit %s (%ld..%ld)", r, (long)x[r],
              job->x_bits, job->is_signed ? "signed" : "unsigned", (long)lo, (long)hi);
      return RRAM_EINVAL;
    }
  }
  return RRAM_OK;
}

/* Is row r driven in phase (group g, plane kb) of the sequence? */
static int expect_row(const cim_job *job, const int32_t *x, int g, int kb, int r) {
  const int first = g * job->group_rows;
  if (r < first || r >= job->n_rows || r - first >= job->group_rows) return 0;
  if (!cim_line_enabled(job->row_en, r)) return 0;
  return (int)(((uint32_t)x[r] >> kb) & 1u);
}

/* 1 if row r belongs to group g (is selected in its phases). */
static int in_group(const cim_job *job, int g, int r) {
  const int first = g * job->group_rows;
  return r >= first && r < job->n_rows && r - first < job->group_rows &&
         cim_line_enabled(job->row_en, r);
}

/* Explain why row r of phase i differs from the sequence into err. */
static void explain_row(const cim_job *job, const int32_t *x, size_t i, int g, int kb, int r,
                        int driven, char *err, size_t err_len) {
  const int first = g * job->group_rows;
  int last = first + job->group_rows - 1;
  if (last > job->n_rows - 1) last = job->n_rows - 1;
  if (r < first || r > last)
    rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): row %d driven outside the group "
            "(rows %d..%d)", i, g, kb, r, first, last);
  else if (!cim_line_enabled(job->row_en, r))
    rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): row %d driven, but it is "
            "disabled (ROW_EN)", i, g, kb, r);
  else
    rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): row %d %s, but bit %d of x[%d] = %ld "
            "is %d", i, g, kb, r, driven ? "driven" : "not driven", kb, r, (long)x[r],
            !driven);
}

/* Name column c as (output, slice, polarity) into buf. */
static void name_col(int c, int n_s, char *buf, size_t len) {
  snprintf(buf, len, "column %d (output %d, slice %d, G%c)", c, c / (2 * n_s),
           (c % (2 * n_s)) / 2, c % 2 ? '-' : '+');
}

int cim_twin_run(const rram_array *a, int w_bits, const cim_job *job, const int32_t *x,
                 int64_t *acc, int32_t *y, char *err, size_t err_len) {
  if (!a || !y) {
    rram__fmt_err(err, err_len, "%s is NULL", !a ? "array" : "y");
    return RRAM_EINVAL;
  }
  const rram_geometry *geo = rram_array_geometry(a);
  int rc = cim__job_check(geo, w_bits, job, x, err, err_len);
  if (rc != RRAM_OK) return rc;

  const int cb = geo->cell_bits;
  const int n_s = cim_map_slices(w_bits, cb);
  const int n_col = job->n_outs * 2 * n_s;
  /* ceil(n_rows / group_rows) without n_rows + group_rows - 1, which
   * overflows for a group_rows near INT_MAX (fuzz_twin, UBSan) */
  const int groups = (job->n_rows - 1) / job->group_rows + 1;
  const size_t n_exp = (size_t)groups * (size_t)job->x_bits;
  const size_t n_log = rram_array_log_phases(a);
  const size_t wl_words = ((size_t)geo->rows + 31) / 32;

  const size_t orphans = rram_array_log_orphans(a);
  if (orphans) {
    rram__fmt_err(err, err_len, "%zu conversion%s before the first drive (orphan%s)", orphans,
            orphans == 1 ? "" : "s", orphans == 1 ? "" : "s");
    return RRAM_ESEQ;
  }

  int64_t *sum = acc ? acc : malloc((size_t)job->n_outs * sizeof *sum);
  if (!sum) {
    rram__fmt_err(err, err_len, "out of memory");
    return RRAM_ENOMEM;
  }
  for (int j = 0; j < job->n_outs; j++) sum[j] = 0;
  rc = RRAM_OK;
  char cname[80];
  const size_t n_common = n_log < n_exp ? n_log : n_exp;
  for (size_t i = 0; i < n_common && rc == RRAM_OK; i++) {
    const int g = (int)(i / (size_t)job->x_bits);
    const int kb = (int)(i % (size_t)job->x_bits);
    const rram_phase *ph = rram_array_log_phase(a, i);

    /* Wordlines: exactly the rows of group g whose input has bit kb set. */
    for (size_t w = 0; w < wl_words && rc == RRAM_OK; w++) {
      uint32_t want = 0;
      for (int b = 0; b < 32 && (int)(w * 32) + b < geo->rows; b++)
        want |= (uint32_t)expect_row(job, x, g, kb, (int)(w * 32) + b) << b;
      const uint32_t diff = want ^ ph->wl[w];
      if (diff) {
        int b = 0;
        while (!((diff >> b) & 1u)) b++;
        explain_row(job, x, i, g, kb, (int)(w * 32) + b, (int)((ph->wl[w] >> b) & 1u), err,
                    err_len);
        rc = RRAM_ESEQ;
      }
    }
    /* Row select: exactly the rows of group g (what the undriven ones do
     * depends on it: rram_device.h row_model). */
    for (size_t w = 0; w < wl_words && rc == RRAM_OK; w++) {
      uint32_t want = 0;
      for (int b = 0; b < 32 && (int)(w * 32) + b < geo->rows; b++)
        want |= (uint32_t)in_group(job, g, (int)(w * 32) + b) << b;
      const uint32_t diff = want ^ ph->sel[w];
      if (diff) {
        int b = 0;
        while (!((diff >> b) & 1u)) b++;
        const int first = g * job->group_rows;
        const int last = first + job->group_rows - 1 < job->n_rows - 1 ? first + job->group_rows - 1
                                                                      : job->n_rows - 1;
        rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): row %d %s, but the group is "
                      "rows %d..%d%s", i, g, kb, (int)(w * 32) + b,
                      (ph->sel[w] >> b) & 1u ? "selected" : "not selected", first, last,
                      cim_line_enabled(job->row_en, (int)(w * 32) + b) ? ""
                                                                        : " and it is disabled");
        rc = RRAM_ESEQ;
      }
    }
    /* Conversions: each active column once, no inactive column at all. */
    for (int c = 0; c < geo->cols && rc == RRAM_OK; c++) {
      const unsigned n = ph->n_conv[c];
      if (c < n_col && n != 1) {
        name_col(c, n_s, cname, sizeof cname);
        rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): %s converted %u times, "
                "expected once", i, g, kb, cname, n);
        rc = RRAM_ESEQ;
      } else if (c >= n_col && n != 0) {
        rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d): inactive column %d converted "
                "%u times (active columns 0..%d)", i, g, kb, c, n, n_col - 1);
        rc = RRAM_ESEQ;
      }
    }
    if (rc != RRAM_OK) break;

    /* Shift-and-add exactly as documented; codes are known valid here. */
    const int64_t sgn = (job->is_signed && kb == job->x_bits - 1) ? -1 : 1;
    for (int j = 0; j < job->n_outs; j++) {
      for (int s = 0; s < n_s; s++) {
        const int c = j * 2 * n_s + 2 * s;
        const cim_adc_cal *cp = job->adc_cal ? &job->adc_cal[c / geo->cols_per_adc] : NULL;
        const cim_adc_cal *cn = job->adc_cal ? &job->adc_cal[(c + 1) / geo->cols_per_adc] : NULL;
        /* a disabled column's code enters as 0 (COL_EN) */
        const int64_t vp = cim_line_enabled(job->col_en, c) ? cim_adc_calibrate(ph->code[c], cp) : 0;
        const int64_t vn =
            cim_line_enabled(job->col_en, c + 1) ? cim_adc_calibrate(ph->code[c + 1], cn) : 0;
        const int64_t d = vp - vn;
        sum[j] += sgn * d * (INT64_C(1) << (kb + s * cb));
      }
    }
  }
  if (rc == RRAM_ESEQ && n_log != n_exp && err && err_len) {
    /* Append the count: a first divergence often comes from a lost or an
     * extra phase earlier on. */
    size_t len = 0;
    while (len + 1 < err_len && err[len]) len++;
    rram__fmt_err(err + len, err_len - len, " (log has %zu phases, expected %zu)", n_log, n_exp);
  } else if (rc == RRAM_OK && n_log < n_exp) {
    const int g = (int)(n_log / (size_t)job->x_bits);
    const int kb = (int)(n_log % (size_t)job->x_bits);
    rram__fmt_err(err, err_len, "phase %zu (group %d, plane %d) missing: log has %zu phases, "
            "expected %zu (%d groups x %d planes)", n_log, g, kb, n_log, n_exp, groups,
            job->x_bits);
    rc = RRAM_ESEQ;
  } else if (rc == RRAM_OK && n_log > n_exp) {
    rram__fmt_err(err, err_len, "phase %zu: extra phase after the last one (group %d, plane %d): "
            "log has %zu phases, expected %zu (%d groups x %d planes)", n_exp, groups - 1,
            job->x_bits - 1, n_log, n_exp, groups, job->x_bits);
    rc = RRAM_ESEQ;
  }
  if (rc == RRAM_OK) {
    for (int j = 0; j < job->n_outs; j++) y[j] = cim_requant(sum[j], job);
    rram__fmt_err(err, err_len, "success");
  }
  if (sum != acc) free(sum);
  return rc;
}

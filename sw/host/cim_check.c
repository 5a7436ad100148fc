/* cim_check.c: golden comparison of RTL outputs (see cim_check.h). */
#include "cim_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cim_golden.h"

void cim_check_init(cim_check *c) {
  memset(c, 0, sizeof *c);
  c->max_err_column = -1;
}

static void cim_check__fill(cim_check_mismatch *m, uint64_t vector, int column, int32_t rtl,
                            const int32_t *twin, int64_t exact, int32_t expected) {
  memset(m, 0, sizeof *m);
  m->has_twin = twin != NULL;
  m->vector = vector;
  m->column = column;
  m->rtl = rtl;
  m->twin = twin != NULL ? *twin : 0;
  m->exact = exact;
  m->expected = expected;
}

unsigned cim_check_vector(cim_check *c, const cim_job *job, int n, const int32_t *y_rtl,
                          const int32_t *y_twin, const char *twin_err,
                          const int64_t *y_exact, const char *exact_skip) {
  if (c == NULL || job == NULL || n < 1 || y_rtl == NULL || y_exact == NULL)
    return CIM_CHECK_BAD_ARG;
  unsigned res = 0;
  uint64_t v = c->vectors;

  if (y_twin == NULL) {
    /* The twin rejected the run's log: a failure of the RTL's sequence. */
    res |= CIM_CHECK_TWIN_FAIL;
    c->twin_refused++;
    if (!c->has_twin_first) {
      c->has_twin_first = 1;
      cim_check__fill(&c->twin_first, v, -1, 0, NULL, 0, 0);
      snprintf(c->twin_first.twin_err, sizeof c->twin_first.twin_err, "%s",
               twin_err != NULL && twin_err[0] ? twin_err : "the twin produced no output");
    }
  }

  for (int j = 0; j < n; j++) {
    int32_t expected = cim_requant(y_exact[j], job);
    int32_t rtl = y_rtl[j];
    if (y_twin != NULL && rtl != y_twin[j]) {
      res |= CIM_CHECK_TWIN_FAIL;
      c->twin_fail_outputs++;
      if (!c->has_twin_first) {
        c->has_twin_first = 1;
        cim_check__fill(&c->twin_first, v, j, rtl, &y_twin[j], y_exact[j], expected);
      }
    }
    int64_t err = (int64_t)rtl - (int64_t)expected;
    if (err != 0) {
      res |= CIM_CHECK_EXACT_FAIL;
      c->exact_fail_outputs++;
      if (!c->has_exact_first) {
        c->has_exact_first = 1;
        cim_check__fill(&c->exact_first, v, j, rtl, y_twin != NULL ? &y_twin[j] : NULL,
                        y_exact[j], expected);
      }
    }
    int64_t abs_err = err < 0 ? -err : err;
    if (abs_err > c->max_abs_err) {
      c->max_abs_err = abs_err;
      c->max_err_vector = v;
      c->max_err_column = j;
    }
    c->sum_sq_err += (double)err * (double)err;
    c->sum_sq_expected += (double)expected * (double)expected;
    if (j < CIM_CHECK_MAX_COLS) {
      if (j >= c->n_cols) c->n_cols = j + 1;
      c->col_n[j]++;
      if (abs_err > c->col_max_abs_err[j]) c->col_max_abs_err[j] = abs_err;
      c->col_sum_sq_err[j] += (double)err * (double)err;
      c->col_sum_sq_expected[j] += (double)expected * (double)expected;
    }
  }

  if (res & CIM_CHECK_TWIN_FAIL) c->twin_fail_vectors++;
  if (res & CIM_CHECK_EXACT_FAIL) c->exact_fail_vectors++;
  if (exact_skip == NULL) {
    c->exact_applied++;
    if (res & CIM_CHECK_EXACT_FAIL) c->exact_fail_applied++;
  } else if (c->exact_skip_reason[0] == '\0') {
    snprintf(c->exact_skip_reason, sizeof c->exact_skip_reason, "%s",
             exact_skip[0] ? exact_skip : "no reason given");
  }
  c->vectors++;
  c->outputs += (uint64_t)n;
  return res;
}

int cim_check_twin_ok(const cim_check *c) {
  return c->vectors > 0 && c->twin_fail_vectors == 0;
}

int cim_check_exact_ok(const cim_check *c) {
  return c->vectors > 0 && c->exact_fail_vectors == 0;
}

int cim_check_exact_applied_ok(const cim_check *c) {
  return c->vectors > 0 && c->exact_fail_applied == 0;
}

int cim_check_passed(const cim_check *c) {
  return cim_check_twin_ok(c) && cim_check_exact_applied_ok(c);
}

double cim_check_rms_err(const cim_check *c) {
  return c->outputs ? sqrt(c->sum_sq_err / (double)c->outputs) : 0.0;
}

static double snr_db(uint64_t n, double sum_sq_expected, double sum_sq_err) {
  if (n == 0) return 0.0;
  if (sum_sq_err == 0.0) return INFINITY;
  if (sum_sq_expected == 0.0) return -INFINITY;
  return 10.0 * log10(sum_sq_expected / sum_sq_err);
}

double cim_check_snr_db(const cim_check *c) {
  return snr_db(c->outputs, c->sum_sq_expected, c->sum_sq_err);
}

static int csv_row(FILE *f, const char *name, uint64_t n, int64_t max_abs, double sse,
                   double ssx) {
  double rmse = n ? sqrt(sse / (double)n) : 0.0;
  double sig = n ? sqrt(ssx / (double)n) : 0.0;
  return fprintf(f, "%s,%llu,%.6g,%lld,%.4f,%.6g\n", name, (unsigned long long)n, rmse,
                 (long long)max_abs, snr_db(n, ssx, sse), sig) < 0 ? -1 : 0;
}

int cim_check_write_csv(const cim_check *c, FILE *f) {
  int rc = fprintf(f, "column,outputs,rmse_lsb,max_abs_err_lsb,snr_db,signal_rms_lsb\n") < 0;
  for (int j = 0; j < c->n_cols && rc == 0; j++) {
    char name[16];
    snprintf(name, sizeof name, "%d", j);
    rc = csv_row(f, name, c->col_n[j], c->col_max_abs_err[j], c->col_sum_sq_err[j],
                 c->col_sum_sq_expected[j]);
  }
  if (rc == 0) rc = csv_row(f, "all", c->outputs, c->max_abs_err, c->sum_sq_err, c->sum_sq_expected);
  return rc ? -1 : 0;
}

char *cim_check_format_mismatch(const cim_check_mismatch *m, char *buf, size_t len) {
  if (buf == NULL || len == 0) return buf;
  if (m->column < 0) {
    snprintf(buf, len, "vector %llu: the twin rejected the run: %s",
             (unsigned long long)m->vector, m->twin_err);
    return buf;
  }
  char twin[24], req[40] = "";
  if (m->has_twin)
    snprintf(twin, sizeof twin, "%ld", (long)m->twin);
  else
    snprintf(twin, sizeof twin, "n/a");
  if ((int64_t)m->expected != m->exact)
    snprintf(req, sizeof req, " (requantized %ld)", (long)m->expected);
  snprintf(buf, len, "vector %llu, output %d: RTL %ld, twin %s, exact %lld%s",
           (unsigned long long)m->vector, m->column, (long)m->rtl, twin, (long long)m->exact,
           req);
  return buf;
}

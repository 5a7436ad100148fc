/* cim_check.h: the one comparator of RTL outputs against the golden models.
 * cim_verify.h runs an MVM and feeds it here; the CLI, the tests, the
 * benchmark and the cocotb peer all reach it through that routine.
 *
 * Two checks per output vector, with no tolerance in either:
 *
 *   twin  : y_rtl[j] == y_twin[j] for every j. The twin (cim_twin_run) saw the
 *           same ADC codes as the RTL, so any difference is a periphery bug,
 *           whatever the device did. It always applies and always counts.
 *   exact : y_rtl[j] == cim_requant(y_exact[j], job) for every j, where
 *           y_exact = W x (cim_mvm_exact). It applies to a vector unless the
 *           caller names the reason it cannot hold (cim_verify_exact_applies:
 *           a non-ideal device, row-group sums beyond the ADC's full scale, a
 *           non-identity ADC calibration). Where it does not apply it is still
 *           measured and feeds the error statistics, but never fails.
 *
 * The accumulator (cim_check) keeps counts, the first mismatch of each kind
 * with all the values needed to chase it, the first reason the exact check
 * was skipped, and the error of the RTL against the exact answer. It never
 * passes vacuously: zero vectors is a failure.
 *
 * Example:
 *   cim_check chk;
 *   cim_check_init(&chk);
 *   for each vector v:
 *     ... run the MVM, cim_twin_run(), cim_mvm_exact() ...
 *     cim_check_vector(&chk, job, n, y_rtl, y_twin, NULL, y_exact, NULL);
 *   if (!cim_check_passed(&chk) && chk.has_twin_first)
 *     puts(cim_check_format_mismatch(&chk.twin_first, buf, sizeof buf));
 */
#ifndef CIM_CHECK_H
#define CIM_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cim_job.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output columns the statistics keep apart (the OUTBUF window's size). */
#define CIM_CHECK_MAX_COLS 1024

/* Bits of cim_check_vector()'s result. */
#define CIM_CHECK_TWIN_FAIL 1u  /* RTL != twin, or the twin refused the run */
#define CIM_CHECK_EXACT_FAIL 2u /* RTL != cim_requant(exact) (counted always,
                                   a failure only where the exact check applies) */
#define CIM_CHECK_BAD_ARG 4u    /* NULL pointer or n < 1; nothing was counted */

/* One mismatching output, with every value involved. */
typedef struct cim_check_mismatch {
  uint64_t vector;   /* 0-based index of the vector (order of cim_check_vector calls) */
  int column;        /* 0-based output index j; -1 if the twin refused the whole run */
  int32_t rtl;       /* y_rtl[j] */
  int32_t twin;      /* y_twin[j], valid if has_twin */
  int has_twin;      /* 0 when the twin refused the run (no twin value) */
  int64_t exact;     /* y_exact[j], the raw integer dot product */
  int32_t expected;  /* cim_requant(y_exact[j], job) */
  char twin_err[160]; /* the twin's reason when it refused the run, else "" */
} cim_check_mismatch;

typedef struct cim_check {
  uint64_t vectors;          /* vectors checked */
  uint64_t outputs;          /* outputs checked (sum of n) */
  uint64_t twin_fail_vectors;   /* vectors with any twin mismatch or twin refusal */
  uint64_t twin_fail_outputs;   /* outputs that differ from the twin */
  uint64_t twin_refused;        /* vectors whose log the twin rejected (RRAM_ESEQ...) */
  uint64_t exact_fail_vectors;  /* vectors with any exact mismatch */
  uint64_t exact_fail_outputs;  /* outputs that differ from cim_requant(exact) */
  uint64_t exact_applied;       /* vectors where the exact check applied */
  uint64_t exact_fail_applied;  /* of those, vectors with an exact mismatch */
  char exact_skip_reason[200];  /* why the exact check did not apply, first
                                   vector where it did not; "" if it always did */
  int has_twin_first, has_exact_first;
  cim_check_mismatch twin_first;  /* first twin mismatch, valid if has_twin_first */
  cim_check_mismatch exact_first; /* first exact mismatch, valid if has_exact_first */
  /* Error of the RTL against cim_requant(exact), in output LSBs. */
  int64_t max_abs_err;       /* max |y_rtl - expected| */
  uint64_t max_err_vector;   /* where max_abs_err first occurred */
  int max_err_column;
  double sum_sq_err;         /* for the RMS error */
  double sum_sq_expected;    /* signal power, for the SNR */
  /* The same per output column j (0..CIM_CHECK_MAX_COLS-1). */
  int n_cols;                /* highest column seen + 1 */
  uint64_t col_n[CIM_CHECK_MAX_COLS];
  int64_t col_max_abs_err[CIM_CHECK_MAX_COLS];
  double col_sum_sq_err[CIM_CHECK_MAX_COLS];
  double col_sum_sq_expected[CIM_CHECK_MAX_COLS];
} cim_check;

/** Start a fresh comparison. */
void cim_check_init(cim_check *c);

/** Compare one output vector and accumulate.
 * @param job      the job as the driver resolved it (for cim_requant)
 * @param n        outputs in the vector (job->n_outs)
 * @param y_rtl    what the RTL output
 * @param y_twin   what the twin computed from the run's ADC codes; NULL when
 *                 the twin refused the run, which counts as a twin failure
 * @param twin_err the twin's reason when y_twin is NULL (may be NULL)
 * @param y_exact  W x, exact
 * @param exact_skip NULL when the exact check applies to this vector, else
 *                 the reason it cannot hold (kept for the report)
 * @return 0 if both checks matched, else CIM_CHECK_* bits */
unsigned cim_check_vector(cim_check *c, const cim_job *job, int n, const int32_t *y_rtl,
                          const int32_t *y_twin, const char *twin_err,
                          const int64_t *y_exact, const char *exact_skip);

/** 1 if the twin check matched on every vector. 0 if any mismatch, or if no
 * vector was checked. */
int cim_check_twin_ok(const cim_check *c);
/** 1 if the exact check matched on every vector (0 if no vector checked),
 * whether or not it applied. */
int cim_check_exact_ok(const cim_check *c);
/** 1 if the exact check matched on every vector where it applied. */
int cim_check_exact_applied_ok(const cim_check *c);
/** The verdict: at least one vector, twin always matched, and the exact check
 * matched wherever it applied. */
int cim_check_passed(const cim_check *c);

/** RMS error of the RTL against cim_requant(exact), in output LSBs. */
double cim_check_rms_err(const cim_check *c);
/** Signal-to-error ratio in dB (sum expected^2 / sum err^2); +INFINITY when
 * the error is zero, 0 if nothing was checked. */
double cim_check_snr_db(const cim_check *c);

/** Error statistics as CSV: a header, one row per output column, then a row
 * "all" for the whole run. Columns: column, outputs, rmse_lsb,
 * max_abs_err_lsb, snr_db, signal_rms_lsb. Errors are RTL minus
 * cim_requant(exact) in output LSBs; the SNR is 10 log10(sum expected^2 /
 * sum err^2) ("inf" when the error is zero). @return 0, or -1 on a write error */
int cim_check_write_csv(const cim_check *c, FILE *f);

/** One line describing a mismatch, e.g. "vector 3, output 17: RTL 1234,
 * twin 1230, exact 1234 (requantized 1234)". Returns buf. */
char *cim_check_format_mismatch(const cim_check_mismatch *m, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif

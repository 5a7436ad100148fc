/* cim_verify.c: the one checked-MVM routine (see cim_verify.h). */
#include "cim_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_golden.h"
#include "cim_map.h"

struct cim_verify {
  rram_array *array;
  const int32_t *W;
  int n, k, w_bits;
  int32_t *y_twin;
  int64_t *acc, *y_exact;
  int twin_ok; /* the last check's twin produced y_twin */
  /* The array's device does not change while it is verified: whether it is
   * the ideal one, and if not in which keys, is found once. */
  int device_ideal;
  char device_keys[160];
};

/* The keys in which dev differs from the ideal device, comma-separated
 * (both written by rram_device_write, compared line by line): the first
 * few, then how many more, so that a verdict stays one readable line. */
static void device_diff(const rram_device *dev, char *buf, size_t len) {
  rram_device ideal;
  rram_device_ideal(&ideal);
  char *ta = NULL, *tb = NULL;
  size_t na = 0, nb = 0;
  FILE *fa = open_memstream(&ta, &na), *fb = open_memstream(&tb, &nb);
  int ok = fa && fb && rram_device_write(fa, dev) == RRAM_OK &&
           rram_device_write(fb, &ideal) == RRAM_OK;
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  buf[0] = '\0';
  if (ok) {
    enum { SHOWN = 4 };
    size_t used = 0;
    int n = 0;
    char *sa = NULL, *sb = NULL;
    char *la = strtok_r(ta, "\n", &sa), *lb = strtok_r(tb, "\n", &sb);
    for (; la && lb; la = strtok_r(NULL, "\n", &sa), lb = strtok_r(NULL, "\n", &sb)) {
      if (strcmp(la, lb) == 0 || la[0] == '#') continue;
      if (n++ >= SHOWN) continue;
      size_t key = strcspn(la, " =");
      int w = snprintf(buf + used, len - used, "%s%.*s", used ? ", " : "", (int)key, la);
      if (w < 0 || (size_t)w >= len - used) {
        buf[used] = '\0'; /* no partial key */
        break;
      }
      used += (size_t)w;
    }
    if (n > SHOWN && used + 24 < len) snprintf(buf + used, len - used, " and %d more", n - SHOWN);
  }
  if (buf[0] == '\0') snprintf(buf, len, "see its device file");
  free(ta);
  free(tb);
}

int cim_verify_create(rram_array *array, const int32_t *W, int n, int k, int w_bits,
                      cim_verify **out) {
  if (out == NULL) return CIM_EINVAL;
  *out = NULL;
  if (array == NULL || W == NULL || n < 1 || k < 1 || w_bits < 2) return CIM_EINVAL;
  cim_verify *v = calloc(1, sizeof *v);
  if (v == NULL) return CIM_ENOMEM;
  v->array = array;
  v->W = W;
  v->n = n;
  v->k = k;
  v->w_bits = w_bits;
  v->y_twin = calloc((size_t)n, sizeof *v->y_twin);
  v->acc = calloc((size_t)n, sizeof *v->acc);
  v->y_exact = calloc((size_t)n, sizeof *v->y_exact);
  if (!v->y_twin || !v->acc || !v->y_exact) {
    cim_verify_destroy(v);
    return CIM_ENOMEM;
  }
  rram_device ideal;
  rram_device_ideal(&ideal);
  v->device_ideal = rram_device_equal(rram_array_device(array), &ideal);
  if (!v->device_ideal)
    device_diff(rram_array_device(array), v->device_keys, sizeof v->device_keys);
  *out = v;
  return CIM_OK;
}

void cim_verify_destroy(cim_verify *v) {
  if (v == NULL) return;
  free(v->y_twin);
  free(v->acc);
  free(v->y_exact);
  free(v);
}

int cim_verify_exact_applies(const cim_verify *v, const cim_job *job, char *why, size_t len) {
  char dummy[8];
  if (why == NULL || len == 0) {
    why = dummy;
    len = sizeof dummy;
  }
  why[0] = '\0';
  if (!v->device_ideal) {
    snprintf(why, len, "non-ideal device (differs from ideal in: %s)", v->device_keys);
    return 0;
  }
  /* An ideal cell at level L adds L ADC LSBs: min(P, K) rows at the top
   * level must stay within the converter's full scale. (P_FIT is that
   * bound on P, but at least 1: where one cell's top level alone passes
   * the full scale, as a 1-bit ADC with 3-bit cells, no group fits.) */
  const long rows_on = job->group_rows < job->n_rows ? job->group_rows : job->n_rows;
  if (rows_on > CIM_CFG_P_FIT || rows_on * CIM_CFG_LEVEL_MAX > CIM_CFG_ADC_MAX) {
    snprintf(why, len,
             "ADC clipping possible: min(P, K) = %ld active rows x level %d = %ld > ADC full "
             "scale %d",
             rows_on, CIM_CFG_LEVEL_MAX, rows_on * CIM_CFG_LEVEL_MAX, CIM_CFG_ADC_MAX);
    return 0;
  }
  /* a disabled column of an output leaves it its other slices only */
  const int n_col = job->n_outs * 2 * cim_map_slices(v->w_bits, rram_array_geometry(v->array)->cell_bits);
  for (int c = 0; job->col_en != NULL && c < n_col; c++) {
    if (!cim_line_enabled(job->col_en, c)) {
      snprintf(why, len, "column %d of output %d is disabled (COL_EN)", c, c / (n_col / job->n_outs));
      return 0;
    }
  }
  const cim_adc_cal id = CIM_ADC_CAL_IDENTITY;
  for (int a = 0; job->adc_cal != NULL && a < rram_array_num_adcs(v->array); a++) {
    const cim_adc_cal *c = &job->adc_cal[a];
    if (c->offset_q4 != id.offset_q4 || c->gain_q14 != id.gain_q14) {
      snprintf(why, len, "ADC %d is calibrated (offset %d/16 LSB, gain 0x%04x), not the identity",
               a, c->offset_q4, (unsigned)c->gain_q14);
      return 0;
    }
  }
  return 1;
}

void cim_verify_begin(cim_verify *v) { rram_array_log_clear(v->array); }

unsigned cim_verify_outputs(cim_verify *v, const cim_job *job, const int32_t *x,
                            const int32_t *y_rtl, cim_check *chk) {
  if (v == NULL || job == NULL || x == NULL || y_rtl == NULL || chk == NULL ||
      job->n_outs > v->n || job->n_rows > v->k)
    return CIM_CHECK_BAD_ARG;
  char twin_err[256] = "";
  size_t orphans = rram_array_log_orphans(v->array);
  v->twin_ok = 0;
  if (orphans > 0) {
    snprintf(twin_err, sizeof twin_err, "%zu ADC conversion%s before any wordline drive",
             orphans, orphans == 1 ? "" : "s");
  } else {
    int ts = cim_twin_run(v->array, v->w_bits, job, x, v->acc, v->y_twin, twin_err,
                          sizeof twin_err);
    if (ts == RRAM_OK)
      v->twin_ok = 1;
    else if (twin_err[0] == '\0')
      snprintf(twin_err, sizeof twin_err, "%s", rram_strerror(ts));
  }
  /* W's rows beyond the job's K are not driven: the exact answer is over
   * the first n_rows columns of each of its rows. */
  for (int j = 0; j < job->n_outs; j++) {
    int64_t s = 0;
    const int32_t *w = v->W + (size_t)j * (size_t)v->k;
    /* a disabled row adds nothing */
    for (int r = 0; r < job->n_rows; r++)
      if (cim_line_enabled(job->row_en, r)) s += (int64_t)w[r] * x[r];
    v->y_exact[j] = s;
  }
  char why[200];
  int exact = cim_verify_exact_applies(v, job, why, sizeof why);
  return cim_check_vector(chk, job, job->n_outs, y_rtl, v->twin_ok ? v->y_twin : NULL, twin_err,
                          v->y_exact, exact ? NULL : why);
}

const int32_t *cim_verify_last_twin(const cim_verify *v) { return v->twin_ok ? v->y_twin : NULL; }

const int64_t *cim_verify_last_exact(const cim_verify *v) { return v->y_exact; }

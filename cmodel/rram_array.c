/* rram_array.c: cells, bitline sums and column ADCs of one crossbar tile
 * (contract in rram_array.h).
 *
 * Representation. Each cell's conductance is stored as a float in units of
 * one level step dG = (g_max - g_min) / (2^cell_bits - 1), not in uS: an
 * ideal level is then an exact small integer, and a float sum of up to 2^24
 * such units is exact, so with g_min = 0 an ideal conversion returns exactly
 * the sum of the driven levels (65535 rows x 15 < 2^24) instead of relying
 * on rounding to absorb accumulated error. Bitline currents are kept in the
 * matching unit, v_read * dG; one multiplication by code_per_unit turns a
 * current into ADC LSBs (exactly 1.0 for the default full scale).
 *
 * Rows of the matrix are contiguous and padded to a multiple of RRAM__LANES
 * floats, so one drive is, per driven row, one add of a whole row into the
 * current vector in fixed-size blocks the compiler turns into SIMD adds
 * without needing -O3 or a loop epilogue. Undriven rows are skipped by
 * walking the set bits of the wordline words. */
#include "rram_array.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rram_array_int.h"
#include "rram_rng.h"

#define RRAM__MAX_DIM 65535
#define RRAM__MAX_CELL_BITS 4
#define RRAM__MAX_ADC_BITS 16
/* Floats per block of the row add: 16 floats = one 64-byte cache line, a
 * whole number of SSE/AVX/AVX-512 registers. */
#define RRAM__LANES 16
/* Phase slots allocated the first time the log grows. */
#define RRAM__LOG_MIN_CAP 16

struct rram_array {
  rram_geometry geo;
  rram_device dev;
  rram__rng rng;
  int n_adcs;
  int code_max;         /* 2^adc_bits - 1 */
  size_t stride;        /* floats per matrix row: cols rounded up to LANES */
  size_t wl_words;      /* ceil(rows / 32) */
  double unit_us;       /* dG, conductance of one level step */
  double g0_units;      /* g_min in units of dG: the value of level 0 */
  double code_per_unit; /* ADC LSBs per unit current v_read * dG */
  uint8_t *level;       /* rows x cols, row-major: programmed levels */
  float *g;             /* rows x stride, row-major: conductance in dG */
  float *cur;           /* stride: bitline currents of the last drive */
  /* The log. Slots 0..cap_ph-1 each own one block (wl, then code, then
   * n_conv) allocated when the log first grows to them and kept across
   * clears, so a steady run of equal-sized MVMs never allocates. */
  rram_phase *ph;
  size_t n_ph;
  size_t cap_ph;
  size_t orphans;
  char errmsg[256];
};

void rram_device_ideal(rram_device *dev) {
  if (!dev) return;
  dev->g_max_us = 40.0;
  dev->g_min_us = 0.0;
  dev->v_read = 0.2;
  dev->adc_lsb_ua = 0.0;
}

static void fmt_err(char *err, size_t err_len, const char *fmt, ...) {
  if (!err || err_len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
}

void rram__array_seterr(rram_array *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(a->errmsg, sizeof a->errmsg, fmt, ap);
  va_end(ap);
}

/* ADC LSBs per unit current for dev and geo; the caller checked both. */
static double code_per_unit(const rram_geometry *geo, const rram_device *dev) {
  if (dev->adc_lsb_ua <= 0.0) return 1.0; /* exactly: one LSB per level */
  const double unit_us = (dev->g_max_us - dev->g_min_us) / (double)((1 << geo->cell_bits) - 1);
  return dev->v_read * unit_us / dev->adc_lsb_ua;
}

int rram_array_check_config(const rram_geometry *geo, const rram_device *dev, char *err,
                            size_t err_len) {
  if (!geo || !dev) {
    fmt_err(err, err_len, "%s is NULL", !geo ? "geometry" : "device");
    return RRAM_EINVAL;
  }
  if (geo->rows < 1 || geo->rows > RRAM__MAX_DIM) {
    fmt_err(err, err_len, "rows %d out of range 1..%d", geo->rows, RRAM__MAX_DIM);
    return RRAM_EINVAL;
  }
  if (geo->cols < 1 || geo->cols > RRAM__MAX_DIM) {
    fmt_err(err, err_len, "cols %d out of range 1..%d", geo->cols, RRAM__MAX_DIM);
    return RRAM_EINVAL;
  }
  if (geo->cell_bits < 1 || geo->cell_bits > RRAM__MAX_CELL_BITS) {
    fmt_err(err, err_len, "cell_bits %d out of range 1..%d", geo->cell_bits,
            RRAM__MAX_CELL_BITS);
    return RRAM_EINVAL;
  }
  if (geo->adc_bits < 1 || geo->adc_bits > RRAM__MAX_ADC_BITS) {
    fmt_err(err, err_len, "adc_bits %d out of range 1..%d", geo->adc_bits, RRAM__MAX_ADC_BITS);
    return RRAM_EINVAL;
  }
  if (geo->cols_per_adc < 1 || geo->cols_per_adc > geo->cols) {
    fmt_err(err, err_len, "cols_per_adc %d out of range 1..%d (cols)", geo->cols_per_adc,
            geo->cols);
    return RRAM_EINVAL;
  }
  /* !(x >= 0) style tests also reject NaN. */
  if (!(dev->g_min_us >= 0.0) || !isfinite(dev->g_min_us)) {
    fmt_err(err, err_len, "g_min_us %g must be finite and >= 0", dev->g_min_us);
    return RRAM_EINVAL;
  }
  if (!(dev->g_max_us > dev->g_min_us) || !isfinite(dev->g_max_us)) {
    fmt_err(err, err_len, "g_max_us %g must be finite and > g_min_us %g", dev->g_max_us,
            dev->g_min_us);
    return RRAM_EINVAL;
  }
  if (!(dev->v_read > 0.0) || !isfinite(dev->v_read)) {
    fmt_err(err, err_len, "v_read %g must be finite and > 0", dev->v_read);
    return RRAM_EINVAL;
  }
  if (!isfinite(dev->adc_lsb_ua) ||
      !isfinite(code_per_unit(geo, dev)) || code_per_unit(geo, dev) <= 0.0) {
    fmt_err(err, err_len, "adc_lsb_ua %g gives no finite ADC full scale", dev->adc_lsb_ua);
    return RRAM_EINVAL;
  }
  fmt_err(err, err_len, "success");
  return RRAM_OK;
}

int rram_array_create(const rram_geometry *geo, const rram_device *dev, uint64_t seed,
                      rram_array **out) {
  if (!out) return RRAM_EINVAL;
  *out = NULL;
  int rc = rram_array_check_config(geo, dev, NULL, 0);
  if (rc != RRAM_OK) return rc;

  const size_t rows = (size_t)geo->rows;
  const size_t cols = (size_t)geo->cols;
  const size_t stride = (cols + RRAM__LANES - 1) / RRAM__LANES * RRAM__LANES;
  /* On 32-bit hosts a 65535^2 array does not fit size_t; fail cleanly. */
  if (rows > SIZE_MAX / sizeof(float) / stride) return RRAM_ENOMEM;

  rram_array *a = calloc(1, sizeof *a);
  if (!a) return RRAM_ENOMEM;
  a->geo = *geo;
  a->dev = *dev;
  rram__rng_seed(&a->rng, seed);
  a->n_adcs = (geo->cols + geo->cols_per_adc - 1) / geo->cols_per_adc;
  a->code_max = (1 << geo->adc_bits) - 1;
  a->stride = stride;
  a->wl_words = (rows + 31) / 32;
  a->unit_us = (dev->g_max_us - dev->g_min_us) / (double)((1 << geo->cell_bits) - 1);
  a->g0_units = dev->g_min_us / a->unit_us;
  a->code_per_unit = code_per_unit(geo, dev);

  /* Aligned so each LANES block is one cache line; sizes are multiples of
   * 64 bytes as aligned_alloc requires. */
  a->level = calloc(rows * cols, 1);
  a->g = aligned_alloc(64, rows * stride * sizeof(float));
  a->cur = aligned_alloc(64, stride * sizeof(float));
  if (!a->level || !a->g || !a->cur) {
    rram_array_destroy(a);
    return RRAM_ENOMEM;
  }
  /* Level 0 everywhere; padding columns stay 0 so they add nothing. */
  const float g0 = (float)a->g0_units;
  for (size_t r = 0; r < rows; r++) {
    float *row = a->g + r * stride;
    for (size_t c = 0; c < stride; c++) row[c] = c < cols ? g0 : 0.0f;
  }
  memset(a->cur, 0, stride * sizeof(float));
  snprintf(a->errmsg, sizeof a->errmsg, "success");
  *out = a;
  return RRAM_OK;
}

void rram_array_destroy(rram_array *a) {
  if (!a) return;
  for (size_t i = 0; i < a->cap_ph; i++) free(a->ph[i].wl);
  free(a->ph);
  free(a->cur);
  free(a->g);
  free(a->level);
  free(a);
}

const char *rram_array_errmsg(const rram_array *a) {
  return a ? a->errmsg : "no array (NULL handle)";
}

const rram_geometry *rram_array_geometry(const rram_array *a) { return a ? &a->geo : NULL; }

int rram_array_num_adcs(const rram_array *a) { return a ? a->n_adcs : 0; }

rram__rng *rram__array_rng(rram_array *a) { return &a->rng; }

void rram__array_put_level(rram_array *a, int row, int col, int level) {
  a->level[(size_t)row * (size_t)a->geo.cols + (size_t)col] = (uint8_t)level;
  a->g[(size_t)row * a->stride + (size_t)col] = (float)(a->g0_units + level);
}

static int check_cell(rram_array *a, int row, int col) {
  if (row < 0 || row >= a->geo.rows) {
    rram__array_seterr(a, "row %d out of range 0..%d", row, a->geo.rows - 1);
    return RRAM_EINVAL;
  }
  if (col < 0 || col >= a->geo.cols) {
    rram__array_seterr(a, "col %d out of range 0..%d", col, a->geo.cols - 1);
    return RRAM_EINVAL;
  }
  return RRAM_OK;
}

int rram_array_set_level(rram_array *a, int row, int col, int level) {
  if (!a) return RRAM_EINVAL;
  int rc = check_cell(a, row, col);
  if (rc != RRAM_OK) return rc;
  const int max_level = (1 << a->geo.cell_bits) - 1;
  if (level < 0 || level > max_level) {
    rram__array_seterr(a, "level %d out of range 0..%d (cell_bits %d)", level, max_level,
                       a->geo.cell_bits);
    return RRAM_EINVAL;
  }
  rram__array_put_level(a, row, col, level);
  return RRAM_OK;
}

int rram_array_get_level(const rram_array *a, int row, int col, int *level) {
  /* const handle: no message can be recorded, the code says it all. */
  if (!a || !level || row < 0 || row >= a->geo.rows || col < 0 || col >= a->geo.cols)
    return RRAM_EINVAL;
  *level = a->level[(size_t)row * (size_t)a->geo.cols + (size_t)col];
  return RRAM_OK;
}

/* Make room for one more phase; RRAM_ENOMEM leaves the log as it was. */
static int log_reserve(rram_array *a) {
  if (a->n_ph < a->cap_ph) return RRAM_OK;
  size_t new_cap = a->cap_ph ? a->cap_ph * 2 : RRAM__LOG_MIN_CAP;
  if (new_cap > SIZE_MAX / sizeof(rram_phase)) return RRAM_ENOMEM;
  rram_phase *ph = realloc(a->ph, new_cap * sizeof *ph);
  if (!ph) return RRAM_ENOMEM;
  a->ph = ph;
  const size_t cols = (size_t)a->geo.cols;
  /* wl first: uint32 words, then int32 codes, then uint16 counts, so every
   * part stays aligned inside the one block. */
  const size_t bytes =
      a->wl_words * sizeof(uint32_t) + cols * sizeof(int32_t) + cols * sizeof(uint16_t);
  for (size_t i = a->cap_ph; i < new_cap; i++) {
    unsigned char *blk = malloc(bytes);
    if (!blk) break; /* keep the slots we got */
    ph[i].wl = (uint32_t *)(void *)blk;
    ph[i].code = (int32_t *)(void *)(blk + a->wl_words * sizeof(uint32_t));
    ph[i].n_conv = (uint16_t *)(void *)(blk + a->wl_words * sizeof(uint32_t) +
                                        cols * sizeof(int32_t));
    a->cap_ph = i + 1;
  }
  return a->n_ph < a->cap_ph ? RRAM_OK : RRAM_ENOMEM;
}

/* Index of the lowest set bit of a non-zero word. */
static int lowest_bit(uint32_t w) {
#if defined(__GNUC__)
  return __builtin_ctz(w);
#else
  int b = 0;
  while (!(w & 1u)) {
    w >>= 1;
    b++;
  }
  return b;
#endif
}

/* cur += row, LANES floats at a time; n is a multiple of LANES. The fixed
 * inner trip count is what lets -O2 vectorize it. */
static void add_row(float *restrict cur, const float *restrict row, size_t n) {
  for (size_t c = 0; c < n; c += RRAM__LANES)
    for (size_t i = 0; i < RRAM__LANES; i++) cur[c + i] += row[c + i];
}

int rram_array_drive(rram_array *a, const uint32_t *wl, size_t n_words) {
  if (!a) return RRAM_EINVAL;
  if (!wl || n_words < a->wl_words) {
    rram__array_seterr(a, "wordline bitmap has %zu words, %zu needed for %d rows",
                       wl ? n_words : (size_t)0, a->wl_words, a->geo.rows);
    return RRAM_EINVAL;
  }
  /* A bit past the last row is a wordline that does not exist: an RTL bug
   * worth stopping on rather than silently ignoring. */
  const size_t rows = (size_t)a->geo.rows;
  for (size_t w = rows / 32; w < n_words; w++) {
    const uint32_t valid = w == rows / 32 ? (1u << (rows % 32)) - 1u : 0u;
    uint32_t extra = wl[w] & ~valid;
    if (extra) {
      rram__array_seterr(a, "wordline %zu driven but rows is %d",
                         w * 32 + (size_t)lowest_bit(extra), a->geo.rows);
      return RRAM_EINVAL;
    }
  }
  int rc = log_reserve(a);
  if (rc != RRAM_OK) {
    rram__array_seterr(a, "out of memory growing the log past %zu phases", a->n_ph);
    return rc;
  }

  /* One evaluation per drive: every conversion of this phase reads cur. */
  float *cur = a->cur;
  const size_t stride = a->stride;
  memset(cur, 0, stride * sizeof(float));
  for (size_t w = 0; w < a->wl_words; w++) {
    for (uint32_t bits = wl[w]; bits; bits &= bits - 1u) {
      const size_t r = w * 32 + (size_t)lowest_bit(bits);
      add_row(cur, a->g + r * stride, stride);
    }
  }

  rram_phase *p = &a->ph[a->n_ph++];
  memcpy(p->wl, wl, a->wl_words * sizeof(uint32_t));
  for (int c = 0; c < a->geo.cols; c++) p->code[c] = -1;
  memset(p->n_conv, 0, (size_t)a->geo.cols * sizeof(uint16_t));
  return RRAM_OK;
}

int rram_array_convert(rram_array *a, int adc, int col, int *code) {
  if (!a) return RRAM_EINVAL;
  if (!code) {
    rram__array_seterr(a, "code is NULL");
    return RRAM_EINVAL;
  }
  const int cpa = a->geo.cols_per_adc;
  if (adc < 0 || adc >= a->n_adcs) {
    rram__array_seterr(a, "adc %d out of range 0..%d", adc, a->n_adcs - 1);
    return RRAM_EINVAL;
  }
  if (col < 0 || col >= a->geo.cols) {
    rram__array_seterr(a, "col %d out of range 0..%d", col, a->geo.cols - 1);
    return RRAM_EINVAL;
  }
  if (col / cpa != adc) {
    const int last = adc * cpa + cpa - 1 < a->geo.cols ? adc * cpa + cpa - 1 : a->geo.cols - 1;
    rram__array_seterr(a, "col %d is not an input of adc %d (columns %d..%d)", col, adc,
                       adc * cpa, last);
    return RRAM_EINVAL;
  }
  /* code = clip(round(I / lsb)); floor(x + 0.5) rounds halves up, the same
   * on every platform (no dependence on the FP rounding mode). */
  const double x = (double)a->cur[col] * a->code_per_unit + 0.5;
  int c;
  if (!(x >= 1.0)) c = 0; /* also catches NaN */
  else if (x >= (double)a->code_max + 1.0) c = a->code_max;
  else c = (int)floor(x);
  *code = c;

  if (a->n_ph == 0) {
    a->orphans++;
  } else {
    rram_phase *p = &a->ph[a->n_ph - 1];
    p->code[col] = c;
    if (p->n_conv[col] < UINT16_MAX) p->n_conv[col]++;
  }
  return RRAM_OK;
}

void rram_array_log_clear(rram_array *a) {
  if (!a) return;
  a->n_ph = 0;
  a->orphans = 0;
}

size_t rram_array_log_phases(const rram_array *a) { return a ? a->n_ph : 0; }

const rram_phase *rram_array_log_phase(const rram_array *a, size_t i) {
  return a && i < a->n_ph ? &a->ph[i] : NULL;
}

size_t rram_array_log_orphans(const rram_array *a) { return a ? a->orphans : 0; }

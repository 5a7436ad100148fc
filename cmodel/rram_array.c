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
 * walking the set bits of the wordline words.
 *
 * Device effects keep that layout: g always holds each cell's present
 * conductance (programming error, device-to-device gain, stuck rail and
 * drift applied when a cell is written or the array ages), so a drive costs
 * the same whatever those effects are. Only read noise (a second, squared
 * accumulation) and IR drop (rram_ir.c) change the drive's pass, and only
 * the ADC effects and read noise change a conversion. Per-cell state that
 * an effect needs (fault map, gains, drift exponents, write times,
 * programmed conductance) is allocated only when that effect is on; with
 * every effect off the code paths are the ideal ones, unchanged. */
#include "rram_array.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rram_array_int.h"
#include "rram_ir.h"
#include "rram_rng.h"
#include "rram_switch.h"
#include "rram_util.h"

#define RRAM__MAX_DIM 65535
#define RRAM__MAX_CELL_BITS 4
#define RRAM__MAX_ADC_BITS 16
/* Floats per block of the row add: 16 floats = one 64-byte cache line, a
 * whole number of SSE/AVX/AVX-512 registers. */
#define RRAM__LANES 16
/* Phase slots allocated the first time the log grows. */
#define RRAM__LOG_MIN_CAP 16
/* IR solver tolerance when the device leaves it at 0 (relative to v_read). */
#define RRAM__IR_TOL_DEFAULT 1e-7
/* Connected rows: bound on a drive's current error when the device leaves
 * ir_tol_lsb at 0, in ADC LSB. */
#define RRAM__IR_TOL_LSB_DEFAULT 1e-4

/* Effects on, from the device (bits of rram_array.fx). */
enum {
  FX_PROG = 1u << 0,  /* programming error */
  FX_D2D = 1u << 1,   /* device-to-device gain */
  FX_STUCK = 1u << 2, /* stuck-at cells */
  FX_DRIFT = 1u << 3, /* drift */
  FX_READ = 1u << 4,  /* read noise */
  FX_IR = 1u << 5,    /* IR drop */
  FX_ADC = 1u << 6,   /* any ADC non-ideality */
  FX_INL = 1u << 7,   /* ADC INL tables */
  FX_LINES = 1u << 8, /* unformed or leaky rows and columns */
  FX_WEAK = 1u << 9,  /* weak cells */
  FX_FAULT = FX_STUCK | FX_LINES | FX_WEAK, /* a fault map */
  FX_CELL = FX_PROG | FX_D2D | FX_FAULT | FX_DRIFT /* writes are not exact */
};

/* The independent streams of the array's generator: stream k is the seed's
 * stream jumped k times (2^128 draws each). Stream 0 is rram__array_rng. */
enum {
  RNG_STUCK = 1, RNG_D2D, RNG_NU, RNG_ADC_FIXED, RNG_PROG, RNG_READ, RNG_ADC_NOISE,
  RNG_SWITCH, /* cycle-to-cycle spread of pulses */
  RNG_VERIFY, /* read noise of verify reads */
  RNG_LINES,  /* line defects */
  RNG_WEAK,   /* weak cells and where their back-door writes land */
  RNG_N
};

struct rram_array {
  rram_geometry geo;
  rram_device dev;
  rram__rng rng;
  uint64_t seed;        /* of create: rram_array_reseed derives from it */
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
  /* Device effects; every pointer is NULL when its effect is off. */
  unsigned fx;          /* FX_* bits */
  rram__rng stream[RNG_N];
  double now_s;         /* array clock (rram_array_age) */
  double t0_s;          /* drift reference time */
  float *gp;            /* rows x stride: conductance at write, dG (drift) */
  float *nu;            /* rows x cols: drift exponents */
  double *t_write;      /* rows x cols: array clock at the last write */
  float *d2d;           /* rows x cols: device-to-device gains */
  uint8_t *fault;       /* rows x cols: rram_fault */
  uint8_t *row_line, *col_line; /* rows, cols: rram_line (line defects) */
  int *leaky_rows;      /* the leaky rows, ascending */
  int n_leaky_rows;
  double leak_col_units; /* a leaky column's parasitic, dG */
  float *col_leak;      /* stride: each column's parasitic, dG; NULL if no column leaks */
  float *cur2;          /* stride: sum of squared cell currents (read noise) */
  rram__ir ir;          /* IR solver workspace */
  double r_wl_units, r_bl_units, ir_tol; /* wire resistance x dG (IR) */
  /* Connected rows under IR drop: each row's transfer row (rram__ir_transfer)
   * within the row set it was last built for, tagged with that build; a
   * drive reuses a set whose rows all carry one live tag and number its
   * size. Any conductance change makes every tag stale. */
  float *xt;            /* rows x stride */
  float *ir_scratch;    /* rows x stride: a build's result before it is placed */
  uint64_t *xtag;       /* rows: build tag, 0 = none */
  int *xsize;           /* rows: rows of that build's set */
  uint64_t xtag_next;   /* tag of the next build (from 1) */
  uint64_t xtag_live;   /* tags below this are stale */
  double *adc_off;      /* n_adcs: offsets, LSB */
  double *adc_gain;     /* n_adcs: gains */
  float *adc_thr;       /* n_adcs x code_max: transition k at [k-1] (INL) */
  /* The log. Slots 0..cap_ph-1 each own one block (wl, then code, then
   * n_conv) allocated when the log first grows to them and kept across
   * clears, so a steady run of equal-sized MVMs never allocates. */
  rram_phase *ph;
  size_t n_ph;
  size_t cap_ph;
  size_t orphans;
  rram_activity act;    /* rram_array_activity */
  double e_read_unit;   /* J of one read pulse per level unit of current */
  char errmsg[256];
};

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
    rram__fmt_err(err, err_len, "%s is NULL", !geo ? "geometry" : "device");
    return RRAM_EINVAL;
  }
  if (geo->rows < 1 || geo->rows > RRAM__MAX_DIM) {
    rram__fmt_err(err, err_len, "rows %d out of range 1..%d", geo->rows, RRAM__MAX_DIM);
    return RRAM_EINVAL;
  }
  if (geo->cols < 1 || geo->cols > RRAM__MAX_DIM) {
    rram__fmt_err(err, err_len, "cols %d out of range 1..%d", geo->cols, RRAM__MAX_DIM);
    return RRAM_EINVAL;
  }
  if (geo->cell_bits < 1 || geo->cell_bits > RRAM__MAX_CELL_BITS) {
    rram__fmt_err(err, err_len, "cell_bits %d out of range 1..%d", geo->cell_bits,
            RRAM__MAX_CELL_BITS);
    return RRAM_EINVAL;
  }
  if (geo->adc_bits < 1 || geo->adc_bits > RRAM__MAX_ADC_BITS) {
    rram__fmt_err(err, err_len, "adc_bits %d out of range 1..%d", geo->adc_bits, RRAM__MAX_ADC_BITS);
    return RRAM_EINVAL;
  }
  if (geo->cols_per_adc < 1 || geo->cols_per_adc > geo->cols) {
    rram__fmt_err(err, err_len, "cols_per_adc %d out of range 1..%d (cols)", geo->cols_per_adc,
            geo->cols);
    return RRAM_EINVAL;
  }
  /* !(x >= 0) style tests also reject NaN. */
  if (!(dev->g_min_us >= 0.0) || !isfinite(dev->g_min_us)) {
    rram__fmt_err(err, err_len, "g_min_us %g must be finite and >= 0", dev->g_min_us);
    return RRAM_EINVAL;
  }
  if (!(dev->g_max_us > dev->g_min_us) || !isfinite(dev->g_max_us)) {
    rram__fmt_err(err, err_len, "g_max_us %g must be finite and > g_min_us %g", dev->g_max_us,
            dev->g_min_us);
    return RRAM_EINVAL;
  }
  if (!(dev->v_read > 0.0) || !isfinite(dev->v_read)) {
    rram__fmt_err(err, err_len, "v_read %g must be finite and > 0", dev->v_read);
    return RRAM_EINVAL;
  }
  if (!isfinite(dev->adc_lsb_ua) ||
      !isfinite(code_per_unit(geo, dev)) || code_per_unit(geo, dev) <= 0.0) {
    rram__fmt_err(err, err_len, "adc_lsb_ua %g gives no finite ADC full scale", dev->adc_lsb_ua);
    return RRAM_EINVAL;
  }
  if (rram_device_check(dev, err, err_len) != RRAM_OK) return RRAM_EINVAL;
  rram__fmt_err(err, err_len, "success");
  return RRAM_OK;
}

/* Which effects dev switches on. */
static unsigned effects_of(const rram_device *dev) {
  unsigned fx = 0;
  if (dev->prog_model != RRAM_PROG_NONE && dev->prog_sigma > 0.0) fx |= FX_PROG;
  if (dev->d2d_sigma > 0.0) fx |= FX_D2D;
  if (dev->stuck_gmin_rate > 0.0 || dev->stuck_gmax_rate > 0.0) fx |= FX_STUCK;
  if (dev->unformed_row_rate > 0.0 || dev->unformed_col_rate > 0.0 ||
      (dev->leaky_row_rate > 0.0 && dev->leaky_row_frac > 0.0) ||
      (dev->leaky_col_rate > 0.0 && dev->leaky_col_us > 0.0))
    fx |= FX_LINES;
  if (dev->weak_rate > 0.0) fx |= FX_WEAK;
  if (dev->drift_nu_mean != 0.0 || dev->drift_nu_sigma > 0.0) fx |= FX_DRIFT;
  if (dev->read_noise > 0.0) fx |= FX_READ;
  if (dev->r_wl_ohm > 0.0 || dev->r_bl_ohm > 0.0) fx |= FX_IR;
  if (dev->adc_offset_lsb != 0.0 || dev->adc_offset_sigma_lsb > 0.0 ||
      dev->adc_gain_err != 0.0 || dev->adc_gain_sigma > 0.0 || dev->adc_inl_lsb > 0.0 ||
      dev->adc_noise_lsb > 0.0)
    fx |= FX_ADC;
  if (dev->adc_inl_lsb > 0.0) fx |= FX_INL;
  return fx;
}

/* Allocate what the effects need and draw what is fixed per seed: stuck
 * map, device-to-device gains, drift exponents, ADC offsets, gains and INL.
 * Each from its own stream, cell by cell in row-major order. */
static int effects_init(rram_array *a) {
  const rram_device *dev = &a->dev;
  const size_t rows = (size_t)a->geo.rows, cols = (size_t)a->geo.cols;
  const size_t cells = rows * cols;
  const unsigned fx = a->fx;
  if (fx & FX_FAULT) {
    if (!(a->fault = calloc(cells, 1))) return RRAM_ENOMEM;
    /* One uniform per cell (or line) from each effect's stream: raising a
     * rate only adds to its set, and one effect's draws never move
     * another's. Weak, then stuck, then open: the later wins. */
    for (size_t i = 0; (fx & FX_WEAK) && i < cells; i++)
      if (rram__rng_uniform(&a->stream[RNG_WEAK]) < dev->weak_rate) a->fault[i] = RRAM_FAULT_WEAK;
    for (size_t i = 0; (fx & FX_STUCK) && i < cells; i++) {
      const double u = rram__rng_uniform(&a->stream[RNG_STUCK]);
      if (u < dev->stuck_gmin_rate) a->fault[i] = RRAM_FAULT_GMIN;
      else if (u >= 1.0 - dev->stuck_gmax_rate) a->fault[i] = RRAM_FAULT_GMAX;
    }
  }
  if (fx & FX_LINES) {
    a->row_line = calloc(rows, 1);
    a->col_line = calloc(cols, 1);
    a->leaky_rows = malloc(rows * sizeof *a->leaky_rows);
    if (!a->row_line || !a->col_line || !a->leaky_rows) return RRAM_ENOMEM;
    rram__rng *r = &a->stream[RNG_LINES];
    const int row_leaks = dev->leaky_row_frac > 0.0, col_leaks = dev->leaky_col_us > 0.0;
    for (size_t i = 0; i < rows; i++) {
      const double u = rram__rng_uniform(r);
      a->row_line[i] = u < dev->unformed_row_rate                       ? RRAM_LINE_UNFORMED
                       : row_leaks && u >= 1.0 - dev->leaky_row_rate ? RRAM_LINE_LEAKY
                                                                      : RRAM_LINE_OK;
      if (a->row_line[i] == RRAM_LINE_LEAKY) a->leaky_rows[a->n_leaky_rows++] = (int)i;
    }
    for (size_t i = 0; i < cols; i++) {
      const double u = rram__rng_uniform(r);
      a->col_line[i] = u < dev->unformed_col_rate                       ? RRAM_LINE_UNFORMED
                       : col_leaks && u >= 1.0 - dev->leaky_col_rate ? RRAM_LINE_LEAKY
                                                                      : RRAM_LINE_OK;
    }
    a->leak_col_units = dev->leaky_col_us / a->unit_us;
    /* the parasitics as one row of currents, added to every drive */
    for (size_t c = 0; c < cols && !a->col_leak; c++) {
      if (a->col_line[c] != RRAM_LINE_LEAKY) continue;
      if (!(a->col_leak = aligned_alloc(64, a->stride * sizeof(float)))) return RRAM_ENOMEM;
      for (size_t k = 0; k < a->stride; k++)
        a->col_leak[k] = k < cols && a->col_line[k] == RRAM_LINE_LEAKY ? (float)a->leak_col_units : 0.0f;
    }
    for (size_t r = 0; r < rows; r++)
      for (size_t c = 0; c < cols; c++)
        if (a->row_line[r] == RRAM_LINE_UNFORMED || a->col_line[c] == RRAM_LINE_UNFORMED)
          a->fault[r * cols + c] = RRAM_FAULT_OPEN;
  }
  if (fx & FX_D2D) {
    if (!(a->d2d = malloc(cells * sizeof *a->d2d))) return RRAM_ENOMEM;
    for (size_t i = 0; i < cells; i++) {
      const double k = 1.0 + dev->d2d_sigma * rram__rng_normal(&a->stream[RNG_D2D]);
      a->d2d[i] = (float)(k > 0.0 ? k : 0.0);
    }
  }
  if (fx & FX_DRIFT) {
    a->t0_s = dev->drift_t0_s > 0.0 ? dev->drift_t0_s : 1.0;
    a->nu = malloc(cells * sizeof *a->nu);
    a->t_write = malloc(cells * sizeof *a->t_write);
    a->gp = aligned_alloc(64, rows * a->stride * sizeof(float));
    if (!a->nu || !a->t_write || !a->gp) return RRAM_ENOMEM;
    memset(a->gp, 0, rows * a->stride * sizeof(float));
    for (size_t i = 0; i < cells; i++) {
      const double z = dev->drift_nu_sigma > 0.0 ? rram__rng_normal(&a->stream[RNG_NU]) : 0.0;
      a->nu[i] = (float)(dev->drift_nu_mean + dev->drift_nu_sigma * z);
      a->t_write[i] = 0.0;
    }
  }
  if (fx & FX_READ) {
    if (!(a->cur2 = aligned_alloc(64, a->stride * sizeof(float)))) return RRAM_ENOMEM;
    memset(a->cur2, 0, a->stride * sizeof(float));
  }
  if (fx & FX_IR) {
    if (rram__ir_init(&a->ir, a->geo.rows, a->geo.cols) != RRAM_OK) return RRAM_ENOMEM;
    /* r in units of 1/dG: ohm x (dG in siemens). */
    a->r_wl_units = dev->r_wl_ohm * a->unit_us * 1e-6;
    a->r_bl_units = dev->r_bl_ohm * a->unit_us * 1e-6;
    a->ir_tol = dev->ir_tol > 0.0 ? dev->ir_tol : RRAM__IR_TOL_DEFAULT;
    /* Connected rows couple only through the bitlines' resistance: with
     * ideal bitlines the undriven rows carry nothing, as when isolated. */
    if (dev->row_model == RRAM_ROWS_CONNECTED && dev->r_bl_ohm > 0.0) {
      a->xt = aligned_alloc(64, rows * a->stride * sizeof(float));
      a->ir_scratch = aligned_alloc(64, rows * a->stride * sizeof(float));
      a->xtag = calloc(rows, sizeof *a->xtag);
      a->xsize = calloc(rows, sizeof *a->xsize);
      if (!a->xt || !a->ir_scratch || !a->xtag || !a->xsize) return RRAM_ENOMEM;
      a->xtag_next = a->xtag_live = 1;
    }
  }
  const size_t n_adcs = (size_t)a->n_adcs, cmax = (size_t)a->code_max;
  if (fx & FX_ADC) {
    a->adc_off = malloc(n_adcs * sizeof *a->adc_off);
    a->adc_gain = malloc(n_adcs * sizeof *a->adc_gain);
    if (!a->adc_off || !a->adc_gain) return RRAM_ENOMEM;
    if ((fx & FX_INL) && n_adcs > SIZE_MAX / sizeof(float) / cmax) return RRAM_ENOMEM;
    if ((fx & FX_INL) && !(a->adc_thr = malloc(n_adcs * cmax * sizeof(float))))
      return RRAM_ENOMEM;
    rram__rng *r = &a->stream[RNG_ADC_FIXED];
    for (size_t k = 0; k < n_adcs; k++) {
      const double zo = dev->adc_offset_sigma_lsb > 0.0 ? rram__rng_normal(r) : 0.0;
      const double zg = dev->adc_gain_sigma > 0.0 ? rram__rng_normal(r) : 0.0;
      a->adc_off[k] = dev->adc_offset_lsb + dev->adc_offset_sigma_lsb * zo;
      const double gain = 1.0 + dev->adc_gain_err + dev->adc_gain_sigma * zg;
      a->adc_gain[k] = gain > 0.0 ? gain : 0.0;
      if (!(fx & FX_INL)) continue;
      float *t = a->adc_thr + k * cmax;
      for (size_t c = 0; c < cmax; c++) {
        t[c] = (float)((double)c + 0.5 + dev->adc_inl_lsb * rram__rng_normal(r));
        /* Insertion sort: nearly sorted already; a crossing pair is a
         * missing code, as on silicon with DNL <= -1. */
        for (size_t i = c; i > 0 && t[i - 1] > t[i]; i--) {
          const float tmp = t[i];
          t[i] = t[i - 1];
          t[i - 1] = tmp;
        }
      }
    }
  }
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
  if (rows > SIZE_MAX / sizeof(double) / stride) return RRAM_ENOMEM;

  rram_array *a = calloc(1, sizeof *a);
  if (!a) return RRAM_ENOMEM;
  a->geo = *geo;
  a->dev = *dev;
  a->seed = seed;
  rram__rng_seed(&a->rng, seed);
  a->stream[0] = a->rng;
  for (int k = 1; k < RNG_N; k++) {
    a->stream[k] = a->stream[k - 1];
    rram__rng_jump(&a->stream[k]);
  }
  a->n_adcs = (geo->cols + geo->cols_per_adc - 1) / geo->cols_per_adc;
  a->code_max = (1 << geo->adc_bits) - 1;
  a->stride = stride;
  a->wl_words = (rows + 31) / 32;
  a->unit_us = (dev->g_max_us - dev->g_min_us) / (double)((1 << geo->cell_bits) - 1);
  a->g0_units = dev->g_min_us / a->unit_us;
  a->code_per_unit = code_per_unit(geo, dev);
  {
    const double t_s = (dev->read_pulse_ns > 0.0 ? dev->read_pulse_ns : 10.0) * 1e-9;
    a->e_read_unit = dev->v_read * dev->v_read * a->unit_us * 1e-6 * t_s;
  }
  a->fx = effects_of(dev);

  /* Aligned so each LANES block is one cache line; sizes are multiples of
   * 64 bytes as aligned_alloc requires. */
  a->level = calloc(rows * cols, 1);
  a->g = aligned_alloc(64, rows * stride * sizeof(float));
  a->cur = aligned_alloc(64, stride * sizeof(float));
  if (!a->level || !a->g || !a->cur || effects_init(a) != RRAM_OK) {
    rram_array_destroy(a);
    return RRAM_ENOMEM;
  }
  /* Level 0 everywhere; padding columns stay 0 so they add nothing. */
  const float g0 = (float)a->g0_units;
  for (size_t r = 0; r < rows; r++) {
    float *row = a->g + r * stride;
    for (size_t c = 0; c < stride; c++) row[c] = c < cols ? g0 : 0.0f;
  }
  /* With cell effects, create writes level 0 into every cell through the
   * same path as a program: stuck cells go to their rail, the others get
   * their programming error and gain. */
  if (a->fx & FX_CELL)
    for (size_t r = 0; r < rows; r++)
      for (size_t c = 0; c < cols; c++) rram__array_put_level(a, (int)r, (int)c, 0);
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
  free(a->cur2);
  free(a->g);
  free(a->gp);
  free(a->nu);
  free(a->t_write);
  free(a->d2d);
  free(a->fault);
  free(a->row_line);
  free(a->col_line);
  free(a->leaky_rows);
  free(a->col_leak);
  rram__ir_free(&a->ir);
  free(a->xt);
  free(a->ir_scratch);
  free(a->xtag);
  free(a->xsize);
  free(a->adc_off);
  free(a->adc_gain);
  free(a->adc_thr);
  free(a->level);
  free(a);
}

const char *rram_array_errmsg(const rram_array *a) {
  return a ? a->errmsg : "no array (NULL handle)";
}

const rram_geometry *rram_array_geometry(const rram_array *a) { return a ? &a->geo : NULL; }

int rram_array_num_adcs(const rram_array *a) { return a ? a->n_adcs : 0; }

rram__rng *rram__array_rng(rram_array *a) { return &a->rng; }

/* Drift factor of a cell t seconds after its write. */
static double drift_factor(const rram_array *a, size_t ci) {
  const double t = a->now_s - a->t_write[ci];
  return t > a->t0_s ? pow(t / a->t0_s, -(double)a->nu[ci]) : 1.0;
}

void rram__array_put_level(rram_array *a, int row, int col, int level) {
  const size_t ci = (size_t)row * (size_t)a->geo.cols + (size_t)col;
  const size_t gi = (size_t)row * a->stride + (size_t)col;
  a->level[ci] = (uint8_t)level;
  a->xtag_live = a->xtag_next;
  if (!(a->fx & FX_CELL)) {
    a->g[gi] = (float)(a->g0_units + level);
    return;
  }
  const int fault = a->fault ? a->fault[ci] : RRAM_FAULT_NONE;
  double gu; /* conductance in units of dG */
  if (fault == RRAM_FAULT_GMIN) {
    gu = a->g0_units;
  } else if (fault == RRAM_FAULT_GMAX) {
    gu = a->dev.g_max_us / a->unit_us;
  } else if (fault == RRAM_FAULT_OPEN) {
    gu = 0.0;
  } else if (fault == RRAM_FAULT_WEAK) {
    /* where NeuRRAM's failed cells ended (rram_device.h) */
    const double u = rram__rng_uniform(&a->stream[RNG_WEAK]);
    const double span = a->dev.g_max_us - a->dev.g_min_us;
    double g_us = level > 0 ? (a->dev.g_min_us + level * a->unit_us) * (0.48 + 0.49 * u)
                            : a->dev.g_min_us + span * (0.06 + 0.19 * u);
    if (g_us < a->dev.g_min_us) g_us = a->dev.g_min_us;
    if (a->d2d) g_us *= a->d2d[ci];
    gu = g_us / a->unit_us;
  } else {
    double g_us = a->dev.g_min_us + level * a->unit_us;
    if (a->fx & FX_PROG)
      g_us += rram_device_prog_sigma_us(&a->dev, g_us) * rram__rng_normal(&a->stream[RNG_PROG]);
    if (a->d2d) g_us *= a->d2d[ci];
    if (g_us < 0.0) g_us = 0.0; /* no negative conductance */
    gu = g_us / a->unit_us;
  }
  if (a->fx & FX_DRIFT) {
    a->gp[gi] = (float)gu;
    a->t_write[ci] = a->now_s;
  }
  a->g[gi] = (float)gu;
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

int rram_array_pulse(rram_array *a, int row, int col, int polarity, int amplitude, int width) {
  if (!a) return RRAM_EINVAL;
  int rc = check_cell(a, row, col);
  if (rc != RRAM_OK) return rc;
  if (polarity != RRAM_PULSE_SET && polarity != RRAM_PULSE_RESET) {
    rram__array_seterr(a, "polarity %d is neither SET (%d) nor RESET (%d)", polarity,
                       RRAM_PULSE_SET, RRAM_PULSE_RESET);
    return RRAM_EINVAL;
  }
  if (amplitude < 0 || amplitude > 255 || width < 0 || width > 255) {
    rram__array_seterr(a, "pulse amplitude %d / width %d out of range 0..255", amplitude, width);
    return RRAM_EINVAL;
  }
  a->act.pulses++;
  const size_t ci = (size_t)row * (size_t)a->geo.cols + (size_t)col;
  const size_t gi = (size_t)row * a->stride + (size_t)col;
  const int weak = a->fault && a->fault[ci] == RRAM_FAULT_WEAK;
  if (a->fault && a->fault[ci] != RRAM_FAULT_NONE && !weak) {
    /* stuck or open: the pulse still passes its current, nothing moves */
    const double v = 0.01 * amplitude, g_stuck = (double)a->g[gi] * a->unit_us;
    a->act.e_pulse_j += v * v * g_stuck * 1e-6 * 1e-8 * width;
    return RRAM_OK;
  }
  /* The deviate is drawn for every pulse with c2c on, so a cell's sequence
   * depends only on the seed and the pulses before it. */
  const double z = a->dev.sw_c2c > 0.0 ? rram__rng_normal(&a->stream[RNG_SWITCH]) : 0.0;
  double gain = a->d2d ? (double)a->d2d[ci] : 1.0;
  const int ideal_weak = weak && rram_switch_is_ideal(&a->dev);
  if (weak && !ideal_weak) gain *= a->dev.weak_gain;
  const double g_us = (double)a->g[gi] * a->unit_us;
  const double v = 0.01 * amplitude;
  a->act.e_pulse_j += v * v * g_us * 1e-6 * 1e-8 * width;
  double g_new = rram_switch_apply(&a->dev, g_us, polarity, amplitude, width, gain, z);
  /* ideal switching moves whole codes: a weak cell makes weak_gain of the move */
  if (ideal_weak) g_new = g_us + (g_new - g_us) * a->dev.weak_gain;
  const double gu = g_new / a->unit_us;
  a->g[gi] = (float)gu;
  a->xtag_live = a->xtag_next;
  if (a->fx & FX_DRIFT) {
    a->gp[gi] = (float)gu;
    a->t_write[ci] = a->now_s;
  }
  return RRAM_OK;
}

int rram_array_verify_read(rram_array *a, int row, int col, int *code) {
  if (!a) return RRAM_EINVAL;
  int rc = check_cell(a, row, col);
  if (rc != RRAM_OK) return rc;
  if (!code) {
    rram__array_seterr(a, "code is NULL");
    return RRAM_EINVAL;
  }
  a->act.reads++;
  double g_us = (double)a->g[(size_t)row * a->stride + (size_t)col] * a->unit_us;
  if (a->fx & FX_LINES) {
    /* the sense amplifier sees the column's whole current: what leaky
     * rows pass into it, and a leaky column's parasitic */
    double leak = a->col_line[col] == RRAM_LINE_LEAKY ? a->leak_col_units : 0.0;
    for (int i = 0; i < a->n_leaky_rows; i++)
      if (a->leaky_rows[i] != row)
        leak += a->dev.leaky_row_frac * (double)a->g[(size_t)a->leaky_rows[i] * a->stride + (size_t)col];
    g_us += leak * a->unit_us;
  }
  a->act.e_verify_j += a->e_read_unit * g_us / a->unit_us;
  if (a->fx & FX_READ) g_us *= 1.0 + a->dev.read_noise * rram__rng_normal(&a->stream[RNG_VERIFY]);
  *code = rram_switch_sense_code(&a->dev, g_us);
  return RRAM_OK;
}

int rram_array_wv_stats(const rram_array *a, uint64_t *pulses, uint64_t *reads) {
  if (!a) return RRAM_EINVAL;
  if (pulses) *pulses = a->act.pulses;
  if (reads) *reads = a->act.reads;
  return RRAM_OK;
}

int rram_array_activity(const rram_array *a, rram_activity *out) {
  if (!a || !out) return RRAM_EINVAL;
  *out = a->act;
  return RRAM_OK;
}

void rram_array_activity_clear(rram_array *a) {
  if (a) memset(&a->act, 0, sizeof a->act);
}

int rram_array_get_conductance(const rram_array *a, int row, int col, double *g_us) {
  if (!a || !g_us || row < 0 || row >= a->geo.rows || col < 0 || col >= a->geo.cols)
    return RRAM_EINVAL;
  *g_us = (double)a->g[(size_t)row * a->stride + (size_t)col] * a->unit_us;
  return RRAM_OK;
}

int rram_array_get_line(const rram_array *a, int is_col, int index, int *kind) {
  if (!a || !kind || index < 0 || index >= (is_col ? a->geo.cols : a->geo.rows))
    return RRAM_EINVAL;
  const uint8_t *m = is_col ? a->col_line : a->row_line;
  *kind = m ? m[index] : RRAM_LINE_OK;
  return RRAM_OK;
}

int rram_array_get_fault(const rram_array *a, int row, int col, int *fault) {
  if (!a || !fault || row < 0 || row >= a->geo.rows || col < 0 || col >= a->geo.cols)
    return RRAM_EINVAL;
  *fault = a->fault ? a->fault[(size_t)row * (size_t)a->geo.cols + (size_t)col] : RRAM_FAULT_NONE;
  return RRAM_OK;
}

void rram_array_reseed(rram_array *a, uint64_t key) {
  /* Streams of what happens after create; the die's streams stay as drawn. */
  static const int temporal[] = {RNG_PROG, RNG_READ, RNG_ADC_NOISE, RNG_SWITCH, RNG_VERIFY,
                                 RNG_WEAK};
  if (!a) return;
  /* A generator of its own per (seed, key): the key's splitmix expansion
   * folded into the seed's, then the same jumps as at create. */
  rram__rng r, k;
  rram__rng_seed(&r, a->seed);
  rram__rng_seed(&k, key ^ UINT64_C(0x5851f42d4c957f2d));
  for (int i = 0; i < 4; i++) r.s[i] ^= k.s[i] * UINT64_C(0x9e3779b97f4a7c15) + (uint64_t)i;
  int at = 0;
  for (size_t t = 0; t < sizeof temporal / sizeof temporal[0]; t++) {
    while (at < temporal[t]) {
      rram__rng_jump(&r);
      at++;
    }
    a->stream[temporal[t]] = r;
  }
}

int rram_array_age(rram_array *a, double seconds) {
  if (!a) return RRAM_EINVAL;
  if (!(seconds >= 0.0) || !isfinite(seconds) || !isfinite(a->now_s + seconds)) {
    rram__array_seterr(a, "age %g s: must be finite and >= 0", seconds);
    return RRAM_EINVAL;
  }
  a->now_s += seconds;
  if (!(a->fx & FX_DRIFT)) return RRAM_OK;
  a->xtag_live = a->xtag_next;
  const size_t cols = (size_t)a->geo.cols;
  for (size_t r = 0; r < (size_t)a->geo.rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      const size_t ci = r * cols + c, gi = r * a->stride + c;
      if (a->fault && a->fault[ci] != RRAM_FAULT_NONE && a->fault[ci] != RRAM_FAULT_WEAK)
        continue; /* rails and open cells do not drift */
      a->g[gi] = (float)((double)a->gp[gi] * drift_factor(a, ci));
    }
  }
  return RRAM_OK;
}

double rram_array_time(const rram_array *a) { return a ? a->now_s : 0.0; }

const rram_device *rram_array_device(const rram_array *a) { return a ? &a->dev : NULL; }

int rram_array_adc_truth(const rram_array *a, int adc, double *offset_lsb, double *gain) {
  if (!a || adc < 0 || adc >= a->n_adcs) return RRAM_EINVAL;
  if (offset_lsb) *offset_lsb = a->adc_off ? a->adc_off[adc] : 0.0;
  if (gain) *gain = a->adc_gain ? a->adc_gain[adc] : 1.0;
  return RRAM_OK;
}

int rram_array_adc_threshold(const rram_array *a, int adc, int code, double *t_lsb) {
  if (!a || !t_lsb || adc < 0 || adc >= a->n_adcs || code < 1 || code > a->code_max)
    return RRAM_EINVAL;
  *t_lsb = a->adc_thr ? (double)a->adc_thr[(size_t)adc * (size_t)a->code_max + (size_t)(code - 1)]
                      : (double)code - 0.5;
  return RRAM_OK;
}

int rram_array_ir_stats(const rram_array *a, int *iterations, double *err_est) {
  if (!a) return RRAM_EINVAL;
  if (iterations) *iterations = (a->fx & FX_IR) ? a->ir.iters : 0;
  if (err_est) *err_est = (a->fx & FX_IR) ? a->ir.err_est : 0.0;
  return RRAM_OK;
}

void rram__array_currents_ua(const rram_array *a, double *out) {
  const double unit_ua = a->dev.v_read * a->unit_us;
  for (int c = 0; c < a->geo.cols; c++) out[c] = (double)a->cur[c] * unit_ua;
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
  /* wl and sel first: uint32 words, then int32 codes, then uint16 counts,
   * so every part stays aligned inside the one block. */
  const size_t wb = 2 * a->wl_words * sizeof(uint32_t);
  const size_t bytes = wb + cols * sizeof(int32_t) + cols * sizeof(uint16_t);
  for (size_t i = a->cap_ph; i < new_cap; i++) {
    unsigned char *blk = malloc(bytes);
    if (!blk) break; /* keep the slots we got */
    ph[i].wl = (uint32_t *)(void *)blk;
    ph[i].sel = ph[i].wl + a->wl_words;
    ph[i].code = (int32_t *)(void *)(blk + wb);
    ph[i].n_conv = (uint16_t *)(void *)(blk + wb + cols * sizeof(int32_t));
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

/* The same, with cur2 += row^2 (read noise: the variance of the column). */
static void add_row_sq(float *restrict cur, float *restrict cur2, const float *restrict row,
                       size_t n) {
  for (size_t c = 0; c < n; c += RRAM__LANES)
    for (size_t i = 0; i < RRAM__LANES; i++) {
      const float x = row[c + i];
      cur[c + i] += x;
      cur2[c + i] += x * x;
    }
}

/* RRAM_OK if no bit of the n_words-word bitmap m is at or past the last
 * row; else the error, naming the first such bit as a `what`. */
static int check_bitmap(rram_array *a, const uint32_t *m, size_t n_words, const char *what) {
  const size_t rows = (size_t)a->geo.rows;
  for (size_t w = rows / 32; w < n_words; w++) {
    const uint32_t valid = w == rows / 32 ? (1u << (rows % 32)) - 1u : 0u;
    const uint32_t extra = m[w] & ~valid;
    if (extra) {
      rram__array_seterr(a, "%s %zu driven but rows is %d", what,
                         w * 32 + (size_t)lowest_bit(extra), a->geo.rows);
      return RRAM_EINVAL;
    }
  }
  return RRAM_OK;
}

/* Rows in sel. */
static int popcount_rows(const rram_array *a, const uint32_t *sel) {
  int n = 0;
  for (size_t w = 0; w < a->wl_words; w++)
    for (uint32_t bits = sel[w]; bits; bits &= bits - 1u) n++;
  return n;
}

/* Connected rows: 1 if every row of sel holds its transfer row for exactly
 * the set sel, built since the last conductance change. */
static int transfer_live(const rram_array *a, const uint32_t *sel) {
  uint64_t tag = 0;
  int n = 0;
  for (size_t w = 0; w < a->wl_words; w++)
    for (uint32_t bits = sel[w]; bits; bits &= bits - 1u) {
      const size_t r = w * 32 + (size_t)lowest_bit(bits);
      if (n++ == 0) {
        tag = a->xtag[r];
        if (tag < a->xtag_live || a->xsize[r] != popcount_rows(a, sel)) return 0;
      } else if (a->xtag[r] != tag) {
        return 0;
      }
    }
  return 1;
}

/* Connected rows: build the transfer rows of the set sel (new, or a
 * conductance changed since its last build: transfer_live said 0). */
static int connected_transfer(rram_array *a, const uint32_t *sel) {
  const int n = popcount_rows(a, sel);
  /* Per transfer entry: n of them add up in one drive's current. */
  const double tol_lsb = a->dev.ir_tol_lsb > 0.0 ? a->dev.ir_tol_lsb : RRAM__IR_TOL_LSB_DEFAULT;
  const double tol = tol_lsb / (a->code_per_unit * (double)n);
  /* The build's row k is sel's k-th row in ascending order. */
  float *t = a->ir_scratch;
  int rc = rram__ir_transfer(&a->ir, a->g, a->stride, sel, a->r_wl_units, a->r_bl_units, tol, t,
                             a->stride);
  if (rc != RRAM_OK) {
    rram__array_seterr(a, "out of memory building the IR transfer matrix");
    return rc;
  }
  const uint64_t new_tag = a->xtag_next++;
  int k = 0;
  for (size_t w = 0; w < a->wl_words; w++)
    for (uint32_t bits = sel[w]; bits; bits &= bits - 1u) {
      const size_t r = w * 32 + (size_t)lowest_bit(bits);
      memcpy(a->xt + r * a->stride, t + (size_t)k++ * a->stride, a->stride * sizeof(float));
      a->xtag[r] = new_tag;
      a->xsize[r] = n;
    }
  return RRAM_OK;
}

/* Line defects in a drive: an undriven leaky row passes leaky_row_frac of
 * its cells' currents, a leaky column its parasitic. Added after the sums
 * (and after an IR solve, so the leaks see no wire drop), without read
 * noise. */
static void add_leaks(rram_array *a, const uint32_t *wl, float *cur) {
  const float frac = (float)a->dev.leaky_row_frac;
  for (int i = 0; i < a->n_leaky_rows; i++) {
    const int r = a->leaky_rows[i];
    if (wl[r / 32] >> (r % 32) & 1u) continue;
    const float *g = a->g + (size_t)r * a->stride;
    for (size_t c = 0; c < a->stride; c++) cur[c] += frac * g[c];
  }
  if (a->col_leak) add_row(cur, a->col_leak, a->stride);
}

int rram_array_drive_rows(rram_array *a, const uint32_t *sel, const uint32_t *wl,
                          size_t n_words) {
  if (!a) return RRAM_EINVAL;
  if (!wl || !sel || n_words < a->wl_words) {
    rram__array_seterr(a, "wordline bitmap has %zu words, %zu needed for %d rows",
                       wl && sel ? n_words : (size_t)0, a->wl_words, a->geo.rows);
    return RRAM_EINVAL;
  }
  /* A bit past the last row is a wordline that does not exist: an RTL bug
   * worth stopping on rather than silently ignoring. */
  int rc = check_bitmap(a, wl, n_words, "wordline");
  if (rc == RRAM_OK && sel != wl) rc = check_bitmap(a, sel, n_words, "row select");
  if (rc != RRAM_OK) return rc;
  for (size_t w = 0; w < a->wl_words; w++) {
    const uint32_t stray = wl[w] & ~sel[w];
    if (stray) {
      rram__array_seterr(a, "wordline %zu driven but its row is not selected",
                         w * 32 + (size_t)lowest_bit(stray));
      return RRAM_EINVAL;
    }
  }
  rc = log_reserve(a);
  if (rc != RRAM_OK) {
    rram__array_seterr(a, "out of memory growing the log past %zu phases", a->n_ph);
    return rc;
  }

  /* One evaluation per drive: every conversion of this phase reads cur. The
   * row source of the sums: the cells, or with connected rows under IR drop
   * the rows' transfer rows (their currents with the set's other rows at 0 V). */
  float *cur = a->cur;
  const size_t stride = a->stride;
  const float *src = a->g;
  int solve = (a->fx & FX_IR) != 0; /* one nodal solve of this drive */
  if (a->xt) {
    /* Connected rows: the group's transfer rows. Except when every selected
     * row is driven (no row at 0 V: the isolated circuit) and the set has
     * no transfer yet: for a one-off set one solve is cheaper than a build. */
    int undriven = 0;
    for (size_t w = 0; w < a->wl_words; w++) undriven |= sel[w] != wl[w];
    const int live = transfer_live(a, sel);
    if (undriven || live) {
      if (!live && (rc = connected_transfer(a, sel)) != RRAM_OK) return rc;
      src = a->xt;
      solve = 0;
    }
  }
  if (solve) {
    rram__ir_solve(&a->ir, a->g, stride, wl, a->r_wl_units, a->r_bl_units, a->ir_tol, cur,
                   a->cur2);
  } else if (a->fx & FX_READ) {
    float *cur2 = a->cur2;
    memset(cur, 0, stride * sizeof(float));
    memset(cur2, 0, stride * sizeof(float));
    for (size_t w = 0; w < a->wl_words; w++) {
      for (uint32_t bits = wl[w]; bits; bits &= bits - 1u) {
        const size_t r = w * 32 + (size_t)lowest_bit(bits);
        add_row_sq(cur, cur2, src + r * stride, stride);
      }
    }
  } else {
    memset(cur, 0, stride * sizeof(float));
    for (size_t w = 0; w < a->wl_words; w++) {
      for (uint32_t bits = wl[w]; bits; bits &= bits - 1u) {
        const size_t r = w * 32 + (size_t)lowest_bit(bits);
        add_row(cur, src + r * stride, stride);
      }
    }
  }

  if (a->fx & FX_LINES) add_leaks(a, wl, cur);
  double sum = 0.0;
  for (int c = 0; c < a->geo.cols; c++) sum += (double)cur[c];
  a->act.drives++;
  a->act.wordlines += (uint64_t)popcount_rows(a, wl);
  a->act.e_drive_j += a->e_read_unit * sum;

  rram_phase *p = &a->ph[a->n_ph++];
  memcpy(p->wl, wl, a->wl_words * sizeof(uint32_t));
  memcpy(p->sel, sel, a->wl_words * sizeof(uint32_t));
  for (int c = 0; c < a->geo.cols; c++) p->code[c] = -1;
  memset(p->n_conv, 0, (size_t)a->geo.cols * sizeof(uint16_t));
  return RRAM_OK;
}

int rram_array_drive(rram_array *a, const uint32_t *wl, size_t n_words) {
  return rram_array_drive_rows(a, wl, wl, n_words);
}

/* The non-ideal ADC: x is the ideal input in LSB. */
static int adc_quantize(rram_array *a, int adc, double x) {
  double y = a->adc_gain[adc] * x + a->adc_off[adc];
  if (a->dev.adc_noise_lsb > 0.0)
    y += a->dev.adc_noise_lsb * rram__rng_normal(&a->stream[RNG_ADC_NOISE]);
  const int cmax = a->code_max;
  if (!(y >= -(double)cmax)) return 0; /* far below, or NaN */
  if (y >= 2.0 * (double)cmax + 1.0) return cmax;
  int c = (int)floor(y + 0.5);
  c = c < 0 ? 0 : c > cmax ? cmax : c;
  if (a->adc_thr) {
    /* Code = number of transitions at or below y; walk from the ideal
     * code (transitions are within a few LSB of ideal). */
    const float *t = a->adc_thr + (size_t)adc * (size_t)cmax; /* t[k-1]: k-1 -> k */
    /* One step each way without a branch (the direction is as random as
     * the noise, so a branch would mispredict often), then the rare
     * further steps of an INL beyond one LSB. */
    c += c < cmax && (double)t[c < cmax ? c : cmax - 1] <= y;
    c -= c > 0 && (double)t[c > 0 ? c - 1 : 0] > y;
    while (c < cmax && (double)t[c] <= y) c++;
    while (c > 0 && (double)t[c - 1] > y) c--;
  }
  return c;
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
  double i_col = (double)a->cur[col];
  if (a->fx & FX_READ)
    i_col += a->dev.read_noise * sqrt((double)a->cur2[col]) *
             rram__rng_normal(&a->stream[RNG_READ]);
  int c;
  if (!(a->fx & FX_ADC)) {
    /* code = clip(round(I / lsb)); floor(x + 0.5) rounds halves up, the
     * same on every platform (no dependence on the FP rounding mode). */
    const double x = i_col * a->code_per_unit + 0.5;
    if (!(x >= 1.0)) c = 0; /* also catches NaN */
    else if (x >= (double)a->code_max + 1.0) c = a->code_max;
    else c = (int)floor(x);
  } else {
    c = adc_quantize(a, adc, i_col * a->code_per_unit);
  }
  *code = c;
  a->act.conversions++;

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

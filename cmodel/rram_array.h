/* rram_array.h: the analog side of the macro, everything the RTL reaches only
 * through DPI: RRAM cells, bitline current sums, the column ADCs' conversion.
 *
 * Lifetime: rram_array_create() .. rram_array_destroy(). No global state: the
 * random generator lives in the array. Not thread-safe; one owner at a time.
 *
 * Units: conductance in microsiemens (uS), voltage in volts, current in
 * microamperes (uA). An ideal device maps cell level L (0..2^cell_bits-1) to
 * G = g_min + L * (g_max - g_min) / (2^cell_bits - 1); with g_min = 0 and the
 * default ADC full scale one ADC LSB is exactly one unit level, so an ideal
 * conversion returns the sum of the levels of the driven cells in a column,
 * clipped to 0..2^adc_bits-1.
 *
 * Recording: every drive starts a new phase in the array's log; every
 * conversion stores its code in the current phase. The periphery twin
 * (cim_golden.h) reads the log to compute what the RTL must output. */
#ifndef RRAM_ARRAY_H
#define RRAM_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "rram_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rram_array rram_array; /* opaque */

/* Build parameters of the array and its ADCs (mirror the RTL's). */
typedef struct rram_geometry {
  int rows;         /* wordlines, 1..65535 */
  int cols;         /* physical bitlines, 1..65535 */
  int cell_bits;    /* bits per cell, 1..4 */
  int adc_bits;     /* ADC resolution, 1..16 */
  int cols_per_adc; /* columns sharing one ADC, 1..cols */
} rram_geometry;

/* Device and ADC settings; rram_device_ideal() fills the ideal device. */
typedef struct rram_device {
  double g_max_us;    /* conductance of the highest level */
  double g_min_us;    /* conductance of level 0 */
  double v_read;      /* read voltage on a driven wordline, volts */
  double adc_lsb_ua;  /* current of one ADC LSB; <= 0 means one unit level */
} rram_device;

/* Fill *dev with the ideal device: g_max 40 uS, g_min 0, v_read 0.2 V,
 * one ADC LSB per unit level. */
void rram_device_ideal(rram_device *dev);

/* Check geo and dev as rram_array_create() does, without creating anything.
 * On RRAM_EINVAL, err (may be NULL) receives a one-line reason naming the
 * field, e.g. "cell_bits 5 out of range 1..4": the way to explain a failed
 * create, which has no handle to carry a message. */
int rram_array_check_config(const rram_geometry *geo, const rram_device *dev,
                            char *err, size_t err_len);

/* Create an array with every cell at level 0. *out is NULL on error.
 * Returns RRAM_EINVAL for a geometry or device out of range (reason from
 * rram_array_check_config()), RRAM_ENOMEM. */
int rram_array_create(const rram_geometry *geo, const rram_device *dev,
                      uint64_t seed, rram_array **out);
/* Destroy; NULL is a no-op. */
void rram_array_destroy(rram_array *a);
/* Text of the last error on a, owned by a, valid until the next call. */
const char *rram_array_errmsg(const rram_array *a);
const rram_geometry *rram_array_geometry(const rram_array *a);
/* Number of ADCs: ceil(cols / cols_per_adc). Column of ADC adc at mux
 * select m is adc * cols_per_adc + m. */
int rram_array_num_adcs(const rram_array *a);

/* Backdoor programming: set one cell to an exact level (ideal write). */
int rram_array_set_level(rram_array *a, int row, int col, int level);
int rram_array_get_level(const rram_array *a, int row, int col, int *level /* OUT */);

/* Wordline drive of one phase: bit r of the little-endian word array wl
 * (word r/32, bit r%32) is 1 when row r is driven. Evaluates every bitline
 * current once and opens a new phase in the log. n_words must be at least
 * ceil(rows/32); a set bit at or past row `rows` is RRAM_EINVAL (no such
 * wordline), as is RRAM_ENOMEM when the log cannot grow: no phase opens. */
int rram_array_drive(rram_array *a, const uint32_t *wl, size_t n_words);
/* Convert column col on ADC adc (col must be one of adc's mux inputs) with
 * the bitline currents of the last drive. *code is 0..2^adc_bits-1.
 * A conversion before any drive since the last clear still returns a code
 * (from the bitlines as they are) but is counted as an orphan, not logged. */
int rram_array_convert(rram_array *a, int adc, int col, int *code /* OUT */);

/* ---- the log of the run, read by the twin and by tests ---- */
typedef struct rram_phase {
  uint32_t *wl;       /* driven rows, ceil(rows/32) words */
  int32_t *code;      /* per column: last code, or -1 if not converted */
  uint16_t *n_conv;   /* per column: conversions in this phase */
} rram_phase;

/* Forget every recorded phase (call before each MVM you want to check). */
void rram_array_log_clear(rram_array *a);
/* Phases recorded since the last clear. */
size_t rram_array_log_phases(const rram_array *a);
/* Phase i (0-based), valid until the next drive or clear; NULL if out of range. */
const rram_phase *rram_array_log_phase(const rram_array *a, size_t i);
/* Conversions attempted before any drive since the last clear (always an
 * RTL sequencing bug). */
size_t rram_array_log_orphans(const rram_array *a);

#ifdef __cplusplus
}
#endif
#endif

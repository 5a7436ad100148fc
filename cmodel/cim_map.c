/* cim_map.c: signed weights to differential cell levels (contract in
 * cim_map.h). The helpers return 0 (counts) or -1 (a column) for arguments
 * out of range, so a caller's loop bound or index is never silently valid. */
#include "cim_map.h"

#include <stdlib.h>

#include "rram_array_int.h"

/* Widest weight the model maps: 16 bits keeps every product of the int64
 * golden models far from overflow. */
#define CIM__MAX_W_BITS 16
#define CIM__MAX_CELL_BITS 4

static int bits_ok(int w_bits, int cell_bits) {
  return w_bits >= 1 && w_bits <= CIM__MAX_W_BITS && cell_bits >= 1 &&
         cell_bits <= CIM__MAX_CELL_BITS;
}

int cim_map_slices(int w_bits, int cell_bits) {
  if (!bits_ok(w_bits, cell_bits)) return 0;
  return (w_bits + cell_bits - 1) / cell_bits;
}

int cim_map_outputs(int cols, int w_bits, int cell_bits) {
  const int s = cim_map_slices(w_bits, cell_bits);
  if (s == 0 || cols < 0) return 0;
  return cols / (2 * s);
}

int cim_map_col(int j, int s, int p, int w_bits, int cell_bits) {
  const int n_s = cim_map_slices(w_bits, cell_bits);
  if (n_s == 0 || j < 0 || s < 0 || s >= n_s || p < 0 || p > 1) return -1;
  return j * 2 * n_s + 2 * s + p;
}

int cim_map_level(int32_t w, int s, int p, int w_bits, int cell_bits, int *level) {
  const int n_s = cim_map_slices(w_bits, cell_bits);
  if (n_s == 0 || s < 0 || s >= n_s || p < 0 || p > 1 || !level) return RRAM_EINVAL;
  const int32_t lo = -(INT32_C(1) << (w_bits - 1));
  const int32_t hi = (INT32_C(1) << (w_bits - 1)) - 1;
  if (w < lo || w > hi) return RRAM_EINVAL;
  /* |w| of the chosen polarity, at most 2^(w_bits-1): fits w_bits unsigned. */
  const uint32_t mag = p == 0 ? (w > 0 ? (uint32_t)w : 0u) : (w < 0 ? (uint32_t)-w : 0u);
  *level = (int)((mag >> (s * cell_bits)) & ((1u << cell_bits) - 1u));
  return RRAM_OK;
}

int cim_map_load(rram_array *a, const int32_t *W, int n_out, int k, int w_bits) {
  if (!a) return RRAM_EINVAL;
  const rram_geometry *geo = rram_array_geometry(a);
  const int cb = geo->cell_bits;
  const int n_s = cim_map_slices(w_bits, cb);
  if (n_s == 0) {
    rram__array_seterr(a, "w_bits %d out of range 1..%d", w_bits, CIM__MAX_W_BITS);
    return RRAM_EINVAL;
  }
  if (!W) {
    rram__array_seterr(a, "weight matrix is NULL");
    return RRAM_EINVAL;
  }
  if (k < 1 || k > geo->rows) {
    rram__array_seterr(a, "k %d out of range 1..%d (rows)", k, geo->rows);
    return RRAM_EINVAL;
  }
  const int max_out = cim_map_outputs(geo->cols, w_bits, cb);
  if (n_out < 1 || n_out > max_out) {
    rram__array_seterr(a, "n_out %d out of range 1..%d (%d cols / %d per output)", n_out,
                       max_out, geo->cols, 2 * n_s);
    return RRAM_EINVAL;
  }
  /* Check every weight before writing one cell: an error leaves the array
   * as it was, as every RRAM_EINVAL promises. */
  const int32_t lo = -(INT32_C(1) << (w_bits - 1));
  const int32_t hi = (INT32_C(1) << (w_bits - 1)) - 1;
  for (int j = 0; j < n_out; j++) {
    for (int r = 0; r < k; r++) {
      const int32_t w = W[(size_t)j * (size_t)k + (size_t)r];
      if (w < lo || w > hi) {
        rram__array_seterr(a, "W[%d][%d] = %ld out of range %ld..%ld (w_bits %d)", j, r,
                           (long)w, (long)lo, (long)hi, w_bits);
        return RRAM_EINVAL;
      }
    }
  }
  const int n_col = n_out * 2 * n_s;
  for (int r = 0; r < geo->rows; r++) {
    for (int c = 0; c < geo->cols; c++) {
      if (r < k && c < n_col) {
        const int j = c / (2 * n_s), s = (c % (2 * n_s)) / 2, p = c % 2;
        int level = 0;
        (void)cim_map_level(W[(size_t)j * (size_t)k + (size_t)r], s, p, w_bits, cb, &level);
        rram__array_put_level(a, r, c, level);
      } else if (r < k || c < n_col) {
        /* Zero the rest of the rows and columns the job uses, so nothing
         * left from an earlier load reaches its bitlines. */
        rram__array_put_level(a, r, c, 0);
      }
    }
  }
  return RRAM_OK;
}

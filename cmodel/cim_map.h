/* cim_map.h: how signed weights become cell levels and physical columns.
 *
 * A weight w (W_BITS signed) is split into a positive part max(w,0) and a
 * negative part max(-w,0), each an unsigned W_BITS-bit magnitude cut into
 * S = ceil(W_BITS / CELL_BITS) slices of CELL_BITS, slice 0 least significant.
 * Logical output j, slice s, polarity p (0 = G+, 1 = G-) sits on physical
 * column j * 2S + 2s + p. Row r of the array holds input r. */
#ifndef CIM_MAP_H
#define CIM_MAP_H

#include <stdint.h>

#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The helpers below return 0 (counts) or -1 (cim_map_col) when w_bits is
 * outside 1..16, cell_bits outside 1..4, or an index is out of range. */

/* Weight slices per weight: ceil(w_bits / cell_bits). */
int cim_map_slices(int w_bits, int cell_bits);
/* Logical outputs an array of cols physical columns holds: cols / (2 * S). */
int cim_map_outputs(int cols, int w_bits, int cell_bits);
/* Physical column of (output j, slice s, polarity p). */
int cim_map_col(int j, int s, int p, int w_bits, int cell_bits);
/* Level of slice s of weight w on polarity p; RRAM_EINVAL if w is outside
 * -2^(w_bits-1)..2^(w_bits-1)-1. */
int cim_map_level(int32_t w, int s, int p, int w_bits, int cell_bits, int *level /* OUT */);

/* Backdoor-load W (n_out x k, row-major: W[j*k + r], y = W x) into rows
 * 0..k-1 and the columns of outputs 0..n_out-1; every other cell of those
 * columns and rows is set to level 0. RRAM_EINVAL names the bad weight in
 * rram_array_errmsg(). */
int cim_map_load(rram_array *a, const int32_t *W, int n_out, int k, int w_bits);

#ifdef __cplusplus
}
#endif
#endif

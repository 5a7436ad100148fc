/* rram_array_int.h: internal. What other cmodel modules (cim_map.c, and the
 * device effects to come) need of an array beyond its public API. Not for
 * code outside cmodel/. */
#ifndef RRAM_ARRAY_INT_H
#define RRAM_ARRAY_INT_H

#include "rram_array.h"
#include "rram_rng.h"

/* Format the text rram_array_errmsg(a) returns; printf-style, truncated to
 * the message buffer. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void rram__array_seterr(rram_array *a, const char *fmt, ...);

/* Set one cell with no range check: the caller has validated row, col and
 * level (cim_map_load checks every weight first so a bad one changes
 * nothing, then writes thousands of cells). */
void rram__array_put_level(rram_array *a, int row, int col, int level);

/* The array's own generator: every random draw of a device effect comes from
 * here so one seed reproduces a run. */
rram__rng *rram__array_rng(rram_array *a);

/* Bitline currents of the last drive, in uA, for tests that check the
 * analog result before the ADC (IR drop against an exact solve): writes
 * cols values to out. */
void rram__array_currents_ua(const rram_array *a, double *out);

#endif

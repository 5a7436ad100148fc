/* cim_int.h: internal. Checks shared by the twin (cim_golden.c) and the C
 * sequencer (cim_seq.c), so both accept exactly the same jobs. */
#ifndef CIM_INT_H
#define CIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cim_job.h"
#include "rram_array.h"

/* Widest input the models accept: 16 bits keeps every shift-and-add term of
 * the twin well inside int64. */
#define CIM__MAX_X_BITS 16

/* Check job (with group_rows resolved, i.e. >= 1), w_bits and the inputs x
 * against geo. RRAM_OK, or RRAM_EINVAL with a one-line reason in err (may be
 * NULL). */
int cim__job_check(const rram_geometry *geo, int w_bits, const cim_job *job,
                   const int32_t *x, char *err, size_t err_len);

#endif

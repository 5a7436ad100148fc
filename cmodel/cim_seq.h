/* cim_seq.h: the controller's drive/convert sequence played in C, without
 * RTL. It exercises the analog model exactly as the RTL does (same phases,
 * same conversions, same log), so the twin can run on it alone: the model's
 * unit tests use it, and the benchmark uses it as the functional upper bound. */
#ifndef CIM_SEQ_H
#define CIM_SEQ_H

#include <stdint.h>

#include "cim_job.h"
#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Clear a's log, then drive and convert as the controller would for job and
 * inputs x (sequence in cim_golden.h). RRAM_EINVAL for a bad job (the twin's
 * checks; reason in rram_array_errmsg(a), log untouched), RRAM_ENOMEM. */
int cim_seq_run(rram_array *a, int w_bits, const cim_job *job, const int32_t *x);

#ifdef __cplusplus
}
#endif
#endif

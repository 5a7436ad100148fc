/* cim_verify.h: the one checked-MVM routine.
 *
 * Every MVM that the CLI, the co-simulation tests, the benchmark and the
 * cocotb peer check goes through here: run the job on the macro through the
 * driver (or, for the cocotb peer, let its own bus model run it), take the
 * ADC codes the analog model logged during the run, run the periphery twin
 * on them, compute the exact MVM, and hand all three to the comparator
 * (cim_check.h). Negative tests corrupt this path (an output on the bus, a
 * code on its way to the RTL, the twin's job) and show that it reports it.
 *
 * A verifier is host-side: it reads the analog model's log and the weights
 * behind the firmware's back, as a test bench does; firmware never sees it.
 *
 * When the exact check applies (cim_verify_exact_applies): the device is the
 * ideal one, the active rows of a group (min(P, K)) cannot sum past the ADC's
 * full scale, and every ADC's calibration is the identity. Then the RTL must
 * equal requant(W x) exactly; a difference fails the run. Otherwise the
 * reason is named and the exact comparison only measures the error.
 *
 *   cim_verify *v;
 *   cim_verify_create(array, W, n, k, w_bits, &v);
 *   cim_check chk;
 *   cim_check_init(&chk);
 *   cim_configure(dev, &job);
 *   for each x: cim_verify_mvm(v, dev, x, CIM_WAIT_POLL, y, &cycles, &chk, &step);
 *   cim_check_passed(&chk) ...
 *   cim_verify_destroy(v);
 */
#ifndef CIM_VERIFY_H
#define CIM_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "cim_check.h"
#include "cim_driver.h"
#include "cim_job.h"
#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_verify cim_verify; /* opaque */

/** A verifier of MVMs on array, whose cells hold W (n outputs x k rows,
 * row-major, signed w_bits). W and the array are not copied: keep them alive
 * and unchanged while the verifier is used. @return CIM_OK, CIM_EINVAL (bad
 * argument, *out NULL) or CIM_ENOMEM */
int cim_verify_create(rram_array *array, const int32_t *W, int n, int k, int w_bits,
                      cim_verify **out /* OUT */);
/** Destroy; NULL is a no-op. */
void cim_verify_destroy(cim_verify *v);

/** 1 if the exact check must hold for job (resolved: group_rows >= 1) on this
 * array; else 0 and why (one line, e.g. "non-ideal device (read_noise)",
 * "ADC clipping possible: ..."). why may be NULL. */
int cim_verify_exact_applies(const cim_verify *v, const cim_job *job, char *why, size_t len);

/** Forget the analog model's log: call before each MVM that
 * cim_verify_outputs() will check (cim_verify_mvm() does it itself). */
void cim_verify_begin(cim_verify *v);

/** Check one finished MVM: the RTL's outputs y_rtl of job (as the driver
 * resolved it) on inputs x, against the twin run on the array's log and the
 * exact MVM, accumulated into chk. The log must hold this MVM alone (cleared
 * before it started). @return cim_check_vector()'s bits */
unsigned cim_verify_outputs(cim_verify *v, const cim_job *job, const int32_t *x,
                            const int32_t *y_rtl, cim_check *chk);

/** The checked-MVM routine: on a configured driver, clear the log, load x,
 * start, wait (bounded by cim_wait_budget), read the outputs into y_rtl
 * (job->n_outs values) and the CYCLES register into *cycles (may be NULL),
 * then cim_verify_outputs() into chk. @return the driver's status; on
 * failure *step (may be NULL) names the driver call that failed and nothing
 * was checked. */
int cim_verify_mvm(cim_verify *v, cim_dev *dev, const int32_t *x, cim_wait_mode wait,
                   int32_t *y_rtl /* OUT */, uint32_t *cycles /* OUT */, cim_check *chk,
                   const char **step /* OUT */);

/** The twin's outputs of the last check, or NULL if it refused the log. */
const int32_t *cim_verify_last_twin(const cim_verify *v);
/** The exact W x of the last check (n values). */
const int64_t *cim_verify_last_exact(const cim_verify *v);

#ifdef __cplusplus
}
#endif
#endif

/* cim_activity.h: the macro's activity counters (ACT_* registers): MVM
 * phases, wordlines driven, ADC conversions, shift-and-add operations,
 * write-verify pulses, verify reads and busy cycles, the activity an energy
 * and latency estimate multiplies by per-operation costs (cim_energy.h).
 *
 * The counters are 32 bits and wrap; the routines here widen them: read a
 * mark, run, read again, and cim_activity_delta() gives what happened in
 * between, correct across one wrap of each counter (2^32 conversions is
 * about 520,000 full MVMs of the default macro). */
#ifndef CIM_ACTIVITY_H
#define CIM_ACTIVITY_H

#include <stdint.h>

#include "cim_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_activity {
  uint64_t phases;       /* wordline drives: one per row group and input bit plane */
  uint64_t wordlines;    /* wordlines raised, summed over the phases */
  uint64_t conversions;  /* ADC conversions */
  uint64_t shift_adds;   /* column codes added into the accumulators */
  uint64_t pulses;       /* write-verify pulses */
  uint64_t reads;        /* verify reads */
  uint64_t busy;         /* clock cycles with an MVM or a write-verify run going on */
} cim_activity;

/** The counters as the macro holds them now (each 0..2^32-1).
 * @return CIM_OK, CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_activity_read(cim_dev *dev, cim_activity *now /* OUT */);

/** Clear every counter (ACT_CTRL.CLEAR; allowed while busy).
 * @return CIM_OK, CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_activity_clear(cim_dev *dev);

/** acc += now - mark, counter by counter, modulo 2^32 (both as read by
 * cim_activity_read). */
void cim_activity_add_delta(cim_activity *acc, const cim_activity *mark, const cim_activity *now);

#ifdef __cplusplus
}
#endif
#endif

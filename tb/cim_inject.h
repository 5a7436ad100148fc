/* cim_inject.h: test-only faults injected on the real co-simulation path, so
 * that negative tests show the shipped checker (sw/host/cim_verify.h)
 * reports a corrupted run, not a copy of it.
 *
 * A fault is a spec string, from cim_sim_opts.inject or else $CIM_INJECT:
 *   out:J:B   flip bit B of every APB read of OUTBUF word J (a datapath or bus
 *             fault between the output buffer and the firmware)
 *   adc:N:D   add D to the code of the N-th ADC conversion of the run (0-based,
 *             every conversion counted) as the RTL receives it; the analog
 *             model's log keeps the code it produced (a fault in the ADC
 *             interface)
 *   reg:O:D   add D to every APB read of the register at offset O (a
 *             counter or status word read wrong)
 *   slverr:N  the N-th transfer the slave answers with PSLVERR (1 = the first)
 *             reaches the firmware as completed (MMIO_OK, read data 0): a bus
 *             that loses an error response
 *   apb:N     the N-th APB transfer after reset (1 = the first) changes PADDR
 *             in its access phase, a protocol error the RTL's ApbStable_A
 *             assertion must stop
 * An active fault is announced on stderr, so no run passes with one unseen.
 * State is the glue's own, one simulation per process (as cim_dpi.c). */
#ifndef CIM_INJECT_H
#define CIM_INJECT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Arm the fault of spec (NULL or "" disarms). Returns 0, or -1 after
 * printing why spec is not one of the forms above. */
int cim_inject_arm(const char *spec);
/* The code the RTL receives for a conversion the model answered with code. */
int cim_inject_adc(int code);
/* The APB transfer to glitch (apb:N), or 0. */
uint32_t cim_inject_apb_glitch(void);
/* 1 if the slave's PSLVERR on this transfer (called once per PSLVERR, in
 * order) is to be hidden from the firmware (slverr:N), else 0. */
int cim_inject_hide_slverr(void);
/* The data the firmware receives for an APB read of addr that returned data. */
uint32_t cim_inject_read(uint32_t addr, uint32_t data);

#ifdef __cplusplus
}
#endif
#endif

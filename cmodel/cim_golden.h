/* cim_golden.h: the golden models the RTL is checked against.
 *
 * 1. cim_mvm_exact(): the exact integer MVM y = W x (int64), the ideal answer.
 * 2. cim_twin_run(): a bit-accurate model of the periphery. Given the ADC
 *    codes the analog model produced during a run (rram_array's log), it
 *    computes exactly what the RTL must output, whatever the device did. It
 *    also checks that the log follows the controller's sequence (one phase per
 *    row group and input bit plane, in order, with the group's rows selected
 *    and the wordlines the inputs call for, every active column converted
 *    exactly once), so a wrong wordline pattern or row select or a skipped
 *    conversion is caught, not absorbed.
 *
 * Controller sequence (the contract between RTL and twin):
 *   for g in 0 .. ceil(n_rows / group_rows) - 1:      row group
 *     rows g*group_rows .. min((g+1)*group_rows, n_rows) - 1
 *     for k in 0 .. x_bits - 1:                        input bit plane, LSB first
 *       select the group's rows, drive those whose input has bit k set
 *       (one phase)
 *       convert columns 0 .. n_outs * 2S - 1 (order free, each once)
 *       acc[j] += sgn_k * sum_s 2^(k + s*cell_bits) * (cal[j,s,+] - cal[j,s,-])
 *       with cal = cim_adc_calibrate(code, job->adc_cal[column / cols_per_adc])
 *   sgn_k = -1 for k = x_bits-1 of signed inputs, else +1.
 *   Output: v = relu ? max(acc, 0) : acc;
 *           v = shift ? (v + 2^(shift-1)) >> shift : v   (arithmetic, half up)
 *           y = clamp(v, -2^(out_bits-1), 2^(out_bits-1) - 1). */
#ifndef CIM_GOLDEN_H
#define CIM_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include "cim_job.h"
#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y[j] = sum_r W[j*k + r] * x[r] for j < n_out. */
void cim_mvm_exact(const int32_t *W, const int32_t *x, int n_out, int k, int64_t *y /* OUT */);

/* One code through one ADC's calibration (cim_job.h); cal NULL = identity. */
int32_t cim_adc_calibrate(int32_t code, const cim_adc_cal *cal);

/* Apply ReLU, rounding shift and saturation of job to one accumulator. */
int32_t cim_requant(int64_t acc, const cim_job *job);

/* Bit-accurate periphery twin. x holds the n_rows inputs as the firmware
 * meant them (signed or unsigned values, they must fit x_bits). Writes
 * acc[n_outs] (may be NULL) and y[n_outs]. Returns RRAM_OK, RRAM_EINVAL for a
 * bad job, or RRAM_ESEQ when the log breaks the controller sequence; err
 * (may be NULL) then receives a one-line reason naming phase and column.
 * A valid job has group_rows >= 1 (already resolved), x_bits 1..16, shift
 * 0..31, out_bits 2..32, and fits the array (n_rows <= rows, n_outs <=
 * cim_map_outputs()). y is written only on RRAM_OK; on RRAM_ESEQ acc may
 * hold partial sums. */
int cim_twin_run(const rram_array *a, int w_bits, const cim_job *job,
                 const int32_t *x, int64_t *acc /* OUT */, int32_t *y /* OUT */,
                 char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif

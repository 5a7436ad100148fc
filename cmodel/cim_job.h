/* cim_job.h: one MVM's run-time configuration, as firmware programs it into
 * the macro. Shared by the driver (sw/) and the golden models (cmodel/) so
 * the two cannot disagree on what a job is; plain data, no functions. */
#ifndef CIM_JOB_H
#define CIM_JOB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Calibration of one ADC, as in the ADC_CAL window: every captured code
 * becomes cal = ((16*code - offset_q4) * gain_q14 + 2^17) >> 18 (arithmetic,
 * rounding half up). {0, 0x4000} is the identity. */
typedef struct cim_adc_cal {
  int16_t offset_q4;  /* offset in 1/16 LSB, -2048..2047 */
  uint16_t gain_q14;  /* gain, 1.0 = 0x4000 */
} cim_adc_cal;

#define CIM_ADC_CAL_IDENTITY ((cim_adc_cal){0, 0x4000u})

/* One MVM's run-time configuration, as programmed into the macro. */
typedef struct cim_job {
  int n_rows;     /* K, active rows/inputs */
  int n_outs;     /* N, active outputs */
  int x_bits;     /* input bits, 1..X_BITS */
  int is_signed;  /* inputs are two's complement */
  int group_rows; /* row group size P; 0 asks the driver to choose */
  int relu;       /* clamp negatives to 0 */
  int shift;      /* requantization shift, 0..31 */
  int out_bits;   /* output saturation width, 2..32 */
  /* Per-ADC calibration programmed in the macro (ceil(cols/cols_per_adc)
   * entries), or NULL for the identity. Not owned. */
  const cim_adc_cal *adc_cal;
} cim_job;

#ifdef __cplusplus
}
#endif
#endif

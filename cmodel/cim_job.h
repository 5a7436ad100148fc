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
  /* Row and column enables programmed in the macro (ROW_EN, COL_EN): bit i
   * of word i/32 set when line i is enabled; NULL when every line is. A
   * disabled row is never selected nor driven; a disabled column's code
   * enters the shift-and-add as 0. Not owned. */
  const uint32_t *row_en;
  const uint32_t *col_en;
} cim_job;

/* Is line i enabled in mask m (NULL: every line)? */
static inline int cim_line_enabled(const uint32_t *m, int i) {
  return !m || (int)((m[i / 32] >> (i % 32)) & 1u);
}

#ifdef __cplusplus
}
#endif
#endif

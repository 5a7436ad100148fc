/* cim_job.h: one MVM's run-time configuration, as firmware programs it into
 * the macro. Shared by the driver (sw/) and the golden models (cmodel/) so
 * the two cannot disagree on what a job is; plain data, no functions. */
#ifndef CIM_JOB_H
#define CIM_JOB_H

#ifdef __cplusplus
extern "C" {
#endif

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
} cim_job;

#ifdef __cplusplus
}
#endif
#endif

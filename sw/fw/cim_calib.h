/* cim_calib.h: firmware calibration of the column ADCs' offset and gain.
 *
 * The routine runs one-phase MVMs (1-bit inputs, one row group) with known
 * wordline patterns over weights whose cell levels the firmware knows, reads
 * the raw codes of every column from the CODES window, fits
 *   code = o + g * ideal + h * active
 * per ADC by least squares (clipped codes left out; active is the number of
 * driven rows, whose level-0 pedestal the differential pair cancels) and
 * programs ADC_CAL so that cal(code) = (code - o) / g. What it fits is the whole
 * column chain as the ADC sees it: device errors in the reference columns
 * are absorbed along with the ADC's own.
 *
 * A fit that ADC_CAL cannot hold (an offset beyond about +-128 LSB, a gain of
 * 0.25 or less: see cim_adc_cal_encode) is refused, not clamped: that ADC
 * keeps the identity, and the report counts it (n_refused) and keeps the
 * driver's message for the first one. The routine still returns CIM_OK, as
 * the other ADCs are calibrated; check n_refused to treat it as a failure.
 *
 * The routine drives the largest row group whose ideal sum fits the ADC,
 * but at least CIM_CAL_MIN_ROWS rows where P_MAX and k allow: with one or
 * two rows the column sums take too few values (codes that clip are left
 * out, as they say nothing).
 *
 * An ADC is fitted only when its unclipped codes (neither 0 nor full scale)
 * determine offset, gain and pedestal together: at least CIM_CAL_MIN_POINTS
 * distinct (ideal, active) points, and standard errors, from the rounding
 * of the codes alone (1/sqrt(12) LSB per distinct point; a repeated point
 * repeats its rounding error), of at most CIM_CAL_MAX_SE_OFFSET_LSB on the
 * offset and CIM_CAL_MAX_SE_GAIN (relative) on the gain. An ADC whose codes
 * do not (a single driven row, where the offset and the pedestal move
 * together; a few levels only) keeps the identity and counts in n_unfit: an
 * offset with the pedestal folded in would look right and be wrong. When no
 * ADC can be fitted at all, the routine returns CIM_ENODATA: a 1-bit ADC
 * never gives an unclipped code (its only codes are 0 and full scale), a
 * macro whose row groups hold one row (P_MAX 1, or k 1) cannot separate the
 * pedestal, and weights whose column sums all clip have the same effect. */
#ifndef CIM_CALIB_H
#define CIM_CALIB_H

#include <stdint.h>

#include "cim_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fewest rows the calibration drives where P_MAX and k allow. */
#define CIM_CAL_MIN_ROWS 8
/* The fewest distinct (ideal, active) points that make a fit: one more than
 * the three unknowns, so that rounding is not passed on whole. */
#define CIM_CAL_MIN_POINTS 4
/* The largest standard errors, from rounding alone, of a fit the routine
 * programs: offset in LSB, gain relative. The report gives the largest of
 * the fitted ADCs' (max_se_*), which bounds what a check of the fits can
 * expect of this build and these weights. */
#define CIM_CAL_MAX_SE_OFFSET_LSB 0.25
#define CIM_CAL_MAX_SE_GAIN 0.025

typedef struct cim_cal_report {
  int n_adc;          /* ADCs calibrated (the others keep the identity) */
  int n_refused;      /* ADCs whose fit ADC_CAL cannot hold: kept at the identity */
  int first_refused;  /* the first of them, -1 if none */
  char refused_msg[256]; /* cim_errmsg() of that refusal, "" if none */
  int n_points;       /* (column, pattern) codes used in the fits */
  int n_clipped;      /* codes left out at 0 or full scale */
  double rms_before;  /* RMS of code - ideal over the points, in LSB, identity
                         calibration (the fitted pedestal taken out) */
  double rms_after;   /* the same after the fitted calibration */
  double max_abs_offset_lsb; /* largest fitted |offset| */
  double max_abs_gain_err;   /* largest fitted |gain - 1| */
  int n_unfit;        /* ADCs with unclipped codes that do not determine a fit
                         (see above): kept at the identity */
  double max_se_offset_lsb; /* largest standard error of a fitted offset, from
                               rounding alone (LSB; 0 if none fitted) */
  double max_se_gain;       /* the same for the gain, relative */
} cim_cal_report;

/** Calibrate every ADC whose columns hold outputs 0..n_out-1 of W.
 * W is the n_out x k weight matrix the array holds (row-major, y = W x), as
 * the firmware programmed it. Uses rows 0..min(k, max(largest ideal-fit row
 * group, min(CIM_CAL_MIN_ROWS, P_MAX)))-1 and n_patterns wordline patterns
 * drawn from seed. Leaves the macro configured for the calibration job: call
 * cim_configure() again.
 * @return CIM_OK (at least one ADC fitted or refused), CIM_ENODATA (no ADC had
 * the unclipped codes to determine a fit: every ADC kept the identity, rep
 * says how many codes clipped and how many ADCs had codes that fit nothing),
 * CIM_EINVAL (nothing written) or any driver error */
CIM_WARN_UNUSED_RESULT int cim_calibrate_adcs(cim_dev *dev, const int32_t *W, int n_out, int k,
                                              int n_patterns, uint32_t seed,
                                              cim_cal_report *rep /* OUT, may be NULL */);

#ifdef __cplusplus
}
#endif
#endif

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
 * An ADC needs at least 3 unclipped codes (neither 0 nor full scale) to be
 * fitted; one with fewer keeps the identity. When no ADC can be fitted at
 * all, the routine returns CIM_ENODATA: a 1-bit ADC never gives an
 * unclipped code (its only codes are 0 and full scale), and weights whose
 * column sums all clip have the same effect. */
#ifndef CIM_CALIB_H
#define CIM_CALIB_H

#include <stdint.h>

#include "cim_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

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
} cim_cal_report;

/** Calibrate every ADC whose columns hold outputs 0..n_out-1 of W.
 * W is the n_out x k weight matrix the array holds (row-major, y = W x), as
 * the firmware programmed it. Uses rows 0..min(k, largest ideal-fit row
 * group)-1 and n_patterns wordline patterns drawn from seed. Leaves the
 * macro configured for the calibration job: call cim_configure() again.
 * @return CIM_OK (at least one ADC fitted or refused), CIM_ENODATA (no ADC had
 * the unclipped codes to fit: every ADC kept the identity, rep says how many
 * codes clipped), CIM_EINVAL (nothing written) or any driver error */
CIM_WARN_UNUSED_RESULT int cim_calibrate_adcs(cim_dev *dev, const int32_t *W, int n_out, int k,
                                              int n_patterns, uint32_t seed,
                                              cim_cal_report *rep /* OUT, may be NULL */);

#ifdef __cplusplus
}
#endif
#endif

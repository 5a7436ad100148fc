/* cim_driver.h: firmware driver of the RRAM CIM macro over the mmio HAL.
 *
 * The driver discovers the macro from its ID and build-parameter registers
 * and adapts to them; it assumes nothing about the build. */
#ifndef CIM_DRIVER_H
#define CIM_DRIVER_H

#include <stdint.h>

#include "cim_job.h"
#include "mmio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes; each states what happened to the hardware. */
#define CIM_STATUS_MAP(X)                                                           \
  X(CIM_OK, 0, "success")                                                           \
  X(CIM_EINVAL, 1, "invalid argument (no hardware access was made)")                \
  X(CIM_EBUSY, 2, "macro busy (no hardware state was changed)")                     \
  X(CIM_ETIMEOUT, 3, "timed out waiting for the macro")                             \
  X(CIM_EBUS, 4, "bus error: the macro answered PSLVERR")                           \
  X(CIM_EHW, 5, "the macro reported an error in STATUS.ERR_CODE")                   \
  X(CIM_ENODEV, 6, "no CIM macro at this address (ID mismatch)")                    \
  X(CIM_ENOMEM, 7, "out of memory")                                                 \
  X(CIM_ENODATA, 8, "nothing to fit: too few unclipped calibration codes (ADC_CAL kept)")

enum cim_status {
#define CIM_STATUS_ENUM(name, value, text) name = value,
  CIM_STATUS_MAP(CIM_STATUS_ENUM)
#undef CIM_STATUS_ENUM
};

typedef struct cim_dev cim_dev; /* opaque */

/* Status results must be looked at. */
#if defined(__GNUC__)
#define CIM_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define CIM_WARN_UNUSED_RESULT
#endif

/* What the macro says it is (its read-only registers). */
typedef struct cim_info {
  uint32_t version;  /* MAJOR << 16 | MINOR */
  int rows, cols;
  int w_bits, cell_bits, x_bits, adc_bits;
  int cols_per_adc, p_max;
  int n_out;         /* logical outputs */
  int acc_bits;
} cim_info;

typedef enum cim_wait_mode {
  CIM_WAIT_POLL = 0, /* poll STATUS */
  CIM_WAIT_IRQ = 1,  /* enable the done/error interrupts and wait for the line */
} cim_wait_mode;

/** Probe the macro on bus and read its build parameters.
 * @param[out] out new handle, NULL on error
 * @return CIM_OK, CIM_ENODEV, CIM_EBUS, CIM_ENOMEM */
CIM_WARN_UNUSED_RESULT int cim_open(mmio_bus *bus, cim_dev **out);
/** Release a handle; NULL is a no-op. No hardware access. */
void cim_close(cim_dev *dev);
/** Static text of a status code. */
const char *cim_strerror(int status);
/** Detail of the last error on dev (e.g. the FSM state at a timeout); owned by
 * dev, valid until the next call. */
const char *cim_errmsg(const cim_dev *dev);
const cim_info *cim_get_info(const cim_dev *dev);

/** Largest row group for which an ideal column sum fits the ADC:
 * min(P_MAX, floor((2^ADC_BITS - 1) / (2^CELL_BITS - 1))). */
int cim_max_group_rows(const cim_dev *dev);

/** Check job against the build and program the configuration registers.
 * group_rows 0 picks cim_max_group_rows(). @return CIM_EINVAL (nothing written),
 * CIM_EBUS, CIM_EBUSY */
CIM_WARN_UNUSED_RESULT int cim_configure(cim_dev *dev, const cim_job *job);
/** Set the ADC conversion time (ADC.CONV_CYCLES, 1..255 cycles; 4 after
 * reset). @return CIM_EINVAL (nothing written), CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_set_conv_cycles(cim_dev *dev, int cycles);
/** ADC conversion time in cycles as the driver programs it. */
int cim_get_conv_cycles(const cim_dev *dev);
/** The job as last configured, with group_rows resolved (what the twin needs). */
const cim_job *cim_get_job(const cim_dev *dev);
/** ADCs of the macro: ceil(cols / cols_per_adc). */
int cim_num_adcs(const cim_dev *dev);
/** Program ADC adc's calibration (ADC_CAL window); the job's adc_cal follows.
 * @return CIM_EINVAL (nothing written), CIM_EBUS (busy) */
CIM_WARN_UNUSED_RESULT int cim_set_adc_cal(cim_dev *dev, int adc, const cim_adc_cal *cal);

/** Program ROW_EN and COL_EN (while idle): bit i of word i/32 enables row
 * (column) i; NULL enables every line. A disabled row is never selected nor
 * driven; a disabled column's code enters the shift-and-add as 0. The job
 * (cim_get_job) carries the masks for the twin. @return CIM_OK, CIM_EBUSY,
 * CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_set_line_enables(cim_dev *dev, const uint32_t *row_en,
                                                const uint32_t *col_en);
/** 1 if row (column) i is enabled in ROW_EN (COL_EN) as last programmed,
 * 0 if it is disabled or out of range. */
int cim_row_enabled(const cim_dev *dev, int row);
int cim_col_enabled(const cim_dev *dev, int col);
/** Encode an ADC's fitted error, code = offset_lsb + gain * ideal, as the
 * ADC_CAL word that undoes it: offset_q4 = round(16 * offset_lsb) and
 * gain_q14 = round(2^14 / gain). Pure: no hardware access, no state.
 * What the fields cannot hold is refused, never clamped or wrapped: a clamped
 * correction would leave the ADC wrong while looking calibrated. Accepted:
 * offset_q4 in -2048..2047 (ADC_CAL.OFFSET, 12 bits signed; offset_lsb about
 * -128.03..127.97) and gain_q14 in 1..65535 (ADC_CAL.GAIN, 16 bits; gain above
 * 2^14 / 65535.5, so a gain of exactly 0.25, which needs 65536, is refused).
 * @return CIM_OK, or CIM_EINVAL (cal untouched) for a value out of range, a
 * gain <= 0, NaN or infinity, or a NULL cal */
int cim_adc_cal_encode(double offset_lsb, double gain, cim_adc_cal *cal /* OUT */);
/** cim_adc_cal_encode() then cim_set_adc_cal(): program ADC adc to undo the
 * fitted offset_lsb and gain. @return CIM_EINVAL (nothing written; cim_errmsg
 * names the ADC, the value and the field's range), CIM_EBUS */
CIM_WARN_UNUSED_RESULT int cim_set_adc_cal_fit(cim_dev *dev, int adc, double offset_lsb,
                                               double gain);
/** The calibration of ADC adc as programmed. @return CIM_EINVAL for a bad adc */
int cim_get_adc_cal(const cim_dev *dev, int adc, cim_adc_cal *cal /* OUT */);
/** Read the raw codes of physical columns first..first+n-1 from the last
 * conversion of each (CODES window). @return CIM_EINVAL, CIM_EBUS (busy) */
CIM_WARN_UNUSED_RESULT int cim_read_codes(cim_dev *dev, int first, int n, int32_t *codes /* OUT */);
/** Write n inputs (each must fit the configured x_bits and signedness) to
 * the input buffer. @return CIM_EINVAL (nothing written), CIM_EBUS (busy) */
CIM_WARN_UNUSED_RESULT int cim_load_inputs(cim_dev *dev, const int32_t *x, int n);
/** Start one MVM. @return CIM_EBUSY if running, CIM_EHW if the macro refused
 * the configuration (reason in cim_errmsg) */
CIM_WARN_UNUSED_RESULT int cim_start(cim_dev *dev);
/** Wait for the MVM to finish, at most timeout_cycles clock cycles.
 * @return CIM_ETIMEOUT with the FSM state in cim_errmsg, CIM_EHW */
CIM_WARN_UNUSED_RESULT int cim_wait(cim_dev *dev, cim_wait_mode mode, uint32_t timeout_cycles);
/** A generous bound, in clock cycles, on one MVM of the configured job
 * (4x its sequence length), for cim_wait's timeout: a timeout then means a
 * hung controller, not a slow one. 0 if no job is configured. */
uint32_t cim_wait_budget(const cim_dev *dev);
/** Read n outputs of the last MVM. */
CIM_WARN_UNUSED_RESULT int cim_read_outputs(cim_dev *dev, int32_t *y, int n);
/** Configure, load, start, wait (polling) and read: one whole MVM. */
CIM_WARN_UNUSED_RESULT int cim_mvm(cim_dev *dev, const cim_job *job, const int32_t *x, int32_t *y);
/** The bus dev was opened on, for routines built on the driver that reach
 * registers it has no call for (cim_program.c). No hardware access. */
mmio_bus *cim_get_bus(const cim_dev *dev);
/** DUT cycles of the last MVM (CYCLES register). */
CIM_WARN_UNUSED_RESULT int cim_last_cycles(cim_dev *dev, uint32_t *cycles /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

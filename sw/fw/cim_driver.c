/* cim_driver.c: firmware driver of the RRAM CIM macro (cim_driver.h).
 *
 * Written as firmware: it knows the macro only through the generated register
 * map (offsets in cim_reg_enums.h, field masks in cim_regs.h) and the build
 * parameters the macro reports; every hardware access is an mmio_* call.
 * Arguments are checked before the first access, so CIM_EINVAL always means
 * that nothing was written. */
#include "cim_driver.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_fields.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"

/* Register access by name: the name goes into error messages. */
#define REG_READ(dev, REG, out) reg_read((dev), CIM_REGS_##REG##_OFFSET, #REG, (out))
#define REG_WRITE(dev, REG, v) reg_write((dev), CIM_REGS_##REG##_OFFSET, #REG, (v))

/* Propagate a non-OK status. */
#define RETURN_IF_ERROR(expr)  \
  do {                         \
    int rc_ = (expr);          \
    if (rc_ != CIM_OK) return rc_; \
  } while (0)

/* Inputs per INBUF word (one per byte) and the width of one. */
#define INPUTS_PER_WORD 4
#define INPUT_FIELD_BITS 8
/* ADC conversion time after reset (ADC.CONV_CYCLES). */
#define DEFAULT_CONV_CYCLES ((int)CIM_REGS__ADC__CONV_CYCLES_reset)

struct cim_dev {
  mmio_bus *bus;
  cim_info info;
  cim_job job;     /* as last configured, group_rows resolved */
  int configured;  /* job is valid */
  int conv_cycles; /* ADC.CONV_CYCLES programmed by cim_configure */
  int n_adc;        /* ceil(cols / cols_per_adc) */
  cim_adc_cal *cal; /* ADC_CAL as programmed, n_adc entries; the job points here */
  /* ROW_EN and COL_EN as programmed (whole words); the job points here
   * unless every line is enabled */
  uint32_t *en[2];
  int en_words[2];
  int en_all[2];
  char errmsg[256];
};

static const char *const k_state_names[] = CIM_STATE_NAMES;
static const char *const k_err_names[] = CIM_ERR_NAMES;

static const char *state_name(uint32_t s) {
  return s < sizeof k_state_names / sizeof k_state_names[0] ? k_state_names[s] : "(unknown)";
}

static const char *err_name(uint32_t e) {
  return e < sizeof k_err_names / sizeof k_err_names[0] ? k_err_names[e] : "(unknown)";
}

/* Record the detail of an error on dev and return status. */
static int fail(cim_dev *dev, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(cim_dev *dev, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dev->errmsg, sizeof dev->errmsg, fmt, ap);
  va_end(ap);
  return status;
}

static int bus_status(cim_dev *dev, int mmio_rc, const char *what, const char *reg, uint32_t off) {
  switch (mmio_rc) {
    case MMIO_OK:
      return CIM_OK;
    case MMIO_SLVERR:
      return fail(dev, CIM_EBUS, "PSLVERR on %s of %s (0x%04x)", what, reg, (unsigned)off);
    default:
      return fail(dev, CIM_ETIMEOUT, "bus timeout (platform cycle budget spent) on %s of %s (0x%04x)",
                  what, reg, (unsigned)off);
  }
}

static int reg_read(cim_dev *dev, uint32_t off, const char *reg, uint32_t *v) {
  return bus_status(dev, mmio_read32(dev->bus, off, v), "read", reg, off);
}

static int reg_write(cim_dev *dev, uint32_t off, const char *reg, uint32_t v) {
  return bus_status(dev, mmio_write32(dev->bus, off, v), "write", reg, off);
}

/* An argument outside lo..hi: name it and the range. */
static int check_range(cim_dev *dev, const char *name, long v, long lo, long hi, const char *why) {
  if (v >= lo && v <= hi) return CIM_OK;
  return fail(dev, CIM_EINVAL, "%s = %ld is outside %ld..%ld (%s)", name, v, lo, hi, why);
}

static int min_int(int a, int b) { return a < b ? a : b; }

/* ------------------------------------------------------------------ probe */

int cim_open(mmio_bus *bus, cim_dev **out) {
  *out = NULL;
  cim_dev *dev = calloc(1, sizeof *dev);
  if (!dev) return CIM_ENOMEM;
  dev->bus = bus;
  dev->conv_cycles = DEFAULT_CONV_CYCLES;
  uint32_t id, ver, arr, bits, adc, outp;
  int rc = REG_READ(dev, ID, &id);
  if (rc == CIM_OK && id != (uint32_t)CIM_REGS__ID__MAGIC_reset) {
    /* No detail can survive the free below; say it where firmware would. */
    fprintf(stderr, "cim_open: ID reads 0x%08x, expected 0x%08x\n", (unsigned)id,
            (unsigned)CIM_REGS__ID__MAGIC_reset);
    rc = CIM_ENODEV;
  }
  if (rc == CIM_OK) rc = REG_READ(dev, VERSION, &ver);
  if (rc == CIM_OK && FIELD_GET(ver, VERSION, MAJOR) != CIM_REGS__VERSION__MAJOR_reset) {
    fprintf(stderr, "cim_open: VERSION.MAJOR is %u, this driver knows %u\n",
            (unsigned)FIELD_GET(ver, VERSION, MAJOR), (unsigned)CIM_REGS__VERSION__MAJOR_reset);
    rc = CIM_ENODEV;
  }
  if (rc == CIM_OK) rc = REG_READ(dev, PARAM_ARRAY, &arr);
  if (rc == CIM_OK) rc = REG_READ(dev, PARAM_BITS, &bits);
  if (rc == CIM_OK) rc = REG_READ(dev, PARAM_ADC, &adc);
  if (rc == CIM_OK) rc = REG_READ(dev, PARAM_OUT, &outp);
  if (rc != CIM_OK) {
    if (rc != CIM_ENODEV) fprintf(stderr, "cim_open: %s\n", dev->errmsg);
    free(dev);
    return rc;
  }
  cim_info *in = &dev->info;
  in->version = ver;
  in->rows = (int)FIELD_GET(arr, PARAM_ARRAY, ROWS);
  in->cols = (int)FIELD_GET(arr, PARAM_ARRAY, COLS);
  in->w_bits = (int)FIELD_GET(bits, PARAM_BITS, W_BITS);
  in->cell_bits = (int)FIELD_GET(bits, PARAM_BITS, CELL_BITS);
  in->x_bits = (int)FIELD_GET(bits, PARAM_BITS, X_BITS);
  in->adc_bits = (int)FIELD_GET(bits, PARAM_BITS, ADC_BITS);
  in->cols_per_adc = (int)FIELD_GET(adc, PARAM_ADC, COLS_PER_ADC);
  in->p_max = (int)FIELD_GET(adc, PARAM_ADC, P_MAX);
  in->n_out = (int)FIELD_GET(outp, PARAM_OUT, N_OUT);
  in->acc_bits = (int)FIELD_GET(outp, PARAM_OUT, ACC_BITS);
  if (in->rows < 1 || in->n_out < 1 || in->x_bits < 1 || in->p_max < 1 || in->cell_bits < 1 ||
      in->adc_bits < 1 || in->cols_per_adc < 1) {
    fprintf(stderr, "cim_open: implausible build parameters (rows %d, n_out %d, x_bits %d, "
            "p_max %d, cell_bits %d, adc_bits %d, cols_per_adc %d)\n", in->rows, in->n_out,
            in->x_bits, in->p_max, in->cell_bits, in->adc_bits, in->cols_per_adc);
    free(dev);
    return CIM_ENODEV;
  }
  /* The calibration table as the macro holds it (reset leaves the identity;
   * an earlier program may have changed it). */
  dev->n_adc = (in->cols + in->cols_per_adc - 1) / in->cols_per_adc;
  dev->cal = calloc((size_t)dev->n_adc, sizeof *dev->cal);
  if (!dev->cal) {
    free(dev);
    return CIM_ENOMEM;
  }
  for (int a = 0; a < dev->n_adc && rc == CIM_OK; a++) {
    uint32_t w = 0;
    rc = reg_read(dev, CIM_REGS_ADC_CAL_BASE + 4u * (uint32_t)a, "ADC_CAL", &w);
    dev->cal[a].offset_q4 = (int16_t)((int32_t)(FIELD_GET(w, ADC_CAL__CAL, OFFSET) << 20) >> 20);
    dev->cal[a].gain_q14 = (uint16_t)FIELD_GET(w, ADC_CAL__CAL, GAIN);
  }
  /* The line enables as the macro holds them (reset: all on). */
  for (int k = 0; k < 2 && rc == CIM_OK; k++) {
    const int lines = k ? in->cols : in->rows;
    dev->en_words[k] = (lines + 31) / 32;
    dev->en[k] = calloc((size_t)dev->en_words[k], sizeof *dev->en[k]);
    if (!dev->en[k]) rc = CIM_ENOMEM;
    const uint32_t base = k ? CIM_REGS_COL_EN_BASE : CIM_REGS_ROW_EN_BASE;
    for (int w = 0; w < dev->en_words[k] && rc == CIM_OK; w++)
      rc = reg_read(dev, base + 4u * (uint32_t)w, k ? "COL_EN" : "ROW_EN", &dev->en[k][w]);
    int all = 1;
    for (int i = 0; rc == CIM_OK && i < lines; i++) all &= cim_line_enabled(dev->en[k], i);
    dev->en_all[k] = all;
  }
  if (rc != CIM_OK) {
    fprintf(stderr, "cim_open: %s\n", dev->errmsg[0] ? dev->errmsg : cim_strerror(rc));
    cim_close(dev);
    return rc;
  }
  *out = dev;
  return CIM_OK;
}

void cim_close(cim_dev *dev) {
  if (!dev) return;
  free(dev->cal);
  free(dev->en[0]);
  free(dev->en[1]);
  free(dev);
}

const char *cim_strerror(int status) {
  switch (status) {
#define CIM_STATUS_TEXT(name, value, text) \
  case value:                              \
    return text;
    CIM_STATUS_MAP(CIM_STATUS_TEXT)
#undef CIM_STATUS_TEXT
    default:
      return "unknown status";
  }
}

const char *cim_errmsg(const cim_dev *dev) { return dev ? dev->errmsg : "no device"; }

const cim_info *cim_get_info(const cim_dev *dev) { return &dev->info; }

mmio_bus *cim_get_bus(const cim_dev *dev) { return dev->bus; }

int cim_max_group_rows(const cim_dev *dev) {
  const cim_info *in = &dev->info;
  long full = (1L << in->adc_bits) - 1;
  long level = (1L << in->cell_bits) - 1;
  long p = full / level;
  if (p > in->p_max) p = in->p_max;
  return p < 1 ? 1 : (int)p;
}

int cim_get_conv_cycles(const cim_dev *dev) { return dev->conv_cycles; }

int cim_set_conv_cycles(cim_dev *dev, int cycles) {
  dev->errmsg[0] = '\0';
  RETURN_IF_ERROR(check_range(dev, "conv_cycles", cycles, 1, (long)FIELD_MAX(ADC, CONV_CYCLES),
                              "ADC.CONV_CYCLES"));
  RETURN_IF_ERROR(REG_WRITE(dev, ADC, FIELD_PREP(ADC, CONV_CYCLES, cycles)));
  dev->conv_cycles = cycles; /* cim_configure programs it again with each job */
  return CIM_OK;
}

/* ---------------------------------------------------------- configuration */

/* Inputs the input window holds for this build. */
static int max_inputs(const cim_dev *dev) {
  return min_int(dev->info.rows, (int)CIM_REGS_INBUF_WORDS * INPUTS_PER_WORD);
}

/* Check job against the build; resolve group_rows into *r. */
static int validate_job(cim_dev *dev, const cim_job *job, cim_job *r) {
  const cim_info *in = &dev->info;
  if (!job) return fail(dev, CIM_EINVAL, "job is NULL");
  *r = *job;
  RETURN_IF_ERROR(check_range(dev, "job.n_rows", job->n_rows, 1, max_inputs(dev),
                              "PARAM_ARRAY.ROWS"));
  RETURN_IF_ERROR(check_range(dev, "job.n_outs", job->n_outs, 1,
                              min_int(in->n_out, (int)CIM_REGS_OUTBUF_WORDS), "PARAM_OUT.N_OUT"));
  RETURN_IF_ERROR(check_range(dev, "job.x_bits", job->x_bits, 1,
                              min_int(in->x_bits, INPUT_FIELD_BITS), "PARAM_BITS.X_BITS"));
  RETURN_IF_ERROR(check_range(dev, "job.is_signed", job->is_signed, 0, 1, "a flag"));
  RETURN_IF_ERROR(check_range(dev, "job.group_rows", job->group_rows, 0,
                              min_int(in->p_max, (int)FIELD_MAX(INPUT, GROUP_ROWS)),
                              "0 = auto, else PARAM_ADC.P_MAX"));
  RETURN_IF_ERROR(check_range(dev, "job.relu", job->relu, 0, 1, "a flag"));
  RETURN_IF_ERROR(check_range(dev, "job.shift", job->shift, 0, (long)FIELD_MAX(OUTPUT, SHIFT),
                              "OUTPUT.SHIFT"));
  RETURN_IF_ERROR(check_range(dev, "job.out_bits", job->out_bits, 2, 32, "OUTPUT.OUT_BITS"));
  if (r->group_rows == 0) r->group_rows = min_int(cim_max_group_rows(dev), job->n_rows);
  return CIM_OK;
}

/* CIM_EBUSY (nothing changed) if an MVM is running. */
static int check_idle(cim_dev *dev, uint32_t *status) {
  RETURN_IF_ERROR(REG_READ(dev, STATUS, status));
  if (FIELD_GET(*status, STATUS, BUSY)) {
    return fail(dev, CIM_EBUSY, "macro busy, STATUS.STATE=%s",
                state_name(FIELD_GET(*status, STATUS, STATE)));
  }
  return CIM_OK;
}

int cim_configure(cim_dev *dev, const cim_job *job) {
  dev->errmsg[0] = '\0';
  cim_job r = {0}; /* validate_job fills it; zeroed for the analyzer */
  uint32_t status;
  RETURN_IF_ERROR(validate_job(dev, job, &r));
  RETURN_IF_ERROR(check_idle(dev, &status));
  dev->configured = 0;
  RETURN_IF_ERROR(REG_WRITE(dev, SHAPE, FIELD_PREP(SHAPE, N_ROWS, r.n_rows) |
                                            FIELD_PREP(SHAPE, N_OUTS, r.n_outs)));
  RETURN_IF_ERROR(REG_WRITE(dev, INPUT, FIELD_PREP(INPUT, X_BITS, r.x_bits) |
                                            FIELD_PREP(INPUT, SIGNED, r.is_signed) |
                                            FIELD_PREP(INPUT, GROUP_ROWS, r.group_rows)));
  RETURN_IF_ERROR(REG_WRITE(dev, ADC, FIELD_PREP(ADC, CONV_CYCLES, dev->conv_cycles)));
  RETURN_IF_ERROR(REG_WRITE(dev, OUTPUT, FIELD_PREP(OUTPUT, RELU, r.relu) |
                                             FIELD_PREP(OUTPUT, SHIFT, r.shift) |
                                             FIELD_PREP(OUTPUT, OUT_BITS, r.out_bits)));
  r.adc_cal = dev->cal;
  r.row_en = dev->en_all[0] ? NULL : dev->en[0];
  r.col_en = dev->en_all[1] ? NULL : dev->en[1];
  dev->job = r;
  dev->configured = 1;
  return CIM_OK;
}

const cim_job *cim_get_job(const cim_dev *dev) { return dev->configured ? &dev->job : NULL; }

int cim_row_enabled(const cim_dev *dev, int row) {
  return row >= 0 && row < dev->info.rows && cim_line_enabled(dev->en[0], row);
}
int cim_col_enabled(const cim_dev *dev, int col) {
  return col >= 0 && col < dev->info.cols && cim_line_enabled(dev->en[1], col);
}

/* ------------------------------------------------------------ line enables */

int cim_set_line_enables(cim_dev *dev, const uint32_t *row_en, const uint32_t *col_en) {
  dev->errmsg[0] = '\0';
  uint32_t status;
  RETURN_IF_ERROR(check_idle(dev, &status));
  for (int k = 0; k < 2; k++) {
    const uint32_t *m = k ? col_en : row_en;
    const int lines = k ? dev->info.cols : dev->info.rows;
    const uint32_t base = k ? CIM_REGS_COL_EN_BASE : CIM_REGS_ROW_EN_BASE;
    int all = 1;
    for (int w = 0; w < dev->en_words[k]; w++) {
      /* bits past the last line are written 0, as the macro keeps them */
      const int n = lines - 32 * w < 32 ? lines - 32 * w : 32;
      const uint32_t valid = n == 32 ? UINT32_MAX : (UINT32_C(1) << n) - 1u;
      const uint32_t v = (m ? m[w] : UINT32_MAX) & valid;
      all &= v == valid;
      RETURN_IF_ERROR(reg_write(dev, base + 4u * (uint32_t)w, k ? "COL_EN" : "ROW_EN", v));
      dev->en[k][w] = v;
    }
    dev->en_all[k] = all;
  }
  dev->job.row_en = dev->en_all[0] ? NULL : dev->en[0];
  dev->job.col_en = dev->en_all[1] ? NULL : dev->en[1];
  return CIM_OK;
}

/* ------------------------------------------------------------ calibration */

int cim_num_adcs(const cim_dev *dev) { return dev->n_adc; }

int cim_set_adc_cal(cim_dev *dev, int adc, const cim_adc_cal *cal) {
  dev->errmsg[0] = '\0';
  if (!cal) return fail(dev, CIM_EINVAL, "cal is NULL");
  RETURN_IF_ERROR(check_range(dev, "adc", adc, 0, dev->n_adc - 1, "ADCs of this macro"));
  const long off_max = (long)(FIELD_MAX(ADC_CAL__CAL, OFFSET) >> 1);
  RETURN_IF_ERROR(check_range(dev, "cal.offset_q4", cal->offset_q4, -off_max - 1, off_max,
                              "ADC_CAL.OFFSET, 1/16 LSB"));
  uint32_t w = FIELD_PREP(ADC_CAL__CAL, OFFSET, (uint32_t)(int32_t)cal->offset_q4) |
               FIELD_PREP(ADC_CAL__CAL, GAIN, cal->gain_q14);
  RETURN_IF_ERROR(reg_write(dev, CIM_REGS_ADC_CAL_BASE + 4u * (uint32_t)adc, "ADC_CAL", w));
  dev->cal[adc] = *cal;
  return CIM_OK;
}

/* cim_adc_cal_encode(); why (may be NULL) gets the reason of a refusal. The
 * bounds on the doubles come first so that lround never sees a value it
 * cannot represent. */
static int adc_cal_encode(double offset_lsb, double gain, cim_adc_cal *cal, char *why,
                          size_t why_len) {
  const long off_max = (long)(FIELD_MAX(ADC_CAL__CAL, OFFSET) >> 1);
  const long gain_max = (long)FIELD_MAX(ADC_CAL__CAL, GAIN);
  const double q4 = offset_lsb * 16.0;
  if (!cal) {
    if (why) snprintf(why, why_len, "cal is NULL");
    return CIM_EINVAL;
  }
  if (!isfinite(q4) || fabs(q4) > (double)off_max + 1.0 ||
      lround(q4) < -off_max - 1 || lround(q4) > off_max) {
    if (why)
      snprintf(why, why_len,
               "offset %.6g LSB needs ADC_CAL.OFFSET = %.0f, outside %ld..%ld (1/16 LSB)",
               offset_lsb, round(q4), -off_max - 1, off_max);
    return CIM_EINVAL;
  }
  const double q14 = isfinite(gain) && gain > 0.0 ? 16384.0 / gain : NAN;
  if (!isfinite(q14) || q14 > (double)gain_max + 1.0 || lround(q14) < 1 ||
      lround(q14) > gain_max) {
    if (why)
      snprintf(why, why_len,
               "gain %.6g needs ADC_CAL.GAIN = %.0f, outside 1..%ld (1.0 = 0x4000): "
               "correctable gains are %.6g..%.6g",
               gain, round(q14), gain_max, 16384.0 / ((double)gain_max + 0.5), 16384.0 / 0.5);
    return CIM_EINVAL;
  }
  cal->offset_q4 = (int16_t)lround(q4);
  cal->gain_q14 = (uint16_t)lround(q14);
  return CIM_OK;
}

int cim_adc_cal_encode(double offset_lsb, double gain, cim_adc_cal *cal) {
  return adc_cal_encode(offset_lsb, gain, cal, NULL, 0);
}

int cim_set_adc_cal_fit(cim_dev *dev, int adc, double offset_lsb, double gain) {
  dev->errmsg[0] = '\0';
  RETURN_IF_ERROR(check_range(dev, "adc", adc, 0, dev->n_adc - 1, "ADCs of this macro"));
  cim_adc_cal cal;
  char why[192];
  if (adc_cal_encode(offset_lsb, gain, &cal, why, sizeof why) != CIM_OK)
    return fail(dev, CIM_EINVAL, "ADC %d: %s", adc, why);
  return cim_set_adc_cal(dev, adc, &cal);
}

int cim_get_adc_cal(const cim_dev *dev, int adc, cim_adc_cal *cal) {
  if (!cal || adc < 0 || adc >= dev->n_adc) return CIM_EINVAL;
  *cal = dev->cal[adc];
  return CIM_OK;
}

int cim_read_codes(cim_dev *dev, int first, int n, int32_t *codes) {
  dev->errmsg[0] = '\0';
  if (!codes) return fail(dev, CIM_EINVAL, "codes is NULL");
  RETURN_IF_ERROR(check_range(dev, "first", first, 0, dev->info.cols - 1, "physical columns"));
  RETURN_IF_ERROR(check_range(dev, "n", n, 0, dev->info.cols - first, "physical columns"));
  for (int c = 0; c < n; c++) {
    uint32_t w = 0;
    RETURN_IF_ERROR(reg_read(dev, CIM_REGS_CODES_BASE + 4u * (uint32_t)(first + c), "CODES", &w));
    codes[c] = (int32_t)w;
  }
  return CIM_OK;
}

int cim_load_inputs(cim_dev *dev, const int32_t *x, int n) {
  dev->errmsg[0] = '\0';
  if (!dev->configured) return fail(dev, CIM_EINVAL, "no job configured (call cim_configure)");
  const cim_job *job = &dev->job;
  if (!x) return fail(dev, CIM_EINVAL, "x is NULL");
  RETURN_IF_ERROR(check_range(dev, "n", n, job->n_rows, max_inputs(dev),
                              "job.n_rows .. PARAM_ARRAY.ROWS inputs"));
  long lo = job->is_signed ? -(1L << (job->x_bits - 1)) : 0;
  long hi = job->is_signed ? (1L << (job->x_bits - 1)) - 1 : (1L << job->x_bits) - 1;
  for (int i = 0; i < n; ++i) {
    if (x[i] < lo || x[i] > hi) {
      return fail(dev, CIM_EINVAL, "x[%d] = %ld is outside %ld..%ld (%s %d-bit input)", i,
                  (long)x[i], lo, hi, job->is_signed ? "signed" : "unsigned", job->x_bits);
    }
  }
  uint32_t mask = (1u << job->x_bits) - 1u;
  for (int i = 0; i < n; i += INPUTS_PER_WORD) {
    uint32_t word = 0;
    for (int b = 0; b < INPUTS_PER_WORD && i + b < n; ++b) {
      word |= ((uint32_t)x[i + b] & mask) << (b * INPUT_FIELD_BITS);
    }
    RETURN_IF_ERROR(reg_write(dev, CIM_REGS_INBUF_BASE + (uint32_t)i, "INBUF", word));
  }
  return CIM_OK;
}

/* ------------------------------------------------------------- execution */

int cim_start(cim_dev *dev) {
  dev->errmsg[0] = '\0';
  uint32_t status;
  RETURN_IF_ERROR(check_idle(dev, &status));
  /* Forget interrupts of earlier MVMs, then start. */
  RETURN_IF_ERROR(REG_WRITE(dev, INTR_STATE, CIM_REGS__INTR_STATE__DONE_bm |
                                                 CIM_REGS__INTR_STATE__ERROR_bm));
  RETURN_IF_ERROR(REG_WRITE(dev, CTRL, FIELD_PREP(CTRL, START, 1)));
  RETURN_IF_ERROR(REG_READ(dev, STATUS, &status));
  if (FIELD_GET(status, STATUS, ERROR)) {
    return fail(dev, CIM_EHW, "the macro refused START: STATUS.ERR_CODE=%s",
                err_name(FIELD_GET(status, STATUS, ERR_CODE)));
  }
  return CIM_OK;
}

/* An MVM is over once the macro is idle with DONE or ERROR set. */
static int finished(uint32_t status) {
  return !FIELD_GET(status, STATUS, BUSY) &&
         (FIELD_GET(status, STATUS, DONE) || FIELD_GET(status, STATUS, ERROR));
}

static int check_result(cim_dev *dev, uint32_t status) {
  if (FIELD_GET(status, STATUS, ERROR)) {
    return fail(dev, CIM_EHW, "MVM ended with STATUS.ERR_CODE=%s",
                err_name(FIELD_GET(status, STATUS, ERR_CODE)));
  }
  return CIM_OK;
}

static int timeout(cim_dev *dev, uint64_t waited, const char *what) {
  uint32_t status;
  RETURN_IF_ERROR(REG_READ(dev, STATUS, &status));
  return fail(dev, CIM_ETIMEOUT, "timeout after %llu cycles waiting for %s; STATUS.STATE=%s",
              (unsigned long long)waited, what, state_name(FIELD_GET(status, STATUS, STATE)));
}

static int wait_poll(cim_dev *dev, uint32_t timeout_cycles) {
  uint64_t t0 = mmio_cycles(dev->bus);
  for (;;) {
    uint32_t status;
    RETURN_IF_ERROR(REG_READ(dev, STATUS, &status));
    if (finished(status)) return check_result(dev, status);
    uint64_t waited = mmio_cycles(dev->bus) - t0;
    if (waited >= timeout_cycles) return timeout(dev, waited, "DONE");
  }
}

static int wait_irq(cim_dev *dev, uint32_t timeout_cycles) {
  const uint32_t both = CIM_REGS__INTR_ENABLE__DONE_bm | CIM_REGS__INTR_ENABLE__ERROR_bm;
  uint64_t t0 = mmio_cycles(dev->bus);
  uint32_t status = 0;
  int rc = REG_WRITE(dev, INTR_ENABLE, both);
  while (rc == CIM_OK) {
    uint64_t waited = mmio_cycles(dev->bus) - t0;
    if (waited >= timeout_cycles) {
      rc = timeout(dev, waited, "the DONE/ERROR interrupt");
      break;
    }
    int hit = mmio_wait_irq(dev->bus, (uint32_t)(timeout_cycles - waited));
    uint32_t intr = 0;
    rc = REG_READ(dev, INTR_STATE, &intr);
    if (rc == CIM_OK && intr) rc = REG_WRITE(dev, INTR_STATE, intr); /* W1C */
    if (rc == CIM_OK) rc = REG_READ(dev, STATUS, &status);
    if (rc != CIM_OK) break;
    if (finished(status)) {
      rc = check_result(dev, status);
      break;
    }
    (void)hit; /* a stale or early interrupt: wait again with what is left */
  }
  int rc_off = REG_WRITE(dev, INTR_ENABLE, 0);
  return rc != CIM_OK ? rc : rc_off;
}

int cim_wait(cim_dev *dev, cim_wait_mode mode, uint32_t timeout_cycles) {
  dev->errmsg[0] = '\0';
  if (mode == CIM_WAIT_POLL) return wait_poll(dev, timeout_cycles);
  if (mode == CIM_WAIT_IRQ) return wait_irq(dev, timeout_cycles);
  return fail(dev, CIM_EINVAL, "mode = %d is not CIM_WAIT_POLL or CIM_WAIT_IRQ", (int)mode);
}

int cim_read_outputs(cim_dev *dev, int32_t *y, int n) {
  dev->errmsg[0] = '\0';
  if (!y) return fail(dev, CIM_EINVAL, "y is NULL");
  RETURN_IF_ERROR(check_range(dev, "n", n, 1, min_int(dev->info.n_out, (int)CIM_REGS_OUTBUF_WORDS),
                              "PARAM_OUT.N_OUT outputs"));
  for (int j = 0; j < n; ++j) {
    uint32_t v;
    RETURN_IF_ERROR(reg_read(dev, CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)j, "OUTBUF", &v));
    y[j] = (int32_t)v;
  }
  return CIM_OK;
}

/* A generous bound on the cycles of one MVM of job: every phase converts every
 * mux position with slack for the handshakes, times four. */
uint32_t cim_wait_budget(const cim_dev *dev) {
  const cim_job *job = &dev->job;
  if (!dev->configured) return 0;
  uint64_t groups = (uint64_t)(job->n_rows + job->group_rows - 1) / (uint64_t)job->group_rows;
  uint64_t phases = groups * (uint64_t)job->x_bits;
  uint64_t per_phase = (uint64_t)dev->info.cols_per_adc * ((uint64_t)dev->conv_cycles + 8) + 64;
  uint64_t budget = 4 * (phases * per_phase + (uint64_t)job->n_outs * 4) + 10000;
  return budget > UINT32_MAX ? UINT32_MAX : (uint32_t)budget;
}

int cim_mvm(cim_dev *dev, const cim_job *job, const int32_t *x, int32_t *y) {
  RETURN_IF_ERROR(cim_configure(dev, job));
  RETURN_IF_ERROR(cim_load_inputs(dev, x, dev->job.n_rows));
  RETURN_IF_ERROR(cim_start(dev));
  RETURN_IF_ERROR(cim_wait(dev, CIM_WAIT_POLL, cim_wait_budget(dev)));
  return cim_read_outputs(dev, y, dev->job.n_outs);
}

int cim_last_cycles(cim_dev *dev, uint32_t *cycles) {
  dev->errmsg[0] = '\0';
  *cycles = 0;
  RETURN_IF_ERROR(REG_READ(dev, CYCLES, cycles));
  return CIM_OK;
}

/* test_cal_encode.c: the ADC_CAL encoding of a fitted offset and gain.
 * A value the fields cannot hold must be refused, never wrapped (a gain of
 * 0.25 once became GAIN = 65536 = 0 in 16 bits) or clamped. The encoder is a
 * pure function, tested without co-simulation; one co-simulated test shows
 * that the driver writes nothing on a refusal and says why. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cim_driver.h"
#include "cim_reg_enums.h"
#include "cim_regs.h"
#include "cim_sim.h"
#include "rram_array.h"
#include "rram_device.h"
#include "suites.h"

/* Field limits from the generated register map, not a copy of them. */
#define GAIN_MAX ((long)(CIM_REGS__ADC_CAL__CAL__GAIN_bm >> CIM_REGS__ADC_CAL__CAL__GAIN_bp))
#define OFF_MAX ((long)(CIM_REGS__ADC_CAL__CAL__OFFSET_bm >> CIM_REGS__ADC_CAL__CAL__OFFSET_bp) >> 1)

/* A refusal leaves *cal as it was. */
static void refused(double offset_lsb, double gain) {
  cim_adc_cal cal = {123, 456};
  ck_assert_msg(cim_adc_cal_encode(offset_lsb, gain, &cal) == CIM_EINVAL,
                "offset %.17g, gain %.17g: accepted as offset_q4 %d, gain_q14 %u", offset_lsb, gain,
                cal.offset_q4, cal.gain_q14);
  ck_assert_int_eq(cal.offset_q4, 123);
  ck_assert_uint_eq(cal.gain_q14, 456);
}

static void accepted(double offset_lsb, double gain, long want_off, long want_gain) {
  cim_adc_cal cal = {0, 0};
  ck_assert_msg(cim_adc_cal_encode(offset_lsb, gain, &cal) == CIM_OK,
                "offset %.17g, gain %.17g refused", offset_lsb, gain);
  ck_assert_int_eq(cal.offset_q4, want_off);
  ck_assert_uint_eq(cal.gain_q14, (unsigned long)want_gain);
}

START_TEST(test_cal_encode_gain) {
  ck_assert_int_eq(GAIN_MAX, 65535); /* what the limits below assume */
  accepted(0.0, 1.0, 0, 0x4000);
  /* 0.25 needs 2^14 / 0.25 = 65536: one past the field, refused, not 0 */
  refused(0.0, 0.25);
  refused(0.0, 0.2);
  /* the smallest gain that rounds to 65535 */
  accepted(0.0, 16384.0 / 65535.49, 0, 65535);
  refused(0.0, 16384.0 / 65535.6);
  /* large gains: GAIN down to 1 (2^14 / 0.5 still rounds to 1), then 0 refused */
  accepted(0.0, 16384.0, 0, 1);
  accepted(0.0, 32767.0, 0, 1);
  refused(0.0, 32768.5);
  refused(0.0, 0.0);
  refused(0.0, -1.0);
  refused(0.0, NAN);
  refused(0.0, INFINITY);
}
END_TEST

START_TEST(test_cal_encode_offset) {
  ck_assert_int_eq(OFF_MAX, 2047);
  accepted(1.0, 1.0, 16, 0x4000);
  accepted(-1.5, 1.0, -24, 0x4000);
  /* the ends of OFFSET's 12 signed bits, in 1/16 LSB */
  accepted(2047.0 / 16, 1.0, 2047, 0x4000);
  accepted(-2048.0 / 16, 1.0, -2048, 0x4000);
  accepted(2047.49 / 16, 1.0, 2047, 0x4000);
  /* one step past either end was clamped silently; now refused */
  refused(2047.5 / 16, 1.0);
  refused(128.0, 1.0);
  refused(-2048.5 / 16, 1.0);
  refused(-129.0, 1.0);
  refused(1e300, 1.0);
  refused(NAN, 1.0);
  refused(-INFINITY, 1.0);
  ck_assert_int_eq(cim_adc_cal_encode(0.0, 1.0, NULL), CIM_EINVAL);
}
END_TEST

/* Co-simulated: a refused fit writes nothing and the message names it. */
typedef struct fit_ctx {
  int open_rc, fit_rc, good_rc;
  char msg[256];
  uint32_t word_after_refusal, word_after_fit;
} fit_ctx;

static int fw_fit(mmio_bus *bus, void *arg) {
  fit_ctx *c = arg;
  cim_dev *dev = NULL;
  c->open_rc = cim_open(bus, &dev);
  if (c->open_rc != CIM_OK) return 0;
  c->fit_rc = cim_set_adc_cal_fit(dev, 0, 0.0, 0.25);
  snprintf(c->msg, sizeof c->msg, "%s", cim_errmsg(dev));
  mmio_read32(bus, CIM_REGS_ADC_CAL_BASE, &c->word_after_refusal);
  c->good_rc = cim_set_adc_cal_fit(dev, 0, -1.0, 2.0);
  mmio_read32(bus, CIM_REGS_ADC_CAL_BASE, &c->word_after_fit);
  cim_close(dev);
  return 0;
}

START_TEST(test_cal_encode_driver) {
  rram_geometry geo;
  rram_device ideal;
  rram_array *a = NULL;
  cim_sim_geometry(&geo);
  rram_device_ideal(&ideal);
  ck_assert_int_eq(rram_array_create(&geo, &ideal, 1, &a), RRAM_OK);
  fit_ctx c = {0};
  cim_sim_opts opts = {.array = a};
  ck_assert_int_eq(cim_sim_run(&opts, fw_fit, &c, NULL), 0);
  rram_array_destroy(a);
  ck_assert_int_eq(c.open_rc, CIM_OK);
  ck_assert_int_eq(c.fit_rc, CIM_EINVAL);
  ck_assert_msg(strstr(c.msg, "ADC 0") && strstr(c.msg, "GAIN") && strstr(c.msg, "65536"),
                "message: %s", c.msg);
  /* reset value: OFFSET 0, GAIN 0x4000 (identity) */
  ck_assert_uint_eq(c.word_after_refusal, 0x4000u << CIM_REGS__ADC_CAL__CAL__GAIN_bp);
  ck_assert_int_eq(c.good_rc, CIM_OK);
  /* offset -1 LSB = -16 in 12 bits, gain 2 = 0x2000 */
  ck_assert_uint_eq(c.word_after_fit, (0x2000u << CIM_REGS__ADC_CAL__CAL__GAIN_bp) | 0xFF0u);
}
END_TEST

Suite *suite_cal_encode(void) {
  Suite *s = suite_create("cal_encode");
  suite_add_test(s, test_cal_encode_gain);
  suite_add_test(s, test_cal_encode_offset);
  suite_add_test(s, test_cal_encode_driver);
  return s;
}

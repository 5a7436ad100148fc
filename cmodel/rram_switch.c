/* rram_switch.c: cell switching under SET/RESET pulses and the verify
 * sense code (contract in rram_switch.h). */
#include "rram_switch.h"

#include <math.h>

int rram_switch_sense_bits(const rram_device *dev) {
  const int b = (int)dev->sense_bits;
  return b >= 1 && b <= RRAM_SENSE_BITS_MAX ? b : RRAM_SENSE_BITS_DEFAULT;
}

int rram_switch_code_max(const rram_device *dev) {
  return (1 << rram_switch_sense_bits(dev)) - 1;
}

int rram_switch_is_ideal(const rram_device *dev) {
  return !(dev->sw_rate_set > 0.0) && !(dev->sw_rate_reset > 0.0);
}

double rram_switch_vth_v(const rram_device *dev, int polarity) {
  if (polarity == RRAM_PULSE_SET)
    return dev->sw_vth_set_v > 0.0 ? dev->sw_vth_set_v : RRAM_SWITCH_VTH_SET_V;
  return dev->sw_vth_reset_v > 0.0 ? dev->sw_vth_reset_v : RRAM_SWITCH_VTH_RESET_V;
}

int rram_switch_sense_code(const rram_device *dev, double g_read_us) {
  const int cmax = rram_switch_code_max(dev);
  const double x = (g_read_us - dev->g_min_us) / (dev->g_max_us - dev->g_min_us) * cmax + 0.5;
  if (!(x >= 1.0)) return 0; /* also NaN */
  if (x >= (double)cmax) return cmax;
  return (int)floor(x);
}

double rram_switch_code_g_us(const rram_device *dev, int code) {
  return dev->g_min_us + (dev->g_max_us - dev->g_min_us) * code / rram_switch_code_max(dev);
}

int rram_switch_level_code(const rram_device *dev, int cell_bits, int level) {
  if (cell_bits < 1 || cell_bits > 4 || level < 0 || level >= (1 << cell_bits)) return -1;
  const int cmax = rram_switch_code_max(dev), lmax = (1 << cell_bits) - 1;
  return (level * cmax * 2 + lmax) / (2 * lmax); /* round half up, integers */
}

/* Ideal switching: whole sense codes, from the nearest code of g_us. */
static double apply_ideal(const rram_device *dev, double g_us, int polarity, int amplitude,
                          int width) {
  const long vth = lround(rram_switch_vth_v(dev, polarity) / RRAM_PULSE_V_PER_CODE);
  const long over = (long)amplitude - vth;
  if (over <= 0 || width <= 0) return g_us;
  /* one code per 100 mV (10 amplitude codes) over threshold, any width */
  const long n = (over + 9) / 10;
  const int cmax = rram_switch_code_max(dev);
  long code = rram_switch_sense_code(dev, g_us);
  code += polarity == RRAM_PULSE_SET ? n : -n;
  code = code < 0 ? 0 : code > cmax ? cmax : code;
  return rram_switch_code_g_us(dev, (int)code);
}

double rram_switch_apply(const rram_device *dev, double g_us, int polarity, int amplitude,
                         int width, double gain, double z) {
  if (rram_switch_is_ideal(dev)) return apply_ideal(dev, g_us, polarity, amplitude, width);
  const int set = polarity == RRAM_PULSE_SET;
  const double over = amplitude * RRAM_PULSE_V_PER_CODE - rram_switch_vth_v(dev, polarity);
  const double rate = set ? dev->sw_rate_set : dev->sw_rate_reset;
  if (!(over > 0.0) || width <= 0 || !(rate > 0.0)) return g_us;
  const double k = rate * over * (width * RRAM_PULSE_NS_PER_CODE / RRAM_SWITCH_T_REF_NS) * gain;
  double m = 1.0 + dev->sw_c2c * z;
  if (m < 0.0) m = 0.0;
  const double frac = -expm1(-k) * m; /* 1 - exp(-k), accurate for small k */
  if (set) {
    if (g_us >= dev->g_max_us) return g_us;
    const double g = g_us + (dev->g_max_us - g_us) * frac;
    return g > dev->g_max_us ? dev->g_max_us : g;
  }
  if (g_us <= dev->g_min_us) return g_us;
  const double g = g_us - (g_us - dev->g_min_us) * frac;
  return g < dev->g_min_us ? dev->g_min_us : g;
}

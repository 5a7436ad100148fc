/* rram_switch.h: how one RRAM cell's conductance answers a SET or RESET
 * pulse, and how the program/verify sense amplifier reads one cell. The
 * write-verify engine of the RTL reaches these through rram_array_pulse() and
 * rram_array_verify_read() (rram_array.h), behind the DPI calls
 * cim_dpi_cell_pulse / cim_dpi_cell_read. Pure functions of a device: the
 * random deviates come from the caller (the array's own streams).
 *
 * Pulse (write driver). Amplitude is a DAC code of RRAM_PULSE_V_PER_CODE
 * volts, width a count of RRAM_PULSE_NS_PER_CODE ns (one clock cycle of the
 * macro). Polarity RRAM_PULSE_SET raises the conductance, RRAM_PULSE_RESET
 * lowers it. Over = V - Vth of the polarity (sw_vth_set_v, sw_vth_reset_v);
 * a pulse at or below its threshold changes nothing.
 *
 * Switching model (sw_rate_set or sw_rate_reset > 0): nonlinear and
 * saturating, the change proportional to the distance to the rail it heads
 * for, with k = rate * over * (width_ns / 100 ns) * gain:
 *   SET:   G' = G + (g_max - G) * (1 - exp(-k)) * m
 *   RESET: G' = G - (G - g_min) * (1 - exp(-k)) * m     (only when G > g_min)
 *   m = max(0, 1 + sw_c2c * z), z ~ N(0, 1) drawn per pulse (cycle-to-cycle)
 * clipped to g_min..g_max. For small k the change is rate * over * width *
 * (Gmax - G) (SET) or (G - Gmin) (RESET): larger pulses move more, a cell near
 * a rail moves less towards it (the saturation seen in incremental-pulse
 * programming). SET and RESET have their own rate and threshold
 * (asymmetry). gain is the cell's device-to-device factor (d2d_sigma), 1
 * without it.
 *
 * Ideal switching (sw_rate_set = sw_rate_reset = 0, the ideal device):
 * deterministic and quantized on the sense grid: a pulse (width > 0) moves
 * the cell by exactly n whole sense codes towards its rail, n =
 * ceil(over_codes / 10) with over_codes = amplitude - round(Vth / 10 mV), so
 * one code per 100 mV over threshold whatever the width, and the cell lands
 * exactly on a sense code (clipped to 0..code_max). With the engine's incremental pulses
 * (a ramp that restarts at 1 code per pulse when the direction changes) every
 * target code is reached exactly, so a cell programmed with tolerance 0 sits
 * on its target code's conductance.
 *
 * Stuck cells (rram_array.h) never move, under either model.
 *
 * Sense code of a verify read of a cell of conductance G:
 *   code = clip(round((G_read - g_min) / (g_max - g_min) * code_max), 0, code_max)
 *   code_max = 2^sense_bits - 1, G_read = G * (1 + read_noise * z)
 * i.e. the read-noise magnitude of the MVM path (relative sigma of the cell's
 * read current), redrawn per read. 0 is g_min, code_max is g_max; level L of
 * a cell of cell_bits bits has the target code round(L * code_max /
 * (2^cell_bits - 1)) (rram_switch_level_code). The sense amplifier is not the
 * column ADC: ADC offset, gain, INL and noise and IR drop do not apply. */
#ifndef RRAM_SWITCH_H
#define RRAM_SWITCH_H

#include "rram_device.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rram_pulse_polarity {
  RRAM_PULSE_SET = 0,  /* conductance up, towards g_max */
  RRAM_PULSE_RESET = 1 /* conductance down, towards g_min */
};

#define RRAM_PULSE_V_PER_CODE 0.01  /* V per write-driver amplitude code */
#define RRAM_PULSE_NS_PER_CODE 10.0 /* ns per width code (one 100 MHz clock cycle) */
#define RRAM_SWITCH_T_REF_NS 100.0  /* pulse width the rates are given for */
#define RRAM_SWITCH_VTH_SET_V 0.9   /* SET threshold when sw_vth_set_v <= 0 */
#define RRAM_SWITCH_VTH_RESET_V 1.1 /* RESET threshold when sw_vth_reset_v <= 0 */
#define RRAM_SENSE_BITS_DEFAULT 8   /* sense code bits when sense_bits is 0 */
#define RRAM_SENSE_BITS_MAX 8       /* the RTL's WV_TARGET holds one byte per cell */

/* Sense code bits of dev: sense_bits, or RRAM_SENSE_BITS_DEFAULT for 0. */
int rram_switch_sense_bits(const rram_device *dev);
/* Largest sense code: 2^sense_bits - 1. */
int rram_switch_code_max(const rram_device *dev);
/* 1 when dev switches ideally (both rates 0), else 0. */
int rram_switch_is_ideal(const rram_device *dev);
/* Threshold of a polarity in volts (the device's, or the built-in default). */
double rram_switch_vth_v(const rram_device *dev, int polarity);

/* Conductance (uS) of a cell at g_us after one pulse; pure. polarity is an
 * rram_pulse_polarity, amplitude and width codes >= 0 (width 0 and
 * amplitudes at or below threshold change nothing). gain scales the rate
 * (device-to-device; 1 = nominal), z is the standard normal deviate of the
 * cycle-to-cycle spread (unused when sw_c2c is 0 or switching is ideal). */
double rram_switch_apply(const rram_device *dev, double g_us, int polarity, int amplitude,
                         int width, double gain, double z);

/* Sense code of a read conductance g_read_us (noise already applied). */
int rram_switch_sense_code(const rram_device *dev, double g_read_us);
/* Conductance at the centre of sense code code, uS. */
double rram_switch_code_g_us(const rram_device *dev, int code);
/* Target sense code of level of a cell of cell_bits bits (-1 if out of range). */
int rram_switch_level_code(const rram_device *dev, int cell_bits, int level);

#ifdef __cplusplus
}
#endif
#endif

/* rram_device.h: the device and ADC parameters of the analog model, their
 * presets, and the `key = value` file that names them.
 *
 * A device is a plain struct of numbers. Every effect is off when its
 * magnitude is 0, so a struct zero-filled after its first four fields is the
 * ideal device of those four, and rram_device_ideal() fills exactly that.
 * Each effect can be switched on alone (the presets named after the effects
 * do that) with the magnitude of the `default` preset, whose values and
 * their sources are listed in rram_device.c next to each number.
 *
 * Units: conductance uS, voltage V, current uA, resistance ohm, time s,
 * ADC quantities in LSB. "Relative" means a fraction (0.01 = 1 %).
 *
 * The file format (cmodel/devices/example.dev is a commented example):
 *
 *   # comment to the end of the line; blank lines are ignored
 *   preset = default        # optional, first key only: start from a preset
 *   read_noise = 0.02       # every other line: one key, one value
 *
 * A UTF-8 byte-order mark at the start is skipped. Numbers are decimal
 * (rram_num.h: no hex, no inf/nan, no spaces inside a value).
 * Keys are the field names below. A file starts from the ideal device (or
 * from its `preset`), each line overrides one field, a key may appear once.
 * An unknown key, a value that is not a number (or not a model name for
 * prog_model), or a value out of the key's range is an error naming the
 * file, the line and the key; the device is then left unchanged. */
#ifndef RRAM_DEVICE_H
#define RRAM_DEVICE_H

#include <stddef.h>
#include <stdio.h>

#include "rram_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an undriven row is in a drive (row_model); matters only with IR
 * drop (with ideal wires both give the same currents). */
typedef enum rram_row_model {
  /* 1T1R, access transistor off: the row's cells carry no current; the
   * drive's rows are its driven rows only. */
  RRAM_ROWS_ISOLATED = 0,
  /* Every row the drive selects (the row group: its access transistors on)
   * is connected, and its driver holds an undriven (0-input) row at 0 V, so
   * sneak currents flow through it. The group is then a linear resistor
   * network: its column currents are a fixed matrix times the row drives. */
  RRAM_ROWS_CONNECTED = 1
} rram_row_model;

/* How the programmed conductance departs from its target (prog_model). */
typedef enum rram_prog_model {
  RRAM_PROG_NONE = 0,         /* exact: realised G = target G */
  RRAM_PROG_NEURRAM = 1,      /* sigma(G) of CrossSim's RRAM_Wan fit, times prog_sigma */
  RRAM_PROG_PROPORTIONAL = 2, /* sigma = prog_sigma * G_target */
  RRAM_PROG_ABSOLUTE = 3      /* sigma = prog_sigma uS, whatever the level */
} rram_prog_model;

/* Device and ADC settings. The first four fields are the ideal device's;
 * the rest default to 0 = effect off. Keep new fields zero-means-off. */
typedef struct rram_device {
  /* Conductance window and read. Level L of a cell of cell_bits bits has
   * target G = g_min_us + L * (g_max_us - g_min_us) / (2^cell_bits - 1). */
  double g_max_us;   /* conductance of the highest level, uS */
  double g_min_us;   /* conductance of level 0, uS */
  double v_read;     /* read voltage on a driven wordline, V */
  double adc_lsb_ua; /* current of one ADC LSB, uA; <= 0 means one unit level
                        (v_read * (g_max_us - g_min_us) / (2^cell_bits - 1)) */

  /* Programming (rram_array_set_level and cim_map_load): the realised
   * conductance is drawn once per write and kept until the next write. */
  int prog_model;    /* rram_prog_model */
  double prog_sigma; /* NEURRAM: scale of the fit (1 = as fitted);
                        PROPORTIONAL: relative sigma; ABSOLUTE: sigma in uS */
  double d2d_sigma;  /* device-to-device: relative sigma of a per-cell gain
                        on the realised conductance, drawn once per cell at
                        create (survives reprogramming) */

  double read_noise; /* relative sigma of a cell's read current, redrawn on
                        every conversion */

  double stuck_gmin_rate; /* fraction of cells stuck at g_min_us, fixed per seed */
  double stuck_gmax_rate; /* fraction of cells stuck at g_max_us, fixed per seed */
  /* Line defects, drawn per seed (NeuRRAM's die characterisation finds
   * them: Wan et al. 2022, github weierwan/Neurram_48core). An unformed row
   * or column was never formed: its cells conduct nothing (0 uS; the
   * open-line floor of about 7 nS is neglected) and pulses do not move
   * them. A leaky row's wordline never turns fully off: undriven, its cells
   * still conduct leaky_row_frac of their current, into every MVM phase and
   * under every verify read of another row. A leaky column has a parasitic
   * conductance leaky_col_us at v_read, in every conversion and verify read
   * of that column. */
  double unformed_row_rate;
  double unformed_col_rate;
  double leaky_row_rate;
  double leaky_row_frac;
  double leaky_col_rate;
  double leaky_col_us;
  /* Weak cells: a fraction whose own switching response is weak. Through
   * the write-verify engine their switching rate is weak_gain times the
   * others' (with ideal switching, each pulse moves them weak_gain of its
   * codes), so they can end short of the window, near their target, as
   * NeuRRAM's failed cells do. Loaded by the back door they land as those
   * cells ended: 0.48-0.97 of a non-zero target, or 6-25 % of the window
   * above g_min for level 0 (2.4-10 uS of NeuRRAM's 40 uS). */
  double weak_rate;
  double weak_gain;

  /* Drift: G(t) = G(t0) * (t / t0)^-nu for t > t0, t the time since the
   * cell was written (advanced by rram_array_age), nu ~ N(mean, sigma)
   * drawn once per cell at create. */
  double drift_nu_mean;
  double drift_nu_sigma;
  double drift_t0_s; /* must be > 0 when drift is on */

  /* IR drop: wire resistance of one cell segment, along a driven row
   * (wordline / source line, driven from the column-0 end) and along a
   * column (bitline, sensed at the row-0 end by a virtual ground). */
  double r_wl_ohm;
  double r_bl_ohm;
  int row_model;     /* rram_row_model: the circuit of the undriven rows */
  double ir_tol;     /* isolated rows: convergence tolerance of the solver,
                        relative to v_read; <= 0 means 1e-7 */
  double ir_tol_lsb; /* connected rows: bound on the estimated error of any
                        drive's column current, in ADC LSB; <= 0 means 1e-4
                        (see rram_array.h "IR drop") */

  /* Column ADCs. Per ADC, fixed per seed: gain = 1 + N(adc_gain_err,
   * adc_gain_sigma), offset = N(adc_offset_lsb, adc_offset_sigma_lsb),
   * an INL table; per conversion: thermal noise. Output clipped to
   * 0..2^adc_bits-1. */
  double adc_offset_lsb;       /* mean offset, LSB */
  double adc_offset_sigma_lsb; /* spread of the offset between ADCs, LSB */
  double adc_gain_err;         /* mean gain error, relative */
  double adc_gain_sigma;       /* spread of the gain error between ADCs, relative */
  double adc_inl_lsb;          /* sigma of each code transition's deviation, LSB */
  double adc_noise_lsb;        /* rms input-referred noise per conversion, LSB */

  /* Switching under write-verify pulses and the verify read (model and
   * units in rram_switch.h). Both rates 0 (the ideal device) is ideal
   * switching: deterministic whole sense-code steps. */
  double sw_rate_set;    /* SET rate, 1/V over threshold for a 100 ns pulse */
  double sw_rate_reset;  /* RESET rate, the same */
  double sw_vth_set_v;   /* SET threshold, V; <= 0: 0.9 V */
  double sw_vth_reset_v; /* RESET threshold, V; <= 0: 1.1 V */
  double sw_c2c;         /* cycle-to-cycle relative sigma of each pulse's change */
  double sense_bits;     /* verify-read sense code bits, integer 1..8; 0: 8 */

  /* Energy only (no effect on any current or code): the width of the read
   * pulse of an MVM phase and of a verify read, ns; <= 0: 10 ns (NeuroSim's
   * default read pulse). */
  double read_pulse_ns;
} rram_device;

/* Fill *dev with the ideal device: g_max 40 uS, g_min 0, v_read 0.2 V,
 * one ADC LSB per unit level, every effect off. */
void rram_device_ideal(rram_device *dev);

/* Names of the compiled-in presets, NULL-terminated: "ideal"; "default"
 * (every effect on at its published or estimated magnitude, sources in
 * rram_device.c, except d2d and hard stuck-at cells); "window" (default's
 * g_min 4 uS and physical ADC LSB, no random effect); then one per effect
 * ("prog_error", "d2d", "read_noise", "stuck", "drift", "ir_drop", "adc",
 * "switching", "lines", "weak"): the ideal device with that one effect at
 * its magnitude (d2d at 5 %, stuck at Chen 2015's rates); "stuck_2015": the
 * default before line defects and weak cells, with Chen 2015's stuck-at
 * rates in their place. */
const char *const *rram_device_presets(void);

/* Fill *dev with preset name. RRAM_EINVAL (dev unchanged) if no such preset. */
int rram_device_preset(const char *name, rram_device *dev);

/* Load a preset by name, else the file of that path (a file named like a
 * preset is reached as ./name). On error *dev is unchanged and err (may be
 * NULL) receives one line:
 *  - RRAM_ENOTFOUND: neither a preset nor an existing file; the message
 *    already lists the presets: "nope: no such preset or file (presets:
 *    ideal, default, ...)". Callers print it as is, adding no list.
 *  - RRAM_EIO: a file that cannot be read ("x.dev: cannot open: Permission
 *    denied") or an error inside it, naming the file, line and key, e.g.
 *    "my.dev:3: read_noise: 2 is out of range 0..1". No preset list: the
 *    user meant that file.
 *  - RRAM_ENOMEM, RRAM_EINVAL (NULL argument).
 * Numbers in files are parsed by rram_num.h (decimal only) with its
 * messages; a leading UTF-8 byte-order mark is skipped; file bytes that are
 * not printable ASCII are shown as \xNN in messages. */
int rram_device_load(const char *file_or_preset, rram_device *dev, char *err, size_t err_len);

/* Parse file text already in memory; name is used in messages only.
 * Same contract as rram_device_load for a file. */
int rram_device_parse(const char *text, const char *name, rram_device *dev, char *err,
                      size_t err_len);

/* Set one field from text, as a file line `key = value` would (for sweeps
 * and command-line overrides). On error *dev is unchanged and err names the
 * key and the reason. RRAM_OK, RRAM_EIO (unknown key, bad or out-of-range
 * value), RRAM_EINVAL (NULL argument). */
int rram_device_set(rram_device *dev, const char *key, const char *value, char *err,
                    size_t err_len);
/* The same from one "key=value" text (the programs' --set option). */
int rram_device_set_kv(rram_device *dev, const char *key_value, char *err, size_t err_len);

/* Write every field as a `key = value` line (with %.17g, so loading the
 * output gives back the same bits), with a comment of units. The output is
 * a valid device file. Returns RRAM_OK, RRAM_EIO on a write error,
 * RRAM_EINVAL on NULL. */
int rram_device_write(FILE *f, const rram_device *dev);

/* 1 if every field of a and b holds the same value (field by field: the
 * struct has padding, so memcmp cannot tell), else 0. */
int rram_device_equal(const rram_device *a, const rram_device *b);

/* Range check of every field on its own and of the fields together
 * (g_max_us > g_min_us), as rram_array_check_config does for the device.
 * err (may be NULL) names the field. RRAM_OK or RRAM_EINVAL. */
int rram_device_check(const rram_device *dev, char *err, size_t err_len);

/* Programming-error sigma in uS of a cell programmed to target g_us. */
double rram_device_prog_sigma_us(const rram_device *dev, double g_us);

#ifdef __cplusplus
}
#endif
#endif

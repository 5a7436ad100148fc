/* rram_device.c: device presets, the `key = value` parser and writer, the
 * device range checks (contract in rram_device.h).
 *
 * One table (device_keys) lists every field with its name, range and unit:
 * the parser, the writer and rram_device_check all walk it, so a new field
 * added to the table is parsed, written and checked at once.
 *
 * Defaults of the `default` preset and their sources (repeated in
 * preset_default below, next to each number):
 *   g_max_us 40, g_min_us 4   Wan et al., "A compute-in-memory chip based on
 *                             resistive random-access memory", Nature 608,
 *                             2022 (NeuRRAM): the 40 uS window to which
 *                             CrossSim's RRAM_Wan and aihwkit's
 *                             ReRamWan2022NoiseModel fits are referenced;
 *                             g_min 4 uS for an on/off ratio of about 10,
 *                             as in NeuRRAM.
 *   prog NEURRAM x1           CrossSim (sandialabs/cross-sim)
 *                             simulator/devices/custom/RRAM_Wan.py: cubic fit
 *                             to Extended Data Fig. 3 of Wan et al. 2022.
 *   read_noise 0.01           aihwkit ReRamWan2022NoiseModel documentation:
 *                             "short-term read noise (about 1%)".
 *   drift nu 0.0045 +- 0.0021 derived from aihwkit ReRamCMONoiseModel decay
 *                             fit (mean -0.089 uS, std +0.042 uS per e-fold
 *                             of time from t = 1 s) at the window's middle,
 *                             20 uS: nu = 0.089/20, sigma_nu = 0.042/20.
 *   lines: unformed rows 4 %, NeuRRAM's die characterisation and mapping
 *   columns 0.5 %; leaky      (github weierwan/Neurram_48core, the chip-
 *   rows 0.4 %, columns 1 %   inference notebooks; see set_lines).
 *   at 2 uS
 *   weak 0.77 % of cells      NeuRRAM's write-verify runs (see set_weak):
 *                             cells that miss their window end near it.
 *   stuck 0                   hard stuck-at cells are off; the `stuck_2015`
 *                             preset keeps the old default's 1.75 % Gmin and
 *                             9.04 % Gmax of C.-Y. Chen et al., "RRAM defect
 *                             modeling and failure analysis based on march
 *                             test and a novel squeeze-search scheme", IEEE
 *                             Trans. Computers 64(1), 2015, as quoted by
 *                             L. Xia et al., DAC 2017.
 *   r_wl = r_bl 0.5 ohm       estimate, not a measured value: Cu wire
 *                             0.16 um x 0.3 um (130 nm-class metal, the
 *                             NeuRRAM node), rho 2.2e-8 ohm m, 1 um cell
 *                             pitch.
 *   ADC offset 0.5 LSB rms,   assumed values of a calibrated-by-design
 *   gain 1 % rms, INL 0.25,   8-bit column ADC; no published per-ADC
 *   noise 0.3 LSB rms         measurement of a CIM macro is cited yet.
 *   adc_lsb_ua 2.4            full scale 255 LSB = 612 uA holds 64 rows at
 *                             Gmax (64 * 40 uS * 0.2 V = 512 uA) with ~20 %
 *                             margin; one LSB is one level of a 2-bit cell.
 *   switching: rate SET 0.3,  model form (saturating, proportional to the
 *   RESET 0.4 /V per 100 ns;  distance to the rail, incremental pulses that
 *   Vth SET 0.9 V, RESET      step the amplitude): the incremental-pulse
 *   1.1 V; c2c 0.3;           write-verify of Wan et al. 2022 (Extended Data
 *   sense 8 bits              Fig. 3a-b: SET below the acceptance range,
 *                             RESET above, pulse amplitude stepped) and the
 *                             nonlinear, saturating conductance response to
 *                             identical pulses reported for HfOx RRAM under
 *                             ISPP (e.g. Sci. Rep. 13, 2023, s41598-023-36784-z,
 *                             Fig. 10, 100 mV steps). The numbers are
 *                             assumed, not fitted: thresholds below the
 *                             1.0 V (SET) / 1.2 V (RESET) first pulses of the
 *                             engine's defaults so that a first pulse moves a
 *                             cell at Gmin by ~3 % of the window (7 sense
 *                             codes, inside a +-4 code acceptance window) and
 *                             a 2.0 V SET pulse by ~28 %; c2c 30 % is an
 *                             assumption (no per-pulse spread of the NeuRRAM
 *                             devices is published that I could find); 8-bit
 *                             sense codes (0.14 uS each) resolve the NeuRRAM
 *                             acceptance range. */
#include "rram_device.h"
#include "rram_num.h"
#include "rram_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Largest device file read, bytes: a full file is ~2 KB. */
#define RRAM__DEV_MAX_FILE (1 << 20)

typedef enum key_kind { KIND_NUMBER, KIND_MODEL } key_kind;

typedef struct device_key {
  const char *name;
  size_t offset; /* of the double (KIND_NUMBER) or int (KIND_MODEL) */
  key_kind kind;
  double lo, hi; /* inclusive range */
  const char *doc;
  const char *const *names; /* KIND_MODEL: the value names, index = value
                               (values 0 .. count - 1; lo, hi unused) */
} device_key;

/* Value names of the model keys, by value, NULL-terminated. */
static const char *const prog_model_names[] = {"none", "neurram", "proportional", "absolute",
                                               NULL};
static const char *const row_model_names[] = {"isolated", "connected", NULL};

#define DKEY(field, kind, lo, hi, doc) {#field, offsetof(rram_device, field), kind, lo, hi, doc, NULL}
/* A model key: an int field whose values are named. */
#define MKEY(field, names, doc) {#field, offsetof(rram_device, field), KIND_MODEL, 0, 0, doc, names}

static const device_key device_keys[] = {
    DKEY(g_max_us, KIND_NUMBER, 1e-6, 1e6, "uS, conductance of the highest level"),
    DKEY(g_min_us, KIND_NUMBER, 0, 1e6, "uS, conductance of level 0"),
    DKEY(v_read, KIND_NUMBER, 1e-6, 10, "V, read voltage"),
    DKEY(adc_lsb_ua, KIND_NUMBER, -1e9, 1e9, "uA per ADC LSB; <= 0: one unit level"),
    MKEY(prog_model, prog_model_names, "none | neurram | proportional | absolute"),
    DKEY(prog_sigma, KIND_NUMBER, 0, 100,
         "neurram: fit scale; proportional: relative; absolute: uS"),
    DKEY(d2d_sigma, KIND_NUMBER, 0, 1, "relative, per-cell gain fixed per seed"),
    DKEY(read_noise, KIND_NUMBER, 0, 1, "relative sigma per read"),
    DKEY(stuck_gmin_rate, KIND_NUMBER, 0, 1, "fraction of cells stuck at g_min"),
    DKEY(stuck_gmax_rate, KIND_NUMBER, 0, 1, "fraction of cells stuck at g_max"),
    DKEY(unformed_row_rate, KIND_NUMBER, 0, 1, "fraction of rows never formed (open)"),
    DKEY(unformed_col_rate, KIND_NUMBER, 0, 1, "fraction of columns never formed (open)"),
    DKEY(leaky_row_rate, KIND_NUMBER, 0, 1, "fraction of rows whose wordline leaks"),
    DKEY(leaky_row_frac, KIND_NUMBER, 0, 1, "current an undriven leaky row's cells still pass"),
    DKEY(leaky_col_rate, KIND_NUMBER, 0, 1, "fraction of columns with a parasitic leak"),
    DKEY(leaky_col_us, KIND_NUMBER, 0, 1e6, "uS, parasitic conductance of a leaky column"),
    DKEY(weak_rate, KIND_NUMBER, 0, 1, "fraction of cells with a weak switching response"),
    DKEY(weak_gain, KIND_NUMBER, 0, 1, "their switching rate relative to the others"),
    DKEY(drift_nu_mean, KIND_NUMBER, -1, 1, "drift exponent, mean over cells"),
    DKEY(drift_nu_sigma, KIND_NUMBER, 0, 1, "drift exponent, sigma over cells"),
    DKEY(drift_t0_s, KIND_NUMBER, 0, 1e12, "s, drift reference time; <= 0: 1 s"),
    DKEY(r_wl_ohm, KIND_NUMBER, 0, 1e6, "ohm per cell segment of a row wire"),
    DKEY(r_bl_ohm, KIND_NUMBER, 0, 1e6, "ohm per cell segment of a bitline"),
    MKEY(row_model, row_model_names, "isolated | connected: undriven rows under IR drop"),
    DKEY(ir_tol, KIND_NUMBER, 0, 0.1, "isolated rows: IR solver tolerance / v_read; <= 0: 1e-7"),
    DKEY(ir_tol_lsb, KIND_NUMBER, 0, 1, "connected rows: IR error bound per drive, LSB; <= 0: 1e-4"),
    DKEY(adc_offset_lsb, KIND_NUMBER, -1e6, 1e6, "LSB, mean ADC offset"),
    DKEY(adc_offset_sigma_lsb, KIND_NUMBER, 0, 1e6, "LSB, offset spread between ADCs"),
    DKEY(adc_gain_err, KIND_NUMBER, -0.9, 10, "relative, mean ADC gain error"),
    DKEY(adc_gain_sigma, KIND_NUMBER, 0, 1, "relative, gain spread between ADCs"),
    DKEY(adc_inl_lsb, KIND_NUMBER, 0, 10, "LSB, sigma of each code transition"),
    DKEY(adc_noise_lsb, KIND_NUMBER, 0, 1e6, "LSB rms, noise per conversion"),
    DKEY(sw_rate_set, KIND_NUMBER, 0, 1e3, "1/V per 100 ns, SET rate; both 0: ideal switching"),
    DKEY(sw_rate_reset, KIND_NUMBER, 0, 1e3, "1/V per 100 ns, RESET rate"),
    DKEY(sw_vth_set_v, KIND_NUMBER, 0, 2.55, "V, SET threshold; <= 0: 0.9"),
    DKEY(sw_vth_reset_v, KIND_NUMBER, 0, 2.55, "V, RESET threshold; <= 0: 1.1"),
    DKEY(sw_c2c, KIND_NUMBER, 0, 10, "relative sigma of each pulse's change"),
    DKEY(sense_bits, KIND_NUMBER, 0, 8, "verify sense code bits 1..8; 0: 8"),
    DKEY(read_pulse_ns, KIND_NUMBER, 0, 1e6, "ns, read pulse width, for the energy only; <= 0: 10"),
};
#define N_KEYS (sizeof device_keys / sizeof device_keys[0])


static double *num_field(rram_device *d, const device_key *k) {
  return (double *)(void *)((char *)d + k->offset);
}
static double num_value(const rram_device *d, const device_key *k) {
  return *(const double *)(const void *)((const char *)d + k->offset);
}
static int *int_field(rram_device *d, const device_key *k) {
  return (int *)(void *)((char *)d + k->offset);
}
static int int_value(const rram_device *d, const device_key *k) {
  return *(const int *)(const void *)((const char *)d + k->offset);
}

/* The largest value of model key k. */
static int model_max(const device_key *k) {
  int n = 0;
  while (k->names[n]) n++;
  return n - 1;
}

/* "a, b, c": the value names of model key k, into buf (128 bytes). */
static const char *model_list(const device_key *k, char *buf) {
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i <= model_max(k); i++)
    n += (size_t)snprintf(buf + n, n < 128 ? 128 - n : 0, "%s%s", i ? ", " : "", k->names[i]);
  return buf;
}

/* ---- presets ------------------------------------------------------------ */

void rram_device_ideal(rram_device *dev) {
  if (!dev) return;
  memset(dev, 0, sizeof *dev);
  dev->g_max_us = 40.0;
  dev->g_min_us = 0.0;
  dev->v_read = 0.2;
  dev->adc_lsb_ua = 0.0;
}

/* The window of the default device, no random effect: g_min 4 uS (on/off
 * about 10, as in NeuRRAM), Gmax 40 uS (Wan et al. 2022), a physical ADC LSB. */
static void preset_window(rram_device *d) {
  rram_device_ideal(d);
  d->g_min_us = 4.0;
  /* 255 LSB = 612 uA >= 64 rows * 40 uS * 0.2 V = 512 uA. */
  d->adc_lsb_ua = 2.4;
}

static void set_prog_error(rram_device *d) {
  /* CrossSim RRAM_Wan: sigma_G = 1.536e-4 G^3 - 1.167e-2 G^2 + 0.2374 G + 1.053
   * (uS), cubic fit to Wan et al. 2022 Extended Data Fig. 3 (t = 1 s). */
  d->prog_model = RRAM_PROG_NEURRAM;
  d->prog_sigma = 1.0;
}
static void set_read_noise(rram_device *d) {
  /* aihwkit ReRamWan2022NoiseModel: short-term read noise about 1 %. */
  d->read_noise = 0.01;
}
static void set_stuck(rram_device *d) {
  /* Chen et al., IEEE TC 2015 (via Xia et al., DAC 2017): 1.75 % stuck at
   * the high-resistance state, 9.04 % at the low-resistance state. */
  d->stuck_gmin_rate = 0.0175;
  d->stuck_gmax_rate = 0.0904;
}
static void set_lines(rram_device *d) {
  /* NeuRRAM's die characterisation (github weierwan/Neurram_48core,
   * cifar10_resnet/cifar10_resnet_chip_inference.ipynb cell 17 and
   * forward_finetune_chip_inference.ipynb cells 18-21): 18 unformed and 1
   * leaky row of 256 on one core, 6 and 1 on another; its mapping tables
   * skip a median 11-19 rows and 0-2 columns per core; 4 leaky columns in a
   * 64-column scan, at 0.37-0.98 MOhm for 0.2 V (1-2.7 uS). The fraction an
   * undriven leaky row passes is assumed. */
  d->unformed_row_rate = 0.04;
  d->unformed_col_rate = 0.005;
  d->leaky_row_rate = 0.004;
  d->leaky_row_frac = 0.1;
  d->leaky_col_rate = 0.01;
  d->leaky_col_us = 2.0;
}
static void set_weak(rram_device *d) {
  /* NeuRRAM write-verify runs left 0.18 %, 0.77 % and 1.35 % of the cells
   * outside +-1 uS (mnist_chip_inference.ipynb cell 25,
   * cifar10_resnet_chip_inference.ipynb cell 42,
   * forward_finetune_chip_inference.ipynb cell 47): the middle one. The same
   * cells failed pass after pass, so a fixed weak response; its gain is
   * assumed. */
  d->weak_rate = 0.0077;
  d->weak_gain = 0.05;
}
static void set_drift(rram_device *d) {
  /* aihwkit ReRamCMONoiseModel decay: mean -0.089 uS and std +0.042 uS per
   * e-fold of time after t = 1 s, level-independent; as a power law at the
   * window's middle (20 uS): nu = 0.089/20, sigma_nu = 0.042/20. */
  d->drift_nu_mean = 0.0045;
  d->drift_nu_sigma = 0.0021;
  d->drift_t0_s = 1.0;
}
static void set_ir_drop(rram_device *d) {
  /* Estimate: Cu 0.16 x 0.3 um, rho 2.2e-8 ohm m, 1 um pitch ~ 0.5 ohm. */
  d->r_wl_ohm = 0.5;
  d->r_bl_ohm = 0.5;
  /* The row group's 0-input rows held at 0 V, as in NeuRRAM's cores, whose
   * rows all carry an input (0 at the reference voltage) during an MVM. */
  d->row_model = RRAM_ROWS_CONNECTED;
}
static void set_adc(rram_device *d) {
  /* Assumed 8-bit column ADC figures (see the file comment). */
  d->adc_offset_sigma_lsb = 0.5;
  d->adc_gain_sigma = 0.01;
  d->adc_inl_lsb = 0.25;
  d->adc_noise_lsb = 0.3;
}
static void set_switching(rram_device *d) {
  /* Assumed magnitudes of a saturating incremental-pulse response (see the
   * file comment): Wan et al. 2022 Extended Data Fig. 3 for the method. */
  d->sw_rate_set = 0.3;
  d->sw_rate_reset = 0.4;
  d->sw_vth_set_v = 0.9;
  d->sw_vth_reset_v = 1.1;
  d->sw_c2c = 0.3;
}
static void set_d2d(rram_device *d) {
  /* Assumed; off in `default`, whose NeuRRAM fit was measured over the
   * array's devices and so already holds device-to-device spread. */
  d->d2d_sigma = 0.05;
}

static void preset_ideal(rram_device *d) { rram_device_ideal(d); }
/* Every effect at its magnitude except the hard stuck-at cells: NeuRRAM's
 * failed cells end near their targets (weak), not at a rail. */
static void preset_default(rram_device *d) {
  preset_window(d);
  set_prog_error(d);
  set_read_noise(d);
  set_lines(d);
  set_weak(d);
  set_drift(d);
  set_ir_drop(d);
  set_adc(d);
  set_switching(d);
}
/* The default of before, for comparison: Chen 2015's stuck-at rates instead
 * of line defects and weak cells. */
static void preset_stuck_2015(rram_device *d) {
  preset_window(d);
  set_prog_error(d);
  set_read_noise(d);
  set_stuck(d);
  set_drift(d);
  set_ir_drop(d);
  set_adc(d);
  set_switching(d);
}
#define EFFECT_PRESET(name)         \
  static void preset_##name(rram_device *d) { \
    rram_device_ideal(d);           \
    set_##name(d);                  \
  }
EFFECT_PRESET(prog_error)
EFFECT_PRESET(d2d)
EFFECT_PRESET(read_noise)
EFFECT_PRESET(stuck)
EFFECT_PRESET(lines)
EFFECT_PRESET(weak)
EFFECT_PRESET(drift)
EFFECT_PRESET(ir_drop)
EFFECT_PRESET(adc)
EFFECT_PRESET(switching)

static const struct {
  const char *name;
  void (*fill)(rram_device *);
} presets[] = {
    {"ideal", preset_ideal},       {"default", preset_default},
    {"window", preset_window},     {"prog_error", preset_prog_error},
    {"d2d", preset_d2d},           {"read_noise", preset_read_noise},
    {"stuck", preset_stuck},       {"drift", preset_drift},
    {"ir_drop", preset_ir_drop},   {"adc", preset_adc},
    {"switching", preset_switching}, {"lines", preset_lines}, {"weak", preset_weak},
    {"stuck_2015", preset_stuck_2015},
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

static const char *const preset_names[N_PRESETS + 1] = {
    "ideal", "default", "window", "prog_error", "d2d", "read_noise",
    "stuck", "drift",   "ir_drop", "adc",       "switching", "lines", "weak", "stuck_2015", NULL};

const char *const *rram_device_presets(void) { return preset_names; }

int rram_device_preset(const char *name, rram_device *dev) {
  if (!name || !dev) return RRAM_EINVAL;
  for (size_t i = 0; i < N_PRESETS; i++) {
    if (strcmp(name, presets[i].name) == 0) {
      presets[i].fill(dev);
      return RRAM_OK;
    }
  }
  return RRAM_EINVAL;
}

/* ---- checks ----------------------------------------------------------- */

double rram_device_prog_sigma_us(const rram_device *dev, double g_us) {
  switch (dev->prog_model) {
    case RRAM_PROG_NEURRAM: {
      /* CrossSim RRAM_Wan.programming_error: the same cubic, clamped at 0. */
      const double s = ((1.536e-4 * g_us - 1.167e-2) * g_us + 0.2374) * g_us + 1.053;
      return s > 0.0 ? s * dev->prog_sigma : 0.0;
    }
    case RRAM_PROG_PROPORTIONAL: return dev->prog_sigma * fabs(g_us);
    case RRAM_PROG_ABSOLUTE: return dev->prog_sigma;
    default: return 0.0;
  }
}

/* Check one field against its range; err gets "key: value out of range". */
static int check_key(const rram_device *d, const device_key *k, char *err, size_t err_len) {
  if (k->kind == KIND_MODEL) {
    const int v = int_value(d, k);
    if (v < 0 || v > model_max(k)) {
      char names[128];
      rram__fmt_err(err, err_len, "%s %d is not a model (%s)", k->name, v, model_list(k, names));
      return RRAM_EINVAL;
    }
    return RRAM_OK;
  }
  const double v = num_value(d, k);
  if (!isfinite(v) || v < k->lo || v > k->hi) {
    rram__fmt_err(err, err_len, "%s %g out of range %g..%g", k->name, v, k->lo, k->hi);
    return RRAM_EINVAL;
  }
  return RRAM_OK;
}

/* Checks that involve two fields; which[0..1] are the two keys (the parser
 * blames the one its file set last). */
static int check_cross(const rram_device *d, const char **which, char *err, size_t err_len) {
  if (!(d->g_max_us > d->g_min_us)) {
    which[0] = "g_max_us";
    which[1] = "g_min_us";
    rram__fmt_err(err, err_len, "g_max_us %g must be > g_min_us %g", d->g_max_us, d->g_min_us);
    return RRAM_EINVAL;
  }
  if (d->sense_bits != floor(d->sense_bits)) {
    which[0] = which[1] = "sense_bits";
    rram__fmt_err(err, err_len, "sense_bits %g must be a whole number", d->sense_bits);
    return RRAM_EINVAL;
  }
  if (d->unformed_row_rate + d->leaky_row_rate > 1.0) {
    which[0] = "unformed_row_rate";
    which[1] = "leaky_row_rate";
    rram__fmt_err(err, err_len, "unformed_row_rate %g + leaky_row_rate %g exceed 1",
                  d->unformed_row_rate, d->leaky_row_rate);
    return RRAM_EINVAL;
  }
  if (d->unformed_col_rate + d->leaky_col_rate > 1.0) {
    which[0] = "unformed_col_rate";
    which[1] = "leaky_col_rate";
    rram__fmt_err(err, err_len, "unformed_col_rate %g + leaky_col_rate %g exceed 1",
                  d->unformed_col_rate, d->leaky_col_rate);
    return RRAM_EINVAL;
  }
  if (d->stuck_gmin_rate + d->stuck_gmax_rate > 1.0) {
    which[0] = "stuck_gmin_rate";
    which[1] = "stuck_gmax_rate";
    rram__fmt_err(err, err_len, "stuck_gmin_rate %g + stuck_gmax_rate %g exceed 1",
            d->stuck_gmin_rate, d->stuck_gmax_rate);
    return RRAM_EINVAL;
  }
  return RRAM_OK;
}

int rram_device_equal(const rram_device *a, const rram_device *b) {
  for (size_t i = 0; i < N_KEYS; i++) {
    const device_key *k = &device_keys[i];
    if (k->kind == KIND_MODEL ? int_value(a, k) != int_value(b, k)
                              : num_value(a, k) != num_value(b, k))
      return 0;
  }
  return 1;
}

int rram_device_check(const rram_device *dev, char *err, size_t err_len) {
  if (!dev) {
    rram__fmt_err(err, err_len, "device is NULL");
    return RRAM_EINVAL;
  }
  for (size_t i = 0; i < N_KEYS; i++)
    if (check_key(dev, &device_keys[i], err, err_len) != RRAM_OK) return RRAM_EINVAL;
  const char *which[2];
  if (check_cross(dev, which, err, err_len) != RRAM_OK) return RRAM_EINVAL;
  rram__fmt_err(err, err_len, "success");
  return RRAM_OK;
}

/* ---- the parser ------------------------------------------------------- */

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  char *e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

/* Text from a file or the command line, for a message: bytes outside
 * printable ASCII as \xNN (a binary file must not reach the terminal raw),
 * cut after 60 bytes. */
#define SHOW_LEN (4 * 60 + 4)
static const char *show(const char *s, char *buf) {
  return rram_num_escape(s, strlen(s), 60, buf, SHOW_LEN);
}

static int parse_model(const device_key *dk, const char *s, int *out) {
  for (int i = 0; i <= model_max(dk); i++) {
    if (strcmp(s, dk->names[i]) == 0) {
      *out = i;
      return 1;
    }
  }
  return 0;
}

/* Parse val into key dk of *d; err gets "<where>: key: reason". */
static int assign_key(rram_device *d, const device_key *dk, const char *val, const char *where,
                      char *err, size_t err_len) {
  char why[RRAM_NUM_MSG_LEN];
  if (dk->kind == KIND_MODEL) {
    int m;
    int64_t n;
    if (parse_model(dk, val, &m)) {
      *int_field(d, dk) = m;
    } else if (rram_num_int(val, 0, model_max(dk), &n, NULL, 0) == RRAM_NUM_OK) {
      *int_field(d, dk) = (int)n;
    } else {
      char shown[SHOW_LEN], names[128];
      rram__fmt_err(err, err_len, "%s: %s: '%s' is not a model (%s)", where, dk->name,
                    show(val, shown), model_list(dk, names));
      return RRAM_EIO;
    }
    return RRAM_OK;
  }
  double v;
  if (rram_num_real(val, dk->lo, dk->hi, &v, why, sizeof why) != RRAM_NUM_OK) {
    rram__fmt_err(err, err_len, "%s: %s: %s", where, dk->name, why);
    return RRAM_EIO;
  }
  *num_field(d, dk) = v;
  return RRAM_OK;
}

int rram_device_set_kv(rram_device *dev, const char *key_value, char *err, size_t err_len) {
  const char *eq = key_value ? strchr(key_value, '=') : NULL;
  if (!eq) {
    rram__fmt_err(err, err_len, "expected KEY=VALUE");
    return RRAM_EINVAL;
  }
  char key[64];
  snprintf(key, sizeof key, "%.*s", (int)(eq - key_value), key_value);
  return rram_device_set(dev, key, eq + 1, err, err_len);
}

int rram_device_set(rram_device *dev, const char *key, const char *value, char *err,
                    size_t err_len) {
  if (!dev || !key || !value) {
    rram__fmt_err(err, err_len, "NULL argument");
    return RRAM_EINVAL;
  }
  size_t k = 0;
  while (k < N_KEYS && strcmp(key, device_keys[k].name) != 0) k++;
  if (k == N_KEYS) {
    char shown[SHOW_LEN];
    rram__fmt_err(err, err_len, "%s: unknown key", show(key, shown));
    return RRAM_EIO;
  }
  rram_device d = *dev;
  if (assign_key(&d, &device_keys[k], value, "set", err, err_len) != RRAM_OK) return RRAM_EIO;
  const char *which[2];
  char why[200];
  if (check_cross(&d, which, why, sizeof why) != RRAM_OK) {
    rram__fmt_err(err, err_len, "set: %s: %s", key, why);
    return RRAM_EIO;
  }
  *dev = d;
  rram__fmt_err(err, err_len, "success");
  return RRAM_OK;
}

int rram_device_parse(const char *text, const char *name, rram_device *dev, char *err,
                      size_t err_len) {
  if (!text || !dev) {
    rram__fmt_err(err, err_len, "%s is NULL", !text ? "text" : "device");
    return RRAM_EINVAL;
  }
  if (!name) name = "(device text)";
  rram_device d;
  rram_device_ideal(&d);
  int line_of[N_KEYS] = {0}; /* line that set each key, 0 if none */
  int any_key = 0;
  char buf[512];
  int line = 0;
  char shown[SHOW_LEN];
  /* A UTF-8 byte-order mark, as some editors write, is not part of line 1. */
  if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    const size_t len = nl ? (size_t)(nl - p) : strlen(p);
    line++;
    if (len >= sizeof buf) {
      rram__fmt_err(err, err_len, "%s:%d: line longer than %zu characters", name, line,
              sizeof buf - 1);
      return RRAM_EIO;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    p += len + (nl ? 1 : 0);
    char *hash = strchr(buf, '#');
    if (hash) *hash = '\0';
    char *s = trim(buf);
    if (*s == '\0') continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rram__fmt_err(err, err_len, "%s:%d: expected 'key = value', got '%s'", name, line,
                    show(s, shown));
      return RRAM_EIO;
    }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    if (*key == '\0') {
      rram__fmt_err(err, err_len, "%s:%d: missing key before '='", name, line);
      return RRAM_EIO;
    }
    if (*val == '\0') {
      rram__fmt_err(err, err_len, "%s:%d: %s: missing value", name, line, show(key, shown));
      return RRAM_EIO;
    }
    if (strcmp(key, "preset") == 0) {
      if (any_key) {
        rram__fmt_err(err, err_len, "%s:%d: preset: must be the first key", name, line);
        return RRAM_EIO;
      }
      if (rram_device_preset(val, &d) != RRAM_OK) {
        rram__fmt_err(err, err_len, "%s:%d: preset: unknown preset '%s'", name, line,
                      show(val, shown));
        return RRAM_EIO;
      }
      any_key = 1;
      continue;
    }
    size_t k = 0;
    while (k < N_KEYS && strcmp(key, device_keys[k].name) != 0) k++;
    if (k == N_KEYS) {
      rram__fmt_err(err, err_len, "%s:%d: %s: unknown key", name, line, show(key, shown));
      return RRAM_EIO;
    }
    const device_key *dk = &device_keys[k];
    if (line_of[k]) {
      rram__fmt_err(err, err_len, "%s:%d: %s: already set on line %d", name, line, key, line_of[k]);
      return RRAM_EIO;
    }
    char where[160];
    snprintf(where, sizeof where, "%s:%d", name, line);
    if (assign_key(&d, dk, val, where, err, err_len) != RRAM_OK) return RRAM_EIO;
    line_of[k] = line;
    any_key = 1;
  }
  const char *which[2];
  char why[200];
  if (check_cross(&d, which, why, sizeof why) != RRAM_OK) {
    int at = 0;
    const char *key = which[0];
    for (size_t k = 0; k < N_KEYS; k++)
      for (int w = 0; w < 2; w++)
        if (strcmp(device_keys[k].name, which[w]) == 0 && line_of[k] > at) {
          at = line_of[k];
          key = which[w];
        }
    if (at)
      rram__fmt_err(err, err_len, "%s:%d: %s: %s", name, at, key, why);
    else /* both from the preset: cannot happen with the compiled-in ones */
      rram__fmt_err(err, err_len, "%s: %s: %s", name, key, why);
    return RRAM_EIO;
  }
  *dev = d;
  rram__fmt_err(err, err_len, "success");
  return RRAM_OK;
}

int rram_device_load(const char *file_or_preset, rram_device *dev, char *err, size_t err_len) {
  if (!file_or_preset || !dev) {
    rram__fmt_err(err, err_len, "%s is NULL", !dev ? "device" : "file or preset name");
    return RRAM_EINVAL;
  }
  if (rram_device_preset(file_or_preset, dev) == RRAM_OK) {
    rram__fmt_err(err, err_len, "success");
    return RRAM_OK;
  }
  FILE *f = fopen(file_or_preset, "rb");
  if (!f) {
    const int e = errno;
    if (e != ENOENT) { /* a file is there (or its folder): say what stops it */
      rram__fmt_err(err, err_len, "%s: cannot open: %s", file_or_preset, strerror(e));
      return RRAM_EIO;
    }
    /* Neither a preset nor a file: the one case where the list helps. */
    char names[200] = "";
    for (size_t i = 0; preset_names[i]; i++) {
      const size_t used = strlen(names);
      snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", preset_names[i]);
    }
    rram__fmt_err(err, err_len, "%s: no such preset or file (presets: %s)", file_or_preset,
                  names);
    return RRAM_ENOTFOUND;
  }
  char *text = malloc(RRAM__DEV_MAX_FILE + 1);
  if (!text) {
    fclose(f);
    rram__fmt_err(err, err_len, "%s: out of memory", file_or_preset);
    return RRAM_ENOMEM;
  }
  errno = 0;
  const size_t n = fread(text, 1, RRAM__DEV_MAX_FILE + 1, f);
  const int bad = ferror(f), e = errno;
  fclose(f);
  if (bad || n > RRAM__DEV_MAX_FILE) {
    free(text);
    if (bad)
      rram__fmt_err(err, err_len, "%s: read error: %s", file_or_preset,
                    e ? strerror(e) : "unknown");
    else
      rram__fmt_err(err, err_len, "%s: larger than 1 MiB, not a device file", file_or_preset);
    return RRAM_EIO;
  }
  text[n] = '\0';
  if (memchr(text, '\0', n)) {
    free(text);
    rram__fmt_err(err, err_len, "%s: contains a NUL byte, not a device file", file_or_preset);
    return RRAM_EIO;
  }
  const int rc = rram_device_parse(text, file_or_preset, dev, err, err_len);
  free(text);
  return rc;
}

/* ---- the writer ------------------------------------------------------- */

/* Shortest of %.15g/%.16g/%.17g that reads back as the same double. */
static void fmt_exact(char *buf, size_t len, double v) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

int rram_device_write(FILE *f, const rram_device *dev) {
  if (!f || !dev) return RRAM_EINVAL;
  int bad = fprintf(f, "# rram-cim device (rram_device_write); load with --device FILE\n") < 0;
  for (size_t k = 0; k < N_KEYS && !bad; k++) {
    const device_key *dk = &device_keys[k];
    char val[40];
    if (dk->kind == KIND_MODEL) {
      const int m = int_value(dev, dk);
      snprintf(val, sizeof val, "%s", dk->names[m >= 0 && m <= model_max(dk) ? m : 0]);
    } else {
      fmt_exact(val, sizeof val, num_value(dev, dk));
    }
    bad = fprintf(f, "%-20s = %-12s # %s\n", dk->name, val, dk->doc) < 0;
  }
  return bad || ferror(f) ? RRAM_EIO : RRAM_OK;
}

/* fuzz_array.c: the C model's API (cmodel/rram_array.h, cim_map.h,
 * cim_seq.h) driven by the input bytes: random sequences of create, map,
 * program, pulse, verify, drive, convert, age and destroy, with legal and
 * illegal arguments (fuzz_range: one value in eight just outside its range
 * or far out), on small arrays of any device the presets and keys make.
 *
 * Properties, besides ASan and UBSan:
 *  - create succeeds exactly when rram_array_check_config accepts the
 *    configuration, and a refusal has a message and no array;
 *  - every refused call on an array leaves a message (not "success");
 *  - codes stay within the ADC's and the sense amplifier's range, levels
 *    within the cell's, and the log holds one phase per drive;
 *  - two runs of one input give the same transcript (every status, code,
 *    conductance bit and message): the model's randomness is its seed's. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "cim_map.h"
#include "cim_seq.h"
#include "fuzz.h"
#include "rram_array.h"
#include "rram_switch.h"

/* Device keys (rram_device.h) and values, legal and not, for rram_device_set. */
static const char *const k_keys[] = {
    "g_max_us", "g_min_us", "v_read", "adc_lsb_ua", "prog_model", "prog_sigma", "d2d_sigma",
    "read_noise", "stuck_gmin_rate", "stuck_gmax_rate", "unformed_row_rate",
    "unformed_col_rate", "leaky_row_rate", "leaky_row_frac", "leaky_col_rate", "leaky_col_us",
    "weak_rate", "weak_gain", "drift_nu_mean", "drift_nu_sigma", "drift_t0_s", "r_wl_ohm",
    "r_bl_ohm", "row_model", "ir_tol", "ir_tol_lsb", "adc_offset_lsb", "adc_offset_sigma_lsb",
    "adc_gain_err", "adc_gain_sigma", "adc_inl_lsb", "adc_noise_lsb", "sw_rate_set",
    "sw_rate_reset", "sw_vth_set_v", "sw_vth_reset_v", "sw_c2c", "sense_bits", "read_pulse_ns",
    "no_such_key"};
static const char *const k_vals[] = {"0",    "0.01", "0.1", "0.5",       "1",       "2",
                                     "3",    "8",    "40",  "100",       "1e-9",    "1e6",
                                     "-1",   "connected",  "neurram",   "absolute", "x"};
/* Raw values written straight into a field, past the setter's checks. */
static const double k_raw[] = {0.0, -1.0, 1e308, -1e308, 1e-300, 0.5, 40.0, 255.0};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void device_from(fuzz_in *in, rram_device *dev) {
  const char *const *presets = rram_device_presets();
  size_t n_presets = 0;
  while (presets[n_presets]) n_presets++;
  if (n_presets == 0) fuzz_fail("no device presets");
  if (rram_device_preset(presets[fuzz_u8(in) % n_presets], dev) != RRAM_OK)
    fuzz_fail("a listed preset is refused");
  for (unsigned i = fuzz_u8(in) % 4u; i > 0; i--) {
    char err[256] = "";
    rram_device keep = *dev;
    const int st = rram_device_set(dev, k_keys[fuzz_u8(in) % N(k_keys)],
                                   k_vals[fuzz_u8(in) % N(k_vals)], err, sizeof err);
    fuzz_msg(st, err, "rram_device_set");
    if (st != RRAM_OK && !rram_device_equal(dev, &keep))
      fuzz_fail("rram_device_set: error %d changed the device", st);
  }
  const unsigned raw = fuzz_u8(in);
  if ((raw & 7u) == 7u) { /* a field no setter would allow, for create to refuse */
    double *fields[] = {&dev->g_max_us, &dev->g_min_us, &dev->v_read, &dev->adc_lsb_ua,
                        &dev->read_noise, &dev->drift_t0_s, &dev->r_wl_ohm, &dev->sense_bits};
    *fields[(raw >> 3) % N(fields)] = k_raw[fuzz_u8(in) % N(k_raw)];
  }
}

/* A wordline mask of n_words words from the input, every bit within rows
 * unless the input says otherwise. */
static void mask_from(fuzz_in *in, uint32_t *w, size_t n_words, int rows) {
  const int clip = fuzz_u8(in) & 1u;
  for (size_t i = 0; i < n_words; i++) {
    w[i] = fuzz_u32(in);
    for (int b = 0; clip && b < 32; b++)
      if ((int)(i * 32) + b >= rows) w[i] &= ~(1u << b);
  }
}

/* A failing call on a live array must leave a message. */
static void msg(const rram_array *a, int st, const char *what) {
  if (st == RRAM_OK) return;
  const char *m = rram_array_errmsg(a);
  if (!m || !m[0] || strcmp(m, "success") == 0)
    fuzz_fail("%s: error %d with no message ('%s')", what, st, m ? m : "(null)");
}

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  fuzz_in in = {data, size};
  rram_array *a = NULL;
  rram_geometry geo = {0};
  int w_bits = 8;
  enum { MAX_DIM = 24, MAX_WORDS = 2 };
  for (int step = 0; step < 64 && in.n > 0; step++) {
    const unsigned op = fuzz_u8(&in) % 13u;
    fuzz_int(o, op);
    int st = RRAM_OK;
    if (op == 0 || !a) { /* create, over any previous array */
      rram_array_destroy(a);
      a = NULL;
      geo.rows = fuzz_range(&in, 1, MAX_DIM);
      geo.cols = fuzz_range(&in, 1, MAX_DIM);
      geo.cell_bits = fuzz_range(&in, 1, 4);
      /* up to 13 bits: a 16-bit ADC draws 65535 INL thresholds at create, the
       * twin target covers it */
      geo.adc_bits = fuzz_range(&in, 1, 12);
      geo.cols_per_adc = fuzz_range(&in, 1, geo.cols > 0 && geo.cols <= MAX_DIM ? geo.cols : 1);
      w_bits = fuzz_range(&in, 1, 16);
      rram_device dev;
      device_from(&in, &dev);
      char err[256] = "";
      const int ok = rram_array_check_config(&geo, &dev, err, sizeof err);
      fuzz_msg(ok, err, "rram_array_check_config");
      if (ok == RRAM_OK && (geo.rows > MAX_DIM + 1 || geo.cols > MAX_DIM + 1)) continue;
      st = rram_array_create(&geo, &dev, fuzz_u32(&in), &a);
      if ((st == RRAM_OK) != (ok == RRAM_OK) || (st != RRAM_OK && a))
        fuzz_fail("create %d but check_config %d (%s)", st, ok, err);
      fuzz_int(o, st);
      fuzz_str(o, err);
      continue;
    }
    const int levels = (1 << geo.cell_bits) - 1;
    switch (op) {
      case 1: { /* backdoor write */
        const int r = fuzz_range(&in, 0, geo.rows - 1), c = fuzz_range(&in, 0, geo.cols - 1);
        st = rram_array_set_level(a, r, c, fuzz_range(&in, 0, levels));
        msg(a, st, "set_level");
        int lv = -1;
        double g = 0;
        if (rram_array_get_level(a, r, c, &lv) == RRAM_OK && (lv < 0 || lv > levels))
          fuzz_fail("level %d of %d", lv, levels);
        if (rram_array_get_conductance(a, r, c, &g) == RRAM_OK) fuzz_real(o, g);
        fuzz_int(o, lv);
        break;
      }
      case 2: { /* front door: one pulse */
        const int r = fuzz_range(&in, 0, geo.rows - 1), c = fuzz_range(&in, 0, geo.cols - 1);
        const int pol = fuzz_u8(&in) % 3u == 2u ? 7 : (fuzz_u8(&in) & 1u ? RRAM_PULSE_SET
                                                                          : RRAM_PULSE_RESET);
        st = rram_array_pulse(a, r, c, pol, fuzz_range(&in, 0, 255), fuzz_range(&in, 0, 255));
        msg(a, st, "pulse");
        break;
      }
      case 3: { /* front door: verify read */
        int code = -1;
        st = rram_array_verify_read(a, fuzz_range(&in, 0, geo.rows - 1),
                                    fuzz_range(&in, 0, geo.cols - 1), &code);
        msg(a, st, "verify_read");
        const int smax = (1 << rram_switch_sense_bits(rram_array_device(a))) - 1;
        if (st == RRAM_OK && (code < 0 || code > smax)) fuzz_fail("sense code %d of %d", code, smax);
        fuzz_int(o, code);
        break;
      }
      case 4:
      case 5: { /* a drive: only the driven rows, or a row group and its driven rows */
        uint32_t wl[MAX_WORDS], sel[MAX_WORDS];
        const size_t need = (size_t)(geo.rows + 31) / 32;
        const size_t n_words = fuzz_u8(&in) % 8u == 0 ? need - 1 : need;
        mask_from(&in, wl, MAX_WORDS, geo.rows);
        const size_t before = rram_array_log_phases(a);
        if (op == 4) {
          st = rram_array_drive(a, wl, n_words);
        } else {
          mask_from(&in, sel, MAX_WORDS, geo.rows);
          if (fuzz_u8(&in) & 1u)
            for (size_t i = 0; i < MAX_WORDS; i++) sel[i] |= wl[i];
          st = rram_array_drive_rows(a, sel, wl, n_words);
        }
        msg(a, st, "drive");
        if (rram_array_log_phases(a) != before + (st == RRAM_OK))
          fuzz_fail("drive %d: %zu phases after %zu", st, rram_array_log_phases(a), before);
        break;
      }
      case 6: { /* one conversion */
        const int n_adcs = rram_array_num_adcs(a);
        const int adc = fuzz_range(&in, 0, n_adcs - 1);
        /* the ADC's mux input m, or an illegal column when adc is far out */
        const long long c = (long long)adc * geo.cols_per_adc + fuzz_range(&in, 0, geo.cols_per_adc - 1);
        const int col = c > INT_MAX || c < INT_MIN ? -1 : (int)c;
        int code = -1;
        st = rram_array_convert(a, adc, col, &code);
        msg(a, st, "convert");
        if (st == RRAM_OK && (code < 0 || code > (1 << geo.adc_bits) - 1))
          fuzz_fail("ADC code %d with %d bits", code, geo.adc_bits);
        fuzz_int(o, code);
        break;
      }
      case 7: { /* let time pass */
        static const double k_age[] = {0.0, 1.0, 3600.0, 1e9, -1.0, 1e308, NAN, INFINITY};
        st = rram_array_age(a, k_age[fuzz_u8(&in) % N(k_age)]);
        msg(a, st, "age");
        fuzz_real(o, rram_array_time(a));
        break;
      }
      case 8: { /* backdoor-load a weight matrix */
        const int n_out = fuzz_range(&in, 1, 4), k = fuzz_range(&in, 1, geo.rows);
        int32_t wts[4 * MAX_DIM];
        const int fits = n_out >= 1 && n_out <= 4 && k >= 1 && k <= MAX_DIM;
        for (int i = 0; fits && i < n_out * k; i++)
          wts[i] = ((int32_t)fuzz_u8(&in) - 128) * (fuzz_u8(&in) % 8u == 0 ? 1000 : 1);
        if (!fits) break;
        st = cim_map_load(a, wts, n_out, k, w_bits);
        msg(a, st, "cim_map_load");
        break;
      }
      case 9: { /* the controller's sequence in C */
        int32_t x[MAX_DIM + 1] = {0};
        cim_job job = {0};
        job.n_rows = fuzz_range(&in, 1, geo.rows);
        job.n_outs = fuzz_range(&in, 1, 2);
        job.x_bits = fuzz_range(&in, 1, 8);
        job.is_signed = fuzz_u8(&in) & 1;
        job.group_rows = fuzz_range(&in, 1, geo.rows);
        job.shift = fuzz_range(&in, 0, 31);
        job.out_bits = fuzz_range(&in, 2, 32);
        for (int i = 0; i < MAX_DIM + 1; i++) x[i] = (int32_t)fuzz_u8(&in) - 128;
        if (job.n_rows > MAX_DIM + 1) break; /* x holds no more */
        st = cim_seq_run(a, w_bits, &job, x);
        msg(a, st, "cim_seq_run");
        break;
      }
      case 10: { /* the read-only side: truths and statistics */
        int v = 0, it = 0;
        double t = 0, g = 0, e = 0;
        fuzz_int(o, rram_array_get_fault(a, fuzz_range(&in, 0, geo.rows - 1),
                                         fuzz_range(&in, 0, geo.cols - 1), &v));
        fuzz_int(o, v);
        fuzz_int(o, rram_array_get_line(a, fuzz_u8(&in) & 1, fuzz_range(&in, 0, MAX_DIM), &v));
        fuzz_int(o, rram_array_adc_truth(a, fuzz_range(&in, 0, rram_array_num_adcs(a) - 1), &t,
                                         &g));
        fuzz_int(o, rram_array_adc_threshold(a, fuzz_range(&in, 0, rram_array_num_adcs(a) - 1),
                                             fuzz_range(&in, 1, (1 << geo.adc_bits) - 1), &t));
        fuzz_int(o, rram_array_ir_stats(a, &it, &e));
        fuzz_real(o, t);
        fuzz_real(o, g);
        fuzz_int(o, it);
        rram_activity act;
        if (rram_array_activity(a, &act) != RRAM_OK) fuzz_fail("rram_array_activity failed");
        fuzz_put(o, &act, sizeof act);
        for (size_t i = 0; i < rram_array_log_phases(a); i++)
          if (!rram_array_log_phase(a, i)) fuzz_fail("phase %zu of the log is NULL", i);
        if (rram_array_log_phase(a, rram_array_log_phases(a))) fuzz_fail("a phase past the log");
        fuzz_int(o, (int64_t)rram_array_log_orphans(a));
        break;
      }
      case 11:
        if (fuzz_u8(&in) & 1u) rram_array_log_clear(a);
        else rram_array_activity_clear(a);
        break;
      default: /* destroy; the next step creates */
        rram_array_destroy(a);
        a = NULL;
        break;
    }
    fuzz_int(o, st);
    if (st != RRAM_OK && a) fuzz_str(o, rram_array_errmsg(a));
  }
  rram_array_destroy(a);
  rram_array_destroy(NULL); /* a no-op */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "array");
}

/* cli_device.c: the analog device of --device and --set, and the
 * write-verify settings that suit it. */
#include <string.h>

#include "cim_progcfg.h"
#include "cli.h"
#include "rram_switch.h"

int cli_load_device(const cli_opts *o, rram_device *dev, char *effects, size_t len) {
  char err[256];
  /* the model's message lists the presets when the name is neither a
   * preset nor a file, and names file, line and key otherwise */
  if (rram_device_load(o->device, dev, err, sizeof err) != RRAM_OK) {
    cli_error("--device: %s", err);
    return -1;
  }
  for (int i = 0; i < o->n_sets; i++) {
    if (rram_device_set_kv(dev, o->sets[i], err, sizeof err) != RRAM_OK) {
      cli_error("--set %s: %s", o->sets[i], err);
      return -1;
    }
  }
  snprintf(effects, len, "G %g..%g uS", dev->g_min_us, dev->g_max_us);
#define EFFECT(cond, ...)                                       \
  do {                                                          \
    if (cond) {                                                 \
      size_t used_ = strlen(effects);                           \
      snprintf(effects + used_, len - used_, ", " __VA_ARGS__); \
    }                                                           \
  } while (0)
  EFFECT(dev->prog_model != RRAM_PROG_NONE && dev->prog_sigma > 0, "programming error");
  EFFECT(dev->d2d_sigma > 0, "d2d %g", dev->d2d_sigma);
  EFFECT(dev->read_noise > 0, "read noise %g", dev->read_noise);
  EFFECT(dev->stuck_gmin_rate > 0 || dev->stuck_gmax_rate > 0, "stuck %g/%g",
         dev->stuck_gmin_rate, dev->stuck_gmax_rate);
  EFFECT(dev->unformed_row_rate > 0 || dev->unformed_col_rate > 0 || dev->leaky_row_rate > 0 ||
             dev->leaky_col_rate > 0,
         "line defects");
  EFFECT(dev->weak_rate > 0, "weak cells %g", dev->weak_rate);
  EFFECT(dev->drift_nu_mean > 0 || dev->drift_nu_sigma > 0, "drift nu %g", dev->drift_nu_mean);
  EFFECT(dev->r_wl_ohm > 0 || dev->r_bl_ohm > 0, "IR drop %g/%g ohm, %s rows", dev->r_wl_ohm,
         dev->r_bl_ohm, dev->row_model == RRAM_ROWS_CONNECTED ? "connected" : "isolated");
  EFFECT(dev->adc_offset_lsb != 0 || dev->adc_offset_sigma_lsb > 0 || dev->adc_gain_err != 0 ||
             dev->adc_gain_sigma > 0 || dev->adc_inl_lsb > 0 || dev->adc_noise_lsb > 0,
         "ADC errors");
#undef EFFECT
  return 0;
}


void cli_program_cfg(const cli_opts *o, const rram_device *dev, cim_program_cfg *cfg) {
  cim_progcfg_for_device(dev, cfg);
  if (o->wv_tol >= 0) cfg->tol = o->wv_tol;
  if (o->wv_iter >= 0) cfg->max_iter = o->wv_iter;
}

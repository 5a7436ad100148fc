/* cim_progcfg.c: write-verify settings for a device (cim_progcfg.h). */
#include "cim_progcfg.h"

#include "rram_switch.h"

void cim_progcfg_for_device(const rram_device *dev, cim_program_cfg *cfg) {
  cim_program_cfg_default(cfg);
  if (rram_switch_is_ideal(dev)) {
    /* Ideal switching steps whole codes whatever the width: the shortest
     * pulse and read, the widest ramp. (Steeper ramps were tried: from the
     * macro's 1-code start, ramps that never oscillate between two codes on
     * every sense and cell width save at most 15 % of the pulses.) */
    cfg->tol = 0;
    cfg->max_iter = 64;
    cfg->width = 1;
    cfg->read_cycles = 1;
    cfg->set_max = 255;
    cfg->reset_max = 255;
  }
  cfg->sense_bits = rram_switch_sense_bits(dev);
}

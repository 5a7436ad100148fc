/* cim_progcfg.h: the write-verify settings that suit an analog device.
 *
 * Host side: the test bench knows the device model behind the macro and
 * picks engine settings for it, as a bring-up engineer would after
 * characterising a wafer. cim_mvm and cim_net share this one choice. */
#ifndef CIM_PROGCFG_H
#define CIM_PROGCFG_H

#include "cim_program.h"
#include "rram_device.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The macro's reset values (cim_program_cfg_default), except where the
 * device switches ideally (every pulse moves whole sense codes): then a
 * zero-width window, one-cycle pulses and reads, and the widest ramp, so
 * that every cell lands on its code. sense_bits follows the device. */
void cim_progcfg_for_device(const rram_device *dev, cim_program_cfg *cfg /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

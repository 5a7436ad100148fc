/* cim_fields.h: register field access by register and field name, from the
 * masks and positions PeakRDL generates into cim_regs.h. Firmware-internal:
 * the driver and the programming routine share it. */
#ifndef CIM_FIELDS_H
#define CIM_FIELDS_H

#include <stdint.h>

#include "cim_regs.h"

#define FIELD_GET(v, REG, FLD) \
  (((v) & (uint32_t)CIM_REGS__##REG##__##FLD##_bm) >> CIM_REGS__##REG##__##FLD##_bp)
#define FIELD_PREP(REG, FLD, x) \
  (((uint32_t)(x) << CIM_REGS__##REG##__##FLD##_bp) & (uint32_t)CIM_REGS__##REG##__##FLD##_bm)
#define FIELD_MAX(REG, FLD) \
  ((uint32_t)CIM_REGS__##REG##__##FLD##_bm >> CIM_REGS__##REG##__##FLD##_bp)

#endif

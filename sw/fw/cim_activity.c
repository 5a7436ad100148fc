/* cim_activity.c: the ACT_* counters (cim_activity.h). */
#include "cim_activity.h"

#include <stddef.h>

#include "cim_reg_enums.h"
#include "cim_regs.h"

/* Register offset and field of each counter, in struct order. */
static const struct {
  uint32_t off;
  size_t field;
} k_counters[] = {
    {CIM_REGS_ACT_PHASES_OFFSET, offsetof(cim_activity, phases)},
    {CIM_REGS_ACT_WORDLINES_OFFSET, offsetof(cim_activity, wordlines)},
    {CIM_REGS_ACT_CONVERSIONS_OFFSET, offsetof(cim_activity, conversions)},
    {CIM_REGS_ACT_SHIFT_ADDS_OFFSET, offsetof(cim_activity, shift_adds)},
    {CIM_REGS_ACT_PULSES_OFFSET, offsetof(cim_activity, pulses)},
    {CIM_REGS_ACT_READS_OFFSET, offsetof(cim_activity, reads)},
    {CIM_REGS_ACT_BUSY_OFFSET, offsetof(cim_activity, busy)},
};
#define N_COUNTERS (sizeof k_counters / sizeof k_counters[0])

static uint64_t *field_of(cim_activity *a, size_t i) {
  return (uint64_t *)(void *)((char *)a + k_counters[i].field);
}
static uint64_t value_of(const cim_activity *a, size_t i) {
  return *(const uint64_t *)(const void *)((const char *)a + k_counters[i].field);
}

int cim_activity_read(cim_dev *dev, cim_activity *now) {
  mmio_bus *bus = cim_get_bus(dev);
  for (size_t i = 0; i < N_COUNTERS; i++) {
    uint32_t v = 0;
    if (mmio_read32(bus, k_counters[i].off, &v) != MMIO_OK) return CIM_EBUS;
    *field_of(now, i) = v;
  }
  return CIM_OK;
}

int cim_activity_clear(cim_dev *dev) {
  return mmio_write32(cim_get_bus(dev), CIM_REGS_ACT_CTRL_OFFSET, CIM_REGS__ACT_CTRL__CLEAR_bm) ==
                 MMIO_OK
             ? CIM_OK
             : CIM_EBUS;
}

void cim_activity_add_delta(cim_activity *acc, const cim_activity *mark, const cim_activity *now) {
  for (size_t i = 0; i < N_COUNTERS; i++) {
    *field_of(acc, i) += (uint32_t)((uint32_t)value_of(now, i) - (uint32_t)value_of(mark, i));
  }
}

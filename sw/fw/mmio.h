/* mmio.h: the memory-mapped I/O HAL the driver is written against.
 *
 * On silicon these are volatile loads and stores plus a wait-for-interrupt;
 * in the testbench (tb/) each call is a real APB transfer driven cycle by
 * cycle against the RTL, and a bus error is the slave's PSLVERR. */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mmio_bus mmio_bus; /* opaque, owned by the platform */

enum mmio_status {
  MMIO_OK = 0,      /* transfer completed */
  MMIO_SLVERR = 1,  /* the slave answered PSLVERR: nothing was changed */
  MMIO_TIMEOUT = 2, /* the platform's cycle budget is spent; no transfer */
};

/* Write one 32-bit word at byte offset addr from the macro's base. */
int mmio_write32(mmio_bus *bus, uint32_t addr, uint32_t data);
/* Read one 32-bit word; *data is 0 on error. */
int mmio_read32(mmio_bus *bus, uint32_t addr, uint32_t *data /* OUT */);
/* Wait until the macro's interrupt line is high or max_cycles clock cycles
 * have passed. Returns 1 if the interrupt is high, 0 on timeout. */
int mmio_wait_irq(mmio_bus *bus, uint32_t max_cycles);
/* Let the clock run for cycles cycles with the bus idle. */
void mmio_delay(mmio_bus *bus, uint32_t cycles);
/* Clock cycles since reset (a free-running cycle counter on silicon). */
uint64_t mmio_cycles(const mmio_bus *bus);

#ifdef __cplusplus
}
#endif
#endif

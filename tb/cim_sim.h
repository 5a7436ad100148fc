/* cim_sim.h: C entry point to the SystemC co-simulation.
 *
 * cim_sim_run() elaborates the SystemC top (clock, reset, the verilated
 * periphery, the DPI glue to the analog model, the APB bus-functional model),
 * then runs firmware fw inside an SC_THREAD, where every mmio_* call is a
 * real APB transfer. SystemC can elaborate only once per process: call
 * cim_sim_run() at most once per process (Check's fork mode gives each test
 * its own). The array is the caller's; the RTL reaches it only through DPI. */
#ifndef CIM_SIM_H
#define CIM_SIM_H

#include <stdint.h>

#include "mmio.h"
#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int (*cim_fw_fn)(mmio_bus *bus, void *arg);

typedef struct cim_sim_opts {
  rram_array *array;      /* analog model behind DPI; required, not owned */
  const char *trace_path; /* FST waveform file; NULL: $CIM_TRACE if set, else none */
  uint32_t quantum;       /* cycles between SystemC time syncs; 0 = default (100) */
  uint64_t max_cycles;    /* watchdog: past this, every mmio call returns
                             MMIO_TIMEOUT; 0 = default (2e9) */
} cim_sim_opts;

typedef struct cim_sim_stats {
  uint64_t cycles;      /* DUT clock cycles run */
  double wall_seconds;  /* host time spent in the simulation */
  int watchdog_fired;   /* 1 if max_cycles was reached */
} cim_sim_stats;

/* Run fw(bus, arg) against the DUT. Returns fw's return value; stats may be
 * NULL. Prints the reason and returns -1 if the simulation cannot start. */
int cim_sim_run(const cim_sim_opts *opts, cim_fw_fn fw, void *arg, cim_sim_stats *stats);

/* Build parameters this simulator was verilated with (from the generated
 * configuration, the same make variables the RTL got). */
void cim_sim_geometry(rram_geometry *geo /* OUT */);
int cim_sim_w_bits(void);
int cim_sim_x_bits(void);
int cim_sim_p_max(void);

#ifdef __cplusplus
}
#endif
#endif

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
  const char *trace_path; /* FST waveform file; NULL: $CIM_TRACE if set, else none.
                             Checked before the run like any output
                             (cim_outfile_preflight: its folder takes a new
                             file, it is not a FIFO or device); a program
                             should run that preflight itself first, with
                             its inputs, to report it as a usage error */
  uint32_t quantum;       /* cycles between SystemC time syncs; 0 = default (100) */
  uint64_t max_cycles;    /* watchdog: past this, every mmio call returns
                             MMIO_TIMEOUT; 0 = default (2e9) */
  const char *inject;     /* tests only: a fault on the real path, e.g.
                             "out:3:0" (tb/cim_inject.h); NULL: $CIM_INJECT
                             if set, else none */
} cim_sim_opts;

typedef struct cim_sim_stats {
  uint64_t cycles;      /* DUT clock cycles run */
  double wall_seconds;  /* host time spent in the simulation */
  int watchdog_fired;   /* 1 if max_cycles was reached */
  /* An RTL assertion (or $stop) failed: the DUT was stopped at that edge
   * (every later mmio call returned MMIO_TIMEOUT) and cim_sim_run() returned
   * -1. assertion_msg names the first one, e.g.
   * "DriveOneCycle_A (rtl/cim_ctrl.sv:256, in cim_macro.u_ctrl) at cycle 1234";
   * assertion_cycle is its cycle (since time 0, reset included). */
  int assertion_failed;
  uint64_t assertion_cycle;
  char assertion_msg[256];
  /* The FST trace (trace_path or $CIM_TRACE) is written to a temporary file
   * beside it, checked when closed (its blocks complete, fstReaderOpen reads
   * it, its end time is the run's) and renamed over the path only then, for
   * passing and failing runs alike. trace_failed: that did not work out; no
   * trace file was written (an older file at the path is left as it was)
   * and trace_msg says why, e.g. "trace t.fst: write failed: No space left
   * on device" (also printed, prefixed "cim_sim: "). The simulation's own
   * result does not change: callers decide the exit status (cim_mvm: 3).
   * A SIGXFSZ while tracing (the file size limit) is caught: the write
   * fails with EFBIG and the check at the end reports it here. A SIGBUS
   * while tracing (the writer's memory-mapped temporary files on a full
   * file system or past the size limit) cannot return: the process prints
   * the same kind of line, removes the temporary files and exits with 3. */
  int trace_failed;
  char trace_msg[512];
} cim_sim_stats;

/* Run fw(bus, arg) against the DUT. Returns fw's return value; stats may be
 * NULL. Prints the reason and returns -1 if the simulation cannot start, if
 * the firmware never returned, if the analog model reported errors, or if
 * an RTL assertion failed (stats->assertion_failed, assertion_msg). */
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

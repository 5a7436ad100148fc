// cim_sim.cpp: cim_sim.h on top of cim_top: elaborate, run, report.
#include "cim_sim.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <systemc>

#include "cim_bfm.h"
#include "cim_top.h"

namespace {
bool g_elaborated = false;  // SystemC elaborates once per process
}  // namespace

extern "C" int cim_sim_run(const cim_sim_opts *opts, cim_fw_fn fw, void *arg,
                           cim_sim_stats *stats) {
  if (stats) *stats = cim_sim_stats{};
  // 1. The one-elaboration rule, then arguments and defaults (cim_bfm.h).
  if (g_elaborated) {
    std::fprintf(stderr, "cim_sim_run: called twice in one process; SystemC elaborates only once "
                         "(run each simulation in its own process, e.g. Check's fork mode)\n");
    return -1;
  }
  cim_top_cfg cfg{fw, arg, {}};
  if (cim_run_begin(opts, fw, &cfg.bfm) != 0) return -1;

  // 2. Elaborate: the top gets the model (the DPI glue already has the array).
  g_elaborated = true;
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // keep stdout for the programs
  auto top = std::make_unique<cim_top>("cim_top", cfg);

  // 3. Run until the firmware thread returns (it is the only process).
  auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  auto t1 = std::chrono::steady_clock::now();

  // 4. Final blocks, trace closed, verdict, coverage of passing runs.
  int result = cim_run_end(&top->bfm(), top->fw_returned(), top->fw_result());
  if (stats) {
    top->bfm().fill_stats(stats);
    stats->wall_seconds = std::chrono::duration<double>(t1 - t0).count();
  }
  return result;
}

// libsystemc.so defines main(), which calls sc_main(); the programs bring
// their own main() and call cim_sim_run(), but the library still needs the
// symbol.
int sc_main(int, char **) {
  std::fprintf(stderr, "sc_main: not used; the program's main() calls cim_sim_run()\n");
  return 1;
}

// cim_plain.cpp: cim_sim.h without SystemC: a plain C++ harness that runs
// the firmware on the calling thread and ticks the same --cc model through
// the same bus-functional model (cim_bfm.h) as the SystemC top.
//
// It exists to measure what SystemC costs (make bench) and to prove that it
// costs nothing else: with no time keeper to sync, the DUT sees the very
// input sequence the SystemC top gives it, so cycle counts, results and
// waves are identical (make test-harness). The quantum is accepted and
// ignored. There is no elaboration, so a process may call cim_sim_run() more
// than once; the programs built on this harness need not rely on that.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cim_bfm.h"
#include "cim_sim.h"

extern "C" int cim_sim_run(const cim_sim_opts *opts, cim_fw_fn fw, void *arg,
                           cim_sim_stats *stats) {
  if (stats) *stats = cim_sim_stats{};
  // 1. Arguments and defaults; the DPI glue gets the array.
  cim_bfm_cfg cfg{};
  if (cim_run_begin(opts, fw, &cfg) != 0) return -1;
  // 2. The model and its bus master; nothing keeps time outside the DUT.
  auto bfm = std::make_unique<cim_bfm>(cfg);

  // 3. Reset, then the firmware on this thread.
  auto t0 = std::chrono::steady_clock::now();
  bfm->reset();
  bfm->note_op("firmware (between mmio calls)", 0);
  int fw_result = fw(bfm->bus(), arg);
  bfm->note_op("after the firmware returned", 0);
  bfm->sync();
  auto t1 = std::chrono::steady_clock::now();

  // 4. Final blocks, trace closed, verdict.
  int result = cim_run_end(bfm.get(), true, fw_result);
  if (stats) {
    bfm->fill_stats(stats);
    stats->wall_seconds = std::chrono::duration<double>(t1 - t0).count();
  }
  return result;
}

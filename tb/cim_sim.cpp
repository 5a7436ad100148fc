// cim_sim.cpp: cim_sim.h on top of cim_top: elaborate, run, report.
#include "cim_sim.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <systemc>

#include "cim_cfg.h"
#include "cim_dpi.h"
#include "cim_top.h"

namespace {
constexpr uint32_t kDefaultQuantum = 100;
constexpr uint64_t kDefaultMaxCycles = 2000000000ull;
bool g_elaborated = false;  // SystemC elaborates once per process

// A setup error: say why, change nothing, return -1.
int setup_error(const char *why) {
  std::fprintf(stderr, "cim_sim_run: %s\n", why);
  return -1;
}

// The array behind DPI must have the geometry the RTL was built with.
bool geometry_matches(const rram_array *a) {
  rram_geometry want;
  cim_sim_geometry(&want);
  const rram_geometry *got = rram_array_geometry(a);
  if (got->rows == want.rows && got->cols == want.cols && got->cell_bits == want.cell_bits &&
      got->adc_bits == want.adc_bits && got->cols_per_adc == want.cols_per_adc) {
    return true;
  }
  std::fprintf(stderr,
               "cim_sim_run: the array is %dx%d, cell_bits %d, adc_bits %d, cols_per_adc %d, "
               "but the RTL was built %dx%d, cell_bits %d, adc_bits %d, cols_per_adc %d\n",
               got->rows, got->cols, got->cell_bits, got->adc_bits, got->cols_per_adc, want.rows,
               want.cols, want.cell_bits, want.adc_bits, want.cols_per_adc);
  return false;
}
}  // namespace

extern "C" int cim_sim_run(const cim_sim_opts *opts, cim_fw_fn fw, void *arg,
                           cim_sim_stats *stats) {
  if (stats) *stats = cim_sim_stats{};
  // 1. Arguments and the one-elaboration rule.
  if (!opts || !fw) return setup_error("opts and fw are required");
  if (!opts->array) return setup_error("opts->array is required (the analog model behind DPI)");
  if (g_elaborated) {
    return setup_error("called twice in one process; SystemC elaborates only once "
                       "(run each simulation in its own process, e.g. Check's fork mode)");
  }
  if (!geometry_matches(opts->array)) return -1;
  // $CIM_TRACE dumps waves of any run, e.g. a failing test's repro line.
  const char *trace = opts->trace_path ? opts->trace_path : std::getenv("CIM_TRACE");
  if (trace && !*trace) trace = nullptr;
  if (trace) {  // fail here, with a reason, rather than inside the tracer
    std::FILE *f = std::fopen(trace, "wb");
    if (!f) {
      std::perror(trace);
      return setup_error("cannot create the trace file");
    }
    std::fclose(f);
  }
  cim_top_cfg cfg{fw, arg, trace, opts->quantum ? opts->quantum : kDefaultQuantum,
                  opts->max_cycles ? opts->max_cycles : kDefaultMaxCycles};

  // 2. Elaborate: the DPI glue gets the array, the top gets the model.
  g_elaborated = true;
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // keep stdout for the programs
  cim_dpi_set_array(opts->array);
  auto top = std::make_unique<cim_top>("cim_top", cfg);

  // 3. Run until the firmware thread returns (it is the only process).
  auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  auto t1 = std::chrono::steady_clock::now();

  // 4. Final blocks, trace closed, coverage of passing runs.
  top->finish();
  int result = top->fw_result();
  unsigned long dpi_errors = cim_dpi_error_count();
  cim_dpi_set_array(nullptr);
  if (!top->fw_returned()) {
    std::fprintf(stderr, "cim_sim_run: the simulation ended before the firmware returned\n");
    result = -1;
  } else if (dpi_errors) {
    std::fprintf(stderr, "cim_sim_run: %lu analog model error(s) through DPI; run failed\n",
                 dpi_errors);
    result = -1;
  }
#if VM_COVERAGE
  if (result == 0) {
    const char *cov = std::getenv("CIM_COVERAGE_DAT");
    top->write_coverage(cov && *cov ? cov : "coverage.dat");
  }
#endif
  if (stats) {
    stats->cycles = top->cycles();
    stats->wall_seconds = std::chrono::duration<double>(t1 - t0).count();
    stats->watchdog_fired = top->watchdog_fired();
  }
  return result;
}

extern "C" void cim_sim_geometry(rram_geometry *geo) {
  geo->rows = CIM_CFG_ROWS;
  geo->cols = CIM_CFG_COLS;
  geo->cell_bits = CIM_CFG_CELL_BITS;
  geo->adc_bits = CIM_CFG_ADC_BITS;
  geo->cols_per_adc = CIM_CFG_COLS_PER_ADC;
}

extern "C" int cim_sim_w_bits(void) { return CIM_CFG_W_BITS; }
extern "C" int cim_sim_x_bits(void) { return CIM_CFG_X_BITS; }
extern "C" int cim_sim_p_max(void) { return CIM_CFG_P_MAX; }

// libsystemc.so defines main(), which calls sc_main(); the programs bring
// their own main() and call cim_sim_run(), but the library still needs the
// symbol.
int sc_main(int, char **) {
  std::fprintf(stderr, "sc_main: not used; the program's main() calls cim_sim_run()\n");
  return 1;
}

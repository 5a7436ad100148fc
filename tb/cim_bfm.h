// cim_bfm.h: the verilated DUT and the APB4 bus-functional model behind
// sw/fw/mmio.h, shared by every harness.
//
// cim_bfm owns the --cc model (in its own VerilatedContext), its optional FST
// dump, the clock (tick(): clock low, eval, clock high, eval), reset, the APB
// master, the interrupt wait, the cycle counter and the watchdog. It knows
// nothing about SystemC: a harness that keeps a separate notion of time
// passes a sync hook, called with the cycles run since the last call once
// every `quantum` cycles and at idle points (the end of reset, mmio_delay,
// mmio_wait_irq, the end of the firmware). The SystemC top (cim_top) makes
// the hook a wait() on SystemC time; the plain C++ harness (tb/plain/) has
// no hook. The DUT sees exactly the same input sequence either way, so cycle
// counts, results and waves are the same in every harness and quantum.
//
// The helpers after the class are the parts of cim_sim_run() (cim_sim.h)
// that do not depend on the harness: argument checks, defaults, the DPI
// registration and the end-of-run verdict.
#ifndef CIM_BFM_H
#define CIM_BFM_H

#include <cstdint>
#include <memory>

#include "cim_sim.h"

class Vcim_macro;
class VerilatedContext;
class VerilatedFstC;
class cim_bfm;
struct cim_outfile;

// The platform behind sw/fw/mmio.h's opaque handle.
struct mmio_bus {
  cim_bfm *bfm;
};

// Called with the cycles run since the last call (>= 1).
typedef void (*cim_bfm_sync_fn)(void *ctx, uint32_t cycles);

// What a harness hands the bus-functional model; defaults already resolved.
struct cim_bfm_cfg {
  const char *trace_path;   // FST file or nullptr
  uint32_t quantum;         // cycles between sync calls, >= 1
  uint64_t max_cycles;      // watchdog, >= 1
  cim_bfm_sync_fn sync;     // nullptr: nothing keeps time outside the DUT
  void *sync_ctx;
  uint32_t apb_glitch_at;   // tests only: the apb:N fault (tb/cim_inject.h), 0 = none
};

class cim_bfm {
 public:
  explicit cim_bfm(const cim_bfm_cfg &cfg);
  ~cim_bfm();
  cim_bfm(const cim_bfm &) = delete;
  cim_bfm &operator=(const cim_bfm &) = delete;

  mmio_bus *bus() { return &bus_; }
  // Reset sequence: rst_ni low for a few cycles, released, idle cycles.
  void reset();
  // Hand the cycles run since the last sync to the sync hook.
  void sync();
  // Record what the firmware is doing, for the watchdog's message.
  void note_op(const char *op, uint32_t addr);
  // Run the model's final blocks and close the trace: check it and rename
  // it over its path, or remove it and record why (trace_failed()). Call
  // once at the end, also for a failed run (its waves are the useful ones).
  void finish();
  // Write the model's coverage (a no-op unless built with VM_COVERAGE).
  void write_coverage(const char *path);

  uint64_t cycles() const { return cycles_; }
  uint64_t cycles_since_reset() const { return cycles_ - reset_cycles_; }
  bool watchdog_fired() const { return timed_out_; }
  // The first RTL assertion (or $stop) that failed; .failed is 0 if none.
  struct assertion_info {
    int failed = 0;
    uint64_t cycle = 0;
    char msg[sizeof(cim_sim_stats::assertion_msg)] = "";
  };
  const assertion_info &assertion() const { return assertion_; }
  // Called by Verilator's $stop hook (vl_stop_maybe, cim_bfm.cpp) during an
  // eval: record the failure; the tick then stops the DUT.
  void rtl_stop(const char *file, int line, const char *msg);
  // Copy the end-of-run figures into *stats (every harness).
  void fill_stats(cim_sim_stats *stats) const;
  // The trace could not be written whole; the reason, "trace FILE: write
  // failed: ...". Known after finish().
  bool trace_failed() const { return trace_failed_; }
  const char *trace_msg() const { return trace_msg_; }

  // The mmio HAL (sw/fw/mmio.h semantics).
  int apb_transfer(bool write, uint32_t addr, uint32_t wdata, uint32_t *rdata);
  int wait_irq(uint32_t max_cycles);
  void delay(uint32_t cycles);

 private:
  void tick();       // one clock cycle: low half, then high half
  void tick_low();   // clock low, eval, dump (inputs settle for the edge)
  void tick_high();  // rising edge, eval; the dump waits for the next inputs
  bool stopped();    // watchdog or $finish: no more transfers
  // The trace through a temporary file (cim_bfm.cpp, "the trace").
  void trace_open();
  void trace_close();
  void trace_fail(const char *reason);

  cim_bfm_cfg cfg_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vcim_macro> dut_;
  std::unique_ptr<VerilatedFstC> tfp_;
  mmio_bus bus_;
  uint64_t half_units_;     // half a clock period in the context's time units
  uint64_t cycles_ = 0;     // rising edges since time 0 (reset included)
  uint64_t reset_cycles_ = 0;
  uint32_t pending_ = 0;    // cycles run since the last sync
  bool pos_dump_ = false;   // a rising edge waits to be dumped
  bool watchdog_ = false;    // stopped (watchdog, $finish or an assertion)
  bool timed_out_ = false;   // stopped by the watchdog
  assertion_info assertion_;
  int rtl_failures_ = 0;     // assertions and $stops, the first included
  uint32_t transfers_ = 0;   // APB transfers since reset (apb_glitch_at)
  uint64_t calls_after_stop_ = 0;
  const char *op_ = "reset";  // what the firmware is doing, for the watchdog
  uint32_t op_addr_ = 0;
  uint64_t op_cycle_ = 0;
  bool finished_ = false;
  cim_outfile *trace_out_ = nullptr;  // the trace's temporary file until finish()
  bool trace_failed_ = false;
  char trace_msg_[sizeof(cim_sim_stats::trace_msg)] = "";
};

// Clock period of the DUT in ns (every harness; SystemC time advances by
// this per cycle).
constexpr double kCimClockPeriodNs = 10.0;
// Quantum when cim_sim_opts.quantum is 0.
constexpr uint32_t kCimDefaultQuantum = 100;

// Check opts and fw, resolve the defaults and $CIM_TRACE into *cfg (sync
// left empty), register the array with the DPI glue. Returns 0, or prints
// the reason (prefixed "cim_sim_run: ") and returns -1 with nothing changed.
int cim_run_begin(const cim_sim_opts *opts, cim_fw_fn fw, cim_bfm_cfg *cfg /* OUT */);
// After the firmware: unregister the array and turn fw's result into
// cim_sim_run()'s (-1 if the firmware never returned or the DPI glue
// counted model errors; printed). Writes coverage of passing runs.
int cim_run_end(cim_bfm *bfm, bool fw_returned, int fw_result);

#endif

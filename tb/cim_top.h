// cim_top.h: the SystemC top of the co-simulation.
//
// One SC_MODULE owns the verilated periphery (a --cc model in its own
// VerilatedContext) and one SC_THREAD, the firmware. The firmware is the only
// driver of the DUT: every mmio_* call (sw/mmio.h, implemented here as an APB4
// master) ticks the model cycle by cycle, and SystemC time catches up by
// wait(pending * period) once per quantum and at idle points (mmio_delay,
// mmio_wait_irq, the end): TLM-2.0 temporal decoupling. There is no sc_clock;
// the DUT clock exists only inside tick(). A quantum of 1 syncs every cycle,
// for tests whose other SystemC processes must see the DUT every cycle.
#ifndef CIM_TOP_H
#define CIM_TOP_H

#include <cstdint>
#include <memory>
#include <systemc>

#include "cim_sim.h"

class Vcim_macro;
class VerilatedContext;
class VerilatedFstC;
class cim_top;

// The platform behind sw/mmio.h's opaque handle.
struct mmio_bus {
  cim_top *top;
};

// What cim_sim_run() hands the top; defaults already resolved.
struct cim_top_cfg {
  cim_fw_fn fw;
  void *arg;
  const char *trace_path;  // FST file or nullptr
  uint32_t quantum;        // cycles between time syncs, >= 1
  uint64_t max_cycles;     // watchdog, >= 1
};

class cim_top : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(cim_top);
  cim_top(sc_core::sc_module_name name, const cim_top_cfg &cfg);
  ~cim_top() override;

  // After sc_start() returned.
  bool fw_returned() const { return fw_returned_; }
  int fw_result() const { return fw_result_; }
  uint64_t cycles() const { return cycles_; }
  bool watchdog_fired() const { return watchdog_; }
  // Run the model's final blocks and close the trace; call once at the end.
  void finish();
  // Write the model's coverage (a no-op unless built with VM_COVERAGE).
  void write_coverage(const char *path);

  // The mmio HAL (sw/mmio.h semantics).
  int apb_transfer(bool write, uint32_t addr, uint32_t wdata, uint32_t *rdata);
  int wait_irq(uint32_t max_cycles);
  void delay(uint32_t cycles);
  uint64_t cycles_since_reset() const { return cycles_ - reset_cycles_; }

 private:
  void fw_thread();
  void reset();
  void tick();       // one clock cycle: low half, then high half
  void tick_low();   // clock low, eval, dump (inputs settle for the edge)
  void tick_high();  // rising edge, eval; the dump waits for the next inputs
  void sync();       // let SystemC time catch up with the cycles run
  bool stopped();    // watchdog or $finish: no more transfers
  void note_op(const char *op, uint32_t addr);

  cim_top_cfg cfg_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vcim_macro> dut_;
  std::unique_ptr<VerilatedFstC> tfp_;
  mmio_bus bus_;
  sc_core::sc_time period_;
  uint64_t half_units_;     // half a clock period in the context's time units
  uint64_t cycles_ = 0;     // rising edges since time 0 (reset included)
  uint64_t reset_cycles_ = 0;
  uint32_t pending_ = 0;    // cycles run since the last sync
  bool pos_dump_ = false;   // a rising edge waits to be dumped
  bool watchdog_ = false;
  uint64_t calls_after_stop_ = 0;
  const char *op_ = "reset";  // what the firmware is doing, for the watchdog
  uint32_t op_addr_ = 0;
  uint64_t op_cycle_ = 0;
  bool fw_returned_ = false;
  int fw_result_ = -1;
  bool finished_ = false;
};

#endif

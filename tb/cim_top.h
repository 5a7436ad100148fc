// cim_top.h: the SystemC top of the co-simulation.
//
// One SC_MODULE owns the bus-functional model (cim_bfm.h: the verilated
// periphery as a --cc model in its own VerilatedContext, its clock, reset
// and APB master) and one SC_THREAD, the firmware. The firmware is the only
// driver of the DUT: every mmio_* call ticks the model cycle by cycle, and
// SystemC time catches up by wait(pending * period) once per quantum and at
// idle points (mmio_delay, mmio_wait_irq, the end): TLM-2.0 temporal
// decoupling. There is no sc_clock; the DUT clock exists only inside the
// model's tick. A quantum of 1 syncs every cycle, for tests whose other
// SystemC processes must see the DUT every cycle. The plain C++ harness
// (tb/plain/) drives the same cim_bfm without SystemC.
#ifndef CIM_TOP_H
#define CIM_TOP_H

#include <cstdint>
#include <systemc>

#include "cim_bfm.h"
#include "cim_sim.h"

// What cim_sim_run() hands the top; defaults already resolved.
struct cim_top_cfg {
  cim_fw_fn fw;
  void *arg;
  cim_bfm_cfg bfm;  // its sync hook is set by the top
};

class cim_top : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(cim_top);
  cim_top(sc_core::sc_module_name name, const cim_top_cfg &cfg);
  ~cim_top() override;

  // After sc_start() returned.
  bool fw_returned() const { return fw_returned_; }
  int fw_result() const { return fw_result_; }
  cim_bfm &bfm() { return *bfm_; }

 private:
  void fw_thread();
  static void sync_hook(void *self, uint32_t cycles);  // wait(cycles * period)

  cim_top_cfg cfg_;
  std::unique_ptr<cim_bfm> bfm_;
  sc_core::sc_time period_;
  bool fw_returned_ = false;
  int fw_result_ = -1;
};

#endif

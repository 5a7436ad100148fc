// cim_top.cpp: the SystemC top: the firmware thread over the shared
// bus-functional model, SystemC time kept by temporal decoupling
// (cim_top.h).
#include "cim_top.h"

namespace {
// SC_THREAD stack: firmware keeps whole matrices in locals.
constexpr std::size_t kFwStackBytes = 16u << 20;
}  // namespace

cim_top::cim_top(sc_core::sc_module_name name, const cim_top_cfg &cfg)
    : sc_core::sc_module(name), cfg_(cfg), period_(kCimClockPeriodNs, sc_core::SC_NS) {
  // 1. The model and its bus master; SystemC time follows through the hook.
  cfg_.bfm.sync = &cim_top::sync_hook;
  cfg_.bfm.sync_ctx = this;
  bfm_ = std::make_unique<cim_bfm>(cfg_.bfm);
  // 2. The firmware thread, the only process.
  SC_THREAD(fw_thread);
  set_stack_size(kFwStackBytes);
}

cim_top::~cim_top() = default;

void cim_top::fw_thread() {
  bfm_->reset();
  bfm_->note_op("firmware (between mmio calls)", 0);
  fw_result_ = cfg_.fw(bfm_->bus(), cfg_.arg);
  fw_returned_ = true;
  bfm_->note_op("after the firmware returned", 0);
  bfm_->sync();
}

void cim_top::sync_hook(void *self, uint32_t cycles) {
  auto *top = static_cast<cim_top *>(self);
  sc_core::wait(top->period_ * static_cast<double>(cycles));
}

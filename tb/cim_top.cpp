// cim_top.cpp: the SystemC top and the APB bus-functional model behind
// sw/mmio.h. See cim_top.h for the timing model.
#include "cim_top.h"

#include <cstdio>
#include <cstdlib>

#include <systemc>
using sc_core::sc_time_stamp;  // verilated.h wants it declared under VM_SC
#include "Vcim_macro.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {
// Clock period of the DUT; SystemC time advances by this per cycle.
constexpr double kPeriodNs = 10.0;
// Cycles with rst_ni low, then idle cycles before the firmware starts.
constexpr int kResetCycles = 4;
constexpr int kPostResetCycles = 2;
// Byte addresses the 14-bit PADDR can reach.
constexpr uint32_t kAddrMask = 0x3fffu;
// mmio calls tolerated after the watchdog before the process gives up on a
// firmware that ignores MMIO_TIMEOUT.
constexpr uint64_t kMaxCallsAfterStop = 1000000u;
// SC_THREAD stack: firmware keeps whole matrices in locals.
constexpr std::size_t kFwStackBytes = 16u << 20;
}  // namespace

cim_top::cim_top(sc_core::sc_module_name name, const cim_top_cfg &cfg)
    : sc_core::sc_module(name), cfg_(cfg), period_(kPeriodNs, sc_core::SC_NS) {
  bus_.top = this;
  // 1. The model, in its own context (time is set by tick(), not by SystemC).
  ctx_ = std::make_unique<VerilatedContext>();
  if (cfg_.trace_path) ctx_->traceEverOn(true);
  dut_ = std::make_unique<Vcim_macro>(ctx_.get(), "TOP");
  // 2. Half a period in the context's units (timeprecision -12 = 1 ps).
  int prec = -ctx_->timeprecision();
  uint64_t half = 1;
  for (int p = 9; p < prec; ++p) half *= 10;  // 1 ns in context units
  half_units_ = static_cast<uint64_t>(kPeriodNs / 2 * static_cast<double>(half));
  if (half_units_ == 0) half_units_ = 1;
  // 3. Waves, opt-in: FST through the model's own tracer.
  if (cfg_.trace_path) {
    tfp_ = std::make_unique<VerilatedFstC>();
    dut_->trace(tfp_.get(), 99);
    tfp_->open(cfg_.trace_path);
  }
  // 4. The firmware thread, the only process.
  SC_THREAD(fw_thread);
  set_stack_size(kFwStackBytes);
}

cim_top::~cim_top() = default;

void cim_top::fw_thread() {
  reset();
  note_op("firmware (between mmio calls)", 0);
  fw_result_ = cfg_.fw(&bus_, cfg_.arg);
  fw_returned_ = true;
  note_op("after the firmware returned", 0);
  sync();
}

void cim_top::reset() {
  // Bus idle, reset asserted asynchronously at time 0.
  dut_->clk_i = 0;
  dut_->rst_ni = 1;
  dut_->psel_i = 0;
  dut_->penable_i = 0;
  dut_->pwrite_i = 0;
  dut_->paddr_i = 0;
  dut_->pwdata_i = 0;
  ctx_->time(0);
  dut_->eval();
  dut_->rst_ni = 0;
  dut_->eval();
  if (tfp_) tfp_->dump(0);
  for (int i = 0; i < kResetCycles; ++i) tick();
  dut_->rst_ni = 1;  // released after a rising edge, like any other input
  for (int i = 0; i < kPostResetCycles; ++i) tick();
  reset_cycles_ = cycles_;
  sync();
}

void cim_top::tick_low() {
  if (pos_dump_) {  // the last rising edge, now with the inputs applied after it
    dut_->eval();
    tfp_->dump(cycles_ * 2 * half_units_);
    pos_dump_ = false;
  }
  dut_->clk_i = 0;
  ctx_->time((cycles_ * 2 + 1) * half_units_);
  dut_->eval();
  if (tfp_) tfp_->dump((cycles_ * 2 + 1) * half_units_);
}

void cim_top::tick_high() {
  ++cycles_;
  dut_->clk_i = 1;
  ctx_->time(cycles_ * 2 * half_units_);
  dut_->eval();
  if (tfp_) pos_dump_ = true;
  if (!watchdog_ && cycles_ >= cfg_.max_cycles) {
    watchdog_ = true;
    std::fprintf(stderr,
                 "cim_sim: watchdog: max_cycles=%llu reached in %s(0x%04x), in progress since "
                 "cycle %llu; every mmio call now returns MMIO_TIMEOUT\n",
                 static_cast<unsigned long long>(cfg_.max_cycles), op_, op_addr_,
                 static_cast<unsigned long long>(op_cycle_));
  }
  if (!watchdog_ && ctx_->gotFinish()) {
    watchdog_ = true;  // no more transfers after $finish
    std::fprintf(stderr, "cim_sim: the DUT called $finish at cycle %llu in %s(0x%04x)\n",
                 static_cast<unsigned long long>(cycles_), op_, op_addr_);
  }
  if (++pending_ >= cfg_.quantum) sync();
}

void cim_top::tick() {
  tick_low();
  tick_high();
}

void cim_top::sync() {
  if (pending_ == 0) return;
  sc_core::wait(period_ * static_cast<double>(pending_));
  pending_ = 0;
}

bool cim_top::stopped() {
  if (!watchdog_) return false;
  if (++calls_after_stop_ == kMaxCallsAfterStop) {
    std::fprintf(stderr,
                 "cim_sim: the firmware made %llu mmio calls after the watchdog without "
                 "returning; giving up\n",
                 static_cast<unsigned long long>(kMaxCallsAfterStop));
    finish();
    std::fflush(nullptr);
    std::_Exit(3);
  }
  return true;
}

void cim_top::note_op(const char *op, uint32_t addr) {
  op_ = op;
  op_addr_ = addr;
  op_cycle_ = cycles_;
}

// APB4 master: setup phase (PSEL), access phase (PENABLE) held until PREADY,
// PRDATA/PSLVERR sampled at the completing rising edge. Back-to-back transfers
// go straight from access to the next setup phase, as APB allows.
int cim_top::apb_transfer(bool write, uint32_t addr, uint32_t wdata, uint32_t *rdata) {
  if (rdata) *rdata = 0;
  if (stopped()) return MMIO_TIMEOUT;
  note_op(write ? "mmio_write32" : "mmio_read32", addr);
  if (addr & ~kAddrMask) {  // outside the macro's 16 KiB: the interconnect's decode error
    std::fprintf(stderr, "cim_sim: %s(0x%08x): address outside the macro, decode error\n", op_,
                 addr);
    return MMIO_SLVERR;
  }
  // Setup phase.
  dut_->psel_i = 1;
  dut_->penable_i = 0;
  dut_->pwrite_i = write;
  dut_->paddr_i = addr;
  dut_->pwdata_i = write ? wdata : 0;
  tick();
  // Access phase: the slave's outputs as they stand just before each edge.
  dut_->penable_i = 1;
  bool ready = false;
  bool err = false;
  uint32_t data = 0;
  while (!ready) {
    if (watchdog_) break;
    tick_low();
    ready = dut_->pready_o;
    err = dut_->pslverr_o;
    data = dut_->prdata_o;
    tick_high();
  }
  dut_->psel_i = 0;
  dut_->penable_i = 0;
  dut_->pwrite_i = 0;
  note_op("firmware (between mmio calls)", addr);
  if (!ready) return MMIO_TIMEOUT;
  if (err) return MMIO_SLVERR;
  if (rdata && !write) *rdata = data;
  return MMIO_OK;
}

int cim_top::wait_irq(uint32_t max_cycles) {
  if (stopped()) return 0;
  note_op("mmio_wait_irq", 0);
  dut_->eval();  // inputs changed since the last edge
  int hit = 0;
  for (uint32_t n = 0;; ++n) {
    if (dut_->irq_o) {
      hit = 1;
      break;
    }
    if (n >= max_cycles || watchdog_) break;
    tick();
  }
  note_op("firmware (between mmio calls)", 0);
  sync();
  return hit;
}

void cim_top::delay(uint32_t cycles) {
  if (stopped()) return;
  note_op("mmio_delay", 0);
  for (uint32_t n = 0; n < cycles && !watchdog_; ++n) tick();
  note_op("firmware (between mmio calls)", 0);
  sync();
}

void cim_top::finish() {
  if (finished_) return;
  finished_ = true;
  if (pos_dump_) {
    dut_->eval();
    tfp_->dump(cycles_ * 2 * half_units_);
    pos_dump_ = false;
  }
  dut_->final();
  if (tfp_) tfp_->close();
}

void cim_top::write_coverage(const char *path) {
#if VM_COVERAGE
  ctx_->coveragep()->write(path);
#else
  (void)path;
#endif
}

// ---- sw/mmio.h on this platform ----
extern "C" {

int mmio_write32(mmio_bus *bus, uint32_t addr, uint32_t data) {
  return bus->top->apb_transfer(true, addr, data, nullptr);
}

int mmio_read32(mmio_bus *bus, uint32_t addr, uint32_t *data) {
  return bus->top->apb_transfer(false, addr, 0, data);
}

int mmio_wait_irq(mmio_bus *bus, uint32_t max_cycles) { return bus->top->wait_irq(max_cycles); }

void mmio_delay(mmio_bus *bus, uint32_t cycles) { bus->top->delay(cycles); }

uint64_t mmio_cycles(const mmio_bus *bus) { return bus->top->cycles_since_reset(); }

}  // extern "C"

// cim_bfm.cpp: the verilated DUT, its clock and reset, and the APB4
// bus-functional model behind sw/mmio.h, for every harness (cim_bfm.h).
#include "cim_bfm.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "Vcim_macro.h"
#include "cim_cfg.h"
#include "cim_dpi.h"
#include "cim_inject.h"
#include "cim_reg_enums.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {
// Cycles with rst_ni low, then idle cycles before the firmware starts.
constexpr int kResetCycles = 4;
constexpr int kPostResetCycles = 2;
// Byte addresses PADDR can reach (its width is the register map's).
constexpr uint32_t kAddrMask = (1u << CIM_REGS_ADDR_WIDTH) - 1u;
// mmio calls tolerated after the watchdog before the process gives up on a
// firmware that ignores MMIO_TIMEOUT.
constexpr uint64_t kMaxCallsAfterStop = 1000000u;
constexpr uint64_t kDefaultMaxCycles = 2000000000ull;

// The model that Verilator's $stop and assertion hooks report to (the one
// being simulated; one at a time per process), and the last error line
// Verilator printed (the assertion's message precedes its $stop).
cim_bfm *g_active_bfm = nullptr;
std::string g_vl_last_error;
}  // namespace

// ---- Verilator's hooks (tb/cim_vl_user.h) ----

int cim_vl_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0u, '\0');
  if (n > 0) std::vsnprintf(&text[0], text.size() + 1, fmt, ap2);
  va_end(ap2);
  std::fputs(text.c_str(), stdout);
  size_t at = text.find("%Error");
  if (at != std::string::npos) {
    size_t end = text.find('\n', at);
    g_vl_last_error = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return n;
}

// $stop, and every failing assertion after its message: record it, and let
// the bus-functional model stop the DUT at the end of this edge.
void vl_stop_maybe(const char *filename, int linenum, const char *hier, bool maybe) {
  (void)hier;
  (void)maybe;
  Verilated::threadContextp()->errorCountInc();
  std::string msg = g_vl_last_error;
  g_vl_last_error.clear();
  if (g_active_bfm) {
    g_active_bfm->rtl_stop(filename, linenum, msg.c_str());
    return;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "cim_sim: RTL $stop or assertion at %s:%d outside a simulation: %s\n",
               filename ? filename : "?", linenum, msg.c_str());
  std::fflush(nullptr);
  std::_Exit(3);
}

// Verilator's fatal errors (the model cannot go on): say so and exit 3.
void vl_fatal(const char *filename, int linenum, const char *hier, const char *msg) {
  (void)hier;
  Verilated::threadContextp()->gotError(true);
  Verilated::threadContextp()->gotFinish(true);
  std::fflush(stdout);
  std::fprintf(stderr, "cim_sim: Verilator fatal error at %s:%d: %s; the simulation cannot go on\n",
               filename && *filename ? filename : "?", linenum, msg ? msg : "");
  std::fflush(nullptr);
  std::_Exit(3);
}

void cim_bfm::rtl_stop(const char *file, int line, const char *msg) {
  ++rtl_failures_;
  if (assertion_.failed) return;  // the first one is the cause
  assertion_.failed = 1;
  assertion_.cycle = cycles_;
  // "[t] %Error: cim_ctrl.sv:256: Assertion failed in cim_macro.u_ctrl.DriveOneCycle_A: ..."
  std::string name = "$stop";
  std::string where;
  const char *in = std::strstr(msg, "Assertion failed in ");
  if (in) {
    std::string path(in + std::strlen("Assertion failed in "));
    path = path.substr(0, path.find_first_of(": "));
    size_t dot = path.rfind('.');
    name = dot == std::string::npos ? path : path.substr(dot + 1);
    where = dot == std::string::npos ? std::string() : ", in " + path.substr(0, dot);
  } else if (*msg) {
    name = msg;
  }
  std::snprintf(assertion_.msg, sizeof assertion_.msg, "%s (%s:%d%s) at cycle %llu",
                name.c_str(), file && *file ? file : "?", line, where.c_str(),
                static_cast<unsigned long long>(cycles_));
}

cim_bfm::cim_bfm(const cim_bfm_cfg &cfg) : cfg_(cfg) {
  bus_.bfm = this;
  // 1. The model, in its own context (time is set by tick(), not by a kernel).
  ctx_ = std::make_unique<VerilatedContext>();
  if (cfg_.trace_path) ctx_->traceEverOn(true);
  dut_ = std::make_unique<Vcim_macro>(ctx_.get(), "TOP");
  g_active_bfm = this;  // $stop and assertions report here (rtl_stop)
  // 2. Half a period in the context's units (timeprecision -12 = 1 ps).
  int prec = -ctx_->timeprecision();
  uint64_t half = 1;
  for (int p = 9; p < prec; ++p) half *= 10;  // 1 ns in context units
  half_units_ = static_cast<uint64_t>(kCimClockPeriodNs / 2 * static_cast<double>(half));
  if (half_units_ == 0) half_units_ = 1;
  // 3. Waves, opt-in: FST through the model's own tracer.
  if (cfg_.trace_path) {
    tfp_ = std::make_unique<VerilatedFstC>();
    dut_->trace(tfp_.get(), 99);
    tfp_->open(cfg_.trace_path);
  }
}

cim_bfm::~cim_bfm() {
  if (g_active_bfm == this) g_active_bfm = nullptr;
}

void cim_bfm::reset() {
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

void cim_bfm::tick_low() {
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

void cim_bfm::tick_high() {
  ++cycles_;
  dut_->clk_i = 1;
  ctx_->time(cycles_ * 2 * half_units_);
  dut_->eval();
  if (tfp_) pos_dump_ = true;
  if (!watchdog_ && assertion_.failed) {
    watchdog_ = true;  // stopped like the watchdog: every mmio call now fails
    std::fflush(stdout);
    std::fprintf(stderr,
                 "cim_sim: RTL assertion failed: %s, in %s(0x%04x); the DUT is stopped, every "
                 "mmio call now returns MMIO_TIMEOUT\n",
                 assertion_.msg, op_, op_addr_);
  }
  if (!watchdog_ && cycles_ >= cfg_.max_cycles) {
    watchdog_ = true;
    timed_out_ = true;
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

void cim_bfm::tick() {
  tick_low();
  tick_high();
}

void cim_bfm::sync() {
  if (pending_ == 0) return;
  uint32_t n = pending_;
  pending_ = 0;
  if (cfg_.sync) cfg_.sync(cfg_.sync_ctx, n);
}

bool cim_bfm::stopped() {
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

void cim_bfm::note_op(const char *op, uint32_t addr) {
  op_ = op;
  op_addr_ = addr;
  op_cycle_ = cycles_;
}

// APB4 master: setup phase (PSEL), access phase (PENABLE) held until PREADY,
// PRDATA/PSLVERR sampled at the completing rising edge. Back-to-back transfers
// go straight from access to the next setup phase, as APB allows.
int cim_bfm::apb_transfer(bool write, uint32_t addr, uint32_t wdata, uint32_t *rdata) {
  if (rdata) *rdata = 0;
  if (stopped()) return MMIO_TIMEOUT;
  note_op(write ? "mmio_write32" : "mmio_read32", addr);
  if (addr & ~kAddrMask) {  // outside the register map: the interconnect's decode error
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
  if (++transfers_ == cfg_.apb_glitch_at) dut_->paddr_i = addr ^ 4u;  // test-only protocol error
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
  if (!ready || assertion_.failed) return MMIO_TIMEOUT;  // an assertion fails the transfer
  if (err) return MMIO_SLVERR;
  if (rdata && !write) *rdata = cim_inject_read(addr, data);
  return MMIO_OK;
}

int cim_bfm::wait_irq(uint32_t max_cycles) {
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

void cim_bfm::delay(uint32_t cycles) {
  if (stopped()) return;
  note_op("mmio_delay", 0);
  for (uint32_t n = 0; n < cycles && !watchdog_; ++n) tick();
  note_op("firmware (between mmio calls)", 0);
  sync();
}

void cim_bfm::finish() {
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

void cim_bfm::fill_stats(cim_sim_stats *stats) const {
  stats->cycles = cycles_;
  stats->watchdog_fired = timed_out_;
  stats->assertion_failed = assertion_.failed;
  stats->assertion_cycle = assertion_.cycle;
  std::snprintf(stats->assertion_msg, sizeof stats->assertion_msg, "%s", assertion_.msg);
}

void cim_bfm::write_coverage(const char *path) {
#if VM_COVERAGE
  ctx_->coveragep()->write(path);
#else
  (void)path;
#endif
}

// ---- the harness-independent half of cim_sim_run() ----

namespace {
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

int cim_run_begin(const cim_sim_opts *opts, cim_fw_fn fw, cim_bfm_cfg *cfg) {
  if (!opts || !fw) return setup_error("opts and fw are required");
  if (!opts->array) return setup_error("opts->array is required (the analog model behind DPI)");
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
  *cfg = cim_bfm_cfg{trace, opts->quantum ? opts->quantum : kCimDefaultQuantum,
                     opts->max_cycles ? opts->max_cycles : kDefaultMaxCycles, nullptr, nullptr,
                     opts->test_apb_glitch_at};
  const char *inject = opts->inject ? opts->inject : std::getenv("CIM_INJECT");
  if (cim_inject_arm(inject) != 0) return setup_error("bad fault injection spec");
  cim_dpi_set_array(opts->array);
  return 0;
}

int cim_run_end(cim_bfm *bfm, bool fw_returned, int fw_result) {
  bfm->finish();
  int result = fw_result;
  unsigned long dpi_errors = cim_dpi_error_count();
  cim_dpi_set_array(nullptr);
  if (!fw_returned) {
    std::fprintf(stderr, "cim_sim_run: the simulation ended before the firmware returned\n");
    result = -1;
  } else if (bfm->assertion().failed) {
    std::fprintf(stderr, "cim_sim_run: RTL assertion failed: %s; run failed\n",
                 bfm->assertion().msg);
    result = -1;
  } else if (dpi_errors) {
    std::fprintf(stderr, "cim_sim_run: %lu analog model error(s) through DPI; run failed\n",
                 dpi_errors);
    result = -1;
  }
#if VM_COVERAGE
  if (result == 0) {
    const char *cov = std::getenv("CIM_COVERAGE_DAT");
    bfm->write_coverage(cov && *cov ? cov : "coverage.dat");
  }
#endif
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

// ---- sw/mmio.h on this platform ----
extern "C" {

int mmio_write32(mmio_bus *bus, uint32_t addr, uint32_t data) {
  return bus->bfm->apb_transfer(true, addr, data, nullptr);
}

int mmio_read32(mmio_bus *bus, uint32_t addr, uint32_t *data) {
  return bus->bfm->apb_transfer(false, addr, 0, data);
}

int mmio_wait_irq(mmio_bus *bus, uint32_t max_cycles) { return bus->bfm->wait_irq(max_cycles); }

void mmio_delay(mmio_bus *bus, uint32_t cycles) { bus->bfm->delay(cycles); }

uint64_t mmio_cycles(const mmio_bus *bus) { return bus->bfm->cycles_since_reset(); }

}  // extern "C"

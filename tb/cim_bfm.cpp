// cim_bfm.cpp: the verilated DUT, its clock and reset, and the APB4
// bus-functional model behind sw/fw/mmio.h, for every harness (cim_bfm.h).
#include "cim_bfm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "Vcim_macro.h"
#include "cim_cfg.h"
#include "cim_dpi.h"
#include "cim_inject.h"
#include "cim_outfile.h"
#include "cim_reg_enums.h"
#include "gtkwave/fstapi.h"  // the reader of the FST writer Verilator links in
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
  // 3. Waves, opt-in: FST through the model's own tracer, into a temporary
  // file that finish() checks and renames.
  if (cfg_.trace_path) trace_open();
}

cim_bfm::~cim_bfm() {
  if (g_active_bfm == this) g_active_bfm = nullptr;
  if (trace_out_) {  // never finished: no trace rather than a partial one
    tfp_.reset();
    std::string msg = std::string(cfg_.trace_path) + ": not written: the run ended early";
    trace_fail(msg.c_str());
    trace_close();
  }
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
  if (err && !cim_inject_hide_slverr()) return MMIO_SLVERR;
  if (err) return MMIO_OK;  // test-only: the slverr:N fault lost the error response
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
  trace_close();
}

// ---- the trace ----
//
// The FST writer (Verilator's bundled fstapi) writes the file by name,
// keeps three memory-mapped temporary files in /tmp and checks none of its
// writes. So the trace goes to a temporary file beside its path
// (cim_outfile), is checked after the writer closed it, and is renamed over
// the path only then. A full file system shows up three ways: a short or
// holed file (the check finds it), SIGXFSZ when a write passes the file
// size limit (caught: the write then fails with EFBIG), and SIGBUS when the
// writer touches a mapped page the file system could not back (fatal: the
// handler reports, removes the temporary files and exits with 3).

namespace {
// What the signal handlers need, prepared when tracing starts: a handler
// cannot reach the cim_bfm, and may only make async-signal-safe calls.
// One simulation per process (see g_active_bfm), so one set.
struct trace_sig_state {
  bool armed = false;
  char tmp[3][4200];  // the temporary file, its ".hier" and ".pak" companions
  char msg_bus[1400];
  size_t len_bus = 0;
  char msg_xfsz[1400];
  size_t len_xfsz = 0;
  struct sigaction old_bus, old_xfsz;
};
trace_sig_state g_trace_sig;
volatile std::sig_atomic_t g_trace_xfsz = 0;  // a write passed the file size limit

void trace_on_sigbus(int) {
  if (g_trace_xfsz)
    (void)!write(2, g_trace_sig.msg_xfsz, g_trace_sig.len_xfsz);
  else
    (void)!write(2, g_trace_sig.msg_bus, g_trace_sig.len_bus);
  for (auto &t : g_trace_sig.tmp)
    if (t[0]) unlink(t);
  _exit(3);
}

void trace_on_sigxfsz(int) { g_trace_xfsz = 1; }

// The temporary file's companions the FST writer may create beside it.
void trace_companions(const char *tmp, char (*out)[4200]) {
  std::snprintf(out[0], sizeof out[0], "%s", tmp);
  std::snprintf(out[1], sizeof out[1], "%s.hier", tmp);
  std::snprintf(out[2], sizeof out[2], "%s.pak", tmp);
}

void trace_sig_arm(const char *tmp, const char *path) {
  trace_companions(tmp, g_trace_sig.tmp);
  std::snprintf(g_trace_sig.msg_bus, sizeof g_trace_sig.msg_bus,
                "cim_sim: trace %s: write failed: bus error in the FST writer's memory-mapped "
                "temporary files (is the file system of the trace or of /tmp full?); "
                "temporary files removed, exit status 3\n",
                path);
  g_trace_sig.len_bus = std::strlen(g_trace_sig.msg_bus);
  std::snprintf(g_trace_sig.msg_xfsz, sizeof g_trace_sig.msg_xfsz,
                "cim_sim: trace %s: write failed: %s (the file size limit, ulimit -f); "
                "temporary files removed, exit status 3\n",
                path, std::strerror(EFBIG));
  g_trace_sig.len_xfsz = std::strlen(g_trace_sig.msg_xfsz);
  g_trace_xfsz = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = trace_on_sigbus;
  sigaction(SIGBUS, &sa, &g_trace_sig.old_bus);
  sa.sa_handler = trace_on_sigxfsz;
  sigaction(SIGXFSZ, &sa, &g_trace_sig.old_xfsz);
  g_trace_sig.armed = true;
}

void trace_sig_disarm() {
  if (!g_trace_sig.armed) return;
  sigaction(SIGBUS, &g_trace_sig.old_bus, nullptr);
  sigaction(SIGXFSZ, &g_trace_sig.old_xfsz, nullptr);
  g_trace_sig.armed = false;
  for (auto &t : g_trace_sig.tmp) t[0] = '\0';
}

uint64_t be64(const unsigned char *b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

// Is the file at path a complete FST whose last time is end? The block
// chain first (each block: a type byte, then a big-endian length that counts
// itself; blocks must tile the file exactly, none left unfinished), because
// the FST reader exit()s on some corrupt blocks; then fstReaderOpen and
// fstReaderGetEndTime in a child process, so that a reader failure cannot
// take the simulation down. false with why set if not.
bool trace_check_fst(const char *path, uint64_t end, char *why, size_t len) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    std::snprintf(why, len, "cannot reopen it: %s", std::strerror(errno));
    if (fd >= 0) close(fd);
    return false;
  }
  const long long size = static_cast<long long>(st.st_size);
  long long pos = 0;
  int n_hdr = 0, n_geom = 0, n_hier = 0, n_vc = 0;
  bool ok = true;
  while (ok && pos < size) {
    unsigned char b[9];
    if (pread(fd, b, sizeof b, pos) != static_cast<ssize_t>(sizeof b)) {
      std::snprintf(why, len, "cut short inside the block header at byte %lld", pos);
      ok = false;
      break;
    }
    const int type = b[0];
    const uint64_t seclen = be64(b + 1);
    if (pos == 0 && type != FST_BL_HDR) {
      std::snprintf(why, len, "no FST header at its start");
      ok = false;
    } else if (type == FST_BL_SKIP) {
      std::snprintf(why, len, "the block at byte %lld was never completed", pos);
      ok = false;
    } else if (type > FST_BL_VCDATA_DYN_ALIAS2 && type != FST_BL_ZWRAPPER) {
      std::snprintf(why, len, "unknown block type %d at byte %lld (a hole or garbage)", type, pos);
      ok = false;
    } else if (seclen < 8 || seclen > static_cast<uint64_t>(size - pos - 1)) {
      std::snprintf(why, len, "the block at byte %lld runs past the end of the file (cut short)",
                    pos);
      ok = false;
    } else {
      n_hdr += type == FST_BL_HDR;
      n_geom += type == FST_BL_GEOM;
      n_hier += type == FST_BL_HIER || type == FST_BL_HIER_LZ4 || type == FST_BL_HIER_LZ4DUO;
      n_vc += type == FST_BL_VCDATA || type == FST_BL_VCDATA_DYN_ALIAS ||
              type == FST_BL_VCDATA_DYN_ALIAS2;
      pos += 1 + static_cast<long long>(seclen);
    }
  }
  close(fd);
  if (!ok) return false;
  if (n_hdr != 1 || n_geom == 0 || n_hier == 0 || n_vc == 0) {
    std::snprintf(why, len,
                  "incomplete: %d header, %d geometry, %d hierarchy, %d value-change blocks",
                  n_hdr, n_geom, n_hier, n_vc);
    return false;
  }
  std::fflush(nullptr);  // the child must not write our buffers twice
  const pid_t pid = fork();
  if (pid < 0) {
    std::snprintf(why, len, "cannot start its check: fork: %s", std::strerror(errno));
    return false;
  }
  if (pid == 0) {  // the child: default signals, quiet reader
    signal(SIGBUS, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    void *r = fstReaderOpen(path);
    if (!r) _exit(10);
    const uint64_t e = fstReaderGetEndTime(r);
    // The hierarchy block is the writer's last and is read lazily: unpack
    // it and count its variables (a cut block still tiles the file).
    const uint64_t want_vars = fstReaderGetVarCount(r);
    uint64_t vars = 0;
    for (struct fstHier *h; (h = fstReaderIterateHier(r)) != nullptr;) vars += h->htyp == FST_HT_VAR;
    fstReaderClose(r);
    if (vars == 0 || vars != want_vars) _exit(12);
    _exit(e == end ? 0 : 11);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
    std::snprintf(why, len, "the FST reader cannot open it");
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 11)
    std::snprintf(why, len, "it ends before the run's last time %llu",
                  static_cast<unsigned long long>(end));
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 12)
    std::snprintf(why, len, "its hierarchy block does not unpack (cut short)");
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ)
    std::snprintf(why, len, "its check could not unpack the hierarchy within the file size limit");
  else
    std::snprintf(why, len, "the FST reader failed on it (status 0x%x)", status);
  return false;
}

// Why a trace that does not check out is broken: the file size limit, a
// full file system (the trace's own or /tmp, where the writer keeps its
// temporary files), else what the check found.
std::string trace_reason(const char *tmp, const char *found) {
  if (g_trace_xfsz) return std::string(std::strerror(EFBIG)) + " (the file size limit, ulimit -f)";
  std::string dir(tmp);
  const size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
  struct statvfs vfs;
  if (statvfs(dir.c_str(), &vfs) == 0 && vfs.f_bavail == 0) return std::strerror(ENOSPC);
  if (statvfs("/tmp", &vfs) == 0 && vfs.f_bavail == 0)
    return std::string(std::strerror(ENOSPC)) + " in /tmp (the FST writer's temporary files)";
  return std::string("the file is not a complete FST (") + found +
         "); a full file system is the usual cause";
}
}  // namespace

void cim_bfm::trace_fail(const char *msg) {
  if (trace_failed_) return;  // the first failure is the cause
  trace_failed_ = true;
  std::snprintf(trace_msg_, sizeof trace_msg_, "trace %.500s", msg);
  std::fflush(stdout);
  std::fprintf(stderr, "cim_sim: %s\n", trace_msg_);
}

void cim_bfm::trace_open() {
  char err[CIM_OUTFILE_MSG_LEN];
  if (cim_outfile_open(cfg_.trace_path, &trace_out_, err, sizeof err) != CIM_OUTFILE_OK) {
    trace_out_ = nullptr;
    trace_fail(err);  // "t.fst: cannot create a temporary file in folder ..."
    return;
  }
  // The FST writer creates the file itself, by name.
  cim_outfile_close_stream(trace_out_);
  const char *tmp = cim_outfile_tmp_path(trace_out_);
  trace_sig_arm(tmp, cfg_.trace_path);
  tfp_ = std::make_unique<VerilatedFstC>();
  dut_->trace(tfp_.get(), 99);
  tfp_->open(tmp);
  if (!tfp_->isOpen()) {  // dumps are no-ops on a closed tracer
    std::string msg = std::string(cfg_.trace_path) + ": write failed: the FST writer cannot " +
                      "create its files (" + tmp + ", or its temporary files in /tmp)";
    trace_fail(msg.c_str());
  }
}

void cim_bfm::trace_close() {
  if (!trace_out_) return;
  const uint64_t end = ctx_->time();  // the last dump: the run's last edge
  if (tfp_) tfp_->close();            // the writer's last writes (may raise SIGBUS)
  const char *tmp = cim_outfile_tmp_path(trace_out_);
  char found[300] = "";
  if (!trace_failed_ && !trace_check_fst(tmp, end, found, sizeof found)) {
    const std::string msg =
        std::string(cfg_.trace_path) + ": write failed: " + trace_reason(tmp, found);
    trace_fail(msg.c_str());
  }
  char companions[3][4200];
  trace_companions(tmp, companions);
  unlink(companions[1]);  // left by a writer that did not finish
  unlink(companions[2]);
  if (trace_failed_) {
    cim_outfile_abort(trace_out_);
  } else {
    char err[CIM_OUTFILE_MSG_LEN];
    if (cim_outfile_commit(trace_out_, err, sizeof err) != CIM_OUTFILE_OK) trace_fail(err);
  }
  trace_out_ = nullptr;
  trace_sig_disarm();
}

void cim_bfm::fill_stats(cim_sim_stats *stats) const {
  stats->cycles = cycles_;
  stats->watchdog_fired = timed_out_;
  stats->assertion_failed = assertion_.failed;
  stats->assertion_cycle = assertion_.cycle;
  std::snprintf(stats->assertion_msg, sizeof stats->assertion_msg, "%s", assertion_.msg);
  stats->trace_failed = trace_failed_;
  std::snprintf(stats->trace_msg, sizeof stats->trace_msg, "%s", trace_msg_);
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
  if (trace) {  // before the run, like every output: the folder, no FIFO or device
    const cim_outfile_spec out = {"trace", trace, 0};
    char err[CIM_OUTFILE_MSG_LEN];
    if (cim_outfile_preflight(&out, 1, nullptr, 0, err, sizeof err) != CIM_OUTFILE_OK)
      return setup_error(err);
  }
  *cfg = cim_bfm_cfg{trace, opts->quantum ? opts->quantum : kCimDefaultQuantum,
                     opts->max_cycles ? opts->max_cycles : kDefaultMaxCycles, nullptr, nullptr,
                     0};
  const char *inject = opts->inject ? opts->inject : std::getenv("CIM_INJECT");
  if (cim_inject_arm(inject) != 0) return setup_error("bad fault injection spec");
  cfg->apb_glitch_at = cim_inject_apb_glitch();
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

// ---- sw/fw/mmio.h on this platform ----
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

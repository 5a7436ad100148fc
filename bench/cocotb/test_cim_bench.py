"""The benchmark workload as a cocotb testbench: the peer of `make bench`.

Written the way cocotb users write testbenches: a Clock coroutine, an APB4
master coroutine class, a small register-level driver in Python (the same
register sequence as sw/fw/cim_driver.c), and the C model behind the RTL's DPI
imports, reached from Python through ctypes (cim_shim.c in libcim_dpi.so).
Same data (splitmix64, bench/bench_common.h), same golden checks (twin on
the run's ADC log, exact MVM), same digests, so `make bench` can confirm the
results are the ones the C harnesses got.

Environment: BENCH_LAYERS, BENCH_VECTORS, BENCH_SEED, BENCH_LOG_DIGEST (1: hash
the ADC log of every MVM), BENCH_OUT (the file the result line is written to), CIM_GEN, CIM_DPI_DIR (set by the Makefile).
"""

import ctypes
import os
import re
import resource
import time

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, Lock, RisingEdge
from cocotb.utils import get_sim_time

CLOCK_NS = 10
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- registers
def read_defines(*paths):
    """#define NAME VALUE lines of the generated register headers."""
    defs = {}
    for path in paths:
        with open(path) as f:
            for m in re.finditer(r"^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)u?\s*$", f.read(), re.M):
                defs[m.group(1)] = int(m.group(2), 0)
    return defs


class Regs:
    def __init__(self, gen):
        self.d = read_defines(os.path.join(gen, "cim_regs.h"), os.path.join(gen, "cim_reg_enums.h"))

    def off(self, reg):
        return self.d[f"CIM_REGS_{reg}_OFFSET"]

    def base(self, win):
        return self.d[f"CIM_REGS_{win}_BASE"]

    def get(self, value, reg, fld):
        return (value & self.d[f"CIM_REGS__{reg}__{fld}_bm"]) >> self.d[f"CIM_REGS__{reg}__{fld}_bp"]

    def prep(self, reg, fld, value):
        return (value << self.d[f"CIM_REGS__{reg}__{fld}_bp"]) & self.d[f"CIM_REGS__{reg}__{fld}_bm"]

    def reset(self, reg, fld):
        return self.d[f"CIM_REGS__{reg}__{fld}_reset"]


# ---------------------------------------------------------------- APB master
class ApbMaster:
    """APB4 master: setup phase, access phase until PREADY; the slave's
    outputs are sampled mid-cycle (falling edge) and the transfer completes
    at the next rising edge. Back-to-back transfers, as APB allows."""

    def __init__(self, dut, clk):
        self.dut = dut
        self.clk = clk
        self.lock = Lock()
        dut.psel_i.value = 0
        dut.penable_i.value = 0
        dut.pwrite_i.value = 0
        dut.paddr_i.value = 0
        dut.pwdata_i.value = 0

    async def _transfer(self, write, addr, data=0):
        async with self.lock:
            dut = self.dut
            dut.psel_i.value = 1
            dut.penable_i.value = 0
            dut.pwrite_i.value = int(write)
            dut.paddr_i.value = addr
            dut.pwdata_i.value = data if write else 0
            await RisingEdge(self.clk)
            dut.penable_i.value = 1
            while True:
                await FallingEdge(self.clk)
                ready = dut.pready_o.value.integer
                err = dut.pslverr_o.value.integer
                rdata = dut.prdata_o.value.integer
                await RisingEdge(self.clk)
                if ready:
                    break
            dut.psel_i.value = 0
            dut.penable_i.value = 0
            dut.pwrite_i.value = 0
            if err:
                raise RuntimeError(f"PSLVERR on {'write' if write else 'read'} of 0x{addr:04x}")
            return rdata

    async def write(self, addr, data):
        await self._transfer(True, addr, data)

    async def read(self, addr):
        return await self._transfer(False, addr)


# ---------------------------------------------------------------- driver
class CimDriver:
    """The register sequences of sw/fw/cim_driver.c, in Python."""

    def __init__(self, apb, regs):
        self.apb = apb
        self.r = regs

    async def open(self):
        r = self.r
        ident = await self.apb.read(r.off("ID"))
        assert ident == r.reset("ID", "MAGIC"), f"ID 0x{ident:08x}"
        await self.apb.read(r.off("VERSION"))
        for reg in ("PARAM_ARRAY", "PARAM_BITS", "PARAM_ADC", "PARAM_OUT"):
            await self.apb.read(r.off(reg))
        self.conv_cycles = r.reset("ADC", "CONV_CYCLES")

    async def configure(self, n_rows, n_outs, x_bits, is_signed, group_rows):
        r = self.r
        status = await self.apb.read(r.off("STATUS"))
        assert not r.get(status, "STATUS", "BUSY")
        await self.apb.write(r.off("SHAPE"), r.prep("SHAPE", "N_ROWS", n_rows) | r.prep("SHAPE", "N_OUTS", n_outs))
        await self.apb.write(
            r.off("INPUT"),
            r.prep("INPUT", "X_BITS", x_bits) | r.prep("INPUT", "SIGNED", is_signed) | r.prep("INPUT", "GROUP_ROWS", group_rows),
        )
        await self.apb.write(r.off("ADC"), r.prep("ADC", "CONV_CYCLES", self.conv_cycles))
        await self.apb.write(r.off("OUTPUT"), r.prep("OUTPUT", "OUT_BITS", 32))
        self.x_bits = x_bits
        self.n_outs = n_outs

    async def load_inputs(self, x):
        mask = (1 << self.x_bits) - 1
        base = self.r.base("INBUF")
        for i in range(0, len(x), 4):
            word = 0
            for b, v in enumerate(x[i : i + 4]):
                word |= (v & mask) << (8 * b)
            await self.apb.write(base + i, word)

    async def start(self):
        r = self.r
        status = await self.apb.read(r.off("STATUS"))
        assert not r.get(status, "STATUS", "BUSY")
        await self.apb.write(r.off("INTR_STATE"), r.d["CIM_REGS__INTR_STATE__DONE_bm"] | r.d["CIM_REGS__INTR_STATE__ERROR_bm"])
        await self.apb.write(r.off("CTRL"), r.prep("CTRL", "START", 1))
        status = await self.apb.read(r.off("STATUS"))
        assert not r.get(status, "STATUS", "ERROR"), f"START refused, STATUS 0x{status:08x}"

    async def wait_poll(self):
        r = self.r
        while True:
            status = await self.apb.read(r.off("STATUS"))
            if not r.get(status, "STATUS", "BUSY") and (r.get(status, "STATUS", "DONE") or r.get(status, "STATUS", "ERROR")):
                assert not r.get(status, "STATUS", "ERROR"), f"MVM error, STATUS 0x{status:08x}"
                return

    async def read_outputs(self, n):
        base = self.r.base("OUTBUF")
        y = []
        for j in range(n):
            v = await self.apb.read(base + 4 * j)
            y.append(v - (1 << 32) if v & 0x80000000 else v)
        return y

    async def last_cycles(self):
        return await self.apb.read(self.r.off("CYCLES"))


# ---------------------------------------------------------------- data
class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def fill(self, n, lo, hi):
        span = hi - lo + 1
        return [lo + self.next() % span for _ in range(n)]


def fnv_u32(h, v):
    v &= 0xFFFFFFFF
    for i in range(4):
        h ^= (v >> (8 * i)) & 0xFF
        h = (h * 0x100000001B3) & MASK64
    return h


FNV_INIT = 0xCBF29CE484222325


def peak_rss_kib():
    """VmHWM of this (simulator) process, as bench_common.h measures it."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- the test
@cocotb.test()
async def bench_mvm(dut):
    """N random 8-bit layers x V vectors through APB, golden checks on."""
    layers = int(os.environ.get("BENCH_LAYERS", "2"))
    vectors = int(os.environ.get("BENCH_VECTORS", "5"))
    seed = int(os.environ.get("BENCH_SEED", "1"))
    log_on = os.environ.get("BENCH_LOG_DIGEST", "0") == "1"

    # The C model behind the DPI imports: registered before the first edge.
    lib = ctypes.CDLL(os.path.join(os.environ["CIM_DPI_DIR"], "libcim_dpi.so"))
    lib.shim_open.restype = ctypes.c_void_p
    lib.shim_open.argtypes = [ctypes.c_uint64]
    lib.shim_load_layer.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_int, ctypes.c_int]
    lib.shim_begin.argtypes = [ctypes.c_void_p]
    lib.shim_check.restype = ctypes.c_uint
    lib.shim_check.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                               ctypes.POINTER(ctypes.c_int32), ctypes.POINTER(ctypes.c_int32)]
    lib.shim_log_digest.restype = ctypes.c_uint64
    lib.shim_log_digest.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
    lib.shim_passed.argtypes = [ctypes.c_void_p]
    lib.shim_dpi_errors.restype = ctypes.c_ulong
    model = lib.shim_open(seed)
    assert model, "cannot create the array model"
    rows, cols, w_bits, cell_bits, x_bits, adc_bits, _, p_max, n_out = (lib.shim_param(i) for i in range(9))
    n, k = n_out, rows
    group_rows = min(p_max, ((1 << adc_bits) - 1) // ((1 << cell_bits) - 1), k)

    # Clock, reset: the same sequence as the C harnesses (tb/cim_bfm.cpp).
    cocotb.start_soon(Clock(dut.clk_i, CLOCK_NS, units="ns").start(start_high=False))
    apb = ApbMaster(dut, dut.clk_i)
    dut.rst_ni.value = 0
    await ClockCycles(dut.clk_i, 4)
    dut.rst_ni.value = 1
    await ClockCycles(dut.clk_i, 2)

    drv = CimDriver(apb, Regs(os.environ["CIM_GEN"]))
    await drv.open()
    await drv.configure(k, n, x_bits, 0, group_rows)

    rng = SplitMix64(seed)
    out_digest = cyc_digest = log_digest = FNV_INIT
    fails = 0
    done = 0
    Wbuf = (ctypes.c_int32 * (n * k))()
    xbuf = (ctypes.c_int32 * k)()
    ybuf = (ctypes.c_int32 * n)()
    t_sim0 = get_sim_time("ns")
    t0 = time.perf_counter()
    for _ in range(layers):
        Wbuf[:] = rng.fill(n * k, -(1 << (w_bits - 1)), (1 << (w_bits - 1)) - 1)
        assert lib.shim_load_layer(model, Wbuf, n, k) == 0
        for _ in range(vectors):
            x = rng.fill(k, 0, (1 << x_bits) - 1)
            lib.shim_begin(model)
            await drv.load_inputs(x)
            await drv.start()
            await drv.wait_poll()
            y = await drv.read_outputs(n)
            cyc = await drv.last_cycles()
            xbuf[:] = x
            ybuf[:] = y
            if lib.shim_check(model, x_bits, 0, group_rows, xbuf, ybuf) != 0:
                fails += 1
            for v in y:
                out_digest = fnv_u32(out_digest, v)
            cyc_digest = fnv_u32(cyc_digest, cyc)
            if log_on:
                log_digest = lib.shim_log_digest(model, log_digest)
            done += 1
    seconds = time.perf_counter() - t0
    cycles = int(get_sim_time("ns") - t_sim0) // CLOCK_NS
    passed = bool(lib.shim_passed(model)) and lib.shim_dpi_errors() == 0
    line = (
        f"BENCH variant=cocotb rows={rows} cols={cols} n={n} k={k} mvms={done} cycles={cycles} "
        f"seconds={seconds:.6f} out_digest={out_digest:016x} cyc_digest={cyc_digest:016x} "
        f"log_digest={log_digest:016x} twin_exact_fail={fails} pass={int(passed)} "
        f"maxrss_kib={peak_rss_kib()}"
    )
    dut._log.info(line)
    out = os.environ.get("BENCH_OUT")
    if out:
        with open(out, "w") as f:
            f.write(line + "\n")
    assert passed, f"golden checks failed on {fails} of {done} MVMs"

#!/usr/bin/env python3
"""Random-seed regression of the CIM macro, run in parallel processes.

Each seed draws one test and one random legal configuration of it from a
seeded generator (splitmix64, the same numbers on every machine and Python),
runs it through the existing programs (cim_mvm with flags, or one check_cim
case with CIM_SEED), and records pass or fail. Then:

  - a summary table (runs, passed, failed, time per test; seeds per minute);
  - a JUnit XML results file (one <testcase> per seed) for CI;
  - failures grouped by a normalised failure signature (numbers, paths and
    names of the seed taken out), each failure with the one command line that
    reproduces it exactly;
  - failing seeds re-run automatically with an FST dump, its path printed;
    `waves` opens it with markers on each MVM and on the failure (waves.py).

  regress.py run   --build build/<cfg> --seeds N [--jobs J] [--first S] ...
                   [--sched slurm --batch B --partition P ...]
                                                 the seeds here, or as one Slurm
                                                 job array (tools/farm.py): the
                                                 same report, XML and repro lines
  regress.py smoke --build build/<cfg>           the fixed seeds of `make test`
  regress.py show  --build build/<cfg> --seed S  the command a seed runs
  regress.py waves --build build/<cfg> --seed S [--test T] [--layout L]
                                                 re-run one seed with an FST
                                                 dump and open a layout

Adding a knob: append a Knob to KNOBS (its draw function gets the generator,
the build and the values drawn so far, returns None when the knob does not
apply) and say how it becomes a command-line argument. Device effects and the
programming mode go there once cim_mvm takes them.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import cimcfg  # noqa: E402  (tools/cimcfg.py)
from atomicio import write_atomic  # noqa: E402  (tools/atomicio.py)
import farm  # noqa: E402  (tools/farm.py)
import waves  # noqa: E402  (tools/waves.py)

MASK64 = (1 << 64) - 1
# Seeds of the smoke subset in `make test` (fixed, so a CI failure reproduces).
SMOKE_SEEDS = list(range(1, 11))
# check_cim cases whose data come from CIM_SEED (the rest are directed).
COSIM_CASES = ["test_mvm_formats", "test_mvm_shapes", "test_mvm_requant", "test_mvm_p_max"]


# ---------------------------------------------------------------- generator
class Rng:
    """splitmix64, the generator of sw/tests/cosim.c, seeded per (seed, stream)."""

    def __init__(self, seed, stream=0):
        self.s = (seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03) & MASK64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def range(self, lo, hi):
        """Uniform integer in lo..hi inclusive."""
        return lo + self.next() % (hi - lo + 1)

    def chance(self, p):
        return self.next() % 1000000 < int(p * 1000000)

    def pick(self, items):
        return items[self.next() % len(items)]

    def corner(self, lo, hi, p=0.3):
        """lo or hi with probability p, else uniform: corners get hit."""
        if self.chance(p):
            return lo if self.chance(0.5) else hi
        return self.range(lo, hi)


# ---------------------------------------------------------------- build
class Build:
    """Parameters of one build folder, from its generated cim_cfg.json: the
    make variables and the derived values (slices, n_out, n_adc, p_fit, ...)
    as attributes."""

    def __init__(self, path):
        self.path = os.path.relpath(os.path.abspath(path), ROOT)
        self.__dict__.update(cimcfg.load(os.path.join(ROOT, self.path)))
        self.name = os.path.basename(self.path)

    def prog(self, name):
        return os.path.join(self.path, name)


# ---------------------------------------------------------------- knobs
class Knob:
    """One random choice of a configuration.

    draw(rng, build, cfg) returns the value (or None: not applicable);
    args(value) returns the cim_mvm arguments for it."""

    def __init__(self, name, draw, args):
        self.name, self.draw, self.args = name, draw, args


def _draw_test(r, b, cfg):
    return r.pick(COSIM_CASES) if r.chance(0.15) else "mvm"


def _mvm(fn):
    """A knob of the cim_mvm test only."""
    return lambda r, b, cfg: fn(r, b, cfg) if cfg["test"] == "mvm" else None


def _can_calibrate(b, cfg):
    return b.adc_bits > 1 and min(b.p_max, cfg["shape"][1]) > 1


def _draw_shape(r, b, cfg):
    return (r.corner(1, b.n_out), r.corner(1, b.rows))


def _draw_group(r, b, cfg):
    # 0 = the driver's choice (largest P that fits the ADC); else 1, P_MAX or any
    choice = r.range(0, 9)
    if choice == 0:
        return 0
    if choice == 1:
        return 1
    if choice == 2:
        return b.p_max
    return r.range(1, b.p_max)


def _draw_conv(r, b, cfg):
    if r.chance(0.02):
        return 255
    return r.corner(1, 16, 0.2)


def _draw_out_bits(r, b, cfg):
    return 32 if r.chance(0.5) else r.corner(2, 32)


DEVICES = ["default", "window", "prog_error", "d2d", "read_noise", "stuck", "drift",
           "ir_drop", "adc"]


DEFECTS = ["unformed_row_rate=0.03", "unformed_col_rate=0.02", "leaky_row_rate=0.01",
           "leaky_row_frac=0.1", "leaky_col_rate=0.02", "leaky_col_us=2", "weak_rate=0.01",
           "weak_gain=0.05"]


def _draw_device(r, b, cfg):
    return "ideal" if r.chance(0.5) else r.pick(DEVICES)


def _draw_magnitude(r, b, cfg):
    """--set overrides that scale the chosen effect (None: its preset value)."""
    dev = cfg.get("device")
    if dev is None or r.chance(0.5):
        return None
    milli = r.range(0, 1000)  # 0..1 of each key's sweep range, in thousandths
    keys = {"read_noise": [("read_noise", 0.05)],
            "stuck": [("stuck_gmin_rate", 0.025), ("stuck_gmax_rate", 0.025)],
            "ir_drop": [("r_wl_ohm", 5.0), ("r_bl_ohm", 5.0)],
            "adc": [("adc_offset_sigma_lsb", 3.0), ("adc_gain_sigma", 0.1)],
            "d2d": [("d2d_sigma", 0.2)]}.get(dev)
    return [f"{k}={hi * milli / 1000:g}" for k, hi in keys] if keys else None


def _draw_age(r, b, cfg):
    if cfg.get("device") not in ("drift", "default"):
        return None
    return round(10 ** (r.range(0, 7500) / 1000.0), 3)  # 1 s .. 1 year, log-uniform


KNOBS = [
    Knob("test", _draw_test, lambda v: []),
    Knob("shape", _mvm(_draw_shape), lambda v: ["--random", f"{v[0]}x{v[1]}"]),
    Knob("vectors", _mvm(lambda r, b, c: r.range(1, 4)), lambda v: ["--vectors", str(v)]),
    Knob("x_bits", _mvm(lambda r, b, c: r.corner(1, b.x_bits, 0.4)),
         lambda v: ["--x-bits", str(v)]),
    Knob("signed", _mvm(lambda r, b, c: r.chance(0.5)), lambda v: ["--signed"] if v else []),
    Knob("group_rows", _mvm(_draw_group), lambda v: ["--group-rows", str(v)]),
    Knob("conv_cycles", _mvm(_draw_conv), lambda v: ["--conv-cycles", str(v)]),
    Knob("relu", _mvm(lambda r, b, c: r.chance(0.3)), lambda v: ["--relu"] if v else []),
    Knob("shift", _mvm(lambda r, b, c: 0 if r.chance(0.5) else r.corner(0, 31, 0.2)),
         lambda v: ["--shift", str(v)] if v else []),
    Knob("out_bits", _mvm(_draw_out_bits), lambda v: ["--out-bits", str(v)] if v != 32 else []),
    Knob("wait", _mvm(lambda r, b, c: r.pick(["poll", "irq"])), lambda v: ["--wait", v]),
    Knob("quantum", _mvm(lambda r, b, c: 100 if r.chance(0.8) else r.pick([1, 7, 1000])),
         lambda v: ["--quantum", str(v)] if v != 100 else []),
    # Device effects: appended last, so the draws above stay what they were.
    Knob("device", _mvm(_draw_device), lambda v: ["--device", v] if v != "ideal" else []),
    Knob("magnitude", _mvm(_draw_magnitude),
         lambda v: [a for kv in v for a in ("--set", kv)] if v else []),
    Knob("age", _mvm(_draw_age), lambda v: ["--age", str(v)] if v else []),
    # the chance is drawn on every build (later draws stay the same), but only
    # taken where calibration can fit something: a 1-bit ADC clips every code
    # and one-row groups cannot separate offset from pedestal, so there
    # cim_calibrate_adcs says nothing to fit and cim_mvm --calibrate exits 3
    # (sw/fw/cim_calib.h; test_cli.py checks that case)
    Knob("calibrate", _mvm(lambda r, b, c: r.chance(0.25) and _can_calibrate(b, c)),
         lambda v: ["--calibrate"] if v else []),    # line defects and weak cells on top of whatever device was drawn (the
    # `lines` and `weak` presets' effects at raised rates)
    Knob("defects", _mvm(lambda r, b, c: r.chance(0.15)),
         lambda v: [a for kv in DEFECTS for a in ("--set", kv)] if v else []),
]


def draw(seed, build, test=None):
    """The configuration of seed: {knob: value}, knobs that apply only."""
    r = Rng(seed)
    cfg = {}
    for k in KNOBS:
        v = k.draw(r, build, cfg)
        if k.name == "test" and test:
            v = test
        if v is not None:
            cfg[k.name] = v
    return cfg


class Job:
    """One seed: the command, its environment and its outcome."""

    def __init__(self, seed, build, test=None, trace=None, cov_dir=None, inject=None):
        self.seed, self.build = seed, build
        self.cfg = draw(seed, build, test)
        self.test = self.cfg["test"]
        env = {}
        if self.test == "mvm":
            argv = [build.prog("cim_mvm")]
            for k in KNOBS:
                if k.name in self.cfg:
                    argv += k.args(self.cfg[k.name])
            argv += ["--seed", str(seed), "--quiet", "--digest"]
            if trace:
                argv += ["--trace", trace]
        else:
            env = {"CIM_SEED": str(seed), "CK_RUN_CASE": self.test}
            argv = [build.prog("check_cim")]
            if trace:
                env["CIM_TRACE"] = trace
        if inject:  # a test-only fault on this seed's real run (tb/cim_inject.h)
            env["CIM_INJECT"] = inject
        self.argv, self.env = argv, env
        self.cov_env = {"CIM_COVERAGE_DAT": os.path.join(cov_dir, f"s{seed}.dat")} if cov_dir \
            else {}
        self.rc, self.out, self.secs, self.signature = None, "", 0.0, None
        self.digest, self.proc = None, None

    def command(self):
        """The one line that reproduces this seed, from the repository root."""
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        return (env + " " if env else "") + shlex.join(self.argv)

    def run(self, timeout, stop=None):
        """Run the seed (not when stop, a threading.Event, is set: rc None).
        The process gets a session of its own: a Ctrl-C reaches regress
        alone, which then kills what runs (kill())."""
        rc, out, secs = farm.run_command(self.argv, dict(self.env, **self.cov_env), timeout,
                                         stop, started=lambda p: setattr(self, "proc", p))
        return self.finish(rc, out, secs)

    def finish(self, rc, out, secs):
        """Record an outcome (run here, or in a Slurm array task: farm.py):
        the digest line and, on a failure, the signature."""
        self.rc, self.out, self.secs = rc, out, secs
        if rc is None:
            return self
        m = re.search(r"^DIGEST (.*)$", self.out, re.M)
        self.digest = m.group(1) if m else None
        if self.rc != 0:
            self.signature = signature(self.rc, self.out, self.test)
        return self

    def item(self, timeout):
        """This seed as an item of a Slurm array (farm.run_array)."""
        return {"key": f"s{self.seed}", "argv": self.argv,
                "env": dict(self.env, **self.cov_env), "timeout": timeout}

    def kill(self):
        """Kill the seed's process group, if it runs."""
        farm.kill(self.proc)

    @property
    def passed(self):
        return self.rc == 0


# ---------------------------------------------------------------- signatures
# The first line that says what went wrong, most specific first.
FAIL_LINES = [
    re.compile(r"%Error.*"),                     # Verilator: assertion, $fatal
    re.compile(r"first (twin|exact) mismatch:.*"),
    re.compile(r"^\S+:\d+:[FE]:.*", re.M),       # Check: file:line:F:case:test:0: msg
    re.compile(r"cim_sim.*"),
    re.compile(r".*(mismatch|failed|error|FAIL).*", re.I),
]


def normalise(line):
    line = re.sub(r"^\S+:\d+:[FE]:\S+?:\S+?:\d+:\s*", "", line)  # Check's location prefix
    line = re.sub(r"\s*\([^()]*=[^()]*\)", "", line)                # (K=.. N=..) job lists
    line = re.sub(r"\s*\(requantized -?\d+\)", "", line)
    line = re.sub(r"^\[\d+\]\s*", "", line)                      # Verilator's [time]
    line = re.sub(r"\S*build/\S+", "<build>", line)
    line = re.sub(r"0x[0-9a-fA-F]+", "0xH", line)
    line = re.sub(r"-?\b\d+\b", "N", line)
    line = re.sub(r"reproduce:.*", "", line)
    line = re.sub(r"\s+", " ", line).strip()
    return line[:160]


def signature(rc, out, test):
    prog = "cim_mvm" if test == "mvm" else "check_cim"
    if rc == "lost":  # its Slurm task ended without a result (tools/farm.py)
        return f"{prog}: no result: {normalise(out.splitlines()[0].removeprefix('farm: '))}"
    if rc == "timeout":
        head = "timeout"
    elif rc == "error":
        head = "could not start"
    elif isinstance(rc, int) and rc < 0:
        try:
            head = f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            head = f"killed by signal {-rc}"
    else:
        head = f"exit {rc}"
    for pat in FAIL_LINES:
        m = pat.search(out)
        if m:
            if m.group(0).startswith("%Error"):  # an RTL assertion: the same bug in any program
                return f"RTL {normalise(m.group(0))}"
            return f"{prog}: {head}: {normalise(m.group(0))}"
    return f"{prog}: {head}"


# ---------------------------------------------------------------- reports
def junit(path, build, jobs, wall):
    fails = [j for j in jobs if not j.passed]
    suites = ET.Element("testsuites", name="regress", tests=str(len(jobs)),
                        failures=str(len(fails)), errors="0", time=f"{wall:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=f"regress.{build.name}",
                          tests=str(len(jobs)), failures=str(len(fails)), errors="0",
                          skipped="0", time=f"{wall:.3f}",
                          timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"))
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="build", value=build.path)
    for j in jobs:
        tc = ET.SubElement(suite, "testcase", classname=f"regress.{build.name}.{j.test}",
                           name=f"seed_{j.seed}", time=f"{j.secs:.3f}")
        if j.digest:  # what the run produced, for comparisons of runs (test_repro.py)
            ET.SubElement(ET.SubElement(tc, "properties"), "property", name="digest",
                          value=j.digest)
        if not j.passed:
            f = ET.SubElement(tc, "failure", message=j.signature, type=str(j.rc))
            f.text = f"reproduce: {j.command()}\n\n{j.out[-4000:]}"
        so = ET.SubElement(tc, "system-out")
        so.text = f"{j.command()}\nconfig: {j.cfg}\n"
    ET.indent(suites)
    write_atomic(path, lambda f: ET.ElementTree(suites).write(f, encoding="utf-8",
                                                               xml_declaration=True), binary=True)


def summary_table(jobs, wall, where):
    rows = {}
    for j in jobs:
        r = rows.setdefault(j.test, [0, 0, 0, 0.0])
        r[0] += 1
        r[1 if j.passed else 2] += 1
        r[3] += j.secs
    w = max([len("test")] + [len(t) for t in rows])
    lines = [f"  {'test':<{w}}  {'runs':>5}  {'passed':>6}  {'failed':>6}  {'cpu s':>7}"]
    for t in sorted(rows):
        n, p, f, s = rows[t]
        lines.append(f"  {t:<{w}}  {n:>5}  {p:>6}  {f:>6}  {s:>7.1f}")
    n = len(jobs)
    p = sum(1 for j in jobs if j.passed)
    lines.append(f"  {'total':<{w}}  {n:>5}  {p:>6}  {n - p:>6}  "
                 f"{sum(j.secs for j in jobs):>7.1f}")
    rate = n / wall * 60 if wall > 0 else 0
    lines.append(f"  wall {wall:.1f} s with {where}: {rate:,.0f} seeds/minute")
    return "\n".join(lines)


def view_line(a, build, j):
    """How to open the waves of a failing seed: the make form when make ran us."""
    if a.make_vars is not None:
        return f"make waves {a.make_vars + ' ' if a.make_vars else ''}SEED={j.seed} TEST={j.test}" \
               " [LAYOUT=ctrl|apb|adc|acc]"
    return (f"python3 tools/regress.py waves --build {build.path} --seed {j.seed} "
            f"--test {j.test} [--layout ctrl|apb|adc|acc]")


def trace_path(build, job):
    return os.path.join(build.path, "waves", f"regress_{job.test}_s{job.seed}.fst")


# ---------------------------------------------------------------- commands
def run_jobs(jobs, n_par, timeout, progress=True):
    """Run the jobs n_par at a time. A Ctrl-C (or SIGTERM turned into one)
    stops the rest: what runs is killed, what waits never starts; returns the
    jobs that finished (all of them when nothing stopped the run)."""
    done = 0
    stop = threading.Event()
    ex = concurrent.futures.ThreadPoolExecutor(max_workers=n_par)
    try:
        futs = [ex.submit(j.run, timeout, stop) for j in jobs]
        for f in concurrent.futures.as_completed(futs):
            j = f.result()
            done += 1
            if not j.passed and progress:
                print(f"  FAIL seed {j.seed} ({j.test}): {j.signature}", flush=True)
            elif progress and done % 50 == 0:
                print(f"  {done}/{len(jobs)} done", flush=True)
    except KeyboardInterrupt:
        stop.set()
        for j in jobs:
            j.kill()
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
    return [j for j in jobs if j.rc is not None]


def run_slurm(jobs, a, out_dir):
    """Run the jobs as one Slurm job array (tools/farm.py): a batch of seeds
    per array task, each seed's outcome read back into its Job, so the
    report, the XML, the grouping and the repro lines are the local ones. A
    seed its task left no result for fails (rc "lost"). A Ctrl-C cancels the
    array; returns the jobs that finished, as run_jobs does."""
    try:
        opts = farm.options(a)
        results, _, _ = farm.run_array([j.item(a.timeout) for j in jobs],
                                       os.path.join(ROOT, out_dir, "slurm"), opts,
                                       name=f"regress-{jobs[0].build.name}",
                                       log=lambda m: print(m, flush=True))
    except farm.FarmError as e:
        sys.exit(f"regress: {e}")
    for j in jobs:
        r = results.get(f"s{j.seed}")
        if r is not None:
            j.finish(r["rc"], r["out"], r["secs"])
            if not j.passed and not a.quiet:
                print(f"  FAIL seed {j.seed} ({j.test}): {j.signature}", flush=True)
    return [j for j in jobs if j.rc is not None]


def cmd_run(a, seeds):
    build = Build(a.build)
    out_dir = a.out or os.path.join(build.path, "regress")
    os.makedirs(os.path.join(ROOT, out_dir), exist_ok=True)
    cov_dir = os.path.abspath(a.coverage_dir) if a.coverage_dir else None
    if cov_dir:
        os.makedirs(cov_dir, exist_ok=True)
    jobs = [Job(s, build, a.test, cov_dir=cov_dir, inject=a.inject.get(s)) for s in seeds]
    missing = {j.argv[0] for j in jobs if not os.path.exists(os.path.join(ROOT, j.argv[0]))}
    if missing:
        sys.exit(f"regress: {', '.join(sorted(missing))} missing; build it first (make all)")
    where = f"{a.jobs} jobs" if a.sched == "local" else \
        f"a Slurm job array, {a.batch} seeds per task"
    print(f"regress: {build.path}, {len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {where}",
          flush=True)
    t0 = time.monotonic()
    n_asked = len(jobs)
    if a.sched == "slurm":
        jobs = run_slurm(jobs, a, out_dir)
    else:
        jobs = run_jobs(jobs, a.jobs, a.timeout, progress=not a.quiet)
    wall = time.monotonic() - t0
    interrupted = len(jobs) < n_asked
    if interrupted:  # the report holds the seeds that finished, and says so
        print(f"regress: interrupted: {len(jobs)} of {n_asked} seeds finished; reporting those",
              flush=True)
        a.waves = False
    fails = [j for j in jobs if not j.passed]

    xml = os.path.join(ROOT, out_dir, "results.xml")
    junit(xml, build, jobs, wall)
    table = summary_table(jobs, wall, where)
    report = [f"regress: {build.path}", table]

    if fails:
        groups = {}
        for j in sorted(fails, key=lambda j: j.seed):
            groups.setdefault(j.signature, []).append(j)
        # Waves: one seed per signature first, then the rest, up to --max-waves.
        order = [g[0] for g in groups.values()] + [j for g in groups.values() for j in g[1:]]
        rerun = order[:a.max_waves] if a.waves else []
        for j in rerun:
            tp = trace_path(build, j)
            os.makedirs(os.path.join(ROOT, os.path.dirname(tp)), exist_ok=True)
            again = Job(j.seed, build, j.test, trace=tp,
                        inject=a.inject.get(j.seed)).run(a.timeout)
            j.trace, j.reproduced = tp, (not again.passed and again.signature == j.signature)
        report.append(f"\nFAILURES: {len(fails)} of {len(jobs)} seeds, "
                      f"{len(groups)} signature{'s' if len(groups) != 1 else ''}")
        full, short = [], []  # summary.txt gets every failure, stdout a few per group
        for i, (sig, js) in enumerate(sorted(groups.items(), key=lambda kv: -len(kv[1])), 1):
            seeds_s = ", ".join(str(j.seed) for j in js[:20]) + (" ..." if len(js) > 20 else "")
            tests = sorted({j.test for j in js})
            head = [f"\n[{i}] {len(js)} x  {sig}",
                    f"    tests: {', '.join(tests)}; seeds: {seeds_s}"]
            full += head
            short += head
            for n, j in enumerate(js):
                lines = [f"    seed {j.seed}: {j.command()}"]
                if getattr(j, "trace", None):
                    note = "" if j.reproduced else "  (the re-run did NOT fail the same way)"
                    lines.append(f"      waves: {j.trace}{note}")
                    lines.append("      view:  " + view_line(a, build, j))
                full += lines
                if n < a.show:
                    short += lines
            if len(js) > a.show:
                short.append(f"    ... {len(js) - a.show} more in "
                             f"{os.path.join(out_dir, 'summary.txt')}")
    else:
        full, short = [], []
    tail = [f"\nJUnit XML: {os.path.join(out_dir, 'results.xml')}"]
    if interrupted:
        tail.append(f"INTERRUPTED: {len(jobs)} of {n_asked} seeds finished")
    write_atomic(os.path.join(ROOT, out_dir, "summary.txt"),
                 lambda fh: fh.write("\n".join(report + full + tail) + "\n"))
    print("\n".join(report + short + tail))
    if interrupted:
        return 130
    n = len(jobs)
    if a.expect_fail:
        print(f"regress: {len(fails)} of {n} seeds failed on a build with an injected fault")
        return check_expected_failures(fails, a.expect_reason)
    print(f"regress: {n - len(fails)} passed, {len(fails)} failed")
    return 1 if fails else 0


# A process that died, hung or could not start failed for no reason of the
# design's: never the failure a fault is expected to cause. Check reports a
# test child killed by a signal as "Received signal N".
CRASH_RE = re.compile(r"Received signal \d+|Aborting\.\.\.|core dumped")


def unexpected_reason(job, reason):
    """Why job's failure is not the expected one (None if it is): a crash, a
    timeout or a failure whose signature does not match reason (a regex)."""
    if job.rc == "timeout":
        return "timed out"
    if job.rc == "error":
        return "could not start"
    if job.rc == "lost":
        return "no result from its Slurm task"
    if isinstance(job.rc, int) and job.rc < 0:
        return f"killed by signal {-job.rc}"
    if isinstance(job.rc, int) and job.rc > 128:
        return f"exit {job.rc} (a signal through a shell)"
    m = CRASH_RE.search(job.out)
    if m:
        return f"crashed ({m.group(0)})"
    if reason is not None and not re.search(reason, job.signature or ""):
        return f"signature does not match /{reason}/"
    return None


def check_expected_failures(fails, reason=None):
    """--expect-fail (a build with an injected fault): the regression must
    fail, every failing seed must fail for the expected reason (no crash, no
    timeout, a signature matching --expect-reason), and the printed repro
    line of every signature group, run as the user would run it (a shell,
    from the repository root), must fail again with the same signature."""
    if not fails:
        print("regress: expected failures (injected fault) but every seed passed: "
              "the checks cannot see this fault")
        return 1
    wrong = [(j, unexpected_reason(j, reason)) for j in sorted(fails, key=lambda j: j.seed)]
    wrong = [(j, why) for j, why in wrong if why]
    for j, why in wrong:
        print(f"  reason FAIL seed {j.seed}: {why}: {j.signature}\n    {j.command()}")
    if wrong:
        print(f"regress: {len(wrong)} of {len(fails)} failures are not the expected one"
              + (f" (/{reason}/)" if reason is not None else "") + "; "
              f"the fault must fail for its own reason, not a crash, a timeout or another check")
        print("regress-fault-check: 0 passed, 1 failed")
        return 1
    if reason is not None:
        print(f"regress: all {len(fails)} failures match /{reason}/")
    groups = {}
    for j in sorted(fails, key=lambda j: j.seed):
        groups.setdefault(j.signature, j)
    bad = 0
    for sig, j in groups.items():
        p = subprocess.run(["bash", "-c", j.command()], cwd=ROOT, capture_output=True,
                           text=True, errors="replace", timeout=600)
        again = signature(p.returncode, p.stdout + p.stderr, j.test)
        ok = (p.returncode != 0 and p.returncode <= 128 and again == sig
              and not CRASH_RE.search(p.stdout + p.stderr))
        bad += not ok
        print(f"  repro {'OK  ' if ok else 'FAIL'} seed {j.seed}: {j.command()}"
              + ("" if ok else f"\n    got: {again}"))
    print(f"regress: the fault failed {len(fails)} seeds in {len(groups)} signature group(s); "
          f"{len(groups) - bad} of {len(groups)} repro lines fail again the same way")
    print(f"regress-fault-check: {1 if not bad else 0} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


def cmd_show(a):
    build = Build(a.build)
    j = Job(a.seed, build, a.test, inject=a.inject.get(a.seed))
    print(f"seed {a.seed}: {j.cfg}\n{j.command()}")
    return 0


def cmd_waves(a):
    build = Build(a.build)
    probe = Job(a.seed, build, a.test, inject=a.inject.get(a.seed))
    tp = trace_path(build, probe)
    os.makedirs(os.path.join(ROOT, os.path.dirname(tp)), exist_ok=True)
    j = Job(a.seed, build, a.test, trace=tp, inject=a.inject.get(a.seed)).run(a.timeout)
    print(f"waves: seed {a.seed} ({j.test}) {'passed' if j.passed else 'FAILED: ' + j.signature}")
    print(f"  reproduce: {probe.command()}")
    print(f"  with waves: {j.command()}")
    print(f"  FST: {tp}")
    if not os.path.isfile(os.path.join(ROOT, tp)) or os.path.getsize(os.path.join(ROOT, tp)) == 0:
        print(f"waves: no dump was written; the run said:\n{j.out}", file=sys.stderr)
        return 1
    layout = os.path.join(ROOT, "waves", f"{a.layout}.gtkw")
    if not os.path.isfile(layout):
        avail = ", ".join(sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "waves"))
                                 if f.endswith(".gtkw")))
        print(f"waves: no layout waves/{a.layout}.gtkw; layouts: {avail}", file=sys.stderr)
        return 2
    return waves.main_open(os.path.join(ROOT, tp), layout,
                           os.path.join(ROOT, build.path, "waves"),
                           fail_out=None if j.passed else j.out, vectors=j.cfg.get("vectors"))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["run", "smoke", "show", "waves"])
    ap.add_argument("--build", required=True, help="build folder, build/<cfg>")
    ap.add_argument("--seeds", type=int, default=100, help="number of seeds (run)")
    ap.add_argument("--first", type=int, default=1, help="first seed (run)")
    ap.add_argument("--seed", type=int, help="the seed (show, waves)")
    ap.add_argument("--test", help="force this test: mvm or a check_cim case "
                    f"({', '.join(COSIM_CASES)})")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per seed")
    ap.add_argument("--out", help="results folder (default build/<cfg>/regress)")
    ap.add_argument("--coverage-dir", help="write each seed's coverage .dat here")
    ap.add_argument("--no-waves", dest="waves", action="store_false",
                    help="do not re-run failing seeds with waves")
    ap.add_argument("--max-waves", type=int, default=10, help="failing seeds re-run with waves")
    ap.add_argument("--layout", default="ctrl", help="waves/<layout>.gtkw (waves)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--show", type=int, default=5, help="failures printed per group")
    ap.add_argument("--make-vars", help="make variables of this build, for `make waves` hints")
    farm.add_options(ap)  # --sched slurm and its sbatch options (run)
    ap.add_argument("--inject", action="append", default=[], metavar="SEED:SPEC",
                    help="test-only: run SEED with CIM_INJECT=SPEC (tb/cim_inject.h), a seed "
                    "made to fail; its repro line carries the fault")
    ap.add_argument("--expect-fail", action="store_true",
                    help="pass only if seeds fail and every group's repro line fails again")
    ap.add_argument("--expect-reason", metavar="REGEX",
                    help="with --expect-fail: every failure's signature must match REGEX, "
                    "and none may be a crash or a timeout")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stops as a Ctrl-C does
    if a.test and a.test != "mvm" and a.test not in COSIM_CASES:
        ap.error(f"--test {a.test}: not one of mvm, {', '.join(COSIM_CASES)}")
    if a.expect_reason is not None:
        if not a.expect_fail:
            ap.error("--expect-reason needs --expect-fail")
        try:
            re.compile(a.expect_reason)
        except re.error as e:
            ap.error(f"--expect-reason {a.expect_reason!r}: {e}")
    inject = {}
    for spec in a.inject:
        seed, _, fault = spec.partition(":")
        if not seed.isdigit() or not fault:
            ap.error(f"--inject {spec}: not SEED:SPEC (e.g. 3:adc:0:1)")
        inject[int(seed)] = fault
    a.inject = inject
    if a.cmd in ("show", "waves") and a.seed is None:
        ap.error(f"{a.cmd} needs --seed")
    if a.cmd == "run":
        return cmd_run(a, list(range(a.first, a.first + a.seeds)))
    if a.cmd == "smoke":
        return cmd_run(a, SMOKE_SEEDS)
    if a.cmd == "show":
        return cmd_show(a)
    return cmd_waves(a)


if __name__ == "__main__":
    sys.exit(main())

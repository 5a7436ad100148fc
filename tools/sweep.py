#!/usr/bin/env python3
"""Accuracy sweeps: the RTL's error against the exact MVM as one device
parameter grows, each point a full co-simulation run of cim_mvm.

For every point the twin must stay bit-exact (cim_mvm exits 0); a point
that fails is a failure of the sweep, with its command line printed. Each
sweep writes <out>/<param>.csv (param, value, rmse_lsb, max_abs_err_lsb,
snr_db) and, when gnuplot is installed, <out>/<param>.png.

  sweep.py --build build/<cfg> --out build/<cfg>/sweep [--size small|full]
           [--param read_noise,drift,stuck,wire,adc_bits] [--check-trend]

adc_bits needs one build per resolution: it runs `make` for each.
--check-trend (used by `make test`) requires each error to grow with its
parameter (fall, for adc_bits), in this sense: no point's RMSE may fall
below the point before it by more than TREND_TOL of that point's RMSE
(the draws differ from point to point, so a strict rise at every point is
not promised), and the last point's RMSE must be above the first's.
Where the build's ADC rounds the effect away over the whole range (every
point's RMSE is 0: a 1-bit ADC, one row per group) or saturates whatever
the effect does (every point's RMSE the same: a 1-bit ADC that one 3-bit
cell fills), the rule cannot hold; such a sweep passes only if one more
point at the parameter's stress value (STRESS: far past the range) does
change the RMSE, proving the effect reaches this build's outputs at all.
--self-test checks that rule on fixed sequences and exits.
Every subprocess runs with a timeout; one that hangs fails with its command.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cimcfg  # noqa: E402  (tools/cimcfg.py)

# name: (device, how a value is applied, values full, values small, x label, log x)
SWEEPS = {
    "read_noise": ("ideal", lambda v: ["--set", f"read_noise={v}"],
                   [0, 0.01, 0.02, 0.03, 0.04, 0.05], [0, 0.02, 0.05],
                   "read noise (relative sigma per cell)", False),
    # back door: the drift alone (cells the write-verify engine left high in
    # its window drift toward their level first, and the error can fall)
    "drift": ("drift", lambda v: ["--age", f"{v}", "--program", "backdoor"],
              [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 3.15e7], [1, 1e4, 3.15e7],
              "time since programming (s)", True),
    "stuck": ("ideal", lambda v: ["--set", f"stuck_gmin_rate={v / 2}",
                                  "--set", f"stuck_gmax_rate={v / 2}"],
              [0, 0.005, 0.01, 0.02, 0.03, 0.05], [0, 0.01, 0.05],
              "stuck-at rate (half at Gmin, half at Gmax)", False),
    "wire": ("ideal", lambda v: ["--set", f"r_wl_ohm={v}", "--set", f"r_bl_ohm={v}",
                                 "--set", "row_model=connected"],
             [0, 0.5, 1, 2, 5], [0, 1, 5], "wire resistance per cell segment (ohm)", False),
    # the `window` device's ADC full scale (612 uA) kept while the bits change,
    # with the row group fixed, so fewer bits mean coarser steps
    "adc_bits": ("window", lambda b: ["--set", f"adc_lsb_ua={612.0 / (2 ** b - 1)}"],
                 [4, 5, 6, 7, 8], None, "ADC resolution (bits)", False),
}


# A point far past each range, run only when the whole range rounds away
# (--check-trend): the effect must show there. Drift at the preset's exponent
# shrinks G by under 10 % in 100 years, which a coarse ADC may never see, so
# its stress point also raises the exponent. 10 kohm per wire segment puts
# more than a cell's resistance in a few segments of any bitline.
STRESS = {"read_noise": (0.5, []), "drift": (3.2e9, ["--set", "drift_nu_mean=0.5"]),
          "stuck": (0.5, []), "wire": (1e4, [])}

# Relative fall allowed from one point to the next (--check-trend).
TREND_TOL = 0.10
# Seconds: one cim_mvm point, one build (adc_bits), one plot.
POINT_TIMEOUT, BUILD_TIMEOUT, PLOT_TIMEOUT = 600, 1800, 60


def run_cmd(cmd, timeout, **kw):
    """subprocess.run with a timeout; a hang exits with the command named."""
    try:
        return subprocess.run(cmd, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        sys.exit(f"sweep: timed out after {timeout} s: {' '.join(map(str, cmd))}")


def trend_problems(rows, falling=False, tol=TREND_TOL):
    """What breaks the trend rule in rows [(value, rmse), ...] in sweep
    order (falling: the error must fall as the value grows); [] if none."""
    seq = list(reversed(rows)) if falling else list(rows)
    bad = []
    for (v0, e0), (v1, e1) in zip(seq, seq[1:]):
        if e1 < e0 * (1 - tol):
            bad.append(f"rmse {e1:g} at {v1:g} is more than {tol:.0%} below {e0:g} at {v0:g}")
    if len(seq) >= 2 and not seq[-1][1] > seq[0][1]:
        bad.append(f"rmse {seq[-1][1]:g} at {seq[-1][0]:g} is not above {seq[0][1]:g} "
                   f"at {seq[0][0]:g}")
    return bad


def rounds_away(rows):
    """True when every point's RMSE equals the first's: the ADC rounds the
    effect away over the whole range (RMSE 0), or the converter saturates
    whatever it does (a 1-bit ADC that one cell fills: the same nonzero
    RMSE everywhere). The trend rule then gives way to the stress point
    (STRESS), which must change the RMSE."""
    return len(rows) >= 2 and all(e == rows[0][1] for _, e in rows)


def self_test():
    cases = [([(0, 0), (1, 5), (2, 9)], False, True),
             ([(0, 0), (1, 5), (2, 4.6), (3, 9)], False, True),     # a dip within TREND_TOL
             ([(0, 0), (1, 9), (2, 2), (3, 10)], False, False),     # first < last, falls between
             ([(0, 3), (1, 3)], False, False),                      # flat
             ([(4, 9), (6, 5), (8, 1)], True, True),                # adc_bits: falls
             ([(4, 1), (6, 5), (8, 9)], True, False)]
    bad = 0
    for rows, falling, ok in cases:
        got = not trend_problems(rows, falling)
        if got != ok:
            bad += 1
            print(f"sweep self-test: FAIL {rows} falling={falling}: want {'pass' if ok else 'fail'}")
    # flat (all zero, or one saturated value): the trend rule alone fails it,
    # and only then does the stress point decide
    for rows, want in (([(0, 0), (1, 0), (2, 0)], True), ([(0, 0), (1, 0), (2, 1)], False),
                       ([(0, 0)], False), ([(0, 7), (1, 7), (2, 7)], True),
                       ([(0, 7), (1, 7), (2, 8)], False)):
        if rounds_away(rows) != want or (want and not trend_problems(rows)):
            bad += 1
            print(f"sweep self-test: FAIL rounds_away({rows}) != {want}")
    cases += [None] * 5
    print(f"sweep self-test: {len(cases) - bad} of {len(cases)} trend cases as expected")
    return 1 if bad else 0


def write_csv(path, header, rows):
    """Write whole or not at all: a temporary file beside path, then rename."""
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        sys.exit(f"sweep: {path}: cannot write: {e.strerror}")


def run_point(prog, shape, vectors, seed, device, extra, stats):
    cmd = [prog, "--random", shape, "--vectors", str(vectors), "--seed", str(seed),
           "--device", device, "--quiet", "--stats", stats] + extra
    p = run_cmd(cmd, POINT_TIMEOUT, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        sys.stderr.write("reproduce: " + " ".join(cmd) + "\n")
        return None
    with open(stats) as fh:
        row = [r for r in csv.DictReader(fh) if r["column"] == "all"][0]
    return float(row["rmse_lsb"]), int(row["max_abs_err_lsb"]), row["snr_db"]


def adc_build(repo, cfg, bits, prog="cim_mvm"):
    """Build prog for this configuration with ADC_BITS=bits; its path."""
    knobs = {k.upper(): cfg[k] for k in cimcfg.PARAMS}
    knobs["ADC_BITS"] = bits
    name = ("r{ROWS}_c{COLS}_w{W_BITS}_b{CELL_BITS}_x{X_BITS}_a{ADC_BITS}_m{COLS_PER_ADC}"
            "_p{P_MAX}").format(**knobs)
    target = os.path.join("build", name, prog)
    args = ["make", "-s", "-C", repo, target] + [f"{k}={v}" for k, v in knobs.items()]
    if run_cmd(args, BUILD_TIMEOUT, stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit(f"sweep: cannot build ADC_BITS={bits}: {' '.join(args)}")
    return os.path.join(repo, target)


def plot(out, param, xlabel, logx, rows=None):
    if shutil.which("gnuplot") is None:
        print(f"sweep: gnuplot not installed, no {param}.png (apt-get install gnuplot-nox)")
        return
    finite = any(r[4] not in ("inf", "nan") and float(r[4]) < 1e300 for r in rows or [])
    snr = (", \\\n     '' using 2:($5 > 1e300 ? 1/0 : $5) axes x1y2 with linespoints title 'SNR'"
           if finite else "")
    script = f"""
set terminal pngcairo size 800,500 noenhanced
set output '{out}/{param}.png'
set datafile separator ','
set key autotitle columnhead top left
set title 'RTL error against the exact MVM: {param}'
set xlabel '{xlabel}'
set ylabel 'RMSE (output LSB)'
set y2label 'SNR (dB)'
set ytics nomirror
set y2tics
{'set logscale x' if logx else ''}
plot '{out}/{param}.csv' using 2:3 with linespoints title 'RMSE'{snr}
"""
    p = run_cmd(["gnuplot"], PLOT_TIMEOUT, input=script, text=True, capture_output=True)
    if p.returncode != 0:  # pngcairo may be missing: fall back to the plain png terminal
        p = run_cmd(["gnuplot"], PLOT_TIMEOUT, input=script.replace("pngcairo", "png"), text=True,
                           capture_output=True)
    if p.returncode != 0:
        sys.exit(f"sweep: gnuplot failed: {p.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", choices=("small", "full"), default="full")
    ap.add_argument("--param", default="read_noise,drift,stuck,wire,adc_bits")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check-trend", action="store_true")
    ap.add_argument("--self-test", action="store_true", help="check the trend rule and exit")
    a = ap.parse_args()
    if a.self_test:
        sys.exit(self_test())
    params = a.param.split(",")
    for p in params:
        if p not in SWEEPS:
            sys.exit(f"sweep: unknown parameter '{p}' (known: {', '.join(SWEEPS)})")
    cfg = cimcfg.load(a.build)
    n_out = cfg["n_out"]
    small = a.size == "small"
    shape = f"{min(8, n_out)}x{min(64, cfg['rows'])}" if small else f"{n_out}x{cfg['rows']}"
    vectors = 2 if small else 8
    os.makedirs(a.out, exist_ok=True)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(a.build)))
    failed = 0
    for p in params:
        device, apply, full, small_vals, xlabel, logx = SWEEPS[p]
        values = (small_vals if small else full)
        scale = 1.0
        if p == "wire" and values:
            # The drop grows with the square of the wire's length: on an array
            # smaller than the default 256 x 256 the same ohms round away in
            # the ADC, so the wire sweep scales its values to the array.
            scale = max(1.0, (256.0 / max(cfg["rows"], cfg["cols"])) ** 2)
            values = [round(v * scale, 3) for v in values]
        if values is None:
            print(f"sweep: {p} skipped at size small (one build per point)")
            continue
        rows = []
        for v in values:
            if p == "adc_bits":
                prog = adc_build(repo, cfg, v)
                extra = apply(v) + ["--group-rows", str(min(64, cfg["p_max"]))]
            else:
                prog, extra = os.path.join(a.build, "cim_mvm"), apply(v)
            r = run_point(prog, shape, vectors, a.seed, device, extra,
                          os.path.join(a.out, f"{p}_point.csv"))
            if r is None:
                failed += 1
                continue
            rows.append((p, v) + r)
            print(f"  {p:<10} {v:<10g} rmse {r[0]:<12.4g} max {r[1]:<10} snr {r[2]} dB")
        path = os.path.join(a.out, f"{p}.csv")
        write_csv(path, ["param", "value", "rmse_lsb", "max_abs_err_lsb", "snr_db"], rows)
        os.remove(os.path.join(a.out, f"{p}_point.csv")) if os.path.exists(
            os.path.join(a.out, f"{p}_point.csv")) else None
        plot(a.out, p, xlabel, logx, rows)
        print(f"sweep: {path}" + (f", {a.out}/{p}.png" if shutil.which("gnuplot") else ""))
        if a.check_trend and p in STRESS and rounds_away([(r[1], r[2]) for r in rows]):
            # flat over the whole range: the effect must show at STRESS
            v, more = STRESS[p]
            v *= scale if p == "wire" else 1
            r = run_point(os.path.join(a.build, "cim_mvm"), shape, vectors, a.seed, device,
                          apply(v) + more, os.path.join(a.out, f"{p}_stress.csv"))
            if os.path.exists(os.path.join(a.out, f"{p}_stress.csv")):
                os.remove(os.path.join(a.out, f"{p}_stress.csv"))
            base = rows[0][2]
            if r is not None and r[0] != base:
                print(f"sweep: {p} rounds away in this build over {values[0]:g}..{values[-1]:g} "
                      f"(RMSE {base:.4g} throughout); at the stress point {v:g} "
                      f"{' '.join(more)} the RMSE is {r[0]:.4g}")
            else:
                print(f"sweep: FAIL {p}: RMSE {base:g} at every point and "
                      + ("the stress point failed" if r is None else f"still {base:g} at {v:g}"))
                failed += 1
        elif a.check_trend and len(rows) >= 2:
            problems = trend_problems([(r[1], r[2]) for r in rows], falling=p == "adc_bits")
            for why in problems:
                print(f"sweep: FAIL {p}: {why}")
            failed += 1 if problems else 0
    print(f"{len(params) - failed if failed < len(params) else 0} passed, {failed} failed"
          if a.check_trend else f"sweep: {failed} failed points")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

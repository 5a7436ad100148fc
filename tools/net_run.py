#!/usr/bin/env python3
"""The network workload over JOBS processes: `make mnist`.

  net_run.py --build build/<cfg> --net FILE [--images N] [--jobs J] [--devices ideal,default]
             [--seed S] [--program frontdoor|backdoor] [--out CSV]

Splits the first N test images into J contiguous slices, runs each slice
through the co-simulated macro in its own process (`cim_net --rtl`, every
MVM checked by the twin; the exact check where it applies), once per device,
adds the processes' counts, and prints the accuracy table: float software
(from the network file's header), quantized integer software, and the RTL on
each device, with images/s, MVMs and DUT cycles per image. The table goes to
a CSV as well, written whole or not at all. Deterministic for a seed, and
independent of J: every process simulates the same die (--seed), and each
image's noise is keyed by its index in the test set (rram_array_reseed), so
an image gets the same bits in any slice (sw/tests/test_repro.py proves it).
Tiles are programmed through the write-verify engine (each
process programs every tile); the table adds up their programming cycles,
the cells that missed their level and, for NAME+comp, the partners that
stuck-cell compensation re-targeted.

Exit: 0 when every process passed (on the ideal device every class equals
the integer reference's), 1 otherwise, with each failing process's command.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import cimcfg
import sweep as sweep_tool  # its adc_build
from atomicio import write_atomic

RESULT = re.compile(r"^RESULT (.*)$", re.M)
REF = re.compile(r"integer reference (\d+)/(\d+) correct")


# Suffixes of a device name in --devices: NAME+cal calibrates the ADCs on
# each tile, NAME+comp compensates stuck cells after programming, NAME+map
# maps the tiles around the bad lines it finds first.
SUFFIXES = {"cal": "--calibrate", "comp": "--compensate", "map": "--map-bad-lines"}


def device_options(device):
    """The preset or file of a --devices entry and the cim_net options of its suffixes."""
    name, *tags = device.split("+")
    bad = [t for t in tags if t not in SUFFIXES]
    if bad:
        sys.exit(f"net_run: device '{device}': unknown suffix +{bad[0]} "
                 f"(known: {', '.join('+' + t for t in SUFFIXES)})")
    return name, [SUFFIXES[t] for t in tags]


def run_slice(prog, net, data, first, count, device, seed, extra=()):
    """One process on one slice of the test images."""
    name, opts = device_options(device)
    cmd = [prog, "--net", net, "--data", data, "--first", str(first), "--images", str(count),
           "--rtl", "--device", name, "--seed", str(seed)]
    cmd += opts + list(extra)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    dt = time.monotonic() - t0
    m, r = RESULT.search(p.stdout), REF.search(p.stdout)
    res = dict(kv.split("=", 1) for kv in m.group(1).split()) if m else None
    return cmd, p.returncode, res, (int(r.group(1)), int(r.group(2))) if r else None, dt, \
        p.stdout + p.stderr


def header_accuracy(net):
    """The float and quantized accuracies net_train.py wrote into the header."""
    with open(net) as f:
        for line in f:
            m = re.search(r"float test accuracy ([\d.]+); quantized .* test accuracy ([\d.]+)",
                          line)
            if m:
                return float(m.group(1)), float(m.group(2))
            if not line.startswith(("#", "cim-net")):
                break
    return None, None


def write_csv(path, header, rows):
    def fill(f):
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    write_atomic(path, fill)


# --sweep: per parameter, the base device, its values and the cim_net options
# of a value; the accuracy against it, CSV and gnuplot PNG.
SWEEPS = {
    "read_noise": ("ideal", [0, 0.02, 0.05, 0.1, 0.2], lambda v: ["--set", f"read_noise={v}"],
                   "read noise (relative sigma per cell)", False),
    "drift": ("drift", [1, 1e4, 3.15e7, 3.15e8, 3.2e9], lambda v: ["--age", f"{v}"],
              "time since programming (s)", True),
    "stuck": ("ideal", [0, 0.003, 0.01, 0.03, 0.1],
              lambda v: ["--set", f"stuck_gmin_rate={v / 2}", "--set", f"stuck_gmax_rate={v / 2}"],
              "stuck-at rate (half at Gmin, half at Gmax)", False),
    "adc_noise": ("ideal", [0, 0.1, 0.3, 0.5, 1.0], lambda v: ["--set", f"adc_noise_lsb={v}"],
                  "ADC noise per conversion (LSB rms)", False),
    # one build per point (ADC_BITS is a build parameter); the `window`
    # device's full scale (612 uA) kept while the bits change, so fewer bits
    # mean coarser steps, as in tools/sweep.py
    "adc_bits": ("window", [4, 5, 6, 7, 8],
                 lambda b: ["--set", f"adc_lsb_ua={612.0 / (2 ** b - 1)}"],
                 "ADC resolution (bits)", False),
}


def adc_build(build, bits):
    """cim_net of this build's configuration with ADC_BITS=bits (made if
    missing, not timed; tools/sweep.py's builder); the network file needs no
    change (W and X bits)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(build)))
    return sweep_tool.adc_build(repo, cimcfg.load(build), bits, prog="cim_net")


def run_points(prog, a, bounds, device, extra):
    """All slices of one point through prog; (images, correct, failures)."""
    jobs = len(bounds)
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        outs = list(ex.map(lambda b: run_slice(prog, a.net, a.data, b[0], b[1] - b[0], device,
                                               a.seed, ["--program", a.program] + extra),
                                bounds))
    n = c = 0
    bad = []
    for cmd, rc, res, _, _, text in outs:
        if rc != 0 or res is None:
            bad.append((device, " ".join(cmd), text))
            continue
        n += int(res["images"])
        c += int(res["correct"])
    return n, c, bad


def sweep(a, prog, bounds):
    failed = []
    for p in a.sweep.split(","):
        if p not in SWEEPS:
            sys.exit(f"net_run: --sweep: unknown parameter '{p}' (known: {', '.join(SWEEPS)})")
        device, values, opts, xlabel, logx = SWEEPS[p]
        rows = []
        for v in values:
            point_prog = adc_build(a.build, v) if p == "adc_bits" else prog
            n, c, bad = run_points(point_prog, a, bounds, device, opts(v))
            failed += bad
            acc = c / n if n else 0.0
            rows.append([p, v, n, c, f"{acc:.4f}"])
            print(f"  {p:<10} {v:<10g} accuracy {acc:.4f} ({c}/{n})", flush=True)
        csv = os.path.join(a.sweep_dir, f"net_{p}.csv")
        write_csv(csv, ["param", "value", "images", "correct", "accuracy"], rows)
        png = os.path.join(a.sweep_dir, f"net_{p}.png")
        plot(csv, png, xlabel, logx, p)
        print(f"net_run: {csv}" + (f", {png}" if os.path.exists(png) else ""))
    return failed


def plot(csv, png, xlabel, logx, title):
    """The accuracy against the parameter, through gnuplot when it is there."""
    try:
        script = (f"set terminal pngcairo size 800,500 noenhanced\nset output '{png}.tmp'\n"
                  f"set datafile separator ','\nset xlabel '{xlabel}'\n"
                  f"set ylabel 'test accuracy'\nset yrange [0:1]\nset grid\n"
                  + ("set logscale x\n" if logx else "")
                  + f"set title 'Fashion-MNIST MLP through the RTL: {title}'\n"
                  f"plot '{csv}' every ::1 using 2:5 with linespoints title 'RTL'\n")
        p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, timeout=60)
        if p.returncode == 0:
            os.replace(png + ".tmp", png)
    except (OSError, subprocess.TimeoutExpired):
        pass


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--net", required=True)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--devices", default="ideal,default",
                    help="comma-separated presets or device files; NAME+cal with the ADCs "
                         "calibrated per tile, NAME+comp with stuck cells compensated; 'all': "
                         "every preset, default+comp and default+map")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--program", choices=["frontdoor", "backdoor"], default="frontdoor",
                    help="how each process loads the tiles (default: the write-verify engine)")
    ap.add_argument("--out")
    ap.add_argument("--sweep", help="accuracy against parameters instead: "
                    + ",".join(SWEEPS))
    ap.add_argument("--sweep-dir", default=".")
    a = ap.parse_args(argv)
    if a.images < 1 or a.jobs < 1:
        ap.error("--images and --jobs must be at least 1")
    prog = os.path.join(a.build, "cim_net")
    jobs = min(a.jobs, a.images)
    bounds = [(a.images * i // jobs, a.images * (i + 1) // jobs) for i in range(jobs)]
    if a.sweep:
        print(f"net_run: sweep of {a.sweep}, the first {a.images} test images per point over "
              f"{jobs} processes")
        failed = sweep(a, prog, bounds)
        for dev, cmd, text in failed:
            print(f"net_run: FAIL on {dev}:\n{text}\nreproduce: {cmd}")
        return 1 if failed else 0
    f_acc, q_acc = header_accuracy(a.net)
    rows, failed, ref_correct = [], [], None
    print(f"net_run: {a.net}, the first {a.images} test images over {jobs} processes")
    devices = a.devices.split(",")
    if devices == ["all"]:
        p = subprocess.run([prog, "--list-devices"], capture_output=True, text=True, check=True)
        devices = p.stdout.split() + ["default+comp", "default+map"]
    for dev in devices:
        device_options(dev)  # a bad suffix stops the run before any process
    for dev in devices:
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=jobs) as ex:
            outs = list(ex.map(lambda b: run_slice(prog, a.net, a.data, b[0], b[1] - b[0], dev,
                                                   a.seed, ["--program", a.program]), bounds))
        wall = time.monotonic() - t0
        tot = dict(images=0, correct=0, equal=0, mvms=0, cycles=0, twin_fail=0, exact_fail=0,
                   exact_applied=0, prog_cycles=0, prog_failed=0, comp_exact=0, comp_clamped=0)
        ref = 0
        energy = dict(e_array=0.0, e_adc=0.0, e_drivers=0.0, e_digital=0.0, macs=0.0)
        for cmd, rc, res, refc, dt, text in outs:
            if rc != 0 or res is None:
                failed.append((dev, " ".join(cmd), text))
                continue
            for k in tot:
                tot[k] += int(res[k])
            for k in energy:
                energy[k] += float(res.get(k, 0))
            ref += refc[0] if refc else 0
        ref_correct = ref if ref_correct is None else ref_correct
        n = max(tot["images"], 1)
        e_mvm = energy["e_array"] + energy["e_adc"] + energy["e_drivers"] + energy["e_digital"]
        tops_w = 2 * energy["macs"] / e_mvm / 1e12 if e_mvm > 0 else 0.0
        rows.append([dev, tot["images"], tot["correct"], f"{tot['correct'] / n:.4f}",
                     tot["equal"], tot["mvms"], f"{tot['cycles'] / n:.0f}", tot["twin_fail"],
                     "yes" if tot["exact_applied"] == tot["mvms"] and tot["mvms"] else "no",
                     f"{wall:.1f}", f"{tot['images'] / wall:.1f}",
                     f"{tot['prog_cycles'] / 1e6:.1f}", tot["prog_failed"], tot["comp_exact"],
                     f"{e_mvm / n * 1e9:.2f}", f"{tops_w:.3g}"])
    print(f"{'':28} {'accuracy':>9} {'images':>7}")
    if f_acc is not None:
        print(f"{'float software':28} {f_acc:9.4f} {'10000':>7}")
        print(f"{'quantized software (numpy)':28} {q_acc:9.4f} {'10000':>7}")
    if ref_correct is not None:
        print(f"{'quantized software (C)':28} {ref_correct / a.images:9.4f} {a.images:7}")
    print()
    hdr = ["device", "images", "correct", "accuracy", "same_class_as_ref", "mvms",
           "dut_cycles_per_image", "twin_fail_outputs", "exact_checked", "wall_s", "images_per_s",
           "programming_mcycles", "cells_missed", "partners_retargeted", "nj_per_image",
           "tops_per_w"]
    print("  ".join(f"{h:>12}" for h in ["RTL, device", "accuracy", "as ref", "MVMs",
                                          "cycles/img", "twin fails", "exact", "wall s",
                                          "images/s", "prog Mcyc", "cells missed",
                                          "compensated", "nJ/image", "TOPS/W"]))
    for r in rows:
        print("  ".join(f"{v:>12}" for v in [r[0], r[3], f"{r[4]}/{r[1]}", r[5], r[6], r[7],
                                              r[8], r[9], r[10], r[11], r[12], r[13], r[14],
                                              r[15]]))
    if a.out:
        pad = [""] * (len(hdr) - 4)
        extra = [["float_software", 10000, "", f"{f_acc:.4f}" if f_acc else ""] + pad,
                 ["quantized_software", a.images, ref_correct,
                  f"{(ref_correct or 0) / a.images:.4f}"] + pad]
        write_csv(a.out, hdr, extra + rows)
        print(f"net_run: {a.out}")
    for dev, cmd, text in failed:
        print(f"net_run: FAIL on {dev}:\n{text}\nreproduce: {cmd}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

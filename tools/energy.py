#!/usr/bin/env python3
"""Energy per MVM of the default macro, by component: `make energy`.

  energy.py --build build/<cfg> [--out DIR] [--params neurram_130nm,neurosim_22nm]
            [--devices ideal,default] [--seed S]

Runs `cim_mvm --random full --vectors 8` once per device and parameter set
(sw/energy/*.energy), reads its ENERGY line (the energy of one MVM by
component: the analog array's read energy from the model, the ADC
conversions, the wordline drivers, the digital shift-and-add and buffers)
and writes DIR/energy.csv and, through gnuplot when it is installed,
DIR/energy.png, a stacked bar per run. Files are written whole or not at all.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomicio import write_atomic  # noqa: E402

COMPONENTS = ["array_j", "adc_j", "drivers_j", "digital_j"]
ENERGY = re.compile(r"^ENERGY (.*)$", re.M)


def run(prog, device, params, seed):
    cmd = [prog, "--random", "full", "--vectors", "8", "--seed", str(seed), "--device", device,
           "--energy", params]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    m = ENERGY.search(p.stdout)
    if p.returncode != 0 or not m:
        sys.exit(f"energy: {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
    return dict(kv.split("=", 1) for kv in m.group(1).split())


def text_chart(rows, width=50):
    """The shares of each run as a stacked bar of characters (for README)."""
    marks = {"array_j": "a", "adc_j": "A", "drivers_j": "w", "digital_j": "d"}
    lines = ["shares of one MVM's energy: a array, A ADC, w wordline drivers, d digital"]
    for r in rows:
        vals = [float(v) for v in r[3:3 + len(COMPONENTS)]]
        total = sum(vals) or 1.0
        bar = "".join(marks[k] * round(v / total * width) for k, v in zip(COMPONENTS, vals))
        lines.append(f"{r[0]:<24} |{bar:<{width}}| {float(r[7]) * 1e9:.3g} nJ")
    return "\n".join(lines)


def plot(csv, png, build):
    script = (f"set terminal pngcairo size 900,500 noenhanced\nset output '{png}.tmp'\n"
              "set datafile separator ','\nset style data histograms\n"
              "set style histogram rowstacked\nset style fill solid border -1\n"
              "set boxwidth 0.6\nset ylabel 'energy per MVM (pJ)'\nset key outside\n"
              "set xtics rotate by -20\n"
              f"set title 'Energy of one full-array MVM by component ({os.path.basename(build)})'\n"
              f"plot '{csv}' every ::1 using ($4*1e12):xtic(1) title 'array', "
              "'' every ::1 using ($5*1e12) title 'ADC', "
              "'' every ::1 using ($6*1e12) title 'wordline drivers', "
              "'' every ::1 using ($7*1e12) title 'digital'\n")
    try:
        p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    if p.returncode != 0:
        return False
    os.replace(png + ".tmp", png)
    return True


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--out")
    ap.add_argument("--params", default="neurram_130nm,neurosim_22nm")
    ap.add_argument("--devices", default="ideal,default")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    out = a.out or os.path.join(a.build, "energy")
    os.makedirs(out, exist_ok=True)
    prog = os.path.join(a.build, "cim_mvm")
    rows = []
    for params in a.params.split(","):
        for dev in a.devices.split(","):
            e = run(prog, dev, params, a.seed)
            rows.append([f"{params} {dev}", params, dev] + [e[k] for k in COMPONENTS]
                        + [e["mvm_j"], e["tops_w"], e["latency_s"]])
            print(f"  {params:<15} {dev:<10} {float(e['mvm_j']) * 1e9:8.3f} nJ/MVM  "
                  + "  ".join(f"{k[:-2]} {float(e[k]) / float(e['mvm_j']) * 100:4.1f} %"
                              for k in COMPONENTS)
                  + f"  {float(e['tops_w']):.3g} TOPS/W  {float(e['latency_s']) * 1e6:.3g} us")
    print(text_chart(rows))
    csv = os.path.join(out, "energy.csv")

    def fill(f):
        f.write("run,params,device," + ",".join(COMPONENTS) + ",mvm_j,tops_w,latency_s\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    write_atomic(csv, fill)
    png = os.path.join(out, "energy.png")
    print(f"energy: {csv}" + (f", {png}" if plot(csv, png, os.path.normpath(a.build)) else " (no gnuplot: no PNG)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

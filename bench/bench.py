#!/usr/bin/env python3
"""bench.py: run the benchmark variants side by side and print the tables.

Called by `make bench` (mk/bench.mk), which builds every program first. Each
run of each variant is its own process, so its peak RSS (VmHWM, reported by
the process itself; getrusage's maxrss would include this driver's size,
which Linux carries across exec) is its own. Runs are interleaved round by
round (so slow drift of the machine hits every variant alike) and the table
reports medians. Before any figure is printed, every run must have passed
its golden checks, and every variant must have produced the same outputs,
per-MVM cycle counts and ADC logs as the others (digests): a speed-up that
changes the answer is not a speed-up.

Variants, on the configuration of --build:
  1 systemc  bench_sc: the SystemC co-simulation as shipped (default quantum)
  2 plain    bench_plain: plain C++ harness over the same model and firmware
  3 cmodel   bench_cmodel: the C model's sequence and the twin, no RTL
  4 cocotb   the cocotb testbench (bench/cocotb), fewer MVMs
  and, for reference, systemc with quantum 1 (cycle-accurate SystemC time).
Then the scaling with ROWS (--scale ROWS:BUILD_DIR ...): variants 1-3.
CSV: <build>/bench/bench.csv (tables) and <build>/bench/runs.csv (every run).
"""

import argparse
import csv
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time


def parse_line(line):
    kind, _, rest = line.partition(" ")
    d = {"kind": kind}
    for kv in rest.split():
        k, _, v = kv.partition("=")
        d[k] = v
    return d


def run(cmd, env=None):
    """Run one process; return its BENCH and ANALOG lines as dicts."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-4000:] + p.stderr[-4000:])
        raise SystemExit(f"bench: {' '.join(map(shlex.quote, cmd))} failed with status {p.returncode}")
    lines = [parse_line(l) for l in p.stdout.splitlines()
             if l.startswith(("BENCH ", "ANALOG ", "RESULT "))]
    for l in lines:
        l["process_seconds"] = wall
    return lines


def cocotb_run(args, layers, vectors, out, log_digest=False):
    env = dict(os.environ, BENCH_LAYERS=str(layers), BENCH_VECTORS=str(vectors), BENCH_SEED="1",
               BENCH_OUT=out, BENCH_LOG_DIGEST="1" if log_digest else "0")
    if os.path.exists(out):
        os.remove(out)
    # A shell command line from mk/bench.mk (it sets PATH for cocotb-config).
    results = os.path.abspath(os.path.join(args.build, "bench", "cocotb", "results.xml"))
    cmd = f"{args.cocotb_make} COCOTB_RESULTS_FILE={shlex.quote(results)}"
    t0 = time.perf_counter()
    p = subprocess.run(cmd, shell=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0 or not os.path.exists(out):
        sys.stderr.write(p.stdout[-6000:])
        raise SystemExit("bench: the cocotb run failed")
    with open(out) as f:
        d = parse_line(f.read().strip())
    d["process_seconds"] = wall
    return d


def med(rows, key):
    return statistics.median(float(r[key]) for r in rows)


def fmt_rate(v):
    if v is None:
        return "-"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:.2f} {unit}"
    return f"{v:.1f}"


def table(headers, rows):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    out = ["  ".join(str(h).rjust(w[i]) if i else str(h).ljust(w[i]) for i, h in enumerate(headers))]
    out.append("  ".join("-" * x for x in w))
    for r in rows:
        out.append("  ".join(str(c).rjust(w[i]) if i else str(c).ljust(w[i]) for i, c in enumerate(r)))
    return "\n".join(out)


def check_same(label, runs, keys):
    """Every run in runs must agree on keys (and have passed)."""
    for r in runs:
        if r.get("pass") != "1":
            raise SystemExit(f"bench: {label}: a run failed its golden checks: {r}")
    for k in keys:
        vals = {r[k] for r in runs if k in r}
        if len(vals) > 1:
            raise SystemExit(f"bench: {label}: variants disagree on {k}: {sorted(vals)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--vectors", type=int, default=50)
    ap.add_argument("--cocotb-make", required=True)
    ap.add_argument("--cocotb-layers", type=int, default=2)
    ap.add_argument("--cocotb-vectors", type=int, default=5)
    ap.add_argument("--cocotb-repeat", type=int, default=3)
    ap.add_argument("--scale", nargs="*", default=[])
    ap.add_argument("--scale-repeat", type=int, default=3)
    ap.add_argument("--device", default="all", help="device preset(s) for the analog rate: a name, a file or all")
    ap.add_argument("--e2e-layers", type=int, default=2, help="layers per end-to-end run of each preset")
    ap.add_argument("--e2e-repeat", type=int, default=3, help="rounds of the end-to-end preset runs")
    ap.add_argument("--net", help="network file: the network workload's images/s, RTL against C model")
    ap.add_argument("--cim-net", help="the cim_net program of the build")
    ap.add_argument("--net-images", type=int, default=200)
    ap.add_argument("--net-repeat", type=int, default=3)
    args = ap.parse_args()

    bdir = os.path.join(args.build, "bench")
    wl = ["--layers", str(args.layers), "--vectors", str(args.vectors)]
    cmds = {
        "systemc": [os.path.join(bdir, "bench_sc")] + wl,
        "plain": [os.path.join(bdir, "bench_plain")] + wl,
        "cmodel": [os.path.join(bdir, "bench_cmodel")] + wl,
        "systemc q=1": [os.path.join(bdir, "bench_sc"), "--quantum", "1"] + wl,
    }
    t_start = time.perf_counter()
    print(f"bench: {args.build}, {args.layers} layers x {args.vectors} vectors per run, "
          f"{args.repeat} runs per variant (medians); cocotb {args.cocotb_layers} x "
          f"{args.cocotb_vectors}, {args.cocotb_repeat} runs")
    print(f"       host {platform.node()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; one process per run; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # 0. Equivalence, untimed: every variant's outputs, per-MVM cycles and
    #    ADC logs (digests over the log) are the same on a common workload.
    small = ["--layers", str(args.cocotb_layers), "--vectors", str(args.cocotb_vectors), "--log-digest"]
    eq = [run([cmds[v][0]] + small + (["--quantum", "1"] if v == "systemc q=1" else []))[0]
          for v in ("systemc", "plain", "systemc q=1")]
    eq.append(run([cmds["cmodel"][0]] + small + ["--analog-drives", "0"])[0])
    eq.append(cocotb_run(args, args.cocotb_layers, args.cocotb_vectors,
                         os.path.abspath(os.path.join(bdir, "cocotb_eq.txt")), log_digest=True))
    check_same("equivalence", eq, ["out_digest", "log_digest"])
    check_same("equivalence (cycles)", [r for r in eq if r["variant"] != "cmodel"], ["cyc_digest", "cycles"])
    print(f"equivalence: systemc, plain, systemc q=1, cmodel and cocotb agree on "
          f"{eq[0]['mvms']} MVMs: outputs {eq[0]['out_digest']}, ADC logs {eq[0]['log_digest']}, "
          f"cycles {eq[0]['cycles']} ({eq[0]['cyc_digest']} per MVM)")

    # 1. The timed runs, interleaved.
    runs = {v: [] for v in cmds}
    analog = []
    for _ in range(args.repeat):
        for v, cmd in cmds.items():
            extra = []
            if v == "cmodel":
                extra = ["--analog-drives", "200000"]
            lines = run(cmd + extra, None)
            runs[v].append(next(l for l in lines if l["kind"] == "BENCH"))
            analog += [l for l in lines if l["kind"] == "ANALOG"]
    runs["cocotb"] = [cocotb_run(args, args.cocotb_layers, args.cocotb_vectors,
                                 os.path.abspath(os.path.join(bdir, f"cocotb_{i}.txt")))
                      for i in range(args.cocotb_repeat)]
    check_same("timed runs", runs["systemc"] + runs["plain"] + runs["cmodel"] + runs["systemc q=1"],
               ["out_digest"])
    check_same("timed runs (cycles)", runs["systemc"] + runs["plain"] + runs["systemc q=1"], ["cycles", "cyc_digest"])

    res = {}
    for v, rs in runs.items():
        mvms = int(rs[0]["mvms"])
        sec = med(rs, "seconds")
        cyc = int(float(rs[0]["cycles"]))
        res[v] = {
            "mvms": mvms, "seconds": sec, "cycles": cyc,
            "cycles_per_s": cyc / sec if cyc else None,
            "mvms_per_s": mvms / sec,
            "maxrss_mib": med(rs, "maxrss_kib") / 1024,
            "spread": (max(float(r["seconds"]) for r in rs) - min(float(r["seconds"]) for r in rs)) / sec,
        }
    sc = res["systemc"]["mvms_per_s"]
    ratio = {"systemc": 1.0, "plain": sc / res["plain"]["mvms_per_s"], "cmodel": sc / res["cmodel"]["mvms_per_s"],
             "cocotb": sc / res["cocotb"]["mvms_per_s"], "systemc q=1": sc / res["systemc q=1"]["mvms_per_s"]}
    label = {"systemc": "1 SystemC co-sim (quantum 100)", "plain": "2 plain C++ harness",
             "cmodel": "3 C model + twin, no RTL", "cocotb": "4 cocotb 1.8.1 + Verilator",
             "systemc q=1": "  SystemC, quantum 1"}
    order = ["systemc", "plain", "cmodel", "cocotb", "systemc q=1"]
    rows = []
    for v in order:
        r = res[v]
        rows.append([label[v], r["mvms"], f"{r['cycles']:,}" if r["cycles"] else "-",
                     fmt_rate(r["cycles_per_s"]), f"{r['mvms_per_s']:,.1f}",
                     f"1/{'234'[order.index(v) - 1]} = {ratio[v]:.3g}" if v in ("plain", "cmodel", "cocotb") else
                     (f"{ratio[v]:.3g}" if v != "systemc" else "1"),
                     f"{r['maxrss_mib']:.1f}", f"{100 * r['spread']:.0f}%"])
    print()
    print(table(["variant", "MVMs", "DUT cycles", "cycles/s", "MVMs/s", "SystemC/x", "peak MiB", "spread"], rows))

    # Analog rate: ideal from the timed runs (medians); every device preset
    # once, time-bounded (bench_cmodel has them when cmodel has rram_device.h).
    if args.device and os.path.exists("cmodel/rram_device.h"):
        analog += [l for l in run([cmds["cmodel"][0], "--layers", "1", "--vectors", "1",
                                   "--analog-drives", "200000", "--device", args.device,
                                   "--analog-seconds", "0.15"]) if l["kind"] == "ANALOG"]
    arow = []
    ideal_group = med([a for a in analog if a["device"] == "ideal" and a["pattern"] == "group"], "evals_per_s")
    devices = list(dict.fromkeys(a["device"] for a in analog))
    for dev in sorted(devices, key=lambda d: d != "ideal"):
        g = [a for a in analog if a["device"] == dev and a["pattern"] == "group"]
        d = [a for a in analog if a["device"] == dev and a["pattern"] == "dense"]
        arow.append([dev + (" (every effect on)" if dev == "default" else ""),
                     fmt_rate(med(g, "evals_per_s")), f"{med(g, 'ns_per_drive'):,.0f}",
                     fmt_rate(med(d, "evals_per_s")), f"{med(d, 'ns_per_drive'):,.0f}",
                     f"{med(g, 'evals_per_s') / ideal_group:.3g}"])
    if len(devices) == 1:
        arow.append(["(every effect on)", "n/a: no rram_device_load() in cmodel/", "-", "-", "-", "-"])
    print()
    print("analog model: cell evaluations/s, one evaluation per drive (phase) = popcount(wordlines) x cols")
    print("cells; 'group' drives one row group (P rows, each bit 1 w.p. 1/2: the workload's phases),")
    print("'dense' every row (w.p. 1/2). Ideal: medians of the timed runs; presets: one run each")
    print(table(["device", "group evals/s", "ns/drive", "dense evals/s", "ns/drive", "vs ideal"], arow))

    # End to end on every preset: the SystemC co-simulation, the same
    # workload per device, interleaved round by round so every preset sees
    # the same machine; ratios against the ideal device of the same rounds.
    e2e = {dev: [] for dev in devices}
    wl_e2e = ["--layers", str(args.e2e_layers), "--vectors", str(args.vectors)]
    for _ in range(args.e2e_repeat):
        for dev in devices:
            e2e[dev] += [l for l in run(cmds["systemc"][:1] + wl_e2e + ["--device", dev])
                         if l["kind"] == "BENCH"]
    for dev, rs in e2e.items():
        for r in rs:
            if r.get("pass") != "1":
                raise SystemExit(f"bench: device {dev}: the twin check failed: {r}")
    e2e_rate = {dev: int(rs[0]["mvms"]) / med(rs, "seconds") for dev, rs in e2e.items()}
    erow = [[dev, f"{e2e_rate[dev]:,.1f}", f"{e2e_rate[dev] / e2e_rate['ideal']:.3g}"]
            for dev in sorted(devices, key=lambda d: d != "ideal")]
    print()
    print(f"end to end on every preset: SystemC co-simulation, {args.e2e_layers} layers x "
          f"{args.vectors} vectors (a layer load counted), twin checked, medians of "
          f"{args.e2e_repeat} interleaved rounds")
    print(table(["device", "MVMs/s", "vs ideal"], erow))

    # The network workload: images/s through the RTL next to the same tiles
    # through the C model and twin alone (both loaded by the back door),
    # interleaved rounds, medians; and the time to program every tile
    # through the write-verify engine (one image, front door, less its MVMs).
    net_rate = {}
    if args.net and args.cim_net:
        nruns = {"rtl": [], "cmodel": [], "program": []}
        for _ in range(args.net_repeat):
            for eng in nruns:
                n = 1 if eng == "program" else args.net_images
                cmd = [args.cim_net, "--net", args.net, "--images", str(n), "--rtl", "--program",
                       "frontdoor" if eng == "program" else "backdoor"]
                nruns[eng] += [l for l in run(cmd + (["--cmodel"] if eng == "cmodel" else []))
                               if l["kind"] == "RESULT"]
        for eng, rs in nruns.items():
            for r in rs:
                if r.get("pass") != "1" or r["equal"] != r["images"]:
                    raise SystemExit(f"bench: network on the {eng}: a check failed: {r}")
        prog = nruns.pop("program")
        net_rate = {eng: int(rs[0]["images"]) / med(rs, "seconds") for eng, rs in nruns.items()}
        prog_s = max(0.0, med(prog, "seconds") - 1 / net_rate["rtl"])
        prog_mcyc = int(prog[0]["prog_cycles"]) / 1e6
        mvm_img = int(nruns["rtl"][0]["mvms"]) / int(nruns["rtl"][0]["images"])
        print()
        print(f"network workload: {os.path.basename(args.net)}, the first {args.net_images} test "
              f"images, {mvm_img:.0f} MVMs per image, ideal device, every class equal to the "
              f"integer reference; medians of {args.net_repeat} interleaved rounds")
        print(table(["engine", "images/s", "vs C model"],
                    [["RTL (SystemC co-simulation, twin + exact checked)",
                      f"{net_rate['rtl']:,.1f}", f"{net_rate['rtl'] / net_rate['cmodel']:.3g}"],
                     ["C model + twin, no RTL", f"{net_rate['cmodel']:,.1f}", "1"]]))
        print(f"programming every tile through the write-verify engine: {prog_mcyc:.1f} M DUT "
              f"cycles, {prog_s:.1f} s (median of {args.net_repeat}; each process of make mnist "
              f"does it once)")

    # 2. Scaling with ROWS.
    srows = []
    scale_res = []
    for spec in args.scale:
        rows_n, _, sdir = spec.partition(":")
        sb = os.path.join(sdir, "bench")
        sruns = {"systemc": [], "plain": [], "cmodel": []}
        for _ in range(args.scale_repeat):
            for v, prog in (("systemc", "bench_sc"), ("plain", "bench_plain"), ("cmodel", "bench_cmodel")):
                extra = ["--analog-drives", "50000"] if v == "cmodel" else []
                # About the same work per run at every size: 200 MVMs at 256 rows.
                vec = str(max(10, 50 * 256 // int(rows_n)))
                lines = run([os.path.join(sb, prog), "--layers", "4", "--vectors", vec] + extra)
                sruns[v].append(next(l for l in lines if l["kind"] == "BENCH"))
                if v == "cmodel":
                    sruns.setdefault("analog", []).extend(
                        l for l in lines if l["kind"] == "ANALOG" and l["pattern"] == "dense")
        check_same(f"ROWS={rows_n}", sruns["systemc"] + sruns["plain"] + sruns["cmodel"], ["out_digest"])
        mv = int(sruns["systemc"][0]["mvms"])
        cyc = int(sruns["systemc"][0]["cycles"])
        r = {"rows": int(rows_n), "cycles_per_mvm": cyc / mv,
             "systemc": mv / med(sruns["systemc"], "seconds"), "plain": mv / med(sruns["plain"], "seconds"),
             "cmodel": mv / med(sruns["cmodel"], "seconds"),
             "cycles_per_s": cyc / med(sruns["systemc"], "seconds"),
             "analog_dense": med(sruns["analog"], "evals_per_s"),
             "maxrss_mib": med(sruns["systemc"], "maxrss_kib") / 1024}
        scale_res.append(r)
    if scale_res:
        base = next((r for r in scale_res if r["rows"] == 256), scale_res[0])
        for r in scale_res:
            srows.append([r["rows"], f"{r['cycles_per_mvm']:,.0f}", fmt_rate(r["cycles_per_s"]),
                          f"{r['systemc']:,.1f}", f"{r['plain']:,.1f}", f"{r['cmodel']:,.1f}",
                          f"{base['systemc'] / r['systemc']:.2f}x", fmt_rate(r["analog_dense"]),
                          f"{r['maxrss_mib']:.1f}"])
        print()
        print("scaling with ROWS (COLS and the rest as configured; full-macro MVMs, 4 x 50*256/ROWS per run, medians)")
        print(table(["ROWS", "cycles/MVM", "SC cycles/s", "SC MVMs/s", "plain MVMs/s", "cmodel MVMs/s",
                     "SC cost vs 256", "analog dense", "SC peak MiB"], srows))

    noisy = [v for v in order if res[v]["spread"] > 0.2]
    if noisy:
        print(f"\nnote: run-to-run spread above 20% for {', '.join(noisy)} (load average now "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}): the machine was busy; rerun on an idle one")

    # Targets.
    print()
    tgt = [
        ("cocotb peer >= 20x slower than SystemC (MVMs/s)", ratio["cocotb"] >= 20, f"{ratio['cocotb']:.0f}x"),
        ("SystemC >= 0.9x plain C++ (MVMs/s)", ratio["plain"] >= 0.9, f"{ratio['plain']:.3f}x"),
        (">= 2000 default-macro MVMs/s end to end (SystemC)", sc >= 2000, f"{sc:,.0f} MVMs/s"),
    ]
    if "default" in e2e_rate:
        rel = e2e_rate["default"] / e2e_rate["ideal"]
        tgt.append(("default device >= 0.5x the ideal end to end (MVMs/s)", rel >= 0.5, f"{rel:.3g}x"))
    if net_rate:
        # make mnist splits the images over 2 processes, one per CPU, and
        # each programs every tile
        est = prog_s + 10000 / (2 * net_rate["rtl"])
        tgt.append(("network: 10,000 ideal images in <= 90 s on 2 CPUs, front-door programming "
                    "included (from one process's rates)", est <= 90, f"{est:.0f} s"))
    ideal = [a for a in analog if a["device"] == "ideal" and a["pattern"] == "group"]
    if ideal:
        ev = med(ideal, "evals_per_s")
        tgt.append((">= 2e9 cell-evals/s, ideal device", ev >= 2e9, f"{ev:.3g}/s"))
    for name, ok, val in tgt:
        print(f"  {'MET ' if ok else 'MISS'}  {name}: {val}")

    # CSV.
    path = os.path.join(bdir, "bench.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["table", "variant", "rows", "mvms", "dut_cycles", "cycles_per_s", "mvms_per_s",
                    "systemc_over_variant", "peak_rss_mib", "cell_evals_per_s", "device"])
        for v in order:
            r = res[v]
            w.writerow(["variants", v, r.get("rows", ""), r["mvms"], r["cycles"], r["cycles_per_s"] or "",
                        f"{r['mvms_per_s']:.3f}", f"{ratio[v]:.4f}", f"{r['maxrss_mib']:.2f}", "", ""])
        for dev in devices:
            w.writerow(["end_to_end", "systemc", "", "", "", "", f"{e2e_rate[dev]:.3f}", "", "", "", dev])
            for pat in ("group", "dense"):
                sel = [x for x in analog if x["device"] == dev and x["pattern"] == pat]
                w.writerow(["analog", pat, "", "", "", "", "", "", "", f"{med(sel, 'evals_per_s'):.4g}", dev])
        for r in scale_res:
            for v in ("systemc", "plain", "cmodel"):
                w.writerow(["scaling", v, r["rows"], "", f"{r['cycles_per_mvm']:.0f}",
                            f"{r['cycles_per_s']:.0f}" if v == "systemc" else "", f"{r[v]:.3f}", "",
                            f"{r['maxrss_mib']:.2f}" if v == "systemc" else "",
                            f"{r['analog_dense']:.4g}" if v == "cmodel" else "", "ideal"])
    with open(os.path.join(bdir, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        keys = ["variant", "mvms", "cycles", "seconds", "process_seconds", "maxrss_kib", "out_digest", "cyc_digest", "pass"]
        w.writerow(keys)
        for v, rs in runs.items():
            for r in rs:
                w.writerow([v if k == "variant" else r.get(k, "") for k in keys])
    print(f"\nCSV: {path}, {os.path.join(bdir, 'runs.csv')}  (bench took {time.perf_counter() - t_start:.0f} s)")


if __name__ == "__main__":
    main()

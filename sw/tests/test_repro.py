#!/usr/bin/env python3
"""The same seed gives bit-identical results, and a long run stops cleanly.

Each claim is checked on the shipped programs of BUILD_DIR, comparing the
64-bit fingerprints they print (cim_mvm --digest: outputs, every MVM's ADC
codes as the analog model logged them, cycle counts; cim_net --per-image:
each image's classes and the fingerprint of its MVMs) and, where a run writes
files, the files themselves:
  - two runs of one command;
  - with and without an FST waveform;
  - SystemC quanta 1, 7 and 100;
  - `tools/regress.py run` with --jobs 1 and --jobs 2 (every testcase's
    verdict and fingerprint in the JUnit XML);
  - the network workload in one process and split over two and three
    (tools/net_run.py's slicing, each image's line equal).
Each comparison is shown able to fail on the real path: an ADC code or the
CYCLES register read wrong (CIM_INJECT), a slice run on another die (as the
split once did: each process seeded itself with --seed + its first image),
a regression whose seeds run with a fault.

Interrupts: SIGINT stops cim_mvm between two vectors (exit 130, the verdict
line says how many, --out holds exactly those), cim_net between two tiles
(exit 130, no --per-image file, no temporary file), and tools/regress.py
(exit 130, the report and the XML hold the seeds that finished). A progress
line appears with CIM_PROGRESS=1 and never in a pipe without it.

Usage: test_repro.py BUILD_DIR NET_FILE
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import cimcfg  # noqa: E402  (tools/cimcfg.py)
import net_run  # noqa: E402  (tools/net_run.py: its slicing)

BUILD = sys.argv[1] if len(sys.argv) > 1 else None
NET = sys.argv[2] if len(sys.argv) > 2 else None
NET_DATA = "/usr/share/datasets/fashion-mnist"  # the Debian package's, as make mnist uses
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        print(f"  reproduce: python3 {sys.argv[0]} {BUILD} {NET}")


def prog(name):
    return os.path.join(ROOT, BUILD, name)


def mvm(args, env=None, timeout=300):
    """cim_mvm with --digest: (exit code, DIGEST fields, whole output)."""
    p = subprocess.run([prog("cim_mvm")] + args + ["--digest", "--quiet"], cwd=ROOT,
                       env=dict(os.environ, **(env or {})), capture_output=True, text=True,
                       timeout=timeout)
    m = re.search(r"^DIGEST (.*)$", p.stdout, re.M)
    fields = dict(kv.split("=") for kv in m.group(1).split()) if m else {}
    return p.returncode, fields, p.stdout + p.stderr


def differ(a, b):
    """The DIGEST fields in which two runs differ (a missing line differs in all)."""
    if not a or not b:
        return ["DIGEST line missing"]
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def cycles_offset():
    """CYCLES' offset, from the register package the RDL generates."""
    pkg = os.path.join(ROOT, os.path.dirname(BUILD.rstrip("/")), "gen", "cim_reg_pkg.sv")
    with open(pkg, encoding="utf-8") as f:
        return int(re.search(r"CYCLES_OFFSET = 16'h([0-9a-fA-F]+);", f.read()).group(1), 16)


def test_mvm(cfg, tmp):
    n, k = min(4, cfg["n_out"]), min(40, cfg["rows"])
    base = ["--random", f"{n}x{k}", "--vectors", "3", "--seed", "7", "--device", "default",
            "--signed", "--x-bits", str(min(3, cfg["x_bits"]))]
    outs = [os.path.join(tmp, f"y{i}.csv") for i in range(2)]
    stats = [os.path.join(tmp, f"s{i}.csv") for i in range(2)]
    r0 = mvm(base + ["--out", outs[0], "--stats", stats[0]])
    r1 = mvm(base + ["--out", outs[1], "--stats", stats[1]])
    same_files = all(open(a, "rb").read() == open(b, "rb").read()
                     for a, b in (outs, stats) if os.path.exists(a) and os.path.exists(b))
    check("cim_mvm: two runs of one seed give the same outputs, ADC log and cycles",
          r0[0] == 0 and not differ(r0[1], r1[1]) and same_files,
          f"exit {r0[0]}/{r1[0]}, differ in {differ(r0[1], r1[1])}, files equal {same_files}\n"
          f"{r0[2]}{r1[2]}")
    rw = mvm(base + ["--trace", os.path.join(tmp, "w.fst")])
    check("cim_mvm: the same with an FST waveform", not differ(r0[1], rw[1]),
          f"differ in {differ(r0[1], rw[1])}\n{rw[2]}")
    for q in (1, 7):
        rq = mvm(base + ["--quantum", str(q)])
        check(f"cim_mvm: the same at SystemC quantum {q} as at 100", not differ(r0[1], rq[1]),
              f"differ in {differ(r0[1], rq[1])}\n{rq[2]}")
    # the comparison can fail, for each reason on its own
    ra = mvm(base, env={"CIM_INJECT": "adc:2:1"})
    check("negative: an ADC code received wrong changes the outputs' digest, not the log's",
          differ(r0[1], ra[1]) == ["outputs"], f"differ in {differ(r0[1], ra[1])}\n{ra[2]}")
    rc = mvm(base, env={"CIM_INJECT": f"reg:{cycles_offset()}:1"})
    check("negative: CYCLES read one too high changes the cycles' digest alone",
          differ(r0[1], rc[1]) == ["cycles"], f"differ in {differ(r0[1], rc[1])}\n{rc[2]}")


def junit_cases(path):
    """testcase name -> (class, failure message or None, digest or None)."""
    out = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        f = tc.find("failure")
        d = tc.find("properties/property[@name='digest']")
        out[tc.get("name")] = (tc.get("classname"), f.get("message") if f is not None else None,
                               d.get("value") if d is not None else None)
    return out


def regress(tmp, name, jobs, seeds, env=None, timeout=600):
    out = os.path.join(tmp, name)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "regress.py"), "run",
                        "--build", BUILD, "--seeds", str(seeds), "--jobs", str(jobs), "--quiet",
                        "--no-waves", "--out", out], cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})), timeout=timeout)
    xml = os.path.join(out, "results.xml")
    return p.returncode, junit_cases(xml) if os.path.exists(xml) else {}, p.stdout + p.stderr


def test_regress(tmp):
    seeds = 8
    r1 = regress(tmp, "j1", 1, seeds)
    r2 = regress(tmp, "j2", 2, seeds)
    n_dig = sum(1 for v in r1[1].values() if v[2])
    check(f"regress: --jobs 1 and --jobs 2 give the same verdict and digest per seed "
          f"({seeds} seeds, {n_dig} with a digest)",
          len(r1[1]) == seeds and r1[1] == r2[1] and n_dig > 0,
          f"exit {r1[0]}/{r2[0]}; differing: "
          f"{[s for s in r1[1] if r1[1][s] != r2[1].get(s)]}\n{r1[2][-2000:]}{r2[2][-2000:]}")
    # a fault in every seed's run (the env reaches every process) must show
    rf = regress(tmp, "jf", 2, seeds, env={"CIM_INJECT": "adc:0:1"})
    bad = [s for s in r1[1] if r1[1][s] != rf[1].get(s)]
    check("negative: the same seeds with a fault differ from the clean run", len(bad) > 0,
          f"no seed differs\n{rf[2][-2000:]}")


def net_slices(tmp, tag, bounds, seed_of=lambda first: 1):
    """The images of bounds through cim_net, one process per slice (net_run's
    own command), every slice's --per-image lines in order."""
    lines = []
    for i, (a, b) in enumerate(bounds):
        path = os.path.join(tmp, f"{tag}_{i}.csv")
        cmd, rc, _, _, _, text = net_run.run_slice(
            prog("cim_net"), NET, NET_DATA, a, b - a, "default", seed_of(a),
            ["--program", "backdoor", "--per-image", path])
        if rc != 0 or not os.path.exists(path):
            return None, f"{' '.join(cmd)}: exit {rc}\n{text}"
        with open(path, encoding="utf-8") as f:
            lines += f.read().splitlines()[1:]
    return lines, ""


def test_net(tmp, cfg):
    # a build of few rows tiles the network into many MVMs per image
    # (100,000 on a one-row build): fewer images there
    n = 6 if cfg["rows"] >= 16 else 3
    whole, why = net_slices(tmp, "whole", [(0, n)])
    if whole is None:
        check("cim_net: one process", False, why)
        return
    for parts in ([(0, n // 2), (n // 2, n)], [(0, 1), (1, n // 2 + 1), (n // 2 + 1, n)]):
        split, why = net_slices(tmp, f"split{len(parts)}", parts)
        check(f"cim_net: {n} images (default device) in {len(parts)} processes equal one "
              f"process, image by image", split == whole,
              why or "\n".join(f"  {a}\n  {b}" for a, b in zip(whole, split or []) if a != b))
    # a slice on another die (the old --seed + first) must be caught
    h = n // 2
    other, why = net_slices(tmp, "seeded", [(0, h), (h, n)], seed_of=lambda first: 1 + first)
    diff = [a.split(",")[0] for a, b in zip(whole, other or []) if a != b]
    check("negative: a slice on another die differs on its images", other is not None and
          diff and all(int(i) >= h for i in diff), f"differing images {diff} {why}")


def start(cmd, env=None):
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, **(env or {})))


def interrupt(p, after_s, timeout=120):
    time.sleep(after_s)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out + err


def test_interrupts(cfg, tmp):
    n, k = min(4, cfg["n_out"]), min(16, cfg["rows"])
    y = os.path.join(tmp, "int_y.csv")
    p = start([prog("cim_mvm"), "--random", f"{n}x{k}", "--vectors", "1000000", "--program",
               "backdoor", "--out", y], env={"CIM_PROGRESS": "1"})
    rc, text = interrupt(p, 1.5)
    m = re.search(r"^INTERRUPTED .*stopped by SIGINT after (\d+)\)", text, re.M)
    rows = sum(1 for _ in open(y, encoding="utf-8")) if os.path.exists(y) else -1
    check("cim_mvm: SIGINT stops between two vectors, exit 130, --out holds the vectors done",
          rc == 130 and m is not None and rows == int(m.group(1)) and rows > 0,
          f"exit {rc}, {rows} lines in --out\n{text[-1500:]}")
    check("cim_mvm: CIM_PROGRESS=1 shows the progress line", "vectors (" in text, text[-500:])
    _, _, quiet = mvm(["--random", f"{n}x{k}", "--vectors", "2"])
    check("cim_mvm: no progress line in a pipe", "vectors (" not in quiet, quiet)

    per = os.path.join(tmp, "int_per.csv")
    p = start([prog("cim_net"), "--net", NET, "--images", "10000", "--rtl", "--program",
               "backdoor", "--per-image", per])
    rc, text = interrupt(p, 1.5)
    left = [f for f in os.listdir(tmp) if f.startswith(".int_per")]
    check("cim_net: SIGINT stops between two tiles, exit 130, no --per-image, no temporary",
          rc == 130 and "stopped by SIGINT" in text and not os.path.exists(per) and not left,
          f"exit {rc}, per-image exists {os.path.exists(per)}, left {left}\n{text[-1500:]}")

    # interrupted 3 s after its first line: far from the end of 5,000 seeds,
    # even on a tiny build that runs a hundred a second
    out, n_seeds = os.path.join(tmp, "int_reg"), 5000
    p = start([sys.executable, "-u", os.path.join(ROOT, "tools", "regress.py"), "run", "--build",
               BUILD, "--seeds", str(n_seeds), "--jobs", "2", "--no-waves", "--out", out])
    late = threading.Timer(300, p.send_signal, (signal.SIGINT,))  # a bound if no line comes
    late.start()
    head = [p.stdout.readline()]
    late.cancel()
    rc, text = interrupt(p, 3)
    text = "".join(head) + text
    xml = os.path.join(out, "results.xml")
    cases = junit_cases(xml) if os.path.exists(xml) else {}
    m = re.search(rf"interrupted: (\d+) of {n_seeds} seeds finished", text)
    check("regress: SIGINT stops the runs, exit 130, the XML holds the seeds that finished",
          rc == 130 and m is not None and len(cases) == int(m.group(1)) < n_seeds,
          f"exit {rc}, {len(cases)} testcases\n{text[-1500:]}")


def main():
    if not BUILD or not NET:
        sys.exit(__doc__)
    cfg = cimcfg.load(BUILD)
    with tempfile.TemporaryDirectory() as tmp:
        test_mvm(cfg, tmp)
        test_regress(tmp)
        test_net(tmp, cfg)
        test_interrupts(cfg, tmp)
    bad = RESULTS.count(False)
    print(f"test_repro: {len(RESULTS) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""test_harness.py BUILD: the harnesses are cycle-for-cycle equivalent.

Runs the benchmark workload (bench_mvm.c, through the driver and the RTL)
on the SystemC harness at the default quantum (100), at 7 and at 1, and on
the plain C++ harness, for several jobs (polling and interrupt waits,
signed inputs, a partial shape, small row groups), and requires identical
DUT cycle counts (total and per MVM), outputs and ADC logs (what crossed
DPI). Then it checks that another seed changes the digests (they can tell
runs apart), and dumps waves of one job from SystemC (quanta 100 and 1) and
plain, requiring the same value changes (fst2vcd; the header, which
carries the date, aside). Exit status 0 when everything
matched. Never timed."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import cimcfg  # noqa: E402  (tools/cimcfg.py)

KEYS = ["mvms", "cycles", "total_cycles", "out_digest", "cyc_digest", "log_digest", "pass"]


def cfg(build):
    return cimcfg.load(build)


# Seconds any one program may run before the test gives up on it.
TIMEOUT = 600


def run_cmd(cmd, **kw):
    """subprocess.run with a timeout; a hang fails with the command named."""
    try:
        return subprocess.run(cmd, timeout=TIMEOUT, **kw)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {TIMEOUT} s: {' '.join(map(str, cmd))}")


def run(cmd):
    p = run_cmd(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = next((l for l in p.stdout.splitlines() if l.startswith("BENCH ")), None)
    if p.returncode != 0 or line is None:
        raise RuntimeError(f"{' '.join(cmd)}: status {p.returncode}\n{p.stdout}{p.stderr}")
    return dict(kv.split("=", 1) for kv in line.split()[1:])


def main():
    build = sys.argv[1]
    c = cfg(build)
    sc = os.path.join(build, "bench", "bench_sc")
    plain = os.path.join(build, "bench", "bench_plain")
    jobs = {
        "full macro, poll": ["--layers", "2", "--vectors", "3"],
        "full macro, irq": ["--layers", "1", "--vectors", "3", "--wait", "irq"],
        "partial, signed, small groups": [
            # within the build: at most 3 outputs (a 1-output build has 1)
            "--layers", "2", "--vectors", "2",
            "--shape", f"{min(3, c['n_out'])}x{max(1, c['rows'] - 3)}", "--signed",
            "--x-bits", str(min(5, c["x_bits"])), "--group-rows", str(min(7, c["p_max"])), "--seed", "7"],
    }
    failures = 0
    for name, args in jobs.items():
        args = args + ["--log-digest"]
        res = {
            "systemc": run([sc] + args),
            "systemc q=1": run([sc, "--quantum", "1"] + args),
            "systemc q=7": run([sc, "--quantum", "7"] + args),
            "plain": run([plain] + args),
        }
        ref = res["systemc"]
        bad = [(v, k, r[k], ref[k]) for v, r in res.items() for k in KEYS if r[k] != ref[k]]
        if ref["pass"] != "1":
            bad.append(("systemc", "pass", ref["pass"], "1"))
        if bad:
            failures += 1
            for v, k, got, want in bad:
                print(f"FAIL  {name}: {v} {k}={got}, systemc (quantum 100) {k}={want}")
        else:
            print(f"ok    {name}: {ref['mvms']} MVMs, {ref['total_cycles']} cycles, outputs "
                  f"{ref['out_digest']}, ADC log {ref['log_digest']}: identical in "
                  f"{', '.join(res)}")
    # The digests can tell runs apart: another seed must change them.
    a = run([plain, "--layers", "1", "--vectors", "2", "--log-digest"])
    b = run([plain, "--layers", "1", "--vectors", "2", "--log-digest", "--seed", "2"])
    if a["out_digest"] == b["out_digest"] or a["log_digest"] == b["log_digest"]:
        failures += 1
        print("FAIL  sensitivity: seeds 1 and 2 gave the same digests")
    else:
        print("ok    sensitivity: another seed changes the output and ADC-log digests")
    # Waves: the same value changes at the same times in both harnesses.
    with tempfile.TemporaryDirectory() as tmp:
        vcd = {}
        for v, prog, q in (("systemc", sc, []), ("systemc q=1", sc, ["--quantum", "1"]),
                           ("plain", plain, [])):
            fst = os.path.join(tmp, f"{v.replace(' ', '_').replace('=', '')}.fst")
            run([prog, "--layers", "1", "--vectors", "1", "--trace", fst] + q)
            out = run_cmd(["fst2vcd", fst], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, check=True).stdout
            # The header carries the date and the tool version: skip it.
            vcd[v] = out[out.find("$enddefinitions"):]
        if len({vcd[v] for v in vcd}) != 1 or len(vcd["plain"]) < 1000:
            failures += 1
            print("FAIL  waves: the FST dumps of SystemC (quantum 100 or 1) and plain differ")
        else:
            print(f"ok    waves: identical value changes ({vcd['plain'].count(chr(10))} VCD lines)")
    if failures:
        print(f"test-harness: {failures} FAILED")
        return 1
    print(f"test-harness: SystemC (quanta 100, 7, 1) and plain C++ harness identical ({build})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        sys.exit(f"test-harness: FAILED: {e}")

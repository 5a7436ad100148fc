#!/usr/bin/env python3
"""Run libFuzzer targets (mk/fuzz.mk) and print one summary table.

For each target: first the regressions in sw/fuzz/regress/TARGET are
replayed one by one, then the target fuzzes for --seconds with a fixed seed,
build/fuzz/TARGET/corpus as libFuzzer's first corpus folder (where it writes
new inputs) and the seeds of sw/fuzz/corpus/TARGET second (read only).
A crash, leak, timeout or memory overrun fails the target: the table names
the reason, and the one command line that reproduces it follows.

With --expect REGEX (fuzz-selftest) a target must instead fail, and its log
must match REGEX: the proof that a property check can fail.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

REASONS = [
    r"fuzz: property failed: .*",
    r"ERROR: AddressSanitizer: [\w-]+.*",
    r"ERROR: LeakSanitizer: .*",
    r"runtime error: .*",
    r"ERROR: libFuzzer: .*",
    r"==\d+== ERROR: libFuzzer: .*",
]


def reason_of(log):
    for pat in REASONS:
        m = re.search(pat, log)
        if m:
            return m.group(0).strip()
    return "exit status without a known reason (see the log)"


def run_target(args, target):
    binary = os.path.join(args.bin, f"fuzz_{target}{args.suffix}")
    work = os.path.join(args.work, target + args.suffix)
    corpus = os.path.join(work, "corpus")
    artifacts = os.path.join(work, "artifacts")
    tmp = os.path.join(work, "tmp")
    if args.fresh:
        shutil.rmtree(corpus, ignore_errors=True)
    for d in (corpus, artifacts, tmp):
        os.makedirs(d, exist_ok=True)
    seeds = os.path.join("sw", "fuzz", "corpus", target)
    regress = os.path.join("sw", "fuzz", "regress", target)
    env = dict(os.environ, TMPDIR=tmp)
    log_path = os.path.join(work, "fuzz.log")
    common = [f"-rss_limit_mb={args.rss_mb}", f"-malloc_limit_mb={args.rss_mb}",
              f"-timeout={args.timeout}", f"-artifact_prefix={artifacts}/"]
    res = {"target": target, "execs": 0, "ok": True, "reason": "", "repro": "",
           "regress": 0, "log": log_path}
    with open(log_path, "w") as log:
        # the regressions, one file each, so a failure names its file
        files = sorted(os.path.join(regress, f) for f in os.listdir(regress)) \
            if os.path.isdir(regress) else []
        for f in files:
            p = subprocess.run([binary] + common + [f], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace")
            log.write(p.stdout)
            if p.returncode != 0:
                res.update(ok=False, reason="regression " + f + ": " + reason_of(p.stdout),
                           repro=f"{binary} {f}")
                return res
        res["regress"] = len(files)
        t0 = time.time()
        cmd = [binary] + common + [f"-max_total_time={args.seconds}", f"-seed={args.seed}",
                                   "-print_final_stats=1", corpus, seeds]
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace")
        log.write(p.stdout)
    res["seconds"] = time.time() - t0
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", p.stdout)
    res["execs"] = int(m.group(1)) if m else 0
    res["corpus"] = len(os.listdir(corpus))
    unit = re.findall(r"Test unit written to (\S+)", p.stdout)
    if p.returncode != 0:
        res.update(ok=False, reason=reason_of(p.stdout),
                   repro=f"{binary} {unit[-1]}" if unit else f"(no input saved; log {log_path})")
    if args.expect is not None:
        # the selftest: the fault must be found, for its own reason, and the
        # printed repro line must fail again for the same reason
        hit = re.search(args.expect, p.stdout)
        res["expected"] = (not res["ok"]) and hit is not None and bool(unit)
        if res["expected"]:
            q = subprocess.run(res["repro"].split(), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace")
            res["expected"] = q.returncode != 0 and re.search(args.expect, q.stdout) is not None
            res["reason"] += "; its repro line fails again" if res["expected"] else \
                "; its repro line does NOT fail again"
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="folder of the fuzz_TARGET binaries")
    ap.add_argument("--work", required=True, help="build folder: corpus, artifacts, logs")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rss-mb", type=int, default=2048)
    ap.add_argument("--timeout", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--suffix", default="", help="binary name suffix (selftest builds)")
    ap.add_argument("--fresh", action="store_true",
                    help="start from the seeds alone: empty the build corpus first (a bounded "
                    "pass whose cost does not grow with earlier campaigns)")
    ap.add_argument("--expect", help="the run must fail with a log matching this regex")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: run_target(args, t), args.targets))

    if args.expect is not None:
        bad = [r for r in results if not r.get("expected")]
        for r in results:
            state = "failed as expected" if r.get("expected") else "NOT failed as expected"
            print(f"fuzz selftest {r['target']}{args.suffix}: {state}: "
                  f"{r['reason'] or 'no failure'} (log {r['log']})")
        return 1 if bad else 0

    print(f"{'target':8} {'seconds':>7} {'executions':>11} {'exec/s':>8} {'corpus':>6} "
          f"{'regress':>7}  result")
    for r in results:
        secs = r.get("seconds", 0.0)
        rate = r["execs"] / secs if secs > 0 else 0
        print(f"{r['target']:8} {secs:7.1f} {r['execs']:11d} {rate:8.0f} "
              f"{r.get('corpus', 0):6d} {r['regress']:7d}  "
              f"{'ok' if r['ok'] else 'FAIL: ' + r['reason']}")
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"\n{r['target']}: {r['reason']}\n  log: {r['log']}\n  reproduce: {r['repro']}")
        print(f"  as a regression: cp INPUT sw/fuzz/regress/{r['target']}/NAME")
    if failed:
        return 1
    print(f"fuzz: {len(results)} targets, {sum(r['execs'] for r in results)} executions, "
          "no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())

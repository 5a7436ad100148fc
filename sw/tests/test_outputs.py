#!/usr/bin/env python3
"""Outputs of cim_mvm are written whole or not at all, and refused up front.

Runs BUILD_DIR/cim_mvm in fresh temporary folders:
  - the FST trace on a "full disk": RLIMIT_FSIZE (ulimit -f) below the
    trace's size makes its writes fail (EFBIG) or its memory-mapped temporary
    files fault (SIGBUS). Either way the run must say
    "trace t.fst: write failed: ...", exit non-zero, and leave neither t.fst
    nor a temporary file; with room to spare, the trace is a complete FST;
  - optionally the same on a real tiny tmpfs (unshare -Urm + mount), skipped
    with a message where user namespaces or mounts are not permitted;
  - a failing run (an injected output fault) still keeps a complete trace;
  - --out / --stats / --trace refused before the simulation (exit 2, the
    option and path named): a FIFO, /dev/full, a missing folder, an output
    naming an input or another output;
  - --out on a full disk leaves the old file, no partial file.

Checks marked [CLI] depend on the CLI calling cim_outfile_preflight and
reading cim_sim_stats.trace_failed (sw/cli integration); the others only on
the simulator and the host library.

Usage: test_outputs.py BUILD_DIR
"""
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import cimcfg  # noqa: E402  (tools/cimcfg.py)

BUILD = sys.argv[1] if len(sys.argv) > 1 else None
RESULTS = []
# a small run within the build: at most 4 outputs x 16 rows, fewer where the
# build has fewer (set from cim_cfg.json by main)
RUN = []
CFG = {}
FST_BLOCK_TYPES = set(range(0, 9)) | {254}


def check(name, ok, detail=""):
    RESULTS.append((name, ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        print(f"  reproduce: python3 {sys.argv[0]} {BUILD}")


def run(args, cwd, fsize=None, env=None, timeout=300, prefix=()):
    prog = os.path.abspath(os.path.join(BUILD, "cim_mvm"))

    def limit():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    e = dict(os.environ)
    e.pop("CIM_TRACE", None)
    e.pop("CIM_INJECT", None)
    e.update(env or {})
    # restore_signals (the default) gives the child SIGXFSZ's default action,
    # as in a shell: the program must cope with that itself.
    p = subprocess.run(list(prefix) + [prog] + args, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, preexec_fn=limit, env=e)
    return p.returncode, p.stdout + p.stderr


def leftovers(folder, name):
    """Temporary files of output `name` left in folder (".NAME.tmp.*")."""
    return [f for f in os.listdir(folder) if f.startswith("." + name + ".tmp")]


def fst_complete(path):
    """'' if path is a whole FST file (header first, blocks tiling the file,
    geometry, hierarchy and value blocks present), else what is wrong. The
    hierarchy is also unpacked by fst2vcd when GTKWave's tools are there."""
    with open(path, "rb") as fh:
        data = fh.read()
    pos, seen = 0, []
    while pos < len(data):
        if pos + 9 > len(data):
            return f"cut inside a block header at byte {pos}"
        typ, length = data[pos], struct.unpack(">Q", data[pos + 1:pos + 9])[0]
        if typ not in FST_BLOCK_TYPES or (pos == 0 and typ != 0):
            return f"block type {typ} at byte {pos}"
        if length < 8 or pos + 1 + length > len(data):
            return f"block at byte {pos} runs past the end"
        seen.append(typ)
        pos += 1 + length
    if seen.count(0) != 1 or 3 not in seen or not ({4, 6, 7} & set(seen)):
        return f"blocks {seen}: header, geometry or hierarchy missing"
    if shutil.which("fst2vcd"):
        p = subprocess.run(["fst2vcd", path], capture_output=True, timeout=300)
        if p.returncode != 0 or b"$enddefinitions" not in p.stdout:
            return "fst2vcd cannot read it: " + p.stderr.decode(errors="replace")[:200]
    return ""


def trace_full_disk():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(RUN + ["--trace", "t.fst"], tmp)
        trace = os.path.join(tmp, "t.fst")
        ok = rc == 0 and os.path.exists(trace)
        bad = fst_complete(trace) if ok else "no trace"
        check("trace without a limit is a complete FST", ok and not bad,
              f"exit {rc}: {bad}\n{out}")
        if not ok:
            return
        size = os.path.getsize(trace)
        os.unlink(trace)
        # From a first write that fails to one that fails only in the last
        # block (the hierarchy, written at close, several KiB): every one
        # must fail whole. (A limit a few bytes short may still fit: the
        # writer's blocks differ slightly under a limit, and that trace is
        # complete.)
        for limit in sorted({1024, size // 4, size // 2, size - 4096}):
            if limit <= 0:
                continue
            with open(trace, "wb") as fh:
                fh.write(b"old trace\n")
            rc, out = run(RUN + ["--trace", "t.fst"], tmp, fsize=limit)
            said = re.search(r"trace t\.fst: write failed: \S", out) is not None
            kept_old = open(trace, "rb").read() == b"old trace\n"
            left = leftovers(tmp, "t.fst")
            crashed = rc < 0
            check(f"trace past a {limit}-byte file size limit: message, old file kept, "
                  "no temporary, no crash", said and kept_old and not left and not crashed,
                  f"exit {rc}, message {said}, old file kept {kept_old}, left {left}\n{out}")
            check(f"[CLI] trace past a {limit}-byte limit exits 3", rc == 3, f"exit {rc}\n{out}")
        os.unlink(trace)
        rc, out = run(RUN + ["--trace", "t.fst"], tmp, fsize=size + 65536)
        bad = fst_complete(trace) if os.path.exists(trace) else "no trace"
        check("trace under a limit with room to spare is complete", rc == 0 and not bad,
              f"exit {rc}: {bad}\n{out}")


def big_trace_run(tmp, at_least):
    """RUN with enough vectors that its trace, unlimited, is above at_least
    bytes: a small build's few cycles per vector make a small trace."""
    vectors = 2
    while True:
        args = RUN[:RUN.index("--vectors") + 1] + [str(vectors)] + RUN[RUN.index("--vectors") + 2:]
        with tempfile.TemporaryDirectory(dir=tmp) as d:
            rc, out = run(args + ["--trace", "t.fst"], d)
            size = os.path.getsize(os.path.join(d, "t.fst")) if rc == 0 else 0
        if rc != 0 or size > at_least or vectors >= 65536:
            ok = rc == 0 and size > at_least
            check(f"a run whose trace exceeds {at_least} bytes ({vectors} vectors, {size} bytes)",
                  ok, f"exit {rc}\n{out}")
            return args if ok else None
        vectors *= 4


def trace_tiny_tmpfs():
    """A real full file system, where user namespaces allow a private mount."""
    unshare = shutil.which("unshare")
    if not unshare:
        print("SKIP tmpfs: no unshare(1)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        mnt = os.path.join(tmp, "mnt")
        os.mkdir(mnt)
        probe = subprocess.run([unshare, "-Urm", "sh", "-c",
                                f"mount -t tmpfs -o size=64k tmpfs {mnt}"],
                               capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            print("SKIP tmpfs: a private tmpfs mount is not permitted here: "
                  + probe.stderr.strip())
            return
        prog = os.path.abspath(os.path.join(BUILD, "cim_mvm"))
        big = big_trace_run(tmp, 4 * 65536)
        if not big:
            return
        script = (f"mount -t tmpfs -o size=64k tmpfs {mnt} && cd {mnt} && "
                  f"{prog} {' '.join(big)} --trace t.fst; rc=$?; echo LISTING; ls -a {mnt}; exit $rc")
        p = subprocess.run([unshare, "-Urm", "sh", "-c", script], capture_output=True,
                           text=True, timeout=300)
        out = p.stdout + p.stderr
        listing = set(p.stdout.split("LISTING")[-1].split())
        clean = "t.fst" not in listing and not any(f.startswith(".t.fst.tmp") for f in listing)
        said = re.search(r"trace t\.fst: write failed: \S", out) is not None
        check("trace on a full 64 KiB tmpfs: message, nothing left, no crash",
              said and clean and p.returncode >= 0, f"exit {p.returncode}\n{out}")
        check("[CLI] trace on a full tmpfs exits 3", p.returncode == 3, f"exit {p.returncode}")


def failing_run_keeps_trace():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(RUN + ["--trace", "t.fst"], tmp, env={"CIM_INJECT": "out:0:0"})
        trace = os.path.join(tmp, "t.fst")
        bad = fst_complete(trace) if os.path.exists(trace) else "no trace"
        check("a failing run (injected output fault) keeps a complete trace",
              rc not in (0, 2) and not bad, f"exit {rc}: {bad}\n{out}")


def refused(name, tmp, args, pattern, files=None):
    for fname, text in (files or {}).items():
        with open(os.path.join(tmp, fname), "w") as fh:
            fh.write(text)
    rc, out = run(args, tmp, timeout=60)
    ok = rc == 2 and re.search(pattern, out) is not None
    check("[CLI] " + name, ok, f"exit {rc} (want 2), output did not match /{pattern}/:\n{out}")


def preflight():
    with tempfile.TemporaryDirectory() as tmp:
        # weights and inputs within the build (W_BITS >= 2 holds 1, X_BITS >= 1)
        k, n = min(2, CFG["rows"]), min(2, CFG["n_out"])
        line = ",".join(["1"] * k) + "\n"
        files = {"w.csv": line * n, "x.csv": line}
        data = ["--weights", "w.csv", "--inputs", "x.csv"]
        refused("--trace in a missing folder", tmp, RUN + ["--trace", "nodir/t.fst"],
                r"cim_mvm: --trace: nodir/t\.fst: folder 'nodir' does not exist")
        os.mkfifo(os.path.join(tmp, "fifo.csv"))
        try:
            refused("--out naming a FIFO, without hanging", tmp, RUN + ["--out", "fifo.csv"],
                    r"--out: fifo\.csv: not a regular file \(a FIFO\)")
        except subprocess.TimeoutExpired:
            check("[CLI] --out naming a FIFO, without hanging", False, "timed out")
        refused("--stats /dev/full", tmp, RUN + ["--stats", "/dev/full"],
                r"--stats: /dev/full: not a regular file")
        refused("--out naming --weights", tmp, data + ["--out", "w.csv"],
                r"--out: w\.csv: names the same file as --weights", files)
        refused("--out naming --inputs by another spelling", tmp,
                data + ["--out", "./x.csv"],
                r"--out: \./x\.csv: names the same file as --inputs", files)
        refused("--stats naming --out", tmp, RUN + ["--out", "y.csv", "--stats", "y.csv"],
                r"--stats: y\.csv: names the same file as --out")
        refused("--trace naming --out", tmp, RUN + ["--out", "y.fst", "--trace", "y.fst"],
                r"--trace: y\.fst: names the same file as --out")
        st = os.stat(os.path.join(tmp, "w.csv"))
        check("the refused runs left the inputs alone",
              open(os.path.join(tmp, "w.csv")).read() == files["w.csv"] and
              stat.S_ISFIFO(os.stat(os.path.join(tmp, "fifo.csv")).st_mode), str(st))


def out_full_disk():
    with tempfile.TemporaryDirectory() as tmp:
        y = os.path.join(tmp, "y.csv")
        with open(y, "w") as fh:
            fh.write("old\n")
        # at least 2 bytes per output (a digit and a separator), 4 KiB in all:
        # more than the 2 KiB limit whatever the build's outputs
        vectors = max(64, -(-2048 // CFG["n_out"]))
        rc, out = run(["--random", "full", "--vectors", str(vectors), "--program", "backdoor",
                       "--out", "y.csv"], tmp, fsize=2048)
        kept = open(y).read() == "old\n"
        left = leftovers(tmp, "y.csv")
        said = re.search(r"y\.csv: write failed: \S", out) is not None
        check("[CLI] --out past the file size limit: message, non-zero exit, old file kept, "
              "no temporary", rc > 0 and said and kept and not left,
              f"exit {rc}, kept {kept}, left {left}\n{out}")


def main():
    if not BUILD or not os.access(os.path.join(BUILD, "cim_mvm"), os.X_OK):
        print(__doc__)
        sys.exit(2)
    CFG.update(cimcfg.load(BUILD))
    RUN[:] = ["--random", f"{min(4, CFG['n_out'])}x{min(16, CFG['rows'])}", "--vectors", "2",
              "--seed", "1"]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # our own writes stay small
    trace_full_disk()
    trace_tiny_tmpfs()
    failing_run_keeps_trace()
    preflight()
    out_full_disk()
    failed = sum(1 for _, ok in RESULTS if not ok)
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not RESULTS else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""GTKWave layouts (waves/*.gtkw) fitted to a dump, checked headless, opened.

The layouts in waves/ name signals with the widths of the default build and
their translate filters relative to the repository root. A build with other
parameters has other widths (GTKWave matches `acc[0][32:0]` only exactly), so
every use goes through `fit`, which rewrites each signal to the full name the
dump really has and each filter path to an absolute one, into
build/<cfg>/waves/<layout>.gtkw.

  waves.py fit   DUMP.fst LAYOUT.gtkw... [--out DIR]  fitted copies; exit 1 if a
                                                      signal is not in the dump
  waves.py check DUMP.fst LAYOUT.gtkw... [--out DIR]  fit, then load each in a real
                                                      GTKWave under xvfb-run and prove
                                                      it shows every signal it names
                                                      and every filter file loads
  waves.py open  DUMP.fst LAYOUT.gtkw  [--out DIR]    fit, then start GTKWave on it
                                                      (prints the command when there
                                                      is no $DISPLAY)
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK_TCL = os.path.join(ROOT, "tools", "gtkw_check.tcl")
RANGE_RE = re.compile(r"\[\d+:\d+\]$")


class WavesError(Exception):
    pass


def dump_names(dump):
    """Full signal names of an FST/VCD dump as GTKWave shows them
    (TOP.cim_macro.acc[0][32:0]), read from the header alone."""
    if dump.endswith(".fst"):
        if not shutil.which("fst2vcd"):
            raise WavesError("fst2vcd (Debian package gtkwave) is not installed")
        proc = subprocess.Popen(["fst2vcd", dump], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        src = proc.stdout
    else:
        proc = None
        src = open(dump, encoding="utf-8", errors="replace")
    names, scope = set(), []
    try:
        for line in src:
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "$scope":
                scope.append(tok[2])
            elif tok[0] == "$upscope":
                scope.pop()
            elif tok[0] == "$var":
                # $var type width id name [range] $end
                rest = tok[4:-1] if tok[-1] == "$end" else tok[4:]
                names.add(".".join(scope + ["".join(rest)]))
            elif tok[0] == "$enddefinitions":
                break
    finally:
        if proc:
            proc.kill()
            proc.wait()
        else:
            src.close()
    if not names:
        raise WavesError(f"{dump}: no signals in the dump (is it a waveform?)")
    return names


def base_name(name):
    return RANGE_RE.sub("", name)


def is_signal_line(line):
    return bool(line) and (line[0].isalnum() or line[0] == "_")


def fit(layout, names, out_dir):
    """Write out_dir/<layout>; returns (path, [expected full names],
    [filter files]). Raises WavesError listing every signal not in the dump."""
    by_base = {}
    for n in names:
        by_base.setdefault(base_name(n), []).append(n)
    out_lines, expected, filters, missing = [], [], [], []
    with open(layout, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for lineno, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("^") and " " in s:
            tag, path = s.split(None, 1)
            apath = path if os.path.isabs(path) else os.path.join(ROOT, path)
            filters.append(apath)
            out_lines.append(f"{tag} {apath}")
        elif is_signal_line(s):
            hits = sorted(by_base.get(base_name(s), []))
            if len(hits) != 1:
                missing.append(f"{os.path.basename(layout)}:{lineno}: {s}"
                               + (" (ambiguous: " + ", ".join(hits) + ")" if hits else ""))
                continue
            expected.append(hits[0])
            out_lines.append(hits[0])
        else:
            out_lines.append(line)
    if missing:
        raise WavesError("signals the layout names but the dump does not have:\n  "
                         + "\n  ".join(missing))
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, os.path.basename(layout))
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out_lines) + "\n")
    return out, expected, filters


def gtkwave_check(dump, fitted, expected, filters, timeout=120):
    """Load one fitted layout in GTKWave under Xvfb; [] or the problems."""
    problems = [f"filter file missing: {f} (run `make waves-filters`)"
                for f in filters if not os.path.isfile(f)]
    if not shutil.which("xvfb-run"):
        return problems + ["xvfb-run (Debian package xvfb) is not installed"]
    with tempfile.TemporaryDirectory(prefix="gtkw_check") as tmp:
        report = os.path.join(tmp, "shown.txt")
        env = dict(os.environ, GTKW_CHECK_OUT=report)
        cmd = ["xvfb-run", "-a", "gtkwave", "-S", CHECK_TCL, dump, fitted]
        try:
            run = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            return problems + [f"GTKWave did not quit within {timeout} s"]
        log = run.stdout + run.stderr
        if not os.path.isfile(report):
            return problems + [f"GTKWave wrote no report (exit {run.returncode}):\n{log}"]
        shown, translated = set(), []
        with open(report, encoding="utf-8") as fh:
            for line in fh:
                kind, _, rest = line.rstrip("\n").partition(" ")
                if kind == "S":
                    shown.add(rest)
                elif kind == "T" and int(rest.split(" ", 1)[0]) & 0x2000:  # TR_FTRANSLATED
                    translated.append(rest)
    for n in expected:
        if n not in shown:
            problems.append(f"GTKWave did not show {n}")
    for bad in ("Could not open filter file", "not found", "Error"):
        for line in log.splitlines():
            if bad.lower() in line.lower():
                problems.append(f"GTKWave: {line.strip()}")
    want = sum(1 for _ in filters)
    if len(translated) != want:
        problems.append(f"{len(translated)} traces have a translate filter on, "
                        f"the layout sets {want}")
    return problems


def main_open(dump, layout, out_dir):
    """Fit layout to dump and start GTKWave on both (print the command
    instead when there is no display). Returns an exit status."""
    try:
        path, _, _ = fit(layout, dump_names(dump), out_dir)
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1
    cmd = ["gtkwave", "--rcvar", "do_initial_zoom_fit yes",
           os.path.relpath(os.path.abspath(dump), ROOT), os.path.relpath(path, ROOT)]
    if not os.environ.get("DISPLAY"):
        print("waves: no $DISPLAY; open the layout from the repository root with:\n  "
              + shlex.join(cmd))
        return 0
    subprocess.Popen(cmd, cwd=ROOT, start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("waves: started " + shlex.join(cmd))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["fit", "check", "open"])
    ap.add_argument("dump")
    ap.add_argument("layouts", nargs="+")
    ap.add_argument("--out", help="folder of the fitted layouts (default: beside the dump)")
    a = ap.parse_args()
    out_dir = a.out or os.path.dirname(os.path.abspath(a.dump))
    try:
        names = dump_names(a.dump)
        if a.cmd == "fit":
            for lay in a.layouts:
                path, exp, _ = fit(lay, names, out_dir)
                print(f"{path}: {len(exp)} signals")
            return 0
        if a.cmd == "open":
            return main_open(a.dump, a.layouts[0], out_dir)
        failed = 0
        for lay in a.layouts:
            try:
                path, exp, filt = fit(lay, names, out_dir)
                problems = gtkwave_check(os.path.abspath(a.dump), os.path.abspath(path), exp,
                                         filt)
            except WavesError as e:
                problems = [str(e)]
            name = os.path.basename(lay)
            if problems:
                failed += 1
                print(f"FAIL  {name}: " + "\n      ".join(problems))
            else:
                print(f"PASS  {name}: GTKWave shows all {len(exp)} signals, "
                      f"{len(set(filt))} translate filter(s) loaded")
        print(f"waves-check: {len(a.layouts) - failed} passed, {failed} failed")
        return 1 if failed else 0
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""GTKWave layouts (waves/*.gtkw) fitted to a dump, checked headless, opened.

The layouts in waves/ name signals with the widths of the default build and
their translate filters relative to the repository root. A build with other
parameters has other widths (GTKWave matches `acc_q[36:0]` only exactly), so
every use goes through `fit`, which rewrites each signal to the full name the
dump really has and each filter path to an absolute one, into
build/<cfg>/waves/<layout>.gtkw.

Names are GTKWave's, which its FST loader builds from each variable's type,
length and range: `x[3:0]` for a vector, `x[0]` for a one-bit vector declared
[0:0] (a 1-bit X_BITS build's `plane_q`), `x` for a scalar and for an
integer or parameter. A layout signal matches the dump's variable of the same
declared name whatever its width. A layout may name elements of an array or
generate loop that a smaller build does not have (`g_acc[3]` of a build with
one output): an element past the last one the dump holds is left out of the
fitted layout, with a note. Every other name the dump lacks fails the fit:
an unknown signal or scope, or an array the dump holds no element of (note
that Verilator dumps no unpacked array longer than --trace-max-array, 32, so
layouts name per-element registers such as u_shift_add.g_acc[j].acc_q).

  waves.py fit   DUMP.fst LAYOUT.gtkw... [--out DIR]  fitted copies; exit 1 if a
                                                      signal is not in the dump
  waves.py check DUMP.fst LAYOUT.gtkw... [--out DIR]  fit, then load each in a real
                                                      GTKWave under xvfb-run and prove
                                                      it shows every signal it names
                                                      and every filter file loads, and
                                                      that its names are GTKWave's
  waves.py open  DUMP.fst LAYOUT.gtkw  [--out DIR]    fit, then start GTKWave on it
                                                      (prints the command when there
                                                      is no $DISPLAY)
  waves.py selftest DUMP.fst [--out DIR]              prove that fit and check fail on
                                                      a signal the dump does not have
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
RANGE_RE = re.compile(r"\[(\d+):(\d+)\]$")
BIT_RE = re.compile(r"\[(\d+)\]$")
INDEX_RE = re.compile(r"\[(\d+)\]")
# FST variable types GTKWave loads as integers, reals or strings: their names
# never carry a range (fst.c: VZT_RD_SYM_F_INTEGER, _DOUBLE, _STRING).
UNRANGED_TYPES = {"parameter", "integer", "int", "shortint", "longint", "real",
                  "real_parameter", "realtime", "shortreal", "string"}


class WavesError(Exception):
    pass


def gtkwave_name(path, typ, width, rng):
    """The facility name GTKWave gives a dump variable: path (scope and
    declared name), its FST type, its length in bits and its range text
    ("[7:0]", "[0:0]" or "")."""
    if typ in UNRANGED_TYPES or width == 0:
        return path
    m = RANGE_RE.fullmatch(rng) if rng else None
    if width > 1:
        return f"{path}[{m.group(1)}:{m.group(2)}]" if m else f"{path}[{width - 1}:0]"
    if m:
        return f"{path}[{m.group(1)}]"
    bit = BIT_RE.fullmatch(rng) if rng else None
    return f"{path}[{bit.group(1)}]" if bit else path


def dump_vars(dump):
    """{full name as GTKWave shows it: declared name (scope path and variable,
    no range)} of an FST/VCD dump, read from the header alone."""
    if dump.endswith(".fst"):
        if not shutil.which("fst2vcd"):
            raise WavesError("fst2vcd (Debian package gtkwave) is not installed")
        proc = subprocess.Popen(["fst2vcd", dump], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        src = proc.stdout
    else:
        proc = None
        src = open(dump, encoding="utf-8", errors="replace")
    names, scope = {}, []
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
                path = ".".join(scope + [rest[0]])
                rng = "".join(rest[1:])
                names[gtkwave_name(path, tok[1], int(tok[2]), rng)] = path
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


def dump_names(dump):
    """Full signal names of an FST/VCD dump as GTKWave shows them
    (TOP.cim_macro.u_ctrl.plane_q[2:0], ...plane_q[0] when 1 bit wide)."""
    return set(dump_vars(dump))


def base_names(name):
    """Declared names (scope path and variable, no packed range) a layout's
    signal may stand for, in this order: without a trailing [msb:lsb]; the
    name itself (a scalar, or an element a[3] of an unpacked array); without
    a trailing [bit] (a one-bit vector)."""
    out = [RANGE_RE.sub("", name)] if RANGE_RE.search(name) else []
    out.append(name)
    if BIT_RE.search(name):
        out.append(BIT_RE.sub("", name))
    return out


def absent_element(base, bases):
    """Why base, an element of an array or generate loop ([k] in its path),
    is absent from a build that holds fewer elements (a note), or None when
    the dump holds no element of it at all or holds element k."""
    for m in reversed(list(INDEX_RE.finditer(base))):
        pat = re.compile(re.escape(base[:m.start()]) + r"\[(\d+)\]"
                         + re.escape(base[m.end():]) + r"\Z")
        have = sorted({int(h.group(1)) for h in map(pat.match, bases) if h})
        if not have:
            continue
        k = int(m.group(1))
        if have == list(range(len(have))) and k >= len(have):
            return (f"this build has {len(have)} "
                    f"({base[:m.start()].rsplit('.', 1)[-1]}[0..{len(have) - 1}])")
        return None
    return None


def is_signal_line(line):
    return bool(line) and (line[0].isalnum() or line[0] == "_")


def fit(layout, names, out_dir, notes=None):
    """Write out_dir/<layout>; returns (path, [expected full names],
    [filter files]). names: dump_vars() (or a set of full names). Elements
    past the build's last one are left out, each with a line in notes (a
    list, when given). Raises WavesError listing every signal not in the dump."""
    if not isinstance(names, dict):
        names = {n: RANGE_RE.sub("", n) for n in names}
    by_base = {}
    for full, base in names.items():
        by_base.setdefault(base, []).append(full)
    out_lines, expected, filters, missing = [], [], [], []
    with open(layout, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    where = os.path.basename(layout)
    skip_filter = None
    for lineno, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("^") and " " in s:
            tag, path = s.split(None, 1)
            apath = path if os.path.isabs(path) else os.path.join(ROOT, path)
            out_lines.append(f"{tag} {apath}")
            skip_filter = (len(out_lines) - 1, apath)
            filters.append(apath)
            continue
        if is_signal_line(s):
            if s in names:
                hits = [s]
            else:
                hits = []
                for b in base_names(s):
                    hits = sorted(by_base.get(b, []))
                    if hits:
                        break
            if len(hits) == 1:
                expected.append(hits[0])
                out_lines.append(hits[0])
            elif hits:
                missing.append(f"{where}:{lineno}: {s} (ambiguous: {', '.join(hits)})")
            else:
                why = None
                for b in base_names(s):
                    why = absent_element(b, by_base)
                    if why:
                        break
                if why is None:
                    missing.append(f"{where}:{lineno}: {s}")
                else:
                    if notes is not None:
                        notes.append(f"{where}:{lineno}: {s} left out: {why}")
                    if skip_filter and skip_filter[0] == len(out_lines) - 1:
                        # its translate filter line goes with it
                        out_lines.pop()
                        filters.remove(skip_filter[1])
            skip_filter = None
            continue
        out_lines.append(line)
        skip_filter = None
    if missing:
        raise WavesError("signals the layout names but the dump does not have:\n  "
                         + "\n  ".join(missing))
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, os.path.basename(layout))
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out_lines) + "\n")
    return out, expected, filters


def gtkwave_check(dump, fitted, expected, filters, names=None, timeout=120):
    """Load one fitted layout in GTKWave under Xvfb; [] or the problems.
    names (full names from dump_vars) must be exactly GTKWave's facilities."""
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
        shown, translated, facs = set(), [], set()
        with open(report, encoding="utf-8") as fh:
            for line in fh:
                kind, _, rest = line.rstrip("\n").partition(" ")
                if kind == "S":
                    shown.add(rest)
                elif kind == "F":
                    facs.add(rest)
                elif kind == "T" and int(rest.split(" ", 1)[0]) & 0x2000:  # TR_FTRANSLATED
                    translated.append(rest)
    for n in expected:
        if n not in shown:
            problems.append(f"GTKWave did not show {n}")
    if names is not None and set(names) != facs:
        # fit (and `make waves`) names signals as dump_vars does: it must be GTKWave's way
        only_dump, only_gtkw = sorted(set(names) - facs), sorted(facs - set(names))
        problems.append(f"the dump's names as waves.py reads them differ from GTKWave's "
                        f"facilities: {len(only_dump)} only in waves.py "
                        f"({', '.join(only_dump[:3])}), {len(only_gtkw)} only in GTKWave "
                        f"({', '.join(only_gtkw[:3])})")
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
        notes = []
        path, _, _ = fit(layout, dump_vars(dump), out_dir, notes)
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1
    for n in notes:
        print(f"waves: note: {n}")
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


def selftest(dump, out_dir):
    """Prove on this dump that fit fails on a signal the dump does not have
    (but leaves out a generate element past the build's last one), and that
    the GTKWave check fails on a signal GTKWave does not show and on names
    that are not GTKWave's. Returns an exit status."""
    names = dump_vars(dump)
    tdir = os.path.join(out_dir, "selftest")
    os.makedirs(tdir, exist_ok=True)
    acc = sorted(int(m.group(1)) for m in
                 (re.search(r"u_shift_add\.g_acc\[(\d+)\]\.acc_q$", b) for b in names.values())
                 if m)
    if not acc:
        print("waves selftest: FAIL: the dump has no u_shift_add.g_acc[j].acc_q")
        return 1
    head = "@28\nTOP.cim_macro.clk_i\n@24\n"
    bad = {
        "unknown signal": "TOP.cim_macro.u_ctrl.no_such_q[3:0]",
        "unknown scope": "TOP.cim_macro.u_ctrlx.plane_q[2:0]",
        "generate loop with no element in the dump":
            "TOP.cim_macro.u_shift_add.g_nope[0].acc_q[36:0]",
        "array with no element in the dump": "TOP.cim_macro.no_such_arr[3][36:0]",
        "signal missing from an element the build has":
            "TOP.cim_macro.u_shift_add.g_acc[0].no_such_q[36:0]",
    }
    failures = 0

    def layout(name, body):
        path = os.path.join(tdir, name + ".gtkw")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(head + body + "\n")
        return path

    for i, (what, sig) in enumerate(bad.items()):
        try:
            fit(layout(f"bad{i}", sig), names, tdir)
            failures += 1
            print(f"FAIL  fit accepted a layout naming {sig} ({what})")
        except WavesError as e:
            if sig not in str(e):
                failures += 1
                print(f"FAIL  fit failed on {sig} ({what}) without naming it: {e}")
            else:
                print(f"PASS  fit fails on {sig} ({what})")
    # Elements past the last: left out with a note; the ones the build has stay.
    n = len(acc)
    tail = f"TOP.cim_macro.u_shift_add.g_acc[{n}].acc_q[36:0]"
    notes = []
    try:
        _, exp, _ = fit(layout("tail", f"TOP.cim_macro.u_shift_add.g_acc[0].acc_q[36:0]\n{tail}"),
                        names, tdir, notes)
        if len(exp) != 2 or len(notes) != 1 or tail not in notes[0]:
            failures += 1
            print(f"FAIL  {tail}: expected 2 signals and one note, got {exp}, {notes}")
        else:
            print(f"PASS  {notes[0]}")
    except WavesError as e:
        failures += 1
        print(f"FAIL  fit refused element {n} of {n} outputs: {e}")
    # GTKWave: an expected signal the layout does not show, and a name GTKWave
    # does not have, each fail the check.
    path, exp, filt = fit(layout("good", "TOP.cim_macro.rst_ni"), names, tdir)
    dump_abs, path_abs = os.path.abspath(dump), os.path.abspath(path)
    clean = gtkwave_check(dump_abs, path_abs, exp, filt, names)
    if clean:
        failures += 1
        print("FAIL  a good layout fails the GTKWave check: " + "; ".join(clean))
    else:
        print(f"PASS  a good layout passes the GTKWave check ({len(names)} names are GTKWave's)")
    unshown = "TOP.cim_macro.u_ctrl.state_q[3:0]"
    probs = gtkwave_check(dump_abs, path_abs, exp + [unshown], filt,
                          dict(names, **{"TOP.cim_macro.no_such[3:0]": "TOP.cim_macro.no_such"}))
    for want, what in ((f"did not show {unshown}", "a signal it does not show"),
                       ("differ from GTKWave's", "a name GTKWave does not have")):
        if any(want in p for p in probs):
            print(f"PASS  the GTKWave check fails on {what}")
        else:
            failures += 1
            print(f"FAIL  the GTKWave check passed {what}: {probs}")
    print(f"waves selftest: {'FAIL' if failures else 'PASS'}: {failures} case(s) wrong")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["fit", "check", "open", "selftest"])
    ap.add_argument("dump")
    ap.add_argument("layouts", nargs="*")
    ap.add_argument("--out", help="folder of the fitted layouts (default: beside the dump)")
    a = ap.parse_args()
    if a.cmd != "selftest" and not a.layouts:
        ap.error(f"{a.cmd} needs at least one layout")
    out_dir = a.out or os.path.dirname(os.path.abspath(a.dump))
    try:
        if a.cmd == "selftest":
            return selftest(a.dump, out_dir)
        if a.cmd == "open":
            return main_open(a.dump, a.layouts[0], out_dir)
        names = dump_vars(a.dump)
        if a.cmd == "fit":
            for lay in a.layouts:
                notes = []
                path, exp, _ = fit(lay, names, out_dir, notes)
                print(f"{path}: {len(exp)} signals" + "".join(f"\n  note: {n}" for n in notes))
            return 0
        failed = 0
        for lay in a.layouts:
            notes = []
            try:
                path, exp, filt = fit(lay, names, out_dir, notes)
                problems = gtkwave_check(os.path.abspath(a.dump), os.path.abspath(path), exp,
                                         filt, names)
            except WavesError as e:
                problems = [str(e)]
            name = os.path.basename(lay)
            if problems:
                failed += 1
                print(f"FAIL  {name}: " + "\n      ".join(problems))
            else:
                print(f"PASS  {name}: GTKWave shows all {len(exp)} signals, "
                      f"{len(set(filt))} translate filter(s) loaded")
            for n in notes:
                print(f"      note: {n}")
        print(f"waves-check: {len(a.layouts) - failed} passed, {failed} failed")
        return 1 if failed else 0
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""GTKWave layouts (waves/*.gtkw) fitted to a dump, checked headless, opened.

The layouts in waves/ name signals without a packed range (`u_ctrl.sel_q`,
never `sel_q[2:0]`: the mux select is one bit wide, and has no range, when two
columns share an ADC) and their translate filters relative to the repository
root. GTKWave matches `acc_q[36:0]` only exactly, so every use goes through
`fit`, which rewrites each signal to the full name the dump really has and
each filter path to an absolute one, into build/<cfg>/waves/<layout>.gtkw;
`check` fails a layout that names a signal with a range.

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
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK_TCL = os.path.join(ROOT, "tools", "gtkw_check.tcl")
EVENTS_TCL = os.path.join(ROOT, "tools", "gtkw_events.tcl")
# What the markers mark, as rising edges of the macro's own signals: an MVM
# the controller starts (CTRL.START while no programming run is busy), its
# DONE (the controller's done pulse, intr_done), a write-verify programming
# run (its busy rising).
EVENTS = {"start": "TOP.cim_macro.mvm_start", "done": "TOP.cim_macro.intr_done",
          "prog": "TOP.cim_macro.wv_busy"}
CLOCK = "TOP.cim_macro.clk_i"
# GTKWave 3.3 keeps 26 named markers (A..Z); the first is the focus.
N_MARKERS = 26
# Width in pixels the zoom is computed for (the wave pane of [size] 1400 x 900).
ZOOM_PX = 1000
MISMATCH_RE = re.compile(r"first (?:twin|exact) mismatch: vector (\d+)")
ASSERT_RE = re.compile(r"^\[(\d+)\] %Error", re.M)
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


def ranged_signals(layout):
    """A layout's signals named with a packed range (their width differs
    between builds: the layout must name them without it), as problems."""
    with open(layout, encoding="utf-8") as fh:
        return [f"{os.path.basename(layout)}:{i}: {ln.strip()} names a fixed range; "
                "name the signal without it (fit gives it this build's width)"
                for i, ln in enumerate(fh.read().splitlines(), 1)
                if is_signal_line(ln.strip()) and RANGE_RE.search(ln.strip())]


def gtkwave_check(dump, fitted, expected, filters, names=None, timeout=120, marked=None):
    """Load one fitted layout in GTKWave under Xvfb; [] or the problems.
    names (full names from dump_vars) must be exactly GTKWave's facilities.
    marked: (marks, window, zoom, expect) of a layout mark_layout wrote, whose
    markers must land where check_markers says."""
    problems = [f"filter file missing: {f} (run `make waves-filters`)"
                for f in filters if not os.path.isfile(f)]
    if not shutil.which("xvfb-run"):
        return problems + ["xvfb-run (Debian package xvfb) is not installed"]
    with tempfile.TemporaryDirectory(prefix="gtkw_check") as tmp:
        report = os.path.join(tmp, "shown.txt")
        env = dict(os.environ, GTKW_CHECK_OUT=report)
        if marked:
            env["GTKW_EVENTS"] = " ".join(list(EVENTS.values()) + [CLOCK])
        cmd = ["xvfb-run", "-a", "gtkwave", "-S", CHECK_TCL, dump, fitted]
        try:
            run = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            return problems + [f"GTKWave did not quit within {timeout} s"]
        log = run.stdout + run.stderr
        if not os.path.isfile(report):
            return problems + [f"GTKWave wrote no report (exit {run.returncode}):\n{log}"]
        shown, translated, facs, seen = set(), [], set(), {"M": {}, "C": {}}
        with open(report, encoding="utf-8") as fh:
            for line in fh:
                kind, _, rest = line.rstrip("\n").partition(" ")
                if kind == "S":
                    shown.add(rest)
                elif kind == "M":
                    letter, t = rest.split()
                    seen["M"][letter] = int(t)
                elif kind == "W":
                    seen["W"] = [float(x) for x in rest.split()]
                elif kind == "C":
                    name, pairs = parse_changes(rest)
                    seen["C"][name] = pairs
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
    if marked:
        problems += check_markers(seen, *marked)
    want = sum(1 for _ in filters)
    if len(translated) != want:
        problems.append(f"{len(translated)} traces have a translate filter on, "
                        f"the layout sets {want}")
    return problems


# ---------------------------------------------------------------- markers
def rises(changes):
    """Times at which a one-bit change list ([(time, value)]) goes to 1."""
    out, prev = [], "0"
    for t, v in changes:
        if v == "1" and prev != "1":
            out.append(t)
        prev = v
    return out


def parse_changes(rest):
    """'<name> t v t v ...' of the Tcl scripts: (name, [(t, v)]), GTKWave's
    end-of-dump x/z entries dropped."""
    tok = rest.split()
    pairs = [(int(t), v) for t, v in zip(tok[1::2], tok[2::2]) if v in ("0", "1")]
    return tok[0], pairs


_EVENTS_CACHE = {}


def dump_events(dump, timeout=120):
    """dump_events_uncached, once per dump and process."""
    key = os.path.abspath(dump)
    if key not in _EVENTS_CACHE:
        _EVENTS_CACHE[key] = dump_events_uncached(dump, timeout)
    return _EVENTS_CACHE[key]


def dump_events_uncached(dump, timeout=120):
    """Read the event signals of a dump in a headless GTKWave: {"start":
    [times], "done": [...], "prog": [...], "period": clock period, "end":
    last time, "unit": its unit ("ps")}. Raises WavesError when GTKWave cannot run or a signal is
    missing."""
    if not shutil.which("xvfb-run"):
        raise WavesError("xvfb-run (Debian package xvfb) is not installed: no markers")
    with tempfile.TemporaryDirectory(prefix="gtkw_events") as tmp:
        report = os.path.join(tmp, "events.txt")
        env = dict(os.environ, GTKW_EVENTS_OUT=report, GTKW_EVENTS=" ".join(EVENTS.values()),
                   GTKW_CLOCK=CLOCK)
        try:
            run = subprocess.run(["xvfb-run", "-a", "gtkwave", "-S", EVENTS_TCL,
                                  os.path.abspath(dump)], env=env, cwd=tmp, capture_output=True,
                                 text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise WavesError(f"GTKWave did not read the markers' signals within {timeout} s")
        if not os.path.isfile(report):
            raise WavesError(f"GTKWave wrote no events (exit {run.returncode}):\n"
                             + run.stdout + run.stderr)
        with open(report, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    ev, by_name = {}, {}
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "R":
            ev["end"] = int(rest.split()[1])
            ev["unit"] = (rest.split() + ["?"])[2] + "s"
        elif kind == "C":
            name, pairs = parse_changes(rest)
            by_name[name] = pairs
    for key, name in EVENTS.items():
        if not by_name.get(name):
            raise WavesError(f"{dump}: GTKWave finds no changes of {name}")
        ev[key] = rises(by_name[name])
    clk = rises(by_name.get(CLOCK, []))
    ev["period"] = clk[1] - clk[0] if len(clk) > 1 else 1
    return ev


def place_markers(ev, fail_out=None, vectors=None):
    """Named markers of a run from its events: [(time, name)] with the
    focus first, the window (start, end) to open on, and notes. MVM k gets
    mvmK_start and mvmK_done, programming run k progK, a failing run (its
    output fail_out) FAIL at the failing check: an RTL assertion's time, the
    DONE of the MVM whose output a twin or exact check found wrong (the job's
    vectors are the run's last MVMs; vectors = how many), else the end of the
    run. At most N_MARKERS: the failure, then the MVMs, then the programming
    runs, each in time order; the rest are left out with a note."""
    starts, dones, progs, per = ev["start"], ev["done"], ev["prog"], ev["period"]
    mvm = []
    for k, t in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else None
        d = next((x for x in dones if x > t and (nxt is None or x <= nxt)), None)
        mvm.append((t, d))
    notes, fail, window = [], None, None
    if fail_out is not None:
        m_a, m_m = ASSERT_RE.search(fail_out), MISMATCH_RE.search(fail_out)
        if m_a:
            t = int(m_a.group(1))
            fail = (t, "FAIL_assertion")
            window = (t - 40 * per, t + 10 * per)
        elif m_m and vectors and len(mvm) >= vectors:
            k = len(mvm) - vectors + int(m_m.group(1))
            s, d = mvm[k]
            fail = (d if d is not None else ev["end"], f"FAIL_mvm{k + 1}")
            window = (s, fail[0])
        else:
            fail = (ev["end"], "FAIL_end_of_run")
            window = (ev["end"] - 200 * per, ev["end"])
    elif mvm:
        s, d = mvm[0]
        window = (s, d if d is not None else ev["end"])
    marks = [fail] if fail else []
    mvm_marks = []
    for k, (s, d) in enumerate(mvm, 1):
        mvm_marks.append((s, f"mvm{k}_start"))
        if d is not None:
            mvm_marks.append((d, f"mvm{k}_done"))
    prog_marks = [(t, f"prog{k}") for k, t in enumerate(progs, 1)]
    room = N_MARKERS - len(marks)
    if len(mvm_marks) > room:
        notes.append(f"{len(mvm_marks) - room} MVM markers past the {N_MARKERS} GTKWave holds "
                     "left out")
    marks += mvm_marks[:room]
    room = N_MARKERS - len(marks)
    if len(prog_marks) > room:
        notes.append(f"{len(prog_marks)} programming runs: markers on the first {room} "
                     f"(GTKWave holds {N_MARKERS} named markers)")
    marks += prog_marks[:max(0, room)]
    if window is None:
        window = (0, ev["end"])
    margin = max(20 * per, (window[1] - window[0]) // 10)
    window = (max(0, window[0] - margin), min(ev["end"], window[1] + margin))
    return marks, window, notes


def check_markers(seen, marks, window, zoom, expect):
    """The markers GTKWave shows (seen: its report) are the ones written
    (marks, window, zoom) and land on the right cycles: mvmK_start on the
    K-th rise of mvm_start, mvmK_done on the K-th rise of intr_done after it,
    progK on the K-th rise of wv_busy, each on a rising clock edge;
    FAIL_mvmK on mvmK_done. expect: {"mvms": the MVMs the run made,
    "fail_mvm": the MVM a failing check must point at}. [] or the problems."""
    probs = []
    edges = {k: rises(seen["C"].get(n, [])) for k, n in EVENTS.items()}
    clk = rises(seen["C"].get(CLOCK, []))
    per = clk[1] - clk[0] if len(clk) > 1 else 0
    for i, (t, name) in enumerate(marks):
        got = seen["M"].get(marker_id(i), -1)
        if got != t:
            probs.append(f"marker {marker_id(i)} {name}: GTKWave has it at {got}, "
                         f"the layout at {t}")
            continue
        m = re.fullmatch(r"(mvm|prog|FAIL_mvm)(\d+)(_start|_done)?", name)
        want = None
        if m:
            k = int(m.group(2)) - 1
            key = {"_start": "start", "_done": "done"}.get(m.group(3), "prog")
            if m.group(1) == "FAIL_mvm":
                key = "done"
            if key == "done":  # the first done after the K-th start
                s = edges["start"][k] if k < len(edges["start"]) else None
                want = next((x for x in edges["done"] if s is not None and x > s), None)
            else:
                want = edges[key][k] if k < len(edges[key]) else None
        if m and t != want:
            probs.append(f"marker {marker_id(i)} {name} at {t}: not on its edge ({want})")
        if per and clk and (t - clk[0]) % per:
            probs.append(f"marker {marker_id(i)} {name} at {t}: not on a rising clock edge")
    n_start = sum(1 for _, n in marks if n.endswith("_start"))
    if expect.get("mvms") is not None and n_start != expect["mvms"]:
        probs.append(f"{n_start} MVM START markers, the run made {expect['mvms']} MVMs")
    if expect.get("fail_mvm") is not None:
        fails = [n for _, n in marks if n.startswith("FAIL")]
        if fails != [f"FAIL_mvm{expect['fail_mvm']}"]:
            probs.append(f"failure markers {fails}, expected FAIL_mvm{expect['fail_mvm']}")
    w = seen.get("W")
    if not w or int(w[0]) != window[0] or abs(w[2] - zoom) > 1e-3:
        probs.append(f"GTKWave opened on {w}, the layout says start {window[0]}, zoom {zoom:.3f}")
    elif marks:
        focus = marks[0][0]
        shown_end = window[0] + ZOOM_PX * 2 ** -zoom
        if not window[0] <= focus <= shown_end:
            probs.append(f"the focus {marks[0][1]} at {focus} is outside {window[0]}..{shown_end}")
    return probs


def marker_id(i):
    """GTKWave's id of named marker i: A..Z."""
    return chr(ord("A") + i)


def add_markers(path, marks, window):
    """Rewrite a fitted layout with named markers (the first also the
    primary marker) and a zoom that shows window (its start at the left)."""
    with open(path, encoding="utf-8") as fh:
        lines = [ln for ln in fh.read().splitlines()
                 if not ln.startswith(("*", "[timestart]", "[markername"))]
    span = max(1, window[1] - window[0])
    zoom = -math.log2(span / ZOOM_PX)
    times = [str(t) for t, _ in marks] + ["-1"] * (N_MARKERS - len(marks))
    head = [f"[timestart] {window[0]}",
            f"*{zoom:.6f} {marks[0][0] if marks else -1} " + " ".join(times)]
    head += [f"[markername] {marker_id(i)}{name}" for i, (_, name) in enumerate(marks)]
    at = next((i for i, ln in enumerate(lines) if ln.startswith("@")), len(lines))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines[:at] + head + lines[at:]) + "\n")
    return zoom


def mark_layout(dump, path, fail_out=None, vectors=None):
    """Named markers and the zoom of a run into the fitted layout at path;
    returns (marks, window, zoom, notes)."""
    ev = dump_events(dump)
    marks, window, notes = place_markers(ev, fail_out, vectors)
    zoom = add_markers(path, marks, window)
    return marks, window, zoom, notes


def main_open(dump, layout, out_dir, fail_out=None, vectors=None):
    """Fit layout to dump, mark it (the run's MVMs, programming runs and, for
    a failing run, fail_out being its output, the failure) and start GTKWave
    on both, zoomed on the first MVM or on the failure (print the command
    instead when there is no display). Returns an exit status."""
    try:
        notes = []
        path, _, _ = fit(layout, dump_vars(dump), out_dir, notes)
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1
    for n in notes:
        print(f"waves: note: {n}")
    try:
        marks, window, _, mnotes = mark_layout(dump, path, fail_out, vectors)
        for n in mnotes:
            print(f"waves: note: {n}")
        names = ", ".join(f"{marker_id(i)} {name} @{t}" for i, (t, name) in enumerate(marks[:6]))
        unit = dump_events(dump).get("unit", "")
        print(f"waves: {len(marks)} markers ({names}{', ...' if len(marks) > 6 else ''}); "
              f"opens on {window[0]}..{window[1]} {unit} "
              f"(the {'failure' if fail_out else 'first MVM'})")
        rc_zoom = []
    except WavesError as e:
        print(f"waves: note: no markers: {e}")
        rc_zoom = ["--rcvar", "do_initial_zoom_fit yes"]
    cmd = ["gtkwave"] + rc_zoom + [
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
    # A layout naming a signal with a fixed range fails the check.
    ranged = ranged_signals(layout("ranged", "TOP.cim_macro.u_ctrl.sel_q[2:0]"))
    if len(ranged) == 1 and "fixed range" in ranged[0]:
        print("PASS  the check fails a layout that names u_ctrl.sel_q[2:0] with its range")
    else:
        failures += 1
        print(f"FAIL  a layout naming a fixed range passed: {ranged}")
    # Markers: one moved by a clock cycle off its edge fails the check.
    ev = dump_events(dump)
    marks, window, _ = place_markers(ev)
    if not marks:
        failures += 1
        print("FAIL  the dump has no MVM or programming run to mark")
    else:
        moved = [(marks[0][0] + ev["period"], marks[0][1])] + marks[1:]
        zoom = add_markers(path_abs, moved, window)
        probs = gtkwave_check(dump_abs, path_abs, exp, filt, names,
                              marked=(moved, window, zoom, {}))
        if any("not on its edge" in p for p in probs):
            print(f"PASS  the GTKWave check fails on marker {moved[0][1]} one cycle late")
        else:
            failures += 1
            print(f"FAIL  the GTKWave check passed a marker one cycle off its edge: {probs}")
    print(f"waves selftest: {'FAIL' if failures else 'PASS'}: {failures} case(s) wrong")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["fit", "check", "open", "selftest"])
    ap.add_argument("dump")
    ap.add_argument("layouts", nargs="*")
    ap.add_argument("--out", help="folder of the fitted layouts (default: beside the dump)")
    ap.add_argument("--markers", action="store_true",
                    help="check: mark each layout as `make waves` does and check the markers")
    ap.add_argument("--mvms", type=int, help="check --markers: the MVMs the run made")
    ap.add_argument("--fail-out", metavar="FILE",
                    help="check --markers: the output of a failing run (its failure marked)")
    ap.add_argument("--vectors", type=int, help="check --markers: the failing run's vectors")
    ap.add_argument("--fail-mvm", type=int,
                    help="check --markers: the MVM (1-based) its failure marker must be on")
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
            marked = None
            try:
                path, exp, filt = fit(lay, names, out_dir, notes)
                if a.markers:
                    fail_out = None
                    if a.fail_out:
                        with open(a.fail_out, encoding="utf-8", errors="replace") as fh:
                            fail_out = fh.read()
                    marks, window, zoom, mnotes = mark_layout(a.dump, path, fail_out, a.vectors)
                    notes += mnotes
                    marked = (marks, window, zoom, {"mvms": a.mvms, "fail_mvm": a.fail_mvm})
                problems = gtkwave_check(os.path.abspath(a.dump), os.path.abspath(path), exp,
                                         filt, names, marked=marked)
            except WavesError as e:
                problems = [str(e)]
            problems += ranged_signals(lay)
            name = os.path.basename(lay)
            if problems:
                failed += 1
                print(f"FAIL  {name}: " + "\n      ".join(problems))
            else:
                print(f"PASS  {name}: GTKWave shows all {len(exp)} signals, "
                      f"{len(set(filt))} translate filter(s) loaded"
                      + (f", {len(marked[0])} markers on their cycles ({marked[0][0][1]} first), "
                         f"opens on {marked[1][0]}..{marked[1][1]}" if marked else ""))
            for n in notes:
                print(f"      note: {n}")
        print(f"waves-check: {len(a.layouts) - failed} passed, {failed} failed")
        return 1 if failed else 0
    except WavesError as e:
        print(f"waves: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

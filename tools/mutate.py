#!/usr/bin/env python3
"""Mutation testing of the testbench: how many RTL bugs does the suite catch?

Mutants are generated from the RTL itself (slang's syntax tree, pyslang), one
small change each, drawn with a seed; each is built in a folder of its own
and run against the co-simulation suites and random regression seeds. A
mutant some test fails on is killed; one every test passes is a survivor,
and either gets a test that kills it or is shown equivalent in
tools/mutate_equivalent.txt (by its id, with the reason beside it).

  mutate.py sites [--module M]            every mutation site of the RTL
  mutate.py run --base build/<cfg> [--mutants N] [--seed S] [--jobs J]
  mutate.py one --base build/<cfg> --id ID   one mutant, its folder kept
  mutate.py report                        the last campaign's report again, with
                                          today's tools/mutate_equivalent.txt

What is mutated (operator classes; a site is one token or expression):
  arith  + <-> -, << <-> >>, <<< <-> >>>, * -> +
  logic  & <-> |, ^ -> |, && <-> ||, a dropped ! or ~
  rel    < <-> <=, > <-> >=, == <-> != (off by one, inverted)
  const  a sized literal +1 / -1 (1-bit: flipped), '0 <-> '1, a plain
         number +1 / -1
  cond   if (c) -> if (1'b1) / if (1'b0); c ? a : b -> the same on c
  term   a && b / a || b -> a, -> b (a dropped term)
  err    an assignment of an error flag (err, pslverr) dropped; a
         continuous one tied to 1'b0
Not mutated: comments and strings (never tokens), assertions and cover
points, `ifndef SYNTHESIS` checker code, the reset conditions (if (!rst_ni):
held in reset nothing runs, never reset the simulator's zero start hides
it; the reset values are mutated), `ifdef CIM_FAULT_` blocks (not defined,
so not in the tree), declarations (widths, parameters, ports:
a changed width mostly fails to build or changes nothing), macro bodies,
the packages (cim_pkg.sv derives widths; cim_dpi_pkg.sv declares the DPI)
and the bound checkers (*_chk.sv).

A mutant's id is module.line.class.hash (hash of the original and the
replacement text and their order on the line): stable while the line is.
"""
import argparse
import concurrent.futures
import csv
import glob
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL = os.path.join(ROOT, "rtl")
EQUIV = os.path.join(ROOT, "tools", "mutate_equivalent.txt")
SKIP_FILES = {"cim_pkg.sv", "cim_dpi_pkg.sv"}
CLASSES = ["arith", "logic", "rel", "const", "cond", "term", "err"]

# ---------------------------------------------------------------- sites
BIN_SWAP = {
    "AddExpression": ("arith", ["-"]),
    "SubtractExpression": ("arith", ["+"]),
    "MultiplyExpression": ("arith", ["+"]),
    "LogicalShiftLeftExpression": ("arith", [">>"]),
    "LogicalShiftRightExpression": ("arith", ["<<"]),
    "ArithmeticShiftLeftExpression": ("arith", [">>>"]),
    "ArithmeticShiftRightExpression": ("arith", ["<<<"]),
    "BinaryAndExpression": ("logic", ["|"]),
    "BinaryOrExpression": ("logic", ["&"]),
    "BinaryXorExpression": ("logic", ["|"]),
    "LogicalAndExpression": ("logic", ["||"]),
    "LogicalOrExpression": ("logic", ["&&"]),
    "LessThanExpression": ("rel", ["<="]),
    "LessThanEqualExpression": ("rel", ["<"]),
    "GreaterThanExpression": ("rel", [">="]),
    "GreaterThanEqualExpression": ("rel", [">"]),
    "EqualityExpression": ("rel", ["!="]),
    "InequalityExpression": ("rel", ["=="]),
}
# Subtrees never mutated: checks, declarations, widths.
SKIP_KINDS = re.compile(
    r"Assert|Assume|Cover|Expect|ParameterDeclaration|ParameterPortList|PortDeclaration|"
    r"AnsiPort|PortList|DataDeclaration|NetDeclaration|TypedefDeclaration|Dimension|"
    r"RangeSelect|ForwardTypedef|PackageImport|CastExpression$")
ZERO_RHS = re.compile(r"^(1'b0|'0|0|ErrNone|1'h0|1'd0)$")


def _kind(n):
    return str(n.kind).split(".")[-1]


def _is_token(n):
    return str(n.kind).startswith("TokenKind")


def _children(n):
    try:
        return [c for c in (n[i] for i in range(len(n))) if c is not None]
    except TypeError:
        return []


def _checker_lines(text):
    """Lines inside `ifndef SYNTHESIS ... `endif (checker code)."""
    out, depth, inside = set(), 0, 0
    for no, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if inside:
            out.add(no)
            if s.startswith(("`ifdef", "`ifndef")):
                depth += 1
            elif s.startswith("`endif"):
                depth -= 1
                if depth == 0:
                    inside = 0
        elif s.startswith("`ifndef SYNTHESIS"):
            inside, depth = 1, 1
            out.add(no)
    return out


class Site:
    """One mutation: [start, end) of the file's text becomes repl."""

    def __init__(self, module, path, text, start, end, cls, repl):
        self.module, self.path, self.cls = module, path, cls
        self.start, self.end, self.repl = start, end, repl
        self.orig = text[start:end]
        self.line = text.count("\n", 0, start) + 1
        self.col = start - (text.rfind("\n", 0, start) + 1) + 1
        self.id = None

    def short(self, s):
        s = " ".join(s.split())
        return s if len(s) <= 48 else s[:45] + "..."

    def desc(self):
        return f"{self.short(self.orig)} -> {self.short(self.repl) or '(dropped)'}"

    def row(self):
        return {"id": self.id, "module": self.module, "file": os.path.relpath(self.path, ROOT),
                "line": self.line, "col": self.col, "class": self.cls,
                "orig": self.orig, "repl": self.repl}


def file_sites(path):
    """Every mutation site of one RTL file, in text order."""
    from pyslang import syntax  # the venv's pyslang (make mutate runs it)
    text = open(path, encoding="utf-8").read()
    tree = syntax.SyntaxTree.fromText(text, os.path.basename(path), path)
    root = tree.root
    main_buf = root.getFirstToken().location.buffer
    checker = _checker_lines(text)
    module = os.path.splitext(os.path.basename(path))[0]
    sites = []

    def span(node):
        """[start, end) of a node or token in this file, None if any part of it
        comes from a macro expansion."""
        first = node if _is_token(node) else node.getFirstToken()
        last = node if _is_token(node) else node.getLastToken()
        if first is None or last is None:
            return None
        a, b = first.location, last.location
        if a.buffer != main_buf or b.buffer != main_buf:
            return None
        start, end = a.offset, b.offset + len(last.rawText)
        if text[start:start + len(first.rawText)] != first.rawText or \
                text[b.offset:end] != last.rawText:
            return None
        return start, end

    def add(start, end, cls, repl):
        s = Site(module, path, text, start, end, cls, repl)
        # The reset branch of a register: held in reset, nothing runs (killed
        # by every test); never reset, Verilator's zero start state hides it.
        if re.search(r"\brst_ni\b", text[start:end]) or \
                (cls == "logic" and text.startswith("rst_ni", end)):
            return
        if s.line not in checker and s.orig != repl:
            sites.append(s)

    def literal(node, k):
        sp = span(node)
        if sp is None:
            return
        raw = text[sp[0]:sp[1]]
        if k == "UnbasedUnsizedLiteralExpression":
            if raw in ("'0", "'1"):
                add(*sp, "const", "'1" if raw == "'0" else "'0")
            return
        m = re.fullmatch(r"(\d+)?\s*'\s*(s?)([dbhDBH])\s*([0-9a-fA-F_]+)", raw)
        if k == "IntegerVectorExpression" and m:
            size = int(m.group(1)) if m.group(1) else 32
            v = int(m.group(4).replace("_", ""), {"d": 10, "b": 2, "h": 16}[m.group(3).lower()])
            b = m.group(3).lower()
            pre = (m.group(1) or "") + "'" + m.group(2) + b
            cands = [1 - v] if size == 1 else [v + 1, v - 1]
            for nv in cands:
                if 0 <= nv < (1 << size):
                    add(*sp, "const", pre + {"d": str, "b": lambda x: f"{x:b}",
                                             "h": lambda x: f"{x:x}"}[b](nv))
        elif k == "IntegerLiteralExpression" and re.fullmatch(r"\d+", raw):
            v = int(raw)
            for nv in (v + 1, v - 1):
                if nv >= 0:
                    add(*sp, "const", str(nv))

    def visit(node):
        k = _kind(node)
        if _is_token(node) or SKIP_KINDS.search(k):
            return
        if k in BIN_SWAP:
            cls, repls = BIN_SWAP[k]
            op = node.operatorToken
            sp = span(op)
            if sp:
                for r in repls:
                    add(*sp, cls, r)
            if k in ("LogicalAndExpression", "LogicalOrExpression"):
                whole, left, right = span(node), span(node.left), span(node.right)
                if whole and left and right:
                    add(*whole, "term", "(" + text[left[0]:left[1]] + ")")
                    add(*whole, "term", "(" + text[right[0]:right[1]] + ")")
        elif k in ("UnaryLogicalNotExpression", "UnaryBitwiseNotExpression"):
            sp = span(node.operatorToken)
            if sp:
                add(*sp, "logic", "")
        elif k in ("IntegerVectorExpression", "IntegerLiteralExpression",
                   "UnbasedUnsizedLiteralExpression"):
            literal(node, k)
        elif k == "ConditionalStatement":
            sp = span(node.predicate)
            if sp:
                add(*sp, "cond", "1'b1")
                add(*sp, "cond", "1'b0")
        elif k == "ConditionalExpression":
            sp = span(node.predicate)
            if sp:
                add(*sp, "cond", "1'b1")
                add(*sp, "cond", "1'b0")
        elif k == "ExpressionStatement":
            e = node.expr
            if _kind(e) in ("AssignmentExpression", "NonblockingAssignmentExpression"):
                lhs, rhs, whole = span(e.left), span(e.right), span(node)
                if lhs and rhs and whole and re.search(r"err", text[lhs[0]:lhs[1]], re.I) \
                        and not ZERO_RHS.match(text[rhs[0]:rhs[1]].strip()):
                    add(*whole, "err", ";")
        elif k == "ContinuousAssign":
            for a in node.assignments:
                if a is None or _is_token(a) or _kind(a) != "AssignmentExpression":
                    continue
                lhs, rhs = span(a.left), span(a.right)
                if lhs and rhs and re.search(r"err", text[lhs[0]:lhs[1]], re.I):
                    add(*rhs, "err", "1'b0")
        for c in _children(node):
            if c is not None and not isinstance(c, (str, int)):
                visit(c)

    visit(root)
    return sites


def all_sites():
    """Sites of every mutated RTL file, each with its id."""
    out = []
    for path in sorted(glob.glob(os.path.join(RTL, "*.sv"))):
        name = os.path.basename(path)
        if name in SKIP_FILES or name.endswith("_chk.sv"):
            continue
        seen = {}
        for s in file_sites(path):
            key = (s.line, s.cls, s.orig, s.repl)
            k = seen[key] = seen.get(key, -1) + 1
            h = hashlib.sha1(f"{s.module}|{s.line}|{s.cls}|{s.orig}|{s.repl}|{k}".encode())
            s.id = f"{s.module}.{s.line}.{s.cls}.{h.hexdigest()[:6]}"
            out.append(s)
    return out


def sample(sites, n, seed):
    """n sites spread over every module and, within one, over the classes:
    round-robin over modules (by name), each module's own sites round-robin
    over its classes, each class's list shuffled by the seed."""
    rng = random.Random(seed)
    queues = {}
    for m in sorted({s.module for s in sites}):
        by_cls = {}
        for s in sites:
            if s.module == m:
                by_cls.setdefault(s.cls, []).append(s)
        lists = []
        for c in sorted(by_cls):
            lst = by_cls[c][:]
            rng.shuffle(lst)
            lists.append(lst)
        rng.shuffle(lists)
        order = []
        while any(lists):
            for lst in lists:
                if lst:
                    order.append(lst.pop())
        queues[m] = order
    out = []
    while len(out) < n and any(queues.values()):
        for m in sorted(queues):
            if queues[m] and len(out) < n:
                out.append(queues[m].pop(0))
    return out


def read_equiv(path=EQUIV):
    """{id: reason} of the mutants shown equivalent."""
    eq = {}
    if not os.path.exists(path):
        return eq
    for no, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            sys.exit(f"{path}:{no}: '{parts[0]}' has no reason beside it")
        eq[parts[0]] = parts[1]
    return eq


# ---------------------------------------------------------------- runs
def sh(cmd, log, timeout, cwd=ROOT, env=None):
    """Run cmd (a list), append its output to log; (rc or 'timeout', output)."""
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout, env=env,
                           start_new_session=True)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        rc = "timeout"
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(shlex.quote(c) for c in cmd)}\n{out}\n"
                f"[rc {rc}, {time.time() - t0:.1f} s]\n")
    return rc, out


class Base:
    """The base build of the campaign's configuration: its make variables,
    programs, objects and the suites of check_cim, cheapest first."""

    def __init__(self, path):
        self.path = os.path.relpath(os.path.abspath(path), ROOT)
        self.config = os.path.basename(self.path)
        cfg = json.load(open(os.path.join(ROOT, self.path, "cim_cfg.json")))
        self.make_vars = [f"{k}={cfg[k.lower()]}" for k in
                          ("ROWS", "COLS", "W_BITS", "CELL_BITS", "X_BITS", "ADC_BITS",
                           "COLS_PER_ADC", "P_MAX")]
        src = open(os.path.join(ROOT, "sw", "tests", "check_cim.c"), encoding="utf-8").read()
        self.suites = [m for m in re.findall(r"suite_(\w+)\(\)", src)]
        self.suite_s = {}

    def measure(self, log):
        """Run every suite once on the base (all must pass); order them by time."""
        for s in self.suites:
            t0 = time.time()
            rc, out = sh([os.path.join(self.path, "check_cim")], log, 600,
                         env=dict(os.environ, CK_RUN_SUITE=s))
            if rc != 0:
                sys.exit(f"mutate: the base build fails suite {s} (see {log})")
            self.suite_s[s] = time.time() - t0
        self.suites.sort(key=lambda s: self.suite_s[s])


def strip_comments(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return [ln for ln in f if not ln.lstrip().startswith("//")]


def failure_reason(out):
    """The first failing test of a Check run and its message, or a summary."""
    for ln in out.splitlines():
        m = re.match(r"^[^:]+:\d+:[EF]:[^:]*:(\w+):\d+: (.*)$", ln)
        if m:
            return f"{m.group(1)}: {m.group(2)[:160]}"
    for ln in out.splitlines():
        if "Assertion failed" in ln or "%Error" in ln:
            return ln.strip()[:200]
    return (out.strip().splitlines() or ["(no output)"])[-1][:200]


def reused(site, log, res):
    """With --resume: the result of an earlier run of this mutant from its log,
    when it was killed or stillborn (tests are only ever added, so a kill
    stands; a survivor runs again against today's tests). None otherwise."""
    try:
        lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return None
    head = f"mutant {site.id}: {os.path.relpath(site.path, ROOT)}:{site.line}:"
    if not lines or not lines[0].startswith(head) or not lines[-1].startswith("result: "):
        return None
    m = re.match(r"result: (killed|stillborn) (\S*) ?(.*)$", lines[-1])
    if not m:
        return None
    suite = m.group(2) if m.group(1) == "killed" else ""
    reason = m.group(3) if m.group(1) == "killed" else f"{m.group(2)} {m.group(3)}".strip()
    return dict(res, status=m.group(1), suite=suite, reason=reason, reused=True,
                timeout=reason.startswith("timeout"))


def run_mutant(site, base, out_dir, opts, keep=False):
    """Build and test one mutant; a result dict."""
    mdir_rel = f"build/{base.config}_mut_{site.id}"
    mdir = os.path.join(ROOT, mdir_rel)
    log = os.path.join(out_dir, "logs", f"{site.id}.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    res = dict(site.row(), status="", reason="", suite="", build_s=0.0, test_s=0.0,
               log=os.path.relpath(log, ROOT))
    if getattr(opts, "resume", False):
        old = reused(site, log, res)
        if old:
            return old
    open(log, "w").write(f"mutant {site.id}: {os.path.relpath(site.path, ROOT)}:{site.line}:"
                         f"{site.col} [{site.cls}] {site.desc()}\n")
    t0 = time.time()
    shutil.rmtree(mdir, ignore_errors=True)
    # The changed RTL copy.
    shutil.copytree(RTL, os.path.join(mdir, "rtl"))
    rtl_file = os.path.join(mdir, "rtl", os.path.basename(site.path))
    text = open(site.path, encoding="utf-8").read()
    open(rtl_file, "w", encoding="utf-8").write(text[:site.start] + site.repl + text[site.end:])
    # The base build's C and C++ objects and generated configuration, with
    # their times: only the model is verilated and compiled again.
    shutil.copytree(os.path.join(ROOT, base.path, "o"), os.path.join(mdir, "o"))
    for f in glob.glob(os.path.join(ROOT, base.path, "cim_cfg*")):
        shutil.copy2(f, mdir)
    make = ["make", "--no-print-directory", "-s", f"CONFIG={base.config}_mut_{site.id}",
            f"RTL_DIR={mdir_rel}/rtl", "VERILATOR=verilator -Wno-fatal"] + base.make_vars
    rc, out = sh(make + [f"{mdir_rel}/obj/Vcim_macro.mk"], log, opts.build_timeout)
    if rc != 0:
        res.update(status="stillborn", reason="verilator: " + failure_reason(out))
    else:
        bobj, mobj = os.path.join(ROOT, base.path, "obj"), os.path.join(mdir, "obj")
        # The harness sees the model through these two headers only: when the
        # mutant leaves them as they were (comments aside), keep its objects.
        if all(strip_comments(os.path.join(bobj, h)) == strip_comments(os.path.join(mobj, h))
               for h in ("Vcim_macro.h", "Vcim_macro__Dpi.h")):
            now = time.time()
            for o in glob.glob(os.path.join(mdir, "o", "tb", "*.o")):
                os.utime(o, (now, now))
        for f in glob.glob(os.path.join(bobj, "verilated*.[od]")):
            shutil.copy2(f, mobj)
        rc, out = sh(make + [f"{mdir_rel}/check_cim", f"{mdir_rel}/cim_mvm"], log,
                     opts.build_timeout)
        if rc != 0:
            res.update(status="stillborn", reason="build: " + failure_reason(out))
    res["build_s"] = round(time.time() - t0, 1)
    t1 = time.time()
    if not res["status"]:
        for s in base.suites:
            rc, out = sh([os.path.join(mdir, "check_cim")], log, opts.suite_timeout,
                         env=dict(os.environ, CK_RUN_SUITE=s))
            if rc == "timeout":
                res.update(status="killed", suite=s, reason=f"timeout after {opts.suite_timeout} s")
                break
            if rc != 0:
                res.update(status="killed", suite=s, reason=failure_reason(out))
                break
    if not res["status"] and opts.seeds > 0:
        rc, out = sh([sys.executable, "tools/regress.py", "run", "--build", mdir_rel,
                      "--seeds", str(opts.seeds), "--jobs", "1", "--no-waves", "--quiet",
                      "--timeout", str(opts.suite_timeout), "--out", f"{mdir_rel}/regress"],
                     log, opts.suite_timeout * 3)
        if rc == "timeout":
            res.update(status="killed", suite="regress",
                       reason=f"timeout after {opts.suite_timeout * 3} s")
        elif rc != 0:
            g = re.search(r"^\[1\] (\d+) x\s+(.*)$", out, re.M)
            sd = re.search(r"^\s+seed (\d+):", out, re.M)
            why = (f"{g.group(1)} of {opts.seeds} seeds (seed {sd.group(1) if sd else '?'}): "
                   f"{g.group(2)}") if g else failure_reason(out)
            res.update(status="killed", suite="regress", reason=why[:200])
    if not res["status"]:
        res["status"] = "survived"
    res["test_s"] = round(time.time() - t1, 1)
    if res["status"] == "killed" and res["reason"].startswith("timeout"):
        res["timeout"] = True
    with open(log, "a") as f:
        f.write(f"result: {res['status']} {res['suite']} {res['reason']}\n")
    if not keep:
        shutil.rmtree(mdir, ignore_errors=True)
    return res


# ---------------------------------------------------------------- report
def report(results, equiv, stale, out_dir, args, wall, base):
    applied = len(results)
    stillborn = [r for r in results if r["status"] == "stillborn"]
    killed = [r for r in results if r["status"] == "killed"]
    timed = [r for r in killed if r.get("timeout")]
    surv = [r for r in results if r["status"] == "survived"]
    eq = [r for r in surv if r["id"] in equiv]
    live = [r for r in surv if r["id"] not in equiv]
    wrong_eq = [r for r in killed if r["id"] in equiv]
    denom = applied - len(stillborn) - len(eq)
    score = 100.0 * len(killed) / denom if denom else 0.0
    lines = [f"make mutate MUTANTS={args.mutants} MUTATE_SEED={args.seed} (base {base.config}, "
             f"{args.seeds} regression seeds per mutant): {wall / 60:.1f} min on {args.jobs} jobs",
             "", f"{'id':36} {'status':10} {'suite':10} change / reason", "-" * 100]
    for r in results:
        st = r["status"] + ("/equiv" if r["id"] in equiv and r["status"] == "survived" else "") \
            + ("*" if r.get("reused") else "")
        lines.append(f"{r['id']:36} {st:10} {r['suite']:10} "
                     f"{Site.short(None, r['orig'])} -> {Site.short(None, r['repl'])}")
        if r["reason"]:
            lines.append(f"{'':48}{r['reason'][:120]}")
    per_mod = {}
    for r in results:
        d = per_mod.setdefault(r["module"], {"applied": 0, "killed": 0, "survived": 0,
                                              "stillborn": 0})
        d["applied"] += 1
        d[r["status"]] += 1
    lines += ["", f"{'module':20} applied killed survived stillborn"]
    for m in sorted(per_mod):
        d = per_mod[m]
        lines.append(f"{m:20} {d['applied']:7} {d['killed']:6} {d['survived']:8} "
                     f"{d['stillborn']:9}")
    n_reused = sum(1 for r in results if r.get("reused"))
    if n_reused:
        lines += ["", f"* {n_reused} results taken from the logs of an earlier run (--resume)"]
    lines += ["", f"applied {applied}, killed {len(killed)} ({len(timed)} of them by a timeout), "
              f"survived {len(surv)} ({len(eq)} shown equivalent), stillborn {len(stillborn)}",
              f"mutation score = killed / (applied - stillborn - equivalent) = "
              f"{len(killed)} / {denom} = {score:.1f} %"]
    if live:
        lines += ["", "Survivors (not shown equivalent): reproduce each with"]
        lines += [f"  make mutate-one MUTANT={r['id']}    # {r['file']}:{r['line']} "
                  f"{Site.short(None, r['orig'])} -> {Site.short(None, r['repl'])}" for r in live]
    if wrong_eq:
        lines += ["", "ERROR: listed equivalent in tools/mutate_equivalent.txt but killed:"]
        lines += [f"  {r['id']}: {r['suite']}: {r['reason']}" for r in wrong_eq]
    if stale:
        lines += ["", "ERROR: tools/mutate_equivalent.txt names no mutation site of the RTL:"]
        lines += [f"  {i}" for i in stale]
    text = "\n".join(lines) + "\n"
    open(os.path.join(out_dir, "report.txt"), "w").write(text)
    keys = ["id", "module", "file", "line", "col", "class", "orig", "repl", "status", "suite",
            "reason", "build_s", "test_s", "log"]
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys + ["equivalent"], extrasaction="ignore")
        w.writeheader()
        for r in results:
            w.writerow(dict(r, equivalent=equiv.get(r["id"], "")))
    summary = {"mutants": args.mutants, "seed": args.seed, "base": base.config,
               "regress_seeds": args.seeds, "jobs": args.jobs, "wall_s": round(wall, 1),
               "applied": applied, "killed": len(killed), "timed_out": len(timed),
               "survived": len(surv), "equivalent": len(eq), "stillborn": len(stillborn),
               "score_pct": round(score, 1), "reused": n_reused,
               "survivors": [r["id"] for r in live],
               "wrong_equivalent": [r["id"] for r in wrong_eq], "stale_equivalent": stale,
               "results": results}
    json.dump(summary, open(os.path.join(out_dir, "results.json"), "w"), indent=1)
    print(text, end="")
    print(f"mutate: report in {os.path.relpath(out_dir, ROOT)}/report.txt, results.csv, "
          f"results.json; logs in {os.path.relpath(out_dir, ROOT)}/logs/")
    return 1 if (wrong_eq or stale) else 0


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["sites", "run", "one", "report"])
    ap.add_argument("--base", help="base build folder build/<cfg> (built beforehand)")
    ap.add_argument("--mutants", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seeds", type=int, default=30, help="regression seeds per mutant")
    ap.add_argument("--id", help="the mutant of `one`")
    ap.add_argument("--module", help="sites: only this module")
    ap.add_argument("--build-timeout", type=float, default=600)
    ap.add_argument("--suite-timeout", type=float, default=120)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "mutate"))
    ap.add_argument("--keep", action="store_true", help="keep every mutant's build folder")
    ap.add_argument("--resume", action="store_true",
                    help="take kills and stillbirths from the logs of an earlier run")
    a = ap.parse_args()

    sites = all_sites()
    by_id = {s.id: s for s in sites}
    equiv = read_equiv()
    stale = sorted(i for i in equiv if i not in by_id)
    if a.cmd == "sites":
        n = {}
        for s in sites:
            if a.module in (None, s.module):
                print(f"{s.id:36} {os.path.relpath(s.path, ROOT)}:{s.line}:{s.col} {s.desc()}")
                n[s.cls] = n.get(s.cls, 0) + 1
        print(f"{sum(n.values())} sites: " + ", ".join(f"{c} {n.get(c, 0)}" for c in CLASSES))
        for i in stale:
            print(f"mutate: tools/mutate_equivalent.txt: {i} names no mutation site of the RTL")
        return 1 if stale else 0
    if a.cmd == "report":  # the last campaign's results against today's equivalence list
        prev = json.load(open(os.path.join(a.out, "results.json")))
        a.mutants, a.seed, a.seeds, a.jobs = (prev["mutants"], prev["seed"], prev["regress_seeds"],
                                              prev["jobs"])

        class Prev:
            config = prev["base"]
        for r in prev["results"]:
            if r["id"] not in by_id:
                sys.exit(f"mutate: {r['id']} of the last campaign is no longer a site: "
                         "run the campaign again")
        return report(prev["results"], equiv, stale, a.out, a, prev["wall_s"], Prev)
    if not a.base:
        ap.error("--base is required")
    base = Base(a.base)
    if a.cmd == "one":  # beside a campaign's logs, never over them (--resume reads those)
        a.out = os.path.join(a.out, "one")
    os.makedirs(a.out, exist_ok=True)
    blog = os.path.join(a.out, "base.log")
    open(blog, "w").close()
    base.measure(blog)
    if a.cmd == "one":
        if a.id not in by_id:
            sys.exit(f"mutate: no mutant {a.id} in today's RTL (make mutate-sites lists them)")
        s = by_id[a.id]
        print(f"mutate: {s.id}: {os.path.relpath(s.path, ROOT)}:{s.line}:{s.col} [{s.cls}] "
              f"{s.desc()}")
        r = run_mutant(s, base, a.out, a, keep=True)
        print(f"mutate: {s.id}: {r['status'].upper()}"
              + (f" by suite {r['suite']}: {r['reason']}" if r['suite'] or r['reason'] else "")
              + f" (build {r['build_s']} s, tests {r['test_s']} s); folder "
              f"build/{base.config}_mut_{s.id}, log {r['log']}")
        if s.id in equiv:
            print(f"mutate: listed equivalent: {equiv[s.id]}")
        return 0
    if stale:
        for i in stale:
            print(f"mutate: tools/mutate_equivalent.txt: {i} names no mutation site of the RTL")
        sys.exit("mutate: fix the stale equivalence entries first")
    chosen = sample(sites, a.mutants, a.seed)
    mods = sorted({s.module for s in chosen})
    print(f"mutate: {len(sites)} sites in {len({s.module for s in sites})} modules; "
          f"{len(chosen)} mutants (seed {a.seed}) over {len(mods)} modules, {a.jobs} at once; "
          f"suites in order: {' '.join(base.suites)}", flush=True)
    t0 = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(run_mutant, s, base, a.out, a, a.keep): s for s in chosen}
        for i, f in enumerate(concurrent.futures.as_completed(futs), 1):
            r = f.result()
            results.append(r)
            print(f"[{i}/{len(chosen)}] {r['id']:36} {r['status']:9} {r['suite']:10} "
                  f"{r['reason'][:60]} ({r['build_s']} + {r['test_s']} s)", flush=True)
    order = {s.id: k for k, s in enumerate(chosen)}
    results.sort(key=lambda r: order[r["id"]])
    return report(results, equiv, stale, a.out, a, time.time() - t0, base)


if __name__ == "__main__":
    sys.exit(main())

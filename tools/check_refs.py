#!/usr/bin/env python3
"""Check that tracked files reference only what a user of the repository has.

  check_refs.py [--root DIR]

Fails (exit 1, one line per problem) when a tracked text file
  - names a repository path (rtl/..., cmodel/..., tb/..., sw/..., bench/...,
    tools/..., mk/..., docs/..., waves/..., .ci/...) that does not exist;
  - points outside the repository (../shared/..., STYLE.md, DESIGN.md);
  - or when README's list of device presets differs from the presets that
    cmodel/rram_device.c defines.
Paths with placeholders or patterns (<cfg>, *, $(VAR), {a,b}) and paths
under build/ (generated) are not checked.
"""
import argparse
import os
import re
import subprocess
import sys

TOP = r"(?:rtl|cmodel|tb|sw|bench|tools|mk|docs|waves|\.ci)"
PATH_RE = re.compile(r"(?<![\w./-])(" + TOP + r"/[\w./+-]*[\w+-])")
OUTSIDE_RE = re.compile(r"\.\./shared/|(?<![\w/.-])(?:STYLE|DESIGN)\.md\b")
TEXT_EXT = {".c", ".h", ".cpp", ".sv", ".py", ".sh", ".mk", ".md", ".txt", ".vlt", ".tcl",
            ".gtkw", ".rdl", ".dev", ".yml", ".yaml", ".cfg", ""}
SKIP = re.compile(r"[<>*$%{}]")


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True,
                         check=True, timeout=60).stdout.decode()
    return [f for f in out.split("\0") if f]


def check_paths(root, files):
    bad = []
    for f in files:
        if os.path.splitext(f)[1] not in TEXT_EXT and not os.path.basename(f).startswith("."):
            continue
        p = os.path.join(root, f)
        if not os.path.isfile(p):
            continue
        try:
            with open(p, encoding="utf-8") as fh:
                lines = fh.readlines()
        except (UnicodeDecodeError, OSError):
            continue
        for n, line in enumerate(lines, 1):
            if OUTSIDE_RE.search(line) and f != "tools/check_refs.py":  # its own patterns
                bad.append(f"{f}:{n}: points outside the repository: {line.strip()[:100]}")
            for m in PATH_RE.finditer(line):
                ref = m.group(1).rstrip(".")
                end = m.end(1)
                if SKIP.search(ref) or SKIP.search(line[end:end + 1]):
                    continue
                if any(re.fullmatch(r"[A-Z_]+(\.\w+)?", c) for c in ref.split("/")[1:]):
                    continue  # a placeholder such as waves/LAYOUT.gtkw
                if not os.path.exists(os.path.join(root, ref)):
                    bad.append(f"{f}:{n}: names {ref}, which does not exist")
    return bad


def check_presets(root):
    with open(os.path.join(root, "cmodel", "rram_device.c"), encoding="utf-8") as fh:
        src = fh.read()
    table = re.search(r"\} presets\[\] = \{(.*?)\};", src, re.S)
    if not table:
        return ["cmodel/rram_device.c: no presets[] table found"]
    have = re.findall(r'\{"(\w+)",\s*preset_\w+\}', table.group(1))
    with open(os.path.join(root, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    sec = re.search(r"The presets are:\n(.*?)\n\n(?!- |  )", readme, re.S)
    if not sec:
        return ["README.md: no 'The presets are:' list found"]
    listed = re.findall(r"`(\w+)`", sec.group(1))
    bad = []
    for p in have:
        if p not in listed:
            bad.append(f"README.md: the preset list leaves out `{p}` (cmodel/rram_device.c)")
    for p in listed:
        if p not in have:
            bad.append(f"README.md: the preset list names `{p}`, which cmodel/rram_device.c "
                       "does not define")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))))
    a = ap.parse_args()
    files = tracked(a.root)
    bad = check_paths(a.root, files) + check_presets(a.root)
    for b in bad:
        print(f"check_refs: {b}")
    print(f"check_refs: {len(files)} tracked files, {len(bad)} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

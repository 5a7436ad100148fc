#!/usr/bin/env python3
"""Coverage of a regression: run the tests of a coverage build, merge, report.

  coverage.py cosim  --build B --dat-dir D [--jobs J] [--sched slurm ...]
        run every check_cim test in its own process, each writing its own
        Verilator coverage file D/<test>.dat (the tests of one check_cim
        process would all write the same file); with --sched slurm as one
        Slurm job array (tools/farm.py, a batch of tests per task), returning
        once every task has ended
  coverage.py report --build B --dat-dir D --out O
        merge D/*.dat (verilator_coverage), turn the RTL's line and toggle
        points into lcov records, capture gcov of cmodel/, sw/ and tb/ (lcov),
        write the HTML report O/html/index.html, print a summary and write the
        uncovered points to O/uncovered.txt

The coverage build (make coverage) is the configuration verilated with
--coverage (line, toggle and user cover properties, see rtl/*_chk.sv) and its
C and C++ compiled with gcov.
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import farm  # noqa: E402  (tools/farm.py)


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, errors="replace", **kw)


def test_names():
    """Every check_cim test, in the order the suites add them."""
    names = []
    for path in sorted(glob.glob(os.path.join(ROOT, "sw", "tests", "*.c"))):
        with open(path, encoding="utf-8") as fh:
            names += re.findall(r"suite_add_test\(\s*\w+\s*,\s*(\w+)\s*\)", fh.read())
    return names


def cmd_cosim(a):
    prog = os.path.join(a.build, "check_cim")
    os.makedirs(a.dat_dir, exist_ok=True)

    def one(name):
        env = dict(os.environ, CK_RUN_CASE=name,
                   CIM_COVERAGE_DAT=os.path.abspath(os.path.join(a.dat_dir, f"{name}.dat")))
        env.pop("CK_RUN_SUITE", None)
        p = subprocess.run([prog], cwd=ROOT, env=env, capture_output=True, text=True,
                           errors="replace", timeout=600)
        return name, p.returncode, p.stdout + p.stderr

    names = test_names()
    failed = []
    if a.sched == "slurm":
        items = [{"key": n, "argv": [prog], "timeout": 600,
                  "env": {"CK_RUN_CASE": n, "CIM_COVERAGE_DAT": os.path.abspath(
                      os.path.join(a.dat_dir, f"{n}.dat"))}} for n in names]
        try:
            work = os.path.normpath(os.path.join(a.dat_dir, "..", "slurm"))
            res, _, stopped = farm.run_array(items, work, farm.options(a),
                                             name="coverage-cosim")
        except farm.FarmError as e:
            sys.exit(f"coverage: {e}")
        if stopped:
            return 130
        runs = [(n, res[n]["rc"], res[n]["out"]) for n in names]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            runs = list(ex.map(one, names))
    for name, rc, out in runs:
        if rc != 0:
            failed.append(name)
            print(f"coverage: {name} failed:\n{out[-2000:]}")
    print(f"coverage: check_cim tests: {len(names) - len(failed)} passed, {len(failed)} failed"
          + (" (a failing test writes no coverage; the report goes on without it)"
             if failed else ""))
    return 1 if failed and a.strict else 0


# ---------------------------------------------------------------- Verilator .dat
def read_dat(path):
    """{point key: (fields, count)} of a verilator_coverage file."""
    points = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = re.match(r"C '(.*)' (\d+)\s*$", line)
            if not m:
                continue
            fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01") if "\x02" in kv)
            points[m.group(1)] = (fields, int(m.group(2)))
    return points


def kind(fields):
    page = fields.get("page", "")
    return page.split("/")[0].replace("v_", "") if page else fields.get("t", "?")


def cmd_report(a):
    os.makedirs(a.out, exist_ok=True)
    dats = sorted(glob.glob(os.path.join(a.dat_dir, "*.dat")))
    if not dats:
        print(f"coverage: no .dat files in {a.dat_dir}")
        return 1
    merged = os.path.join(a.out, "merged.dat")
    rtl_info = os.path.join(a.out, "rtl.info")
    p = run(["verilator_coverage", "--write", merged] + dats)
    if p.returncode:
        print(p.stdout + p.stderr)
        return 1
    p = run(["verilator_coverage", "--write-info", rtl_info, merged])
    if p.returncode:
        print(p.stdout + p.stderr)
        return 1

    # gcov of the C and C++ (the .gcda files sit beside the coverage build's objects)
    c_info = os.path.join(a.out, "c.info")
    have_c = False
    if shutil.which("lcov"):
        raw = os.path.join(a.out, "c_raw.info")
        p = run(["lcov", "--quiet", "--capture", "--directory", os.path.join(a.build, "o"),
                 "--base-directory", ROOT, "--output-file", raw, "--rc", "lcov_branch_coverage=0"])
        if p.returncode == 0:
            p = run(["lcov", "--quiet", "--extract", raw, f"{ROOT}/cmodel/*", f"{ROOT}/sw/*",
                     f"{ROOT}/tb/*", "--output-file", c_info])
            have_c = p.returncode == 0
        if not have_c:
            print("coverage: lcov capture of the C code failed:\n" + p.stdout + p.stderr)

    # Summary by kind, from the merged points.
    pts = read_dat(merged)
    by_kind = collections.defaultdict(lambda: [0, 0])
    uncovered = collections.defaultdict(list)
    for fields, count in pts.values():
        k = kind(fields)
        by_kind[k][0] += 1
        if count > 0:
            by_kind[k][1] += 1
        else:
            where = f"{fields.get('f', '?')}:{fields.get('l', '?')}"
            uncovered[k].append(f"{where}  {fields.get('h', '')}  {fields.get('o', '')}".rstrip())

    html = os.path.join(a.out, "html")
    infos = [rtl_info] + ([c_info] if have_c else [])
    if shutil.which("genhtml"):
        p = run(["genhtml", "--quiet", "--output-directory", html, "--title",
                 f"rram-cim-tb coverage ({os.path.basename(a.build)})", "--legend"] + infos)
        if p.returncode:
            print("coverage: genhtml failed:\n" + p.stdout + p.stderr)
    else:
        print("coverage: genhtml (Debian package lcov) is not installed; no HTML report")

    lines = [f"coverage of {a.build}: {len(dats)} runs merged"]
    lines.append("  RTL (Verilator)       points   covered")
    for k in ("line", "branch", "toggle", "user"):
        if k not in by_kind:
            continue
        n, c = by_kind[k]
        pct = 100.0 * c / n if n else 0.0
        label = {"user": "user (cover properties)"}.get(k, k)
        lines.append(f"    {label:<22} {n:>6}   {c:>6}  {pct:5.1f} %")
    if have_c:
        p = run(["lcov", "--summary", c_info])
        for m in re.finditer(r"(lines|functions)\.*:\s*([\d.]+)% \((\d+) of (\d+)", p.stdout + p.stderr):
            lines.append(f"  C/C++ gcov {m.group(1):<11} {m.group(4):>6}   {m.group(3):>6}  "
                         f"{float(m.group(2)):5.1f} %  (cmodel/, sw/, tb/)")
    lines.append(f"  HTML: {os.path.join(html, 'index.html')}")
    unc_path = os.path.join(a.out, "uncovered.txt")
    with open(unc_path, "w", encoding="utf-8") as fh:
        for k in sorted(uncovered):
            fh.write(f"# {k}: {len(uncovered[k])} uncovered\n")
            fh.write("\n".join(sorted(uncovered[k])) + "\n")
    user = sorted(uncovered.get("user", []))
    lines.append(f"  uncovered cover properties: {len(user)}"
                 + (" (all hit)" if not user else ""))
    lines += [f"    {u}" for u in user[:60]]
    if len(user) > 60:
        lines.append(f"    ... {len(user) - 60} more")
    lines.append(f"  every uncovered point (line, toggle, user): {unc_path}")
    text = "\n".join(lines)
    with open(os.path.join(a.out, "summary.txt"), "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(text)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["cosim", "report"])
    ap.add_argument("--build", required=True)
    ap.add_argument("--dat-dir", required=True)
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--strict", action="store_true", help="cosim: fail when a test fails")
    farm.add_options(ap)  # cosim --sched slurm and its sbatch options
    a = ap.parse_args()
    if a.cmd == "cosim":
        return cmd_cosim(a)
    if not a.out:
        ap.error("report needs --out")
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())

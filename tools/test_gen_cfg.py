#!/usr/bin/env python3
"""Tests of tools/gen_cfg.py, the configuration generator.

  - a value that is not a canonical decimal (leading zero, sign, space, empty)
    is refused for every parameter: exit 2, a message naming it, no output;
  - one past each limit is refused, with a message naming the limit (the
    INBUF, OUTBUF, ADC_CAL and CODES windows, the design ranges);
  - the edge values themselves are accepted;
  - for random legal configurations (seeded; the seed is printed), the C
    header, the SV package and the JSON carry the same values, and the
    derived ones are what this file computes on its own;
  - an unchanged configuration leaves the files untouched, a changed one
    replaces them, and no temporary file stays behind.

The limits are read here from the generated register package, as the
generator reads them, so a resized window moves both.

Usage: test_gen_cfg.py CIM_REG_PKG.sv   (build/gen/cim_reg_pkg.sv)
Environment: CIM_SEED seeds the random configurations (default: time);
GEN_CFG names another generator to test (default tools/gen_cfg.py).
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.environ.get("GEN_CFG", os.path.join(HERE, "gen_cfg.py"))
NAMES = ("ROWS", "COLS", "W_BITS", "CELL_BITS", "X_BITS", "ADC_BITS", "COLS_PER_ADC", "P_MAX")
SV = {"Rows": "ROWS", "Cols": "COLS", "WBits": "W_BITS", "CellBits": "CELL_BITS",
      "XBits": "X_BITS", "AdcBits": "ADC_BITS", "ColsPerAdc": "COLS_PER_ADC", "PMax": "P_MAX",
      "Slices": "SLICES", "ColsPerOut": "COLS_PER_OUT", "NOut": "N_OUT", "NAdc": "N_ADC",
      "LevelMax": "LEVEL_MAX", "AdcMax": "ADC_MAX", "PFit": "P_FIT"}
DEFAULT = dict(ROWS=256, COLS=256, W_BITS=8, CELL_BITS=2, X_BITS=8, ADC_BITS=8, COLS_PER_ADC=8,
               P_MAX=64)
FAILS = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILS.append(what)


def run(out, regs, **params):
    """Run the generator; (status, stderr). Values may be strings."""
    p = dict(DEFAULT)
    p.update(params)
    args = [sys.executable, GEN, "--regs", regs, out] + [f"{n}={p[n]}" for n in NAMES]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr.strip()


def oracle(p):
    """The derived values, computed here independently of the generator."""
    s = (p["W_BITS"] + p["CELL_BITS"] - 1) // p["CELL_BITS"]
    level, adc = 2 ** p["CELL_BITS"] - 1, 2 ** p["ADC_BITS"] - 1
    return dict(SLICES=s, COLS_PER_OUT=2 * s, N_OUT=p["COLS"] // (2 * s),
                N_ADC=(p["COLS"] + p["COLS_PER_ADC"] - 1) // p["COLS_PER_ADC"],
                LEVEL_MAX=level, ADC_MAX=adc, P_FIT=max(1, min(p["P_MAX"], adc // level)))


def read_outputs(out):
    """(C, SV, JSON) values of a generated folder, each as {C_NAME: int}."""
    with open(os.path.join(out, "cim_cfg.h"), encoding="utf-8") as fh:
        c = {m.group(1): int(m.group(2)) for m in
             re.finditer(r"^#define CIM_CFG_(\w+) (\S+)$", fh.read(), re.M)}
    with open(os.path.join(out, "cim_cfg_pkg.sv"), encoding="utf-8") as fh:
        sv = {SV.get(m.group(1), m.group(1)): int(m.group(2)) for m in
              re.finditer(r"localparam int unsigned (\w+) = (\S+);", fh.read())}
    with open(os.path.join(out, "cim_cfg.json"), encoding="utf-8") as fh:
        js = {k.upper(): v for k, v in json.load(fh).items()}
    return c, sv, js


def test_canonical(tmp, regs):
    for name in NAMES:
        good = str(DEFAULT[name])
        for bad in ("0" + good, "+" + good, "-" + good, " " + good, good + " ", "", good + "x",
                    "0x" + good, "1e1", "\u0661"):  # Arabic-Indic 1: str.isdigit() says yes
            out = os.path.join(tmp, "canon")
            rc, err = run(out, regs, **{name: bad})
            check(rc == 2 and f"{name}=" in err and "canonical decimal" in err
                  and not os.path.exists(os.path.join(out, "cim_cfg.h")),
                  f"{name}={bad!r} refused, exit 2, message names it: {rc} {err!r}")


def test_limits(tmp, regs_path):
    with open(regs_path, encoding="utf-8") as fh:
        regs = {m.group(1): int(m.group(2)) for m in
                re.finditer(r"localparam int unsigned (\w+) = (\d+);", fh.read())}
    inbuf, outbuf = regs["INBUF_WORDS"], regs["OUTBUF_WORDS"]
    cal, codes = regs["ADC_CAL_WORDS"], regs["CODES_WORDS"]
    rows_max = min(4 * inbuf, 2 ** regs["PARAM_ARRAY_ROWS_WIDTH"] - 1)
    # 1-slice weights (W_BITS 2, CELL_BITS 2): 2 columns per output
    one = dict(W_BITS=2, CELL_BITS=2)
    cases = [  # (expect accepted, parameters, words the refusal must name)
        (True, dict(ROWS=rows_max, P_MAX=rows_max), ()),
        (False, dict(ROWS=rows_max + 1, P_MAX=1), ("ROWS", "INBUF")),
        (True, dict(ROWS=1, P_MAX=1), ()),
        (False, dict(ROWS=0, P_MAX=1), ("ROWS",)),
        (True, dict(COLS=codes, COLS_PER_ADC=-(-codes // cal)), ()),
        (False, dict(COLS=codes + 1, COLS_PER_ADC=-(-(codes + 1) // cal)), ("COLS", "CODES")),
        (True, dict(COLS=2 * outbuf + 1, COLS_PER_ADC=8, **one), ()),
        (False, dict(COLS=2 * outbuf + 2, COLS_PER_ADC=8, **one), ("COLS", "OUTBUF", "N_OUT")),
        (True, dict(COLS=cal, COLS_PER_ADC=1), ()),
        (False, dict(COLS=cal + 1, COLS_PER_ADC=1), ("COLS_PER_ADC", "ADC_CAL", "N_ADC")),
        (True, dict(COLS=codes, COLS_PER_ADC=codes // cal), ()),
        (False, dict(COLS=codes, COLS_PER_ADC=codes // cal - 1), ("COLS_PER_ADC", "ADC_CAL")),
        (True, dict(COLS=8, COLS_PER_ADC=8), ()),  # 2 * 4 slices: one output
        (False, dict(COLS=7, COLS_PER_ADC=7), ("COLS", "below 8")),
        (False, dict(COLS_PER_ADC=257), ("COLS_PER_ADC",)),
        (False, dict(COLS_PER_ADC=0), ("COLS_PER_ADC",)),
        (False, dict(P_MAX=257), ("P_MAX",)),
        (False, dict(P_MAX=0), ("P_MAX",)),
        (True, dict(W_BITS=2, CELL_BITS=1), ()),
        (False, dict(W_BITS=1), ("W_BITS",)),
        (False, dict(W_BITS=9), ("W_BITS",)),
        (True, dict(CELL_BITS=4), ()),
        (False, dict(CELL_BITS=5), ("CELL_BITS",)),
        (False, dict(CELL_BITS=0), ("CELL_BITS",)),
        (True, dict(X_BITS=1), ()),
        (False, dict(X_BITS=9), ("X_BITS", "INBUF")),
        (False, dict(X_BITS=0), ("X_BITS",)),
        (True, dict(ADC_BITS=16), ()),
        (True, dict(ADC_BITS=1), ()),
        (False, dict(ADC_BITS=17), ("ADC_BITS",)),
        (False, dict(ADC_BITS=0), ("ADC_BITS",)),
    ]
    for i, (ok, params, words) in enumerate(cases):
        out = os.path.join(tmp, f"lim{i}")
        rc, err = run(out, regs_path, **params)
        made = os.path.exists(os.path.join(out, "cim_cfg.json"))
        if ok:
            check(rc == 0 and made, f"accepted: {params} ({rc} {err!r})")
        else:
            check(rc == 2 and not made and all(w in err for w in words),
                  f"refused naming {', '.join(words)}: {params} ({rc} {err!r})")


def random_config(r):
    w = r.randint(2, 8)
    c = r.randint(1, 4)
    s = -(-w // c)
    rows = r.choice([1, 2, 3, r.randint(1, 4096), 4096])
    cols = r.randint(2 * s, min(4096, 2 * s * 1025 - 1))
    per = r.randint(-(-cols // 1024), cols)
    return dict(ROWS=rows, COLS=cols, W_BITS=w, CELL_BITS=c, X_BITS=r.randint(1, 8),
                ADC_BITS=r.randint(1, 16), COLS_PER_ADC=per, P_MAX=r.randint(1, rows))


def test_agree(tmp, regs, seed, n=25):
    r = random.Random(seed)
    for i in range(n):
        p = random_config(r)
        out = os.path.join(tmp, f"rand{i}")
        rc, err = run(out, regs, **p)
        if rc != 0:
            check(False, f"legal configuration {p} refused: {err}")
            continue
        c, sv, js = read_outputs(out)
        want = dict(p)
        want.update(oracle(p))
        check(c == sv == js == want,
              f"C, SV and JSON agree with the oracle for {p}" +
              ("" if c == sv == js == want else f"\n  C  {c}\n  SV {sv}\n  JS {js}\n  want {want}"))


def test_replace(tmp, regs):
    out = os.path.join(tmp, "replace")
    files = ("cim_cfg.h", "cim_cfg_pkg.sv", "cim_cfg.json")
    run(out, regs)
    before = {f: os.stat(os.path.join(out, f)).st_mtime_ns for f in files}
    time.sleep(0.05)
    run(out, regs)
    same = {f: os.stat(os.path.join(out, f)).st_mtime_ns for f in files}
    check(same == before, "an unchanged configuration leaves the files untouched")
    rc, _ = run(out, regs, ROWS=100, P_MAX=16)
    c, sv, js = read_outputs(out)
    check(rc == 0 and c["ROWS"] == sv["ROWS"] == js["ROWS"] == 100,
          "a changed configuration replaces all three files")
    rc, _ = run(out, regs, ROWS="0100", P_MAX=16)
    c, _, _ = read_outputs(out)
    check(rc == 2 and c["ROWS"] == 100, "a refused configuration leaves the files as they were")
    check(sorted(os.listdir(out)) == sorted(files), f"no temporary file left: {os.listdir(out)}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_gen_cfg.py CIM_REG_PKG.sv")
    regs = os.path.abspath(sys.argv[1])
    if not os.path.exists(regs):
        sys.exit(f"test_gen_cfg: {regs} missing: make regs first")
    seed = int(os.environ.get("CIM_SEED") or time.time_ns() % 1000000)
    print(f"test_gen_cfg: seed {seed} (rerun with CIM_SEED={seed}), generator {GEN}")
    with tempfile.TemporaryDirectory(prefix="test_gen_cfg.") as tmp:
        test_canonical(tmp, regs)
        test_limits(tmp, regs)
        test_agree(tmp, regs, seed)
        test_replace(tmp, regs)
    if FAILS:
        print(f"test_gen_cfg: {len(FAILS)} FAILED (seed {seed})")
        return 1
    print("test_gen_cfg: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

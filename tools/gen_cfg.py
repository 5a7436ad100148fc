#!/usr/bin/env python3
"""Write the build configuration: the make variables, checked, and every value
derived from them, computed here once.

  OUTDIR/cim_cfg_pkg.sv  package cim_cfg_pkg (Rows, ..., Slices, NOut, PFit)
  OUTDIR/cim_cfg.h       CIM_CFG_ROWS, ..., CIM_CFG_SLICES, CIM_CFG_P_FIT
  OUTDIR/cim_cfg.json    {"rows": ..., "p_fit": ...} for the Python tools
                         (tools/cimcfg.py reads it)

Each value must be a canonical decimal (digits only, no sign, no leading
zero) inside its range. The ranges the register map sets (window sizes and
field widths) are read from the package tools/rdl_gen.py generates from
rtl/cim_regs.rdl, so they cannot drift from the RTL and the driver. A file is
replaced only when its text changes (nothing rebuilds needlessly), through a
temporary file and a rename (never a partial file).

Usage: gen_cfg.py --regs build/gen/cim_reg_pkg.sv OUTDIR ROWS=256 COLS=256 W_BITS=8
         CELL_BITS=2 X_BITS=8 ADC_BITS=8 COLS_PER_ADC=8 P_MAX=64
Exit status 2 on any refused value, with a message that names it.
"""
import json
import os
import re
import sys
import tempfile

NAMES = ("ROWS", "COLS", "W_BITS", "CELL_BITS", "X_BITS", "ADC_BITS", "COLS_PER_ADC", "P_MAX")
# SV names of the build parameters (cim_cfg_pkg, lowRISC CamelCase).
SV_NAMES = {"ROWS": "Rows", "COLS": "Cols", "W_BITS": "WBits", "CELL_BITS": "CellBits",
            "X_BITS": "XBits", "ADC_BITS": "AdcBits", "COLS_PER_ADC": "ColsPerAdc",
            "P_MAX": "PMax"}
# Derived values: C suffix, SV name, comment.
DERIVED = (
    ("SLICES", "Slices", "weight slices: ceil(W_BITS / CELL_BITS)"),
    ("COLS_PER_OUT", "ColsPerOut", "physical columns per logical output: a G+/G- pair per slice"),
    ("N_OUT", "NOut", "logical outputs: floor(COLS / COLS_PER_OUT); columns past them unused"),
    ("N_ADC", "NAdc", "ADCs: ceil(COLS / COLS_PER_ADC); the last may have fewer columns"),
    ("LEVEL_MAX", "LevelMax", "largest cell level: 2^CELL_BITS - 1"),
    ("ADC_MAX", "AdcMax", "largest ADC code: 2^ADC_BITS - 1"),
    ("P_FIT", "PFit", "largest row group whose ideal column sum fits the ADC: "
                      "min(P_MAX, floor(ADC_MAX / LEVEL_MAX)), at least 1"),
)
# Inputs per INBUF word: 32-bit words, one byte per input (rtl/cim_regs.rdl,
# INBUF), which also caps X_BITS at 8.
INPUTS_PER_WORD = 4
INPUT_BITS = 8
# Register-map facts the ranges need, from the generated package.
REG_NAMES = ("INBUF_WORDS", "OUTBUF_WORDS", "ADC_CAL_WORDS", "CODES_WORDS",
             "PARAM_ARRAY_ROWS_WIDTH", "PARAM_ARRAY_COLS_WIDTH", "PARAM_BITS_W_BITS_WIDTH",
             "PARAM_BITS_CELL_BITS_WIDTH", "PARAM_BITS_X_BITS_WIDTH", "PARAM_BITS_ADC_BITS_WIDTH",
             "PARAM_ADC_COLS_PER_ADC_WIDTH", "PARAM_ADC_P_MAX_WIDTH", "PARAM_OUT_N_OUT_WIDTH",
             "SHAPE_N_ROWS_WIDTH", "SHAPE_N_OUTS_WIDTH", "INPUT_X_BITS_WIDTH",
             "INPUT_GROUP_ROWS_WIDTH")
CANONICAL = re.compile(r"(0|[1-9][0-9]*)\Z")
USAGE = ("usage: gen_cfg.py --regs CIM_REG_PKG.sv OUTDIR " +
         " ".join(f"{n}=N" for n in NAMES))


class Refused(Exception):
    """A value or an argument gen_cfg refuses; the text says which and why."""


def read_regs(path):
    """The localparams REG_NAMES of the generated register package."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise Refused(f"{path}: {e.strerror} (generate it first: make regs)")
    found = dict((m.group(1), int(m.group(2))) for m in
                 re.finditer(r"localparam int unsigned (\w+) = (\d+);", text))
    missing = [n for n in REG_NAMES if n not in found]
    if missing:
        raise Refused(f"{path}: no {', '.join(missing)}; is it tools/rdl_gen.py's output?")
    return found


def parse_args(argv):
    """(regs path, outdir, {NAME: text}) from the command line."""
    if len(argv) < 3 or argv[0] != "--regs":
        raise Refused(USAGE)
    regs, out, vals = argv[1], argv[2], {}
    for a in argv[3:]:
        name, eq, text = a.partition("=")
        if not eq or name not in NAMES:
            raise Refused(f"'{a}' is not NAME=VALUE with NAME one of {' '.join(NAMES)}")
        if name in vals:
            raise Refused(f"{name} is given twice")
        vals[name] = text
    missing = [n for n in NAMES if n not in vals]
    if missing:
        raise Refused(f"missing {' '.join(missing)}; {USAGE}")
    return regs, out, vals


def check(vals, regs, regs_path):
    """The parameters as integers; Refused names the first bad one."""
    src = f"in {regs_path}, from rtl/cim_regs.rdl"
    p = {}
    for n in NAMES:  # all canonical first: a bad text never reaches a range
        if not CANONICAL.match(vals[n]):
            raise Refused(f"{n}={vals[n]!r} is not a canonical decimal number "
                          "(digits only, no sign, no spaces, no leading zero)")
        p[n] = int(vals[n])

    def field(reg, fld):  # the largest value a register field holds
        w = regs[f"{reg}_{fld}_WIDTH"]
        return ((1 << w) - 1, f"the largest value of the {w}-bit field {reg}.{fld} "
                              f"({reg}_{fld}_WIDTH {src})")

    def within(name, lo, his, value=None, what=None):
        """value (default the parameter) >= lo[0] and <= every his[i][0]."""
        v = p[name] if value is None else value
        label = f"{name}={p[name]} is" if what is None else f"{name}={p[name]} gives {what} = {v},"
        if v < lo[0]:
            raise Refused(f"{label} below {lo[0]}: {lo[1]}")
        for hi, why in his:
            if v > hi:
                raise Refused(f"{label} above {hi}: {why}")

    design = "the range the project supports (README, Configurations)"
    within("W_BITS", (2, design), [(8, design), field("PARAM_BITS", "W_BITS")])
    within("CELL_BITS", (1, design), [(4, design), field("PARAM_BITS", "CELL_BITS")])
    s = -(-p["W_BITS"] // p["CELL_BITS"])
    within("X_BITS", (1, "an input has at least one bit"),
           [(INPUT_BITS, f"INBUF holds one {INPUT_BITS}-bit byte per input (rtl/cim_regs.rdl)"),
            field("INPUT", "X_BITS"), field("PARAM_BITS", "X_BITS")])
    within("ADC_BITS", (1, design), [(16, design), field("PARAM_BITS", "ADC_BITS")])
    inbuf = regs["INBUF_WORDS"]
    within("ROWS", (1, "the array has at least one row"),
           [(inbuf * INPUTS_PER_WORD,
             f"the INBUF window holds {inbuf} words of {INPUTS_PER_WORD} inputs "
             f"(INBUF_WORDS {src})"),
            field("PARAM_ARRAY", "ROWS"), field("SHAPE", "N_ROWS")])
    codes = regs["CODES_WORDS"]
    within("COLS", (2 * s, f"one output needs 2 * ceil(W_BITS / CELL_BITS) = {2 * s} columns"),
           [(codes, f"the CODES window holds {codes} words, one per physical column "
                    f"(CODES_WORDS {src})"),
            field("PARAM_ARRAY", "COLS")])
    outbuf = regs["OUTBUF_WORDS"]
    within("COLS", (1, ""),
           [(outbuf, f"the OUTBUF window holds {outbuf} words, one per output "
                     f"(OUTBUF_WORDS {src})"),
            field("PARAM_OUT", "N_OUT"), field("SHAPE", "N_OUTS")],
           value=p["COLS"] // (2 * s), what=f"N_OUT = floor(COLS / (2 * {s} slices))")
    within("COLS_PER_ADC", (1, "an ADC serves at least one column"),
           [(p["COLS"], f"COLS={p['COLS']}: an ADC beyond the last column"),
            field("PARAM_ADC", "COLS_PER_ADC")])
    cal = regs["ADC_CAL_WORDS"]
    within("COLS_PER_ADC", (1, ""),
           [(cal, f"the ADC_CAL window holds {cal} words, one per ADC (ADC_CAL_WORDS {src})")],
           value=-(-p["COLS"] // p["COLS_PER_ADC"]),
           what=f"(with COLS={p['COLS']}) N_ADC = ceil(COLS / COLS_PER_ADC)")
    within("P_MAX", (1, "a row group has at least one row"),
           [(p["ROWS"], f"ROWS={p['ROWS']}: a group larger than the array"),
            field("PARAM_ADC", "P_MAX"), field("INPUT", "GROUP_ROWS")])
    return p


def derive(p):
    """Every derived value, by its C suffix; the one place they are computed."""
    d = {"SLICES": -(-p["W_BITS"] // p["CELL_BITS"])}
    d["COLS_PER_OUT"] = 2 * d["SLICES"]
    d["N_OUT"] = p["COLS"] // d["COLS_PER_OUT"]
    d["N_ADC"] = -(-p["COLS"] // p["COLS_PER_ADC"])
    d["LEVEL_MAX"] = (1 << p["CELL_BITS"]) - 1
    d["ADC_MAX"] = (1 << p["ADC_BITS"]) - 1
    d["P_FIT"] = max(1, min(p["P_MAX"], d["ADC_MAX"] // d["LEVEL_MAX"]))
    return d


def render(p, d):
    """{file name: text} of the three outputs."""
    gen = "Generated by tools/gen_cfg.py from the make variables; do not edit."
    sv = [f"// {gen}", "package cim_cfg_pkg;", "", "  // Build parameters (make variables)."]
    sv += [f"  localparam int unsigned {SV_NAMES[n]} = {p[n]};" for n in NAMES]
    sv += ["", "  // Derived from them by tools/gen_cfg.py, the one place they are computed."]
    for n, svn, why in DERIVED:
        sv += [f"  // {why}", f"  localparam int unsigned {svn} = {d[n]};"]
    sv += ["", "endpackage"]
    c = [f"/* {gen} */", "#ifndef CIM_CFG_H", "#define CIM_CFG_H", "",
         "/* Build parameters (make variables). */"]
    c += [f"#define CIM_CFG_{n} {p[n]}" for n in NAMES]
    c += ["", "/* Derived from them by tools/gen_cfg.py, the one place they are computed. */"]
    for n, _, why in DERIVED:
        c += [f"/* {why} */", f"#define CIM_CFG_{n} {d[n]}"]
    c += ["", "#endif"]
    js = dict((n.lower(), p[n]) for n in NAMES)
    js.update((n.lower(), d[n]) for n, _, _ in DERIVED)
    return {"cim_cfg_pkg.sv": "\n".join(sv) + "\n", "cim_cfg.h": "\n".join(c) + "\n",
            "cim_cfg.json": json.dumps(js, indent=2) + "\n"}


def write_if_changed(path, text):
    """Replace path by text through a temporary file in the same folder, only
    if the text differs: an unchanged file keeps its time stamp."""
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read() == text:
                return
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp",
                               dir=os.path.dirname(path) or ".")
    try:
        mask = os.umask(0)  # mkstemp's 0600 would hide the file from others
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    try:
        regs_path, out, vals = parse_args(argv)
        p = check(vals, read_regs(regs_path), regs_path)
    except Refused as e:
        sys.stderr.write(f"gen_cfg: {e}\n")
        return 2
    files = render(p, derive(p))
    try:
        os.makedirs(out, exist_ok=True)
        for name, text in files.items():
            write_if_changed(os.path.join(out, name), text)
    except OSError as e:
        sys.stderr.write(f"gen_cfg: {e.filename}: {e.strerror}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

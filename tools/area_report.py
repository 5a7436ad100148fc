#!/usr/bin/env python3
"""Area table of the digital periphery from Yosys statistics (mk/area.mk).

For each synthesized top NAME, DIR holds
  NAME.json     `stat -json` after `synth -flatten`: Yosys's generic cells
  NAME.lib.txt  `stat -liberty LIB` after dfflibmap + abc onto the library
and this writes, each file whole (a temporary file, then a rename):
  DIR/area.csv  one row per top: cells by type, flip-flop bits, NAND2-eq, um^2
  DIR/area.md   the same as a Markdown table, with the weights used

NAND2-equivalent gates weigh each generic cell by the area of the cell of the
library that implements it, divided by the library's NAND2 (WEIGHTS below,
from qflow's OSU 0.18 um cells: NAND2X1 24 um^2). A generic cell that the
library lacks takes the cell its function needs: ANDNOT/ORNOT an AND2/OR2-size
cell, NMUX a MUX2 plus an inverter, a flip-flop with an enable a flip-flop
plus a MUX2, one with an asynchronous reset or set the library's DFFSR.
Cells that are not Yosys's own ($_..._) are the blackboxes (the analog macro
models) and are listed, not counted. With --glue TOP, TOP was synthesized with
its blocks as blackboxes: its row is the logic of its own, and a last row
adds every block to it for the whole periphery.

Usage: area_report.py --dir DIR --config NAME --yosys-version TEXT
                      [--lib-name TEXT] [--glue TOP] TOP...
"""
import argparse
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomicio import write_atomic  # noqa: E402

# OSU 0.18 um cell areas (osu018_stdcells.lib), um^2.
NAND2_UM2 = 24.0
LIB_AREA = {"INV": 16.0, "NAND2": 24.0, "NOR2": 24.0, "AND2": 32.0, "OR2": 32.0,
            "XOR2": 56.0, "XNOR2": 56.0, "MUX2": 48.0, "AOI21": 32.0, "OAI21": 23.0,
            "AOI22": 40.0, "OAI22": 40.0, "DFF": 96.0, "DFFSR": 176.0}
# Generic cell -> library cells that implement it.
GATE_CELLS = {
    "$_BUF_": [], "$_NOT_": ["INV"], "$_NAND_": ["NAND2"], "$_NOR_": ["NOR2"],
    "$_AND_": ["AND2"], "$_OR_": ["OR2"], "$_ANDNOT_": ["AND2"], "$_ORNOT_": ["OR2"],
    "$_XOR_": ["XOR2"], "$_XNOR_": ["XNOR2"], "$_MUX_": ["MUX2"], "$_NMUX_": ["MUX2", "INV"],
    "$_AOI3_": ["AOI21"], "$_OAI3_": ["OAI21"], "$_AOI4_": ["AOI22"], "$_OAI4_": ["OAI22"],
}
FF_RE = re.compile(r"^\$_(S?DFFC?E?|DFFSRE?|ALDFFE?|DLATCH|SDFFC?E?)_([NP01]+)_$")


def cell_weight(cell):
    """NAND2-equivalent weight of one generic Yosys cell."""
    if cell in GATE_CELLS:
        return sum(LIB_AREA[c] for c in GATE_CELLS[cell]) / NAND2_UM2
    m = FF_RE.match(cell)
    if not m:
        raise ValueError(f"no weight for cell type {cell}")
    kind, pol = m.groups()
    if kind == "DLATCH":
        raise ValueError(f"latch {cell}: the RTL should have none")
    # $_DFF_P_: clock only; $_DFF_PN0_: plus an async reset; $_DFFE_PN0P_: plus an
    # enable; $_SDFF*: a sync reset (a gate in front of the D input).
    asynch = kind.startswith(("DFFSR", "ALDFF")) or (kind.startswith("DFF") and len(pol) >= 3)
    w = LIB_AREA["DFFSR" if asynch else "DFF"]
    if "E" in kind:
        w += LIB_AREA["MUX2"]
    if kind.startswith("SDFF"):
        w += LIB_AREA["AND2"]
    return w / NAND2_UM2


def is_ff(cell):
    return bool(FF_RE.match(cell))


def read_top(d, top):
    """{cells: {type: n}, blackboxes: {type: n}, ff_bits, nand2_eq, um2} of one top."""
    with open(os.path.join(d, f"{top}.json"), encoding="utf-8") as fh:
        stat = json.load(fh)
    mods = stat["modules"]
    key = "\\" + top
    if key not in mods:
        raise ValueError(f"{top}.json: no module {top}")
    by_type = mods[key]["num_cells_by_type"]
    cells = {t: n for t, n in by_type.items() if t.startswith("$_")}
    boxes = {t.lstrip("\\"): n for t, n in by_type.items() if not t.startswith("$_")}
    with open(os.path.join(d, f"{top}.lib.txt"), encoding="utf-8") as fh:
        text = fh.read()
    m = re.search(r"Chip area for module '\\?" + re.escape(top) + r"': ([0-9.]+)", text)
    if not m:
        raise ValueError(f"{top}.lib.txt: no chip area")
    return {"cells": cells, "blackboxes": boxes,
            "ff_bits": sum(n for t, n in cells.items() if is_ff(t)),
            "nand2_eq": sum(n * cell_weight(t) for t, n in cells.items()),
            "um2": float(m.group(1))}


def add_total(rows, glue):
    """Rows with the glue top renamed '<glue> glue' and a '<glue> total' row
    last: every block plus the glue, the blackboxes that are no block."""
    out = {}
    for top, r in rows.items():
        if top == glue:  # its blocks are rows of their own
            r = dict(r, blackboxes={b: n for b, n in r["blackboxes"].items() if b not in rows})
        out[f"{glue} glue" if top == glue else top] = r
    cells = {}
    for r in rows.values():
        for t, n in r["cells"].items():
            cells[t] = cells.get(t, 0) + n
    boxes = {b: n for b, n in rows[glue]["blackboxes"].items() if b not in rows}
    out[f"{glue} total"] = {
        "cells": cells, "blackboxes": boxes,
        "ff_bits": sum(r["ff_bits"] for r in rows.values()),
        "nand2_eq": sum(r["nand2_eq"] for r in rows.values()),
        "um2": sum(r["um2"] for r in rows.values())}
    return out


def group(cell):
    """Column of a cell type in the table: the gate family."""
    if is_ff(cell):
        return "ff"
    return {"$_NOT_": "not", "$_BUF_": "not", "$_MUX_": "mux", "$_NMUX_": "mux",
            "$_XOR_": "xor", "$_XNOR_": "xor"}.get(cell, "and_or")


def render(rows, args):
    """(csv text, markdown text)."""
    types = sorted({t for r in rows.values() for t in r["cells"]})
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["block", "cells", "ff_bits", "nand2_eq", "um2_" + args.lib_tag]
               + [t.strip("$_").lower() for t in types] + ["blackboxes"])
    for top, r in rows.items():
        w.writerow([top, sum(r["cells"].values()), r["ff_bits"], f"{r['nand2_eq']:.0f}",
                    f"{r['um2']:.0f}"] + [r["cells"].get(t, 0) for t in types]
                   + [" ".join(f"{b}x{n}" for b, n in sorted(r["blackboxes"].items()))])
    md = [f"# Area of the digital periphery ({args.config})", "",
          f"{args.yosys_version}: `synth -flatten` per block to Yosys's generic gates; "
          f"um^2 after `dfflibmap` + `abc -liberty` onto {args.lib_name}.", "",
          "| block | cells | flip-flop bits | NAND2-eq gates | um^2 | AND/OR-type | MUX | "
          "XOR/XNOR | NOT | blackboxes |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for top, r in rows.items():
        g = {"ff": 0, "not": 0, "mux": 0, "xor": 0, "and_or": 0}
        for t, n in r["cells"].items():
            g[group(t)] += n
        boxes = ", ".join(sorted(r["blackboxes"])) or "-"
        md.append(f"| {top} | {sum(r['cells'].values())} | {r['ff_bits']} | "
                  f"{r['nand2_eq']:.0f} | {r['um2']:.0f} | {g['and_or']} | {g['mux']} | "
                  f"{g['xor']} | {g['not']} | {boxes} |")
    md += ["", "NAND2-eq weights (library cell area / NAND2X1 24 um^2):", ""]
    for t in types:
        md.append(f"- `{t}`: {cell_weight(t):.2f}")
    md.append("")
    return out.getvalue(), "\n".join(md)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--yosys-version", required=True)
    ap.add_argument("--lib-name", default="qflow's OSU 0.18 um standard cells (osu018)")
    ap.add_argument("--lib-tag", default="osu018")
    ap.add_argument("--glue", help="the top synthesized with its blocks as blackboxes: "
                                    "its row is its own logic, and a total row follows")
    ap.add_argument("tops", nargs="+")
    args = ap.parse_args(argv)
    try:
        rows = {t: read_top(args.dir, t) for t in args.tops}
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write(f"area_report: {e}\n")
        return 1
    if args.glue in rows:
        rows = add_total(rows, args.glue)
    csv_text, md_text = render(rows, args)
    write_atomic(os.path.join(args.dir, "area.csv"), lambda f: f.write(csv_text))
    write_atomic(os.path.join(args.dir, "area.md"), lambda f: f.write(md_text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Lower the elaborated RTL to the plain Verilog that Debian's Yosys 0.23 reads.

Yosys 0.23's SystemVerilog front end has no `import` (neither in a package
nor in a module header), no reference from one package to another, no
packed arrays of more than one dimension (a packed array of a typedef reads
silently too narrow), no unpacked-array ports, no `return` and no assignment
patterns. The RTL uses all of them, as lowRISC style asks. Instead of a
second copy of the RTL in the subset, this tool lets slang (pyslang)
elaborate the RTL as written, exactly as Verilator reads it, and writes out
what slang resolved:

  - every value is one flat bit vector: packed structs, packed and unpacked
    arrays become [W-1:0] with element i at bits i*EW (struct fields at
    their packed offsets); selects become constant or `+:` part selects;
  - parameters, enum values and package constants become sized literals;
  - generate loops are unrolled, their signals renamed <block>_<i>__<name>;
  - every implicit or explicit conversion slang inserted (widening,
    truncation, sign change) becomes a size cast of the operand wrapped in a
    concatenation, N'({x}) or N'($signed({x})): the concatenation makes x
    self-determined, so Yosys evaluates each operation at the width slang
    gave it, whatever the Verilog context rules would do;
  - functions keep their shape: arguments and locals are vectors, the final
    `return` becomes an assignment to the function name.

Modules named with --blackbox are written as empty (* blackbox *) modules
with their ports (the DPI-facing behavioural models of the analog macros);
their contents are never lowered. Constructs outside what the RTL uses stop
the tool with the source location, never a silent guess.

Usage: sv_lower.py --top cim_macro [--blackbox NAME]... [--omit-blackboxes]
                   [--suffix S] --out FILE.v [-D NAME]... SV_FILES...
"""
import argparse
import os
import sys

import pyslang as ps
from pyslang import ast, driver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomicio import write_atomic  # noqa: E402

SK = ast.SymbolKind
EK = ast.ExpressionKind
STK = ast.StatementKind

BINARY_OPS = {
    "Add": "+", "Subtract": "-", "Multiply": "*", "Divide": "/", "Mod": "%",
    "BinaryAnd": "&", "BinaryOr": "|", "BinaryXor": "^", "BinaryXnor": "~^",
    "Equality": "==", "Inequality": "!=", "CaseEquality": "===", "CaseInequality": "!==",
    "GreaterThanEqual": ">=", "GreaterThan": ">", "LessThanEqual": "<=", "LessThan": "<",
    "LogicalAnd": "&&", "LogicalOr": "||",
    "LogicalShiftLeft": "<<", "LogicalShiftRight": ">>",
    "ArithmeticShiftLeft": "<<<", "ArithmeticShiftRight": ">>>",
}
UNARY_OPS = {
    "Plus": "+", "Minus": "-", "BitwiseNot": "~", "BitwiseAnd": "&", "BitwiseOr": "|",
    "BitwiseXor": "^", "BitwiseNand": "~&", "BitwiseNor": "~|", "BitwiseXnor": "~^",
    "LogicalNot": "!",
}
# Comparisons and logical operators give one unsigned bit whatever the
# operands; the others give the type of their operands.
ONE_BIT_OPS = {"==", "!=", "===", "!==", ">=", ">", "<=", "<", "&&", "||"}


class Unsupported(Exception):
    """A construct the lowering does not handle; the text says what and where."""


# The source manager of the run, for the file and line of a message.
SOURCES = None


def where(node):
    """'file:line' of an AST node or symbol, for messages."""
    try:
        loc = node.sourceRange.start if hasattr(node, "sourceRange") else node.location
        return f"{SOURCES.getFileName(loc)}:{SOURCES.getLineNumber(loc)}"
    except Exception:  # noqa: BLE001 - a message helper never fails the tool
        return "?"


def enum_name(value):
    """'Add' from BinaryOperator.Add."""
    return str(value).rsplit(".", 1)[-1]


def int_of(cv, width):
    """The bit pattern (a non-negative int below 2^width) of a ConstantValue or SVInt."""
    sv = cv.value if isinstance(cv, ps.ConstantValue) else cv
    if not isinstance(sv, ps.SVInt):
        raise Unsupported(f"constant {cv!r} is not an integer")
    if sv.hasUnknown:
        raise Unsupported(f"constant {sv} has X or Z bits")
    v = int(sv.toString(ps.LiteralBase.Decimal, False))
    return v % (1 << width)


def literal(value, width, signed):
    """A sized Verilog literal."""
    return f"{width}'{'s' if signed else ''}h{value:x}"


def vec(width, signed=False):
    """A declaration range: 'signed [W-1:0]'."""
    return f"{'signed ' if signed else ''}[{width - 1}:0]"


def width_of(t):
    """Bits of a type, flattened (unpacked arrays included)."""
    t = t.canonicalType
    if t.isUnpackedArray:
        if t.kind != SK.FixedSizeUnpackedArrayType:
            raise Unsupported(f"type {t} is not a fixed-size array")
        return width_of(t.elementType) * t.range.width
    if not t.isIntegral:
        raise Unsupported(f"type {t} is not integral")
    return t.bitWidth


def signed_of(t):
    """Whether a flattened value of type t is signed (arrays never are)."""
    t = t.canonicalType
    return bool(t.isIntegral and not t.isUnpackedArray and t.isSigned)


def bounded(rel, count):
    """A 32-bit element number rel of an array of count elements, cut to the
    bits that count needs. An index past the array reads X in SystemVerilog,
    so any value will do; without the cut Yosys builds each run-time read as
    a multiplexer over the whole flat vector (every element of every array
    it sits in) instead of over the array's own elements."""
    bits = max(1, (count - 1).bit_length())
    if bits >= 32:
        return f"({rel})"
    return f"32'({bits}'({{{rel}}}))"


def array_layout(t):
    """(element type, lowest index, element bits, ascending) of an array type.
    Element i sits at bits (i - lo) * ew of the flat vector for unpacked
    arrays and descending packed ones; at (hi - i) * ew for ascending packed
    ones (their left element is the most significant)."""
    t = t.canonicalType
    r = t.range
    lo, hi = min(r.left, r.right), max(r.left, r.right)
    ew = width_of(t.elementType)
    if t.isUnpackedArray:
        return t.elementType, lo, hi, ew, False
    return t.elementType, lo, hi, ew, r.left < r.right


class ModuleWriter:
    """Writes one instance body as a Verilog module."""

    def __init__(self, lowerer, body, name):
        self.low = lowerer
        self.body = body
        self.name = name
        self.names = {}      # symbol -> Verilog name
        self.decls = []      # module-level declarations
        self.items = []      # assigns, always blocks, instances
        self.functions = []  # function texts
        self.func_done = {}  # subroutine symbol -> Verilog name
        self.used = set()
        self.fn_scope = None  # while writing a function: its locals list
        self.loop_vars = set()  # variables of for loops (Yosys unrolls them)

    # ------------------------------------------------------------ names
    def fresh(self, base):
        name = base
        n = 1
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self.used.add(name)
        return name

    def declare(self, sym, prefix=""):
        """Module-level (or function-local) declaration of a value symbol."""
        if sym in self.names:  # a for loop's variable: declared by its block too
            return self.names[sym]
        name = self.fresh(prefix + sym.name)
        self.names[sym] = name
        text = f"logic {vec(width_of(sym.type), signed_of(sym.type))} {name};"
        if self.fn_scope is not None:
            self.fn_scope.append(f"reg {vec(width_of(sym.type), signed_of(sym.type))} {name};")
        else:
            self.decls.append(text)
        return name

    def ref(self, sym, node):
        if sym in self.names:
            return self.names[sym]
        raise Unsupported(f"{where(node)}: '{sym.name}' is not a value of this module "
                          f"({sym.kind})")

    # ------------------------------------------------------------ helpers
    def convert(self, text, fw, fs, tw, ts):
        """text (width fw, signed fs) as width tw, signed ts: a size cast of
        the operand isolated in a concatenation (so that it is evaluated at
        its own width), sign-extended when fs, then the sign of the target."""
        if fw == tw:
            if fs == ts:
                return text
            return f"$signed({text})" if ts else f"$unsigned({text})"
        if fs and tw > fw:
            out = f"{tw}'($signed({{{text}}}))"
            return out if ts else f"$unsigned({out})"
        out = f"{tw}'({{{text}}})"
        return f"$signed({out})" if ts else out

    def slice_of(self, text, fw, off, w):
        """w bits at offset off (text: a 32-bit expression) of an expression."""
        return f"{w}'({{{text}}} >> ({off}))"

    # ------------------------------------------------------------ expressions
    def const_of(self, e):
        """The folded value of e, or None."""
        c = e.constant
        if c is not None and isinstance(c.value, ps.SVInt):
            return c.value
        if e.kind == EK.NamedValue:
            s = e.symbol
            if s.kind in (SK.Parameter, SK.EnumValue) and isinstance(s.value.value, ps.SVInt):
                return s.value.value
        if e.kind == EK.IntegerLiteral:
            return e.value
        if e.kind == EK.UnbasedUnsizedIntegerLiteral:
            bit = str(e.literalValue)
            if bit not in ("0", "1"):
                raise Unsupported(f"{where(e)}: literal '{bit}")
            w = width_of(e.type)
            return ps.SVInt(w, (1 << w) - 1 if bit == "1" else 0, False)
        return None

    def index32(self, sel):
        """A selector as a 32-bit unsigned Verilog expression."""
        c = self.const_of(sel)
        if c is not None:
            return None, int(c.toString(ps.LiteralBase.Decimal, False))
        w, s = width_of(sel.type), signed_of(sel.type)
        text = self.expr(sel)
        if w > 32:
            raise Unsupported(f"{where(sel)}: a selector wider than 32 bits")
        return self.convert(text, w, s, 32, False), None

    def select_chain(self, e):
        """(base expression, dynamic terms, constant offset, width) of a
        select / member chain. A dynamic term is a dict: idx (32-bit text),
        values (the legal index values) and pos (value -> bit offset)."""
        k = e.kind
        if k == EK.MemberAccess:
            base, dyn, off, _ = self.select_chain(e.value)
            fld = e.member
            if fld.kind != SK.Field:
                raise Unsupported(f"{where(e)}: member {fld.name} is not a packed field")
            return base, dyn, off + fld.bitOffset, width_of(e.type)
        if k == EK.ElementSelect:
            base, dyn, off, _ = self.select_chain(e.value)
            _, lo, hi, ew, asc = array_layout(e.value.type)
            sdyn, sconst = self.index32(e.selector)
            if sdyn is None:
                pos = (hi - sconst) if asc else (sconst - lo)
                return base, dyn, off + pos * ew, ew
            rel = f"32'd{hi} - {sdyn}" if asc else f"{sdyn} - 32'd{lo}"
            term = {"idx": sdyn, "values": range(lo, hi + 1), "expr": e.selector,
                    "pos": (lambda v, hi=hi, ew=ew: (hi - v) * ew) if asc else
                           (lambda v, lo=lo, ew=ew: (v - lo) * ew),
                    "text": f"{bounded(rel, hi - lo + 1)} * 32'd{ew}",
                    "raw": f"({rel}) * 32'd{ew}"}
            return base, dyn + [term], off, ew
        if k == EK.RangeSelect:
            base, dyn, off, _ = self.select_chain(e.value)
            vt = e.value.type.canonicalType
            if not vt.isArray:
                raise Unsupported(f"{where(e)}: a range select of {vt}")
            _, lo, hi, ew, asc = array_layout(vt)
            sel = enum_name(e.selectionKind)
            w = width_of(e.type)
            if sel == "Simple":
                left = int_of(self.const_of(e.left), 64)
                right = int_of(self.const_of(e.right), 64)
                low_index = min(left, right) if not asc else max(left, right)
                pos = (hi - low_index) if asc else (low_index - lo)
                return base, dyn, off + pos * ew, w
            if asc:
                raise Unsupported(f"{where(e)}: +: select of an ascending range")
            count = w // ew
            first = lo + (count - 1 if sel == "IndexedDown" else 0)  # lowest legal index
            sdyn, sconst = self.index32(e.left)
            if sdyn is None:
                return base, dyn, off + (sconst - first) * ew, w
            values = range(first, hi - (count - 1) + (first - lo) + 1)
            rel = f"{sdyn} - 32'd{first}"
            term = {"idx": sdyn, "values": values, "expr": e.left,
                    "pos": lambda v, first=first, ew=ew: (v - first) * ew,
                    "text": f"{bounded(rel, len(values))} * 32'd{ew}",
                    "raw": f"({rel}) * 32'd{ew}"}
            return base, dyn + [term], off, w
        return e, [], 0, width_of(e.type)

    def loop_const(self, e):
        """Whether e depends on nothing but loop variables and constants:
        Yosys unrolls the loop, so a select by e is a constant select."""
        ok = [True]

        def visit(n):
            if isinstance(n, ast.Expression) and n.kind == EK.NamedValue:
                if n.symbol.kind not in (SK.Parameter, SK.EnumValue) and \
                        n.symbol not in self.loop_vars:
                    ok[0] = False
        e.visit(visit)
        return ok[0]

    def select(self, e, lvalue=False):
        base, dyn, off, w = self.select_chain(e)
        bw = width_of(base.type)
        # a store's index is left whole: Yosys folds it once the loop unrolls
        dtext = " + ".join(t["raw" if lvalue else "text"] for t in dyn) if dyn else None
        if base.kind == EK.NamedValue and base.symbol.kind not in (SK.Parameter, SK.EnumValue):
            name = self.ref(base.symbol, base)
            if dtext is None:
                if off == 0 and w == bw:
                    return name
                return f"{name}[{off + w - 1}:{off}]"
            pos = dtext if off == 0 else f"{dtext} + 32'd{off}"
            return f"{name}[{pos} +: {w}]"
        if lvalue:
            raise Unsupported(f"{where(e)}: a select of an expression as an lvalue")
        text = self.expr(base)
        pos = f"32'd{off}" if dtext is None else (dtext if off == 0 else f"{dtext} + 32'd{off}")
        return self.slice_of(text, bw, pos, w)

    def dynamic_write(self, left, rhs, op, ind):
        """An assignment to a select at a run-time position, as a decoder:
        one constant part select per legal position, enabled by comparing
        the indexes (Yosys turns `x[i*W +: W] <= v` into wide shifters).
        None when the position is constant once Yosys unrolls the loops."""
        if left.kind not in (EK.ElementSelect, EK.RangeSelect, EK.MemberAccess):
            return None
        base, dyn, off, w = self.select_chain(left)
        if not dyn or all(self.loop_const(t["expr"]) for t in dyn):
            return None
        if base.kind != EK.NamedValue:
            raise Unsupported(f"{where(left)}: a select of an expression as an lvalue")
        name = self.ref(base.symbol, base)
        tmp = self.local_reg("lo_wdata", w)
        p = "  " * ind
        lines = [f"{tmp} = {rhs};"]
        conds, terms = [], []
        for i, t in enumerate(dyn):
            kv = self.local_reg("lo_k", 32)
            vals = list(t["values"])
            lines.append("  " * i + f"for ({kv} = 32'd{vals[0]}; {kv} <= 32'd{vals[-1]}; "
                         f"{kv} = {kv} + 32'd1)")
            conds.append(f"{t['idx']} == {kv}")
            p0, p1 = t["pos"](vals[0]), t["pos"](vals[0] + 1) if len(vals) > 1 else 0
            stride = p1 - p0
            terms.append(f"32'd{p0} + ({kv} - 32'd{vals[0]}) * 32'd{stride}" if stride >= 0
                         else f"32'd{p0} - ({kv} - 32'd{vals[0]}) * 32'd{-stride}")
        pos = " + ".join(f"({x})" for x in terms) + (f" + 32'd{off}" if off else "")
        lines.append("  " * len(dyn) + f"if ({' && '.join(conds)}) {name}[{pos} +: {w}] "
                     f"{op} {tmp};")
        return ("\n" + p).join(lines)

    def local_reg(self, base, w):
        """A scratch variable of w bits: function-local inside a function."""
        name = self.fresh(base)
        if self.fn_scope is not None:
            self.fn_scope.append(f"reg [{w - 1}:0] {name};")
        else:
            self.decls.append(f"logic [{w - 1}:0] {name};")
        return name

    def expr(self, e):
        """Verilog text of e whose self-determined width and signedness are
        those slang gave e."""
        t = e.type
        k = e.kind
        c = self.const_of(e) if k != EK.Assignment else None
        if c is not None and t.isIntegral:
            w = width_of(t)
            return literal(int_of(c, w), w, signed_of(t))
        if k == EK.NamedValue:
            s = e.symbol
            return self.ref(s, e)
        if k in (EK.ElementSelect, EK.RangeSelect, EK.MemberAccess):
            return self.select(e)
        if k == EK.Conversion:
            op = e.operand
            if op.kind == EK.StructuredAssignmentPattern or op.kind == EK.SimpleAssignmentPattern:
                return self.expr(op)
            return self.convert(self.expr(op), width_of(op.type), signed_of(op.type),
                                width_of(t), signed_of(t))
        if k == EK.UnaryOp:
            op = enum_name(e.op)
            if op not in UNARY_OPS:
                raise Unsupported(f"{where(e)}: unary operator {op}")
            return f"({UNARY_OPS[op]}{self.expr(e.operand)})"
        if k == EK.BinaryOp:
            op = enum_name(e.op)
            if op == "LogicalImplication":
                return f"(!{self.expr(e.left)} || {self.expr(e.right)})"
            if op not in BINARY_OPS:
                raise Unsupported(f"{where(e)}: binary operator {op}")
            v = BINARY_OPS[op]
            left, right = self.expr(e.left), self.expr(e.right)
            if v in ONE_BIT_OPS or v in ("<<", ">>", "<<<", ">>>"):
                return f"({left} {v} {right})"
            lw, rw, ow = width_of(e.left.type), width_of(e.right.type), width_of(t)
            if lw != ow or rw != ow:
                raise Unsupported(f"{where(e)}: operands of {op} not at the result width")
            return f"({left} {v} {right})"
        if k == EK.ConditionalOp:
            if len(e.conditions) != 1 or e.conditions[0].pattern is not None:
                raise Unsupported(f"{where(e)}: a conditional with patterns")
            return (f"({self.expr(e.conditions[0].expr)} ? {self.expr(e.left)} : "
                    f"{self.expr(e.right)})")
        if k == EK.Concatenation:
            parts = [self.expr(o) for o in e.operands if width_of(o.type) > 0]
            return "{" + ", ".join(parts) + "}"
        if k == EK.Replication:
            n = int_of(self.const_of(e.count), 64)
            return f"{{{n}{{{self.expr(e.concat)}}}}}"
        if k == EK.StructuredAssignmentPattern:
            tt = t.canonicalType
            if (len(e.memberSetters) or len(e.typeSetters) or len(e.indexSetters)
                    or e.defaultSetter is None or not tt.isArray):
                raise Unsupported(f"{where(e)}: an assignment pattern other than '{{default: x}}'")
            et, lo, hi, ew, _ = array_layout(tt)
            d = e.defaultSetter
            text = self.convert(self.expr(d), width_of(d.type), signed_of(d.type), ew, False)
            return f"{{{hi - lo + 1}{{{text}}}}}"
        if k == EK.Call:
            if e.isSystemCall:
                name = e.subroutineName
                if name in ("$signed", "$unsigned"):
                    a = e.arguments[0]
                    return f"{name}({{{self.expr(a)}}})"
                raise Unsupported(f"{where(e)}: system call {name} (not constant)")
            return self.call(e)
        raise Unsupported(f"{where(e)}: expression {k}")

    def call(self, e):
        fname = self.function(e.subroutine)
        args = []
        for formal, actual in zip(e.subroutine.arguments, e.arguments):
            if enum_name(formal.direction) != "In":
                raise Unsupported(f"{where(e)}: a function argument that is not an input")
            args.append(self.expr(actual))
        return f"{fname}({', '.join(args)})"

    def lvalue(self, e):
        k = e.kind
        if k == EK.NamedValue:
            return self.ref(e.symbol, e)
        if k in (EK.ElementSelect, EK.RangeSelect, EK.MemberAccess):
            return self.select(e, lvalue=True)
        if k == EK.Concatenation:
            return "{" + ", ".join(self.lvalue(o) for o in e.operands) + "}"
        raise Unsupported(f"{where(e)}: lvalue {k}")

    # ------------------------------------------------------------ statements
    def stmt(self, s, ind, out, fn=None):
        k = s.kind
        p = "  " * ind
        if k == STK.List:
            for x in s.list:
                self.stmt(x, ind, out, fn)
        elif k == STK.Block:
            out.append(f"{p}begin")
            self.stmt(s.body, ind + 1, out, fn)
            out.append(f"{p}end")
        elif k == STK.Empty:
            out.append(f"{p};")
        elif k == STK.VariableDeclaration:
            sym = s.symbol
            name = self.declare(sym, "" if self.fn_scope is not None else "lo_")
            if sym.initializer is not None:
                out.append(f"{p}{name} = {self.rhs(sym.initializer, sym.type)};")
        elif k == STK.ExpressionStatement:
            text = self.assign_stmt(s.expr, ind)
            out.append(p + text + ("" if text.endswith(";") else ";"))
        elif k == STK.Conditional:
            if len(s.conditions) != 1 or s.conditions[0].pattern is not None:
                raise Unsupported(f"{where(s)}: an if with patterns")
            out.append(f"{p}if ({self.expr(s.conditions[0].expr)})")
            self.stmt(s.ifTrue, ind + 1, out, fn)
            if s.ifFalse is not None:
                out.append(f"{p}else")
                self.stmt(s.ifFalse, ind + 1, out, fn)
        elif k == STK.Case:
            if enum_name(s.condition) != "Normal":
                raise Unsupported(f"{where(s)}: casez / casex / case inside")
            out.append(f"{p}case ({self.expr(s.expr)})")
            for item in s.items:
                labels = ", ".join(self.expr(x) for x in item.expressions)
                out.append(f"{p}  {labels}:")
                self.stmt(item.stmt, ind + 2, out, fn)
            if s.defaultCase is not None:
                out.append(f"{p}  default:")
                self.stmt(s.defaultCase, ind + 2, out, fn)
            out.append(f"{p}endcase")
        elif k == STK.ForLoop:
            inits = []
            for v in s.loopVars:
                self.loop_vars.add(v)
                name = self.declare(v, "" if self.fn_scope is not None else "lo_")
                inits.append(f"{name} = {self.rhs(v.initializer, v.type)}")
            for x in s.initializers:
                inits.append(self.assign_stmt(x))
            steps = [self.step(x) for x in s.steps]
            if len(inits) != 1 or len(steps) != 1:
                raise Unsupported(f"{where(s)}: a for loop with other than one variable")
            out.append(f"{p}for ({inits[0]}; {self.expr(s.stopExpr)}; {steps[0]})")
            self.stmt(s.body, ind + 1, out, fn)
        elif k == STK.Return:
            if fn is None or s is not fn["last"]:
                raise Unsupported(f"{where(s)}: a return that is not a function's last statement")
            rt = fn["sym"].returnType
            out.append(f"{p}{fn['name']} = {self.rhs(s.expr, rt)};")
        elif k == STK.ImmediateAssertion:
            pass  # checks, not hardware
        else:
            raise Unsupported(f"{where(s)}: statement {k}")

    def rhs(self, e, t):
        """e converted to type t (slang has usually done it already)."""
        return self.convert(self.expr(e), width_of(e.type), signed_of(e.type),
                            width_of(t), signed_of(t))

    def step(self, e):
        if e.kind == EK.UnaryOp and enum_name(e.op) in ("Postincrement", "Preincrement",
                                                         "Postdecrement", "Predecrement"):
            name = self.lvalue(e.operand)
            w = width_of(e.operand.type)
            d = "+" if "increment" in enum_name(e.op) else "-"
            return f"{name} = {name} {d} {literal(1, w, signed_of(e.operand.type))}"
        return self.assign_stmt(e)

    def assign_stmt(self, e, ind=0):
        if e.kind != EK.Assignment:
            if e.kind == EK.UnaryOp:
                return self.step(e)
            raise Unsupported(f"{where(e)}: expression statement {e.kind}")
        if e.isCompound:
            raise Unsupported(f"{where(e)}: compound assignment")
        op = "<=" if e.isNonBlocking else "="
        rhs = self.rhs(e.right, e.left.type)
        dyn = self.dynamic_write(e.left, rhs, op, ind)
        if dyn is not None:
            return dyn
        return f"{self.lvalue(e.left)} {op} {rhs}"

    # ------------------------------------------------------------ functions
    def function(self, sub):
        if sub in self.func_done:
            return self.func_done[sub]
        if enum_name(sub.subroutineKind) != "Function":
            raise Unsupported(f"{where(sub)}: task {sub.name}")
        name = self.fresh(sub.name)
        self.func_done[sub] = name
        saved = self.fn_scope
        self.fn_scope = []
        rt = sub.returnType
        lines = [f"function automatic {vec(width_of(rt), signed_of(rt))} {name};"]
        for a in sub.arguments:
            an = self.fresh(a.name)
            self.names[a] = an
            lines.append(f"    input {vec(width_of(a.type), signed_of(a.type))} {an};")
        body = sub.body
        stmts = list(body.list) if body.kind == STK.List else [body]
        fn = {"sym": sub, "name": name, "last": stmts[-1] if stmts else None}
        if sub.returnValVar is not None:
            self.names[sub.returnValVar] = name
        out = []
        for s in stmts:
            self.stmt(s, 2, out, fn)
        lines += ["    " + d for d in self.fn_scope]
        lines.append("    begin")
        lines += out
        lines.append("    end")
        lines.append("  endfunction")
        self.fn_scope = saved
        self.functions.append("\n".join(lines))
        return name

    # ------------------------------------------------------------ members
    def members(self, scope, prefix):
        """Declare the values of a scope (module body or generate block)."""
        for m in scope:
            k = m.kind
            if k in (SK.Variable, SK.Net):
                if m not in self.names:  # ports are named already
                    self.declare(m, prefix)
            elif k == SK.GenerateBlock:
                if not m.isUninstantiated:
                    self.members(m, prefix + (m.name + "__" if m.name else ""))
            elif k == SK.GenerateBlockArray:
                for blk in m.entries:
                    idx = int(blk.arrayIndex.toString(ps.LiteralBase.Decimal, False))
                    self.members(blk, f"{prefix}{m.name}_{idx}__")

    def logic(self, scope):
        """Assigns, always blocks and instances of a scope."""
        for m in scope:
            k = m.kind
            if k == SK.ContinuousAssign:
                a = m.assignment
                self.items.append(f"  assign {self.lvalue(a.left)} = "
                                  f"{self.rhs(a.right, a.left.type)};")
            elif k == SK.ProceduralBlock:
                self.procedure(m)
            elif k == SK.Instance:
                self.instance(m)
            elif k == SK.GenerateBlock:
                if not m.isUninstantiated:
                    self.logic(m)
            elif k == SK.GenerateBlockArray:
                for blk in m.entries:
                    self.logic(blk)
            elif k in (SK.Variable, SK.Net, SK.Port, SK.Parameter, SK.WildcardImport,
                       SK.TypeAlias, SK.Subroutine, SK.Genvar, SK.EnumValue,
                       SK.TransparentMember, SK.EmptyMember, SK.ExplicitImport,
                       SK.StatementBlock):
                if k in (SK.Variable, SK.Net) and m.initializer is not None:
                    self.items.append(f"  assign {self.names[m]} = "
                                      f"{self.rhs(m.initializer, m.type)};")
            else:
                raise Unsupported(f"{where(m)}: module member {k}")

    def procedure(self, m):
        kind = enum_name(m.procedureKind)
        body = m.body
        out = []
        if kind in ("AlwaysComb", "AlwaysLatch") or (kind == "Always" and
                                                     body.kind != STK.Timed):
            if kind == "AlwaysLatch":
                raise Unsupported(f"{where(m)}: always_latch")
            out.append("  always @* begin")
            self.stmt(body, 2, out)
            out.append("  end")
        elif kind in ("AlwaysFF", "Always"):
            if body.kind != STK.Timed:
                raise Unsupported(f"{where(m)}: always_ff without an event control")
            out.append(f"  always {self.timing(body.timing)} begin")
            self.stmt(body.stmt, 2, out)
            out.append("  end")
        elif kind in ("Initial", "Final"):
            return  # simulation only (none in the digital blocks)
        else:
            raise Unsupported(f"{where(m)}: procedure {kind}")
        self.items.append("\n".join(out))

    def timing(self, tc):
        k = enum_name(tc.kind)
        if k == "EventList":
            return "@(" + " or ".join(self.timing(x)[2:-1] for x in tc.events) + ")"
        if k == "SignalEvent":
            edge = {"PosEdge": "posedge ", "NegEdge": "negedge ", "None": ""}[enum_name(tc.edge)]
            return f"@({edge}{self.expr(tc.expr)})"
        raise Unsupported(f"event control {k}")

    def instance(self, inst):
        mod = self.low.module_for(inst)
        conns = []
        for pc in inst.portConnections:
            port = pc.port
            e = pc.expression
            if e is None:
                conns.append(f".{port.name}()")
            elif enum_name(port.direction) == "In":
                conns.append(f".{port.name}({self.rhs(e, port.type)})")
            elif enum_name(port.direction) == "Out":
                if e.kind != EK.Assignment:
                    raise Unsupported(f"{where(inst)}: output {port.name} not an assignment")
                left = e.left
                if width_of(left.type) != width_of(port.type):
                    raise Unsupported(f"{where(inst)}: output {port.name} of another width")
                conns.append(f".{port.name}({self.lvalue(left)})")
            else:
                raise Unsupported(f"{where(inst)}: port {port.name} is inout")
        self.items.append(f"  {mod} {inst.name} (\n    " + ",\n    ".join(conns) + "\n  );")

    # ------------------------------------------------------------ module
    def ports(self):
        out = []
        for p in self.body.portList:
            if p.kind != SK.Port:
                raise Unsupported(f"{where(p)}: port kind {p.kind}")
            d = {"In": "input", "Out": "output"}[enum_name(p.direction)]
            sym = p.internalSymbol
            out.append((d, sym, p))
        return out

    def text(self, blackbox=False):
        ports = self.ports()
        lines = []
        if blackbox:
            lines.append("(* blackbox *)")
        plist = []
        for d, sym, p in ports:
            w, s = width_of(p.type), signed_of(p.type)
            plist.append(f"  {d} logic {vec(w, s)} {p.name}")
            self.names[sym] = p.name
            self.used.add(p.name)
        lines.append(f"module {self.name} (\n" + ",\n".join(plist) + "\n);")
        if not blackbox:
            self.members(self.body, "")
            self.logic(self.body)
            lines += ["  " + d for d in self.decls]
            lines += ["  " + f for f in self.functions]
            lines += self.items
        lines.append("endmodule")
        return "\n".join(lines) + "\n"


class Lowerer:
    """Walks the design from the top and writes each module body once."""

    def __init__(self, blackbox, suffix, omit_blackboxes=False):
        self.blackbox = set(blackbox)
        self.suffix = suffix
        self.omit = omit_blackboxes
        self.done = {}    # (definition, parameter values) -> module name
        self.texts = []
        self.names = set()

    def module_for(self, inst):
        body = inst.body
        params = tuple((p.name, str(p.value)) for p in body.parameters
                       if p.kind == SK.Parameter)
        key = (inst.definition.name, params)
        if key in self.done:
            return self.done[key]
        name = inst.definition.name + self.suffix
        n = 1
        while name in self.names:
            name = f"{inst.definition.name}__{n}{self.suffix}"
            n += 1
        self.names.add(name)
        self.done[key] = name
        bb = inst.definition.name in self.blackbox
        if bb and self.omit:
            return inst.definition.name  # the original module, unrenamed
        w = ModuleWriter(self, body, name)
        self.texts.append(w.text(blackbox=bb))
        return name


def main(argv):
    global SOURCES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", required=True)
    ap.add_argument("--blackbox", action="append", default=[],
                    help="a module written as an empty blackbox (repeatable)")
    ap.add_argument("--omit-blackboxes", action="store_true",
                    help="leave the blackboxes out (the original modules are read beside)")
    ap.add_argument("--suffix", default="", help="appended to every module name")
    ap.add_argument("--out", required=True)
    ap.add_argument("-D", dest="defines", action="append", default=[])
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)

    d = driver.Driver()
    d.addStandardArgs()
    cmd = ["slang", "--top", args.top] + [f"-D{x}" for x in args.defines] + args.files
    if not d.parseCommandLine(" ".join(cmd)) or not d.processOptions() or \
            not d.parseAllSources():
        return 1
    comp = d.createCompilation()
    d.reportCompilation(comp, True)
    if not d.reportDiagnostics(True):  # errors are printed
        return 1
    SOURCES = d.sourceManager
    top = comp.getRoot().topInstances[0]
    low = Lowerer(args.blackbox, args.suffix, args.omit_blackboxes)
    try:
        low.module_for(top)
    except Unsupported as e:
        sys.stderr.write(f"sv_lower: {e}\n")
        return 2
    text = (f"// Generated by tools/sv_lower.py from the RTL ({args.top}); do not edit.\n"
            + "\n".join(reversed(low.texts)))
    # Written whole; an unchanged file keeps its time stamp, so the Yosys
    # runs that read it are not redone.
    try:
        with open(args.out, encoding="utf-8") as fh:
            if fh.read() == text:
                return 0
    except OSError:
        pass
    write_atomic(args.out, lambda f: f.write(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

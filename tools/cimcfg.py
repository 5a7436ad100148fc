"""The build configuration of one build folder, for the Python tools.

tools/gen_cfg.py writes BUILD/cim_cfg.json beside the C header and the SV
package, with the build parameters and every value derived from them (weight
slices, outputs, ADCs, the largest row group that fits the ADC...). Tools
read it here instead of parsing the header or computing the values again.

    import cimcfg
    cfg = cimcfg.load("build/r256_...")   # dict: cfg["rows"], cfg["p_fit"], ...

Keys: the make variables in lower case (rows, cols, w_bits, cell_bits,
x_bits, adc_bits, cols_per_adc, p_max) and the derived values (slices,
cols_per_out, n_out, n_adc, level_max, adc_max, p_fit).
"""
import json
import os
import sys

PARAMS = ("rows", "cols", "w_bits", "cell_bits", "x_bits", "adc_bits", "cols_per_adc", "p_max")
DERIVED = ("slices", "cols_per_out", "n_out", "n_adc", "level_max", "adc_max", "p_fit")


def load(build):
    """The configuration of build folder BUILD; exits with a message if the
    folder was not configured (make all) or the file is not what gen_cfg.py
    writes."""
    path = os.path.join(build, "cim_cfg.json")
    try:
        with open(path, encoding="utf-8") as fh:
            cfg = json.load(fh)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}; configure the build first (make all)")
    except ValueError as e:
        sys.exit(f"{path}: not valid JSON ({e}); run make again to regenerate it")
    missing = [k for k in PARAMS + DERIVED if not isinstance(cfg.get(k), int)]
    if missing:
        sys.exit(f"{path}: missing or not an integer: {', '.join(missing)}; "
                 "run make again to regenerate it")
    return cfg

# mk/area.mk: area of the digital periphery with Debian's Yosys (`make area`),
# the cheap check that Yosys still reads the RTL (`make area-check`) and the
# proof that what Yosys reads is the RTL (`make area-equiv`).
# Included by the Makefile; uses its variables ($(BUILD), $(RTL_PKGS), ...).
#
# Yosys 0.23 reads too small a subset of SystemVerilog for the RTL as written
# (no import, no multi-dimensional packed arrays, no unpacked-array ports, no
# return): tools/sv_lower.py has slang (pyslang) elaborate the RTL and writes
# what it resolved as plain Verilog, generated into the build folder; no
# second copy of the RTL is kept.

# ---------------------------------------------------------------- knobs
YOSYS    ?= yosys
# Standard cells for the um^2 column: qflow's OSU 0.18 um library (Debian
# package qflow-tech-osu018, installed with yosys by `make area-deps`).
AREA_LIB ?= /usr/share/qflow/tech/osu018/osu018_stdcells.lib

AREA_DIR := $(BUILD)/area
# The periphery as plain Verilog: the analog macro models as blackboxes.
AREA_V   := $(AREA_DIR)/cim_periph.v
# The DPI-facing behavioural models of the analog hard macros (and their
# timer, used by nothing else): not synthesized.
AREA_ANALOG := cim_array_macro cim_adc_bank cim_wv_macro
AREA_ANALOG_SRCS := $(addprefix rtl/,$(addsuffix .sv,$(AREA_ANALOG) cim_op_timer))
# The digital blocks, each synthesized as its own top with this build's
# parameters, then the glue of the top that connects them.
AREA_BLOCKS := cim_apb_regs cim_ctrl cim_inbuf cim_line_en cim_adc_if cim_shift_add cim_activity \
               cim_requant cim_outbuf cim_wv
AREA_TOPS   := $(AREA_BLOCKS) $(TOP)
# The RTL Yosys gets: the bound checkers (*_chk.sv) are simulation only.
AREA_SRCS   := $(RTL_PKGS) $(filter-out %_chk.sv,$(RTL_SRCS))
AREA_DEPS   := build/.deps-area-ok
LOWER        = $(PY) tools/sv_lower.py --top $(TOP) $(addprefix --blackbox ,$(AREA_ANALOG)) \
               -D SYNTHESIS

.PHONY: area area-check area-equiv area-equiv-run area-deps area-help

area-help:
	@echo "Area targets (mk/area.mk):"
	@echo "  area        synthesize each digital block and the whole periphery with Yosys;"
	@echo "              table in $(AREA_DIR)/area.md and area.csv (make -j2 area: two at once)"
	@echo "  area-check  the RTL still lowers and Yosys reads it (read_verilog, hierarchy -check)"
	@echo "  area-equiv  the lowered Verilog, verilated in place of the RTL, passes check_cim"

# ---------------------------------------------------------------- set-up
area-deps: $(AREA_DEPS) $(VENV)/.area-ok

$(AREA_DEPS): tools/install_deps.sh | $(DEPS)
	sh tools/install_deps.sh area
	@touch $@

$(VENV)/.area-ok: tools/requirements-area.txt | $(VENV)/.ok
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tools/requirements-area.txt
	@touch $@

# ---------------------------------------------------------------- lowering
$(AREA_V): $(AREA_SRCS) tools/sv_lower.py | $(VENV)/.area-ok
	$(LOWER) --out $@ $(AREA_SRCS)

# ---------------------------------------------------------------- synthesis
# One top per run: generic gates after `synth -flatten` (stat -json), then
# the same netlist onto the standard cells (stat -liberty). $(TOP) is run
# with its blocks as blackboxes: its own glue logic only; the report adds the
# blocks to it for the whole periphery (one flat run of everything takes
# longer than all the blocks, and cannot be split over make -j). The
# statistics land under temporary names and are renamed once Yosys is done.
AREA_YS = read_verilog -sv $(AREA_V); hierarchy -check -top $*; \
  $(if $(filter $(TOP),$*),blackbox $(AREA_BLOCKS);) synth -flatten -top $*; \
  tee -q -o $(AREA_DIR)/$*.json.tmp stat -json; \
  dfflibmap -liberty $(AREA_LIB); abc -liberty $(AREA_LIB); opt_clean; \
  tee -q -o $(AREA_DIR)/$*.lib.txt.tmp stat -liberty $(AREA_LIB)

$(AREA_DIR)/%.lib.txt: $(AREA_V) | $(AREA_DEPS)
	$(YOSYS) -q -l $(AREA_DIR)/$*.log -p '$(AREA_YS)'
	@mv $(AREA_DIR)/$*.json.tmp $(AREA_DIR)/$*.json
	@mv $(AREA_DIR)/$*.lib.txt.tmp $@

$(AREA_DIR)/area.md $(AREA_DIR)/area.csv &: $(foreach t,$(AREA_TOPS),$(AREA_DIR)/$(t).lib.txt) \
    tools/area_report.py
	python3 tools/area_report.py --dir $(AREA_DIR) --config $(CONFIG) \
	  --yosys-version "$$($(YOSYS) -V)" --glue $(TOP) $(AREA_TOPS)

area:
	@start=$$(date +%s); $(MAKE) --no-print-directory $(AREA_DIR)/area.md && \
	cat $(AREA_DIR)/area.md && echo "area: $(AREA_DIR)/area.md in $$(( $$(date +%s) - start )) s"

# ---------------------------------------------------------------- checks
# Cheap enough for `make test`: lower, then Yosys reads the whole periphery
# and elaborates it (functions inlined, loops unrolled, every module found);
# any error fails. (`proc` would add minutes: the input buffer's read-back.)
AREA_CHECK_YS = read_verilog -sv $(AREA_V); hierarchy -check -top $(TOP)
area-check: $(AREA_V) | $(AREA_DEPS)
	@start=$$(date +%s); \
	$(YOSYS) -q -l $(AREA_DIR)/area-check.log -p '$(AREA_CHECK_YS)' && \
	echo "area-check: Yosys reads the lowered RTL ($(CONFIG), $$(( $$(date +%s) - start )) s)"

# The lowering is only as good as its proof: the lowered digital blocks,
# verilated in place of the RTL beside the original analog models, must pass
# the co-simulation tests and a random MVM against the twin. Its own build
# folder ($(BUILD)_lowered); Verilator's warnings on the generated file are
# not errors. The lowering drops the RTL's assertions (SYNTHESIS), so the one
# test that needs an assertion to fire must fail, and no other.
AREA_SIM_V := $(AREA_DIR)/cim_periph_sim.v
AREA_EQUIV_XFAIL := test_sim_assertion
$(AREA_SIM_V): $(AREA_SRCS) tools/sv_lower.py | $(VENV)/.area-ok
	$(LOWER) --omit-blackboxes --out $@ $(AREA_SRCS)

area-equiv: $(AREA_SIM_V)
	@$(MAKE) --no-print-directory CONFIG=$(CONFIG)_lowered \
	  RTL_SRCS="$(CURDIR)/$(AREA_SIM_V) $(AREA_ANALOG_SRCS)" \
	  VERILATOR="$(VERILATOR) -Wno-fatal" area-equiv-run

area-equiv-run: $(CHECK_CIM) $(CIM_MVM)
	@$(CHECK_CIM) > $(BUILD)/check_cim.log 2>&1; \
	grep -E '^[0-9]+%: Checks' $(BUILD)/check_cim.log; \
	fails=$$(grep -E '^[^:]+:[0-9]+:[EF]:' $(BUILD)/check_cim.log | cut -d: -f4 | sort -u); \
	if [ "$$fails" != "$(AREA_EQUIV_XFAIL)" ]; then cat $(BUILD)/check_cim.log; \
	  echo "area-equiv: FAIL: failed '$$fails', expected only '$(AREA_EQUIV_XFAIL)'"; exit 1; fi
	$(CIM_MVM) --random full --vectors 4 --seed 1 --quiet
	@echo "area-equiv: the lowered periphery passes check_cim (all but $(AREA_EQUIV_XFAIL))" \
	  "and a random MVM ($(CONFIG))"

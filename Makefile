# rram-cim-tb: co-simulation testbench of an RRAM compute-in-memory macro.
# `make help` lists the targets and the knobs.

# ---------------------------------------------------------------- knobs
# Build parameters of the macro (one build folder per set, see README).
ROWS         ?= 256
COLS         ?= 256
W_BITS       ?= 8
CELL_BITS    ?= 2
X_BITS       ?= 8
ADC_BITS     ?= 8
COLS_PER_ADC ?= 8
P_MAX        ?= 64
# Seed of `make run`.
SEED         ?= 1
# Extra arguments for the cim_mvm program in `make run`.
RUN_ARGS     ?=

# The non-default configuration `make test` also builds and tests: odd sizes,
# COLS_PER_ADC not dividing COLS, and P_MAX above P_FIT (18 here), so ADC
# clipping is reachable (test_mvm_adc_clipping).
ALT_PARAMS := ROWS=100 COLS=96 W_BITS=6 CELL_BITS=3 X_BITS=4 ADC_BITS=7 COLS_PER_ADC=3 P_MAX=20

SHELL    := /bin/bash
CONFIG   := r$(ROWS)_c$(COLS)_w$(W_BITS)_b$(CELL_BITS)_x$(X_BITS)_a$(ADC_BITS)_m$(COLS_PER_ADC)_p$(P_MAX)
# SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer on every C and
# C++ file, the verilated model included, in a build folder of its own; any
# undefined behaviour stops the program.
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
CONFIG   := $(CONFIG)_san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# forked Check children with SystemC leave what the parent allocated
export ASAN_OPTIONS ?= detect_leaks=0
# the sanitizers run the code 2-5x slower: Check's per-test limits grow with it
export CK_TIMEOUT_MULTIPLIER ?= 8
endif
BUILD    := build/$(CONFIG)
GEN      := build/gen
VENV     := .venv
DEPS     := build/.deps-ok
PY       := $(VENV)/bin/python

ifneq ($(words $(CURDIR)),1)
$(error the path '$(CURDIR)' contains spaces; Verilator's makefiles cannot handle that)
endif

# ---------------------------------------------------------------- sources
RDL        := rtl/cim_regs.rdl
# Folder of the SystemVerilog sources: a mutant of `make mutate` (mk/mutate.mk)
# builds from a changed copy of rtl/ in its own build folder.
RTL_DIR    ?= rtl
RTL_PKGS   := $(BUILD)/cim_cfg_pkg.sv $(GEN)/cim_reg_pkg.sv $(RTL_DIR)/cim_pkg.sv \
              $(RTL_DIR)/cim_dpi_pkg.sv
RTL_SRCS   := $(filter-out $(RTL_DIR)/cim_pkg.sv $(RTL_DIR)/cim_dpi_pkg.sv, \
                $(wildcard $(RTL_DIR)/*.sv))
RTL_WAIVE  := rtl/cim_lint.vlt
CMODEL_SRC := $(wildcard cmodel/*.c)
# Firmware (would run on the chip's controller) and the host-side library
# (checker, file readers); the cim_mvm program's own files are in sw/cli/.
SW_SRC     := $(wildcard sw/fw/*.c sw/host/*.c)
CLI_SRC    := $(wildcard sw/cli/*.c)
TB_C_SRC   := $(wildcard tb/*.c)
TB_CXX_SRC := $(wildcard tb/*.cpp)
GEN_HDRS   := $(GEN)/cim_regs.h $(GEN)/cim_reg_enums.h $(BUILD)/cim_cfg.h

# ---------------------------------------------------------------- tools
VERILATOR      ?= verilator
VERILATOR_ROOT ?= $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)
TOP            := cim_macro
VOBJ           := $(BUILD)/obj

VFLAGS  = --cc --top-module $(TOP) -Mdir $(VOBJ)
# Lint warnings are errors; waivers live in $(RTL_WAIVE) with reasons.
VFLAGS += -Wall
# Keep the protocol assertions live in every build. A failing assertion
# does not abort: tb/cim_vl_user.h hands it to the bus-functional model,
# which stops the DUT and reports it (cim_sim_stats.assertion_*).
VFLAGS += --assert
VL_USER_HDR := tb/cim_vl_user.h
VFLAGS += -CFLAGS "-include $(CURDIR)/$(VL_USER_HDR)"
# FST dumps on request (--trace FILE), off by default at run time.
VFLAGS += --trace-fst --trace-structs
# Optimise the model for speed; the harness decides what runs when.
VFLAGS += -O3 --x-assign fast --x-initial fast
VFLAGS += -CFLAGS -O2
ifneq ($(SAN_FLAGS),)
# Waiver: Verilator 5.006 shifts 8- and 16-bit signals after C's promotion to
# int, so a bit moved into bit 31 is undefined in C++ although the hardware
# meaning is plain (UBSan: "left shift of 13042 by 19 places cannot be
# represented in type 'int'", the input buffer's word read). And the FST
# writer Verilator bundles (gtkwave/fstapi.c) stores 32-bit words at odd
# addresses on purpose ("store to misaligned address ... for type
# 'uint32_t'", fstapi.c:858, on every --trace run), which x86 allows.
# Verilator's generated and runtime code only: our own C and C++ keep both.
VFLAGS += -CFLAGS "$(SAN_FLAGS) -fno-sanitize=shift-base,alignment"
endif
# Verilator's makefile compiles the model's hot code with OPT_FAST (-Os by
# default, after -CFLAGS): -O2 measured 1.2-1.3x faster (make bench).
VERILATED_OPT := OPT_FAST=-O2

# C11 plus the POSIX.1-2008 library (setenv, clock_gettime)
CFLAGS   := -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -MMD -MP $(SAN_FLAGS)
CXXFLAGS := -std=gnu++17 -O2 -g -Wall -MMD -MP -DVM_TRACE=1 -DVM_TRACE_FST=1 $(SAN_FLAGS)
CPPFLAGS := -Icmodel -Isw/fw -Isw/host -Itb -I$(GEN) -I$(BUILD) -I$(VOBJ) \
            -I$(VERILATOR_ROOT)/include -I$(VERILATOR_ROOT)/include/vltstd
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)
LDLIBS   = $(SAN_FLAGS) -lsystemc $(CHECK_LIBS) -lz -pthread -latomic -lm

# ---------------------------------------------------------------- objects
obj = $(patsubst %.c,$(BUILD)/o/%.o,$(patsubst %.cpp,$(BUILD)/o/%.o,$(1)))
CMODEL_OBJ := $(call obj,$(CMODEL_SRC))
SW_OBJ     := $(call obj,$(SW_SRC))
TB_OBJ     := $(call obj,$(TB_C_SRC) $(TB_CXX_SRC))
VLIB       := $(VOBJ)/V$(TOP)__ALL.a
SIM_OBJ    := $(TB_OBJ) $(SW_OBJ) $(CMODEL_OBJ)

CIM_MVM      := $(BUILD)/cim_mvm
CHECK_CIM    := $(BUILD)/check_cim
CHECK_CMODEL := $(BUILD)/check_cmodel

.PHONY: all help deps venv regs run test test-config lint clean distclean
all: $(CIM_MVM) $(CHECK_CIM) $(CHECK_CMODEL)

help:
	@echo "Targets:"
	@echo "  run        build what is missing and run the demonstration MVMs (SEED=$(SEED))"
	@echo "  test       the whole regression CI runs: lint, register map, cmodel and"
	@echo "             co-simulation tests, default and one non-default configuration"
	@echo "  test-config  the tests of one configuration only"
	@echo "  lint       verilator --lint-only -Wall on the RTL"
	@echo "  sweep      accuracy against one device parameter, CSV + PNG (SWEEP=$(SWEEP))"
	@echo "  energy     energy per MVM by component, CSV + PNG (ENERGY_PARAMS=$(ENERGY_PARAMS))"
	@echo "  net-model  train (once per NET_SEED) and quantize the Fashion-MNIST MLP for this build"
	@echo "  net-ref    its integer reference in C against numpy's, on all 10,000 test images"
	@echo "  regs       regenerate the register header, SV package and docs/registers.md"
	@echo "  area       Yosys area of each digital block and of the periphery (make area-help)"
	@echo "  fuzz       libFuzzer on the file readers, the C model and the twin, FUZZ_S s each"
	@echo "             (make fuzz-help)"
	@echo "  deps       install missing Debian packages and the Python virtual environment"
	@echo "  clean      remove build/; distclean also removes $(VENV)"
	@echo "Knobs (current): ROWS=$(ROWS) COLS=$(COLS) W_BITS=$(W_BITS) CELL_BITS=$(CELL_BITS)"
	@echo "  X_BITS=$(X_BITS) ADC_BITS=$(ADC_BITS) COLS_PER_ADC=$(COLS_PER_ADC) P_MAX=$(P_MAX)"
	@echo "  SEED=$(SEED) RUN_ARGS='$(RUN_ARGS)'"
	@echo "Build folder: $(BUILD)"

# ---------------------------------------------------------------- set-up
deps: $(DEPS) $(VENV)/.ok

$(DEPS): tools/install_deps.sh
	@mkdir -p $(@D)
	sh tools/install_deps.sh
	@touch $@

$(VENV)/.ok: tools/requirements.txt | $(DEPS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
	@touch $@

# ---------------------------------------------------------------- generated
# `make regs` (a developer, after editing the RDL) also rewrites the committed
# docs/registers.md; `make test` generates only into build/ (regs-gen).
regs: regs-gen docs/registers.md
regs-gen: $(GEN_HDRS) $(GEN)/cim_reg_pkg.sv

$(GEN)/cim_regs.h: $(RDL) $(VENV)/.ok
	@mkdir -p $(@D)
	$(VENV)/bin/peakrdl c-header $(RDL) -o $@

$(GEN)/cim_reg_pkg.sv $(GEN)/cim_reg_enums.h &: $(RDL) tools/rdl_gen.py $(VENV)/.ok
	$(PY) tools/rdl_gen.py $(RDL) $(GEN)

# The register documentation is committed so it reads on the web; the test
# target proves it is what the RDL generates.
docs/registers.md: $(RDL) $(VENV)/.ok
	$(VENV)/bin/peakrdl markdown $(RDL) -o $@

# The build parameters, checked against the register map's windows, and every
# value derived from them, for SV, C and the Python tools (tools/cimcfg.py).
$(BUILD)/cim_cfg_pkg.sv $(BUILD)/cim_cfg.h $(BUILD)/cim_cfg.json &: tools/gen_cfg.py \
    $(GEN)/cim_reg_pkg.sv FORCE
	@python3 tools/gen_cfg.py --regs $(GEN)/cim_reg_pkg.sv $(BUILD) 'ROWS=$(ROWS)' 'COLS=$(COLS)' \
	  'W_BITS=$(W_BITS)' 'CELL_BITS=$(CELL_BITS)' 'X_BITS=$(X_BITS)' 'ADC_BITS=$(ADC_BITS)' \
	  'COLS_PER_ADC=$(COLS_PER_ADC)' 'P_MAX=$(P_MAX)'

# The generator refuses what it must and writes the same values everywhere.
.PHONY: test-gen-cfg
test-gen-cfg: $(GEN)/cim_reg_pkg.sv
	python3 tools/test_gen_cfg.py $(GEN)/cim_reg_pkg.sv

.PHONY: FORCE
FORCE:

# ---------------------------------------------------------------- RTL model
# The verilator command line, rewritten only when it changes, so that a
# change of flags alone (a waiver, a -CFLAGS) verilates again.
$(VOBJ)/.vflags.want: FORCE
	@mkdir -p $(@D)
	@echo '$(VERILATOR) $(VFLAGS)' | cmp -s - $@ || echo '$(VERILATOR) $(VFLAGS)' > $@

# The runtime objects (verilated*.o) depend on nothing but their sources in
# Verilator's makefile: when the flags change (e.g. the hooks of
# $(VL_USER_HDR)), remove every object so that all of them rebuild.
$(VOBJ)/V$(TOP).mk: $(RTL_PKGS) $(RTL_SRCS) $(RTL_WAIVE) $(VL_USER_HDR) $(VOBJ)/.vflags.want \
    | $(DEPS)
	@cmp -s $(VOBJ)/.vflags.want $(VOBJ)/.vflags || \
	  { rm -f $(VOBJ)/*.o $(VOBJ)/*.a $(VOBJ)/*.d; cp $(VOBJ)/.vflags.want $(VOBJ)/.vflags; }
	$(VERILATOR) $(VFLAGS) $(RTL_WAIVE) $(RTL_PKGS) $(RTL_SRCS)

# Verilator's own --exe flow would compile our C11 as C++: build only the
# model archive and its runtime objects, then link them ourselves.
$(VLIB): $(VOBJ)/V$(TOP).mk tools/verilated_lib.mk
	$(MAKE) -s -C $(VOBJ) -f $(CURDIR)/tools/verilated_lib.mk VM_PREFIX=V$(TOP) $(VERILATED_OPT)

lint: $(RTL_PKGS) | $(DEPS)
	$(VERILATOR) --lint-only -Wall --top-module $(TOP) $(RTL_WAIVE) $(RTL_PKGS) $(RTL_SRCS)
	@echo "lint: verilator -Wall clean ($(CONFIG))"

# ---------------------------------------------------------------- C and C++
$(BUILD)/o/%.o: %.c $(GEN_HDRS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(CFLAGS) $(CPPFLAGS) -c $< -o $@

$(BUILD)/o/%.o: %.cpp $(GEN_HDRS) $(VOBJ)/V$(TOP).mk | $(DEPS)
	@mkdir -p $(@D)
	g++ $(CXXFLAGS) $(CPPFLAGS) -c $< -o $@

# The DPI glue includes the generated V$(TOP)__Dpi.h.
$(call obj,$(TB_C_SRC)): $(VOBJ)/V$(TOP).mk

$(CIM_MVM): $(call obj,$(CLI_SRC)) $(SIM_OBJ) $(VLIB)
	g++ -o $@ $^ $(VOBJ)/verilated*.o $(LDLIBS)

$(CHECK_CIM): $(call obj,$(wildcard sw/tests/*.c)) $(SIM_OBJ) $(VLIB)
	g++ -o $@ $^ $(VOBJ)/verilated*.o $(LDLIBS)

# The example device file, by absolute path: check_cmodel runs from any folder.
$(BUILD)/o/cmodel/tests/check_device.o: CPPFLAGS += \
  -DRRAM_EXAMPLE_DEV='"$(CURDIR)/cmodel/devices/example.dev"'

# The shipped energy presets, by absolute path: cim_mvm runs from any folder.
$(BUILD)/o/sw/host/cim_energy.o: CPPFLAGS += -DCIM_ENERGY_DIR='"$(CURDIR)/sw/energy"'

$(CHECK_CMODEL): $(call obj,$(wildcard cmodel/tests/*.c)) $(CMODEL_OBJ)
	gcc -o $@ $^ $(SAN_FLAGS) $(CHECK_LIBS) -lm

-include $(shell find $(BUILD)/o -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- jobs
run: $(CIM_MVM)
	$(CIM_MVM) --random full --vectors 8 --seed $(SEED) $(RUN_ARGS)

# Tests of the configuration given by the knobs.
# check_cmodel runs from another folder: no test may depend on the current one.
test-config: $(CHECK_CMODEL) $(CHECK_CIM) $(CIM_MVM) lint
	cd / && $(CURDIR)/$(CHECK_CMODEL)
	$(CHECK_CIM)
	python3 sw/tests/test_cli.py $(BUILD)
	python3 sw/tests/test_outputs.py $(BUILD)
	@$(MAKE) --no-print-directory sweep-smoke regress-smoke waves-check test-harness \
	  net-ref net-ref-selftest net-rtl-smoke repro-check

# The two configurations build and test side by side (make -j2).
.PHONY: test-default test-alt test-once regs-check regs-check-selftest regs-gen
test-default:
	@$(MAKE) --no-print-directory test-config
test-alt:
	@$(MAKE) --no-print-directory test-config $(ALT_PARAMS)

# The committed register documentation must be what the RDL generates. The
# check generates into build/ only and compares with $(REGS_DOC) (the
# committed file; a test points it at a modified copy): `make test` never
# writes a tracked file.
REGS_DOC ?= docs/registers.md
regs-check: $(VENV)/.ok
	@mkdir -p $(GEN)
	@$(VENV)/bin/peakrdl markdown $(RDL) -o $(GEN)/registers.md
	@cmp -s $(GEN)/registers.md $(REGS_DOC) || \
	  { echo "$(REGS_DOC) is stale: run 'make regs' and commit it"; exit 1; }
	@echo "regs-check: $(REGS_DOC) matches $(RDL)"

# regs-check can fail: a copy of the committed file with one line changed
# must be reported stale, the unchanged copy must pass.
regs-check-selftest: $(VENV)/.ok
	@t=$$(mktemp -d) && trap 'rm -rf "$$t"' EXIT && \
	cp docs/registers.md "$$t/registers.md" && \
	$(MAKE) --no-print-directory -s regs-check REGS_DOC="$$t/registers.md" > /dev/null && \
	echo "stale line" >> "$$t/registers.md" && \
	if $(MAKE) --no-print-directory -s regs-check REGS_DOC="$$t/registers.md" > "$$t/out" 2>&1; \
	then echo "regs-check-selftest: FAIL: a stale copy passed regs-check"; exit 1; \
	else grep -q "is stale" "$$t/out" || { cat "$$t/out"; exit 1; }; fi && \
	echo "regs-check-selftest: a stale docs/registers.md fails regs-check"

# Checks run once, not per configuration: the register documentation, the
# extra linters (verible lint and format, cppcheck, clang-tidy), a short fuzzing
# pass with its self-test, the proof that a build with a test-only RTL fault
# fails the regression with working repro lines, and the regression through a
# private single-node Slurm (skipped where it cannot run).
test-once:
	@$(MAKE) --no-print-directory regs-check regs-check-selftest
	python3 tools/check_refs.py
	@$(MAKE) --no-print-directory test-gen-cfg
	@$(MAKE) --no-print-directory lint-verible lint-c format-check FORMAT_STRICT=1
	@$(MAKE) --no-print-directory sanitize-smoke
	@$(MAKE) --no-print-directory fuzz-smoke fuzz-selftest
	@# one after the other: both build the acc_sign fault variant (one folder);
	@# on the small build of the sanitizer pass: a fault is in the RTL, not in
	@# the configuration, and two 256 x 256 variants cost minutes of compiling
	@$(MAKE) --no-print-directory regress-fault-check $(SAN_PARAMS)
	@$(MAKE) --no-print-directory regress-fault-check-selftest $(SAN_PARAMS)
	@$(MAKE) --no-print-directory slurm-check

# Set-up and the shared generated files first, once: the two configurations
# then build side by side without racing on apt, the venv or build/gen.
test:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory deps regs-gen net-float && \
	$(MAKE) --no-print-directory -j2 -Otarget test-default test-alt && \
	$(MAKE) --no-print-directory test-once && \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)

# ---------------------------------------------------------------- more jobs
# Benchmarks, regressions, waves and coverage keep their rules in mk/.
include $(sort $(wildcard mk/*.mk))

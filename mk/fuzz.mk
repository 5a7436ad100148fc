# mk/fuzz.mk: libFuzzer targets (sw/fuzz/fuzz_<name>.c) built with clang 14,
# ASan and UBSan into build/fuzz/, and their replay under gcc's sanitizers.
# Included by the Makefile; uses its variables ($(CMODEL_SRC), $(BUILD), ...).
#
#   make fuzz FUZZ_S=600        every target for FUZZ_S seconds, summary table
#   make fuzz FUZZ_TARGETS=csv  one target
#   make fuzz-smoke             a few seconds each, the regressions replayed (make test)
#   make fuzz-selftest          a build with a test-only fault must fail for its reason
#   make fuzz-replay            the seeds and regressions under gcc's ASan and UBSan

# ---------------------------------------------------------------- knobs
# Targets to run, seconds each, libFuzzer's seed, memory (MB) and per-input
# time (s) limits, targets run at once.
FUZZ_TARGETS ?= csv device idx net energy array twin
FUZZ_S       ?= 60
FUZZ_SEED    ?= 1
FUZZ_RSS_MB  ?= 2048
FUZZ_TIMEOUT ?= 10
FUZZ_JOBS    ?= 2
# Seconds per target of fuzz-smoke (make test).
FUZZ_SMOKE_S ?= 3
FUZZ_CC      ?= clang-14

FUZZ_ALL     := csv device idx net energy array twin
FUZZ         := build/fuzz
FUZZ_DEPS_OK := build/.deps-fuzz-ok
# What the targets test: the C model and the host-side file readers.
FUZZ_LIB_SRC := $(CMODEL_SRC) sw/host/csv.c sw/host/cim_outfile.c sw/host/idx.c \
                sw/host/cim_net.c sw/host/cim_energy.c

FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -MMD -MP \
                -fno-omit-frame-pointer
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CPPFLAGS := -Icmodel -Isw/host -Isw/fw -DCIM_ENERGY_DIR='"$(CURDIR)/sw/energy"'
FUZZ_RUN     = python3 tools/fuzz.py --bin $(FUZZ)/bin --work $(FUZZ) --seed $(FUZZ_SEED) \
               --rss-mb $(FUZZ_RSS_MB) --timeout $(FUZZ_TIMEOUT) --jobs $(FUZZ_JOBS)

fuzz_obj = $(patsubst %.c,$(FUZZ)/o/%.o,$(1))
# the targets' own objects are not intermediates to delete
.SECONDARY: $(call fuzz_obj,$(wildcard sw/fuzz/*.c)) $(call obj,$(wildcard sw/fuzz/*.c))

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-selftest fuzz-replay fuzz-replay-run fuzz-help

fuzz-help:
	@echo "Fuzzing (mk/fuzz.mk; clang-14 and libclang-rt-14-dev installed if missing):"
	@echo "  fuzz         each of FUZZ_TARGETS='$(FUZZ_TARGETS)' for FUZZ_S=$(FUZZ_S) s"
	@echo "               (FUZZ_SEED=$(FUZZ_SEED), FUZZ_RSS_MB=$(FUZZ_RSS_MB), FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) s,"
	@echo "               FUZZ_JOBS=$(FUZZ_JOBS)); prints executions, and the repro line of a crash"
	@echo "  fuzz-smoke   $(FUZZ_SMOKE_S) s per target and the regressions (make test)"
	@echo "  fuzz-selftest  builds with a test-only fault must fail for their reason (make test)"
	@echo "  fuzz-replay  seeds and regressions under gcc's ASan and UBSan (make sanitize-smoke)"

$(FUZZ_DEPS_OK): tools/install_deps.sh | $(DEPS)
	sh tools/install_deps.sh fuzz
	@mkdir -p $(@D)
	@touch $@

# Library objects get coverage instrumentation (fuzzer-no-link); the linker
# takes from the archive only what a target calls.
$(FUZZ)/o/%.o: %.c | $(FUZZ_DEPS_OK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_CPPFLAGS) -c $< -o $@

$(FUZZ)/libcim.a: $(call fuzz_obj,$(FUZZ_LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(FUZZ)/bin/fuzz_%: $(FUZZ)/o/sw/fuzz/fuzz_%.o $(FUZZ)/libcim.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lz -lm

-include $(shell find $(FUZZ)/o -name '*.d' 2>/dev/null)

fuzz-build: $(patsubst %,$(FUZZ)/bin/fuzz_%,$(FUZZ_TARGETS))

# New inputs go to build/fuzz/<target>/corpus (libFuzzer's first folder),
# never into the seeds in sw/fuzz/corpus/ (the second): no tracked file moves.
fuzz: fuzz-build
	$(FUZZ_RUN) --seconds $(FUZZ_S) $(FUZZ_TARGETS)

# From the seeds alone, in a folder of its own: a campaign's large corpus
# would make the first pass over it longer than the smoke's seconds.
fuzz-smoke:
	@$(MAKE) --no-print-directory -j2 fuzz-build FUZZ_TARGETS="$(FUZZ_ALL)"
	@$(FUZZ_RUN) --work $(FUZZ)/smoke --fresh --seconds $(FUZZ_SMOKE_S) $(FUZZ_ALL)

# Each fault is built into the csv target (fuzz.h) and must fail it with its
# own message; the same target without a fault passes fuzz-smoke.
$(FUZZ)/selftest/fuzz_csv_%: sw/fuzz/fuzz_csv.c sw/fuzz/fuzz.h $(FUZZ)/libcim.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $(FUZZ_CPPFLAGS) -DFUZZ_FAULT_$* \
	  -o $@ $< $(FUZZ)/libcim.a -lz -lm

fuzz-selftest: $(FUZZ)/selftest/fuzz_csv_EMPTY_MSG $(FUZZ)/selftest/fuzz_csv_NONDET
	@$(FUZZ_RUN) --bin $(FUZZ)/selftest --suffix _EMPTY_MSG --seconds 5 \
	  --expect "error [0-9]+ with an empty message" csv
	@$(FUZZ_RUN) --bin $(FUZZ)/selftest --suffix _NONDET --seconds 5 \
	  --expect "nondeterministic: two runs of one input differ" csv
	@echo "fuzz-selftest: each injected fault fails the csv target for its own reason"

# ---------------------------------------------------------------- gcc replay
# The same targets under gcc's ASan and UBSan (the sanitizer build's own
# objects) with a main() that replays files: the seeds and every regression,
# without clang. sanitize-smoke runs it.
FUZZ_GCC_LIB := $(BUILD)/fuzz/libcim.a
$(FUZZ_GCC_LIB): $(call obj,$(FUZZ_LIB_SRC))
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/replay_%: $(call obj,sw/fuzz/fuzz_%.c sw/fuzz/fuzz_replay.c) $(FUZZ_GCC_LIB)
	gcc -o $@ $^ $(SAN_FLAGS) -lz -lm

fuzz-replay:
	@$(MAKE) --no-print-directory -j2 SANITIZE=1 $(SAN_PARAMS) fuzz-replay-run

fuzz-replay-run: $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_ALL))
	@for t in $(FUZZ_ALL); do \
	  TMPDIR=$(BUILD)/fuzz $(BUILD)/fuzz/replay_$$t sw/fuzz/corpus/$$t sw/fuzz/regress/$$t \
	    > $(BUILD)/fuzz/replay_$$t.log 2>&1 || \
	  { cat $(BUILD)/fuzz/replay_$$t.log; echo "fuzz-replay: FAIL: $$t"; \
	    echo "  repro: $(BUILD)/fuzz/replay_$$t FILE (the input named above)"; exit 1; }; \
	  tail -n 1 $(BUILD)/fuzz/replay_$$t.log; \
	done

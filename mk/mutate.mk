# mk/mutate.mk: mutation testing of the testbench (tools/mutate.py). A
# campaign of its own, not part of `make test`.
#
#   make mutate [MUTANTS=N] [MUTATE_SEED=S] [JOBS=J]   N seeded RTL mutants, each
#                         built in its own folder and run against every check_cim
#                         suite and MUTATE_REGRESS regression seeds; report and
#                         score under build/mutate/
#   make mutate MUTATE_RESUME=1   the same, kills of the last run taken from its logs
#   make mutate-one MUTANT=<id>   one mutant again, its build folder kept
#   make mutate-sites             every mutation site of the RTL, with its id
#   make mutate-report            the last report again, with today's equivalence list
#
# Mutants build the small configuration of the sanitizer pass: the C and C++
# objects come from its base build, only the verilated model is built again.

MUTANTS        ?= 80
MUTATE_SEED    ?= 1
# Regression seeds (tools/regress.py) per mutant, after the suites.
MUTATE_REGRESS ?= 30
MUTANT         ?=
# 1: take kills and stillbirths from the logs of an earlier campaign (a kill
# stands while tests are only added); survivors and new mutants run.
MUTATE_RESUME  ?= 0
MUTATE_PARAMS  ?= $(SAN_PARAMS)
MUTATE = $(PY) tools/mutate.py

.PHONY: mutate mutate-one mutate-sites mutate-report mutate-run mutate-one-run
mutate:
	@$(MAKE) --no-print-directory -j2 $(MUTATE_PARAMS) mutate-run

mutate-one:
	@[ -n "$(MUTANT)" ] || { echo "make mutate-one: say which, MUTANT=<id>"; exit 1; }
	@$(MAKE) --no-print-directory -j2 $(MUTATE_PARAMS) mutate-one-run

mutate-sites: $(VENV)/.ok
	@$(MUTATE) sites

# The last campaign's report again, against today's equivalence list.
mutate-report: $(VENV)/.ok
	@$(MUTATE) report

mutate-run: $(CHECK_CIM) $(CIM_MVM) $(VENV)/.ok
	$(MUTATE) run --base $(BUILD) --mutants $(MUTANTS) --seed $(MUTATE_SEED) --jobs $(JOBS) \
	  --seeds $(MUTATE_REGRESS) $(if $(filter 1,$(MUTATE_RESUME)),--resume)

mutate-one-run: $(CHECK_CIM) $(CIM_MVM) $(VENV)/.ok
	$(MUTATE) one --base $(BUILD) --id $(MUTANT) --seeds $(MUTATE_REGRESS)

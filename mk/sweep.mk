# mk/sweep.mk: accuracy sweeps of one device parameter (tools/sweep.py).

# Which parameters `make sweep` runs (comma-separated).
SWEEP ?= read_noise,drift,stuck,wire,adc_bits

.PHONY: sweep sweep-smoke

# Full size on the default macro: CSV and PNG per parameter under $(BUILD)/sweep.
sweep: $(CIM_MVM)
	python3 tools/sweep.py --build $(BUILD) --out $(BUILD)/sweep --param $(SWEEP)

# Small size, run by `make test`: every point's twin must pass and each error
# must grow with its parameter (tools/sweep.py states the rule; --self-test
# shows it fails on a sequence that dips between its ends).
sweep-smoke: $(CIM_MVM)
	python3 tools/sweep.py --build $(BUILD) --out $(BUILD)/sweep-smoke --self-test
	python3 tools/sweep.py --build $(BUILD) --out $(BUILD)/sweep-smoke --size small \
	  --param read_noise,drift,stuck,wire --check-trend

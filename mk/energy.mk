# mk/energy.mk: energy per MVM by component (tools/energy.py, cim_energy.h).

# The parameter sets (sw/energy/NAME.energy) and devices `make energy` runs.
ENERGY_PARAMS  ?= neurram_130nm,neurosim_22nm
ENERGY_DEVICES ?= ideal,default

.PHONY: energy
# One full-size MVM run per parameter set and device: CSV and a stacked-bar
# PNG under $(BUILD)/energy.
energy: $(CIM_MVM)
	python3 tools/energy.py --build $(BUILD) --params $(ENERGY_PARAMS) --devices $(ENERGY_DEVICES)

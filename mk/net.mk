# mk/net.mk: the network workload (issue: Fashion-MNIST through the macro).
#
# The float MLP is trained once per seed (configuration-independent, cached
# in build/net/), then quantized for this build's W_BITS and X_BITS into a
# network file (sw/host/cim_net.h) in the build folder, with the integer
# model's class of every test image beside it. `make net-ref` checks the C
# integer reference against that, image for image, on the whole test set.

NET_DATA   ?= /usr/share/datasets/fashion-mnist
NET_SEED   ?= 1
NET_HIDDEN ?= 128
NET_MODEL  := build/net/fmnist_mlp_h$(NET_HIDDEN)_s$(NET_SEED).npz
NET_FILE   := $(BUILD)/net/fmnist_mlp_h$(NET_HIDDEN)_s$(NET_SEED).net
NET_PRED   := $(NET_FILE:.net=.pred)
CIM_NET    := $(BUILD)/cim_net
NET_SRC    := $(wildcard sw/net/*.c)

.PHONY: net-float net-model net-ref net-ref-selftest net-rtl-smoke

$(VENV)/.net-ok: tools/requirements-net.txt | $(VENV)/.ok
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tools/requirements-net.txt
	touch $@

# One BLAS thread: the training is then the same bits for a seed on any machine.
$(NET_MODEL): tools/net_train.py | $(VENV)/.net-ok $(DEPS)
	OPENBLAS_NUM_THREADS=1 $(PY) tools/net_train.py train --data $(NET_DATA) \
	  --seed $(NET_SEED) --hidden $(NET_HIDDEN) --out $@

$(NET_FILE) $(NET_PRED) &: $(NET_MODEL) tools/net_train.py | $(VENV)/.net-ok
	OPENBLAS_NUM_THREADS=1 $(PY) tools/net_train.py quantize --model $(NET_MODEL) \
	  --data $(NET_DATA) --w-bits $(W_BITS) --x-bits $(X_BITS) --out $(NET_FILE) --pred $(NET_PRED)

net-float: $(NET_MODEL)
net-model: $(NET_FILE)

$(CIM_NET): $(call obj,$(NET_SRC)) $(SIM_OBJ) $(VLIB)
	g++ -o $@ $^ $(VOBJ)/verilated*.o $(LDLIBS)

# The integer reference in C equals the one in numpy on every test image.
net-ref: $(CIM_NET) $(NET_FILE)
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --compare $(NET_PRED)

# net-ref can fail: one class changed in a copy of PRED must fail it (exit 1,
# naming the image), the unchanged copy must pass.
net-ref-selftest: $(CIM_NET) $(NET_FILE)
	@t=$$(mktemp -d) && trap 'rm -rf "$$t"' EXIT && \
	cut -c1-41 $(NET_PRED) > "$$t/head" && \
	c=$$(cut -c42 $(NET_PRED)) && \
	{ cat "$$t/head" | tr -d '\n'; echo $$(( (c + 1) % 10 )) | tr -d '\n'; cut -c43- $(NET_PRED); } > "$$t/pred" && \
	if $(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --compare "$$t/pred" > "$$t/out" 2>&1; \
	then cat "$$t/out"; echo "net-ref-selftest: FAIL: a changed class passed"; exit 1; \
	else grep -q "FAIL, 1 images differ, the first image 41" "$$t/out" || { cat "$$t/out"; exit 1; }; fi && \
	echo "net-ref-selftest: one changed class (image 41) fails net-ref"

# The RTL on the network (make test): 200 images on the ideal device must be
# classed as the integer reference image for image, every MVM twin- and
# exact-checked; 50 on the default device with the twin exact; and an
# output bit flipped on the bus (CIM_INJECT) must fail the run.
# A small macro tiles the network into many MVMs: NET_RTL_BUDGET bounds them.
NET_RTL_IMAGES ?= 200
NET_RTL_BUDGET ?= 6000
# The ideal device programmed front door (the default) must equal the
# integer reference image for image; the default device (back door: its
# front door is the campaign's, about 40 s) keeps the twin exact; stuck
# cells under ideal switching are compensated on the front door.
# Bit-identical results across runs, waves, quanta, regression jobs and the
# network's process split; clean stops on SIGINT (sw/tests/test_repro.py).
.PHONY: repro-check
repro-check: $(CIM_MVM) $(CHECK_CIM) $(CIM_NET) $(NET_FILE)
	python3 sw/tests/test_repro.py $(BUILD) $(NET_FILE)

net-rtl-smoke: $(CIM_NET) $(NET_FILE)
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images $(NET_RTL_IMAGES) --rtl \
	  --mvm-budget $(NET_RTL_BUDGET)
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 50 --rtl --device default \
	  --program backdoor --mvm-budget $(NET_RTL_BUDGET)
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 20 --rtl --device ideal \
	  --set stuck_gmin_rate=0.01 --set stuck_gmax_rate=0.01 --compensate \
	  --mvm-budget $(NET_RTL_BUDGET) | tee $(BUILD)/net/comp.log
	@# every failed cell is mended, clamped or one of a pair failed on both sides
	@awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($$i, kv, "="); v[kv[1]] = kv[2] } } \
	  END { n = v["comp_exact"] + v["comp_clamped"] + 2 * v["comp_both"]; \
	        if (v["prog_failed"] == "" || n != v["prog_failed"]) { \
	          print "net-rtl-smoke: FAIL: compensation accounted for " n " of " \
	                v["prog_failed"] " failed cells"; exit 1 } \
	        print "net-rtl-smoke: compensation accounted for all " n " failed cells" }' \
	  $(BUILD)/net/comp.log
	@# a build of a few rows may lose them all to the drawn defects: 16 at least
	@if [ $(ROWS) -ge 16 ]; then \
	  $(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 2 --rtl --device ideal \
	    --set unformed_row_rate=0.05 --set leaky_row_rate=0.01 --set leaky_row_frac=0.1 \
	    --map-bad-lines --mvm-budget $(NET_RTL_BUDGET) | tee $(BUILD)/net/map.log && \
	  grep -q "map-bad-lines: .* found" $(BUILD)/net/map.log || \
	  { echo "net-rtl-smoke: FAIL: --map-bad-lines"; exit 1; }; \
	else echo "net-rtl-smoke: --map-bad-lines skipped: $(ROWS) rows"; fi
	@if CIM_INJECT=out:0:0 $(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 1 --rtl \
	    --program backdoor > $(BUILD)/net/inject.log 2>&1; then \
	  cat $(BUILD)/net/inject.log; echo "net-rtl-smoke: FAIL: a flipped output bit passed"; exit 1; \
	else grep -q "twin FAIL" $(BUILD)/net/inject.log && grep -q "^reproduce: CIM_INJECT=out:0:0 " \
	  $(BUILD)/net/inject.log || { cat $(BUILD)/net/inject.log; exit 1; }; fi
	@echo "net-rtl-smoke: a flipped output bit fails the run, with its repro line"
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 10 --rtl --device adc --calibrate \
	  --program backdoor --mvm-budget $(NET_RTL_BUDGET)
	$(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --images 50 --cmodel \
	  --mvm-budget $(NET_RTL_BUDGET)
	@# bad input: exit 2 with a message that names it
	@for bad in "--program sideways" "--compensate --program backdoor" \
	    "--map-bad-lines --program backdoor" "--device nope" "--images 0" "--first 10000" \
	    "--mvm-budget -3" "--age -1" "--set read_noise" "--set read_nois=0.1"; do \
	  $(CIM_NET) --net $(NET_FILE) --data $(NET_DATA) --rtl $$bad > $(BUILD)/net/bad.log 2>&1; \
	  rc=$$?; opt=$${bad%% *}; opt=$${opt#--}; \
	  if [ $$rc != 2 ] || ! grep -q -- "$$opt" $(BUILD)/net/bad.log; then \
	    cat $(BUILD)/net/bad.log; echo "net-rtl-smoke: FAIL: '$$bad' gave exit $$rc"; exit 1; fi; \
	done
	@if $(CIM_NET) --net $(NET_DATA)/t10k-labels-idx1-ubyte.gz > $(BUILD)/net/bad.log 2>&1; \
	  then echo "net-rtl-smoke: FAIL: a gzip file read as a network"; exit 1; fi; \
	  grep -q "not a network file" $(BUILD)/net/bad.log || { cat $(BUILD)/net/bad.log; exit 1; }
	@echo "net-rtl-smoke: bad options and a non-network file give exit 2, named"
	$(PY) tools/net_run.py --build $(BUILD) --net $(NET_FILE) --data $(NET_DATA) --images 4 \
	  --jobs 1 --sweep stuck --program backdoor --sweep-dir $(BUILD)/net/sweep-smoke

# The campaign: NET_IMAGES test images (all 10,000 by default) over JOBS
# processes (mk/verif.mk: the CPUs), on each of NET_DEVICES; table and CSV
# (tools/net_run.py).
NET_IMAGES  ?= 10000
NET_DEVICES ?= all
.PHONY: mnist
mnist: $(CIM_NET) $(NET_FILE)
	$(PY) tools/net_run.py --build $(BUILD) --net $(NET_FILE) --data $(NET_DATA) \
	  --images $(NET_IMAGES) --jobs $(JOBS) --devices $(NET_DEVICES) --out $(BUILD)/net/mnist.csv

# Accuracy against read noise, drift time, stuck-at rate, ADC noise and ADC
# bits (one build per point): NET_SWEEP_IMAGES per point, CSV and PNG in
# $(BUILD)/net/.
NET_SWEEP        ?= read_noise,drift,stuck,adc_noise,adc_bits
NET_SWEEP_IMAGES ?= 500
.PHONY: mnist-sweep
mnist-sweep: $(CIM_NET) $(NET_FILE)
	$(PY) tools/net_run.py --build $(BUILD) --net $(NET_FILE) --data $(NET_DATA) \
	  --images $(NET_SWEEP_IMAGES) --jobs $(JOBS) --sweep $(NET_SWEEP) --sweep-dir $(BUILD)/net

# make bench (mk/bench.mk) runs the network too: RTL against C model, images/s.
bench: $(CIM_NET) $(NET_FILE)

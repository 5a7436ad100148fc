/* fuzz_energy.c: the energy parameter file reader (sw/host/cim_energy.h)
 * on any text, and the energy sums on what it accepts.
 *
 * The input is the file. Properties, besides ASan and UBSan:
 *  - an error has a message;
 *  - accepted parameters are finite, >= 0, with a clock > 0 (the header's
 *    promise), and give finite, non-negative energies for a fixed activity;
 *  - two runs of one input give the same transcript. */
#include <math.h>
#include <string.h>

#include "cim_energy.h"
#include "fuzz.h"

/* cim_energy.c reads the macro's counters through the driver; these
 * targets never reach a bus, so the two driver calls are stubs here. */
int cim_activity_read(cim_dev *dev, cim_activity *now) {
  (void)dev;
  memset(now, 0, sizeof *now);
  return CIM_OK;
}

void cim_activity_add_delta(cim_activity *acc, const cim_activity *mark, const cim_activity *now) {
  (void)acc;
  (void)mark;
  (void)now;
}

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  cim_energy_params p;
  memset(&p, 0, sizeof p);
  char err[256] = "";
  const int st = cim_energy_load(fuzz_file(data, size), &p, err, sizeof err);
  fuzz_msg(st, err, "cim_energy_load");
  fuzz_int(o, st);
  fuzz_str(o, err);
  if (st != 0) return;
  const double v[] = {p.node_nm,         p.clock_mhz,         p.adc_fj_c0, p.adc_fj_c1,
                      p.adc_fj_c2,       p.wl_cap_ff_fixed,   p.wl_cap_ff_per_col,
                      p.wl_v,            p.shift_add_fj,      p.buffer_fj_per_word};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    if (!isfinite(v[i]) || v[i] < 0.0) fuzz_fail("parameter %zu is %g", i, v[i]);
    fuzz_real(o, v[i]);
  }
  if (!(p.clock_mhz > 0.0)) fuzz_fail("clock_mhz %g accepted", p.clock_mhz);

  /* one MVM's worth of activity on a 256-column, 8-bit build */
  cim_energy_activity a;
  memset(&a, 0, sizeof a);
  a.act.conversions = 512;
  a.act.wordlines = 1024;
  a.act.shift_adds = 512;
  a.act.busy = 2000;
  a.buffer_words = 100;
  a.macs = 65536;
  a.model.e_drive_j = 1e-12;
  a.adc_bits = 8;
  a.sense_bits = 8;
  a.cols = 256;
  cim_energy e;
  cim_energy_compute(&p, &a, &e);
  const double r[] = {e.array_j, e.adc_j, e.drivers_j, e.digital_j, e.program_j,
                      e.total_j, e.mvm_j, e.latency_s, e.tops_per_w};
  for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
    if (isnan(r[i]) || r[i] < 0.0) fuzz_fail("energy result %zu is %g", i, r[i]);
    fuzz_real(o, r[i]);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "energy");
}

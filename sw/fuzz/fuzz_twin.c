/* fuzz_twin.c: the periphery twin (cmodel/cim_golden.h) on random jobs and
 * random logs. The twin is configuration-free C (the build's parameters
 * reach it only through the array's geometry and the job), so the input
 * chooses the geometry as well.
 *
 * Input: a small array and its weights, a job (ADC calibrations, row and
 * column enables, inputs; mostly legal, some not), then a mode:
 *  0: the controller's sequence (cim_seq_run), then the twin;
 *  1: the sequence, then random extra drives, conversions or a clear;
 *  2: a log of random drives and conversions only.
 * Properties, besides ASan and UBSan:
 *  - every error (job refused, sequence broken) has a message;
 *  - after the sequence alone the twin accepts the log (the contract);
 *  - there, on the ideal device with identity calibrations, every line
 *    enabled and no code that can clip, acc is the exact MVM;
 *  - y is cim_requant(acc) whenever the twin accepts;
 *  - two runs of one input give the same transcript. */
#include <string.h>

#include "cim_golden.h"
#include "cim_map.h"
#include "cim_seq.h"
#include "fuzz.h"

enum { MAX_ROWS = 24, MAX_COLS = 48 };

static void random_phase(fuzz_in *in, rram_array *a, int rows, int cols, int per_adc) {
  if (fuzz_u8(in) & 1u) {
    uint32_t wl = fuzz_u32(in), sel = wl | fuzz_u32(in);
    if (rows < 32) {
      wl &= (1u << rows) - 1u;
      sel &= (1u << rows) - 1u;
    }
    (void)rram_array_drive_rows(a, &sel, &wl, 1);
  } else {
    int code;
    const int c = (int)(fuzz_u8(in) % (unsigned)cols);
    (void)rram_array_convert(a, c / per_adc, c, &code);
  }
}

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  fuzz_in in = {data, size};
  rram_geometry geo;
  geo.rows = 1 + (int)(fuzz_u8(&in) % MAX_ROWS);
  geo.cols = 2 + (int)(fuzz_u8(&in) % (MAX_COLS - 1));
  geo.cell_bits = 1 + (int)(fuzz_u8(&in) % 4u);
  geo.adc_bits = 1 + (int)(fuzz_u8(&in) % 16u);
  geo.cols_per_adc = 1 + (int)(fuzz_u8(&in) % (unsigned)geo.cols);
  const int w_bits = 1 + (int)(fuzz_u8(&in) % 8u);
  const int ideal = !(fuzz_u8(&in) & 3u);
  rram_device dev;
  const char *const *presets = rram_device_presets();
  size_t n_presets = 0;
  while (presets[n_presets]) n_presets++;
  if (n_presets == 0) fuzz_fail("no device presets");
  if (ideal) rram_device_ideal(&dev);
  else if (rram_device_preset(presets[fuzz_u8(&in) % n_presets], &dev) != RRAM_OK)
    fuzz_fail("a listed preset is refused");
  rram_array *a = NULL;
  if (rram_array_create(&geo, &dev, fuzz_u32(&in), &a) != RRAM_OK) fuzz_fail("create failed");

  /* weights for every output the array holds, rows 0..rows-1 */
  const int outs = cim_map_outputs(geo.cols, w_bits, geo.cell_bits);
  static int32_t W[MAX_COLS * MAX_ROWS];
  const int32_t wmax = (int32_t)((1u << (w_bits - 1)) - 1u), wmin = -wmax - 1;
  for (int i = 0; i < outs * geo.rows; i++) {
    const int32_t v = (int32_t)fuzz_u8(&in) - 128;
    W[i] = v < wmin ? wmin : v > wmax ? wmax : v;
  }
  if (outs > 0 && cim_map_load(a, W, outs, geo.rows, w_bits) != RRAM_OK)
    fuzz_fail("cim_map_load: %s", rram_array_errmsg(a));

  /* the job: in range unless fuzz_range says otherwise */
  cim_job job = {0};
  job.n_rows = fuzz_range(&in, 1, geo.rows);
  job.n_outs = fuzz_range(&in, 1, outs > 0 ? outs : 1);
  job.x_bits = fuzz_range(&in, 1, 16);
  job.is_signed = fuzz_u8(&in) & 1;
  job.group_rows = fuzz_range(&in, 1, geo.rows);
  job.relu = fuzz_u8(&in) & 1;
  job.shift = fuzz_range(&in, 0, 31);
  job.out_bits = fuzz_range(&in, 2, 32);
  const unsigned opts = fuzz_u8(&in);
  const int n_adcs = rram_array_num_adcs(a);
  cim_adc_cal cal[MAX_COLS];
  uint32_t row_en[1] = {0xffffffffu}, col_en[2] = {0xffffffffu, 0xffffffffu};
  for (int i = 0; i < n_adcs; i++) {
    cal[i] = CIM_ADC_CAL_IDENTITY;
    if (opts & 1u) {
      cal[i].offset_q4 = (int16_t)(fuzz_range(&in, -2048, 2047));
      cal[i].gain_q14 = (uint16_t)fuzz_u32(&in);
    }
  }
  if (opts & 1u) job.adc_cal = cal;
  if (opts & 2u) {
    row_en[0] = fuzz_u32(&in);
    job.row_en = row_en;
  }
  if (opts & 4u) {
    col_en[0] = fuzz_u32(&in);
    col_en[1] = fuzz_u32(&in);
    job.col_en = col_en;
  }
  /* x holds one input past the largest array, for a job one row too long */
  int32_t x[MAX_ROWS + 1];
  const int xb = job.x_bits >= 1 && job.x_bits <= 16 ? job.x_bits : 8;
  for (int r = 0; r <= MAX_ROWS; r++) {
    int32_t v = (int32_t)(fuzz_u32(&in) & ((1u << xb) - 1u));
    if (job.is_signed && v >= (1 << (xb - 1))) v -= 1 << xb;
    x[r] = fuzz_u8(&in) % 32u == 0 ? v + (1 << xb) : v; /* one in 32 does not fit */
  }
  if (job.n_rows > geo.rows + 1) job.n_rows = geo.rows + 1;

  const unsigned mode = (opts >> 4) % 3u;
  int seq = RRAM_OK;
  if (mode < 2) {
    seq = cim_seq_run(a, w_bits, &job, x);
    if (seq != RRAM_OK) {
      const char *m = rram_array_errmsg(a);
      if (!m[0] || strcmp(m, "success") == 0) fuzz_fail("cim_seq_run: error %d, no message", seq);
      fuzz_str(o, m);
    }
  } else {
    rram_array_log_clear(a);
  }
  if (mode > 0)
    for (unsigned i = fuzz_u8(&in) % 8u + (mode == 2 ? 1u : 0u); i > 0; i--)
      random_phase(&in, a, geo.rows, geo.cols, geo.cols_per_adc);
  if (mode > 0 && fuzz_u8(&in) % 16u == 0) rram_array_log_clear(a);

  int64_t acc[MAX_COLS];
  int32_t y[MAX_COLS];
  char err[512] = "";
  const int st = cim_twin_run(a, w_bits, &job, x, acc, y, err, sizeof err);
  fuzz_msg(st, err, "cim_twin_run");
  fuzz_int(o, seq);
  fuzz_int(o, st);
  fuzz_str(o, err);
  if (mode == 0 && seq == RRAM_OK && st != RRAM_OK)
    fuzz_fail("the twin refuses the sequence's own log: %s", err);
  if (st == RRAM_OK) {
    for (int j = 0; j < job.n_outs; j++)
      if (y[j] != cim_requant(acc[j], &job)) fuzz_fail("y[%d] is not requant(acc)", j);
    fuzz_put(o, acc, (size_t)job.n_outs * sizeof *acc);
    fuzz_put(o, y, (size_t)job.n_outs * sizeof *y);
    const int levels = (1 << geo.cell_bits) - 1;
    const int no_clip = (long)job.group_rows * levels <= (1L << geo.adc_bits) - 1;
    if (mode == 0 && ideal && !(opts & 7u) && no_clip) {
      int64_t exact[MAX_COLS];
      static int32_t Wk[MAX_COLS * MAX_ROWS]; /* W restricted to the job's rows */
      for (int j = 0; j < job.n_outs; j++)
        for (int r = 0; r < job.n_rows; r++) Wk[j * job.n_rows + r] = W[j * geo.rows + r];
      cim_mvm_exact(Wk, x, job.n_outs, job.n_rows, exact);
      for (int j = 0; j < job.n_outs; j++)
        if (acc[j] != exact[j])
          fuzz_fail("ideal device: acc[%d] %lld, exact %lld", j, (long long)acc[j],
                    (long long)exact[j]);
    }
  }
  rram_array_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "twin");
}

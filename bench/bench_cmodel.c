/* bench_cmodel.c: the benchmark workload on the C model and the twin alone,
 * no RTL: the functional upper bound; and the analog model's evaluation
 * rate.
 *
 * Workload (same data as bench_mvm, bench_common.h): per MVM, cim_seq_run()
 * drives and converts the array as the controller does, the twin turns the
 * logged codes into outputs, and those are checked against the exact MVM.
 * The digests are comparable with bench_mvm's: the outputs and the ADC log
 * must be the same as the RTL's (there are no DUT cycles here).
 *
 * Analog rate: D wordline drives (rram_array_drive_rows: one evaluation of
 * every bitline current per phase), timed alone. A cell evaluation is one
 * cell on a driven wordline contributing to its bitline: popcount(wl) x
 * cols per drive. Two patterns: `group` (a row group of P_MAX rows
 * selected, each input bit 1 with probability 1/2: the workload's phases)
 * and `dense` (every row of the array selected, probability 1/2). With
 * connected rows under IR drop the time includes the transfer builds of the
 * groups driven (rram_ir.h), once each. --device adds the same figures for a device
 * preset or file, or for every preset (`all`), each time-bounded
 * (--analog-seconds).
 *
 * Prints `BENCH variant=cmodel ...` and `ANALOG pattern=... evals_per_s=...`. */
#include <getopt.h>
#include <stdlib.h>

#include "bench_common.h"
#include "cim_cfg.h"
#include "cim_check.h"
#include "cim_verify.h"
#include "cim_golden.h"
#include "cim_map.h"
#include "cim_seq.h"

/* With the device model (rram_device.h), --device PRESET|FILE measures the
 * analog rate with that device as well; the workload stays ideal (the exact
 * check needs it). */
#if defined(__has_include)
#if __has_include("rram_device.h")
#include "rram_device.h"
#define BENCH_HAVE_DEVICE_LOAD 1
#endif
#endif


/* D drives (fewer if they take longer than max_seconds) of pattern rows
 * first..first+span-1 (bit probability 1/2), 64 pregenerated patterns in
 * rotation; prints one ANALOG line. */
static int analog_rate(rram_array *a, const char *name, int first, int span, long drives,
                       double max_seconds, uint64_t seed, const char *device) {
  const rram_geometry *g = rram_array_geometry(a);
  size_t words = ((size_t)g->rows + 31) / 32;
  enum { NPAT = 64 };
  uint32_t *pat = calloc(2 * NPAT * words, sizeof *pat), *sel = pat + NPAT * words;
  if (!pat) return -1;
  uint64_t s = seed ^ 0xA4A106ull, ones = 0;
  int ones_pat[NPAT];
  for (int p = 0; p < NPAT; p++) {
    ones_pat[p] = 0;
    int base = span < g->rows ? (int)(bench_rng_next(&s) % (uint64_t)(g->rows / span)) * span : 0;
    if (first >= 0) base = first;
    for (int r = base; r < base + span && r < g->rows; r++) {
      sel[(size_t)p * words + (size_t)r / 32] |= 1u << (r % 32);
      if (bench_rng_next(&s) & 1u) {
        pat[(size_t)p * words + (size_t)r / 32] |= 1u << (r % 32);
        ones_pat[p]++;
      }
    }
  }
  double t0 = bench_now();
  long d;
  for (d = 0; d < drives; d++) {
    if ((d & 63) == 0) {
      rram_array_log_clear(a);
      if (d > 0 && bench_now() - t0 > max_seconds) break; /* slow devices: time-bounded */
    }
    int p = (int)(d % NPAT);
    if (rram_array_drive_rows(a, sel + (size_t)p * words, pat + (size_t)p * words, words) !=
        RRAM_OK) {
      fprintf(stderr, "bench_cmodel: drive: %s\n", rram_array_errmsg(a));
      free(pat);
      return -1;
    }
    ones += (uint64_t)ones_pat[p];
  }
  double dt = bench_now() - t0;
  drives = d;
  double evals = (double)ones * (double)g->cols;
  printf("ANALOG pattern=%s rows=%d cols=%d drives=%ld cell_evals=%.0f seconds=%.6f "
         "evals_per_s=%.4g ns_per_drive=%.1f device=%s\n",
         name, g->rows, g->cols, drives, evals, dt, evals / dt, 1e9 * dt / (double)drives, device);
  free(pat);
  return 0;
}

int main(int argc, char **argv) {
  int layers = 4, vectors = 50, x_bits = CIM_CFG_X_BITS, log_on = 0;
  const char *device = NULL;
  double analog_s = 0.2; /* per pattern and device, for --device */
  long drives = 200000;
  uint64_t seed = 1;
  rram_geometry geo = {CIM_CFG_ROWS, CIM_CFG_COLS, CIM_CFG_CELL_BITS, CIM_CFG_ADC_BITS,
                       CIM_CFG_COLS_PER_ADC};
  const int w_bits = CIM_CFG_W_BITS;
  int n = CIM_CFG_N_OUT, k = geo.rows;
  static const struct option lo[] = {{"layers", required_argument, NULL, 'l'},
                                     {"vectors", required_argument, NULL, 'v'},
                                     {"seed", required_argument, NULL, 's'},
                                     {"analog-drives", required_argument, NULL, 'd'},
                                     {"log-digest", no_argument, NULL, 'L'},
                                     {"device", required_argument, NULL, 'D'},
                                     {"analog-seconds", required_argument, NULL, 'T'},
                                     {NULL, 0, NULL, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
      case 'l': layers = atoi(optarg); break;
      case 'v': vectors = atoi(optarg); break;
      case 's': seed = strtoull(optarg, NULL, 10); break;
      case 'd': drives = atol(optarg); break;
      case 'L': log_on = 1; break;
      case 'D': device = optarg; break;
      case 'T': analog_s = atof(optarg); break;
      default:
        fprintf(stderr, "usage: bench_cmodel [--layers L] [--vectors V] [--seed S] "
                        "[--analog-drives D] [--log-digest]\n"
                        "                    [--device PRESET|FILE|all] [--analog-seconds S]\n");
        return 2;
    }
  }
  rram_device dev;
  rram_device_ideal(&dev);
  rram_array *a = NULL;
  int32_t *W = malloc((size_t)n * (size_t)k * sizeof *W), *x = malloc((size_t)k * sizeof *x);
  int32_t *y = malloc((size_t)n * sizeof *y);
  int64_t *acc = malloc((size_t)n * sizeof *acc), *y_exact = malloc((size_t)n * sizeof *y_exact);
  if (!W || !x || !y || !acc || !y_exact || rram_array_create(&geo, &dev, seed, &a) != RRAM_OK) {
    fprintf(stderr, "bench_cmodel: cannot set up the array model\n");
    return 3;
  }
  cim_job job = {.n_rows = k, .n_outs = n, .x_bits = x_bits, .out_bits = 32};
  job.group_rows = CIM_CFG_P_FIT < k ? CIM_CFG_P_FIT : k;
  cim_check chk;
  cim_check_init(&chk);
  cim_verify *ver = NULL;
  char why[200];
  if (cim_verify_create(a, W, n, k, w_bits, &ver) != CIM_OK) {
    fprintf(stderr, "bench_cmodel: out of memory\n");
    return 3;
  }
  const int exact = cim_verify_exact_applies(ver, &job, why, sizeof why);
  cim_verify_destroy(ver);
  uint64_t rng = seed, out_digest = BENCH_FNV_INIT, log_digest = BENCH_FNV_INIT;
  int done = 0;
  const int64_t wl = -((int64_t)1 << (w_bits - 1)), wh = ((int64_t)1 << (w_bits - 1)) - 1;
  double t0 = bench_now();
  for (int l = 0; l < layers; l++) {
    bench_fill(&rng, W, (size_t)n * (size_t)k, wl, wh);
    if (cim_map_load(a, W, n, k, w_bits) != RRAM_OK) {
      fprintf(stderr, "bench_cmodel: cim_map_load: %s\n", rram_array_errmsg(a));
      return 3;
    }
    for (int v = 0; v < vectors; v++) {
      bench_fill(&rng, x, (size_t)k, 0, ((int64_t)1 << x_bits) - 1);
      char err[256] = "";
      if (cim_seq_run(a, w_bits, &job, x) != RRAM_OK ||
          cim_twin_run(a, w_bits, &job, x, acc, y, err, sizeof err) != RRAM_OK) {
        fprintf(stderr, "bench_cmodel: MVM %d: %s %s\n", done, rram_array_errmsg(a), err);
        return 3;
      }
      cim_mvm_exact(W, x, n, k, y_exact);
      /* The twin's output stands in for the RTL's: the exact check applies. */
      cim_check_vector(&chk, &job, n, y, y, NULL, y_exact, exact ? NULL : why);
      for (int j = 0; j < n; j++) out_digest = bench_fnv_u32(out_digest, (uint32_t)y[j]);
      if (log_on) log_digest = bench_log_digest(log_digest, a);
      done++;
    }
  }
  double dt = bench_now() - t0;
  int pass = cim_check_passed(&chk);
  printf("BENCH variant=cmodel rows=%d cols=%d n=%d k=%d mvms=%d cycles=0 seconds=%.6f "
         "out_digest=%016" PRIx64 " log_digest=%016" PRIx64 " exact_fail=%" PRIu64
         " pass=%d maxrss_kib=%ld\n",
         geo.rows, geo.cols, n, k, done, dt, out_digest, log_digest, chk.exact_fail_vectors, pass,
         bench_maxrss_kib());
  if (drives > 0) {
    if (analog_rate(a, "group", -1, job.group_rows, drives, 1e9, seed, "ideal") != 0) return 3;
    if (analog_rate(a, "dense", 0, geo.rows, drives / 4 + 1, 1e9, seed, "ideal") != 0) return 3;
  }
  if (drives > 0 && device) {
#ifdef BENCH_HAVE_DEVICE_LOAD
    /* "all": every compiled-in preset but ideal, each effect alone and all. */
    const char *one[] = {device, NULL};
    const char *const *names = strcmp(device, "all") == 0 ? rram_device_presets() : one;
    for (; *names; names++) {
      if (strcmp(*names, "ideal") == 0 && names != one) continue;
      rram_device d2;
      rram_array *a2 = NULL;
      char err[256] = "";
      if (rram_device_load(*names, &d2, err, sizeof err) != RRAM_OK ||
          rram_array_create(&geo, &d2, seed, &a2) != RRAM_OK ||
          cim_map_load(a2, W, n, k, w_bits) != RRAM_OK) {
        fprintf(stderr, "bench_cmodel: device %s: %s\n", *names, err);
        return 3;
      }
      if (analog_rate(a2, "group", -1, job.group_rows, drives, analog_s, seed, *names) != 0 ||
          analog_rate(a2, "dense", 0, geo.rows, drives / 4 + 1, analog_s, seed, *names) != 0)
        return 3;
      rram_array_destroy(a2);
    }
#else
    fprintf(stderr, "bench_cmodel: --device: this cmodel has no rram_device_load()\n");
    return 2;
#endif
  }
  rram_array_destroy(a);
  free(W);
  free(x);
  free(y);
  free(acc);
  free(y_exact);
  return pass ? 0 : 1;
}

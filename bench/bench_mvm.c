/* bench_mvm.c: the benchmark workload through the RTL and the C firmware.
 *
 * The same source is linked twice: against the SystemC harness (tb/, as
 * shipped: bench_sc) and against the plain C++ harness (tb/plain/:
 * bench_plain). The firmware opens the macro with the driver, configures one
 * job, and for each MVM loads the inputs over APB, starts, waits (poll or
 * irq), reads the outputs over APB and checks them against the twin (fed
 * with the ADC codes of the run) and the exact MVM. A new random layer is
 * backdoor-loaded into the array model every --vectors MVMs.
 *
 * It prints one line, `BENCH key=value ...`: the timed MVM loop's DUT cycles
 * and wall seconds, digests of outputs, per-MVM cycles and, with --log-digest, ADC logs
 * (equal digests = identical runs; make test-harness compares them across
 * harnesses and quanta), the check counts and the peak RSS.
 * Exit status: 0 pass, 1 a golden check failed, 2 usage, 3 simulation. */
#include <getopt.h>
#include <stdlib.h>

#include "bench_common.h"
#include "cim_check.h"
#include "cim_driver.h"
#include "cim_cfg.h"
#include "cim_map.h"
#include "cim_sim.h"
#include "cim_verify.h"

#ifndef BENCH_HARNESS
#define BENCH_HARNESS "unknown"
#endif

typedef struct bench {
  /* options */
  int layers, vectors, n, k, x_bits, is_signed, group_rows;
  uint64_t seed;
  uint32_t quantum;
  cim_wait_mode wait;
  int w_bits;
  int log_digest_on; /* hash the ADC log of every MVM (not timed work: off in make bench) */
  /* state */
  rram_array *array;
  uint64_t rng;
  int32_t *W, *x, *y;
  cim_check chk;
  uint64_t out_digest, cyc_digest, log_digest;
  uint64_t loop_cycles;
  double loop_seconds;
  int done;
  char fail[512];
} bench;

static int64_t w_lo(const bench *b) { return -((int64_t)1 << (b->w_bits - 1)); }
static int64_t w_hi(const bench *b) { return ((int64_t)1 << (b->w_bits - 1)) - 1; }
static int64_t x_lo(const bench *b) { return b->is_signed ? -((int64_t)1 << (b->x_bits - 1)) : 0; }
static int64_t x_hi(const bench *b) {
  return b->is_signed ? ((int64_t)1 << (b->x_bits - 1)) - 1 : ((int64_t)1 << b->x_bits) - 1;
}

static int new_layer(bench *b) {
  bench_fill(&b->rng, b->W, (size_t)b->n * (size_t)b->k, w_lo(b), w_hi(b));
  return cim_map_load(b->array, b->W, b->n, b->k, b->w_bits);
}

static int fw_fail(bench *b, cim_dev *dev, const char *step, int st) {
  snprintf(b->fail, sizeof b->fail, "%s (MVM %d): %s: %s", step, b->done, cim_strerror(st),
           dev ? cim_errmsg(dev) : "");
  cim_close(dev);
  return 3;
}

static int firmware(mmio_bus *bus, void *arg) {
  bench *b = arg;
  cim_dev *dev = NULL;
  int st;
  if ((st = cim_open(bus, &dev)) != CIM_OK) return fw_fail(b, dev, "cim_open", st);
  cim_job job = {.n_rows = b->k, .n_outs = b->n, .x_bits = b->x_bits, .is_signed = b->is_signed,
                 .group_rows = b->group_rows, .out_bits = 32};
  if ((st = cim_configure(dev, &job)) != CIM_OK) return fw_fail(b, dev, "cim_configure", st);
  cim_verify *ver = NULL;
  if ((st = cim_verify_create(b->array, b->W, b->n, b->k, b->w_bits, &ver)) != CIM_OK)
    return fw_fail(b, dev, "cim_verify_create", st);
  cim_check_init(&b->chk);

  uint64_t c0 = mmio_cycles(bus);
  double t0 = bench_now();
  for (int l = 0; l < b->layers; l++) {
    if (new_layer(b) != RRAM_OK) {
      snprintf(b->fail, sizeof b->fail, "cim_map_load: %s", rram_array_errmsg(b->array));
      cim_verify_destroy(ver);
      cim_close(dev);
      return 3;
    }
    for (int v = 0; v < b->vectors; v++) {
      bench_fill(&b->rng, b->x, (size_t)b->k, x_lo(b), x_hi(b));
      uint32_t cyc = 0;
      const char *step = NULL;
      /* the checked-MVM routine: driver, twin on this run's ADC codes, exact W x */
      if ((st = cim_verify_mvm(ver, dev, b->x, b->wait, b->y, &cyc, &b->chk, &step)) != CIM_OK) {
        cim_verify_destroy(ver);
        return fw_fail(b, dev, step, st);
      }
      for (int j = 0; j < b->n; j++) b->out_digest = bench_fnv_u32(b->out_digest, (uint32_t)b->y[j]);
      b->cyc_digest = bench_fnv_u32(b->cyc_digest, cyc);
      if (b->log_digest_on) b->log_digest = bench_log_digest(b->log_digest, b->array);
      b->done++;
    }
  }
  cim_verify_destroy(ver);
  b->loop_seconds = bench_now() - t0;
  b->loop_cycles = mmio_cycles(bus) - c0;
  cim_close(dev);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: bench_mvm [--layers L] [--vectors V] [--seed S] [--quantum Q] [--wait poll|irq]\n"
          "                 [--shape NxK] [--x-bits B] [--signed] [--group-rows P] [--trace F.fst]\n"
          "                 [--log-digest] [--device PRESET|FILE]\n"
          "Runs L random layers x V input vectors through the driver and the RTL; prints BENCH.\n");
}

int main(int argc, char **argv) {
  bench b;
  memset(&b, 0, sizeof b);
  rram_geometry geo;
  cim_sim_geometry(&geo);
  b.w_bits = cim_sim_w_bits();
  b.layers = 4;
  b.vectors = 50;
  b.seed = 1;
  b.n = CIM_CFG_N_OUT;
  b.k = geo.rows;
  b.x_bits = cim_sim_x_bits();
  b.wait = CIM_WAIT_POLL;
  const char *trace = NULL;
  const char *device = "ideal";
  static const struct option lo[] = {
      {"layers", required_argument, NULL, 'l'}, {"vectors", required_argument, NULL, 'v'},
      {"seed", required_argument, NULL, 's'},   {"quantum", required_argument, NULL, 'q'},
      {"wait", required_argument, NULL, 'w'},   {"shape", required_argument, NULL, 'S'},
      {"x-bits", required_argument, NULL, 'x'}, {"signed", no_argument, NULL, 'g'},
      {"group-rows", required_argument, NULL, 'p'}, {"trace", required_argument, NULL, 't'},
      {"log-digest", no_argument, NULL, 'L'}, {"device", required_argument, NULL, 'd'},
      {NULL, 0, NULL, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
      case 'l': b.layers = atoi(optarg); break;
      case 'v': b.vectors = atoi(optarg); break;
      case 's': b.seed = strtoull(optarg, NULL, 10); break;
      case 'q': b.quantum = (uint32_t)strtoul(optarg, NULL, 10); break;
      case 'w': b.wait = strcmp(optarg, "irq") == 0 ? CIM_WAIT_IRQ : CIM_WAIT_POLL; break;
      case 'S':
        if (sscanf(optarg, "%dx%d", &b.n, &b.k) != 2) {
          usage();
          return 2;
        }
        break;
      case 'x': b.x_bits = atoi(optarg); break;
      case 'g': b.is_signed = 1; break;
      case 'p': b.group_rows = atoi(optarg); break;
      case 't': trace = optarg; break;
      case 'L': b.log_digest_on = 1; break;
      case 'd': device = optarg; break;
      default: usage(); return 2;
    }
  }
  if (b.layers < 1 || b.vectors < 1 || b.n < 1 || b.k < 1 || b.k > geo.rows || b.x_bits < 1) {
    usage();
    return 2;
  }
  b.rng = b.seed;
  b.out_digest = b.cyc_digest = b.log_digest = BENCH_FNV_INIT;
  b.W = malloc((size_t)b.n * (size_t)b.k * sizeof *b.W);
  b.x = malloc((size_t)b.k * sizeof *b.x);
  b.y = malloc((size_t)b.n * sizeof *b.y);
  rram_device dev;
  char derr[256];
  if (rram_device_load(device, &dev, derr, sizeof derr) != RRAM_OK) {
    fprintf(stderr, "bench_mvm: --device: %s\n", derr);
    return 2;
  }
  if (!b.W || !b.x || !b.y ||
      rram_array_create(&geo, &dev, b.seed, &b.array) != RRAM_OK) {
    fprintf(stderr, "bench_mvm: cannot set up the array model\n");
    return 3;
  }
  cim_sim_opts so = {.array = b.array, .trace_path = trace, .quantum = b.quantum};
  cim_sim_stats stats;
  int rc = cim_sim_run(&so, firmware, &b, &stats);
  if (rc != 0) {
    fprintf(stderr, "bench_mvm: %s\n", b.fail[0] ? b.fail : "the simulation failed");
    return 3;
  }
  int pass = cim_check_passed(&b.chk);
  printf("BENCH variant=%s rows=%d cols=%d n=%d k=%d mvms=%d cycles=%" PRIu64
         " seconds=%.6f total_cycles=%" PRIu64 " sim_seconds=%.6f out_digest=%016" PRIx64
         " cyc_digest=%016" PRIx64 " log_digest=%016" PRIx64 " twin_fail=%" PRIu64
         " exact_fail=%" PRIu64 " pass=%d maxrss_kib=%ld device=%s\n",
         BENCH_HARNESS, geo.rows, geo.cols, b.n, b.k, b.done, b.loop_cycles, b.loop_seconds,
         stats.cycles, stats.wall_seconds, b.out_digest, b.cyc_digest, b.log_digest,
         b.chk.twin_fail_vectors, b.chk.exact_fail_vectors, pass, bench_maxrss_kib(), device);
  rram_array_destroy(b.array);
  free(b.W);
  free(b.x);
  free(b.y);
  return pass ? 0 : 1;
}

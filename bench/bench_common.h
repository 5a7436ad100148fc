/* bench_common.h: what every variant of the benchmark shares, so that they
 * run the very same workload and can be compared result for result:
 * the random data (splitmix64; bench/cocotb/test_cim_bench.py has the same
 * generator in Python), the digests of outputs, cycles and ADC logs
 * (FNV-1a 64), a monotonic clock and the peak RSS.
 *
 * Workload: `layers` random layers of W (n_out x k, full signed W_BITS
 * range), each followed by `vectors` random input vectors (full unsigned or
 * signed x_bits range). One stream, drawn in that order: W of layer 0 row by
 * row, the inputs of its vectors one after another, then layer 1, ... */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rram_array.h"

/* splitmix64 */
static inline uint64_t bench_rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in lo..hi (modulo bias is irrelevant here, and Python does the same). */
static inline int32_t bench_rng_range(uint64_t *s, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)(hi - lo) + 1;
  return (int32_t)(lo + (int64_t)(bench_rng_next(s) % span));
}

static inline void bench_fill(uint64_t *s, int32_t *v, size_t n, int64_t lo, int64_t hi) {
  for (size_t i = 0; i < n; i++) v[i] = bench_rng_range(s, lo, hi);
}

#define BENCH_FNV_INIT 0xcbf29ce484222325ull

/* FNV-1a 64 over a 32-bit value, little-endian bytes. */
static inline uint64_t bench_fnv_u32(uint64_t h, uint32_t v) {
  for (int i = 0; i < 4; i++) {
    h ^= (v >> (8 * i)) & 0xFFu;
    h *= 0x100000001b3ull;
  }
  return h;
}

/* Digest of the array's log since the last clear: every phase's wordlines
 * and every column's code and conversion count: what crossed DPI. */
static inline uint64_t bench_log_digest(uint64_t h, const rram_array *a) {
  const rram_geometry *g = rram_array_geometry(a);
  size_t words = ((size_t)g->rows + 31) / 32;
  size_t n = rram_array_log_phases(a);
  h = bench_fnv_u32(h, (uint32_t)n);
  for (size_t i = 0; i < n; i++) {
    const rram_phase *p = rram_array_log_phase(a, i);
    for (size_t w = 0; w < words; w++) h = bench_fnv_u32(h, p->wl[w]);
    for (int c = 0; c < g->cols; c++) {
      h = bench_fnv_u32(h, (uint32_t)p->code[c]);
      h = bench_fnv_u32(h, p->n_conv[c]);
    }
  }
  return bench_fnv_u32(h, (uint32_t)rram_array_log_orphans(a));
}

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident set of this process, KiB: VmHWM of /proc/self/status, the
 * high-water mark of this program's own address space. getrusage()'s
 * ru_maxrss is the fallback only: Linux carries it across execve(), so a
 * program started from a large process (the Python driver) would report
 * that process's size. */
static inline long bench_maxrss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmHWM:", 6) == 0) {
      kib = strtol(line + 6, NULL, 10);
      break;
    }
  }
  if (f) fclose(f);
  if (kib < 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    kib = ru.ru_maxrss;
  }
  return kib;
}

#endif

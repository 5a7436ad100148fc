/* cim_digest.c: FNV-1a 64 over little-endian values (cim_digest.h). */
#include "cim_digest.h"

#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fold(uint64_t h, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) {
    h ^= (v >> (8 * i)) & 0xffu;
    h *= FNV_PRIME;
  }
  return h;
}

uint64_t cim_digest_u64(uint64_t h, uint64_t v) { return fold(h, v, 8); }

uint64_t cim_digest_i32(uint64_t h, const int32_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) h = fold(h, (uint32_t)v[i], 4);
  return h;
}

uint64_t cim_digest_log(uint64_t h, const rram_array *a) {
  const rram_geometry *g = rram_array_geometry(a);
  const size_t words = ((size_t)g->rows + 31) / 32, np = rram_array_log_phases(a);
  for (size_t i = 0; i < np; i++) {
    const rram_phase *p = rram_array_log_phase(a, i);
    for (size_t w = 0; w < words; w++) h = fold(fold(h, p->sel[w], 4), p->wl[w], 4);
    for (int c = 0; c < g->cols; c++) h = fold(fold(h, (uint32_t)p->code[c], 4), p->n_conv[c], 2);
  }
  return fold(h, rram_array_log_orphans(a), 8);
}

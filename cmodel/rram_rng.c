/* rram_rng.c: xoshiro256** seeded by splitmix64 (see rram_rng.h). */
#include "rram_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rram__rng_seed(rram__rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
  r->spare = 0.0;
  r->have_spare = 0;
}

uint64_t rram__rng_next(rram__rng *r) {
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

void rram__rng_jump(rram__rng *r) {
  /* Coefficients of the jump polynomial from the reference
   * xoshiro256starstar.c (Blackman and Vigna). */
  static const uint64_t jump[4] = {UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
                                   UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
  uint64_t t[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    for (int b = 0; b < 64; b++) {
      if (jump[i] & (UINT64_C(1) << b))
        for (int k = 0; k < 4; k++) t[k] ^= r->s[k];
      (void)rram__rng_next(r);
    }
  }
  for (int k = 0; k < 4; k++) r->s[k] = t[k];
  r->have_spare = 0;
}

double rram__rng_uniform(rram__rng *r) {
  /* The top 53 bits are the best ones of xoshiro; 2^-53 makes them exact. */
  return (double)(rram__rng_next(r) >> 11) * 0x1.0p-53;
}

double rram__rng_normal(rram__rng *r) {
  /* The polar method needs no trig, only an accept/reject loop on two
   * uniforms. The pair's second value is kept in the state (not in a static),
   * so draws stay a pure function of the seed and the call order. */
  if (r->have_spare) {
    r->have_spare = 0;
    return r->spare;
  }
  double u, v, q;
  do {
    u = 2.0 * rram__rng_uniform(r) - 1.0;
    v = 2.0 * rram__rng_uniform(r) - 1.0;
    q = u * u + v * v;
  } while (q >= 1.0 || q == 0.0);
  const double f = sqrt(-2.0 * log(q) / q);
  r->spare = v * f;
  r->have_spare = 1;
  return u * f;
}

/* rram_rng.h: internal. The seeded generator every random draw of the model
 * comes from (device noise, faults, variation), so a seed printed by a failing
 * regression reproduces the run exactly.
 *
 * xoshiro256** (Blackman and Vigna), its 256-bit state expanded from one
 * 64-bit seed by splitmix64 as its authors recommend: any seed, 0 included,
 * gives a well-mixed non-zero state. The state is a plain struct embedded in
 * its owner (the array), never global, so two arrays never share a stream. */
#ifndef RRAM_RNG_H
#define RRAM_RNG_H

#include <stdint.h>

typedef struct rram__rng {
  uint64_t s[4];
} rram__rng;

/* Reset r to the stream of seed. */
void rram__rng_seed(rram__rng *r, uint64_t seed);
/* Next 64 raw bits. Inline: a draw is a few instructions, and the
 * per-conversion noise draws are on the model's hottest path. */
static inline uint64_t rram__rng_next(rram__rng *r) {
  uint64_t *s = r->s;
  const uint64_t x = s[1] * 5;
  const uint64_t result = ((x << 7) | (x >> 57)) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}
/* Uniform double in [0, 1), 53 random bits (the top ones, the best of
 * xoshiro; 2^-53 makes them exact). */
static inline double rram__rng_uniform(rram__rng *r) {
  return (double)(rram__rng_next(r) >> 11) * 0x1.0p-53;
}
/* Advance r by 2^128 draws (the authors' jump polynomial): successive
 * jumps from one seed give non-overlapping streams, one per purpose. */
void rram__rng_jump(rram__rng *r);
/* Standard normal deviate (mean 0, sigma 1): the ziggurat method with 128
 * layers (rram_rng.c), one 64-bit draw for most deviates. */
double rram__rng_normal(rram__rng *r);

/* The ziggurat's constants and tables, for the test that recomputes them. */
#define RRAM__ZIG_N 128
#define RRAM__ZIG_R 3.442619855899
#define RRAM__ZIG_V 9.91256303526217e-3
extern const double rram__zig_x[RRAM__ZIG_N + 1];
extern const double rram__zig_r[RRAM__ZIG_N];

#endif

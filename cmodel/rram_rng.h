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
  double spare;    /* second normal deviate of the last polar pair */
  int have_spare;  /* spare is valid */
} rram__rng;

/* Reset r to the stream of seed. */
void rram__rng_seed(rram__rng *r, uint64_t seed);
/* Next 64 raw bits. */
uint64_t rram__rng_next(rram__rng *r);
/* Uniform double in [0, 1), 53 random bits. */
double rram__rng_uniform(rram__rng *r);
/* Advance r by 2^128 draws (the authors' jump polynomial): successive
 * jumps from one seed give non-overlapping streams, one per purpose. */
void rram__rng_jump(rram__rng *r);
/* Standard normal deviate (mean 0, sigma 1), Marsaglia's polar method. */
double rram__rng_normal(rram__rng *r);

#endif

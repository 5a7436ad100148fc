/* check_util.c: helpers the C model's suites share (check_suites.h). */
#include <inttypes.h>

#include "check_suites.h"

rram_array *check_array_create(const rram_geometry *g, const rram_device *d, uint64_t seed) {
  rram_array *a = NULL;
  char why[256] = "";
  const int rc = rram_array_create(g, d, seed, &a);
  if (rc != RRAM_OK) rram_array_check_config(g, d, why, sizeof why);
  ck_assert_msg(rc == RRAM_OK && a, "seed %" PRIu64 ": create failed: %s (%s)", seed,
                rram_strerror(rc), why);
  return a;
}

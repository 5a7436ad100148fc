/* cli_data.c: the weights and inputs of a run, random or from CSV files. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"

/* splitmix64: small, seedable, reproducible across platforms. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int32_t rng_range(uint64_t *s, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)(hi - lo) + 1;
  return (int32_t)(lo + (int64_t)(rng_next(s) % span));
}

void cli_data_free(cli_data *d) {
  free(d->W);
  free(d->X);
  memset(d, 0, sizeof *d);
}

int cli_data_random(const cli_opts *o, const cli_build *b, cli_data *d) {
  d->n = o->rand_n;
  d->k = o->rand_k;
  d->v = (int)o->vectors;
  d->W = malloc((size_t)d->n * (size_t)d->k * sizeof *d->W);
  d->X = malloc((size_t)d->v * (size_t)d->k * sizeof *d->X);
  if (d->W == NULL || d->X == NULL) {
    cli_error("out of memory for %d x %d weights and %d vectors", d->n, d->k, d->v);
    return EXIT_SIM;
  }
  uint64_t s = o->seed ^ 0x63696D5F6D766Dull; /* "cim_mvm": not the array's stream */
  for (size_t i = 0; i < (size_t)d->n * (size_t)d->k; i++) d->W[i] = rng_range(&s, cli_w_min(b), cli_w_max(b));
  int64_t lo = cli_x_min(o->x_bits, o->is_signed), hi = cli_x_max(o->x_bits, o->is_signed);
  for (size_t i = 0; i < (size_t)d->v * (size_t)d->k; i++) d->X[i] = rng_range(&s, lo, hi);
  return 0;
}

int cli_data_files(const cli_opts *o, const cli_build *b, cli_data *d) {
  char err[CSV_ERRMSG_LEN + 64];
  int *wline = NULL, *xline = NULL;
  int rows, cols, st = 0;

  /* Bounds checked while reading, before a huge file is read or allocated:
   * K up to the rows, N up to the outputs, a line no longer than its values
   * can be (a value at most 11 characters, blanks around it generous). */
  char why_k[128], why_n[128];
  snprintf(why_k, sizeof why_k, "K must be 1..%d (this build has %d rows)", b->geo.rows,
           b->geo.rows);
  snprintf(why_n, sizeof why_n, "N must be 1..%d (this build's logical outputs)", b->n_out);
  const size_t line_max = (size_t)b->geo.rows * 64 + 4096;
  const csv_limits wlim = {b->geo.rows, b->n_out, line_max, why_k, why_n};
  const csv_limits xlim = {b->geo.rows, CLI_MAX_VECTORS, line_max, why_k,
                           "at most 1,000,000 input vectors"};
  if (csv_read_int32_limits(o->weights, &wlim, &d->W, &rows, &cols, &wline, err, sizeof err) !=
      CSV_OK) {
    cli_error("%s", err);
    return EXIT_USAGE;
  }
  d->n = rows;
  d->k = cols;
  if (d->k > b->geo.rows) {
    cli_error("%s: K = %d values per line, but this build has %d rows; K must be 1..%d",
                o->weights, d->k, b->geo.rows, b->geo.rows);
    st = EXIT_USAGE;
    goto out;
  }
  if (d->n > b->n_out) {
    cli_error("%s: N = %d lines (outputs), but this build has %d logical outputs (%d columns / "
                "%d per output); N must be 1..%d",
                o->weights, d->n, b->n_out, b->geo.cols, 2 * b->slices, b->n_out);
    st = EXIT_USAGE;
    goto out;
  }
  for (int j = 0; j < d->n; j++) {
    for (int r = 0; r < d->k; r++) {
      int32_t w = d->W[(size_t)j * (size_t)d->k + (size_t)r];
      if (w < cli_w_min(b) || w > cli_w_max(b)) {
        cli_error("%s:%d: W[%d][%d] = %ld (output %d, input %d) does not fit this build's "
                    "signed %d-bit weights (%" PRId64 "..%" PRId64 ")",
                    o->weights, wline[j], j, r, (long)w, j, r, b->w_bits, cli_w_min(b), cli_w_max(b));
        st = EXIT_USAGE;
        goto out;
      }
    }
  }

  if (csv_read_int32_limits(o->inputs, &xlim, &d->X, &rows, &cols, &xline, err, sizeof err) !=
      CSV_OK) {
    cli_error("%s", err);
    st = EXIT_USAGE;
    goto out;
  }
  d->v = rows;
  if (cols != d->k) {
    cli_error("%s: %d value%s per line, but %s has K = %d values per line; each input vector "
                "needs K values",
                o->inputs, cols, cols == 1 ? "" : "s", o->weights, d->k);
    st = EXIT_USAGE;
    goto out;
  }
  int64_t lo = cli_x_min(o->x_bits, o->is_signed), hi = cli_x_max(o->x_bits, o->is_signed);
  for (int i = 0; i < d->v; i++) {
    for (int r = 0; r < d->k; r++) {
      int32_t x = d->X[(size_t)i * (size_t)d->k + (size_t)r];
      if (x < lo || x > hi) {
        cli_error("%s:%d: input vector %d, element %d = %ld does not fit %s %d-bit inputs "
                    "(%" PRId64 "..%" PRId64 ")%s",
                    o->inputs, xline[i], i, r, (long)x, o->is_signed ? "signed" : "unsigned",
                    o->x_bits, lo, hi,
                    (!o->is_signed && x < 0) ? "; negative inputs need --signed"
                    : (o->x_bits < b->x_bits) ? "; see --x-bits"
                                              : "");
        st = EXIT_USAGE;
        goto out;
      }
    }
  }
out:
  free(wline);
  free(xline);
  return st;
}


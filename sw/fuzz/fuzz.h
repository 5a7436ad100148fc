/* fuzz.h: what every fuzz target shares (sw/fuzz/fuzz_<name>.c, mk/fuzz.mk).
 *
 * A target is one LLVMFuzzerTestOneInput(). It runs the code under test
 * twice on the same input and writes each run's observable results (status,
 * message, data) into a transcript; the two transcripts must be equal byte
 * for byte (determinism). Every status other than OK must come with a
 * non-empty message. A broken property prints "fuzz: property failed: ..."
 * and calls abort(), which libFuzzer and the gcc replay (fuzz_replay.c)
 * both report as a crash with the input saved.
 *
 * Test-only faults, built only by `make fuzz-selftest`, make correct code
 * look broken so that a run must fail for that reason:
 *   FUZZ_FAULT_EMPTY_MSG  an error's message is emptied before the check
 *   FUZZ_FAULT_NONDET     the second transcript of an input differs
 *
 * Header-only (static inline functions): each target is one file and one binary. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static inline void fuzz_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz: property failed: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

/* ---- the transcript of one run ---- */
typedef struct fuzz_out {
  unsigned char *p;
  size_t n, cap;
} fuzz_out;

static inline void fuzz_put(fuzz_out *o, const void *d, size_t n) {
  if (n == 0) return;
  if (o->n + n > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->n + n) cap *= 2;
    unsigned char *p = realloc(o->p, cap);
    if (!p) fuzz_fail("transcript: out of memory");
    o->p = p;
    o->cap = cap;
  }
  memcpy(o->p + o->n, d, n);
  o->n += n;
}

static inline void fuzz_int(fuzz_out *o, int64_t v) { fuzz_put(o, &v, sizeof v); }

/* A double by its bits: two runs that differ in the last bit differ here. */
static inline void fuzz_real(fuzz_out *o, double v) { fuzz_put(o, &v, sizeof v); }

/* A string with its terminating NUL, so "ab","c" and "a","bc" differ. */
static inline void fuzz_str(fuzz_out *o, const char *s) {
  if (!s) s = "(null)";
  fuzz_put(o, s, strlen(s) + 1);
}

/* The two runs' transcripts of one input must be equal; frees both. */
static inline void fuzz_same(fuzz_out *a, fuzz_out *b, const char *what) {
#ifdef FUZZ_FAULT_NONDET
  fuzz_int(b, 1); /* the second run "saw" one more result */
#endif
  if (a->n != b->n || (a->n && memcmp(a->p, b->p, a->n) != 0)) {
    size_t i = 0;
    while (i < a->n && i < b->n && a->p[i] == b->p[i]) i++;
    fuzz_fail("%s: nondeterministic: two runs of one input differ at byte %zu of %zu/%zu", what,
              i, a->n, b->n);
  }
  free(a->p);
  free(b->p);
  a->p = b->p = NULL;
  a->n = b->n = a->cap = b->cap = 0;
}

/* A target's entry: run the input twice through run (which writes its
 * transcript) and require the same transcript both times. Returns 0, as
 * libFuzzer wants. */
static inline int fuzz_twice(void (*run)(const uint8_t *, size_t, fuzz_out *),
                             const uint8_t *data, size_t size, const char *what) {
  fuzz_out a = {0}, b = {0};
  run(data, size, &a);
  run(data, size, &b);
  fuzz_same(&a, &b, what);
  return 0;
}

/* An error status must come with a message: msg non-empty when status != 0.
 * msg is the caller's buffer (writable, for the selftest's fault). */
static inline void fuzz_msg(int status, char *msg, const char *what) {
#ifdef FUZZ_FAULT_EMPTY_MSG
  if (status != 0 && msg) msg[0] = '\0';
#endif
  if (status != 0 && (!msg || msg[0] == '\0'))
    fuzz_fail("%s: error %d with an empty message", what, status);
}

/* ---- files holding the input, for readers that take a path ----
 * Up to two temporary files per process (which = 0 or 1), rewritten for
 * every input and removed at exit. They live in $TMPDIR (make points that
 * into build/fuzz/), else /tmp. */
static char fuzz__path[2][4096];

static inline void fuzz__unlink(void) {
  for (int i = 0; i < 2; i++)
    if (fuzz__path[i][0]) unlink(fuzz__path[i]);
}

static inline const char *fuzz_file_n(int which, const uint8_t *data, size_t size) {
  char *path = fuzz__path[which & 1];
  if (!path[0]) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof fuzz__path[0], "%s/cim-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    const int fd = mkstemp(path);
    if (fd < 0) fuzz_fail("cannot create a temporary file %s", path);
    close(fd);
    if (!fuzz__path[!(which & 1)][0]) atexit(fuzz__unlink);
  }
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
    fuzz_fail("cannot write the temporary file %s", path);
  return path;
}

static inline const char *fuzz_file(const uint8_t *data, size_t size) {
  return fuzz_file_n(0, data, size);
}

/* ---- reading the input as a sequence of choices (the API targets) ----
 * Past the end every read gives 0, so any input is a complete program. */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline unsigned fuzz_u8(fuzz_in *in) {
  if (in->n == 0) return 0;
  in->n--;
  return *in->p++;
}

static inline uint32_t fuzz_u32(fuzz_in *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v = v << 8 | fuzz_u8(in);
  return v;
}

/* Mostly lo..hi, one time in eight an edge case just outside or far out:
 * legal and illegal arguments from one byte stream. */
static inline int fuzz_range(fuzz_in *in, int lo, int hi) {
  const unsigned b = fuzz_u8(in);
  if ((b & 7u) == 7u) {
    static const int far[] = {-1, 0, 1, 65536, -65536, 2147483647, -2147483647 - 1};
    switch ((b >> 3) % 4u) {
      case 0: return lo - 1;
      case 1: return hi + 1;
      default: return far[(b >> 5) % (sizeof far / sizeof far[0])];
    }
  }
  const unsigned span = (unsigned)(hi - lo) + 1u;
  return lo + (int)((b >> 3 | (unsigned)fuzz_u8(in) << 5) % span);
}

#endif

/* rram_num.h: the one number parser of the project, for every command-line
 * option and every file (device files, CSV matrices).
 *
 * Grammar, the same everywhere:
 *   integer  [+-]?[0-9]+                       always decimal: "010" is ten,
 *                                              "0x10", "1e3", "1.0" are not
 *                                              integers
 *   real     [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
 *                                              decimal only: no hex floats,
 *                                              no inf or nan
 * The whole string must match: no leading or trailing spaces, nothing empty.
 * A real that underflows (1e-320 is subnormal, 1e-400 rounds to 0) is
 * accepted with its rounded value: strtod's ERANGE on underflow is not an
 * error. A real that overflows, and any value outside lo..hi, is out of range.
 *
 * One message style, without the option or file position (the caller
 * prefixes "--age: " or "dev.dev:3: read_noise: "):
 *   '<text>' is not an integer
 *   '<text>' is not a number
 *   <text> is out of range <lo>..<hi>
 * <text> is the input as given, with bytes outside printable ASCII shown as
 * \xNN and cut after 40 bytes ("..."), so binary input never reaches a
 * terminal raw. Integer ranges print as %lld / %llu, real ranges as %g.
 *
 * No global state; every function is safe on different buffers from any
 * thread. */
#ifndef RRAM_NUM_H
#define RRAM_NUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes of the parsers. */
enum rram_num_status {
  RRAM_NUM_OK = 0,
  RRAM_NUM_ESYNTAX = 1, /* not an integer / not a number (or NULL text) */
  RRAM_NUM_ERANGE = 2   /* well formed, outside lo..hi (or beyond the type) */
};

/* A message buffer of this size holds every message of this module. */
#define RRAM_NUM_MSG_LEN 256

/* Signed integer in lo..hi. On success *out is set and err gets ""; on error
 * *out is unchanged and err (may be NULL) gets the message. */
int rram_num_int(const char *s, int64_t lo, int64_t hi, int64_t *out, char *err,
                 size_t err_len);

/* The same for the n bytes at s (need not be NUL-terminated; CSV fields). */
int rram_num_int_n(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out, char *err,
                   size_t err_len);

/* Unsigned integer in lo..hi (seeds: the whole uint64 range). A leading '-'
 * is a syntax this type cannot hold: "-1 is out of range 0..N". */
int rram_num_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                  size_t err_len);

/* Finite real in lo..hi (both finite, lo <= hi). */
int rram_num_real(const char *s, double lo, double hi, double *out, char *err,
                  size_t err_len);

/* The same for the n bytes at s. */
int rram_num_real_n(const char *s, size_t n, double lo, double hi, double *out, char *err,
                    size_t err_len);

/* Copy n bytes of s into out for a message: printable ASCII as is, every
 * other byte as \xNN, at most max_bytes input bytes followed by "..." when
 * cut (max_bytes 0: no limit). Always NUL-terminates a non-empty out.
 * Returns out. */
char *rram_num_escape(const char *s, size_t n, size_t max_bytes, char *out, size_t out_len);

#ifdef __cplusplus
}
#endif
#endif

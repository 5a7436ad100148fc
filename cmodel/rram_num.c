/* rram_num.c: the one number parser (contract in rram_num.h).
 *
 * The grammar is checked by hand before any strto* call: strtol and strtod
 * skip leading spaces, take hex ("0x10") and, for strtod, "inf", "nan" and
 * hex floats, which is how the options used to disagree with each other. */
#include "rram_num.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rram_util.h"

/* Bytes of input echoed in a message before it is cut. */
#define RRAM__NUM_SHOW 40

char *rram_num_escape(const char *s, size_t n, size_t max_bytes, char *out, size_t out_len) {
  if (!out || out_len == 0) return out;
  size_t o = 0;
  const size_t lim = (max_bytes && n > max_bytes) ? max_bytes : n;
  for (size_t i = 0; s && i < lim; i++) {
    const unsigned char c = (unsigned char)s[i];
    char tmp[5];
    size_t len;
    if (c >= 0x20 && c < 0x7f) {
      tmp[0] = (char)c;
      len = 1;
    } else {
      snprintf(tmp, sizeof tmp, "\\x%02X", c);
      len = 4;
    }
    if (o + len >= out_len) break; /* never half an escape */
    memcpy(out + o, tmp, len);
    o += len;
  }
  if (lim < n && o + 3 < out_len) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

/* err gets "<shown text><suffix>" or "'<shown text>'<suffix>". */
static int num_fail(int status, const char *s, size_t n, int quoted, char *err, size_t err_len,
                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int num_fail(int status, const char *s, size_t n, int quoted, char *err, size_t err_len,
                    const char *fmt, ...) {
  if (!err || err_len == 0) return status;
  char shown[4 * RRAM__NUM_SHOW + 8], rest[160];
  rram_num_escape(s, n, RRAM__NUM_SHOW, shown, sizeof shown);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rest, sizeof rest, fmt, ap);
  va_end(ap);
  rram__fmt_err(err, err_len, quoted ? "'%s'%s" : "%s%s", shown, rest);
  return status;
}

static void num_ok(char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
}

/* [+-]?[0-9]+ over exactly n bytes: sign in *neg, magnitude in *mag (or
 * *big set when it does not fit uint64). 1 if the syntax holds. */
static int scan_int(const char *s, size_t n, int *neg, uint64_t *mag, int *big) {
  size_t i = 0;
  *neg = 0;
  *mag = 0;
  *big = 0;
  if (!s) return 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) *neg = s[i++] == '-';
  if (i == n) return 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    const unsigned d = (unsigned)(s[i] - '0');
    if (*mag > (UINT64_MAX - d) / 10) *big = 1; /* keep scanning for bad bytes */
    if (!*big) *mag = *mag * 10 + d;
  }
  return 1;
}

int rram_num_int_n(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out, char *err,
                   size_t err_len) {
  int neg, big;
  uint64_t mag;
  if (!scan_int(s, n, &neg, &mag, &big))
    return num_fail(RRAM_NUM_ESYNTAX, s, n, 1, err, err_len, " is not an integer");
  int64_t v = 0;
  int fits = !big;
  if (fits && neg) {
    if (mag <= (uint64_t)INT64_MAX)
      v = -(int64_t)mag;
    else if (mag == (uint64_t)INT64_MAX + 1)
      v = INT64_MIN;
    else
      fits = 0;
  } else if (fits) {
    if (mag <= (uint64_t)INT64_MAX)
      v = (int64_t)mag;
    else
      fits = 0;
  }
  if (!fits || v < lo || v > hi)
    return num_fail(RRAM_NUM_ERANGE, s, n, 0, err, err_len, " is out of range %lld..%lld",
                    (long long)lo, (long long)hi);
  if (out) *out = v;
  num_ok(err, err_len);
  return RRAM_NUM_OK;
}

int rram_num_int(const char *s, int64_t lo, int64_t hi, int64_t *out, char *err,
                 size_t err_len) {
  return rram_num_int_n(s, s ? strlen(s) : 0, lo, hi, out, err, err_len);
}

int rram_num_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                  size_t err_len) {
  const size_t n = s ? strlen(s) : 0;
  int neg, big;
  uint64_t mag;
  if (!scan_int(s, n, &neg, &mag, &big))
    return num_fail(RRAM_NUM_ESYNTAX, s, n, 1, err, err_len, " is not an integer");
  if (big || (neg && mag != 0) || mag < lo || mag > hi)
    return num_fail(RRAM_NUM_ERANGE, s, n, 0, err, err_len, " is out of range %llu..%llu",
                    (unsigned long long)lo, (unsigned long long)hi);
  if (out) *out = mag;
  num_ok(err, err_len);
  return RRAM_NUM_OK;
}

/* The real grammar over exactly n bytes. */
static int scan_real(const char *s, size_t n) {
  size_t i = 0, digits = 0;
  if (!s) return 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  }
  if (digits == 0) return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp_digits = 0;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, exp_digits++;
    if (exp_digits == 0) return 0;
  }
  return i == n;
}

int rram_num_real_n(const char *s, size_t n, double lo, double hi, double *out, char *err,
                    size_t err_len) {
  if (!scan_real(s, n))
    return num_fail(RRAM_NUM_ESYNTAX, s, n, 1, err, err_len, " is not a number");
  /* strtod needs a terminated copy; long ones (many digits are legal) go
   * to the heap so that the value is still exact. */
  char small[64], *buf = small;
  if (n >= sizeof small) {
    buf = malloc(n + 1);
    if (!buf) return num_fail(RRAM_NUM_ERANGE, s, n, 0, err, err_len, ": out of memory");
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  errno = 0;
  const double v = strtod(buf, NULL);
  const int overflow = errno == ERANGE && fabs(v) > 1.0; /* HUGE_VAL; underflow is fine */
  if (buf != small) free(buf);
  if (overflow || !isfinite(v) || v < lo || v > hi)
    return num_fail(RRAM_NUM_ERANGE, s, n, 0, err, err_len, " is out of range %g..%g", lo, hi);
  if (out) *out = v;
  num_ok(err, err_len);
  return RRAM_NUM_OK;
}

int rram_num_real(const char *s, double lo, double hi, double *out, char *err,
                  size_t err_len) {
  return rram_num_real_n(s, s ? strlen(s) : 0, lo, hi, out, err, err_len);
}

/* csv.c: integer matrices in CSV files (see csv.h for the format). */
#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cim_outfile.h"
#include "rram_num.h"

const char *csv_strerror(int status) {
  switch (status) {
#define CSV_STATUS_TEXT(name, value, text) \
  case value:                              \
    return text;
    CSV_STATUS_MAP(CSV_STATUS_TEXT)
#undef CSV_STATUS_TEXT
    default:
      return "unknown status";
  }
}

/* Format into err (if any) and return status. */
static int csv__fail(char *err, size_t err_len, int status, const char *fmt, ...) {
  if (err != NULL && err_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
  }
  return status;
}

/* A growable byte buffer holding one line without its terminator. */
typedef struct csv__line {
  char *buf;
  size_t len, cap;
} csv__line;

/* Read one line into ln. Returns 1 if a line was read, 0 at end of file, -1
 * on a read error, -2 when out of memory, -3 past max bytes (0: no bound).
 * NUL bytes are kept (and later rejected as not an integer). */
static int csv__getline(FILE *fp, csv__line *ln, size_t max) {
  int c;
  ln->len = 0;
  while ((c = getc(fp)) != EOF) {
    if (c == '\n') break;
    if (max && ln->len >= max) return -3;
    if (ln->len + 1 >= ln->cap) {
      size_t cap = ln->cap ? ln->cap * 2 : 256;
      char *nb = realloc(ln->buf, cap);
      if (nb == NULL) return -2;
      ln->buf = nb;
      ln->cap = cap;
    }
    ln->buf[ln->len++] = (char)c;
  }
  if (c == EOF) {
    if (ferror(fp)) return -1;
    if (ln->len == 0) return 0;
  }
  if (ln->len > 0 && ln->buf[ln->len - 1] == '\r') ln->len--; /* CRLF */
  return 1;
}

static int csv__is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

static int read_stream(FILE *fp, const char *name, const csv_limits *lim, int32_t **data,
                       int *rows, int *cols, int **row_line, char *err, size_t err_len) {
  if (err != NULL && err_len > 0) err[0] = '\0';
  if (data != NULL) *data = NULL;
  if (rows != NULL) *rows = 0;
  if (cols != NULL) *cols = 0;
  if (row_line != NULL) *row_line = NULL;
  if (name == NULL) name = "(stream)";
  if (fp == NULL || data == NULL || rows == NULL || cols == NULL)
    return csv__fail(err, err_len, CSV_EINVAL, "%s: invalid argument to csv reader", name);

  csv__line ln = {NULL, 0, 0};
  int32_t *vals = NULL, *m = NULL; /* this line's values; the matrix */
  int *lines = NULL;
  size_t vals_cap = 0, m_cap = 0, lines_cap = 0;
  int n_rows = 0, n_cols = 0, first_line = 0, lineno = 0;
  int status = CSV_OK;
  char why[RRAM_NUM_MSG_LEN];

  const csv_limits none = {0, 0, 0, NULL, NULL};
  if (lim == NULL) lim = &none;
  for (;;) {
    int r = csv__getline(fp, &ln, lim->max_line_bytes);
    if (r == 0) break;
    if (r == -3) {
      status = csv__fail(err, err_len, CSV_ELIMIT,
                         "%s:%d: line longer than %zu bytes, more than its values can take%s%s",
                         name, lineno + 1, lim->max_line_bytes, lim->why_cols ? "; " : "",
                         lim->why_cols ? lim->why_cols : "");
      goto out;
    }
    if (r == -1) {
      status = csv__fail(err, err_len, CSV_EIO, "%s:%d: read error: %s", name, lineno + 1,
                         strerror(errno));
      goto out;
    }
    if (r == -2) {
      status = csv__fail(err, err_len, CSV_ENOMEM, "%s:%d: out of memory", name, lineno + 1);
      goto out;
    }
    lineno++;
    const char *s = ln.buf;
    size_t len = ln.len, pos = 0;
    if (lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) pos = 3; /* BOM */
    while (pos < len && csv__is_blank(s[pos])) pos++;
    if (pos == len || s[pos] == '#') continue; /* blank or comment */
    if (lim->max_rows && n_rows == lim->max_rows) {
      status = csv__fail(err, err_len, CSV_ELIMIT, "%s:%d: more than %d data lines%s%s", name,
                         lineno, lim->max_rows, lim->why_rows ? "; " : "",
                         lim->why_rows ? lim->why_rows : "");
      goto out;
    }

    /* Split on ',' and parse each value. */
    size_t count = 0;
    size_t extra_col = 0; /* byte column of the first value beyond n_cols */
    for (;;) {
      while (pos < len && csv__is_blank(s[pos])) pos++;
      size_t start = pos;
      while (pos < len && s[pos] != ',') pos++;
      size_t end = pos;
      while (end > start && csv__is_blank(s[end - 1])) end--;
      int col = (int)start + 1;
      if (end == start) {
        if (pos < len)
          status = csv__fail(err, err_len, CSV_EPARSE,
                             "%s:%d:%d: empty value (value %zu of the line)", name, lineno, col,
                             count + 1);
        else
          status = csv__fail(err, err_len, CSV_EPARSE,
                             "%s:%d:%d: empty value after the last ',' (trailing comma?)", name,
                             lineno, col);
        goto out;
      }
      if (lim->max_cols && count == (size_t)lim->max_cols) {
        status = csv__fail(err, err_len, CSV_ELIMIT, "%s:%d:%d: line %d has more than %d value%s%s%s",
                           name, lineno, col, lineno, lim->max_cols, lim->max_cols == 1 ? "" : "s",
                           lim->why_cols ? "; " : "", lim->why_cols ? lim->why_cols : "");
        goto out;
      }
      int64_t v = 0;
      int pr = rram_num_int_n(s + start, end - start, INT32_MIN, INT32_MAX, &v, why, sizeof why);
      if (pr != RRAM_NUM_OK) {
        status = csv__fail(err, err_len, pr == RRAM_NUM_ESYNTAX ? CSV_EPARSE : CSV_ERANGE,
                           "%s:%d:%d: %s", name, lineno, col, why);
        goto out;
      }
      if (count == vals_cap) {
        size_t cap = vals_cap ? vals_cap * 2 : 64;
        int32_t *nv = realloc(vals, cap * sizeof *nv);
        if (nv == NULL) {
          status = csv__fail(err, err_len, CSV_ENOMEM, "%s:%d: out of memory", name, lineno);
          goto out;
        }
        vals = nv;
        vals_cap = cap;
      }
      if (n_rows > 0 && count == (size_t)n_cols) extra_col = start + 1;
      vals[count++] = (int32_t)v;
      if (count > (size_t)INT_MAX / 2) {
        status = csv__fail(err, err_len, CSV_ERANGE, "%s:%d: too many values on one line", name,
                           lineno);
        goto out;
      }
      if (pos < len) {
        pos++; /* skip ',' */
        continue;
      }
      break;
    }

    if (n_rows == 0) {
      n_cols = (int)count;
      first_line = lineno;
    } else if (count != (size_t)n_cols) {
      status = csv__fail(err, err_len, CSV_ERAGGED,
                         "%s:%d:%d: line %d has %zu value%s, expected %d (as on line %d)", name,
                         lineno, count > (size_t)n_cols ? (int)extra_col : (int)len + 1, lineno,
                         count, count == 1 ? "" : "s", n_cols, first_line);
      goto out;
    }
    if (n_rows == INT_MAX || (size_t)n_rows + 1 > SIZE_MAX / sizeof(int32_t) / (size_t)n_cols) {
      status = csv__fail(err, err_len, CSV_ERANGE, "%s:%d: too many lines", name, lineno);
      goto out;
    }
    size_t need = ((size_t)n_rows + 1) * (size_t)n_cols;
    if (need > m_cap) {
      size_t cap = m_cap ? m_cap : (size_t)n_cols * 16;
      while (cap < need) cap = (cap > SIZE_MAX / 2 / sizeof(int32_t)) ? need : cap * 2;
      int32_t *nm = realloc(m, cap * sizeof *nm);
      if (nm == NULL) {
        status = csv__fail(err, err_len, CSV_ENOMEM, "%s:%d: out of memory", name, lineno);
        goto out;
      }
      m = nm;
      m_cap = cap;
    }
    memcpy(m + (size_t)n_rows * (size_t)n_cols, vals, (size_t)n_cols * sizeof *vals);
    if (row_line != NULL) {
      if ((size_t)n_rows == lines_cap) {
        size_t cap = lines_cap ? lines_cap * 2 : 64;
        int *nl = realloc(lines, cap * sizeof *nl);
        if (nl == NULL) {
          status = csv__fail(err, err_len, CSV_ENOMEM, "%s:%d: out of memory", name, lineno);
          goto out;
        }
        lines = nl;
        lines_cap = cap;
      }
      lines[n_rows] = lineno;
    }
    n_rows++;
  }

  if (n_rows == 0) {
    if (lineno == 0)
      status = csv__fail(err, err_len, CSV_EEMPTY, "%s: empty file (no data lines)", name);
    else
      status = csv__fail(err, err_len, CSV_EEMPTY,
                         "%s: no data lines (%d line%s, all blank or '#' comments)", name, lineno,
                         lineno == 1 ? "" : "s");
    goto out;
  }
  *data = m;
  *rows = n_rows;
  *cols = n_cols;
  if (row_line != NULL) *row_line = lines;
  m = NULL;
  lines = NULL;

out:
  free(ln.buf);
  free(vals);
  free(m);
  free(lines);
  return status;
}

int csv_read_int32_stream(FILE *fp, const char *name, int32_t **data, int *rows, int *cols,
                          int **row_line, char *err, size_t err_len) {
  return read_stream(fp, name, NULL, data, rows, cols, row_line, err, err_len);
}

int csv_read_int32_limits(const char *path, const csv_limits *lim, int32_t **data, int *rows,
                          int *cols, int **row_line, char *err, size_t err_len) {
  if (path == NULL) {
    if (data != NULL) *data = NULL;
    return csv__fail(err, err_len, CSV_EINVAL, "(null): no file name given");
  }
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) {
    int e = errno;
    if (data != NULL) *data = NULL;
    if (rows != NULL) *rows = 0;
    if (cols != NULL) *cols = 0;
    if (row_line != NULL) *row_line = NULL;
    return csv__fail(err, err_len, CSV_EOPEN, "%s: cannot open: %s", path, strerror(e));
  }
  int st = read_stream(fp, path, lim, data, rows, cols, row_line, err, err_len);
  fclose(fp);
  return st;
}

int csv_read_int32_lines(const char *path, int32_t **data, int *rows, int *cols,
                         int **row_line, char *err, size_t err_len) {
  return csv_read_int32_limits(path, NULL, data, rows, cols, row_line, err, err_len);
}

int csv_read_int32(const char *path, int32_t **data, int *rows, int *cols, char *err,
                   size_t err_len) {
  return csv_read_int32_lines(path, data, rows, cols, NULL, err, err_len);
}

int csv_write_int32_stream(FILE *fp, const char *name, const int32_t *data, int rows, int cols,
                           char *err, size_t err_len) {
  if (err != NULL && err_len > 0) err[0] = '\0';
  if (name == NULL) name = "(stream)";
  if (fp == NULL || data == NULL || rows < 1 || cols < 1)
    return csv__fail(err, err_len, CSV_EINVAL,
                     "%s: invalid argument to csv writer (%d x %d matrix)", name, rows, cols);
  for (int i = 0; i < rows; i++) {
    for (int j = 0; j < cols; j++) {
      if (fprintf(fp, j ? ",%ld" : "%ld", (long)data[(size_t)i * (size_t)cols + (size_t)j]) < 0)
        return csv__fail(err, err_len, CSV_EIO, "%s: write failed: %s", name, strerror(errno));
    }
    if (putc('\n', fp) == EOF)
      return csv__fail(err, err_len, CSV_EIO, "%s: write failed: %s", name, strerror(errno));
  }
  if (fflush(fp) != 0)
    return csv__fail(err, err_len, CSV_EIO, "%s: write failed: %s", name, strerror(errno));
  return CSV_OK;
}

int csv_write_int32(const char *path, const int32_t *data, int rows, int cols, char *err,
                    size_t err_len) {
  if (path == NULL) return csv__fail(err, err_len, CSV_EINVAL, "(null): no file name given");
  if (data == NULL || rows < 1 || cols < 1)
    return csv__fail(err, err_len, CSV_EINVAL, "%s: invalid argument to csv writer (%d x %d)",
                     path, rows, cols);
  /* Through a temporary file and a rename: a failed write leaves the old
   * file (or none), never a partial one (cim_outfile.h). */
  cim_outfile *o;
  char why[CIM_OUTFILE_MSG_LEN];
  if (cim_outfile_open(path, &o, why, sizeof why) != CIM_OUTFILE_OK)
    return csv__fail(err, err_len, CSV_EOPEN, "%s", why);
  int st = csv_write_int32_stream(cim_outfile_fp(o), path, data, rows, cols, err, err_len);
  if (st != CSV_OK) {
    cim_outfile_abort(o);
    return st;
  }
  if (cim_outfile_commit(o, why, sizeof why) != CIM_OUTFILE_OK)
    return csv__fail(err, err_len, CSV_EIO, "%s", why);
  return CSV_OK;
}

/* csv.h: integer matrices in CSV files, for the programs' weights, inputs and
 * outputs.
 *
 * Format read: one matrix row per line, values separated by commas, every
 * line with the same number of values. Spaces and tabs around a value are
 * allowed; blank lines and lines whose first non-blank character is '#' are
 * skipped; CRLF line ends and a leading UTF-8 byte-order mark are accepted.
 * A value is a decimal integer with an optional sign ("-12", "+3", "0") that
 * fits int32_t; nothing else is (no "1.0", "0x10", "1e3", empty fields).
 * Values go through the project's one number parser (rram_num.h), so the
 * messages are its: "'x' is not an integer", "N is out of range LO..HI".
 *
 * Errors come back as a status code plus a one-line message in a buffer the
 * caller owns, of the form "FILE:LINE:COLUMN: problem" (LINE and COLUMN
 * 1-based, COLUMN counted in bytes); the library prints nothing and keeps no
 * global state, so it is safe to call from any thread on different buffers.
 *
 * Example:
 *   int32_t *w; int n, k; char err[CSV_ERRMSG_LEN];
 *   if (csv_read_int32("w.csv", &w, &n, &k, err, sizeof err) != CSV_OK) {
 *     fprintf(stderr, "%s\n", err);  // "w.csv:7:1: line 7 has 19 values, expected 20"
 *     return 2;
 *   }
 *   ... w[i * k + j] ...
 *   free(w);
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes; on any error every out-parameter is left NULL/0 and nothing
 * was allocated. */
#define CSV_STATUS_MAP(X)                                                   \
  X(CSV_OK, 0, "success")                                                   \
  X(CSV_EINVAL, 1, "invalid argument")                                      \
  X(CSV_EOPEN, 2, "cannot open the file")                                   \
  X(CSV_EPARSE, 3, "a value is not an integer")                             \
  X(CSV_ERANGE, 4, "a value is outside the int32 range")                    \
  X(CSV_ERAGGED, 5, "a line has a different number of values")              \
  X(CSV_EEMPTY, 6, "the file holds no data lines")                          \
  X(CSV_ENOMEM, 7, "out of memory")                                         \
  X(CSV_EIO, 8, "read or write error")                                      \
  X(CSV_ELIMIT, 9, "the file exceeds the reader's limits")

enum csv_status {
#define CSV_STATUS_ENUM(name, value, text) name = value,
  CSV_STATUS_MAP(CSV_STATUS_ENUM)
#undef CSV_STATUS_ENUM
};

/* A message buffer of this size never truncates the library's messages
 * except for very long file names. */
#define CSV_ERRMSG_LEN 512

/** Static text of a status code; never NULL ("unknown status" if unknown). */
const char *csv_strerror(int status);

/** Read a CSV file of integers into a new row-major matrix.
 * @param path      file to read
 * @param[out] data malloc'd rows*cols values, data[i*cols + j]; free() it
 * @param[out] rows data lines read (>= 1 on success)
 * @param[out] cols values per line (>= 1 on success)
 * @param[out] err  message on error ("" on success); may be NULL
 * @param err_len   size of err
 * @return CSV_OK, CSV_EOPEN (message carries strerror), CSV_EPARSE,
 *         CSV_ERANGE, CSV_ERAGGED, CSV_EEMPTY, CSV_ENOMEM, CSV_EIO, CSV_EINVAL */
int csv_read_int32(const char *path, int32_t **data, int *rows, int *cols, char *err,
                   size_t err_len);

/** As csv_read_int32(), and also report which source line each matrix row
 * came from (so a caller can name the line of a value it rejects).
 * @param[out] row_line malloc'd rows ints, 1-based line numbers; may be NULL */
int csv_read_int32_lines(const char *path, int32_t **data, int *rows, int *cols,
                         int **row_line, char *err, size_t err_len);

/* Bounds a reader stops at before it has read or allocated more: a value
 * past max_cols on a line, a data line past max_rows, a line longer than
 * max_line_bytes (0 = no bound). why_cols and why_rows (may be NULL) end
 * the message, e.g. "K must be 1..256 (this build has 256 rows)". */
typedef struct csv_limits {
  int max_cols, max_rows;
  size_t max_line_bytes;
  const char *why_cols, *why_rows;
} csv_limits;

/** As csv_read_int32_lines(), within lim (NULL: none); CSV_ELIMIT when the
 * file passes one, with the line, and before the rest is read. */
int csv_read_int32_limits(const char *path, const csv_limits *lim, int32_t **data, int *rows,
                          int *cols, int **row_line, char *err, size_t err_len);

/** As csv_read_int32_lines() on an open stream; name is used in messages
 * only. The stream is read to its end and not closed. */
int csv_read_int32_stream(FILE *fp, const char *name, int32_t **data, int *rows,
                          int *cols, int **row_line, char *err, size_t err_len);

/** Write a rows x cols row-major matrix, one row per line, values separated
 * by ',' (no spaces). The file is written whole or not at all: through a
 * temporary file in path's folder, renamed over path only when every write,
 * the flush, fsync and close succeeded (cim_outfile.h); "-" writes standard
 * output, checked. The output reads back with csv_read_int32() to the same
 * matrix. Does not check that path is not an input: run
 * cim_outfile_preflight() first.
 * @return CSV_OK, CSV_EINVAL (rows or cols < 1, NULL data), CSV_EOPEN (no
 *         temporary file in the folder), CSV_EIO ("y.csv: write failed:
 *         No space left on device"; path is then unchanged) */
int csv_write_int32(const char *path, const int32_t *data, int rows, int cols, char *err,
                    size_t err_len);

/** As csv_write_int32() on an open stream (flushed, not closed). */
int csv_write_int32_stream(FILE *fp, const char *name, const int32_t *data, int rows,
                           int cols, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif

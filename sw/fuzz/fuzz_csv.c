/* fuzz_csv.c: the CSV reader (sw/host/csv.h) on any bytes.
 *
 * Input: 3 bytes of limits (max_cols, max_rows, max_line_bytes / 4; 0 = no
 * bound), then the file. Each run reads the file three ways: through a path
 * with no limits, through a path within the limits (csv_read_int32_limits),
 * and from a stream (fmemopen). Properties, besides ASan and UBSan:
 *  - an error has a message, and leaves every out-parameter NULL/0;
 *  - a success has rows, cols >= 1 and strictly increasing source lines;
 *  - the path and the stream give the same result (one parser, two doors);
 *  - a success within limits respects them and equals the unbounded read;
 *  - the matrix written (csv_write_int32_stream) reads back the same;
 *  - two runs of one input give the same transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fuzz.h"

typedef struct csv_result {
  int st, rows, cols;
  int32_t *data;
  int *line;
  char err[CSV_ERRMSG_LEN];
} csv_result;

static void check(const csv_result *r, const char *what) {
  char msg[CSV_ERRMSG_LEN];
  memcpy(msg, r->err, sizeof msg);
  fuzz_msg(r->st, msg, what);
  if (r->st != CSV_OK) {
    if (r->data || r->line || r->rows || r->cols)
      fuzz_fail("%s: error %d left out-parameters set", what, r->st);
    return;
  }
  if (r->rows < 1 || r->cols < 1 || !r->data || !r->line)
    fuzz_fail("%s: success with a %d x %d matrix", what, r->rows, r->cols);
  for (int i = 1; i < r->rows; i++)
    if (r->line[i] <= r->line[i - 1]) fuzz_fail("%s: row %d's line does not increase", what, i);
}

/* Same status, shape, values and lines; messages too when same_msg. */
static void equal(const csv_result *a, const csv_result *b, int same_msg, const char *what) {
  if (a->st != b->st || a->rows != b->rows || a->cols != b->cols ||
      (same_msg && strcmp(a->err, b->err) != 0))
    fuzz_fail("%s: status %d (%d x %d) '%s' against %d (%d x %d) '%s'", what, a->st, a->rows,
              a->cols, a->err, b->st, b->rows, b->cols, b->err);
  if (a->st != CSV_OK) return;
  const size_t n = (size_t)a->rows * (size_t)a->cols;
  if (memcmp(a->data, b->data, n * sizeof *a->data) != 0 ||
      memcmp(a->line, b->line, (size_t)a->rows * sizeof *a->line) != 0)
    fuzz_fail("%s: same shape, different values or lines", what);
}

static void put(fuzz_out *o, const csv_result *r) {
  fuzz_int(o, r->st);
  fuzz_int(o, r->rows);
  fuzz_int(o, r->cols);
  fuzz_str(o, r->err);
  if (r->st == CSV_OK) {
    fuzz_put(o, r->data, (size_t)r->rows * (size_t)r->cols * sizeof *r->data);
    fuzz_put(o, r->line, (size_t)r->rows * sizeof *r->line);
  }
}

static void release(csv_result *r) {
  free(r->data);
  free(r->line);
}

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  csv_limits lim = {0, 0, 0, "the fuzz limit on values", "the fuzz limit on lines"};
  if (size >= 3) {
    lim.max_cols = data[0];
    lim.max_rows = data[1];
    lim.max_line_bytes = (size_t)data[2] * 4;
    data += 3;
    size -= 3;
  }
  const char *path = fuzz_file(data, size);
  csv_result plain = {0}, bounded = {0}, stream = {0};
  plain.st = csv_read_int32_lines(path, &plain.data, &plain.rows, &plain.cols, &plain.line,
                                  plain.err, sizeof plain.err);
  check(&plain, "csv_read_int32_lines");
  bounded.st = csv_read_int32_limits(path, &lim, &bounded.data, &bounded.rows, &bounded.cols,
                                     &bounded.line, bounded.err, sizeof bounded.err);
  check(&bounded, "csv_read_int32_limits");

  /* fmemopen refuses a zero-size buffer: an empty stream is /dev/null's */
  FILE *fp = size ? fmemopen((void *)(uintptr_t)data, size, "rb") : fopen("/dev/null", "rb");
  if (!fp) fuzz_fail("cannot open the input as a stream");
  stream.st = csv_read_int32_stream(fp, path, &stream.data, &stream.rows, &stream.cols,
                                    &stream.line, stream.err, sizeof stream.err);
  fclose(fp);
  check(&stream, "csv_read_int32_stream");
  equal(&plain, &stream, 1, "path against stream");

  if (bounded.st == CSV_OK) {
    if ((lim.max_cols && bounded.cols > lim.max_cols) ||
        (lim.max_rows && bounded.rows > lim.max_rows))
      fuzz_fail("limits %d x %d passed by a %d x %d matrix", lim.max_rows, lim.max_cols,
                bounded.rows, bounded.cols);
    equal(&plain, &bounded, 1, "unbounded against bounded");
  } else if (bounded.st != CSV_ELIMIT && bounded.st != plain.st) {
    fuzz_fail("bounded read fails with %d, unbounded with %d", bounded.st, plain.st);
  }

  /* what the writer writes, the reader reads back */
  if (plain.st == CSV_OK) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char err[CSV_ERRMSG_LEN];
    if (!mem) fuzz_fail("open_memstream failed");
    int st = csv_write_int32_stream(mem, "out", plain.data, plain.rows, plain.cols, err,
                                    sizeof err);
    fclose(mem);
    if (st != CSV_OK) fuzz_fail("csv_write_int32_stream: %s", err);
    csv_result back = {0};
    FILE *in = fmemopen(text, len, "rb");
    if (!in) fuzz_fail("cannot reopen the written text");
    back.st = csv_read_int32_stream(in, "out", &back.data, &back.rows, &back.cols, &back.line,
                                    back.err, sizeof back.err);
    fclose(in);
    if (back.st != CSV_OK || back.rows != plain.rows || back.cols != plain.cols ||
        memcmp(back.data, plain.data, (size_t)plain.rows * (size_t)plain.cols * 4) != 0)
      fuzz_fail("the written matrix reads back differently: %s", back.err);
    fuzz_put(o, text, len);
    release(&back);
    free(text);
  }
  put(o, &plain);
  put(o, &bounded);
  release(&plain);
  release(&bounded);
  release(&stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "csv");
}

/* fuzz_idx.c: the IDX dataset reader (sw/host/idx.h) on any bytes, raw or
 * gzip (zlib reads both; a seed that is gzip lets the fuzzer reach the
 * inflater's errors).
 *
 * Input: one mode byte, then the file(s). Mode bit 0 clear: idx_read of the
 * rest with 1 (bit 1 clear) or 3 dimensions. Bit 0 set: the next byte splits
 * the rest into an image file and a label file for idx_read_set, with
 * 1 + (mode >> 2) classes. Properties, besides ASan and UBSan:
 *  - an error has a message and leaves every output zeroed;
 *  - a success has count, rows, cols >= 1 within the header's bounds, and
 *    labels below the number of classes;
 *  - two runs of one input give the same transcript. */
#include <string.h>

#include "fuzz.h"
#include "idx.h"

static int zeroed(const idx_data *d) {
  return d->count == 0 && d->rows == 0 && d->cols == 0 && d->data == NULL;
}

static void put(fuzz_out *o, const idx_data *d) {
  fuzz_int(o, d->count);
  fuzz_int(o, d->rows);
  fuzz_int(o, d->cols);
  if (d->data) fuzz_put(o, d->data, (size_t)d->count * (size_t)d->rows * (size_t)d->cols);
}

static void check(int st, const idx_data *d, int dims, const char *what) {
  if (st != IDX_OK) {
    if (!zeroed(d)) fuzz_fail("%s: error %d left the output set", what, st);
    return;
  }
  if (d->count < 1 || d->count > IDX_MAX_COUNT || d->rows < 1 || d->cols < 1 || !d->data ||
      (long long)d->rows * d->cols > IDX_MAX_PIXELS || (dims == 1 && (d->rows != 1 || d->cols != 1)))
    fuzz_fail("%s: success with %d items of %d x %d", what, d->count, d->rows, d->cols);
}

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  const unsigned mode = size ? data[0] : 0;
  if (size) {
    data++;
    size--;
  }
  char err[IDX_ERRMSG_LEN] = "";
  if (!(mode & 1u)) {
    const int dims = mode & 2u ? 3 : 1;
    idx_data d;
    const int st = idx_read(fuzz_file(data, size), dims, &d, err, sizeof err);
    fuzz_msg(st, err, "idx_read");
    check(st, &d, dims, "idx_read");
    fuzz_int(o, st);
    fuzz_str(o, err);
    put(o, &d);
    idx_free(&d);
    return;
  }
  const size_t cut = size ? (size_t)data[0] * (size - 1) / 255 : 0;
  const uint8_t *rest = size ? data + 1 : data;
  const size_t n = size ? size - 1 : 0;
  const int classes = 1 + (int)(mode >> 2);
  idx_data img, lab;
  const char *images = fuzz_file_n(0, rest, cut);
  const char *labels = fuzz_file_n(1, rest + cut, n - cut);
  const int st = idx_read_set(images, labels, classes, &img, &lab, err, sizeof err);
  fuzz_msg(st, err, "idx_read_set");
  check(st, &img, 3, "idx_read_set images");
  check(st, &lab, 1, "idx_read_set labels");
  if (st == IDX_OK) {
    if (img.count != lab.count) fuzz_fail("%d images, %d labels", img.count, lab.count);
    for (int i = 0; i < lab.count; i++)
      if (lab.data[i] >= classes) fuzz_fail("label %d of item %d passed", lab.data[i], i);
  }
  fuzz_int(o, st);
  fuzz_str(o, err);
  put(o, &img);
  put(o, &lab);
  idx_free(&img);
  idx_free(&lab);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "idx");
}

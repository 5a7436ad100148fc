/* idx.h: the IDX files of MNIST-style datasets (images and labels), read
 * whole, gzip-compressed or not (zlib reads both).
 *
 * Format (LeCun, "THE MNIST DATABASE"): a big-endian header of two zero
 * bytes, a type byte (0x08: unsigned byte, the only type read here), the
 * number of dimensions, then each dimension as a big-endian 32-bit count,
 * then the items. Images have 3 dimensions (count, rows, cols), labels 1.
 *
 * Every problem is an error with a one-line message naming the file and
 * what is wrong with it: not IDX (magic), a type or dimension count other
 * than the one asked for, a size out of range, a file shorter than its
 * header says (how many bytes it has and needs), bytes after the last item,
 * a corrupt gzip stream, images and labels whose counts disagree, a label
 * past the last class. Nothing is printed; no global state.
 *
 * Example:
 *   idx_data img, lab; char err[IDX_ERRMSG_LEN];
 *   if (idx_read_set("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10,
 *                    &img, &lab, err, sizeof err) != IDX_OK) { puts(err); ... }
 *   pixel (r, c) of image i: img.data[(i * img.rows + r) * img.cols + c]
 *   idx_free(&img); idx_free(&lab); */
#ifndef IDX_H
#define IDX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IDX_STATUS_MAP(X)                                              \
  X(IDX_OK, 0, "success")                                              \
  X(IDX_EINVAL, 1, "invalid argument")                                 \
  X(IDX_EOPEN, 2, "cannot open the file")                              \
  X(IDX_EFORMAT, 3, "not an IDX file of the expected kind")            \
  X(IDX_ETRUNC, 4, "the file is shorter than its header says")         \
  X(IDX_ETRAIL, 5, "the file has bytes after its last item")           \
  X(IDX_ECORRUPT, 6, "corrupt compressed data")                        \
  X(IDX_EMISMATCH, 7, "images and labels do not agree")                \
  X(IDX_ENOMEM, 8, "out of memory")

enum idx_status {
#define IDX_STATUS_ENUM(name, value, text) name = value,
  IDX_STATUS_MAP(IDX_STATUS_ENUM)
#undef IDX_STATUS_ENUM
};

#define IDX_ERRMSG_LEN 512

/* Largest count and largest image (rows x cols) accepted: far above any
 * dataset of this kind, below sizes whose allocation would fail anyway. */
#define IDX_MAX_COUNT 10000000
#define IDX_MAX_PIXELS 1048576

typedef struct idx_data {
  int count;     /* items */
  int rows;      /* image rows; 1 for labels */
  int cols;      /* image columns; 1 for labels */
  uint8_t *data; /* count x rows x cols bytes, item by item */
} idx_data;

/* Read path as dims-dimensional IDX of unsigned bytes (3: images, 1:
 * labels) into *out (zeroed on error: nothing to free). */
int idx_read(const char *path, int dims, idx_data *out, char *err, size_t err_len);

/* Read an image file and its label file, which must hold the same count,
 * every label below n_classes. On error both are zeroed. */
int idx_read_set(const char *images, const char *labels, int n_classes, idx_data *img,
                 idx_data *lab, char *err, size_t err_len);

/* Free what idx_read allocated; zeroes *d. NULL is a no-op. */
void idx_free(idx_data *d);

/* The text of a status code. */
const char *idx_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif

/* idx.c: IDX dataset files through zlib (format and errors in idx.h). */
#include "idx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void seterr(char *err, size_t len, const char *fmt, ...) {
  if (!err || len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
}

const char *idx_strerror(int status) {
  switch (status) {
#define IDX_STATUS_CASE(name, value, text) \
  case name: return text;
    IDX_STATUS_MAP(IDX_STATUS_CASE)
#undef IDX_STATUS_CASE
    default: return "unknown status";
  }
}

void idx_free(idx_data *d) {
  if (!d) return;
  free(d->data);
  memset(d, 0, sizeof *d);
}

/* Read exactly n bytes; returns how many arrived (n unless the file ended),
 * or -1 on a corrupt stream (message from zlib in *why). */
static long read_all(gzFile f, uint8_t *buf, size_t n, const char **why) {
  size_t got = 0;
  while (got < n) {
    const unsigned chunk = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
    const int r = gzread(f, buf + got, chunk);
    if (r < 0) {
      int zerr = 0;
      *why = gzerror(f, &zerr);
      return -1;
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  return (long)got;
}

/* First buffer size of the items; it doubles while the data lasts. */
#define IDX_READ_CHUNK ((size_t)1 << 20)

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int idx_read(const char *path, int dims, idx_data *out, char *err, size_t err_len) {
  if (out) memset(out, 0, sizeof *out);
  if (!path || !out || (dims != 1 && dims != 3)) {
    seterr(err, err_len, "idx_read: bad argument");
    return IDX_EINVAL;
  }
  gzFile f = gzopen(path, "rb");
  if (!f) {
    seterr(err, err_len, "%s: cannot open", path);
    return IDX_EOPEN;
  }
  const char *why = NULL;
  uint8_t head[4 + 4 * 3];
  const size_t head_len = 4 + 4 * (size_t)dims;
  long got = read_all(f, head, head_len, &why);
  int rc = IDX_OK;
  uint8_t *data = NULL;
  uint32_t n[3] = {0, 1, 1};
  if (got < 0) {
    seterr(err, err_len, "%s: corrupt gzip data: %s", path, why);
    rc = IDX_ECORRUPT;
    goto out;
  }
  if (got < 4) {
    seterr(err, err_len, "%s: truncated: %ld byte%s, an IDX header needs at least 4", path, got,
           got == 1 ? "" : "s");
    rc = IDX_ETRUNC;
    goto out;
  }
  if (head[0] != 0 || head[1] != 0) {
    seterr(err, err_len, "%s: not an IDX file (magic %02x %02x %02x %02x)", path, head[0], head[1],
           head[2], head[3]);
    rc = IDX_EFORMAT;
    goto out;
  }
  if (head[2] != 0x08 || head[3] != dims) {
    seterr(err, err_len,
           "%s: IDX of type 0x%02x with %d dimension%s, expected unsigned bytes (0x08) with %d "
           "(%s)",
           path, head[2], head[3], head[3] == 1 ? "" : "s", dims, dims == 3 ? "images" : "labels");
    rc = IDX_EFORMAT;
    goto out;
  }
  if ((size_t)got < head_len) {
    seterr(err, err_len, "%s: truncated header: %ld of %zu bytes", path, got, head_len);
    rc = IDX_ETRUNC;
    goto out;
  }
  for (int d = 0; d < dims; d++) n[d] = be32(head + 4 + 4 * (size_t)d);
  if (n[0] < 1 || n[0] > IDX_MAX_COUNT) {
    seterr(err, err_len, "%s: %u items, expected 1..%d", path, n[0], IDX_MAX_COUNT);
    rc = IDX_EFORMAT;
    goto out;
  }
  if (dims == 3 && (n[1] < 1 || n[2] < 1 || (uint64_t)n[1] * n[2] > IDX_MAX_PIXELS)) {
    seterr(err, err_len, "%s: images of %u x %u pixels, expected 1..%d pixels", path, n[1], n[2],
           IDX_MAX_PIXELS);
    rc = IDX_EFORMAT;
    goto out;
  }
  const size_t bytes = (size_t)n[0] * n[1] * n[2];
  /* The header's sizes are only a claim: the buffer grows as the data
   * arrives (to at most twice what the file holds), so a short file that
   * claims 10^13 bytes is refused as truncated, not by a huge allocation
   * (found by fuzz_idx). */
  size_t cap = bytes < IDX_READ_CHUNK ? bytes : IDX_READ_CHUNK, have = 0;
  for (;;) {
    uint8_t *grown = realloc(data, cap);
    if (!grown) {
      seterr(err, err_len, "%s: out of memory for %zu bytes", path, cap);
      rc = IDX_ENOMEM;
      goto out;
    }
    data = grown;
    got = read_all(f, data + have, cap - have, &why);
    if (got < 0) {
      seterr(err, err_len, "%s: corrupt gzip data: %s", path, why);
      rc = IDX_ECORRUPT;
      goto out;
    }
    have += (size_t)got;
    if (have < cap || cap == bytes) break;
    cap = cap > bytes / 2 ? bytes : cap * 2;
  }
  if (have < bytes) {
    const size_t item = (size_t)n[1] * n[2];
    seterr(err, err_len, "%s: truncated: %zu of %zu data bytes (%zu of %u items complete)", path,
           have, bytes, have / item, n[0]);
    rc = IDX_ETRUNC;
    goto out;
  }
  uint8_t extra;
  got = read_all(f, &extra, 1, &why);
  if (got != 0) {
    if (got < 0)
      seterr(err, err_len, "%s: corrupt gzip data after the last item: %s", path, why);
    else
      seterr(err, err_len, "%s: bytes after the last of its %u items", path, n[0]);
    rc = got < 0 ? IDX_ECORRUPT : IDX_ETRAIL;
    goto out;
  }
  out->count = (int)n[0];
  out->rows = (int)n[1];
  out->cols = (int)n[2];
  out->data = data;
  data = NULL;
out:
  free(data);
  gzclose(f);
  return rc;
}

int idx_read_set(const char *images, const char *labels, int n_classes, idx_data *img,
                 idx_data *lab, char *err, size_t err_len) {
  if (img) memset(img, 0, sizeof *img);
  if (lab) memset(lab, 0, sizeof *lab);
  if (!img || !lab || n_classes < 1 || n_classes > 256) {
    seterr(err, err_len, "idx_read_set: bad argument");
    return IDX_EINVAL;
  }
  int rc = idx_read(images, 3, img, err, err_len);
  if (rc == IDX_OK) rc = idx_read(labels, 1, lab, err, err_len);
  if (rc == IDX_OK && img->count != lab->count) {
    seterr(err, err_len, "%s has %d images but %s has %d labels", images, img->count, labels,
           lab->count);
    rc = IDX_EMISMATCH;
  }
  for (int i = 0; rc == IDX_OK && i < lab->count; i++) {
    if (lab->data[i] >= n_classes) {
      seterr(err, err_len, "%s: label %d of item %d is not a class (0..%d)", labels, lab->data[i],
             i, n_classes - 1);
      rc = IDX_EMISMATCH;
    }
  }
  if (rc != IDX_OK) {
    idx_free(img);
    idx_free(lab);
  }
  return rc;
}

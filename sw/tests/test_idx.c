/* test_idx.c: the IDX reader (idx.h) on files written here, good and bad,
 * raw and gzip, and on the Fashion-MNIST test set the Makefile installs.
 * No simulation; each test works in its own mkdtemp folder. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "suites.h"

/* The dataset of the network workload (Debian package dataset-fashion-mnist). */
#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct tdir {
  char dir[256];
  char path[8][320];
  int n;
} tdir;

static void tdir_make(tdir *t) {
  memset(t, 0, sizeof *t);
  const char *base = getenv("TMPDIR");
  snprintf(t->dir, sizeof t->dir, "%s/test_idx.XXXXXX", base && *base ? base : "/tmp");
  ck_assert_msg(mkdtemp(t->dir) != NULL, "mkdtemp: %s", strerror(errno));
}

static void tdir_free(tdir *t) {
  for (int i = 0; i < t->n; i++) unlink(t->path[i]);
  rmdir(t->dir);
}

/* Write len bytes to a new file name in t (gzip-compressed if gz). */
static const char *put(tdir *t, const char *name, const uint8_t *b, size_t len, int gz) {
  ck_assert(t->n < 8);
  char *p = t->path[t->n++];
  ck_assert(strlen(t->dir) + 1 + strlen(name) < sizeof t->path[0]);
  strcpy(p, t->dir);
  strcat(p, "/");
  strcat(p, name);
  if (gz) {
    gzFile f = gzopen(p, "wb");
    ck_assert(f != NULL);
    ck_assert_int_eq(gzwrite(f, b, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(f), Z_OK);
  } else {
    FILE *f = fopen(p, "wb");
    ck_assert(f != NULL);
    ck_assert_uint_eq(fwrite(b, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
  }
  return p;
}

/* An IDX header: unsigned bytes, dims dimensions n[0..dims-1]. */
static size_t header(uint8_t *b, int dims, const uint32_t *n) {
  b[0] = b[1] = 0;
  b[2] = 0x08;
  b[3] = (uint8_t)dims;
  for (int d = 0; d < dims; d++)
    for (int k = 0; k < 4; k++) b[4 + 4 * d + k] = (uint8_t)(n[d] >> (24 - 8 * k));
  return 4 + 4 * (size_t)dims;
}

/* 3 images of 2 x 3 pixels (pixel value 10 i + k) and 3 labels. */
static size_t images3(uint8_t *b) {
  const uint32_t n[3] = {3, 2, 3};
  size_t h = header(b, 3, n);
  for (int i = 0; i < 18; i++) b[h + (size_t)i] = (uint8_t)(10 * (i / 6) + i % 6);
  return h + 18;
}
static size_t labels(uint8_t *b, uint32_t count) {
  size_t h = header(b, 1, &count);
  for (uint32_t i = 0; i < count; i++) b[h + i] = (uint8_t)(i % 10);
  return h + count;
}

/* Reading a good set, raw and gzip-compressed, gives the bytes written. */
START_TEST(test_idx_reads_raw_and_gzip) {
  for (int gz = 0; gz < 2; gz++) {
    tdir t;
    tdir_make(&t);
    uint8_t bi[64], bl[32];
    const size_t ni = images3(bi), nl = labels(bl, 3);
    const char *pi = put(&t, "i", bi, ni, gz), *pl = put(&t, "l", bl, nl, gz);
    idx_data img, lab;
    char err[IDX_ERRMSG_LEN] = "";
    ck_assert_msg(idx_read_set(pi, pl, 10, &img, &lab, err, sizeof err) == IDX_OK, "%s", err);
    ck_assert(img.count == 3 && img.rows == 2 && img.cols == 3);
    ck_assert(lab.count == 3 && lab.rows == 1 && lab.cols == 1);
    for (int i = 0; i < 18; i++) ck_assert_int_eq(img.data[i], 10 * (i / 6) + i % 6);
    for (int i = 0; i < 3; i++) ck_assert_int_eq(lab.data[i], i);
    idx_free(&img);
    idx_free(&lab);
    ck_assert(img.data == NULL && img.count == 0);
    tdir_free(&t);
  }
}
END_TEST

/* Every bad file: the status, and a message that names the file and the
 * problem. Each case edits a good image file (and label file). */
enum { B_MAGIC, B_TYPE, B_DIMS, B_ZERO, B_HUGE, B_TRUNC_HEAD, B_TRUNC, B_TRAIL, B_COUNTS,
       B_LABEL, B_GZ_CUT, B_MISSING, N_BAD };
static const struct {
  const char *what;
  int status;
  const char *msg; /* substring of the message after "<path>: " */
} bad[N_BAD] = {
    [B_MAGIC] = {"wrong magic", IDX_EFORMAT, "not an IDX file (magic 50 4b 03 04)"},
    [B_TYPE] = {"type int32", IDX_EFORMAT, "IDX of type 0x0c with 3 dimensions, expected unsigned "
                                           "bytes (0x08) with 3 (images)"},
    [B_DIMS] = {"labels as images", IDX_EFORMAT, "IDX of type 0x08 with 1 dimension, expected "
                                                 "unsigned bytes (0x08) with 3 (images)"},
    [B_ZERO] = {"zero images", IDX_EFORMAT, "0 items, expected 1..10000000"},
    [B_HUGE] = {"huge images", IDX_EFORMAT, "images of 2048 x 2048 pixels, expected 1..1048576"},
    [B_TRUNC_HEAD] = {"cut header", IDX_ETRUNC, "truncated header: 9 of 16 bytes"},
    [B_TRUNC] = {"cut data", IDX_ETRUNC, "truncated: 13 of 18 data bytes (2 of 3 items complete)"},
    [B_TRAIL] = {"extra byte", IDX_ETRAIL, "bytes after the last of its 3 items"},
    [B_COUNTS] = {"2 labels for 3 images", IDX_EMISMATCH, "has 3 images but "},
    [B_LABEL] = {"label 10 of 10 classes", IDX_EMISMATCH, "label 10 of item 1 is not a class (0..9)"},
    [B_GZ_CUT] = {"gzip cut short", -1, "l: "},
    [B_MISSING] = {"no such file", IDX_EOPEN, "cannot open"},
};

START_TEST(test_idx_bad_files) {
  const int c = _i;
  tdir t;
  tdir_make(&t);
  uint8_t bi[64], bl[32], gzb[256];
  size_t ni = images3(bi), nl = labels(bl, 3);
  int gz = 0;
  switch (c) {
    case B_MAGIC: memcpy(bi, "PK\3\4", 4); break; /* a zip file */
    case B_TYPE: bi[2] = 0x0c; break;
    case B_DIMS: ni = labels(bi, 3); break;
    case B_ZERO: bi[4] = bi[5] = bi[6] = bi[7] = 0; break;
    case B_HUGE: header(bi, 3, (const uint32_t[3]){3, 2048, 2048}); break;
    case B_TRUNC_HEAD: ni = 9; break;
    case B_TRUNC: ni -= 5; break;
    case B_TRAIL: bi[ni++] = 7; break;
    case B_COUNTS: nl = labels(bl, 2); break;
    case B_LABEL: bl[8 + 1] = 10; break;
    default: break;
  }
  const char *pi = put(&t, "i", bi, ni, gz);
  const char *pl = c == B_MISSING ? "/nonexistent/l" : put(&t, "l", bl, nl, gz);
  if (c == B_GZ_CUT) {
    /* a gzip stream cut in its middle: the label file */
    char gzp[320];
    snprintf(gzp, sizeof gzp, "%s/full.gz", t.dir);
    gzFile f = gzopen(gzp, "wb");
    uint8_t big[4096];
    uint32_t n = 4000;
    size_t h = header(big, 1, &n);
    for (size_t i = h; i < sizeof big; i++) big[i] = (uint8_t)((i * 7919) % 10);
    gzwrite(f, big, (unsigned)(h + n));
    gzclose(f);
    FILE *r = fopen(gzp, "rb");
    const size_t len = fread(gzb, 1, sizeof gzb, r);
    fclose(r);
    unlink(gzp);
    ck_assert(len > 40);
    pl = put(&t, "l", gzb, len / 2, 0);
  }
  idx_data img, lab;
  char err[IDX_ERRMSG_LEN] = "";
  const int rc = idx_read_set(pi, pl, 10, &img, &lab, err, sizeof err);
  if (bad[c].status >= 0)
    ck_assert_msg(rc == bad[c].status, "%s: status %s, want %s (%s)", bad[c].what,
                  idx_strerror(rc), idx_strerror(bad[c].status), err);
  else
    ck_assert_msg(rc == IDX_ETRUNC || rc == IDX_ECORRUPT, "%s: status %s (%s)", bad[c].what,
                  idx_strerror(rc), err);
  ck_assert_msg(strstr(err, bad[c].msg) != NULL, "%s: message '%s' lacks '%s'", bad[c].what, err,
                bad[c].msg);
  /* the file named: the one at fault */
  const char *named = c == B_LABEL || c == B_GZ_CUT || c == B_MISSING ? pl : pi;
  ck_assert_msg(strstr(err, named) != NULL, "%s: message '%s' does not name %s", bad[c].what, err,
                named);
  ck_assert_msg(strchr(err, '\n') == NULL, "%s: message is not one line", bad[c].what);
  ck_assert(img.data == NULL && lab.data == NULL && img.count == 0 && lab.count == 0);
  tdir_free(&t);
}
END_TEST

/* The installed test set: 10,000 images of 28 x 28, 1,000 per class. */
START_TEST(test_idx_fashion_mnist) {
  idx_data img, lab;
  char err[IDX_ERRMSG_LEN] = "";
  const int rc = idx_read_set(FMNIST_DIR "/t10k-images-idx3-ubyte.gz",
                              FMNIST_DIR "/t10k-labels-idx1-ubyte.gz", 10, &img, &lab, err,
                              sizeof err);
  ck_assert_msg(rc == IDX_OK, "%s (the Makefile installs dataset-fashion-mnist)", err);
  ck_assert(img.count == 10000 && img.rows == 28 && img.cols == 28 && lab.count == 10000);
  int per[10] = {0}, lit = 0;
  for (int i = 0; i < lab.count; i++) per[lab.data[i]]++;
  for (int k = 0; k < 10; k++) ck_assert_msg(per[k] == 1000, "class %d: %d images", k, per[k]);
  for (int i = 0; i < 784; i++) lit += img.data[i] != 0;
  ck_assert_msg(lit > 100 && lit < 784, "image 0 has %d lit pixels", lit);
  idx_free(&img);
  idx_free(&lab);
}
END_TEST

Suite *suite_idx(void) {
  Suite *s = suite_create("idx");
  TCase *tc = tcase_create("idx");
  tcase_add_test(tc, test_idx_reads_raw_and_gzip);
  tcase_add_loop_test(tc, test_idx_bad_files, 0, N_BAD);
  tcase_add_test(tc, test_idx_fashion_mnist);
  suite_add_tcase(s, tc);
  return s;
}

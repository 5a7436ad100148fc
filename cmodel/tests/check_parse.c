/* check_parse.c: the one number parser (rram_num.h) and the device-file
 * cases that depend on it: byte-order mark, binary bytes in messages, a file
 * error told apart from a missing preset or file. Files are made under a
 * fresh mkdtemp folder, never in the current directory. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../rram_device.h"
#include "../rram_num.h"
#include "../rram_status.h"
#include "check_suites.h"

/* ---- integers ----------------------------------------------------------- */

static const struct int_case {
  const char *s;
  int64_t lo, hi;
  int rc;
  int64_t v;       /* when rc is OK */
  const char *msg; /* exact message when rc is not OK */
} int_cases[] = {
    {"5", 0, 31, RRAM_NUM_OK, 5, NULL},
    {"+5", 0, 31, RRAM_NUM_OK, 5, NULL},
    {"-0", 0, 31, RRAM_NUM_OK, 0, NULL},
    {"010", 0, 31, RRAM_NUM_OK, 10, NULL}, /* decimal, never octal */
    {"-9223372036854775808", INT64_MIN, INT64_MAX, RRAM_NUM_OK, INT64_MIN, NULL},
    {"9223372036854775807", INT64_MIN, INT64_MAX, RRAM_NUM_OK, INT64_MAX, NULL},
    {" 5", 0, 31, RRAM_NUM_ESYNTAX, 0, "' 5' is not an integer"},
    {"5 ", 0, 31, RRAM_NUM_ESYNTAX, 0, "'5 ' is not an integer"},
    {"0x10", 0, 31, RRAM_NUM_ESYNTAX, 0, "'0x10' is not an integer"},
    {"", 0, 31, RRAM_NUM_ESYNTAX, 0, "'' is not an integer"},
    {"-", 0, 31, RRAM_NUM_ESYNTAX, 0, "'-' is not an integer"},
    {"1e3", 0, 31, RRAM_NUM_ESYNTAX, 0, "'1e3' is not an integer"},
    {"1.0", 0, 31, RRAM_NUM_ESYNTAX, 0, "'1.0' is not an integer"},
    {"32", 0, 31, RRAM_NUM_ERANGE, 0, "32 is out of range 0..31"},
    {"-1", 0, 31, RRAM_NUM_ERANGE, 0, "-1 is out of range 0..31"},
    {"9223372036854775808", INT64_MIN, INT64_MAX, RRAM_NUM_ERANGE, 0,
     "9223372036854775808 is out of range -9223372036854775808..9223372036854775807"},
    {"99999999999999999999999", 0, 31, RRAM_NUM_ERANGE, 0,
     "99999999999999999999999 is out of range 0..31"},
    {"2147483648", INT32_MIN, INT32_MAX, RRAM_NUM_ERANGE, 0,
     "2147483648 is out of range -2147483648..2147483647"},
    {"7\x01", 0, 31, RRAM_NUM_ESYNTAX, 0, "'7\\x01' is not an integer"},
};

START_TEST(test_int_grammar_and_messages) {
  const struct int_case *c = &int_cases[_i];
  int64_t v = -12345;
  char err[RRAM_NUM_MSG_LEN];
  const int rc = rram_num_int(c->s, c->lo, c->hi, &v, err, sizeof err);
  ck_assert_msg(rc == c->rc, "'%s': rc %d, expected %d (%s)", c->s, rc, c->rc, err);
  if (rc == RRAM_NUM_OK) {
    ck_assert_msg(v == c->v, "'%s': %lld", c->s, (long long)v);
    ck_assert_str_eq(err, "");
  } else {
    ck_assert_msg(v == -12345, "'%s': output changed on error", c->s);
    ck_assert_str_eq(err, c->msg);
  }
}
END_TEST

START_TEST(test_int_n_and_uint) {
  int64_t v = 0;
  char err[RRAM_NUM_MSG_LEN];
  /* the length decides, not a terminator: a CSV field inside a line */
  ck_assert_int_eq(rram_num_int_n("12,34", 2, 0, 100, &v, err, sizeof err), RRAM_NUM_OK);
  ck_assert_int_eq(v, 12);
  ck_assert_int_eq(rram_num_int_n("12,34", 3, 0, 100, &v, err, sizeof err), RRAM_NUM_ESYNTAX);
  ck_assert_str_eq(err, "'12,' is not an integer");
  uint64_t u = 0;
  ck_assert_int_eq(rram_num_uint("18446744073709551615", 0, UINT64_MAX, &u, err, sizeof err),
                   RRAM_NUM_OK);
  ck_assert(u == UINT64_MAX);
  ck_assert_int_eq(rram_num_uint("18446744073709551616", 0, UINT64_MAX, &u, err, sizeof err),
                   RRAM_NUM_ERANGE);
  ck_assert_str_eq(err, "18446744073709551616 is out of range 0..18446744073709551615");
  ck_assert_int_eq(rram_num_uint("-1", 0, 10, &u, err, sizeof err), RRAM_NUM_ERANGE);
  ck_assert_str_eq(err, "-1 is out of range 0..10");
  ck_assert_int_eq(rram_num_uint(" 1", 0, 10, &u, err, sizeof err), RRAM_NUM_ESYNTAX);
  ck_assert_int_eq(rram_num_int(NULL, 0, 10, &v, err, sizeof err), RRAM_NUM_ESYNTAX);
  /* NULL message buffer is allowed */
  ck_assert_int_eq(rram_num_int("x", 0, 10, &v, NULL, 0), RRAM_NUM_ESYNTAX);
}
END_TEST

/* ---- reals -------------------------------------------------------------- */

static const struct real_case {
  const char *s;
  int rc;
  double v;
  const char *msg;
} real_cases[] = {
    /* range 0..3.2e9 throughout, as --age */
    {"5", RRAM_NUM_OK, 5, NULL},
    {"1e5", RRAM_NUM_OK, 1e5, NULL},
    {"2.5E-2", RRAM_NUM_OK, 0.025, NULL},
    {".5", RRAM_NUM_OK, 0.5, NULL},
    {"5.", RRAM_NUM_OK, 5, NULL},
    {"+0.0", RRAM_NUM_OK, 0, NULL},
    {"1e-320", RRAM_NUM_OK, 1e-320, NULL}, /* subnormal: strtod says ERANGE */
    {"1e-400", RRAM_NUM_OK, 0, NULL},      /* underflows to 0: still a number */
    {" 5", RRAM_NUM_ESYNTAX, 0, "' 5' is not a number"},
    {"5\t", RRAM_NUM_ESYNTAX, 0, "'5\\x09' is not a number"},
    {"0x10", RRAM_NUM_ESYNTAX, 0, "'0x10' is not a number"},
    {"0x1p3", RRAM_NUM_ESYNTAX, 0, "'0x1p3' is not a number"},
    {"inf", RRAM_NUM_ESYNTAX, 0, "'inf' is not a number"},
    {"nan", RRAM_NUM_ESYNTAX, 0, "'nan' is not a number"},
    {"", RRAM_NUM_ESYNTAX, 0, "'' is not a number"},
    {".", RRAM_NUM_ESYNTAX, 0, "'.' is not a number"},
    {"1e", RRAM_NUM_ESYNTAX, 0, "'1e' is not a number"},
    {"1e+", RRAM_NUM_ESYNTAX, 0, "'1e+' is not a number"},
    {"-5", RRAM_NUM_ERANGE, 0, "-5 is out of range 0..3.2e+09"},
    {"1e400", RRAM_NUM_ERANGE, 0, "1e400 is out of range 0..3.2e+09"},
    {"4e9", RRAM_NUM_ERANGE, 0, "4e9 is out of range 0..3.2e+09"},
};

START_TEST(test_real_grammar_and_messages) {
  const struct real_case *c = &real_cases[_i];
  double v = -7;
  char err[RRAM_NUM_MSG_LEN];
  const int rc = rram_num_real(c->s, 0, 3.2e9, &v, err, sizeof err);
  ck_assert_msg(rc == c->rc, "'%s': rc %d, expected %d (%s)", c->s, rc, c->rc, err);
  if (rc == RRAM_NUM_OK) {
    ck_assert_msg(v == c->v, "'%s': %g", c->s, v);
  } else {
    ck_assert_msg(v == -7, "'%s': output changed on error", c->s);
    ck_assert_str_eq(err, c->msg);
  }
}
END_TEST

START_TEST(test_real_long_and_escape) {
  /* many digits are legal and exact */
  char digits[600];
  memset(digits, '0', sizeof digits - 1);
  digits[1] = '.';
  digits[2] = '5';
  digits[sizeof digits - 1] = '\0';
  double v = 0;
  ck_assert_int_eq(rram_num_real(digits, 0, 1, &v, NULL, 0), RRAM_NUM_OK);
  ck_assert(v == 0.5);
  /* a long bad value is cut in the message */
  char err[RRAM_NUM_MSG_LEN];
  char junk[100];
  memset(junk, 'a', sizeof junk - 1);
  junk[sizeof junk - 1] = '\0';
  ck_assert_int_eq(rram_num_real(junk, 0, 1, &v, err, sizeof err), RRAM_NUM_ESYNTAX);
  ck_assert_msg(strlen(err) < 70 && strstr(err, "...' is not a number"), "%s", err);
  char out[64];
  ck_assert_str_eq(rram_num_escape("a\x01\xff\"b", 5, 0, out, sizeof out), "a\\x01\\xFF\"b");
  ck_assert_str_eq(rram_num_escape("abcdef", 6, 3, out, sizeof out), "abc...");
  /* a small buffer never holds half an escape */
  ck_assert_str_eq(rram_num_escape("a\x01", 2, 0, out, 4), "a");
}
END_TEST

/* ---- device files --------------------------------------------------------- */

/* A fresh folder for files; removed by the caller with tmpdir_done. */
static void tmpdir_make(char *dir, size_t len) {
  const char *base = getenv("TMPDIR");
  snprintf(dir, len, "%s/check_parse.XXXXXX", base && *base ? base : "/tmp");
  ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s failed", dir);
}

static void write_file(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  ck_assert_msg(f != NULL, "cannot create %s", path);
  ck_assert(fwrite(text, 1, n, f) == n);
  ck_assert(fclose(f) == 0);
}

START_TEST(test_device_file_bom) {
  char dir[512], path[600], err[512];
  tmpdir_make(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/bom.dev", dir);
  const char text[] = "\xEF\xBB\xBFread_noise = 0.02\n";
  write_file(path, text, sizeof text - 1);
  rram_device d;
  rram_device_ideal(&d);
  const int rc = rram_device_load(path, &d, err, sizeof err);
  unlink(path);
  rmdir(dir);
  ck_assert_msg(rc == RRAM_OK, "%s", err);
  ck_assert(d.read_noise == 0.02);
  /* a BOM anywhere else is not one */
  ck_assert_int_eq(rram_device_parse("read_noise = 0.01\n\xEF\xBB\xBFr = 1\n", "t.dev", &d, err,
                                     sizeof err),
                   RRAM_EIO);
  ck_assert_str_eq(err, "t.dev:2: \\xEF\\xBB\\xBFr: unknown key");
}
END_TEST

START_TEST(test_device_file_binary_escaped) {
  char err[512];
  rram_device d;
  rram_device_ideal(&d);
  ck_assert_int_eq(rram_device_parse("\x1b[31mred\x7f = 1\n", "t.dev", &d, err, sizeof err),
                   RRAM_EIO);
  ck_assert_str_eq(err, "t.dev:1: \\x1B[31mred\\x7F: unknown key");
  ck_assert_int_eq(rram_device_parse("\x80\x81\x82\n", "t.dev", &d, err, sizeof err), RRAM_EIO);
  ck_assert_str_eq(err, "t.dev:1: expected 'key = value', got '\\x80\\x81\\x82'");
  ck_assert_int_eq(rram_device_parse("read_noise = 0.\x01\n", "t.dev", &d, err, sizeof err),
                   RRAM_EIO);
  ck_assert_str_eq(err, "t.dev:1: read_noise: '0.\\x01' is not a number");
  ck_assert_int_eq(rram_device_set(&d, "read_noise", "0x1", err, sizeof err), RRAM_EIO);
  ck_assert_str_eq(err, "set: read_noise: '0x1' is not a number");
  for (const char *p = err; *p; p++)
    ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "raw byte in message");
}
END_TEST

START_TEST(test_device_errors_tell_missing_from_bad) {
  char dir[512], path[600], err[512];
  tmpdir_make(dir, sizeof dir);
  rram_device d, before;
  rram_device_ideal(&d);
  before = d;
  /* neither a preset nor a file: its own code, the list of presets */
  snprintf(path, sizeof path, "%s/defualt", dir);
  ck_assert_int_eq(rram_device_load(path, &d, err, sizeof err), RRAM_ENOTFOUND);
  ck_assert_msg(strstr(err, "no such preset or file (presets: ideal, default,"), "%s", err);
  /* an error inside a file: RRAM_EIO, file, line and key, no preset list */
  snprintf(path, sizeof path, "%s/bad.dev", dir);
  const char text[] = "# device\nstuck_gmax_rate = -1\n";
  write_file(path, text, sizeof text - 1);
  ck_assert_int_eq(rram_device_load(path, &d, err, sizeof err), RRAM_EIO);
  char want[700];
  snprintf(want, sizeof want, "%s:2: stuck_gmax_rate: -1 is out of range 0..1", path);
  ck_assert_str_eq(err, want);
  ck_assert_msg(!strstr(err, "preset"), "%s", err);
  unlink(path);
  /* a folder is there but is no device file: no preset list either */
  ck_assert_int_eq(rram_device_load(dir, &d, err, sizeof err), RRAM_EIO);
  ck_assert_msg(!strstr(err, "presets"), "%s", err);
  ck_assert_msg(rram_device_equal(&d, &before), "device changed on error");
  rmdir(dir);
  ck_assert_str_eq(rram_strerror(RRAM_ENOTFOUND), "no such preset or file");
}
END_TEST

Suite *parse_suite(void) {
  Suite *s = suite_create("parse");
  TCase *num = tcase_create("Numbers");
  tcase_add_loop_test(num, test_int_grammar_and_messages, 0,
                      (int)(sizeof int_cases / sizeof int_cases[0]));
  tcase_add_test(num, test_int_n_and_uint);
  tcase_add_loop_test(num, test_real_grammar_and_messages, 0,
                      (int)(sizeof real_cases / sizeof real_cases[0]));
  tcase_add_test(num, test_real_long_and_escape);
  suite_add_tcase(s, num);
  TCase *dev = tcase_create("DeviceFiles");
  tcase_add_test(dev, test_device_file_bom);
  tcase_add_test(dev, test_device_file_binary_escaped);
  tcase_add_test(dev, test_device_errors_tell_missing_from_bad);
  suite_add_tcase(s, dev);
  return s;
}

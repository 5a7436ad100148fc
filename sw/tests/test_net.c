/* test_net.c: network files (cim_net.h): a hand-written network read and
 * run against values computed here by hand, and every malformed file an
 * error naming the file, the line and the problem. No simulation. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cim_net.h"
#include "suites.h"

/* Write text to a file in a new temporary folder; path into buf. */
static const char *put(char *buf, size_t len, const char *text) {
  const char *base = getenv("TMPDIR");
  char dir[256];
  snprintf(dir, sizeof dir, "%s/test_net.XXXXXX", base && *base ? base : "/tmp");
  ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
  snprintf(buf, len, "%s/n.net", dir);
  FILE *f = fopen(buf, "w");
  ck_assert(f != NULL);
  ck_assert(fputs(text, f) >= 0);
  ck_assert_int_eq(fclose(f), 0);
  return buf;
}

static void unput(const char *path) {
  unlink(path);
  char dir[320];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  rmdir(dir);
}

/* 3 inputs (4-bit, 2 bits shifted off the data), a hidden layer of 2 with
 * one bias row, ReLU and shift 2 into 5-bit outputs, then 2 outputs. */
static const char good[] =
    "cim-net 1\n"
    "# a comment\n"
    "\n"
    "inputs 3 x_bits 4 w_bits 4 layers 2 input_shift 2\n"
    "layer 0 inputs 3 outputs 2 bias_rows 1 relu 1 shift 2 out_bits 5 scale_w 0.1 scale_in 1 "
    "scale_out 0.4\n"
    "1 2 3 -1\n"
    "-8 7 0 1\n"
    "layer 1 inputs 2 outputs 2 bias_rows 0 relu 0 shift 0 out_bits 32 scale_w 1 scale_in 1 "
    "scale_out 1\n"
    "1 -1\n"
    "-2 3\n"
    "end\n";

START_TEST(test_net_reads_and_infers) {
  char path[320], err[CIM_NET_ERRMSG_LEN] = "";
  cim_net *net = NULL;
  put(path, sizeof path, good);
  ck_assert_msg(cim_net_read(path, &net, err, sizeof err) == 0, "%s", err);
  ck_assert(net->inputs == 3 && net->x_bits == 4 && net->n_layers == 2 && net->max_width == 4);
  const uint8_t item[3] = {40, 8, 60}; /* >> input_shift 2: x = 10, 2, 15 */
  /* layer 0: acc0 = 10 + 4 + 45 - 15 (bias row at 15) = 44 -> 44/4 = 11;
   *          acc1 = -80 + 14 + 0 + 15 = -51 -> relu 0
   * layer 1: out0 = 11 - 0 = 11, out1 = -22 + 0 = -22: class 0 */
  int32_t scratch[8], out[2];
  ck_assert_int_eq(cim_net_classify(net, item, scratch, out), 0);
  ck_assert_int_eq(out[0], 11);
  ck_assert_int_eq(out[1], -22);
  /* round half up and the clamp of the 5-bit output: acc 62 -> 15.5 -> 16
   * -> clamped to 15 */
  int32_t x[3] = {15, 15, 15}, y[2];
  cim_net_layer_ref(&net->layer[0], 4, x, y); /* acc0 = 15+30+45-15 = 75 -> 18.75 -> 19 -> 15 */
  ck_assert_int_eq(y[0], 15);
  const int32_t x2[3] = {2, 0, 1};
  cim_net_layer_ref(&net->layer[0], 4, x2, y); /* acc0 = 2+3-15 = -10 -> 0; acc1 = -16+15 = -1 */
  ck_assert_int_eq(y[0], 0);
  ck_assert_int_eq(y[1], 0);
  const int32_t x4[3] = {0, 3, 0};
  cim_net_layer_ref(&net->layer[0], 4, x4, y); /* acc0 = 6 - 15 = -9 -> 0; acc1 = 21 + 15 = 36 -> 9 */
  ck_assert_int_eq(y[1], 9);
  const int32_t x5[3] = {0, 1, 0};
  cim_net_layer_ref(&net->layer[0], 4, x5, y); /* acc1 = 7 + 15 = 22 -> 5.5 -> 6 (half up) */
  ck_assert_int_eq(y[1], 6);
  cim_net_free(net);
  unput(path);
}
END_TEST

/* One edit of the good file each, and the message it must give (after
 * "<path>:"). */
static const struct {
  const char *what, *from, *to, *msg;
} bad[] = {
    {"not a network", "cim-net 1\n", "cim-net 2\n",
     "1: not a network file (the first line must be 'cim-net 1')"},
    {"missing key", " w_bits 4", " wbits 4", "4: network: expected key 'w_bits', got 'wbits'"},
    {"x_bits range", "x_bits 4", "x_bits 17", "4: network: x_bits 17 is out of range 1..16"},
    {"layer index", "layer 1 ", "layer 2 ", "8: expected 'layer 1', got 'layer 2'"},
    {"weight range", "-8 7 0 1", "-9 7 0 1", "7: layer 0: weight 0 of output 1: -9 is out of range -8..7"},
    {"weight syntax", "1 2 3 -1", "1 2 3.0 -1", "6: layer 0: weight 2 of output 0: '3.0' is not an integer"},
    {"short row", "1 2 3 -1", "1 2 3", "6: layer 0: output 0 has 3 weights, expected 4 (3 inputs + 1 bias rows)"},
    {"long row", "1 -1\n", "1 -1 0\n", "9: layer 1: output 0 has more than 2 weights"},
    {"chain", "layer 1 inputs 2", "layer 1 inputs 3", "8: layer 1: inputs 3, but the layer before has outputs 2"},
    {"hidden without relu", "bias_rows 1 relu 1", "bias_rows 1 relu 0",
     "5: layer 0: a hidden layer's outputs are the next inputs: it needs relu 1 and out_bits <= x_bits + 1 = 5"},
    {"no end", "end\n", "", "the file ends"},
    {"after end", "end\n", "end\n1 2\n", "text after 'end'"},
    {"missing row", "-2 3\n", "", "10: layer 1: weight 0 of output 1: 'end' is not an integer"},
    {"scale syntax", "scale_w 0.1", "scale_w x", "5: layer 0: scale_w: 'x' is not a number"},
};

START_TEST(test_net_bad_files) {
  const int c = _i;
  char text[2048], path[320], err[CIM_NET_ERRMSG_LEN] = "";
  const char *at = strstr(good, bad[c].from);
  ck_assert_msg(at != NULL, "case %s: '%s' not in the good file", bad[c].what, bad[c].from);
  snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, bad[c].to,
           at + strlen(bad[c].from));
  put(path, sizeof path, text);
  cim_net *net = (cim_net *)&err; /* must come back NULL */
  ck_assert_msg(cim_net_read(path, &net, err, sizeof err) == -1, "%s: accepted", bad[c].what);
  ck_assert(net == NULL);
  ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s: message '%s' does not start with %s",
                bad[c].what, err, path);
  ck_assert_msg(strstr(err, bad[c].msg) != NULL, "%s: message '%s' lacks '%s'", bad[c].what, err,
                bad[c].msg);
  unput(path);
}
END_TEST

START_TEST(test_net_missing_file) {
  char err[CIM_NET_ERRMSG_LEN] = "";
  cim_net *net = NULL;
  ck_assert_int_eq(cim_net_read("/nonexistent/x.net", &net, err, sizeof err), -1);
  ck_assert_str_eq(err, "/nonexistent/x.net: cannot open");
}
END_TEST

Suite *suite_net(void) {
  Suite *s = suite_create("net");
  TCase *tc = tcase_create("net");
  tcase_add_test(tc, test_net_reads_and_infers);
  tcase_add_loop_test(tc, test_net_bad_files, 0, (int)(sizeof bad / sizeof bad[0]));
  tcase_add_test(tc, test_net_missing_file);
  suite_add_tcase(s, tc);
  return s;
}

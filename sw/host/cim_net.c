/* cim_net.c: network files and the integer reference (format in cim_net.h). */
#include "cim_net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_golden.h"
#include "rram_num.h"

typedef struct reader {
  FILE *f;
  const char *path;
  char *line;
  size_t cap;
  int lineno;
  char *err;
  size_t err_len;
} reader;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(reader *r, const char *fmt, ...) {
  char msg[CIM_NET_ERRMSG_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (r->err && r->err_len)
    snprintf(r->err, r->err_len, "%s:%d: %s", r->path, r->lineno, msg);
  return -1;
}

/* Next line that is not blank or a comment, without its newline; NULL at
 * the end of the file. */
static char *next_line(reader *r) {
  for (;;) {
    ssize_t n = getline(&r->line, &r->cap, r->f);
    if (n < 0) return NULL;
    r->lineno++;
    while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r')) r->line[--n] = '\0';
    const char *p = r->line + strspn(r->line, " \t");
    if (*p != '\0' && *p != '#') return r->line;
  }
}

/* The rest of a header line, "key value key value ...", from the caller's
 * strtok_r position save, the keys in order, into vals: ints unless the
 * key's slot in is_real (may be NULL) is set. what names the line. */
static int keyvals(reader *r, char **save, const char *what, const char *const *keys, int n,
                   const int *is_real, double *vals) {
  for (int i = 0; i < n; i++) {
    char *tok = strtok_r(NULL, " \t", save);
    if (!tok || strcmp(tok, keys[i]) != 0)
      return fail(r, "%s: expected key '%s', got '%.40s'", what, keys[i], tok ? tok : "(end)");
    tok = strtok_r(NULL, " \t", save);
    char why[RRAM_NUM_MSG_LEN];
    if (!tok) return fail(r, "%s: %s: missing value", what, keys[i]);
    if (is_real && is_real[i]) {
      if (rram_num_real(tok, 0.0, 1e300, &vals[i], why, sizeof why) != RRAM_NUM_OK)
        return fail(r, "%s: %s: %s", what, keys[i], why);
    } else {
      int64_t v;
      if (rram_num_int(tok, 0, INT32_MAX, &v, why, sizeof why) != RRAM_NUM_OK)
        return fail(r, "%s: %s: %s", what, keys[i], why);
      vals[i] = (double)v;
    }
  }
  char *tok = strtok_r(NULL, " \t", save);
  if (tok) return fail(r, "%s: unexpected '%.40s' after the last key", what, tok);
  return 0;
}

/* A value of a header in lo..hi, or an error naming it. */
static int in_range(reader *r, const char *what, const char *key, double v, int lo, int hi) {
  if (v < lo || v > hi) return fail(r, "%s: %s %g is out of range %d..%d", what, key, v, lo, hi);
  return 0;
}

static int read_layer(reader *r, cim_net *net, int li) {
  static const char *const keys[] = {"inputs", "outputs",  "bias_rows", "relu",    "shift",
                                     "out_bits", "scale_w", "scale_in",  "scale_out"};
  static const int is_real[] = {0, 0, 0, 0, 0, 0, 1, 1, 1};
  double v[9] = {0};
  char *line = next_line(r);
  char what[32];
  snprintf(what, sizeof what, "layer %d", li);
  if (!line) return fail(r, "the file ends before layer %d", li);
  /* "layer <i>": the index, then the keys */
  char *save = NULL, *tok = strtok_r(line, " \t", &save), *idx = strtok_r(NULL, " \t", &save);
  char expect[16];
  snprintf(expect, sizeof expect, "%d", li);
  if (!tok || strcmp(tok, "layer") != 0 || !idx || strcmp(idx, expect) != 0)
    return fail(r, "expected 'layer %d', got '%.40s %.20s'", li, tok ? tok : "", idx ? idx : "");
  if (keyvals(r, &save, what, keys, 9, is_real, v) < 0) return -1;
  cim_net_layer *L = &net->layer[li];
  const int last = li == net->n_layers - 1;
  if (in_range(r, what, "inputs", v[0], 1, CIM_NET_MAX_WIDTH) ||
      in_range(r, what, "outputs", v[1], 1, CIM_NET_MAX_WIDTH) ||
      in_range(r, what, "bias_rows", v[2], 0, 64) || in_range(r, what, "relu", v[3], 0, 1) ||
      in_range(r, what, "shift", v[4], 0, 31) || in_range(r, what, "out_bits", v[5], 2, 32))
    return -1;
  L->inputs = (int)v[0];
  L->outputs = (int)v[1];
  L->bias_rows = (int)v[2];
  L->relu = (int)v[3];
  L->shift = (int)v[4];
  L->out_bits = (int)v[5];
  L->scale_w = v[6];
  L->scale_in = v[7];
  L->scale_out = v[8];
  const int want_in = li == 0 ? net->inputs : net->layer[li - 1].outputs;
  if (L->inputs != want_in)
    return fail(r, "%s: inputs %d, but %s %d", what, L->inputs,
                li == 0 ? "the network has inputs" : "the layer before has outputs", want_in);
  if (!last && (!L->relu || L->out_bits > net->x_bits + 1))
    return fail(r, "%s: a hidden layer's outputs are the next inputs: it needs relu 1 and "
                "out_bits <= x_bits + 1 = %d (has relu %d, out_bits %d)",
                what, net->x_bits + 1, L->relu, L->out_bits);
  const int k = L->inputs + L->bias_rows;
  if (k > net->max_width) net->max_width = k;
  if (L->outputs > net->max_width) net->max_width = L->outputs;
  const int64_t wlo = -((int64_t)1 << (net->w_bits - 1)), whi = ((int64_t)1 << (net->w_bits - 1)) - 1;
  /* The header's sizes are only a claim: the weights grow a row at a time
   * as the file delivers them (doubling), so a short file that declares
   * 65536 x 65600 weights is refused at its end, not by a 17 GB allocation
   * (found by fuzz_net). */
  int cap_rows = 0;
  for (int j = 0; j < L->outputs; j++) {
    line = next_line(r);
    if (!line) return fail(r, "%s: the file ends at output %d of %d", what, j, L->outputs);
    if (j == cap_rows) {
      cap_rows = cap_rows > L->outputs / 2 ? L->outputs : (cap_rows ? 2 * cap_rows : 1);
      int32_t *w = realloc(L->w, (size_t)cap_rows * (size_t)k * sizeof *L->w);
      if (!w) return fail(r, "%s: out of memory", what);
      L->w = w;
    }
    char *s2 = NULL;
    int i = 0;
    for (char *t = strtok_r(line, " \t", &s2); t; t = strtok_r(NULL, " \t", &s2), i++) {
      if (i >= k) return fail(r, "%s: output %d has more than %d weights", what, j, k);
      int64_t x;
      char why[RRAM_NUM_MSG_LEN];
      if (rram_num_int(t, wlo, whi, &x, why, sizeof why) != RRAM_NUM_OK)
        return fail(r, "%s: weight %d of output %d: %s", what, i, j, why);
      L->w[(size_t)j * (size_t)k + (size_t)i] = (int32_t)x;
    }
    if (i < k)
      return fail(r, "%s: output %d has %d weights, expected %d (%d inputs + %d bias rows)", what,
                  j, i, k, L->inputs, L->bias_rows);
  }
  return 0;
}

void cim_net_free(cim_net *net) {
  if (!net) return;
  for (int i = 0; i < CIM_NET_MAX_LAYERS; i++) free(net->layer[i].w);
  free(net);
}

int cim_net_read(const char *path, cim_net **out, char *err, size_t err_len) {
  if (out) *out = NULL;
  reader r = {NULL, path, NULL, 0, 0, err, err_len};
  if (!path || !out) return fail(&r, "cim_net_read: bad argument");
  r.f = fopen(path, "r");
  if (!r.f) {
    if (err && err_len) snprintf(err, err_len, "%s: cannot open", path);
    return -1;
  }
  cim_net *net = calloc(1, sizeof *net);
  if (!net) {
    fclose(r.f);
    return fail(&r, "out of memory");
  }
  int rc = 0;
  {
    ssize_t n = getline(&r.line, &r.cap, r.f);
    r.lineno = 1;
    if (n < 0 || strncmp(r.line, "cim-net 1", 9) != 0 || strspn(r.line + 9, " \t\r\n") != (size_t)n - 9)
      rc = fail(&r, "not a network file (the first line must be 'cim-net 1')");
  }
  if (rc == 0) {
    static const char *const keys[] = {"x_bits", "w_bits", "layers", "input_shift"};
    double v[4] = {0};
    char *line = next_line(&r), *save = NULL;
    char *tok = line ? strtok_r(line, " \t", &save) : NULL;
    char *val = tok ? strtok_r(NULL, " \t", &save) : NULL;
    int64_t in = 0;
    char why[RRAM_NUM_MSG_LEN];
    if (!tok || strcmp(tok, "inputs") != 0 || !val)
      rc = fail(&r, "expected 'inputs N x_bits X w_bits W layers L input_shift S'");
    else if (rram_num_int(val, 1, CIM_NET_MAX_WIDTH, &in, why, sizeof why) != RRAM_NUM_OK)
      rc = fail(&r, "inputs: %s", why);
    else if (keyvals(&r, &save, "network", keys, 4, NULL, v) < 0 ||
             in_range(&r, "network", "x_bits", v[0], 1, 16) ||
             in_range(&r, "network", "w_bits", v[1], 2, 16) ||
             in_range(&r, "network", "layers", v[2], 1, CIM_NET_MAX_LAYERS) ||
             in_range(&r, "network", "input_shift", v[3], 0, 7))
      rc = -1;
    if (rc == 0) {
      net->inputs = (int)in;
      net->x_bits = (int)v[0];
      net->w_bits = (int)v[1];
      net->n_layers = (int)v[2];
      net->input_shift = (int)v[3];
      net->max_width = net->inputs;
    }
  }
  for (int li = 0; rc == 0 && li < net->n_layers; li++) rc = read_layer(&r, net, li);
  if (rc == 0) {
    char *line = next_line(&r);
    if (!line || strcmp(line + strspn(line, " \t"), "end") != 0)
      rc = fail(&r, "expected 'end' after the last layer%s", line ? "" : ", the file ends");
    else if (next_line(&r) != NULL)
      rc = fail(&r, "text after 'end'");
  }
  free(r.line);
  fclose(r.f);
  if (rc != 0) {
    cim_net_free(net);
    return -1;
  }
  *out = net;
  return 0;
}

void cim_net_layer_ref(const cim_net_layer *L, int x_bits, const int32_t *x, int32_t *y) {
  const int k = L->inputs + L->bias_rows;
  const int64_t xmax = ((int64_t)1 << x_bits) - 1;
  const cim_job job = {.relu = L->relu, .shift = L->shift, .out_bits = L->out_bits};
  for (int j = 0; j < L->outputs; j++) {
    const int32_t *w = L->w + (size_t)j * (size_t)k;
    int64_t acc = 0;
    for (int i = 0; i < L->inputs; i++) acc += (int64_t)w[i] * x[i];
    for (int b = 0; b < L->bias_rows; b++) acc += (int64_t)w[L->inputs + b] * xmax;
    y[j] = cim_requant(acc, &job);
  }
}

int cim_net_classify(const cim_net *net, const uint8_t *item, int32_t *scratch, int32_t *out) {
  int32_t *a = scratch, *b = scratch + net->max_width;
  for (int i = 0; i < net->inputs; i++) a[i] = item[i] >> net->input_shift;
  for (int li = 0; li < net->n_layers; li++) {
    cim_net_layer_ref(&net->layer[li], net->x_bits, a, b);
    int32_t *t = a;
    a = b;
    b = t;
  }
  const cim_net_layer *last = &net->layer[net->n_layers - 1];
  int best = 0;
  for (int j = 0; j < last->outputs; j++) {
    if (out) out[j] = a[j];
    if (a[j] > a[best]) best = j;
  }
  return best;
}

/* fuzz_net.c: the network-file reader (sw/host/cim_net.h) on any text, and
 * the integer reference on what it accepts.
 *
 * The input is the file. Properties, besides ASan and UBSan:
 *  - an error has a message and returns no network;
 *  - an accepted network holds what the format promises: 1..16 layers,
 *    each layer's inputs the previous one's outputs, max_width the widest;
 *  - cim_net_classify on one item (bytes of the input, repeated) gives a
 *    class of the last layer, using no more scratch than 2 x max_width;
 *  - two runs of one input give the same transcript. */
#include <stdlib.h>
#include <string.h>

#include "cim_net.h"
#include "fuzz.h"

static void run(const uint8_t *data, size_t size, fuzz_out *o) {
  cim_net *net = NULL;
  char err[CIM_NET_ERRMSG_LEN] = "";
  const int st = cim_net_read(fuzz_file(data, size), &net, err, sizeof err);
  fuzz_msg(st, err, "cim_net_read");
  fuzz_int(o, st);
  fuzz_str(o, err);
  if (st != 0) {
    if (net) fuzz_fail("cim_net_read: error %d with a network", st);
    return;
  }
  if (!net || net->n_layers < 1 || net->n_layers > CIM_NET_MAX_LAYERS)
    fuzz_fail("cim_net_read: success with %d layers", net ? net->n_layers : -1);
  int widest = net->inputs;
  for (int li = 0; li < net->n_layers; li++) {
    const cim_net_layer *L = &net->layer[li];
    const int want = li ? net->layer[li - 1].outputs : net->inputs;
    if (L->inputs != want || !L->w) fuzz_fail("layer %d: inputs %d, expected %d", li, L->inputs, want);
    if (L->inputs + L->bias_rows > widest) widest = L->inputs + L->bias_rows;
    if (L->outputs > widest) widest = L->outputs;
    fuzz_put(o, L->w, (size_t)L->outputs * (size_t)(L->inputs + L->bias_rows) * sizeof *L->w);
  }
  if (widest != net->max_width) fuzz_fail("max_width %d, widest %d", net->max_width, widest);

  /* exact-size buffers: ASan sees any use past them */
  uint8_t *item = malloc((size_t)net->inputs);
  int32_t *scratch = malloc(2 * (size_t)net->max_width * sizeof *scratch);
  const int n_out = net->layer[net->n_layers - 1].outputs;
  int32_t *out = malloc((size_t)n_out * sizeof *out);
  if (!item || !scratch || !out) fuzz_fail("out of memory");
  for (int i = 0; i < net->inputs; i++) item[i] = size ? data[(size_t)i % size] : 0;
  const int cls = cim_net_classify(net, item, scratch, out);
  if (cls < 0 || cls >= n_out) fuzz_fail("class %d of %d outputs", cls, n_out);
  fuzz_int(o, cls);
  fuzz_put(o, out, (size_t)n_out * sizeof *out);
  free(item);
  free(scratch);
  free(out);
  cim_net_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_twice(run, data, size, "net");
}

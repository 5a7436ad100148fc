/* cim_net.h: an integer MLP for the macro, read from a network file, and its
 * reference inference in integer software: what the RTL must equal on an
 * ideal device.
 *
 * Network file (text; tools/net_train.py writes one from a trained model,
 * and a user may write their own):
 *
 *   cim-net 1
 *   # comments and blank lines anywhere after the first line
 *   inputs 784 x_bits 8 w_bits 8 layers 2 input_shift 0
 *   layer 0 inputs 784 outputs 128 bias_rows 1 relu 1 shift 11 out_bits 9 scale_w .. scale_in .. scale_out ..
 *   <outputs lines of inputs + bias_rows integers: output j's weights, then
 *    its bias weights>
 *   layer 1 inputs 128 outputs 10 bias_rows 1 relu 0 shift 0 out_bits 32 ...
 *   ...
 *   end
 *
 * Every key of a header line is required, in that order. Meaning, per layer:
 * x is the layer's input, unsigned x_bits bits (for layer 0 the data's bytes
 * shifted right by input_shift), extended by bias_rows inputs held at the
 * largest activation 2^x_bits - 1; acc_j = sum_i w[j][i] x_i over all of
 * them; the output is cim_requant(acc_j) with the layer's relu, shift and
 * out_bits (cim_golden.h: the macro's own output stage). The weights are
 * signed w_bits integers. A hidden layer's outputs are the next layer's
 * inputs, so it needs relu 1 and out_bits <= x_bits + 1; its outputs then
 * fit x_bits unsigned bits. The class is the index of the largest output of
 * the last layer (the first one on a tie). The scales are the real values
 * of one weight, input and output unit; inference does not use them.
 *
 * Errors name the file, the line and the problem ("net.net:5: layer 0:
 * weight 3 of output 7 is 200, out of range -128..127"). */
#ifndef CIM_NET_H
#define CIM_NET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CIM_NET_ERRMSG_LEN 512
#define CIM_NET_MAX_LAYERS 16
#define CIM_NET_MAX_WIDTH 65536 /* inputs or outputs of a layer */

typedef struct cim_net_layer {
  int inputs, outputs, bias_rows, relu, shift, out_bits;
  double scale_w, scale_in, scale_out;
  int32_t *w; /* outputs x (inputs + bias_rows), row-major */
} cim_net_layer;

typedef struct cim_net {
  int inputs, x_bits, w_bits, n_layers, input_shift;
  int max_width; /* the largest inputs + bias_rows or outputs of any layer */
  cim_net_layer layer[CIM_NET_MAX_LAYERS];
} cim_net;

/* Read path. 0 and *out set, or -1 with the message in err (*out NULL). */
int cim_net_read(const char *path, cim_net **out, char *err, size_t err_len);
void cim_net_free(cim_net *net);

/* Layer L on input x (L->inputs values, each 0..2^x_bits-1): its outputs
 * into y (L->outputs values), the bias inputs added here. */
void cim_net_layer_ref(const cim_net_layer *L, int x_bits, const int32_t *x, int32_t *y);

/* The whole network on one item of net->inputs bytes: the last layer's
 * outputs into out (may be NULL) and the class. scratch holds 2 x
 * net->max_width values. */
int cim_net_classify(const cim_net *net, const uint8_t *item, int32_t *scratch, int32_t *out);

#ifdef __cplusplus
}
#endif
#endif

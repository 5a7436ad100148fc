/* cim_net_main.c: the network workload, `cim_net`.
 *
 *   cim_net --net FILE [--data DIR] [--first I] [--images N] [--compare PRED]
 *
 * Runs the test images DIR/t10k-{images,labels} (IDX, default the Debian
 * dataset-fashion-mnist folder) through the integer reference of the
 * network FILE (cim_net.h) and prints its accuracy. --compare PRED checks
 * the reference's class for every image against PRED, one digit per image
 * (tools/net_train.py quantize writes it from its own integer model): the
 * two implementations must agree image for image.
 *
 * Exit status: 0 pass, 1 a comparison failed, 2 bad option or input. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_net.h"
#include "idx.h"
#include "rram_num.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cim_net --net FILE [--data DIR] [--first I] [--images N] [--compare PRED]\n"
          "Classifies the test images of DIR (default %s) with the integer reference of\n"
          "the network FILE; --compare checks every class against PRED.\n",
          DEFAULT_DATA);
}

/* Read PRED: n classes as digits (whitespace ignored). -1 and err on error. */
static int read_pred(const char *path, int n, uint8_t *pred, char *err, size_t len) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, len, "%s: cannot open", path);
    return -1;
  }
  int got = 0, c, rc = 0;
  while ((c = fgetc(f)) != EOF && rc == 0) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c < '0' || c > '9') {
      snprintf(err, len, "%s: byte %d is '%c', not a class digit", path, got, c);
      rc = -1;
    } else if (got < n) {
      pred[got++] = (uint8_t)(c - '0');
    } else {
      got++;
    }
  }
  fclose(f);
  if (rc == 0 && got != n) {
    snprintf(err, len, "%s: %d classes, expected %d", path, got, n);
    rc = -1;
  }
  return rc;
}

int main(int argc, char **argv) {
  const char *net_path = NULL, *data = DEFAULT_DATA, *compare = NULL;
  int64_t first = 0, images = -1;
  static const struct option lo[] = {{"net", required_argument, NULL, 'n'},
                                     {"data", required_argument, NULL, 'd'},
                                     {"first", required_argument, NULL, 'f'},
                                     {"images", required_argument, NULL, 'i'},
                                     {"compare", required_argument, NULL, 'c'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  int c;
  char why[RRAM_NUM_MSG_LEN];
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
      case 'n': net_path = optarg; break;
      case 'd': data = optarg; break;
      case 'c': compare = optarg; break;
      case 'f':
      case 'i':
        if (rram_num_int(optarg, c == 'f' ? 0 : 1, IDX_MAX_COUNT, c == 'f' ? &first : &images, why,
                         sizeof why) != RRAM_NUM_OK) {
          fprintf(stderr, "cim_net: --%s: %s\n", c == 'f' ? "first" : "images", why);
          return 2;
        }
        break;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (!net_path || optind < argc) {
    fprintf(stderr, "cim_net: %s\n", optind < argc ? "unexpected argument" : "--net is required");
    usage(stderr);
    return 2;
  }
  char err[CIM_NET_ERRMSG_LEN + IDX_ERRMSG_LEN];
  cim_net *net = NULL;
  if (cim_net_read(net_path, &net, err, sizeof err) != 0) {
    fprintf(stderr, "cim_net: %s\n", err);
    return 2;
  }
  char pi[1024], pl[1024];
  snprintf(pi, sizeof pi, "%s/t10k-images-idx3-ubyte.gz", data);
  snprintf(pl, sizeof pl, "%s/t10k-labels-idx1-ubyte.gz", data);
  const cim_net_layer *last = &net->layer[net->n_layers - 1];
  idx_data img, lab;
  if (idx_read_set(pi, pl, last->outputs < 256 ? last->outputs : 256, &img, &lab, err,
                   sizeof err) != IDX_OK) {
    fprintf(stderr, "cim_net: %s\n", err);
    cim_net_free(net);
    return 2;
  }
  int rc = 0;
  if (img.rows * img.cols != net->inputs) {
    fprintf(stderr, "cim_net: %s: images of %d x %d pixels, the network has %d inputs\n", pi,
            img.rows, img.cols, net->inputs);
    rc = 2;
  }
  if (rc == 0 && first >= img.count) {
    fprintf(stderr, "cim_net: --first %lld: the set has %d images\n", (long long)first, img.count);
    rc = 2;
  }
  const int n = rc ? 0 : (int)(images < 0 || first + images > img.count ? img.count - first : images);
  uint8_t *pred = NULL;
  if (rc == 0 && compare) {
    pred = malloc((size_t)img.count);
    if (!pred || read_pred(compare, img.count, pred, err, sizeof err) != 0) {
      fprintf(stderr, "cim_net: %s\n", pred ? err : "out of memory");
      rc = 2;
    }
  }
  int32_t *scratch = malloc(2 * (size_t)net->max_width * sizeof *scratch);
  if (rc == 0 && !scratch) {
    fprintf(stderr, "cim_net: out of memory\n");
    rc = 2;
  }
  int correct = 0, differ = 0, first_diff = -1;
  for (int i = (int)first; rc == 0 && i < first + n; i++) {
    const int cls = cim_net_classify(net, img.data + (size_t)i * (size_t)net->inputs, scratch, NULL);
    correct += cls == lab.data[i];
    if (pred && cls != pred[i]) {
      if (differ++ == 0) first_diff = i;
    }
  }
  if (rc == 0) {
    printf("cim_net: %s: integer reference %d/%d correct (%.4f), images %lld..%lld\n", net_path,
           correct, n, n ? (double)correct / n : 0.0, (long long)first, (long long)first + n - 1);
    if (pred) {
      printf("cim_net: --compare %s: %s", compare, differ ? "FAIL" : "PASS");
      if (differ)
        printf(", %d images differ, the first image %d\n", differ, first_diff);
      else
        printf(", every class equal\n");
      if (differ) rc = 1;
    }
  }
  free(scratch);
  free(pred);
  idx_free(&img);
  idx_free(&lab);
  cim_net_free(net);
  return rc;
}

/* cim_net_main.c: the network workload, `cim_net`.
 *
 *   cim_net --net FILE [--data DIR] [--first I] [--images N] [--compare PRED]
 *           [--rtl [--device PRESET|FILE] [--seed S] [--mvm-budget M]
 *                  [--program frontdoor|backdoor] [--compensate] [--map-bad-lines]
 *                  [--calibrate]
 *                  [--set KEY=VALUE]...
 *                  [--age SECONDS]] [--cmodel]
 *
 * Runs the test images DIR/t10k-{images,labels} (IDX, default the Debian
 * dataset-fashion-mnist folder) through the integer reference of the
 * network FILE (cim_net.h) and prints its accuracy. --compare PRED checks
 * the reference's class for every image against PRED, one digit per image
 * (tools/net_train.py quantize writes it from its own integer model): the
 * two implementations must agree image for image. --rtl runs the same
 * images through the co-simulated macro (net_rtl.h: tiled, weight-stationary,
 * every MVM checked by the twin) on the device (default ideal) and compares
 * its class with the integer reference's for every image: on the ideal
 * device they must all be equal. Tiles are programmed through the write-verify
 * engine (front door, settings for the device as cim_mvm's) unless
 * --program backdoor; --compensate re-targets the differential partners of
 * cells the engine left outside their window (cim_compensate.h);
 * --map-bad-lines first finds the unformed and leaky rows and columns
 * (cim_lines.h), disables them (ROW_EN, COL_EN) and places every tile on the
 * good rows and on output slots whose columns are all good; --calibrate fits each ADC on each tile
 * (cim_calibrate_adcs) before its MVMs; --set overrides one device key (as
 * cim_mvm's); --age lets the array drift that long after each tile is
 * loaded (the time between programming and use). --cmodel runs the same
 * tiles through the C model and the twin alone, no RTL, loaded by the back
 * door: the functional
 * upper bound (make bench compares its images/s). --mvm-budget M runs fewer images where
 * the tiling of this build would take more than M MVMs (at least one image):
 * a small macro tiles the network into many MVMs per image.
 *
 * Exit status: 0 pass, 1 a comparison failed, 2 bad option or input. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cim_cfg.h"
#include "cim_net.h"
#include "cim_outfile.h"
#include "cim_progress.h"
#include "cim_progcfg.h"
#include "cim_sim.h"
#include "idx.h"
#include "net_rtl.h"
#include "rram_device.h"
#include "rram_num.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cim_net --net FILE [--data DIR] [--first I] [--images N] [--compare PRED]\n"
          "               [--rtl [--device PRESET|FILE] [--seed S] [--mvm-budget M]\n"
          "                      [--program frontdoor|backdoor] [--compensate] [--map-bad-lines]\n"
          "                      [--calibrate] [--energy PRESET|FILE] [--per-image FILE]\n"
          "                      [--set KEY=VALUE]... [--age SECONDS]] [--cmodel]\n"
          "       cim_net --list-devices   (the device presets, one per line)\n"
          "Classifies the test images of DIR (default %s) with the integer reference of\n"
          "the network FILE; --compare checks every class against PRED; --rtl runs them\n"
          "through the co-simulated macro as well; --per-image writes, per image, its\n"
          "label, the reference's and the RTL's classes and a digest of its MVMs'\n"
          "outputs, ADC codes and cycles (the same for a split run as for one).\n"
          "Ctrl-C stops between two weight tiles, writing nothing (exit 130).\n",
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

/* MVMs one item takes on this build: per layer, its output blocks of the
 * macro's outputs times its input blocks of the macro's rows. */
static int64_t mvms_per_item(const cim_net *net) {
  rram_geometry geo;
  cim_sim_geometry(&geo);
  int64_t m = 0;
  for (int li = 0; li < net->n_layers; li++) {
    const cim_net_layer *L = &net->layer[li];
    const int64_t k = L->inputs + L->bias_rows;
    m += (L->outputs + CIM_CFG_N_OUT - 1) / CIM_CFG_N_OUT * ((k + geo.rows - 1) / geo.rows);
  }
  return m;
}

/* The n items through the RTL on device: accuracy, agreement with the
 * reference classes ref, the twin's and the exact check's verdicts. 0
 * pass, 1 a check failed, 2 bad device, 3 simulation. */
typedef struct rtl_opts {
  const char *device;
  uint64_t seed;
  int frontdoor, compensate, calibrate, cmodel, map_lines;
  const char *sets[16];
  int n_sets;
  double age_s;
  cim_energy_params energy; /* --energy */
  int64_t first;            /* --first: the data set's index of the first item */
  const char *per_image;    /* --per-image FILE, or NULL */
} rtl_opts;

/* --per-image: one line per image, written whole or not at all. */
static int write_per_image(const char *path, int64_t first, int n, const uint8_t *labels,
                           const int *ref, const int *cls, const uint64_t *dig) {
  char err[CIM_OUTFILE_MSG_LEN];
  cim_outfile *f = NULL;
  int st = cim_outfile_open(path, &f, err, sizeof err);
  if (st == CIM_OUTFILE_OK) {
    cim_outfile_printf(f, "image,label,reference,rtl,digest\n");
    for (int i = 0; i < n; i++)
      cim_outfile_printf(f, "%lld,%d,%d,%d,%016llx\n", (long long)first + i, labels[i], ref[i],
                         cls[i], (unsigned long long)dig[i]);
    st = cim_outfile_commit(f, err, sizeof err);
  }
  if (st != CIM_OUTFILE_OK) fprintf(stderr, "cim_net: --per-image: %s\n", err);
  return st == CIM_OUTFILE_OK ? 0 : 3;
}

static int run_rtl(const cim_net *net, const uint8_t *items, const uint8_t *labels, int n,
                   const int *ref, const rtl_opts *o) {
  const char *device = o->device;
  const int frontdoor = o->frontdoor, calibrate = o->calibrate, cmodel = o->cmodel;
  rram_device dev;
  char derr[256];
  if (rram_device_load(device, &dev, derr, sizeof derr) != RRAM_OK) {
    fprintf(stderr, "cim_net: --device: %s\n", derr);
    return 2;
  }
  for (int i = 0; i < o->n_sets; i++) {
    if (rram_device_set_kv(&dev, o->sets[i], derr, sizeof derr) != RRAM_OK) {
      fprintf(stderr, "cim_net: --set %s: %s\n", o->sets[i], derr);
      return 2;
    }
  }
  rram_geometry geo;
  cim_sim_geometry(&geo);
  rram_array *array = NULL;
  int *cls = n > 0 ? calloc((size_t)n, sizeof *cls) : NULL;
  /* the per-image digests fold every MVM's log: only for --per-image */
  uint64_t *dig = n > 0 && o->per_image ? calloc((size_t)n, sizeof *dig) : NULL;
  if (!cls || (o->per_image && n > 0 && !dig) || rram_array_create(&geo, &dev, o->seed, &array) != RRAM_OK) {
    fprintf(stderr, "cim_net: cannot set up the array model\n");
    free(cls);
    free(dig);
    return 3;
  }
  cim_program_cfg prog_cfg;
  cim_progcfg_for_device(&dev, &prog_cfg);
  net_rtl_run r = {.net = net, .items = items, .n_items = n, .array = array,
                   .wait = CIM_WAIT_POLL, .frontdoor = frontdoor, .prog_cfg = &prog_cfg,
                   .compensate = o->compensate, .map_lines = o->map_lines,
                   .calibrate = calibrate, .age_s = o->age_s,
                   .seed = (uint32_t)o->seed, .first = o->first, .item_digest = dig,
                   .cls = cls};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = cmodel ? net_cmodel_classify(&r) : net_rtl_classify(&r);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  const char *engine = cmodel ? "C model" : "RTL";
  if (rc == 4) {
    fprintf(stderr, "cim_net: %s: %s; no output written\n", engine, r.fail);
    rc = 128 + r.interrupted;
  } else if (rc != 0) {
    fprintf(stderr, "cim_net: %s: %s\n", engine, r.fail);
  } else {
    int correct = 0, equal = 0, first_diff = -1;
    for (int i = 0; i < n; i++) {
      correct += cls[i] == labels[i];
      if (cls[i] == ref[i]) equal++;
      else if (first_diff < 0) first_diff = i;
    }
    rram_device ideal;
    rram_device_ideal(&ideal);
    const int is_ideal = rram_device_equal(&dev, &ideal);
    const int twin_ok = cim_check_twin_ok(&r.chk), pass = cmodel || cim_check_passed(&r.chk);
    printf("cim_net: %s, device %s: %d/%d correct (%.4f); %d of %d images classed as the "
           "integer reference; %.1f images/s\n",
           engine, device, correct, n, n ? (double)correct / n : 0.0, equal, n,
           secs > 0 ? n / secs : 0.0);
    if (first_diff >= 0)
      printf("cim_net: %s: the first image classed otherwise is the run's image %d\n", engine,
             first_diff);
    if (r.chk.sum_sq_expected > 0)
      printf("cim_net: RTL: MVM outputs against the exact MVM: %llu of %llu differ, relative rms "
             "error %.3g\n",
             (unsigned long long)r.chk.exact_fail_outputs, (unsigned long long)r.chk.outputs,
             sqrt(r.chk.sum_sq_err / r.chk.sum_sq_expected));
    if (!cmodel)
      printf("cim_net: RTL: %llu MVMs over %d weight tiles, %llu DUT cycles in MVMs (%.0f per "
           "image); twin %s (%llu of %llu outputs differ), exact %s\n",
           (unsigned long long)r.mvms, r.tiles, (unsigned long long)r.mvm_cycles,
           n ? (double)r.mvm_cycles / n : 0.0, twin_ok ? "PASS" : "FAIL",
           (unsigned long long)r.chk.twin_fail_outputs, (unsigned long long)r.chk.outputs,
           r.chk.exact_applied ? (pass ? "PASS" : "FAIL") : "does not apply (measured only)");
    /* where the exact check held for every MVM the classes must follow; a
     * build whose ideal sums may clip owes only the twin */
    /* the C model alone checks nothing but its classes (the twin is its
     * output): they must follow where no ideal group can clip */
    const int exact_all = cmodel ? CIM_CFG_LEVEL_MAX <= CIM_CFG_ADC_MAX
                                 : r.chk.exact_applied == r.mvms && r.mvms > 0;
    if (!pass || (is_ideal && exact_all && equal != n)) rc = 1;
    /* one line for tools/net_run.py to add up over processes */
    if (calibrate)
      printf("cim_net: RTL: --calibrate: %d ADC fits over %d tiles, %d tiles with nothing to "
             "fit\n", r.cal_fitted, r.tiles, r.cal_nodata);
    if (frontdoor)
      printf("cim_net: RTL: front door: %llu cells programmed, %llu missed their level, %llu DUT "
             "cycles\n", (unsigned long long)r.prog_cells, (unsigned long long)r.prog_failed,
             (unsigned long long)r.prog_cycles);
    if (o->map_lines)
      printf("cim_net: RTL: --map-bad-lines: %d unformed and %d leaky rows, %d unformed and %d "
             "leaky columns found in %llu DUT cycles; tiles on %d rows and %d output slots\n",
             r.lines.unformed_rows, r.lines.leaky_rows, r.lines.unformed_cols, r.lines.leaky_cols,
             (unsigned long long)r.lines.total_cycles, r.good_rows, r.good_slots);
    if (o->compensate)
      printf("cim_net: RTL: --compensate: of %d failed cells, %d partners re-targeted exactly, "
             "%d to the end of their range, %d pairs failed on both sides; %d re-targeted "
             "partners missed; %d rows read back, %llu DUT cycles\n",
             r.comp.n_failed, r.comp.n_exact, r.comp.n_clamped, r.comp.n_both,
             r.comp.n_partner_missed, r.comp.rows_read,
             (unsigned long long)r.comp.total_cycles);
    cim_energy em, ep;
    cim_energy_compute(&o->energy, &r.act_mvm, &em);
    cim_energy_compute(&o->energy, &r.act_prog, &ep);
    if (!cmodel && n > 0)
      printf("cim_net: RTL: energy (%s, %g nm, %g MHz): %.4g nJ per image = array %.4g + ADC "
             "%.4g + drivers %.4g + digital %.4g nJ; %.3g TOPS/W; latency %.4g us per image; "
             "loading the tiles %.4g uJ in %.4g ms\n",
             o->energy.name, o->energy.node_nm, o->energy.clock_mhz, em.mvm_j / n * 1e9,
             em.array_j / n * 1e9, em.adc_j / n * 1e9, em.drivers_j / n * 1e9,
             em.digital_j / n * 1e9, em.tops_per_w, em.latency_s / n * 1e6,
             (ep.total_j) * 1e6, ep.latency_s * 1e3);
    printf("RESULT engine=%s device=%s images=%d correct=%d equal=%d mvms=%llu tiles=%d "
           "seconds=%.3f cycles=%llu "
           "prog_cycles=%llu prog_failed=%llu comp_exact=%d comp_clamped=%d comp_both=%d "
           "twin_fail=%llu exact_applied=%llu exact_fail=%llu "
           "e_array=%.6g e_adc=%.6g e_drivers=%.6g e_digital=%.6g e_load=%.6g macs=%llu "
           "busy_mvm=%llu "
           "pass=%d\n",
           cmodel ? "cmodel" : "rtl", device, n, correct, equal, (unsigned long long)r.mvms,
           r.tiles, secs, (unsigned long long)r.mvm_cycles, (unsigned long long)r.prog_cycles,
           (unsigned long long)r.prog_failed, r.comp.n_exact, r.comp.n_clamped, r.comp.n_both,
           (unsigned long long)r.chk.twin_fail_outputs,
           (unsigned long long)r.chk.exact_applied,
           (unsigned long long)(r.chk.exact_applied ? r.chk.exact_fail_outputs : 0), em.array_j,
           em.adc_j, em.drivers_j, em.digital_j, ep.total_j,
           (unsigned long long)r.act_mvm.macs, (unsigned long long)r.act_mvm.act.busy, rc == 0);
    if (o->per_image && write_per_image(o->per_image, o->first, n, labels, ref, cls, dig) != 0)
      rc = 3;
    printf("cim_net: %s %s\n", engine, rc ? "FAIL" : "PASS");
  }
  free(dig);
  free(cls);
  rram_array_destroy(array);
  return rc;
}

int main(int argc, char **argv) {
  const char *net_path = NULL, *data = DEFAULT_DATA, *compare = NULL;
  int64_t first = 0, images = -1;
  int rtl = 0;
  (void)cim_interrupt_catch(); /* Ctrl-C stops between two weight tiles */
  rtl_opts o = {.device = "ideal", .seed = 1, .frontdoor = -1};
  {
    char err[256];
    if (cim_energy_load("neurram_130nm", &o.energy, err, sizeof err) != 0) {
      fprintf(stderr, "cim_net: the default energy parameters: %s\n", err);
      return 3;
    }
  }
  int64_t budget = -1;
  static const struct option lo[] = {{"net", required_argument, NULL, 'n'},
                                     {"data", required_argument, NULL, 'd'},
                                     {"first", required_argument, NULL, 'f'},
                                     {"images", required_argument, NULL, 'i'},
                                     {"compare", required_argument, NULL, 'c'},
                                     {"rtl", no_argument, NULL, 'r'},
                                     {"device", required_argument, NULL, 'D'},
                                     {"seed", required_argument, NULL, 's'},
                                     {"mvm-budget", required_argument, NULL, 'b'},
                                     {"program", required_argument, NULL, 'p'},
                                     {"list-devices", no_argument, NULL, 'L'},
                                     {"calibrate", no_argument, NULL, 'C'},
                                     {"compensate", no_argument, NULL, 'P'},
                                     {"map-bad-lines", no_argument, NULL, 'B'},
                                     {"cmodel", no_argument, NULL, 'M'},
                                     {"set", required_argument, NULL, 'S'},
                                     {"age", required_argument, NULL, 'a'},
                                     {"energy", required_argument, NULL, 'E'},
                                     {"per-image", required_argument, NULL, 'I'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  int c;
  char why[RRAM_NUM_MSG_LEN];
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
      case 'n': net_path = optarg; break;
      case 'd': data = optarg; break;
      case 'c': compare = optarg; break;
      case 'r': rtl = 1; break;
      case 'C': o.calibrate = 1; break;
      case 'P': o.compensate = 1; break;
      case 'B': o.map_lines = 1; break;
      case 'M': o.cmodel = rtl = 1; break;
      case 'I': o.per_image = optarg; break;
      case 'S':
        if (!strchr(optarg, '=') || o.n_sets == 16) {
          fprintf(stderr, "cim_net: --set %s: %s\n", optarg,
                  o.n_sets == 16 ? "at most 16 --set options" : "expected KEY=VALUE");
          return 2;
        }
        o.sets[o.n_sets++] = optarg;
        break;
      case 'a':
        if (rram_num_real(optarg, 0, 3.2e9, &o.age_s, why, sizeof why) != RRAM_NUM_OK) {
          fprintf(stderr, "cim_net: --age: %s (seconds; 3.2e9 is 100 years)\n", why);
          return 2;
        }
        break;
      case 'p':
        if (strcmp(optarg, "frontdoor") != 0 && strcmp(optarg, "backdoor") != 0) {
          fprintf(stderr, "cim_net: --program: '%s' is not frontdoor or backdoor\n", optarg);
          return 2;
        }
        o.frontdoor = strcmp(optarg, "frontdoor") == 0;
        break;
      case 'b':
        if (rram_num_int(optarg, 1, INT64_MAX, &budget, why, sizeof why) != RRAM_NUM_OK) {
          fprintf(stderr, "cim_net: --mvm-budget: %s\n", why);
          return 2;
        }
        break;
      case 'D': o.device = optarg; break;
      case 'E':
        if (cim_energy_load(optarg, &o.energy, why, sizeof why) != 0) {
          fprintf(stderr, "cim_net: --energy %s\n", why);
          return 2;
        }
        break;
      case 's':
        if (rram_num_uint(optarg, 0, UINT64_MAX, &o.seed, why, sizeof why) != RRAM_NUM_OK) {
          fprintf(stderr, "cim_net: --seed: %s\n", why);
          return 2;
        }
        break;
      case 'f':
      case 'i':
        if (rram_num_int(optarg, c == 'f' ? 0 : 1, IDX_MAX_COUNT, c == 'f' ? &first : &images, why,
                         sizeof why) != RRAM_NUM_OK) {
          fprintf(stderr, "cim_net: --%s: %s\n", c == 'f' ? "first" : "images", why);
          return 2;
        }
        break;
      case 'h': usage(stdout); return 0;
      case 'L':
        for (const char *const *p = rram_device_presets(); *p; p++) printf("%s\n", *p);
        return 0;
      default: usage(stderr); return 2;
    }
  }
  if (o.frontdoor < 0) o.frontdoor = !o.cmodel; /* the C model alone has no engine */
  if (o.per_image) {
    char perr[CIM_OUTFILE_MSG_LEN];
    const cim_outfile_spec out = {"--per-image", o.per_image, 0};
    const cim_outfile_spec in[] = {{"--net", net_path, 0}, {"--compare", compare, 0}};
    if (!rtl) {
      fprintf(stderr, "cim_net: --per-image records the RTL's run: give --rtl\n");
      return 2;
    }
    if (cim_outfile_preflight(&out, 1, in, 2, perr, sizeof perr) != CIM_OUTFILE_OK) {
      fprintf(stderr, "cim_net: %s\n", perr);
      return 2;
    }
  }
  if (o.map_lines && !o.frontdoor) {
    fprintf(stderr, "cim_net: --map-bad-lines finds the bad lines with the write-verify engine: "
            "not with --program backdoor\n");
    return 2;
  }
  if (o.compensate && !o.frontdoor) {
    fprintf(stderr, "cim_net: --compensate re-targets cells after front-door programming: not "
            "with --program backdoor\n");
    return 2;
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
  int *ref = rc == 0 ? calloc((size_t)n + 1, sizeof *ref) : NULL;
  if (rc == 0 && !ref) {
    fprintf(stderr, "cim_net: out of memory\n");
    rc = 2;
  }
  for (int i = (int)first; rc == 0 && i < first + n; i++) {
    const int cls = cim_net_classify(net, img.data + (size_t)i * (size_t)net->inputs, scratch, NULL);
    ref[i - first] = cls;
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
  if ((rc == 0 || rc == 1) && rtl) {
    int n_rtl = n;
    const int64_t per = mvms_per_item(net);
    if (budget > 0 && per * n_rtl > budget) {
      n_rtl = budget / per > 0 ? (int)(budget / per) : 1;
      printf("cim_net: RTL: %lld MVMs per image on this build; --mvm-budget %lld runs %d of the "
             "%d images\n", (long long)per, (long long)budget, n_rtl, n);
    }
    o.first = first;
    const int r2 = run_rtl(net, img.data + (size_t)first * (size_t)net->inputs, lab.data + first,
                           n_rtl, ref, &o);
    if (r2 > rc) rc = r2;
  }
  if (rc == 1 || rc == 3) {
    /* the one command line that reproduces the failure */
    const char *inj = getenv("CIM_INJECT");
    printf("reproduce: %s%s%s", inj ? "CIM_INJECT=" : "", inj ? inj : "", inj ? " " : "");
    for (int i = 0; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
  }
  free(ref);
  free(scratch);
  free(pred);
  idx_free(&img);
  idx_free(&lab);
  cim_net_free(net);
  return rc;
}

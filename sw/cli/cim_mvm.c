/* cim_mvm.c: run matrix-vector multiplies on the co-simulated RRAM CIM macro
 * and check every result against the golden models.
 *
 * One simulation (cim_sim_run) runs firmware that programs the weights
 * through the macro's write-verify engine (cim_program_weights; or, with
 * --program backdoor, they are loaded into the analog array model before the
 * run by cim_map_load), configures the macro once and, per input vector,
 * clears the array's log, runs one MVM through the driver, feeds the logged
 * ADC codes to the periphery twin and compares:
 *   twin  : RTL == twin, bit for bit (always a failure when it differs);
 *   exact : RTL == cim_requant(W x) (a failure whenever the row group's
 *           column sums fit the ADC, which the ideal device guarantees).
 *
 * Exit status: 0 all checks passed, 1 a golden check failed, 2 usage or input
 * error, 3 simulation or driver error. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cim_calib.h"
#include "cim_check.h"
#include "cim_driver.h"
#include "cim_golden.h"
#include "cim_job.h"
#include "cim_map.h"
#include "cim_program.h"
#include "cim_sim.h"
#include "csv.h"
#include "mmio.h"
#include "rram_array.h"
#include "rram_device.h"
#include "rram_switch.h"


enum {
  EXIT_PASS = 0,     /* every check passed */
  EXIT_MISMATCH = 1, /* a golden check failed */
  EXIT_USAGE = 2,    /* bad option, bad input file, value out of range */
  EXIT_SIM = 3,      /* simulation or driver error */
};

static const char *prog = "cim_mvm";

static double now_s(void);

/* ------------------------------------------------------------------ build */

/* What this binary was built for (the simulator's generated configuration). */
typedef struct build {
  rram_geometry geo;
  int w_bits, x_bits, p_max;
  int slices;       /* ceil(w_bits / cell_bits) */
  int n_out;        /* logical outputs */
  int level_max;    /* 2^cell_bits - 1 */
  int adc_max;      /* 2^adc_bits - 1 */
  int p_fit;        /* largest P whose ideal column sum fits the ADC */
} build;

static void build_query(build *b) {
  memset(b, 0, sizeof *b);
  cim_sim_geometry(&b->geo);
  b->w_bits = cim_sim_w_bits();
  b->x_bits = cim_sim_x_bits();
  b->p_max = cim_sim_p_max();
  b->slices = cim_map_slices(b->w_bits, b->geo.cell_bits);
  b->n_out = cim_map_outputs(b->geo.cols, b->w_bits, b->geo.cell_bits);
  b->level_max = (1 << b->geo.cell_bits) - 1;
  b->adc_max = (int)((1L << b->geo.adc_bits) - 1);
  b->p_fit = b->adc_max / b->level_max;
  if (b->p_fit > b->p_max) b->p_fit = b->p_max;
}

static int64_t w_min(const build *b) { return -((int64_t)1 << (b->w_bits - 1)); }
static int64_t w_max(const build *b) { return ((int64_t)1 << (b->w_bits - 1)) - 1; }
static int64_t x_min(int bits, int is_signed) {
  return is_signed ? -((int64_t)1 << (bits - 1)) : 0;
}
static int64_t x_max(int bits, int is_signed) {
  return is_signed ? ((int64_t)1 << (bits - 1)) - 1 : ((int64_t)1 << bits) - 1;
}

/* ---------------------------------------------------------------- options */

typedef struct opts {
  const char *weights, *inputs, *out, *trace;
  int random, rand_n, rand_k;
  long vectors;
  int vectors_set;
  uint64_t seed;
  int x_bits; /* 0 = the build's */
  int is_signed, relu, shift, out_bits, group_rows;
  int conv_cycles; /* 0 = leave the reset value */
  cim_wait_mode wait;
  uint32_t quantum; /* 0 = the simulator's default */
  int quiet;
  const char *device;   /* preset name or device file */
  const char *sets[64]; /* --set KEY=VALUE overrides, in order */
  int n_sets;
  double age_s;         /* time between programming and the MVMs */
  int calibrate;        /* run the ADC calibration first */
  const char *stats;    /* per-column error statistics CSV */
  int backdoor;         /* --program backdoor: cim_map_load instead of the engine */
  int wv_tol, wv_iter;  /* --wv-tol, --wv-iter; -1 = the default for the device */
} opts;

static void usage_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
}

static void input_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void print_help(const build *b) {
  printf(
      "Usage: %s (--weights W.csv --inputs X.csv | --random NxK) [options]\n"
      "\n"
      "Run y = W x on the co-simulated RRAM CIM macro (verilated RTL + analog array\n"
      "model, ideal device) for every input vector, and check each result twice:\n"
      "  twin   RTL == bit-accurate periphery model fed with the run's ADC codes\n"
      "  exact  RTL == requant(W x), the exact integer MVM\n"
      "\n"
      "Data:\n"
      "  --weights FILE     CSV, N lines of K integers (y = W x); signed %d-bit (%" PRId64
      "..%" PRId64 ")\n"
      "  --inputs FILE      CSV, one input vector of K integers per line\n"
      "  --random NxK|full  random W (full signed range) and inputs instead of files;\n"
      "                     full = every output and row of the macro\n"
      "  --vectors V        input vectors with --random (default 4)\n"
      "  --seed N           seed of the array model and of --random data (default 1)\n"
      "  --out FILE         write the RTL outputs, one vector of N integers per line\n"
      "\n"
      "Job:\n"
      "  --x-bits B         input bits, 1..%d (default %d)\n"
      "  --signed           inputs are two's complement (default unsigned)\n"
      "  --group-rows P     rows driven at once, 1..%d; 0 = driver's choice, the\n"
      "                     largest P whose ideal column sum fits the ADC (default 0 = %d)\n"
      "  --relu             clamp negative sums to 0 before requantization\n"
      "  --shift S          arithmetic right shift with rounding, 0..31 (default 0)\n"
      "  --out-bits B       saturate outputs to B signed bits, 2..32 (default 32)\n"
      "  --conv-cycles C    ADC conversion time in clock cycles, 1..255 (default: reset value)\n"
      "\n"
      "Device:\n"
      "  --device NAME|FILE the analog device: a preset (ideal, default, window,\n"
      "                     prog_error, d2d, read_noise, stuck, drift, ir_drop, adc,\n"
      "                     switching)\n"
      "                     or a device file (key = value lines, see\n"
      "                     cmodel/devices/example.dev); default ideal\n"
      "  --set KEY=VALUE    override one device key (repeatable)\n"
      "  --age SECONDS      time between programming and the MVMs (drift)\n"
      "  --calibrate        measure and program the ADCs' offset and gain first\n"
      "  --stats FILE.csv   error statistics per output column and overall\n"
      "  --program frontdoor|backdoor\n"
      "                     frontdoor: program W through the macro's write-verify engine\n"
      "                     (pulses and verify reads in RTL); backdoor: load the cells'\n"
      "                     levels straight into the array model (default frontdoor)\n"
      "  --wv-tol T         write-verify acceptance window, +-T sense codes of 0..255\n"
      "                     (default 0 on ideal switching, else 4)\n"
      "  --wv-iter N        write-verify pulses per cell at most, 1..127\n"
      "                     (default 64 on ideal switching, else 32)\n"
      "\n"
      "Simulation:\n"
      "  --wait poll|irq    wait for each MVM by polling STATUS or on the interrupt\n"
      "                     (default poll)\n"
      "  --trace FILE.fst   dump an FST waveform (view with gtkwave)\n"
      "  --quantum Q        clock cycles between SystemC time syncs (default 100;\n"
      "                     1 = cycle-accurate SystemC scheduling)\n"
      "  --quiet            print only the verdict line\n"
      "  --help             this text\n"
      "\n"
      "This build: %d rows x %d columns, %d-bit weights in %d-bit cells (%d outputs),\n"
      "%d-bit inputs, %d-bit ADC, %d columns per ADC, P_MAX %d.\n"
      "Indexes in messages (vector, element, output) are 0-based; line numbers 1-based.\n"
      "\n"
      "Exit status: 0 all checks passed, 1 a golden check failed, 2 usage or input\n"
      "error, 3 simulation or driver error.\n"
      "\n"
      "Examples:\n"
      "  %s --random 32x256 --vectors 8 --seed 1\n"
      "  %s --weights w.csv --inputs x.csv --signed --x-bits 4 --out y.csv\n",
      prog, b->w_bits, w_min(b), w_max(b), b->x_bits, b->x_bits, b->p_max, b->p_fit,
      b->geo.rows, b->geo.cols, b->w_bits, b->geo.cell_bits, b->n_out, b->x_bits,
      b->geo.adc_bits, b->geo.cols_per_adc, b->p_max, prog, prog);
}

/* Parse a decimal integer option value in lo..hi; range_note explains where
 * the range comes from ("this build" etc.). Prints and returns -1 on error. */
static int parse_long(const char *opt, const char *s, long lo, long hi, const char *range_note,
                      long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || end == s || s[0] == ' ' || s[0] == '\t') {
    usage_error("%s: '%s' is not an integer", opt, s);
    return -1;
  }
  if (errno == ERANGE || v < lo || v > hi) {
    usage_error("%s: %s is out of range; allowed %ld..%ld%s%s", opt, s, lo, hi,
                range_note ? " " : "", range_note ? range_note : "");
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (s[0] == '-' || s[0] == '\0' || s[0] == ' ' || s[0] == '\t') {
    usage_error("%s: '%s' is not a non-negative integer", opt, s);
    return -1;
  }
  unsigned long long v = strtoull(s, &end, 10);
  if (*end != '\0') {
    usage_error("%s: '%s' is not a non-negative integer", opt, s);
    return -1;
  }
  if (errno == ERANGE) {
    usage_error("%s: %s is out of range; allowed 0..%" PRIu64, opt, s, UINT64_MAX);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

/* "32x256" -> n = 32, k = 256 within the build's limits; "full" -> the
 * whole macro (every logical output, every row). */
static int parse_shape(const char *s, const build *b, int *n, int *k) {
  if (strcmp(s, "full") == 0) {
    *n = b->n_out;
    *k = b->geo.rows;
    return 0;
  }
  const char *x = strpbrk(s, "xX");
  if (x == NULL || x == s || x[1] == '\0') {
    usage_error("--random: '%s' is not NxK (N outputs x K inputs, e.g. 32x256)", s);
    return -1;
  }
  char nbuf[32];
  size_t nl = (size_t)(x - s);
  if (nl >= sizeof nbuf) {
    usage_error("--random: '%s' is not NxK (N outputs x K inputs, e.g. 32x256)", s);
    return -1;
  }
  memcpy(nbuf, s, nl);
  nbuf[nl] = '\0';
  char note[96];
  long v;
  snprintf(note, sizeof note, "(this build has %d logical outputs)", b->n_out);
  if (parse_long("--random N", nbuf, 1, b->n_out, note, &v) < 0) return -1;
  *n = (int)v;
  snprintf(note, sizeof note, "(this build has %d rows)", b->geo.rows);
  if (parse_long("--random K", x + 1, 1, b->geo.rows, note, &v) < 0) return -1;
  *k = (int)v;
  return 0;
}

/* Explain a long option getopt_long() rejected: unknown, or an ambiguous
 * abbreviation (then list the candidates). */
static void unknown_option(const char *arg, const struct option *longopts) {
  const char *name = arg;
  while (*name == '-') name++;
  size_t n = strcspn(name, "=");
  char cand[256] = "";
  int hits = 0;
  for (const struct option *lo = longopts; lo->name != NULL; lo++) {
    if (n > 0 && strncmp(lo->name, name, n) == 0) {
      size_t used = strlen(cand);
      snprintf(cand + used, sizeof cand - used, "%s--%s", hits ? ", " : "", lo->name);
      hits++;
    }
  }
  if (hits > 1)
    usage_error("ambiguous option '%.*s' (could be %s)", (int)(name - arg + n), arg, cand);
  else
    usage_error("unknown option '%.*s'", (int)(name - arg + n), arg);
}

enum {
  OPT_WEIGHTS = 256,
  OPT_INPUTS,
  OPT_OUT,
  OPT_RANDOM,
  OPT_VECTORS,
  OPT_SEED,
  OPT_XBITS,
  OPT_SIGNED,
  OPT_GROUP,
  OPT_RELU,
  OPT_SHIFT,
  OPT_OUTBITS,
  OPT_CONV,
  OPT_WAIT,
  OPT_TRACE,
  OPT_QUANTUM,
  OPT_DEVICE,
  OPT_SET,
  OPT_AGE,
  OPT_CALIBRATE,
  OPT_STATS,
  OPT_PROGRAM,
  OPT_WV_TOL,
  OPT_WV_ITER,
};

/* Fill o from argv. Returns 0 to go on; after --help sets *done and returns
 * EXIT_PASS; EXIT_USAGE (message printed) on any bad option. */
static int parse_args(int argc, char **argv, const build *b, opts *o, int *done) {
  static const struct option longopts[] = {
      {"weights", required_argument, NULL, OPT_WEIGHTS},
      {"inputs", required_argument, NULL, OPT_INPUTS},
      {"out", required_argument, NULL, OPT_OUT},
      {"random", required_argument, NULL, OPT_RANDOM},
      {"vectors", required_argument, NULL, OPT_VECTORS},
      {"seed", required_argument, NULL, OPT_SEED},
      {"x-bits", required_argument, NULL, OPT_XBITS},
      {"signed", no_argument, NULL, OPT_SIGNED},
      {"group-rows", required_argument, NULL, OPT_GROUP},
      {"relu", no_argument, NULL, OPT_RELU},
      {"shift", required_argument, NULL, OPT_SHIFT},
      {"out-bits", required_argument, NULL, OPT_OUTBITS},
      {"conv-cycles", required_argument, NULL, OPT_CONV},
      {"wait", required_argument, NULL, OPT_WAIT},
      {"trace", required_argument, NULL, OPT_TRACE},
      {"quantum", required_argument, NULL, OPT_QUANTUM},
      {"device", required_argument, NULL, OPT_DEVICE},
      {"set", required_argument, NULL, OPT_SET},
      {"age", required_argument, NULL, OPT_AGE},
      {"calibrate", no_argument, NULL, OPT_CALIBRATE},
      {"stats", required_argument, NULL, OPT_STATS},
      {"program", required_argument, NULL, OPT_PROGRAM},
      {"wv-tol", required_argument, NULL, OPT_WV_TOL},
      {"wv-iter", required_argument, NULL, OPT_WV_ITER},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  char note[96];
  long v;
  memset(o, 0, sizeof *o);
  o->vectors = 4;
  o->seed = 1;
  o->out_bits = 32;
  o->wait = CIM_WAIT_POLL;
  o->device = "ideal";
  o->wv_tol = -1;
  o->wv_iter = -1;
  *done = 0;

  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_WEIGHTS: o->weights = optarg; break;
      case OPT_INPUTS: o->inputs = optarg; break;
      case OPT_OUT: o->out = optarg; break;
      case OPT_RANDOM:
        if (parse_shape(optarg, b, &o->rand_n, &o->rand_k) < 0) return EXIT_USAGE;
        o->random = 1;
        break;
      case OPT_VECTORS:
        if (parse_long("--vectors", optarg, 1, 1000000, NULL, &v) < 0) return EXIT_USAGE;
        o->vectors = v;
        o->vectors_set = 1;
        break;
      case OPT_SEED:
        if (parse_u64("--seed", optarg, &o->seed) < 0) return EXIT_USAGE;
        break;
      case OPT_XBITS:
        snprintf(note, sizeof note, "(this build's X_BITS is %d)", b->x_bits);
        if (parse_long("--x-bits", optarg, 1, b->x_bits, note, &v) < 0) return EXIT_USAGE;
        o->x_bits = (int)v;
        break;
      case OPT_SIGNED: o->is_signed = 1; break;
      case OPT_GROUP:
        snprintf(note, sizeof note, "(0 = driver's choice; this build's P_MAX is %d)", b->p_max);
        if (parse_long("--group-rows", optarg, 0, b->p_max, note, &v) < 0) return EXIT_USAGE;
        o->group_rows = (int)v;
        break;
      case OPT_RELU: o->relu = 1; break;
      case OPT_SHIFT:
        if (parse_long("--shift", optarg, 0, 31, NULL, &v) < 0) return EXIT_USAGE;
        o->shift = (int)v;
        break;
      case OPT_OUTBITS:
        if (parse_long("--out-bits", optarg, 2, 32, NULL, &v) < 0) return EXIT_USAGE;
        o->out_bits = (int)v;
        break;
      case OPT_CONV:
        if (parse_long("--conv-cycles", optarg, 1, 255, "(ADC.CONV_CYCLES is 8 bits, 0 is refused)",
                       &v) < 0)
          return EXIT_USAGE;
        o->conv_cycles = (int)v;
        break;
      case OPT_WAIT:
        if (strcmp(optarg, "poll") == 0) {
          o->wait = CIM_WAIT_POLL;
        } else if (strcmp(optarg, "irq") == 0) {
          o->wait = CIM_WAIT_IRQ;
        } else {
          usage_error("--wait: '%s' is not one of: poll, irq", optarg);
          return EXIT_USAGE;
        }
        break;
      case OPT_TRACE: {
        size_t n = strlen(optarg);
        if (n < 5 || strcmp(optarg + n - 4, ".fst") != 0) {
          usage_error("--trace: '%s': the waveform is written in FST format; name it *.fst",
                      optarg);
          return EXIT_USAGE;
        }
        o->trace = optarg;
        break;
      }
      case OPT_QUANTUM:
        if (parse_long("--quantum", optarg, 1, 1000000, NULL, &v) < 0) return EXIT_USAGE;
        o->quantum = (uint32_t)v;
        break;
      case OPT_DEVICE: o->device = optarg; break;
      case OPT_SET:
        if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
          usage_error("--set: '%s' is not KEY=VALUE (keys as in a device file)", optarg);
          return EXIT_USAGE;
        }
        if (o->n_sets == (int)(sizeof o->sets / sizeof o->sets[0])) {
          usage_error("--set: more than %d overrides", o->n_sets);
          return EXIT_USAGE;
        }
        o->sets[o->n_sets++] = optarg;
        break;
      case OPT_AGE: {
        char *end = NULL;
        errno = 0;
        o->age_s = strtod(optarg, &end);
        if (end == optarg || *end != '\0' || errno != 0 || !(o->age_s >= 0) ||
            o->age_s > 3.2e9) {
          usage_error("--age: '%s' is not a time in seconds within 0..3.2e9 (100 years)", optarg);
          return EXIT_USAGE;
        }
        break;
      }
      case OPT_CALIBRATE: o->calibrate = 1; break;
      case OPT_STATS: o->stats = optarg; break;
      case OPT_PROGRAM:
        if (strcmp(optarg, "frontdoor") == 0) {
          o->backdoor = 0;
        } else if (strcmp(optarg, "backdoor") == 0) {
          o->backdoor = 1;
        } else {
          usage_error("--program: '%s' is not frontdoor or backdoor", optarg);
          return EXIT_USAGE;
        }
        break;
      case OPT_WV_TOL:
      case OPT_WV_ITER: {
        const int tol = c == OPT_WV_TOL;
        char *end = NULL;
        errno = 0;
        long w = strtol(optarg, &end, 10);
        if (end == optarg || *end != '\0' || errno != 0 || w < (tol ? 0 : 1) ||
            w > (tol ? 255 : 127)) {
          usage_error("--%s: '%s' is not an integer in %s", tol ? "wv-tol" : "wv-iter", optarg,
                      tol ? "0..255" : "1..127");
          return EXIT_USAGE;
        }
        if (tol)
          o->wv_tol = (int)w;
        else
          o->wv_iter = (int)w;
        break;
      }
      case 'q': o->quiet = 1; break;
      case 'h':
        print_help(b);
        *done = 1;
        return EXIT_PASS;
      case ':':
        usage_error("option '%s' needs a value", argv[optind - 1]);
        return EXIT_USAGE;
      case '?':
      default:
        if (optopt >= OPT_WEIGHTS || optopt == 'q' || optopt == 'h') {
          usage_error("option '%s' takes no value", argv[optind - 1]);
        } else if (optopt != 0) {
          usage_error("unknown option '-%c'", optopt);
        } else {
          unknown_option(argv[optind - 1], longopts);
        }
        return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    usage_error("unexpected argument '%s' (every input is given by an option)", argv[optind]);
    return EXIT_USAGE;
  }
  if (o->random && (o->weights || o->inputs)) {
    usage_error("--random replaces --weights/--inputs; give either --random or both files");
    return EXIT_USAGE;
  }
  if (!o->random) {
    if (!o->weights && !o->inputs) {
      usage_error("no data: give --weights FILE and --inputs FILE, or --random NxK");
      return EXIT_USAGE;
    }
    if (!o->weights) {
      usage_error("--inputs needs --weights FILE too");
      return EXIT_USAGE;
    }
    if (!o->inputs) {
      usage_error("--weights needs --inputs FILE too");
      return EXIT_USAGE;
    }
    if (o->vectors_set) {
      usage_error("--vectors applies only with --random (the input file sets the vectors)");
      return EXIT_USAGE;
    }
  }
  if (o->x_bits == 0) o->x_bits = b->x_bits;
  return 0;
}

/* ------------------------------------------------------------------- data */

/* splitmix64: small, seedable, reproducible across platforms. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static int32_t rng_range(uint64_t *s, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)(hi - lo) + 1;
  return (int32_t)(lo + (int64_t)(rng_next(s) % span));
}

typedef struct data {
  int32_t *W; /* n x k */
  int32_t *X; /* v x k */
  int n, k, v;
} data;

static void data_free(data *d) {
  free(d->W);
  free(d->X);
  memset(d, 0, sizeof *d);
}

static int data_random(const opts *o, const build *b, data *d) {
  d->n = o->rand_n;
  d->k = o->rand_k;
  d->v = (int)o->vectors;
  d->W = malloc((size_t)d->n * (size_t)d->k * sizeof *d->W);
  d->X = malloc((size_t)d->v * (size_t)d->k * sizeof *d->X);
  if (d->W == NULL || d->X == NULL) {
    input_error("out of memory for %d x %d weights and %d vectors", d->n, d->k, d->v);
    return EXIT_SIM;
  }
  uint64_t s = o->seed ^ 0x63696D5F6D766Dull; /* "cim_mvm": not the array's stream */
  for (size_t i = 0; i < (size_t)d->n * (size_t)d->k; i++) d->W[i] = rng_range(&s, w_min(b), w_max(b));
  int64_t lo = x_min(o->x_bits, o->is_signed), hi = x_max(o->x_bits, o->is_signed);
  for (size_t i = 0; i < (size_t)d->v * (size_t)d->k; i++) d->X[i] = rng_range(&s, lo, hi);
  return 0;
}

static int data_files(const opts *o, const build *b, data *d) {
  char err[CSV_ERRMSG_LEN + 64];
  int *wline = NULL, *xline = NULL;
  int rows, cols, st = 0;

  if (csv_read_int32_lines(o->weights, &d->W, &rows, &cols, &wline, err, sizeof err) != CSV_OK) {
    input_error("%s", err);
    return EXIT_USAGE;
  }
  d->n = rows;
  d->k = cols;
  if (d->k > b->geo.rows) {
    input_error("%s: K = %d values per line, but this build has %d rows; K must be 1..%d",
                o->weights, d->k, b->geo.rows, b->geo.rows);
    st = EXIT_USAGE;
    goto out;
  }
  if (d->n > b->n_out) {
    input_error("%s: N = %d lines (outputs), but this build has %d logical outputs (%d columns / "
                "%d per output); N must be 1..%d",
                o->weights, d->n, b->n_out, b->geo.cols, 2 * b->slices, b->n_out);
    st = EXIT_USAGE;
    goto out;
  }
  for (int j = 0; j < d->n; j++) {
    for (int r = 0; r < d->k; r++) {
      int32_t w = d->W[(size_t)j * (size_t)d->k + (size_t)r];
      if (w < w_min(b) || w > w_max(b)) {
        input_error("%s:%d: W[%d][%d] = %ld (output %d, input %d) does not fit this build's "
                    "signed %d-bit weights (%" PRId64 "..%" PRId64 ")",
                    o->weights, wline[j], j, r, (long)w, j, r, b->w_bits, w_min(b), w_max(b));
        st = EXIT_USAGE;
        goto out;
      }
    }
  }

  if (csv_read_int32_lines(o->inputs, &d->X, &rows, &cols, &xline, err, sizeof err) != CSV_OK) {
    input_error("%s", err);
    st = EXIT_USAGE;
    goto out;
  }
  d->v = rows;
  if (cols != d->k) {
    input_error("%s: %d value%s per line, but %s has K = %d values per line; each input vector "
                "needs K values",
                o->inputs, cols, cols == 1 ? "" : "s", o->weights, d->k);
    st = EXIT_USAGE;
    goto out;
  }
  int64_t lo = x_min(o->x_bits, o->is_signed), hi = x_max(o->x_bits, o->is_signed);
  for (int i = 0; i < d->v; i++) {
    for (int r = 0; r < d->k; r++) {
      int32_t x = d->X[(size_t)i * (size_t)d->k + (size_t)r];
      if (x < lo || x > hi) {
        input_error("%s:%d: input vector %d, element %d = %ld does not fit %s %d-bit inputs "
                    "(%" PRId64 "..%" PRId64 ")%s",
                    o->inputs, xline[i], i, r, (long)x, o->is_signed ? "signed" : "unsigned",
                    o->x_bits, lo, hi,
                    (!o->is_signed && x < 0) ? "; negative inputs need --signed"
                    : (o->x_bits < b->x_bits) ? "; see --x-bits"
                                              : "");
        st = EXIT_USAGE;
        goto out;
      }
    }
  }
out:
  free(wline);
  free(xline);
  return st;
}

/* ------------------------------------------------------------- simulation */

typedef struct run_ctx {
  const opts *o;
  const build *b;
  const data *d;
  rram_array *array;
  cim_job job_req; /* as asked (group_rows may be 0) */
  cim_job job;     /* as the driver resolved it */
  int exact_required;
  int fits_adc;     /* ideal row-group sums fit the ADC */
  int device_ideal; /* the device is rram_device_ideal() */
  rram_device dev;  /* the device of the run */
  cim_cal_report cal; /* --calibrate's result */
  cim_program_cfg prog_cfg;   /* write-verify settings (front door) */
  cim_program_report prog;    /* front door's statistics */
  uint64_t prog_cycles;       /* DUT cycles of programming (front door) */
  int prog_exact;             /* programmed cells close enough to their levels for exact MVMs */
  double prog_rms_us;         /* rms |G - level G| over the programmed cells, uS */
  double prog_max_err;        /* max |G - level G| over them, in level steps */
  int clip_rows;   /* rows per group that can actually be active: min(P, K) */
  int conv_cycles; /* read back from ADC.CONV_CYCLES, 0 if unknown */
  cim_info info;
  int32_t *y_rtl;  /* v x n, the RTL outputs */
  int32_t *y_twin; /* n */
  int64_t *acc;    /* n */
  int64_t *y_exact; /* n */
  uint32_t *mvm_cycles; /* v */
  double mvm_t0, mvm_t1;   /* host time around the MVM loop (programming excluded) */
  uint64_t mvm_c0, mvm_c1; /* DUT cycles around it */
  int done;        /* vectors completed */
  cim_check chk;
  char effects[256]; /* the device's effects, for the report */
  /* failure of the simulation or driver */
  int failed;
  char fail_msg[768];
} run_ctx;

/* Record a driver failure: step, vector (-1 if none), status text and the
 * driver's detail. Returns EXIT_SIM. */
static int fw_fail(run_ctx *c, const cim_dev *dev, int st, const char *step, int vector) {
  const char *detail = dev != NULL ? cim_errmsg(dev) : NULL;
  char where[48] = "";
  if (vector >= 0) snprintf(where, sizeof where, " (vector %d)", vector);
  c->failed = 1;
  snprintf(c->fail_msg, sizeof c->fail_msg, "%s%s: %s%s%s", step, where, cim_strerror(st),
           detail != NULL && detail[0] ? ": " : "", detail != NULL ? detail : "");
  return EXIT_SIM;
}

/* How far the front door left each programmed cell from its level's
 * conductance (read from the analog model, as the twin reads its log). */
static void prog_accuracy(run_ctx *c) {
  const build *b = c->b;
  const data *d = c->d;
  const rram_device *dev = rram_array_device(c->array);
  const double unit = (dev->g_max_us - dev->g_min_us) / b->level_max;
  const int n_col = d->n * 2 * b->slices;
  double se = 0, mx = 0;
  for (int r = 0; r < d->k; r++) {
    for (int col = 0; col < n_col; col++) {
      const int j = col / (2 * b->slices), sl = (col % (2 * b->slices)) / 2, p = col % 2;
      int level = 0;
      double g = 0;
      (void)cim_map_level(d->W[(size_t)j * (size_t)d->k + (size_t)r], sl, p, b->w_bits,
                          b->geo.cell_bits, &level);
      rram_array_get_conductance(c->array, r, col, &g);
      const double e = fabs(g - (dev->g_min_us + level * unit)) / unit;
      se += e * e;
      if (e > mx) mx = e;
    }
  }
  const double n = (double)d->k * n_col;
  c->prog_rms_us = n > 0 ? sqrt(se / n) * unit : 0;
  c->prog_max_err = mx;
}

static int firmware(mmio_bus *bus, void *arg) {
  run_ctx *c = arg;
  const data *d = c->d;
  cim_dev *dev = NULL;
  char twin_err[256];
  int st;

  if ((st = cim_open(bus, &dev)) != CIM_OK) return fw_fail(c, dev, st, "cim_open", -1);
  c->info = *cim_get_info(dev);
  /* The macro must be what the simulator says it was built as. */
  const rram_geometry *g = &c->b->geo;
  if (c->info.rows != g->rows || c->info.cols != g->cols || c->info.w_bits != c->b->w_bits ||
      c->info.cell_bits != g->cell_bits || c->info.x_bits != c->b->x_bits ||
      c->info.adc_bits != g->adc_bits || c->info.cols_per_adc != g->cols_per_adc ||
      c->info.p_max != c->b->p_max || c->info.n_out != c->b->n_out) {
    c->failed = 1;
    snprintf(c->fail_msg, sizeof c->fail_msg,
             "the macro's parameter registers disagree with the simulator's build: macro %dx%d "
             "W%d cell%d X%d ADC%d mux%d P%d N_OUT%d, build %dx%d W%d cell%d X%d ADC%d mux%d P%d "
             "N_OUT%d",
             c->info.rows, c->info.cols, c->info.w_bits, c->info.cell_bits, c->info.x_bits,
             c->info.adc_bits, c->info.cols_per_adc, c->info.p_max, c->info.n_out, g->rows,
             g->cols, c->b->w_bits, g->cell_bits, c->b->x_bits, g->adc_bits, g->cols_per_adc,
             c->b->p_max, c->b->n_out);
    cim_close(dev);
    return EXIT_SIM;
  }
  if (!c->o->backdoor) {
    /* Front door: the engine pulses and verifies every cell of W's block. */
    st = cim_program_weights(dev, d->W, d->n, d->k, &c->prog_cfg, &c->prog);
    if (st != CIM_OK) {
      fw_fail(c, dev, st, "cim_program_weights", -1);
      cim_close(dev);
      return EXIT_SIM;
    }
    c->prog_cycles = c->prog.total_cycles;
    prog_accuracy(c);
    /* the time between programming and the MVMs passes on the array clock */
    if (c->o->age_s > 0 && rram_array_age(c->array, c->o->age_s) != RRAM_OK) {
      c->failed = 1;
      snprintf(c->fail_msg, sizeof c->fail_msg, "--age: %s", rram_array_errmsg(c->array));
      cim_close(dev);
      return EXIT_SIM;
    }
  }
  if (c->o->calibrate) {
    st = cim_calibrate_adcs(dev, c->d->W, c->d->n, c->d->k, 16, (uint32_t)c->o->seed, &c->cal);
    if (st != CIM_OK) {
      fw_fail(c, dev, st, "cim_calibrate_adcs", -1);
      cim_close(dev);
      return EXIT_SIM;
    }
  }
  if ((st = cim_configure(dev, &c->job_req)) != CIM_OK) {
    fw_fail(c, dev, st, "cim_configure", -1);
    cim_close(dev);
    return st == CIM_EINVAL ? EXIT_USAGE : EXIT_SIM; /* the driver refused the job */
  }
  c->job = *cim_get_job(dev);
  if (c->o->conv_cycles > 0 && (st = cim_set_conv_cycles(dev, c->o->conv_cycles)) != CIM_OK) {
    fw_fail(c, dev, st, "cim_set_conv_cycles", -1);
    cim_close(dev);
    return st == CIM_EINVAL ? EXIT_USAGE : EXIT_SIM;
  }
  c->conv_cycles = cim_get_conv_cycles(dev);
  /* Exact results are guaranteed when no column of a row group can sum past
   * the ADC's full scale; only min(P, K) rows are ever active at once. */
  c->clip_rows = c->job.group_rows < c->job.n_rows ? c->job.group_rows : c->job.n_rows;
  c->fits_adc = (int64_t)c->clip_rows * c->b->level_max <= c->b->adc_max;
  /* Front door: exact only if the cells' summed deviation from their levels
   * stays below half an ADC LSB in every row group, and none failed. */
  c->prog_exact = c->prog.n_failed == 0 && c->prog_max_err * c->clip_rows < 0.5;
  c->exact_required = c->fits_adc && c->device_ideal && (c->o->backdoor || c->prog_exact);
  cim_check_init(&c->chk, c->exact_required);
  uint32_t timeout = cim_wait_budget(dev);

  const char *step = NULL;
  int v;
  c->mvm_t0 = now_s();
  c->mvm_c0 = mmio_cycles(bus);
  for (v = 0; v < d->v; v++) {
    const int32_t *x = d->X + (size_t)v * (size_t)d->k;
    int32_t *y = c->y_rtl + (size_t)v * (size_t)d->n;
    rram_array_log_clear(c->array);
    if ((st = cim_load_inputs(dev, x, d->k)) != CIM_OK) { step = "cim_load_inputs"; break; }
    if ((st = cim_start(dev)) != CIM_OK) { step = "cim_start"; break; }
    if ((st = cim_wait(dev, c->o->wait, timeout)) != CIM_OK) { step = "cim_wait"; break; }
    if ((st = cim_read_outputs(dev, y, d->n)) != CIM_OK) { step = "cim_read_outputs"; break; }
    if ((st = cim_last_cycles(dev, &c->mvm_cycles[v])) != CIM_OK) {
      step = "cim_last_cycles";
      break;
    }

    twin_err[0] = '\0';
    const int32_t *yt = c->y_twin;
    size_t orphans = rram_array_log_orphans(c->array);
    if (orphans > 0) {
      snprintf(twin_err, sizeof twin_err, "%zu ADC conversion%s before any wordline drive",
               orphans, orphans == 1 ? "" : "s");
      yt = NULL;
    } else {
      int ts = cim_twin_run(c->array, c->b->w_bits, &c->job, x, c->acc, c->y_twin, twin_err,
                            sizeof twin_err);
      if (ts != RRAM_OK) {
        if (twin_err[0] == '\0') snprintf(twin_err, sizeof twin_err, "%s", rram_strerror(ts));
        yt = NULL;
      }
    }
    cim_mvm_exact(d->W, x, d->n, d->k, c->y_exact);
    cim_check_vector(&c->chk, &c->job, d->n, y, yt, twin_err, c->y_exact);
    c->done = v + 1;
  }
  c->mvm_t1 = now_s();
  c->mvm_c1 = mmio_cycles(bus);
  if (step != NULL) {
    fw_fail(c, dev, st, step, v);
    cim_close(dev);
    return EXIT_SIM;
  }
  cim_close(dev);
  return 0;
}

/* ---------------------------------------------------------------- report */

/* 1234567 -> "1,234,567" */
static const char *grouped(uint64_t v, char *buf, size_t len) {
  char tmp[32];
  int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
  size_t o = 0;
  for (int i = 0; i < n && o + 1 < len; i++) {
    if (i > 0 && (n - i) % 3 == 0 && o + 2 < len) buf[o++] = ',';
    buf[o++] = tmp[i];
  }
  buf[o] = '\0';
  return buf;
}

static const char *rate(double v, char *buf, size_t len) {
  if (v >= 1e6)
    snprintf(buf, len, "%.2f M", v / 1e6);
  else if (v >= 1e3)
    snprintf(buf, len, "%.1f k", v / 1e3);
  else
    snprintf(buf, len, "%.1f", v);
  return buf;
}

/* Is s safe to print unquoted in a POSIX shell? */
static int shell_plain(const char *s) {
  if (*s == '\0') return 0;
  for (; *s; s++) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          strchr("_-./:=,+@%^", *s) != NULL))
      return 0;
  }
  return 1;
}

/* Print argv as one shell command line, quoted where needed; --quiet is
 * left out so the command shows the whole report. */
static void print_cmdline(FILE *fp, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (i > 0 && (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)) continue;
    if (i) fputc(' ', fp);
    if (shell_plain(argv[i])) {
      fputs(argv[i], fp);
    } else {
      fputc('\'', fp);
      for (const char *s = argv[i]; *s; s++) {
        if (*s == '\'')
          fputs("'\\''", fp);
        else
          fputc(*s, fp);
      }
      fputc('\'', fp);
    }
  }
  fputc('\n', fp);
}

static void describe_requant(const cim_job *j, char *buf, size_t len) {
  if (!j->relu && j->shift == 0 && j->out_bits == 32) {
    snprintf(buf, len, "none (32-bit)");
    return;
  }
  snprintf(buf, len, "%s%sshift %d (round half up), saturate to %d-bit", j->relu ? "ReLU" : "",
           j->relu ? ", " : "", j->shift, j->out_bits);
}

static void print_verdict(FILE *fp, const run_ctx *c, int pass) {
  const cim_check *k = &c->chk;
  fprintf(fp, "%s  cim_mvm %dx%d, %d vector%s, seed %" PRIu64 ": twin %" PRIu64 "/%" PRIu64
              " bit-exact, exact %" PRIu64 "/%" PRIu64 "%s, max |err| %" PRId64 "\n",
          pass ? "PASS" : "FAIL", c->d->n, c->d->k, c->d->v, c->d->v == 1 ? "" : "s",
          c->o->seed, k->vectors - k->twin_fail_vectors, k->vectors,
          k->vectors - k->exact_fail_vectors, k->vectors,
          c->exact_required ? "" : (c->device_ideal ? " (not required: ADC clipping)"
                                                    : " (not required: non-ideal device)"),
          k->max_abs_err);
}

static void print_report(const run_ctx *c, const cim_sim_stats *stats, double wall_total) {
  const build *b = c->b;
  const opts *o = c->o;
  const data *d = c->d;
  const cim_job *j = &c->job;
  const cim_check *k = &c->chk;
  char g1[32], g2[32], g3[32], g4[32], r1[32], r2[32], rq[128];
  int cols_per_out = 2 * b->slices;

  printf("cim_mvm: y = W x on the co-simulated RRAM CIM macro, checked against twin and exact "
         "MVM\n");
  printf("  build     %d rows x %d cols; W %d-bit signed as %d x %d-bit cells, differential "
         "(%d cols/output, %d outputs)\n",
         b->geo.rows, b->geo.cols, b->w_bits, b->slices, b->geo.cell_bits, cols_per_out,
         b->n_out);
  printf("            X up to %d-bit; ADC %d-bit, %d cols/ADC (%d ADCs); P_MAX %d, ideal sum "
         "fits ADC for P <= %d\n",
         b->x_bits, b->geo.adc_bits, b->geo.cols_per_adc,
         (b->geo.cols + b->geo.cols_per_adc - 1) / b->geo.cols_per_adc, b->p_max,
         b->adc_max / b->level_max);
  if (c->device_ideal)
    printf("  device    %s: ideal (g_min 0, one ADC LSB per level), array seed %" PRIu64 "\n",
           o->device, o->seed);
  else
    printf("  device    %s%s: %s, array seed %" PRIu64 "\n", o->device,
           o->n_sets ? " with --set overrides" : "", c->effects, o->seed);
  if (o->backdoor) {
    printf("  program   back door: cell levels loaded into the array model (cim_map_load)\n");
  } else {
    const cim_program_report *p = &c->prog;
    printf("  program   front door, write-verify engine: %s cells, %s in the window (%.2f %%), "
           "%d failed\n",
           grouped((uint64_t)p->n_cells, g1, sizeof g1), grouped((uint64_t)p->n_ok, g2, sizeof g2),
           p->n_cells ? 100.0 * p->n_ok / p->n_cells : 0.0, p->n_failed);
    printf("            %.2f pulses/cell (max %d), %s pulses; window +-%d sense codes, at most "
           "%d pulses/cell\n",
           cim_program_mean_pulses(p), p->max_pulses, grouped(p->pulses, g1, sizeof g1),
           c->prog_cfg.tol, c->prog_cfg.max_iter);
    static const int edges[] = {0, 1, 3, 5, 9, 17, 33, 65, CIM_PROGRAM_HIST};
    char hist[256] = "";
    for (size_t e = 0; e + 1 < sizeof edges / sizeof edges[0]; e++) {
      uint64_t n = 0;
      for (int q = edges[e]; q < edges[e + 1]; q++) n += p->hist[q];
      if (n == 0) continue;
      size_t used = strlen(hist);
      if (edges[e + 1] - edges[e] == 1)
        snprintf(hist + used, sizeof hist - used, " %d:%" PRIu64, edges[e], n);
      else
        snprintf(hist + used, sizeof hist - used, " %d-%d:%" PRIu64, edges[e], edges[e + 1] - 1, n);
    }
    printf("            pulses per cell (cells):%s\n", hist);
    printf("            |G - level| rms %.3g uS, max %.3g level steps\n", c->prog_rms_us,
           c->prog_max_err);
    printf("            %s DUT cycles (engine %s, %.1f per cell), %d runs\n",
           grouped(c->prog_cycles, g1, sizeof g1), grouped(p->wv_cycles, g2, sizeof g2),
           p->n_cells ? (double)p->wv_cycles / p->n_cells : 0.0, p->runs);
    for (int i = 0; i < p->n_fail_listed && i < 4; i++)
      printf("            failed: row %d col %d (target code %d, %d pulses)%s\n", p->fail[i].row,
             p->fail[i].col, p->fail[i].target, p->fail[i].pulses,
             i == 3 && p->n_failed > 4 ? ", ..." : "");
  }
  if (o->age_s > 0) printf("            aged %g s after programming\n", o->age_s);
  if (o->calibrate)
    printf("  calibrate %d ADCs from %d codes (%d clipped left out): code error rms %.3g -> %.3g "
           "LSB;\n            largest |offset| %.2f LSB, |gain - 1| %.3f\n",
           c->cal.n_adc, c->cal.n_points, c->cal.n_clipped, c->cal.rms_before, c->cal.rms_after,
           c->cal.max_abs_offset_lsb, c->cal.max_abs_gain_err);
  if (o->random)
    printf("  data      random, seed %" PRIu64 ": W in %" PRId64 "..%" PRId64 ", x in %" PRId64
           "..%" PRId64 "\n",
           o->seed, w_min(b), w_max(b), x_min(j->x_bits, j->is_signed),
           x_max(j->x_bits, j->is_signed));
  else
    printf("  data      weights %s (%d x %d), inputs %s (%d vector%s)\n", o->weights, d->n, d->k,
           o->inputs, d->v, d->v == 1 ? "" : "s");
  int groups = (j->n_rows + j->group_rows - 1) / j->group_rows;
  int phases = groups * j->x_bits;
  describe_requant(j, rq, sizeof rq);
  printf("  job       K %d, N %d; x %d-bit %s; P %d%s -> %d row group%s x %d bit plane%s = %d "
         "phases, %s conversions/MVM\n",
         j->n_rows, j->n_outs, j->x_bits, j->is_signed ? "signed" : "unsigned", j->group_rows,
         o->group_rows == 0 ? " (driver's choice)" : "", groups, groups == 1 ? "" : "s",
         j->x_bits, j->x_bits == 1 ? "" : "s", phases,
         grouped((uint64_t)phases * (uint64_t)j->n_outs * (uint64_t)cols_per_out, g1, sizeof g1));
  printf("            requant %s\n", rq);
  if (c->conv_cycles > 0)
    printf("  sim       wait %s, quantum %u, ADC %d cycles/conversion%s%s\n",
           o->wait == CIM_WAIT_IRQ ? "irq" : "poll", o->quantum ? o->quantum : 100,
           c->conv_cycles, o->trace ? ", trace " : "", o->trace ? o->trace : "");
  else
    printf("  sim       wait %s, quantum %u, ADC conversion time at reset value%s%s\n",
           o->wait == CIM_WAIT_IRQ ? "irq" : "poll", o->quantum ? o->quantum : 100,
           o->trace ? ", trace " : "", o->trace ? o->trace : "");

  uint64_t sum = 0;
  uint32_t mn = UINT32_MAX, mx = 0;
  for (int v = 0; v < c->done; v++) {
    sum += c->mvm_cycles[v];
    if (c->mvm_cycles[v] < mn) mn = c->mvm_cycles[v];
    if (c->mvm_cycles[v] > mx) mx = c->mvm_cycles[v];
  }
  if (c->done == 0) mn = 0;
  printf("  vectors   %d\n", c->done);
  if (mn == mx)
    printf("  cycles    %s DUT cycles in all; %s per MVM (CYCLES register, START to DONE)\n",
           grouped(stats->cycles, g1, sizeof g1), grouped(mn, g2, sizeof g2));
  else
    printf("  cycles    %s DUT cycles in all; per MVM %s avg, %s..%s (CYCLES register)\n",
           grouped(stats->cycles, g1, sizeof g1),
           grouped(c->done ? sum / (uint64_t)c->done : 0, g2, sizeof g2),
           grouped(mn, g3, sizeof g3), grouped(mx, g4, sizeof g4));
  double ws = stats->wall_seconds > 0 ? stats->wall_seconds : 0;
  double wm = c->mvm_t1 - c->mvm_t0;
  if (wm > 0)
    printf("  speed     MVMs: %s DUT cycles/s, %s MVMs/s (%.3f s); whole simulation %.3f s, "
           "%.3f s in all\n",
           rate((double)(c->mvm_c1 - c->mvm_c0) / wm, r1, sizeof r1),
           rate((double)c->done / wm, r2, sizeof r2), wm, ws, wall_total);
  else
    printf("  speed     %.3f s total\n", wall_total);

  char line[512];
  printf("  twin      %" PRIu64 "/%" PRIu64 " vectors bit-exact (%s/%s outputs)  %s\n",
         k->vectors - k->twin_fail_vectors, k->vectors,
         grouped(k->outputs - k->twin_fail_outputs, g1, sizeof g1),
         grouped(k->outputs, g2, sizeof g2), cim_check_twin_ok(k) ? "PASS" : "FAIL");
  if (k->has_twin_first)
    printf("            first: %s\n", cim_check_format_mismatch(&k->twin_first, line, sizeof line));
  if (k->twin_refused)
    printf("            the twin rejected %" PRIu64 " run%s' ADC log\n", k->twin_refused,
           k->twin_refused == 1 ? "" : "s");
  printf("  exact     %" PRIu64 "/%" PRIu64 " vectors match requant(W x) (%s/%s outputs)  %s\n",
         k->vectors - k->exact_fail_vectors, k->vectors,
         grouped(k->outputs - k->exact_fail_outputs, g1, sizeof g1),
         grouped(k->outputs, g2, sizeof g2),
         cim_check_exact_ok(k) ? "PASS" : (c->exact_required ? "FAIL" : "expected (not counted)"));
  if (k->has_exact_first)
    printf("            first: %s\n",
           cim_check_format_mismatch(&k->exact_first, line, sizeof line));
  double snr = cim_check_snr_db(k);
  if (k->max_abs_err == 0)
    printf("  error     max |y - exact| 0 LSB\n");
  else
    printf("  error     max |y - exact| %" PRId64 " LSB (vector %" PRIu64 ", output %d), rms %.3g "
           "LSB, SNR %.1f dB\n",
           k->max_abs_err, k->max_err_vector, k->max_err_column, cim_check_rms_err(k), snr);
  if (o->stats) printf("  stats     %s (per output column and overall)\n", o->stats);
  if (!c->exact_required && !c->device_ideal)
    printf("  note      non-ideal device: the exact check measures the device's cost, the twin\n"
           "            check is the pass/fail verdict\n");
  else if (!c->exact_required)
    printf("  note      P = %d active rows x level %d = %d > ADC full scale %d: columns can clip,\n"
           "            so exact mismatches are expected and not counted as failures "
           "(twin mismatches are)\n",
           c->clip_rows, b->level_max, c->clip_rows * b->level_max, b->adc_max);
  if (o->out) printf("  output    %s (%d x %d)\n", o->out, c->done, d->n);
}

/* ---------------------------------------------------------------- main */

/* Can path be written? Leaves an existing file untouched and removes the
 * file if this test created it. Prints and returns -1 if not. */
static int out_writable(const char *opt, const char *path) {
  FILE *fp = fopen(path, "r");
  int existed = fp != NULL;
  if (fp != NULL) fclose(fp);
  fp = fopen(path, "a");
  if (fp == NULL) {
    input_error("%s: %s: cannot open for writing: %s", opt, path, strerror(errno));
    return -1;
  }
  fclose(fp);
  if (!existed) remove(path);
  return 0;
}

/* The device of --device and --set, and a one-line list of its effects.
 * Prints and returns -1 on a bad preset, file or override. */
static int load_device(const opts *o, rram_device *dev, char *effects, size_t len) {
  char err[256];
  if (rram_device_load(o->device, dev, err, sizeof err) != RRAM_OK) {
    const char *const *p = rram_device_presets();
    char names[256] = "";
    for (; *p; p++) {
      size_t used = strlen(names);
      snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", *p);
    }
    input_error("--device: %s (presets: %s)", err, names);
    return -1;
  }
  for (int i = 0; i < o->n_sets; i++) {
    char key[64];
    const char *eq = strchr(o->sets[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
    if (rram_device_set(dev, key, eq + 1, err, sizeof err) != RRAM_OK) {
      input_error("--set %s: %s", o->sets[i], err);
      return -1;
    }
  }
  snprintf(effects, len, "G %g..%g uS", dev->g_min_us, dev->g_max_us);
#define EFFECT(cond, ...)                                       \
  do {                                                          \
    if (cond) {                                                 \
      size_t used_ = strlen(effects);                           \
      snprintf(effects + used_, len - used_, ", " __VA_ARGS__); \
    }                                                           \
  } while (0)
  EFFECT(dev->prog_model != RRAM_PROG_NONE && dev->prog_sigma > 0, "programming error");
  EFFECT(dev->d2d_sigma > 0, "d2d %g", dev->d2d_sigma);
  EFFECT(dev->read_noise > 0, "read noise %g", dev->read_noise);
  EFFECT(dev->stuck_gmin_rate > 0 || dev->stuck_gmax_rate > 0, "stuck %g/%g",
         dev->stuck_gmin_rate, dev->stuck_gmax_rate);
  EFFECT(dev->drift_nu_mean > 0 || dev->drift_nu_sigma > 0, "drift nu %g", dev->drift_nu_mean);
  EFFECT(dev->r_wl_ohm > 0 || dev->r_bl_ohm > 0, "IR drop %g/%g ohm", dev->r_wl_ohm,
         dev->r_bl_ohm);
  EFFECT(dev->adc_offset_lsb != 0 || dev->adc_offset_sigma_lsb > 0 || dev->adc_gain_err != 0 ||
             dev->adc_gain_sigma > 0 || dev->adc_inl_lsb > 0 || dev->adc_noise_lsb > 0,
         "ADC errors");
#undef EFFECT
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  double t0 = now_s();
  build b;
  opts o;
  data d;
  int done, st;
  memset(&d, 0, sizeof d);

  build_query(&b);
  if ((st = parse_args(argc, argv, &b, &o, &done)) != 0 || done) return st;
  st = o.random ? data_random(&o, &b, &d) : data_files(&o, &b, &d);
  if (st != 0) {
    data_free(&d);
    return st;
  }

  /* Fail on an unwritable --out or --stats now, not after the simulation. */
  if ((o.out != NULL && out_writable("--out", o.out) != 0) ||
      (o.stats != NULL && out_writable("--stats", o.stats) != 0)) {
    data_free(&d);
    return EXIT_USAGE;
  }

  run_ctx c;
  memset(&c, 0, sizeof c);
  c.o = &o;
  c.b = &b;
  c.d = &d;
  c.job_req.n_rows = d.k;
  c.job_req.n_outs = d.n;
  c.job_req.x_bits = o.x_bits;
  c.job_req.is_signed = o.is_signed;
  c.job_req.group_rows = o.group_rows;
  c.job_req.relu = o.relu;
  c.job_req.shift = o.shift;
  c.job_req.out_bits = o.out_bits;
  c.y_rtl = calloc((size_t)d.v * (size_t)d.n, sizeof *c.y_rtl);
  c.y_twin = calloc((size_t)d.n, sizeof *c.y_twin);
  c.acc = calloc((size_t)d.n, sizeof *c.acc);
  c.y_exact = calloc((size_t)d.n, sizeof *c.y_exact);
  c.mvm_cycles = calloc((size_t)d.v, sizeof *c.mvm_cycles);
  int rc = EXIT_SIM;
  if (!c.y_rtl || !c.y_twin || !c.acc || !c.y_exact || !c.mvm_cycles) {
    input_error("out of memory for %d vectors of %d outputs", d.v, d.n);
    goto out;
  }

  /* The analog array: the chosen device, this run's seed, W backdoor-loaded. */
  char err[256];
  if (load_device(&o, &c.dev, c.effects, sizeof c.effects) != 0) {
    rc = EXIT_USAGE;
    goto out;
  }
  rram_device ideal;
  rram_device_ideal(&ideal);
  c.device_ideal = rram_device_equal(&ideal, &c.dev);
  rram_device dev = c.dev;
  int rs = rram_array_create(&b.geo, &dev, o.seed, &c.array);
  if (rs != RRAM_OK) {
    rram_array_check_config(&b.geo, &dev, err, sizeof err);
    input_error("cannot create the array model: %s%s%s", rram_strerror(rs), err[0] ? ": " : "",
                err);
    goto out;
  }
  /* Write-verify settings: the macro's reset values, or a zero-width window
   * where switching is ideal (every cell lands on its code), and the sense
   * code width of the device. */
  cim_program_cfg_default(&c.prog_cfg);
  if (rram_switch_is_ideal(&c.dev)) {
    /* ideal switching steps whole codes whatever the width: the shortest
     * pulse and read, the widest ramp */
    c.prog_cfg.tol = 0;
    c.prog_cfg.max_iter = 64;
    c.prog_cfg.width = 1;
    c.prog_cfg.read_cycles = 1;
    c.prog_cfg.set_max = 255;
    c.prog_cfg.reset_max = 255;
  }
  if (o.wv_tol >= 0) c.prog_cfg.tol = o.wv_tol;
  if (o.wv_iter >= 0) c.prog_cfg.max_iter = o.wv_iter;
  c.prog_cfg.sense_bits = rram_switch_sense_bits(&c.dev);
  rs = o.backdoor ? cim_map_load(c.array, d.W, d.n, d.k, b.w_bits) : RRAM_OK;
  if (rs != RRAM_OK) {
    input_error("cannot load the weights into the array model: %s: %s", rram_strerror(rs),
                rram_array_errmsg(c.array));
    goto out;
  }
  if (o.backdoor && o.age_s > 0 && (rs = rram_array_age(c.array, o.age_s)) != RRAM_OK) {
    input_error("--age: %s: %s", rram_strerror(rs), rram_array_errmsg(c.array));
    goto out;
  }

  cim_sim_opts so;
  memset(&so, 0, sizeof so);
  so.array = c.array;
  so.trace_path = o.trace;
  so.quantum = o.quantum;
  cim_sim_stats stats;
  memset(&stats, 0, sizeof stats);
  int fr = cim_sim_run(&so, firmware, &c, &stats);
  double wall = now_s() - t0;

  if (fr == EXIT_USAGE && c.failed) {
    input_error("the driver refused the job: %s", c.fail_msg);
    rc = EXIT_USAGE;
    goto out;
  }
  if (fr != 0 || c.failed) {
    if (c.failed)
      input_error("simulation failed: %s", c.fail_msg);
    else if (fr < 0)
      input_error("the simulation could not start (reason above)");
    else
      input_error("the simulation ended with status %d", fr);
    if (stats.watchdog_fired)
      input_error("the simulation's cycle watchdog fired after %" PRIu64 " cycles", stats.cycles);
    fprintf(stderr, "reproduce: ");
    print_cmdline(stderr, argc, argv);
    rc = EXIT_SIM;
    goto out;
  }

  if (o.out != NULL && c.done > 0) {
    char cerr[CSV_ERRMSG_LEN];
    if (csv_write_int32(o.out, c.y_rtl, c.done, d.n, cerr, sizeof cerr) != CSV_OK) {
      input_error("--out: %s", cerr);
      rc = EXIT_USAGE;
      goto out;
    }
  }

  if (o.stats != NULL) {
    FILE *sf = fopen(o.stats, "w");
    if (sf == NULL || cim_check_write_csv(&c.chk, sf) != 0) {
      input_error("--stats: %s: cannot write: %s", o.stats, strerror(errno));
      if (sf) fclose(sf);
      rc = EXIT_USAGE;
      goto out;
    }
    fclose(sf);
  }

  int pass = cim_check_passed(&c.chk) && c.done == d.v;
  if (!o.quiet) print_report(&c, &stats, wall);
  print_verdict(stdout, &c, pass);
  fflush(stdout);
  if (!pass) {
    FILE *fp = o.quiet ? stderr : stdout;
    if (o.quiet) {
      char line[512];
      if (c.chk.has_twin_first)
        fprintf(fp, "first twin mismatch: %s\n",
                cim_check_format_mismatch(&c.chk.twin_first, line, sizeof line));
      if (c.chk.has_exact_first && c.exact_required)
        fprintf(fp, "first exact mismatch: %s\n",
                cim_check_format_mismatch(&c.chk.exact_first, line, sizeof line));
    }
    fprintf(fp, "reproduce: ");
    print_cmdline(fp, argc, argv);
  }
  fflush(stdout);
  rc = pass ? EXIT_PASS : EXIT_MISMATCH;

out:
  rram_array_destroy(c.array);
  free(c.y_rtl);
  free(c.y_twin);
  free(c.acc);
  free(c.y_exact);
  free(c.mvm_cycles);
  data_free(&d);
  return rc;
}

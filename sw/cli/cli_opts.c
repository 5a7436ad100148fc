/* cli_opts.c: the build's parameters, the command line, --help, messages. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_map.h"
#include "rram_num.h"
#include "cli.h"

/* The generated configuration (tools/gen_cfg.py) is the one source of the
 * derived values; the simulator reports the geometry it was built with. */
void cli_build_query(cli_build *b) {
  memset(b, 0, sizeof *b);
  cim_sim_geometry(&b->geo);
  b->w_bits = cim_sim_w_bits();
  b->x_bits = cim_sim_x_bits();
  b->p_max = cim_sim_p_max();
  b->slices = CIM_CFG_SLICES;
  b->n_out = CIM_CFG_N_OUT;
  b->level_max = CIM_CFG_LEVEL_MAX;
  b->adc_max = CIM_CFG_ADC_MAX;
  b->p_fit = CIM_CFG_P_FIT;
  b->n_adc = CIM_CFG_N_ADC;
}

int64_t cli_w_min(const cli_build *b) { return -((int64_t)1 << (b->w_bits - 1)); }
int64_t cli_w_max(const cli_build *b) { return ((int64_t)1 << (b->w_bits - 1)) - 1; }
int64_t cli_x_min(int bits, int is_signed) {
  return is_signed ? -((int64_t)1 << (bits - 1)) : 0;
}
int64_t cli_x_max(int bits, int is_signed) {
  return is_signed ? ((int64_t)1 << (bits - 1)) - 1 : ((int64_t)1 << bits) - 1;
}


void cli_usage_error(const char *fmt, ...) {
  va_list ap;
  fputs(CLI_PROG ": ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry '" CLI_PROG " --help' for more information.\n", stderr);
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  fputs(CLI_PROG ": ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_print_help(const cli_build *b) {
  printf(
      "Usage: %s (--weights W.csv --inputs X.csv | --random NxK) [options]\n"
      "\n"
      "Run y = W x on the co-simulated RRAM CIM macro (verilated RTL + analog array\n"
      "model of the --device, ideal by default) for every input vector, and check\n"
      "each result twice:\n"
      "  twin   RTL == bit-accurate periphery model fed with the run's ADC codes;\n"
      "         always applies\n"
      "  exact  RTL == requant(W x), the exact integer MVM; applies on the ideal\n"
      "         device when min(P, K) rows at the top level fit the ADC and every\n"
      "         ADC's calibration is the identity, else it is measured only\n"
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
      "                     ('-' = standard output)\n"
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
      "                     switching, lines, weak, stuck_2015)\n"
      "                     or a device file (key = value lines, see\n"
      "                     cmodel/devices/example.dev); default ideal\n"
      "  --set KEY=VALUE    override one device key (repeatable)\n"
      "  --age SECONDS      time between programming and the MVMs (drift)\n"
      "  --calibrate        measure and program the ADCs' offset and gain first\n"
      "  --stats FILE.csv   error statistics per output column and overall ('-' = stdout)\n"
      "  --program frontdoor|backdoor\n"
      "                     frontdoor: program W through the macro's write-verify engine\n"
      "                     (pulses and verify reads in RTL); backdoor: load the cells'\n"
      "                     levels straight into the array model (default frontdoor)\n"
      "  --wv-tol T         write-verify acceptance window, +-T sense codes of 0..255\n"
      "                     (default 0 on ideal switching, else 4)\n"
      "  --wv-iter N        write-verify pulses per cell at most, 1..127\n"
      "                     (default 64 on ideal switching, else 32)\n"
      "  --energy NAME|FILE per-operation energies for the energy report: a preset\n"
      "                     (neurram_130nm, neurosim_22nm) or a parameter file\n"
      "                     (sw/energy/*.energy); default neurram_130nm\n"
      "\n"
      "Simulation:\n"
      "  --wait poll|irq    wait for each MVM by polling STATUS or on the interrupt\n"
      "                     (default poll)\n"
      "  --trace FILE.fst   dump an FST waveform (view with gtkwave)\n"
      "  --quantum Q        clock cycles between SystemC time syncs (default 100;\n"
      "                     1 = cycle-accurate SystemC scheduling)\n"
      "  --digest           print a DIGEST line: 64-bit fingerprints of the outputs,\n"
      "                     of every MVM's ADC codes and of the cycle counts (the same\n"
      "                     seed gives the same line, waves or not, at any --quantum)\n"
      "  --quiet            print only the verdict line\n"
      "  --help             this text\n"
      "\n"
      "This build: %d rows x %d columns, %d-bit weights in %d-bit cells (%d outputs),\n"
      "%d-bit inputs, %d-bit ADC, %d columns per ADC, P_MAX %d.\n"
      "Indexes in messages (vector, element, output) are 0-based; line numbers 1-based.\n"
      "\n"
      "Exit status: 0 every check that applies passed; 1 a golden check failed;\n"
      "2 bad option, input file or output path, found before the simulation;\n"
      "3 the simulation, the driver, an RTL assertion or an output write failed;\n"
      "130 (143) stopped by SIGINT (SIGTERM) between two vectors: --out and --stats\n"
      "hold the vectors completed, the verdict line says how many.\n"
      "\n"
      "Examples:\n"
      "  %s --random 32x256 --vectors 8 --seed 1\n"
      "  %s --weights w.csv --inputs x.csv --signed --x-bits 4 --out y.csv\n",
      CLI_PROG, b->w_bits, cli_w_min(b), cli_w_max(b), b->x_bits, b->x_bits, b->p_max, b->p_fit,
      b->geo.rows, b->geo.cols, b->w_bits, b->geo.cell_bits, b->n_out, b->x_bits,
      b->geo.adc_bits, b->geo.cols_per_adc, b->p_max, CLI_PROG, CLI_PROG);
}

/* Option values go through the project's one number parser (rram_num.h):
 * decimal only, no spaces, one message style. range_note (may be NULL) says
 * where the range comes from ("this build" etc.). Print and return -1 on
 * error. */
int cli_parse_long(const char *opt, const char *s, long lo, long hi, const char *range_note,
                   long *out) {
  char err[RRAM_NUM_MSG_LEN];
  int64_t v = 0;
  int st = rram_num_int(s, lo, hi, &v, err, sizeof err);
  if (st != RRAM_NUM_OK) {
    cli_usage_error("%s: %s%s%s", opt, err, st == RRAM_NUM_ERANGE && range_note ? " " : "",
                    st == RRAM_NUM_ERANGE && range_note ? range_note : "");
    return -1;
  }
  *out = (long)v;
  return 0;
}

int cli_parse_u64(const char *opt, const char *s, uint64_t *out) {
  char err[RRAM_NUM_MSG_LEN];
  if (rram_num_uint(s, 0, UINT64_MAX, out, err, sizeof err) != RRAM_NUM_OK) {
    cli_usage_error("%s: %s", opt, err);
    return -1;
  }
  return 0;
}

static int parse_real(const char *opt, const char *s, double lo, double hi, const char *note,
                      double *out) {
  char err[RRAM_NUM_MSG_LEN];
  int st = rram_num_real(s, lo, hi, out, err, sizeof err);
  if (st != RRAM_NUM_OK) {
    cli_usage_error("%s: %s%s%s", opt, err, st == RRAM_NUM_ERANGE && note ? " " : "",
                    st == RRAM_NUM_ERANGE && note ? note : "");
    return -1;
  }
  return 0;
}

/* "32x256" -> n = 32, k = 256 within the build's limits; "full" -> the
 * whole macro (every logical output, every row). */
static int parse_shape(const char *s, const cli_build *b, int *n, int *k) {
  if (strcmp(s, "full") == 0) {
    *n = b->n_out;
    *k = b->geo.rows;
    return 0;
  }
  const char *x = strpbrk(s, "xX");
  if (x == NULL || x == s || x[1] == '\0') {
    cli_usage_error("--random: '%s' is not NxK (N outputs x K inputs, e.g. 32x256)", s);
    return -1;
  }
  char nbuf[32];
  size_t nl = (size_t)(x - s);
  if (nl >= sizeof nbuf) {
    cli_usage_error("--random: '%s' is not NxK (N outputs x K inputs, e.g. 32x256)", s);
    return -1;
  }
  memcpy(nbuf, s, nl);
  nbuf[nl] = '\0';
  char note[96];
  long v;
  snprintf(note, sizeof note, "(this build has %d logical outputs)", b->n_out);
  if (cli_parse_long("--random N", nbuf, 1, b->n_out, note, &v) < 0) return -1;
  *n = (int)v;
  snprintf(note, sizeof note, "(this build has %d rows)", b->geo.rows);
  if (cli_parse_long("--random K", x + 1, 1, b->geo.rows, note, &v) < 0) return -1;
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
    cli_usage_error("ambiguous option '%.*s' (could be %s)", (int)(name - arg + n), arg, cand);
  else
    cli_usage_error("unknown option '%.*s'", (int)(name - arg + n), arg);
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
  OPT_ENERGY,
  OPT_PROGRAM,
  OPT_WV_TOL,
  OPT_WV_ITER,
  OPT_DIGEST,
};

/* Fill o from argv. Returns 0 to go on; after --help sets *done and returns
 * EXIT_PASS; EXIT_USAGE (message printed) on any bad option. */
int cli_parse_args(int argc, char **argv, const cli_build *b, cli_opts *o, int *done) {
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
      {"energy", required_argument, NULL, OPT_ENERGY},
      {"program", required_argument, NULL, OPT_PROGRAM},
      {"wv-tol", required_argument, NULL, OPT_WV_TOL},
      {"wv-iter", required_argument, NULL, OPT_WV_ITER},
      {"digest", no_argument, NULL, OPT_DIGEST},
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
  o->energy = "neurram_130nm";
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
        if (cli_parse_long("--vectors", optarg, 1, CLI_MAX_VECTORS, NULL, &v) < 0) return EXIT_USAGE;
        o->vectors = v;
        o->vectors_set = 1;
        break;
      case OPT_SEED:
        if (cli_parse_u64("--seed", optarg, &o->seed) < 0) return EXIT_USAGE;
        break;
      case OPT_XBITS:
        snprintf(note, sizeof note, "(this build's X_BITS is %d)", b->x_bits);
        if (cli_parse_long("--x-bits", optarg, 1, b->x_bits, note, &v) < 0) return EXIT_USAGE;
        o->x_bits = (int)v;
        break;
      case OPT_SIGNED: o->is_signed = 1; break;
      case OPT_GROUP:
        snprintf(note, sizeof note, "(0 = driver's choice; this build's P_MAX is %d)", b->p_max);
        if (cli_parse_long("--group-rows", optarg, 0, b->p_max, note, &v) < 0) return EXIT_USAGE;
        o->group_rows = (int)v;
        break;
      case OPT_RELU: o->relu = 1; break;
      case OPT_SHIFT:
        if (cli_parse_long("--shift", optarg, 0, 31, NULL, &v) < 0) return EXIT_USAGE;
        o->shift = (int)v;
        break;
      case OPT_OUTBITS:
        if (cli_parse_long("--out-bits", optarg, 2, 32, NULL, &v) < 0) return EXIT_USAGE;
        o->out_bits = (int)v;
        break;
      case OPT_CONV:
        if (cli_parse_long("--conv-cycles", optarg, 1, 255, "(ADC.CONV_CYCLES is 8 bits, 0 is refused)",
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
          cli_usage_error("--wait: '%s' is not one of: poll, irq", optarg);
          return EXIT_USAGE;
        }
        break;
      case OPT_TRACE: {
        size_t n = strlen(optarg);
        if (n < 5 || strcmp(optarg + n - 4, ".fst") != 0) {
          cli_usage_error("--trace: '%s': the waveform is written in FST format; name it *.fst",
                      optarg);
          return EXIT_USAGE;
        }
        o->trace = optarg;
        break;
      }
      case OPT_QUANTUM:
        if (cli_parse_long("--quantum", optarg, 1, 1000000, NULL, &v) < 0) return EXIT_USAGE;
        o->quantum = (uint32_t)v;
        break;
      case OPT_DEVICE: o->device = optarg; break;
      case OPT_SET:
        if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
          cli_usage_error("--set: '%s' is not KEY=VALUE (keys as in a device file)", optarg);
          return EXIT_USAGE;
        }
        if (o->n_sets == (int)(sizeof o->sets / sizeof o->sets[0])) {
          cli_usage_error("--set: more than %d overrides", o->n_sets);
          return EXIT_USAGE;
        }
        o->sets[o->n_sets++] = optarg;
        break;
      case OPT_AGE:
        if (parse_real("--age", optarg, 0, 3.2e9, "(seconds; 3.2e9 is 100 years)", &o->age_s) < 0)
          return EXIT_USAGE;
        break;
      case OPT_CALIBRATE: o->calibrate = 1; break;
      case OPT_STATS: o->stats = optarg; break;
      case OPT_ENERGY: o->energy = optarg; break;
      case OPT_PROGRAM:
        if (strcmp(optarg, "frontdoor") == 0) {
          o->backdoor = 0;
        } else if (strcmp(optarg, "backdoor") == 0) {
          o->backdoor = 1;
        } else {
          cli_usage_error("--program: '%s' is not frontdoor or backdoor", optarg);
          return EXIT_USAGE;
        }
        break;
      case OPT_WV_TOL:
        if (cli_parse_long("--wv-tol", optarg, 0, 255, "(sense codes)", &v) < 0) return EXIT_USAGE;
        o->wv_tol = (int)v;
        break;
      case OPT_WV_ITER:
        if (cli_parse_long("--wv-iter", optarg, 1, 127, "(WV_VERIFY.MAX_ITER)", &v) < 0)
          return EXIT_USAGE;
        o->wv_iter = (int)v;
        break;
      case OPT_DIGEST: o->digest = 1; break;
      case 'q': o->quiet = 1; break;
      case 'h':
        cli_print_help(b);
        *done = 1;
        return EXIT_PASS;
      case ':':
        cli_usage_error("option '%s' needs a value", argv[optind - 1]);
        return EXIT_USAGE;
      case '?':
      default:
        if (optopt >= OPT_WEIGHTS || optopt == 'q' || optopt == 'h') {
          cli_usage_error("option '%s' takes no value", argv[optind - 1]);
        } else if (optopt != 0) {
          cli_usage_error("unknown option '-%c'", optopt);
        } else {
          unknown_option(argv[optind - 1], longopts);
        }
        return EXIT_USAGE;
    }
  }
  if (optind < argc) {
    cli_usage_error("unexpected argument '%s' (every input is given by an option)", argv[optind]);
    return EXIT_USAGE;
  }
  if (o->random && (o->weights || o->inputs)) {
    cli_usage_error("--random replaces --weights/--inputs; give either --random or both files");
    return EXIT_USAGE;
  }
  if (!o->random) {
    if (!o->weights && !o->inputs) {
      cli_usage_error("no data: give --weights FILE and --inputs FILE, or --random NxK");
      return EXIT_USAGE;
    }
    if (!o->weights) {
      cli_usage_error("--inputs needs --weights FILE too");
      return EXIT_USAGE;
    }
    if (!o->inputs) {
      cli_usage_error("--weights needs --inputs FILE too");
      return EXIT_USAGE;
    }
    if (o->vectors_set) {
      cli_usage_error("--vectors applies only with --random (the input file sets the vectors)");
      return EXIT_USAGE;
    }
  }
  if (o->x_bits == 0) o->x_bits = b->x_bits;
  return 0;
}


/* cli.h: the parts of the cim_mvm program, shared between its files.
 *
 *   cim_mvm.c     main(): the order of the jobs below, exit status
 *   cli_opts.c    the build's parameters, options, --help, messages
 *   cli_data.c    weights and inputs: random or from CSV files
 *   cli_device.c  the analog device of --device/--set, write-verify settings
 *   cli_run.c     the firmware the simulation runs: programming, calibration,
 *                 the MVM loop through the checked-MVM routine (cim_verify.h)
 *   cli_report.c  the run report and the verdict line
 */
#ifndef CLI_H
#define CLI_H

#include <stdint.h>
#include <stdio.h>

#include "cim_calib.h"
#include "cim_check.h"
#include "cim_activity.h"
#include "cim_driver.h"
#include "cim_energy.h"
#include "cim_job.h"
#include "cim_program.h"
#include "cim_sim.h"
#include "rram_array.h"
#include "rram_device.h"

/* Exit status of cim_mvm (README, "Exit status"). */
enum {
  EXIT_PASS = 0,     /* every check that applies passed */
  EXIT_MISMATCH = 1, /* a golden check failed */
  EXIT_USAGE = 2,    /* bad option, bad input file, value out of range, unusable output */
  EXIT_SIM = 3,      /* simulation, driver or output-writing error after the start */
};

#define CLI_PROG "cim_mvm"
/* Input vectors at most, from --vectors or an inputs file. */
#define CLI_MAX_VECTORS 1000000

/* What this binary was built for (the simulator's generated configuration). */
typedef struct cli_build {
  rram_geometry geo;
  int w_bits, x_bits, p_max;
  int slices;    /* ceil(w_bits / cell_bits) */
  int n_out;     /* logical outputs */
  int level_max; /* 2^cell_bits - 1 */
  int adc_max;   /* 2^adc_bits - 1 */
  int p_fit;     /* largest P whose ideal column sum fits the ADC */
  int n_adc;     /* ADCs, ceil(cols / cols_per_adc) */
} cli_build;

void cli_build_query(cli_build *b /* OUT */);
int64_t cli_w_min(const cli_build *b);
int64_t cli_w_max(const cli_build *b);
int64_t cli_x_min(int bits, int is_signed);
int64_t cli_x_max(int bits, int is_signed);

/* The command line. */
typedef struct cli_opts {
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
  int digest;          /* --digest: print the run's DIGEST line */
  const char *device;   /* preset name or device file */
  const char *sets[64]; /* --set KEY=VALUE overrides, in order */
  int n_sets;
  double age_s;         /* time between programming and the MVMs */
  int calibrate;        /* run the ADC calibration first */
  const char *stats;    /* per-column error statistics CSV */
  int backdoor;         /* --program backdoor: cim_map_load instead of the engine */
  int wv_tol, wv_iter;  /* --wv-tol, --wv-iter; -1 = the default for the device */
  const char *energy;   /* --energy: preset or parameter file */
} cli_opts;

/* "cim_mvm: <message>" and the --help hint, on stderr. */
void cli_usage_error(const char *fmt, ...);
/* "cim_mvm: <message>" on stderr. */
void cli_error(const char *fmt, ...);
void cli_print_help(const cli_build *b);
/* Fill o from argv. Returns 0 to go on; after --help sets *done and returns
 * EXIT_PASS; EXIT_USAGE (message printed) on any bad option. */
int cli_parse_args(int argc, char **argv, const cli_build *b, cli_opts *o, int *done);

/* Weights and inputs. */
typedef struct cli_data {
  int32_t *W; /* n x k */
  int32_t *X; /* v x k */
  int n, k, v;
} cli_data;

void cli_data_free(cli_data *d);
/* Random W and X of --random, from --seed. EXIT_SIM when out of memory. */
int cli_data_random(const cli_opts *o, const cli_build *b, cli_data *d);
/* W and X from --weights and --inputs. EXIT_USAGE (message printed). */
int cli_data_files(const cli_opts *o, const cli_build *b, cli_data *d);

/* One run: what the firmware needs and what it records for the report. */
typedef struct cli_run {
  const cli_opts *o;
  const cli_build *b;
  const cli_data *d;
  rram_array *array;
  cim_job job_req;            /* as asked (group_rows may be 0) */
  cim_job job;                /* as the driver resolved it */
  int exact_applies;          /* the exact check applies (cim_verify_exact_applies) */
  char exact_why[200];        /* why it does not, else "" */
  int device_ideal;           /* the device is rram_device_ideal() */
  rram_device dev;            /* the device of the run */
  char effects[256];          /* the device's effects, for the report */
  cim_cal_report cal;         /* --calibrate's result */
  int cal_nodata;             /* --calibrate found nothing to fit (CIM_ENODATA) */
  cim_program_cfg prog_cfg;   /* write-verify settings (front door) */
  cim_program_report prog;    /* front door's statistics */
  uint64_t prog_cycles;       /* DUT cycles of programming (front door) */
  int prog_off_level;         /* programmed cells whose conductance is not their level's */
  double prog_rms_us;         /* rms |G - level G| over the programmed cells, uS */
  double prog_max_err;        /* max |G - level G| over them, in level steps */
  int conv_cycles;            /* read back from ADC.CONV_CYCLES, 0 if unknown */
  cim_info info;
  int32_t *y_rtl;             /* v x n, the RTL outputs */
  uint32_t *mvm_cycles;       /* v */
  double mvm_t0, mvm_t1;      /* host time around the MVM loop (programming excluded) */
  uint64_t mvm_c0, mvm_c1;    /* DUT cycles around it */
  int done;                   /* vectors completed */
  int interrupted;            /* the signal that stopped the run early, else 0 */
  /* cim_digest.h fingerprints: outputs, every MVM's ADC log, cycles */
  uint64_t dig_out, dig_log, dig_cycles;
  cim_check chk;
  /* energy: the parameters, and the activity of programming and of the MVMs */
  cim_energy_params energy;
  cim_energy_activity act_prog, act_mvm;
  /* failure of the simulation or driver */
  int failed;
  int fail_status;            /* EXIT_USAGE when the driver refused the job */
  char fail_msg[768];
} cli_run;

/* The device of --device and --set, and a one-line list of its effects.
 * Prints and returns -1 on a bad preset, file or override. */
int cli_load_device(const cli_opts *o, rram_device *dev, char *effects, size_t len);
/* Write-verify settings for the run's device and options. */
void cli_program_cfg(const cli_opts *o, const rram_device *dev, cim_program_cfg *cfg /* OUT */);

/* The firmware of the run (cim_fw_fn); arg is a cli_run. */
int cli_firmware(mmio_bus *bus, void *arg);

/* 1234567 -> "1,234,567" in buf. */
const char *cli_grouped(uint64_t v, char *buf, size_t len);
/* 12345.6 -> "12.3 k" in buf. */
const char *cli_rate(double v, char *buf, size_t len);
/* argv as one shell command line, quoted where needed, without --quiet. */
void cli_print_cmdline(FILE *fp, int argc, char **argv);
void cli_print_verdict(FILE *fp, const cli_run *c, int pass);
/* --digest: "DIGEST vectors=V outputs=H adc_log=H cycles=H" (cim_digest.h;
 * cycles folds programming's, each MVM's and the run's last cycle count). */
void cli_print_digest(FILE *fp, const cli_run *c);
void cli_print_report(const cli_run *c, const cim_sim_stats *stats, double wall_total);
/* Seconds on the host's clock. */
double cli_now_s(void);

#endif

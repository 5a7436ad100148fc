/* cosim.h: what the co-simulation tests share: a seeded generator, the
 * reproduction line, and a firmware that runs a batch of MVMs through the
 * checked-MVM routine (cim_verify.h), the same one the CLI runs: each MVM
 * gets the shipped checker's verdict of its own.
 *
 * Assertions are made after cim_sim_run() returns, never inside the firmware
 * thread: the firmware only records what it saw. */
#ifndef COSIM_H
#define COSIM_H

#include <stddef.h>
#include <stdint.h>

#include "cim_calib.h"
#include "cim_driver.h"
#include "cim_job.h"
#include "cim_sim.h"
#include "cim_verify.h"
#include "rram_array.h"

/* Seed of this test: $CIM_SEED if set, else the test's fixed default. */
uint64_t cosim_seed(uint64_t fallback);
/* Deterministic generator owned by the caller. */
typedef struct cosim_rng {
  uint64_t s;
} cosim_rng;
uint64_t cosim_next(cosim_rng *r);
/* Uniform integer in lo..hi (inclusive). */
int32_t cosim_range(cosim_rng *r, int32_t lo, int32_t hi);

/* The one command line that reproduces test `name` with seed. Static buffer. */
const char *cosim_repro(const char *name, uint64_t seed);

/* Build parameters of this simulator, as the cmodel and driver see them. */
typedef struct cosim_build {
  rram_geometry geo;
  int w_bits, x_bits, p_max, n_out, p_fit;
} cosim_build;
void cosim_build_get(cosim_build *b /* OUT */);

/* Whether the calibration routine (cim_calib.h) owes a fit on this build:
 * its row group (the largest that fits the ADC, at least CIM_CAL_MIN_ROWS
 * where P_MAX allows, at most ROWS) spans min(ADC_MAX - 1, rows x LEVEL_MAX)
 * unclipped codes. A fit of offset, gain and pedestal to CIM_CAL_MAX_SE_GAIN
 * against 1/sqrt(12) LSB of rounding needs about 16 equally spaced codes and
 * more with the pedestal: from 32 a fit is owed; below, the routine may find
 * nothing to fit (CIM_ENODATA) and must then say so and change nothing. */
int cosim_cal_fit_owed(void);

/* 1 if an ideal device owes exact results for job: its min(P, K) rows at
 * the top level stay within the ADC's full scale (the tests' own statement
 * of it; the checker has its own, cim_verify_exact_applies). Never where
 * one cell's top level alone passes the full scale (a 1-bit ADC with 3-bit
 * cells): then every MVM of the build may clip, and the twin is the check. */
int cosim_exact_owed(const cim_job *job);

/* An ideal array with W (n_out x k) loaded by the backdoor. */
rram_array *cosim_array(const int32_t *W, int n_out, int k, uint64_t seed);
/* The same on device dev (NULL = ideal). */
rram_array *cosim_array_dev(const int32_t *W, int n_out, int k, uint64_t seed,
                            const rram_device *dev);
/* Random W in the full signed w_bits range. Caller frees. */
int32_t *cosim_random_weights(cosim_rng *r, int n_out, int k, int w_bits);
/* Random inputs fitting x_bits and signedness. Caller frees. */
int32_t *cosim_random_inputs(cosim_rng *r, int n, int x_bits, int is_signed);

/* One MVM of a batch: job, ADC conversion cycles and input vector. */
typedef struct cosim_mvm {
  cim_job job;     /* after the run: as the driver resolved it, adc_cal NULL */
  int conv_cycles;
  cim_wait_mode wait;
  const int32_t *x;
  /* filled by the firmware */
  int status;            /* driver status of the MVM */
  char errmsg[256];      /* driver message on error */
  cim_check chk;         /* the shipped checker's verdict on this MVM alone */
  int exact_applies;     /* cim_verify_exact_applies() for the job */
  char exact_why[200];   /* its reason when not */
  int32_t y_rtl[1024];
  int32_t y_twin[1024];  /* the twin's outputs (valid unless the twin refused) */
  int64_t y_exact[1024]; /* W x */
  uint32_t cycles;
} cosim_mvm;

typedef struct cosim_batch {
  rram_array *array;
  const int32_t *W; /* n_out x k of the array's load */
  int k;            /* row count of W */
  cosim_mvm *mvm;
  int n_mvm;
  const cim_adc_cal *cal; /* per-ADC calibration to program first, or NULL */
  int calibrate;    /* run cim_calibrate_adcs() on W before MVM calibrate_at */
  int calibrate_at; /* index of the first MVM after calibration (0: before all) */
  cim_cal_report cal_report;
  cim_adc_cal cal_fit[1024]; /* the calibration as programmed after calibrate */
  int cal_status;   /* status of programming or running the calibration */
  int open_status;  /* cim_open's result */
  const char *inject; /* a test fault on the real path (tb/cim_inject.h), or NULL */
  cim_info info;
} cosim_batch;

/* Firmware (cim_fw_fn): run every MVM of the batch (a cosim_batch *). */
int cosim_fw_batch(mmio_bus *bus, void *arg);
/* Run a batch in the simulator; returns cim_sim_run's result. */
int cosim_run_batch(cosim_batch *b, cim_sim_stats *stats);

/* The verdict of one finished MVM, as the shipped checker gave it (m->chk).
 * It fails when the checker failed the MVM (twin mismatch or refusal; exact
 * mismatch where the exact check applies), and, when the test says the
 * exact check must apply (exact = 1), also when the checker says it does not
 * (the test and the checker disagree on when exact results are owed) or the
 * exact comparison missed. Returns 0 on success, else writes the reason to
 * msg and returns the number of mismatching outputs (at least 1). */
int cosim_compare(const cosim_mvm *m, int exact, char *msg, size_t msg_len);

#endif

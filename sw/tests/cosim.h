/* cosim.h: what the co-simulation tests share: a seeded generator, the
 * reproduction line, and a firmware that runs a batch of MVMs through the
 * driver and checks each against the twin and the exact MVM.
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
  cim_job job;
  int conv_cycles;
  cim_wait_mode wait;
  const int32_t *x;
  /* filled by the firmware */
  int status;            /* driver status of the MVM */
  char errmsg[256];      /* driver or twin message on error */
  int twin_status;       /* RRAM_OK or the twin's refusal of the log */
  int32_t y_rtl[1024];
  int32_t y_twin[1024];
  int64_t y_exact[1024];
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
  cim_info info;
} cosim_batch;

/* Firmware (cim_fw_fn): run every MVM of the batch (a cosim_batch *). */
int cosim_fw_batch(mmio_bus *bus, void *arg);
/* Run a batch in the simulator; returns cim_sim_run's result. */
int cosim_run_batch(cosim_batch *b, cim_sim_stats *stats);

/* Compare one finished MVM: RTL vs twin bit for bit, and RTL vs requantized
 * exact MVM when exact is set. Returns 0 if all match, else writes the first
 * difference to msg and returns the number of mismatching outputs. */
int cosim_compare(const cosim_mvm *m, int exact, char *msg, size_t msg_len);

#endif

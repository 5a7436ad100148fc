/* cosim.c: shared machinery of the co-simulation tests (see cosim.h). */
#include "cosim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_cfg.h"
#include "cim_golden.h"
#include "cim_map.h"

uint64_t cosim_seed(uint64_t fallback) {
  const char *env = getenv("CIM_SEED");
  if (env == NULL || *env == '\0') return fallback;
  return strtoull(env, NULL, 0);
}

/* splitmix64: small, good enough for test data, and independent of the
 * model's own generator so test data never shifts when the model changes. */
uint64_t cosim_next(cosim_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int32_t cosim_range(cosim_rng *r, int32_t lo, int32_t hi) {
  uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
  return (int32_t)(lo + (int64_t)(cosim_next(r) % span));
}

const char *cosim_repro(const char *name, uint64_t seed) {
  static char line[512];
  const char *prog = getenv("CIM_TEST_PROG");
  snprintf(line, sizeof line, "CIM_SEED=%" PRIu64 " CK_RUN_CASE=%s %s", seed, name,
           prog != NULL ? prog : "check_cim");
  return line;
}

void cosim_build_get(cosim_build *b) {
  cim_sim_geometry(&b->geo);
  b->w_bits = cim_sim_w_bits();
  b->x_bits = cim_sim_x_bits();
  b->p_max = cim_sim_p_max();
  b->n_out = CIM_CFG_N_OUT;
  b->p_fit = CIM_CFG_P_FIT;
}

int cosim_cal_fit_owed(void) {
  int rows = CIM_CFG_P_FIT;
  if (rows < CIM_CAL_MIN_ROWS) rows = CIM_CFG_P_MAX < CIM_CAL_MIN_ROWS ? CIM_CFG_P_MAX : CIM_CAL_MIN_ROWS;
  if (rows > CIM_CFG_ROWS) rows = CIM_CFG_ROWS;
  long span = (long)rows * CIM_CFG_LEVEL_MAX;
  if (span > CIM_CFG_ADC_MAX - 1) span = CIM_CFG_ADC_MAX - 1;
  return span >= 32;
}

int cosim_exact_owed(const cim_job *job) {
  const long rows_on = job->group_rows < job->n_rows ? job->group_rows : job->n_rows;
  return rows_on * CIM_CFG_LEVEL_MAX <= CIM_CFG_ADC_MAX;
}

rram_array *cosim_array(const int32_t *W, int n_out, int k, uint64_t seed) {
  return cosim_array_dev(W, n_out, k, seed, NULL);
}

rram_array *cosim_array_dev(const int32_t *W, int n_out, int k, uint64_t seed,
                            const rram_device *dev) {
  rram_geometry geo;
  rram_device ideal;
  rram_array *a = NULL;
  cim_sim_geometry(&geo);
  rram_device_ideal(&ideal);
  if (rram_array_create(&geo, dev ? dev : &ideal, seed, &a) != RRAM_OK) return NULL;
  if (W != NULL && cim_map_load(a, W, n_out, k, cim_sim_w_bits()) != RRAM_OK) {
    fprintf(stderr, "cosim_array: %s\n", rram_array_errmsg(a));
    rram_array_destroy(a);
    return NULL;
  }
  return a;
}

int32_t *cosim_random_weights(cosim_rng *r, int n_out, int k, int w_bits) {
  int32_t *W = malloc(sizeof *W * (size_t)n_out * (size_t)k);
  int32_t hi = (1 << (w_bits - 1)) - 1;
  for (size_t i = 0; W != NULL && i < (size_t)n_out * (size_t)k; i++)
    W[i] = cosim_range(r, -hi - 1, hi);
  return W;
}

int32_t *cosim_random_inputs(cosim_rng *r, int n, int x_bits, int is_signed) {
  int32_t *x = malloc(sizeof *x * (size_t)n);
  int32_t lo = is_signed ? -(1 << (x_bits - 1)) : 0;
  int32_t hi = is_signed ? (1 << (x_bits - 1)) - 1 : (1 << x_bits) - 1;
  for (int i = 0; x != NULL && i < n; i++) x[i] = cosim_range(r, lo, hi);
  return x;
}

static int fw_one(cim_dev *dev, const cosim_batch *b, cim_verify *ver, cosim_mvm *m) {
  int rc;
  const char *step = NULL;
  if ((rc = cim_set_conv_cycles(dev, m->conv_cycles)) != CIM_OK) return rc;
  if ((rc = cim_configure(dev, &m->job)) != CIM_OK) return rc;
  m->job = *cim_get_job(dev); /* group_rows resolved */
  m->exact_applies = cim_verify_exact_applies(ver, &m->job, m->exact_why, sizeof m->exact_why);
  cim_check_init(&m->chk);
  rc = cim_verify_mvm(ver, dev, m->x, m->wait, m->y_rtl, &m->cycles, &m->chk, &step);
  (void)b;
  m->job.adc_cal = NULL; /* it pointed into the driver, which is gone after the run */
  if (rc != CIM_OK) return rc;
  const int32_t *yt = cim_verify_last_twin(ver);
  if (yt != NULL) memcpy(m->y_twin, yt, sizeof *yt * (size_t)m->job.n_outs);
  memcpy(m->y_exact, cim_verify_last_exact(ver), sizeof m->y_exact[0] * (size_t)m->job.n_outs);
  return CIM_OK;
}

int cosim_fw_batch(mmio_bus *bus, void *arg) {
  cosim_batch *b = arg;
  cim_dev *dev = NULL;
  b->open_status = cim_open(bus, &dev);
  if (b->open_status != CIM_OK) return b->open_status;
  b->info = *cim_get_info(dev);
  cim_verify *ver = NULL;
  b->open_status = cim_verify_create(b->array, b->W, b->info.n_out, b->k, b->info.w_bits, &ver);
  if (b->open_status != CIM_OK) {
    cim_close(dev);
    return b->open_status;
  }
  b->cal_status = CIM_OK;
  for (int a = 0; b->cal != NULL && a < cim_num_adcs(dev) && b->cal_status == CIM_OK; a++)
    b->cal_status = cim_set_adc_cal(dev, a, &b->cal[a]);
  for (int i = 0; i < b->n_mvm; i++) {
    if (b->calibrate && i == b->calibrate_at && b->cal_status == CIM_OK)
    {
      b->cal_status = cim_calibrate_adcs(dev, b->W, b->info.n_out, b->k, 16, 1, &b->cal_report);
      for (int a = 0; a < cim_num_adcs(dev) && a < 1024; a++)
        (void)cim_get_adc_cal(dev, a, &b->cal_fit[a]);
    }
    cosim_mvm *m = &b->mvm[i];
    m->status = fw_one(dev, b, ver, m);
    if (m->status != CIM_OK)
      snprintf(m->errmsg, sizeof m->errmsg, "%s: %s", cim_strerror(m->status), cim_errmsg(dev));
  }
  cim_verify_destroy(ver);
  cim_close(dev);
  return 0;
}

int cosim_run_batch(cosim_batch *b, cim_sim_stats *stats) {
  cim_sim_opts opts = {.array = b->array, .inject = b->inject};
  return cim_sim_run(&opts, cosim_fw_batch, b, stats);
}

int cosim_compare(const cosim_mvm *m, int exact, char *msg, size_t msg_len) {
  const cim_check *k = &m->chk;
  char line[512];
  msg[0] = '\0';
  if (m->status != CIM_OK) {
    snprintf(msg, msg_len, "driver: %s", m->errmsg);
    return 1;
  }
  if (k->twin_refused) {
    snprintf(msg, msg_len, "%s", cim_check_format_mismatch(&k->twin_first, line, sizeof line));
    return 1;
  }
  if (k->twin_fail_outputs) {
    snprintf(msg, msg_len, "%s (twin mismatch)",
             cim_check_format_mismatch(&k->twin_first, line, sizeof line));
    return (int)k->twin_fail_outputs;
  }
  if (exact && !m->exact_applies) {
    snprintf(msg, msg_len, "the test expects exact results, but the checker says the exact "
             "check does not apply: %s", m->exact_why);
    return 1;
  }
  if ((exact || k->exact_fail_applied) && k->exact_fail_outputs) {
    snprintf(msg, msg_len, "%s (exact mismatch)",
             cim_check_format_mismatch(&k->exact_first, line, sizeof line));
    return (int)k->exact_fail_outputs;
  }
  if (!cim_check_passed(k)) {
    snprintf(msg, msg_len, "the checker failed the MVM (%" PRIu64 " vectors checked)", k->vectors);
    return 1;
  }
  return 0;
}

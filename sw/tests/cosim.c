/* cosim.c: shared machinery of the co-simulation tests (see cosim.h). */
#include "cosim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  b->n_out = cim_map_outputs(b->geo.cols, b->w_bits, b->geo.cell_bits);
  int fit = ((1 << b->geo.adc_bits) - 1) / ((1 << b->geo.cell_bits) - 1);
  b->p_fit = fit < b->p_max ? fit : b->p_max;
  if (b->p_fit < 1) b->p_fit = 1;
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

static int fw_one(cim_dev *dev, const cosim_batch *b, cosim_mvm *m) {
  int rc;
  rram_array_log_clear(b->array);
  if ((rc = cim_set_conv_cycles(dev, m->conv_cycles)) != CIM_OK) return rc;
  if ((rc = cim_configure(dev, &m->job)) != CIM_OK) return rc;
  const cim_job *job = cim_get_job(dev);
  m->job = *job; /* group_rows resolved */
  if ((rc = cim_load_inputs(dev, m->x, job->n_rows)) != CIM_OK) return rc;
  if ((rc = cim_start(dev)) != CIM_OK) return rc;
  if ((rc = cim_wait(dev, m->wait, 50u * 1000u * 1000u)) != CIM_OK) return rc;
  if ((rc = cim_read_outputs(dev, m->y_rtl, job->n_outs)) != CIM_OK) return rc;
  if ((rc = cim_last_cycles(dev, &m->cycles)) != CIM_OK) return rc;
  m->twin_status = cim_twin_run(b->array, cim_sim_w_bits(), job, m->x, NULL, m->y_twin,
                                m->errmsg, sizeof m->errmsg);
  /* the exact MVM over the rows of W that this job uses */
  for (int j = 0; j < job->n_outs; j++) {
    int64_t s = 0;
    for (int r = 0; r < job->n_rows; r++) s += (int64_t)b->W[(size_t)j * b->k + r] * m->x[r];
    m->y_exact[j] = s;
  }
  return CIM_OK;
}

int cosim_fw_batch(mmio_bus *bus, void *arg) {
  cosim_batch *b = arg;
  cim_dev *dev = NULL;
  b->open_status = cim_open(bus, &dev);
  if (b->open_status != CIM_OK) return b->open_status;
  b->info = *cim_get_info(dev);
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
    m->status = fw_one(dev, b, m);
    if (m->status != CIM_OK)
      snprintf(m->errmsg, sizeof m->errmsg, "%s: %s", cim_strerror(m->status), cim_errmsg(dev));
  }
  cim_close(dev);
  return 0;
}

int cosim_run_batch(cosim_batch *b, cim_sim_stats *stats) {
  cim_sim_opts opts = {.array = b->array};
  return cim_sim_run(&opts, cosim_fw_batch, b, stats);
}

int cosim_compare(const cosim_mvm *m, int exact, char *msg, size_t msg_len) {
  int bad = 0;
  msg[0] = '\0';
  if (m->status != CIM_OK) {
    snprintf(msg, msg_len, "driver: %s", m->errmsg);
    return 1;
  }
  if (m->twin_status != RRAM_OK) {
    snprintf(msg, msg_len, "twin refused the run: %s", m->errmsg);
    return 1;
  }
  for (int j = 0; j < m->job.n_outs; j++) {
    int32_t want = cim_requant(m->y_exact[j], &m->job);
    int twin_bad = m->y_rtl[j] != m->y_twin[j];
    int exact_bad = exact && m->y_rtl[j] != want;
    if ((twin_bad || exact_bad) && bad++ == 0)
      snprintf(msg, msg_len, "output %d: rtl %" PRId32 ", twin %" PRId32 ", exact %" PRId32 " (%s)",
               j, m->y_rtl[j], m->y_twin[j], want, twin_bad ? "twin mismatch" : "exact mismatch");
  }
  return bad;
}

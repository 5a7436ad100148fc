/* cli_run.c: the firmware of a cim_mvm run: check the macro's parameters,
 * program the weights (front door), age, calibrate, configure, then every
 * vector through the checked-MVM routine (cim_verify.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cim_digest.h"
#include "cim_map.h"
#include "cim_progress.h"
#include "cim_verify.h"
#include "cli.h"

/* Record a driver failure: step, vector (-1 if none), status text and the
 * driver's detail. Returns EXIT_SIM. */
static int fw_fail(cli_run *c, const cim_dev *dev, int st, const char *step, int vector) {
  const char *detail = dev != NULL ? cim_errmsg(dev) : NULL;
  char where[48] = "";
  if (vector >= 0) snprintf(where, sizeof where, " (vector %d)", vector);
  c->failed = 1;
  c->fail_status = EXIT_SIM;
  snprintf(c->fail_msg, sizeof c->fail_msg, "%s%s: %s%s%s", step, where, cim_strerror(st),
           detail != NULL && detail[0] ? ": " : "", detail != NULL ? detail : "");
  return EXIT_SIM;
}

/* How far the front door left each programmed cell from its level's
 * conductance (read from the analog model, as the twin reads its log), and
 * how many ended nearer another level than their own. */
static void prog_accuracy(cli_run *c) {
  const cli_build *b = c->b;
  const cli_data *d = c->d;
  const rram_device *dev = rram_array_device(c->array);
  const double unit = (dev->g_max_us - dev->g_min_us) / b->level_max;
  const int n_col = d->n * 2 * b->slices;
  double se = 0, mx = 0;
  int off = 0;
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
      off += e >= 0.5; /* it reads as another level */
    }
  }
  c->prog_off_level = off;
  const double n = (double)d->k * n_col;
  c->prog_rms_us = n > 0 ? sqrt(se / n) * unit : 0;
  c->prog_max_err = mx;
}

int cli_firmware(mmio_bus *bus, void *arg) {
  cli_run *c = arg;
  const cli_data *d = c->d;
  cim_dev *dev = NULL;
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
  cim_energy_mark mark;
  cim_energy_activity_init(&c->act_prog, c->array);
  cim_energy_activity_init(&c->act_mvm, c->array);
  if ((st = cim_energy_mark_now(dev, c->array, &mark)) != CIM_OK) {
    fw_fail(c, dev, st, "cim_activity_read", -1);
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
    if ((st = cim_energy_add_since(dev, c->array, &mark, &c->act_prog)) != CIM_OK) {
      fw_fail(c, dev, st, "cim_activity_read", -1);
      cim_close(dev);
      return EXIT_SIM;
    }
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
    /* Nothing to fit is a property of the build (a 1-bit ADC, one-row
     * groups): the ADCs keep the identity, the report says so, the run goes
     * on. */
    c->cal_nodata = st == CIM_ENODATA;
    if (st != CIM_OK && st != CIM_ENODATA) {
      fw_fail(c, dev, st, "cim_calibrate_adcs", -1);
      cim_close(dev);
      return EXIT_SIM;
    }
  }
  if ((st = cim_configure(dev, &c->job_req)) != CIM_OK) {
    fw_fail(c, dev, st, "cim_configure", -1);
    if (st == CIM_EINVAL) c->fail_status = EXIT_USAGE; /* the driver refused the job */
    cim_close(dev);
    return c->fail_status;
  }
  c->job = *cim_get_job(dev);
  if (c->o->conv_cycles > 0 && (st = cim_set_conv_cycles(dev, c->o->conv_cycles)) != CIM_OK) {
    fw_fail(c, dev, st, "cim_set_conv_cycles", -1);
    if (st == CIM_EINVAL) c->fail_status = EXIT_USAGE;
    cim_close(dev);
    return c->fail_status;
  }
  c->conv_cycles = cim_get_conv_cycles(dev);

  cim_verify *ver = NULL;
  if ((st = cim_verify_create(c->array, d->W, d->n, d->k, c->b->w_bits, &ver)) != CIM_OK) {
    fw_fail(c, NULL, st, "cim_verify_create", -1);
    cim_close(dev);
    return EXIT_SIM;
  }
  c->exact_applies = cim_verify_exact_applies(ver, &c->job, c->exact_why, sizeof c->exact_why);
  cim_check_init(&c->chk);

  const char *step = NULL;
  int v;
  if ((st = cim_energy_mark_now(dev, c->array, &mark)) != CIM_OK) {
    cim_verify_destroy(ver);
    fw_fail(c, dev, st, "cim_activity_read", -1);
    cim_close(dev);
    return EXIT_SIM;
  }
  c->mvm_t0 = cli_now_s();
  c->mvm_c0 = mmio_cycles(bus);
  c->dig_out = c->dig_log = CIM_DIGEST_INIT;
  c->dig_cycles = cim_digest_u64(CIM_DIGEST_INIT, c->prog_cycles);
  cim_progress prog;
  cim_progress_start(&prog, "vectors", (uint64_t)d->v);
  /* an interrupt stops between two vectors: the outputs hold those done */
  for (v = 0; v < d->v && !(c->interrupted = cim_interrupted()); v++) {
    const int32_t *x = d->X + (size_t)v * (size_t)d->k;
    int32_t *y = c->y_rtl + (size_t)v * (size_t)d->n;
    st = cim_verify_mvm(ver, dev, x, c->o->wait, y, &c->mvm_cycles[v], &c->chk, &step);
    if (st != CIM_OK) break;
    c->done = v + 1;
    if (c->o->digest) { /* the log's fold costs about a tenth of a small MVM: on request */
      c->dig_out = cim_digest_i32(c->dig_out, y, (size_t)d->n);
      c->dig_log = cim_digest_log(c->dig_log, c->array);
      c->dig_cycles = cim_digest_u64(c->dig_cycles, c->mvm_cycles[v]);
    }
    cim_progress_update(&prog, (uint64_t)c->done);
  }
  cim_progress_end(&prog);
  c->mvm_t1 = cli_now_s();
  c->mvm_c1 = mmio_cycles(bus);
  c->dig_cycles = cim_digest_u64(c->dig_cycles, c->mvm_c1);
  cim_verify_destroy(ver);
  if (st == CIM_OK && (st = cim_energy_add_since(dev, c->array, &mark, &c->act_mvm)) != CIM_OK)
    step = "cim_activity_read";
  /* every MVM moved ceil(K/4) input words in and N output words out */
  c->act_mvm.buffer_words = (uint64_t)c->done * (uint64_t)((d->k + 3) / 4 + d->n);
  c->act_mvm.macs = (uint64_t)c->done * (uint64_t)d->k * (uint64_t)d->n;
  if (st != CIM_OK) {
    fw_fail(c, dev, st, step, v);
    cim_close(dev);
    return EXIT_SIM;
  }
  cim_close(dev);
  return 0;
}

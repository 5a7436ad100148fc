/* net_rtl.c: a network through the co-simulated macro (contract in
 * net_rtl.h). The firmware callback below is the whole run. */
#include "net_rtl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_calib.h"
#include "cim_cfg.h"
#include "cim_golden.h"
#include "cim_map.h"
#include "cim_digest.h"
#include "cim_program.h"
#include "cim_progress.h"
#include "cim_seq.h"
#include "cim_sim.h"
#include "cim_verify.h"

static int fw_fail(net_rtl_run *r, cim_dev *dev, const char *step, int st) {
  snprintf(r->fail, sizeof r->fail, "%s (after %llu MVMs): %s: %s", step,
           (unsigned long long)r->mvms, cim_strerror(st), dev ? cim_errmsg(dev) : "");
  return 3;
}

/* The input of item i to a tile's rows r0..r0+kr-1 of layer L (bias rows
 * past L->inputs at the largest activation). */
static void tile_input(const net_rtl_run *r, const cim_net_layer *L, int r0, int kr,
                       const int32_t *a, int width, int i, int32_t *x) {
  const int32_t xmax = (int32_t)((1u << r->net->x_bits) - 1u);
  for (int q = 0; q < kr; q++) {
    const int in = r0 + q;
    x[q] = in < L->inputs ? a[(size_t)i * (size_t)width + (size_t)in] : xmax;
  }
}

/* The key of the draws (rram_array_reseed) of tile t's loading (item -1) or
 * of item's MVMs on it; t -1 is the characterisation before the tiles. */
static uint64_t draw_key(int t, int64_t item) {
  return (uint64_t)(uint32_t)(t + 1) << 40 | (uint64_t)(item + 1);
}

/* The functional upper bound of a tile: the controller's sequence played in
 * C (cim_seq_run) and the twin's outputs on its log, no RTL. */
static int cmodel_tile(net_rtl_run *r, const cim_net_layer *L, int r0, int kr, int nc, int c0,
                       const int32_t *a, int width, int64_t *acc, int32_t *x, int32_t *y) {
  const cim_job job = {.n_rows = kr, .n_outs = nc, .x_bits = r->net->x_bits,
                       .group_rows = CIM_CFG_P_FIT < kr ? CIM_CFG_P_FIT : kr, .out_bits = 32};
  for (int i = 0; i < r->n_items; i++) {
    rram_array_reseed(r->array, draw_key(r->tiles - 1, r->first + i));
    tile_input(r, L, r0, kr, a, width, i, x);
    char err[256];
    if (cim_seq_run(r->array, r->net->w_bits, &job, x) != RRAM_OK ||
        cim_twin_run(r->array, r->net->w_bits, &job, x, NULL, y, err, sizeof err) != RRAM_OK) {
      snprintf(r->fail, sizeof r->fail, "C model: %s", rram_array_errmsg(r->array));
      return 3;
    }
    r->mvms++;
    for (int j = 0; j < nc; j++) acc[(size_t)i * (size_t)L->outputs + (size_t)(c0 + j)] += y[j];
  }
  return 0;
}

/* One weight tile: outputs c0..c0+nc-1 by inputs r0..r0+kr-1 of layer L
 * (inputs past L->inputs are its bias rows), run on every item's input a
 * (n x width values), its outputs added into acc (n x L->outputs). */
static int run_tile(net_rtl_run *r, cim_dev *dev, const cim_net_layer *L, int c0, int nc,
                    int r0, int kr, const int32_t *a, int width, int64_t *acc, int32_t *wt,
                    int32_t *x, int32_t *y) {
  const cim_net *net = r->net;
  const int k_all = L->inputs + L->bias_rows;
  /* The tile, logical (nc x kr), then on the macro (np x kp): the same
   * without --map-bad-lines, else on the good rows and output slots with
   * 0 between (wl is wt's second half). */
  int32_t *wl = r->map ? wt + (size_t)CIM_CFG_N_OUT * (size_t)CIM_CFG_ROWS : wt;
  for (int j = 0; j < nc; j++)
    for (int q = 0; q < kr; q++)
      wl[(size_t)j * (size_t)kr + (size_t)q] = L->w[(size_t)(c0 + j) * (size_t)k_all + (size_t)(r0 + q)];
  int np = nc, kp = kr;
  if (r->map && cim_linemap_place_weights(r->map, wl, nc, kr, wt, &np, &kp) != CIM_OK) {
    snprintf(r->fail, sizeof r->fail, "a %dx%d tile does not fit the good lines", nc, kr);
    return 3;
  }
  int st;
  const int t = r->tiles;
  rram_array_reseed(r->array, draw_key(t, -1));
  const cim_program_cfg *pcfg = r->map ? &r->map_cfg : r->prog_cfg;
  if (r->frontdoor) {
    cim_program_report rep;
    memset(&rep, 0, sizeof rep);
    rep.cell = r->cell;
    if ((st = cim_program_weights(dev, wt, np, kp, pcfg, &rep)) != CIM_OK)
      return fw_fail(r, dev, "cim_program_weights", st);
    r->prog_cells += (uint64_t)rep.n_cells;
    r->prog_failed += (uint64_t)rep.n_failed;
    r->prog_cycles += rep.total_cycles;
    if (r->compensate) {
      cim_comp_report c;
      if ((st = cim_compensate_pairs(dev, wt, np, kp, pcfg, r->cell, &c)) != CIM_OK)
        return fw_fail(r, dev, "cim_compensate_pairs", st);
      r->comp.n_failed += c.n_failed;
      r->comp.n_exact += c.n_exact;
      r->comp.n_clamped += c.n_clamped;
      r->comp.n_both += c.n_both;
      r->comp.n_partner_missed += c.n_partner_missed;
      r->comp.rows_read += c.rows_read;
      r->comp.total_cycles += c.total_cycles;
      r->prog_cycles += c.total_cycles;
    }
  } else if (cim_map_load(r->array, wt, np, kp, net->w_bits) != RRAM_OK) {
    snprintf(r->fail, sizeof r->fail, "cim_map_load: %s", rram_array_errmsg(r->array));
    return 3;
  }
  r->tiles++;
  if (r->age_s > 0 && rram_array_age(r->array, r->age_s) != RRAM_OK) {
    snprintf(r->fail, sizeof r->fail, "age: %s", rram_array_errmsg(r->array));
    return 3;
  }
  if (r->calibrate) {
    /* the tile's own ADC calibration; nothing to fit (a 1-bit ADC, one-row
     * groups) leaves the identity and the run goes on */
    cim_cal_report rep;
    st = cim_calibrate_adcs(dev, wt, np, kp, 16, r->seed + (uint32_t)r->tiles, &rep);
    if (st == CIM_ENODATA) r->cal_nodata++;
    else if (st != CIM_OK) return fw_fail(r, dev, "cim_calibrate_adcs", st);
    else r->cal_fitted += rep.n_adc;
  }
  if (!dev) return cmodel_tile(r, L, r0, kr, nc, c0, a, width, acc, x, y);
  if ((st = cim_energy_add_since(dev, r->array, &r->mark, &r->act_prog)) != CIM_OK)
    return fw_fail(r, dev, "cim_activity_read", st);
  const cim_job job = {.n_rows = kp, .n_outs = np, .x_bits = net->x_bits, .out_bits = 32};
  st = cim_configure(dev, &job);
  if (st != CIM_OK) return fw_fail(r, dev, "cim_configure", st);
  cim_verify *ver = NULL;
  if ((st = cim_verify_create(r->array, wt, np, kp, net->w_bits, &ver)) != CIM_OK)
    return fw_fail(r, dev, "cim_verify_create", st);
  int32_t *xl = x + CIM_CFG_ROWS; /* the logical inputs, then placed into x */
  int32_t *yl = y + CIM_CFG_N_OUT; /* the logical outputs, taken from y */
  for (int i = 0; i < r->n_items; i++) {
    tile_input(r, L, r0, kr, a, width, i, r->map ? xl : x);
    if (r->map) cim_linemap_place_inputs(r->map, xl, kr, kp, x);
    uint32_t cyc = 0;
    const char *step = NULL;
    rram_array_reseed(r->array, draw_key(t, r->first + i));
    st = cim_verify_mvm(ver, dev, x, r->wait, y, &cyc, &r->chk, &step);
    if (st != CIM_OK) {
      cim_verify_destroy(ver);
      return fw_fail(r, dev, step ? step : "cim_verify_mvm", st);
    }
    if (r->item_digest) {
      uint64_t h = cim_digest_i32(r->item_digest[i], y, (size_t)np);
      r->item_digest[i] = cim_digest_u64(cim_digest_log(h, r->array), cyc);
    }
    r->mvms++;
    r->mvm_cycles += cyc;
    r->act_mvm.macs += (uint64_t)kr * (uint64_t)nc;
    r->act_mvm.buffer_words += (uint64_t)((kp + 3) / 4 + np);
    if (r->map) cim_linemap_take_outputs(r->map, y, nc, yl);
    for (int j = 0; j < nc; j++)
      acc[(size_t)i * (size_t)L->outputs + (size_t)(c0 + j)] += (r->map ? yl : y)[j];
  }
  cim_verify_destroy(ver);
  if ((st = cim_energy_add_since(dev, r->array, &r->mark, &r->act_mvm)) != CIM_OK)
    return fw_fail(r, dev, "cim_activity_read", st);
  return 0;
}

/* Every layer, tile by tile, through dev (or the C model when dev is NULL). */
static int run_layers(net_rtl_run *r, cim_dev *dev) {
  const cim_net *net = r->net;
  /* with mapped bad lines a tile takes the good rows and output slots */
  const int rows = r->map ? r->good_rows : CIM_CFG_ROWS;
  const int n_out = r->map ? r->good_slots : CIM_CFG_N_OUT;
  const int width = net->max_width;
  const size_t n = (size_t)r->n_items;
  int32_t *a = calloc(n * (size_t)width, sizeof *a), *b = calloc(n * (size_t)width, sizeof *b);
  int64_t *acc = malloc(n * (size_t)width * sizeof *acc);
  int32_t *wt = malloc(2 * (size_t)CIM_CFG_N_OUT * (size_t)CIM_CFG_ROWS * sizeof *wt);
  int32_t *x = malloc(2 * (size_t)CIM_CFG_ROWS * sizeof *x);
  int32_t *y = malloc(2 * (size_t)CIM_CFG_N_OUT * sizeof *y);
  r->cell = malloc((size_t)CIM_CFG_ROWS * (size_t)CIM_CFG_COLS);
  int rc = 0;
  if (!a || !b || !acc || !wt || !x || !y || !r->cell) {
    snprintf(r->fail, sizeof r->fail, "out of memory");
    rc = 3;
  }
  for (size_t i = 0; rc == 0 && i < n; i++)
    for (int q = 0; q < net->inputs; q++)
      a[i * (size_t)width + (size_t)q] = r->items[i * (size_t)net->inputs + (size_t)q] >> net->input_shift;
  for (size_t i = 0; r->item_digest && i < n; i++) r->item_digest[i] = CIM_DIGEST_INIT;
  uint64_t n_tiles = 0, tiles_done = 0;
  for (int li = 0; li < net->n_layers; li++)
    n_tiles += (uint64_t)((net->layer[li].outputs + n_out - 1) / n_out) *
               (uint64_t)((net->layer[li].inputs + net->layer[li].bias_rows + rows - 1) / rows);
  cim_progress prog;
  cim_progress_start(&prog, "tiles", n_tiles);
  for (int li = 0; rc == 0 && li < net->n_layers; li++) {
    const cim_net_layer *L = &net->layer[li];
    const int k_all = L->inputs + L->bias_rows;
    memset(acc, 0, n * (size_t)L->outputs * sizeof *acc);
    for (int c0 = 0; rc == 0 && c0 < L->outputs; c0 += n_out)
      for (int r0 = 0; rc == 0 && r0 < k_all; r0 += rows) {
        if ((r->interrupted = cim_interrupted()) != 0) {
          snprintf(r->fail, sizeof r->fail, "stopped by %s after %llu of %llu tiles",
                   r->interrupted == SIGTERM ? "SIGTERM" : "SIGINT",
                   (unsigned long long)tiles_done, (unsigned long long)n_tiles);
          rc = 4;
          break;
        }
        rc = run_tile(r, dev, L, c0, L->outputs - c0 < n_out ? L->outputs - c0 : n_out, r0,
                      k_all - r0 < rows ? k_all - r0 : rows, a, width, acc, wt, x, y);
        cim_progress_update(&prog, ++tiles_done);
      }
    const cim_job stage = {.relu = L->relu, .shift = L->shift, .out_bits = L->out_bits};
    for (size_t i = 0; rc == 0 && i < n; i++)
      for (int j = 0; j < L->outputs; j++)
        b[i * (size_t)width + (size_t)j] = cim_requant(acc[i * (size_t)L->outputs + (size_t)j], &stage);
    int32_t *t = a;
    a = b;
    b = t;
  }
  cim_progress_end(&prog);
  const cim_net_layer *last = &net->layer[net->n_layers - 1];
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const int32_t *o = a + i * (size_t)width;
    int best = 0;
    for (int j = 1; j < last->outputs; j++)
      if (o[j] > o[best]) best = j;
    r->cls[i] = best;
  }
  free(a);
  free(b);
  free(acc);
  free(wt);
  free(x);
  free(y);
  free(r->cell);
  r->cell = NULL;
  return rc;
}

/* --map-bad-lines: characterise the array, disable its bad lines; the
 * tiles go on the good rows and output slots. */
static int map_lines(net_rtl_run *r, cim_dev *dev) {
  /* a coarse window: the characterisation needs no precise landing */
  cim_program_cfg def;
  cim_program_cfg cfg = *cim_program_cfg_or_default(r->prog_cfg, &def);
  if (cfg.tol < 8) cfg.tol = 8;
  rram_array_reseed(r->array, draw_key(-1, -1));
  const int st = cim_linemap_create(dev, &cfg, &r->map, &r->lines);
  if (st == CIM_ENODATA) snprintf(r->fail, sizeof r->fail, "--map-bad-lines: no good line left");
  r->good_rows = cim_linemap_rows(r->map);
  r->good_slots = cim_linemap_outputs(r->map);
  /* verify reads carry the disabled leaky rows' leak: targets above it */
  r->map_cfg = *cim_program_cfg_or_default(r->prog_cfg, &def);
  r->map_cfg.col_offset = cim_linemap_col_base(r->map);
  return st;
}

static int firmware(mmio_bus *bus, void *arg) {
  net_rtl_run *r = arg;
  cim_dev *dev = NULL;
  int st = cim_open(bus, &dev);
  if (st != CIM_OK) return fw_fail(r, dev, "cim_open", st);
  int rc = 0;
  if ((st = cim_energy_mark_now(dev, r->array, &r->mark)) != CIM_OK)
    return fw_fail(r, dev, "cim_activity_read", st);
  if (r->map_lines && (st = map_lines(r, dev)) != CIM_OK)
    rc = r->fail[0] ? 3 : fw_fail(r, dev, "cim_find_bad_lines", st);
  if (rc == 0) rc = run_layers(r, dev);
  cim_linemap_destroy(r->map);
  r->map = NULL;
  cim_close(dev);
  return rc;
}

int net_cmodel_classify(net_rtl_run *r) {
  r->fail[0] = '\0';
  r->mvms = r->mvm_cycles = r->prog_cells = r->prog_failed = r->prog_cycles = 0;
  r->tiles = r->cal_fitted = r->cal_nodata = r->interrupted = 0;
  memset(&r->comp, 0, sizeof r->comp);
  r->map = NULL;
  cim_check_init(&r->chk);
  if (r->frontdoor || r->calibrate || r->compensate || r->map_lines) {
    snprintf(r->fail, sizeof r->fail, "the C model alone has no write-verify engine or ADC "
             "calibration: back door, uncalibrated only");
    return 2;
  }
  return run_layers(r, NULL);
}

int net_rtl_classify(net_rtl_run *r) {
  r->fail[0] = '\0';
  r->mvms = r->mvm_cycles = r->prog_cells = r->prog_failed = r->prog_cycles = 0;
  r->tiles = r->cal_fitted = r->cal_nodata = r->interrupted = 0;
  memset(&r->comp, 0, sizeof r->comp);
  memset(&r->lines, 0, sizeof r->lines);
  cim_energy_activity_init(&r->act_prog, r->array);
  cim_energy_activity_init(&r->act_mvm, r->array);
  r->good_rows = CIM_CFG_ROWS;
  r->good_slots = CIM_CFG_N_OUT;
  r->map = NULL;
  cim_check_init(&r->chk);
  if (r->net->w_bits > cim_sim_w_bits() || r->net->x_bits > cim_sim_x_bits()) {
    snprintf(r->fail, sizeof r->fail,
             "the network's %d-bit weights and %d-bit inputs do not fit this build's W_BITS %d "
             "and X_BITS %d",
             r->net->w_bits, r->net->x_bits, cim_sim_w_bits(), cim_sim_x_bits());
    return 2;
  }
  cim_sim_opts so = {.array = r->array};
  cim_sim_stats stats;
  const int rc = cim_sim_run(&so, firmware, r, &stats);
  if (rc != 0 && !r->fail[0]) snprintf(r->fail, sizeof r->fail, "the simulation failed (%d)", rc);
  return rc == 0 ? 0 : r->interrupted ? 4 : 3;
}

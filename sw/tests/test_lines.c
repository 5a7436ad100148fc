/* test_lines.c: the firmware's bad-line characterisation (cim_lines.h) on
 * the co-simulated macro finds exactly the unformed and leaky rows and
 * columns the analog model drew, without ever reading the model. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cim_lines.h"
#include "cim_progcfg.h"
#include "cosim.h"
#include "suites.h"

typedef struct lines_ctx {
  rram_array *array;
  cim_program_cfg cfg;
  uint8_t *rows, *cols;
  cim_lines_report rep;
  int open_status, status;
} lines_ctx;

static int fw_lines(mmio_bus *bus, void *arg) {
  lines_ctx *x = arg;
  cim_dev *dev = NULL;
  x->open_status = cim_open(bus, &dev);
  if (x->open_status != CIM_OK) return x->open_status;
  x->status = cim_find_bad_lines(dev, &x->cfg, x->rows, x->cols, &x->rep);
  cim_close(dev);
  return 0;
}

/* The model's truth of one kind of line: counts and whether the draw can be
 * characterised at all (formed rows and columns to read through). */
typedef struct truth {
  int unformed[2], leaky[2], ok[2];
} truth;

static truth truth_of(const rram_array *a, const rram_geometry *g) {
  truth t = {{0, 0}, {0, 0}, {0, 0}};
  for (int is_col = 0; is_col <= 1; is_col++) {
    for (int i = 0; i < (is_col ? g->cols : g->rows); i++) {
      int k = RRAM_LINE_OK;
      rram_array_get_line(a, is_col, i, &k);
      t.unformed[is_col] += k == RRAM_LINE_UNFORMED;
      t.leaky[is_col] += k == RRAM_LINE_LEAKY;
      t.ok[is_col] += k == RRAM_LINE_OK;
    }
  }
  return t;
}

/* Well posed: fewer than half of each kind of line unformed, two formed
 * rows (one to probe, one to read through) and a clean column to probe. */
static int well_posed(const truth *t, const rram_geometry *g) {
  return 2 * t->unformed[0] < g->rows && 2 * t->unformed[1] < g->cols &&
         g->rows - t->unformed[0] >= 2 && t->ok[1] >= 1;
}

START_TEST(test_lines_found) {
  const char *name = "test_lines_found";
  uint64_t seed = cosim_seed(73);
  cosim_build b;
  cosim_build_get(&b);
  rram_device d;
  rram_device_preset("window", &d);
  d.unformed_row_rate = 0.05;
  d.unformed_col_rate = 0.03;
  d.leaky_row_rate = b.geo.rows >= 2 ? 0.03 : 0.0;
  d.leaky_row_frac = 0.2;
  d.leaky_col_rate = 0.05;
  d.leaky_col_us = 3.0;
  lines_ctx x;
  memset(&x, 0, sizeof x);
  truth t = {{0, 0}, {0, 0}, {0, 0}};
  /* draw again (seed + 1, ...) until the draw can be characterised and,
   * on a build large enough, holds every kind of bad line */
  for (int draw = 0; draw < 100; draw++, seed++) {
    rram_array_destroy(x.array);
    x.array = cosim_array_dev(NULL, 0, 0, seed, &d);
    ck_assert_ptr_nonnull(x.array);
    t = truth_of(x.array, &b.geo);
    const int all_kinds = t.unformed[0] && t.unformed[1] && t.leaky[1] && (t.leaky[0] || !d.leaky_row_rate);
    if (well_posed(&t, &b.geo) && (all_kinds || draw >= 50)) break;
  }
  ck_assert_msg(well_posed(&t, &b.geo), "no well-posed draw in 100 seeds");
  /* characterisation needs no precise landing: a coarse window, few pulses */
  cim_progcfg_for_device(&d, &x.cfg);
  x.cfg.tol = 8;
  x.cfg.max_iter = 24;
  x.rows = malloc((size_t)b.geo.rows);
  x.cols = malloc((size_t)b.geo.cols);
  ck_assert(x.rows && x.cols);
  cim_sim_opts opts = {.array = x.array};
  const int rc = cim_sim_run(&opts, fw_lines, &x, NULL);
  ck_assert_msg(rc == 0 && x.open_status == CIM_OK && x.status == CIM_OK,
                "simulation %d, cim_find_bad_lines %s; reproduce: %s", rc,
                cim_strerror(x.status), cosim_repro(name, seed));
  for (int is_col = 0; is_col <= 1; is_col++) {
    const uint8_t *found = is_col ? x.cols : x.rows;
    for (int i = 0; i < (is_col ? b.geo.cols : b.geo.rows); i++) {
      int k = RRAM_LINE_OK;
      rram_array_get_line(x.array, is_col, i, &k);
      const int want = k == RRAM_LINE_UNFORMED ? CIM_LINE_UNFORMED
                       : k == RRAM_LINE_LEAKY  ? CIM_LINE_LEAKY
                                               : CIM_LINE_OK;
      ck_assert_msg(found[i] == want, "%s %d: found state %d, the model drew %d; reproduce: %s",
                    is_col ? "column" : "row", i, found[i], want, cosim_repro(name, seed));
    }
  }
  ck_assert_int_eq(x.rep.unformed_rows, t.unformed[0]);
  ck_assert_int_eq(x.rep.unformed_cols, t.unformed[1]);
  ck_assert_int_eq(x.rep.leaky_rows, t.leaky[0]);
  ck_assert_int_eq(x.rep.leaky_cols, t.leaky[1]);
  printf("  %s (seed %" PRIu64 "): rows %d unformed, %d leaky; columns %d unformed, %d leaky; "
         "all found in %.2f M DUT cycles\n", name, seed, t.unformed[0], t.leaky[0], t.unformed[1],
         t.leaky[1], (double)x.rep.total_cycles / 1e6);
  free(x.rows);
  free(x.cols);
  rram_array_destroy(x.array);
}
END_TEST

Suite *suite_lines(void) {
  Suite *s = suite_create("lines");
  suite_add_test(s, test_lines_found);
  return s;
}

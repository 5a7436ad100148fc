/* cim_shim.c: the C model as the cocotb test reaches it through ctypes.
 *
 * A cocotb user with a C golden model wraps it in a few flat functions
 * rather than mirroring its structs in Python: this is that wrapper. It is
 * linked into libcim_dpi.so with the model and the DPI glue, so the
 * simulation's DPI imports and the test's calls reach one and the same array.
 * Every check is the project's own: twin on the run's ADC log, exact MVM,
 * cim_check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../bench_common.h"
#include "cim_cfg.h"
#include "cim_check.h"
#include "cim_dpi.h"
#include "cim_verify.h"
#include "cim_map.h"

typedef struct shim {
  rram_array *a;
  int32_t *W; /* the loaded layer, n x k */
  int n, k;
  cim_verify *ver; /* the checked-MVM routine's checks, over a and W */
  cim_check chk;
} shim;

/* An ideal array of this build, registered with the DPI glue. NULL on error. */
void *shim_open(uint64_t seed) {
  rram_geometry geo = {CIM_CFG_ROWS, CIM_CFG_COLS, CIM_CFG_CELL_BITS, CIM_CFG_ADC_BITS,
                       CIM_CFG_COLS_PER_ADC};
  rram_device dev;
  rram_device_ideal(&dev);
  shim *s = calloc(1, sizeof *s);
  int n = CIM_CFG_N_OUT;
  if (!s || rram_array_create(&geo, &dev, seed, &s->a) != RRAM_OK) return NULL;
  s->W = calloc((size_t)n * (size_t)geo.rows, sizeof *s->W);
  if (!s->W) return NULL;
  cim_check_init(&s->chk);
  cim_dpi_set_array(s->a);
  return s;
}

/* Build parameter by index: 0 rows, 1 cols, 2 w_bits, 3 cell_bits, 4 x_bits,
 * 5 adc_bits, 6 cols_per_adc, 7 p_max, 8 logical outputs. */
int shim_param(int i) {
  static const int p[] = {CIM_CFG_ROWS,     CIM_CFG_COLS,     CIM_CFG_W_BITS,
                          CIM_CFG_CELL_BITS, CIM_CFG_X_BITS,  CIM_CFG_ADC_BITS,
                          CIM_CFG_COLS_PER_ADC, CIM_CFG_P_MAX, 0};
  if (i == 8) return CIM_CFG_N_OUT;
  return i >= 0 && i < 8 ? p[i] : -1;
}

/* Backdoor-load W (n x k) into the array; RRAM status. */
int shim_load_layer(void *h, const int32_t *W, int n, int k) {
  shim *s = h;
  memcpy(s->W, W, (size_t)n * (size_t)k * sizeof *W);
  s->n = n;
  s->k = k;
  cim_verify_destroy(s->ver);
  s->ver = NULL;
  if (cim_verify_create(s->a, s->W, n, k, CIM_CFG_W_BITS, &s->ver) != CIM_OK) return RRAM_ENOMEM;
  return cim_map_load(s->a, W, n, k, CIM_CFG_W_BITS);
}

/* Forget the log before an MVM. */
void shim_begin(void *h) { cim_verify_begin(((shim *)h)->ver); }

/* Check the RTL's outputs y of the MVM of inputs x through the checked-MVM
 * routine's checks: twin on the ADC log and exact MVM. Returns
 * cim_check_vector()'s bits (0 = both matched). */
unsigned shim_check(void *h, int x_bits, int is_signed, int group_rows, const int32_t *x,
                    const int32_t *y) {
  shim *s = h;
  cim_job job = {.n_rows = s->k, .n_outs = s->n, .x_bits = x_bits, .is_signed = is_signed,
                 .group_rows = group_rows, .out_bits = 32};
  return cim_verify_outputs(s->ver, &job, x, y, &s->chk);
}

/* The bench digest of this MVM's ADC log, chained on prev. */
uint64_t shim_log_digest(void *h, uint64_t prev) {
  return bench_log_digest(prev, ((shim *)h)->a);
}

/* 1 if every checked MVM passed (and at least one was checked). */
int shim_passed(void *h) { return cim_check_passed(&((shim *)h)->chk); }

/* Model errors the DPI glue counted (a run with any has failed). */
unsigned long shim_dpi_errors(void) { return cim_dpi_error_count(); }

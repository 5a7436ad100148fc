/* cim_verify_mvm.c: the checked-MVM routine over the driver (cim_verify.h).
 * Apart from cim_verify.c so that model-only programs (the C model's
 * benchmark, the cocotb peer's library) link no driver. */
#include "cim_verify.h"

int cim_verify_mvm(cim_verify *v, cim_dev *dev, const int32_t *x, cim_wait_mode wait,
                   int32_t *y_rtl, uint32_t *cycles, cim_check *chk, const char **step) {
  const char *dummy;
  if (step == NULL) step = &dummy;
  *step = "cim_verify_mvm";
  const cim_job *job = cim_get_job(dev);
  if (v == NULL || job == NULL || x == NULL || y_rtl == NULL || chk == NULL) return CIM_EINVAL;
  int st;
  uint32_t c = 0;
/* Run one driver call; on failure name it and return its status. */
#define STEP(fn, ...)              \
  do {                          \
    if ((st = fn(__VA_ARGS__)) != CIM_OK) { \
      *step = #fn;            \
      return st;                \
    }                           \
  } while (0)
  cim_verify_begin(v);
  STEP(cim_load_inputs, dev, x, job->n_rows);
  STEP(cim_start, dev);
  STEP(cim_wait, dev, wait, cim_wait_budget(dev));
  STEP(cim_read_outputs, dev, y_rtl, job->n_outs);
  STEP(cim_last_cycles, dev, &c);
#undef STEP
  if (cycles) *cycles = c;
  *step = NULL;
  (void)cim_verify_outputs(v, job, x, y_rtl, chk);
  return CIM_OK;
}


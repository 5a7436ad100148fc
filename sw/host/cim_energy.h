/* cim_energy.h: energy and latency of a run from its activity: the macro's
 * own counters (cim_activity.h) times per-operation energies, plus the
 * array's read and programming energy that the analog model computes from
 * its voltages and conductances (rram_array_activity).
 *
 * Per-operation energies come from a parameter file of `key = value` lines
 * ('#' starts a comment; every number in a shipped file carries its
 * source). Presets are the files sw/energy/NAME.energy: `neurram_130nm`
 * and `neurosim_22nm`. Keys (all required, each >= 0):
 *   node_nm            technology node of the numbers, for the report
 *   clock_mhz          the macro's clock: latency = cycles / clock (> 0)
 *   adc_fj_c0, adc_fj_c1, adc_fj_c2
 *                      one conversion of an N-bit ADC: c0 + c1 N + c2 N^2 fJ
 *                      (the verify sense amplifier's reads too, at its bits)
 *   wl_cap_ff_fixed, wl_cap_ff_per_col, wl_v
 *                      one wordline raised: C V^2, C = fixed + per_col * COLS
 *   shift_add_fj       one column code added by the shift-and-add
 *   buffer_fj_per_word one 32-bit input or output buffer word moved
 *
 * Components of the report:
 *   array       v_read^2 G t of the driven cells (the model; IR drop and
 *               leaks as they are on)
 *   adc         conversions x the ADC's energy at ADC_BITS
 *   drivers     wordlines raised x C V^2
 *   digital     shift-and-add operations and buffer words
 *   programming write-verify pulses (V^2 G t, the model), verify reads
 *               (v_read^2 G t, the model, and one sense conversion each)
 * Not modelled: leakage, the controller's and registers' clock power, the
 * write drivers' own losses. */
#ifndef CIM_ENERGY_H
#define CIM_ENERGY_H

#include <stddef.h>
#include <stdint.h>

#include "cim_activity.h"
#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_energy_params {
  char name[64];  /* the preset's name or the file's path */
  double node_nm, clock_mhz;
  double adc_fj_c0, adc_fj_c1, adc_fj_c2;
  double wl_cap_ff_fixed, wl_cap_ff_per_col, wl_v;
  double shift_add_fj, buffer_fj_per_word;
} cim_energy_params;

/** Names of the shipped presets, NULL-terminated. */
const char *const *cim_energy_presets(void);

/** Load preset name (sw/energy/NAME.energy) or else the file at that path.
 * @return 0, or -1 with one line in err naming the file, the line and the
 *         key: an unknown or repeated key, a bad or negative number, a
 *         missing key, a file that cannot be read */
int cim_energy_load(const char *name, cim_energy_params *p /* OUT */, char *err, size_t len);

/** What a run did, in the units the model counts. */
typedef struct cim_energy_activity {
  cim_activity act;        /* the macro's counters over the run */
  rram_activity model;     /* the analog model's activity over the run */
  uint64_t buffer_words;   /* input and output buffer words moved */
  uint64_t macs;           /* multiply-accumulates of the MVMs (K x N each) */
  int adc_bits, sense_bits, cols;
} cim_energy_activity;

/* The macro's counters and the model's activity at one moment. */
typedef struct cim_energy_mark {
  cim_activity act;
  rram_activity model;
} cim_energy_mark;

/** Read both now. @return CIM_OK or the driver's status */
int cim_energy_mark_now(cim_dev *dev, const rram_array *array, cim_energy_mark *m /* OUT */);

/** Add the activity from mark to now to e (counters and model energies;
 * e's other fields untouched); *mark becomes now, so that calls can chain.
 * @return CIM_OK or the driver's status */
int cim_energy_add_since(cim_dev *dev, const rram_array *array, cim_energy_mark *mark,
                         cim_energy_activity *e);

/** e zeroed, with the build's figures the sums need (ADC bits, columns,
 * sense bits) taken from the array. */
void cim_energy_activity_init(cim_energy_activity *e /* OUT */, const rram_array *array);

typedef struct cim_energy {
  double array_j, adc_j, drivers_j, digital_j, program_j, total_j;
  double mvm_j;       /* total less programming */
  double latency_s;   /* busy cycles / clock */
  double tops_per_w;  /* 2 x MACs / mvm_j, in 1e12 operations per joule; 0 without MVMs */
} cim_energy;

/** The energy and latency of activity a under parameters p. */
void cim_energy_compute(const cim_energy_params *p, const cim_energy_activity *a,
                        cim_energy *out /* OUT */);

#ifdef __cplusplus
}
#endif
#endif

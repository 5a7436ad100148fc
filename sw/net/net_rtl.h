/* net_rtl.h: a network (cim_net.h) through the co-simulated macro, tiled
 * and weight-stationary, every MVM checked by the twin (cim_verify.h).
 *
 * Per layer, the weights (with the bias rows as extra inputs held at the
 * largest activation) are cut into tiles of at most the macro's outputs
 * (N_OUT) by its rows (ROWS). A tile is loaded into the array once and
 * every item passes through it before the next
 * tile (through the write-verify engine, cim_program_weights, with
 * frontdoor set; by the back door otherwise): its outputs are partial sums (out_bits 32, no ReLU, no shift) that
 * the host adds over the row tiles of an output block; the layer's ReLU,
 * shift and clamp then follow as the macro's output stage computes them
 * (cim_requant). Each MVM runs through the driver and is checked by the
 * one checked-MVM routine: the twin on its ADC log, the exact MVM where it
 * applies. */
#ifndef NET_RTL_H
#define NET_RTL_H

#include <stdint.h>

#include "cim_check.h"
#include "cim_compensate.h"
#include "cim_lines.h"
#include "cim_energy.h"
#include "cim_linemap.h"
#include "cim_driver.h"
#include "cim_net.h"
#include "cim_program.h"
#include "rram_array.h"

typedef struct net_rtl_run {
  /* in */
  const cim_net *net;
  const uint8_t *items; /* n_items x net->inputs bytes */
  int n_items;
  rram_array *array; /* the analog model behind the DPI */
  cim_wait_mode wait;
  int frontdoor;     /* program the tiles through the write-verify engine */
  const cim_program_cfg *prog_cfg; /* its settings; NULL: the macro's reset values */
  int compensate;    /* front door: re-target the partners of failed cells (cim_compensate.h) */
  int map_lines;     /* front door: find the bad rows and columns first (cim_lines.h),
                        disable them and place every tile on the good ones */
  int calibrate;     /* calibrate the ADCs on each tile (cim_calibrate_adcs) */
  double age_s;      /* the array ages this long after each tile is loaded (drift) */
  uint32_t seed;     /* of the calibration patterns */
  int64_t first;     /* the data set's index of item 0: each item's noise is keyed by its
                        index (rram_array_reseed), so a run split over processes gives
                        every item the same bits as one run of them all */
  uint64_t *item_digest; /* n_items, or NULL: per item, cim_digest.h of its MVMs' outputs,
                            ADC logs and cycles, tile by tile */
  /* out */
  int *cls;            /* n_items classes (caller's buffer) */
  cim_check chk;       /* every MVM's verdicts */
  uint64_t mvms;       /* MVMs run */
  uint64_t mvm_cycles; /* DUT cycles from START to DONE, summed */
  int tiles;           /* weight tiles loaded */
  uint64_t prog_cells, prog_failed; /* front door: cells programmed, missed */
  uint64_t prog_cycles;             /* front door: DUT cycles of programming (compensation included) */
  cim_comp_report comp;             /* --compensate: summed over the tiles (total_cycles too) */
  cim_lines_report lines;           /* --map-bad-lines: what the characterisation found */
  int good_rows, good_slots;        /* rows and output slots the tiles may use */
  int cal_fitted, cal_nodata;       /* --calibrate: ADCs fitted; tiles with nothing to fit */
  cim_energy_activity act_prog;     /* activity of loading the tiles (characterisation,
                                       programming, compensation, calibration) */
  cim_energy_activity act_mvm;      /* activity of the MVMs (macs: logical K x N each) */
  int interrupted;     /* the signal that stopped the run (cim_progress.h), else 0 */
  char fail[512];      /* why the run stopped, "" if it did not */
  uint8_t *cell;       /* internal: a tile's WV_RESULT bytes (ROWS x COLS) */
  cim_linemap *map;    /* internal: --map-bad-lines' placement (NULL: the identity) */
  cim_program_cfg map_cfg; /* internal: prog_cfg with the columns' background offsets */
  cim_energy_mark mark;    /* internal: the activity when last added up */
} net_rtl_run;

/* Run every item through the network on the RTL (one cim_sim_run). 0 when
 * the simulation and every driver call completed (the verdicts are in chk),
 * 2 when the network does not fit the build (fail says why), 3 when the
 * simulation or a driver call failed, 4 when an interrupt (cim_progress.h)
 * stopped it between two tiles (interrupted says which; items are then
 * half-way through the network: no class is meaningful). A progress line
 * counts the tiles on a terminal. */
int net_rtl_classify(net_rtl_run *r);

/* The same tiles through the C model alone (cim_seq_run and the twin, no
 * RTL, back door, no calibration): the functional upper bound of the
 * benchmark. Returns as net_rtl_classify (chk stays empty, no cycles). */
int net_cmodel_classify(net_rtl_run *r);

#endif

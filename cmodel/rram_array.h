/* rram_array.h: the analog side of the macro, everything the RTL reaches only
 * through DPI: RRAM cells, bitline current sums, the column ADCs' conversion.
 *
 * Lifetime: rram_array_create() .. rram_array_destroy(). No global state: the
 * random generators live in the array. Not thread-safe; one owner at a time.
 *
 * Units: conductance in microsiemens (uS), voltage in volts, current in
 * microamperes (uA), time in seconds. A cell at level L (0..2^cell_bits-1)
 * has target conductance G = g_min + L * (g_max - g_min) / (2^cell_bits - 1);
 * with the ideal device (g_min = 0, one ADC LSB per level, no effect) a
 * conversion returns exactly the sum of the levels of the driven cells in a
 * column, clipped to 0..2^adc_bits-1, bit for bit as before device effects.
 *
 * Device effects (rram_device.h; each off at 0, each on alone or together):
 *  - programming error and device-to-device gain: drawn when a cell is
 *    written (set_level, cim_map_load; create writes level 0 everywhere),
 *    fixed until the next write of that cell;
 *  - stuck-at-Gmin/Gmax cells: drawn at create, fixed per seed; they sit at
 *    their rail whatever is written, and do not drift;
 *  - drift: G(t) = G(t0) (t/t0)^-nu, t the time since the cell's last write
 *    on the array clock advanced by rram_array_age(), nu drawn per cell at
 *    create; G(t) = G(t0) for t <= t0;
 *  - IR drop: with isolated rows one nodal solve per drive; with connected
 *    rows one transfer matrix per row group, built on the group's first
 *    drive after a conductance change, and then a drive costs what an
 *    ideal one does (circuits in rram_device.h row_model, method in
 *    rram_ir.h, accuracy and cost below and in README.md);
 *  - read noise: see "Read noise" below;
 *  - ADC: per ADC, fixed per seed, code = Q(gain * I / I_lsb + offset +
 *    noise), Q the quantizer with transition k (code k-1 -> k) at input
 *    k - 0.5 + inl_k (inl_k drawn per ADC and transition, the set sorted so
 *    the transfer is monotonic), noise redrawn per conversion, the code
 *    clipped to 0..2^adc_bits-1.
 *
 * Read noise. Each driven cell's read current I_i gets an independent
 * Gaussian N(0, (read_noise * I_i)^2), redrawn on every conversion. A
 * conversion sees only the bitline's sum, and a sum of independent Gaussians
 * is one Gaussian with the summed variance, so the model draws one deviate
 * per conversion, N(0, read_noise^2 * sum_i I_i^2): the same distribution as
 * per-cell draws, for one draw per conversion instead of one per cell. The
 * sum of squares is accumulated in the drive's pass only when read noise is
 * on. (What this does not model: correlation between two conversions of the
 * same column in one phase, which on silicon share part of the 1/f noise;
 * here every conversion is an independent read.) With connected rows under
 * IR drop, a driven cell's current I_i is taken as its row's transfer entry
 * (the column current of that row alone at v_read): the sneak currents of
 * the group's 0 V rows are not split out cell by cell.
 *
 * Random draws: every draw comes from the array's generator seeded at
 * create, split into independent streams (one per effect: stuck map,
 * device-to-device gains, drift exponents, ADC offsets/gains/INL,
 * programming, read noise, ADC noise), so the same seed and the same calls
 * reproduce every bit, and switching one effect on does not change the
 * draws of another.
 *
 * Cost, 256 x 256 array, a 64-row group selected and 32 of its rows driven
 * (the workload's drive), one core of the development machine
 * (cell-evals/s = driven cells evaluated per second; rerun with
 * `RRAM_BENCH=1 CK_RUN_CASE=Bench check_cmodel`):
 *   ideal, window, prog_error, d2d, stuck, drift   3.5e9 /s (2.3 us a drive)
 *     (these act when a cell is written or the array ages, not per drive;
 *     rram_array_age costs one pow() per cell when drift is on)
 *   read_noise                                     3.6e9 /s (2.3 us)
 *   ir_drop, default (0.5 ohm, connected rows)     3.4e9 /s (2.5 us), and
 *     the group's first drive after programming builds its transfer
 *     matrix: 4.5 ms, 3 iterations (a 256 x 256 array: 4 groups, 18 ms)
 *   default with isolated rows                     3.4e7 /s (243 us)
 * Conversions: 1.9e8 /s ideal, 4.6e7 /s with read noise, 2.2e7 /s with the
 * ADC effects (one Gaussian draw each) or both.
 *
 * Recording: every drive starts a new phase in the array's log; every
 * conversion stores its code in the current phase. The periphery twin
 * (cim_golden.h) reads the log to compute what the RTL must output.
 *
 * Front-door programming: rram_array_pulse() and rram_array_verify_read()
 * are the write-verify engine's only access (model in rram_switch.h). They
 * are not MVM phases: they neither open a phase nor touch the log, the
 * bitline currents of the last drive or the levels that set_level records.
 * Programming error and device-to-device gain of a write (above) apply to
 * the backdoor only; a pulse's outcome is the switching model's, with the
 * cell's device-to-device gain scaling its switching rate. */
#ifndef RRAM_ARRAY_H
#define RRAM_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "rram_device.h"
#include "rram_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rram_array rram_array; /* opaque */

/* Build parameters of the array and its ADCs (mirror the RTL's). */
typedef struct rram_geometry {
  int rows;         /* wordlines, 1..65535 */
  int cols;         /* physical bitlines, 1..65535 */
  int cell_bits;    /* bits per cell, 1..4 */
  int adc_bits;     /* ADC resolution, 1..16 */
  int cols_per_adc; /* columns sharing one ADC, 1..cols */
} rram_geometry;

/* Device and ADC settings: struct rram_device, rram_device_ideal() and the
 * presets and file loader are in rram_device.h (included above). */

/* Check geo and dev as rram_array_create() does, without creating anything.
 * On RRAM_EINVAL, err (may be NULL) receives a one-line reason naming the
 * field, e.g. "cell_bits 5 out of range 1..4": the way to explain a failed
 * create, which has no handle to carry a message. */
int rram_array_check_config(const rram_geometry *geo, const rram_device *dev,
                            char *err, size_t err_len);

/* Create an array with every cell at level 0. *out is NULL on error.
 * Returns RRAM_EINVAL for a geometry or device out of range (reason from
 * rram_array_check_config()), RRAM_ENOMEM. */
int rram_array_create(const rram_geometry *geo, const rram_device *dev,
                      uint64_t seed, rram_array **out);
/* Destroy; NULL is a no-op. */
void rram_array_destroy(rram_array *a);
/* Text of the last error on a, owned by a, valid until the next call. */
const char *rram_array_errmsg(const rram_array *a);
const rram_geometry *rram_array_geometry(const rram_array *a);
/* Number of ADCs: ceil(cols / cols_per_adc). Column of ADC adc at mux
 * select m is adc * cols_per_adc + m. */
int rram_array_num_adcs(const rram_array *a);

/* Backdoor programming: program one cell to a target level. With no
 * programming error the cell gets exactly the level's target conductance;
 * with it, target + an error drawn now, kept until the next write; a stuck
 * cell stays at its rail. The level is stored either way. */
int rram_array_set_level(rram_array *a, int row, int col, int level);
/* The level last written (not what a stuck or drifted cell conducts). */
int rram_array_get_level(const rram_array *a, int row, int col, int *level /* OUT */);
/* The cell's conductance now, uS: programming error, device-to-device gain,
 * stuck rail and drift included (IR drop and read noise are not properties
 * of the cell). RRAM_EINVAL on a bad cell or NULL. */
int rram_array_get_conductance(const rram_array *a, int row, int col, double *g_us /* OUT */);

/* Front door: one SET (polarity RRAM_PULSE_SET) or RESET pulse of amplitude
 * code amplitude (0..255, 10 mV each) and width code width (0..255, 10 ns
 * each) on one cell: its conductance follows rram_switch_apply(), with a
 * cycle-to-cycle deviate drawn from the array's switching stream; a stuck
 * cell does not move. Restarts the cell's drift clock when drift is on.
 * RRAM_EINVAL (nothing changed) for a bad cell, polarity or code. */
int rram_array_pulse(rram_array *a, int row, int col, int polarity, int amplitude, int width);
/* Front door: verify read of one cell through the program/verify sense
 * amplifier: *code = rram_switch_sense_code() of the cell's conductance with
 * read noise (read_noise, its own stream) applied, 0..2^sense_bits-1. */
int rram_array_verify_read(rram_array *a, int row, int col, int *code /* OUT */);
/* Pulses and verify reads since create (statistics for tests and reports);
 * either pointer may be NULL. */
int rram_array_wv_stats(const rram_array *a, uint64_t *pulses /* OUT */,
                        uint64_t *reads /* OUT */);

/* What the array did since create or rram_array_activity_clear(): the
 * events an energy estimate counts, and the energy the model can compute
 * itself from voltages and conductances (J). Drive and verify-read energy:
 * v_read^2 G t over the conducting cells, t the device's read_pulse_ns,
 * computed as v_read times the column currents the conversions see (so
 * with IR drop and leaks as they are on); a pulse: V^2 G t with its
 * amplitude (10 mV a code), width (10 ns a code) and the cell's
 * conductance before it, stuck cells included. */
typedef struct rram_activity {
  uint64_t drives;       /* rram_array_drive(_rows) calls: MVM phases */
  uint64_t wordlines;    /* driven wordlines, summed over the drives */
  uint64_t conversions;  /* rram_array_convert calls */
  uint64_t pulses;       /* rram_array_pulse calls */
  uint64_t reads;        /* rram_array_verify_read calls */
  double e_drive_j;      /* array read energy of the drives */
  double e_verify_j;     /* array energy of the verify reads */
  double e_pulse_j;      /* programming energy of the pulses */
} rram_activity;
int rram_array_activity(const rram_array *a, rram_activity *out /* OUT */);
void rram_array_activity_clear(rram_array *a);

/* Fault of a cell, fixed at create: stuck at a rail, open (on an unformed
 * row or column: conducts nothing, never moves; it wins over stuck), or
 * weak (switches weak_gain as fast; rram_device.h). */
enum rram_fault {
  RRAM_FAULT_NONE = 0,
  RRAM_FAULT_GMIN = 1,
  RRAM_FAULT_GMAX = 2,
  RRAM_FAULT_OPEN = 3,
  RRAM_FAULT_WEAK = 4
};
int rram_array_get_fault(const rram_array *a, int row, int col, int *fault /* OUT */);

/* Line defects, fixed at create (rram_device.h): the truth that a test
 * checks a firmware's findings against. */
enum rram_line { RRAM_LINE_OK = 0, RRAM_LINE_UNFORMED = 1, RRAM_LINE_LEAKY = 2 };
/* *kind of row index (is_col 0) or column index (is_col 1): rram_line.
 * RRAM_EINVAL if out of range. */
int rram_array_get_line(const rram_array *a, int is_col, int index, int *kind /* OUT */);

/* Re-derive the streams of the draws made after create (programming
 * error, switching, read and verify noise, ADC noise, weak cells' writes)
 * from the create seed and key alone. From here on those draws depend on
 * (seed, key) and the calls that follow, not on the calls before: a workload
 * that reseeds each item with its own key (the item's index) gets the same
 * bits for it whichever items ran before it, e.g. in another process of a
 * split run. The die (stuck, d2d, drift exponents, ADC offsets and INL,
 * line defects, which cells are weak) is what create drew: unchanged. */
void rram_array_reseed(rram_array *a, uint64_t key);

/* Let seconds (finite, >= 0) pass on the array clock: every cell drifts as
 * G(t0) (t/t0)^-nu for its own t, the time since its last write. Never
 * called by the RTL: the test or the CLI (--age) call it between runs.
 * A no-op on the conductances when drift is off. RRAM_EINVAL on a bad value. */
int rram_array_age(rram_array *a, double seconds);
/* The array clock: seconds passed in rram_array_age since create. */
double rram_array_time(const rram_array *a);

/* The device the array was created with. */
const rram_device *rram_array_device(const rram_array *a);

/* Ground truth of ADC adc for calibration tests: its offset in LSB and its
 * gain (1 = ideal), so code ~ gain * I / I_lsb + offset before INL, noise
 * and clipping. Either pointer may be NULL. RRAM_EINVAL on a bad adc. */
int rram_array_adc_truth(const rram_array *a, int adc, double *offset_lsb /* OUT */,
                         double *gain /* OUT */);
/* Ground truth of ADC adc's INL: the quantizer input (LSB, after gain and
 * offset) at which the output steps from code-1 to code, for code
 * 1..2^adc_bits-1; code - 0.5 for an ADC without INL. RRAM_EINVAL if out
 * of range. */
int rram_array_adc_threshold(const rram_array *a, int adc, int code, double *t_lsb /* OUT */);

/* Iterations the IR-drop solver took in its last solve (0 when IR drop is
 * off or no row was driven) and its estimated remaining error: with
 * isolated rows the last drive's, of the node voltages relative to v_read;
 * with connected rows the last transfer build's (the worst of its drives),
 * of one transfer entry in units of v_read x one level step. Either pointer
 * may be NULL. */
int rram_array_ir_stats(const rram_array *a, int *iterations /* OUT */,
                        double *err_est /* OUT */);

/* Wordline drive of one phase: bit r of the little-endian word array wl
 * (word r/32, bit r%32) is 1 when row r is driven (at v_read), and bit r of
 * sel is 1 when row r is selected (its access transistors on: the phase's
 * row group); wl must be a subset of sel. What a selected row that is not
 * driven does is the device's row_model (rram_device.h): with isolated rows
 * nothing, with connected rows its driver holds it at 0 V. Evaluates every
 * bitline current once and opens a new phase in the log, which records both.
 * n_words must be at least ceil(rows/32); a set bit at or past row `rows`
 * (no such wordline) or a driven row not selected is RRAM_EINVAL, as is
 * RRAM_ENOMEM when the log cannot grow: no phase opens. */
int rram_array_drive_rows(rram_array *a, const uint32_t *sel, const uint32_t *wl,
                          size_t n_words);
/* rram_array_drive_rows with sel = wl: only the driven rows selected. */
int rram_array_drive(rram_array *a, const uint32_t *wl, size_t n_words);
/* Convert column col on ADC adc (col must be one of adc's mux inputs) with
 * the bitline currents of the last drive. *code is 0..2^adc_bits-1. Each
 * call is a new read: read noise and ADC noise are drawn again.
 * A conversion before any drive since the last clear still returns a code
 * (from the bitlines as they are) but is counted as an orphan, not logged. */
int rram_array_convert(rram_array *a, int adc, int col, int *code /* OUT */);

/* ---- the log of the run, read by the twin and by tests ---- */
typedef struct rram_phase {
  uint32_t *wl;       /* driven rows, ceil(rows/32) words */
  uint32_t *sel;      /* selected rows (the row group), the same */
  int32_t *code;      /* per column: last code, or -1 if not converted */
  uint16_t *n_conv;   /* per column: conversions in this phase */
} rram_phase;

/* Forget every recorded phase (call before each MVM you want to check). */
void rram_array_log_clear(rram_array *a);
/* Phases recorded since the last clear. */
size_t rram_array_log_phases(const rram_array *a);
/* Phase i (0-based), valid until the next drive or clear; NULL if out of range. */
const rram_phase *rram_array_log_phase(const rram_array *a, size_t i);
/* Conversions attempted before any drive since the last clear (always an
 * RTL sequencing bug). */
size_t rram_array_log_orphans(const rram_array *a);

#ifdef __cplusplus
}
#endif
#endif

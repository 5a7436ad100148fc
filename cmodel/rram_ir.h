/* rram_ir.h: internal. The IR-drop solver of one drive: bitline currents of
 * the driven rows when the wires have resistance.
 *
 * Network (1T1R: an undriven row's access transistors are off, its cells
 * carry no current). Each driven row k is a wire driven at v_read from the
 * column-0 end, one resistance r_wl per cell segment (driver to column 0,
 * column j to j+1), open at the far end. Each column is a wire held at 0 V
 * (the sense amplifier's virtual ground) at the row-0 end, one resistance
 * r_bl per cell segment (sense to row 0, row i to i+1), open past the last
 * row; between two driven rows the undriven rows' segments are in series.
 * Cell (k, j) is a conductance G between row node Vw[k][j] and column node
 * Vb[k][j]. Unknowns: 2 * n_driven * cols node voltages.
 *
 * Method: block Gauss-Seidel on the nodal equations (a symmetric positive
 * definite system, for which the method always converges), the two blocks
 * being all row wires and all column wires. With the column voltages fixed
 * the row wires are independent tridiagonal systems, and vice versa, each
 * solved exactly by the Thomas algorithm, whose factors depend only on the
 * conductances and are computed once per drive; an iteration is then one
 * forward and one back substitution over every node of both blocks. Start:
 * Vb = 0. Stop when the estimated remaining error of the node voltages,
 * delta * rho / (1 - rho) with delta the largest change of the last
 * iteration and rho the observed contraction (ratio of the last two
 * deltas), is below tol * v_read, or after RRAM__IR_MAX_ITER iterations.
 * With only one wire resistance non-zero a single iteration is exact.
 * Column current = sum over its driven cells of G (Vw - Vb). All in double;
 * conductances in units of one level step, voltages in units of v_read. */
#ifndef RRAM_IR_H
#define RRAM_IR_H

#include <stddef.h>
#include <stdint.h>

#define RRAM__IR_MAX_ITER 200

typedef struct rram__ir {
  int rows, cols;
  size_t ld;                /* doubles per row of the n x ld arrays */
  int *drv;                 /* driven rows, ascending */
  double *g;                /* n x ld: cell conductances of driven rows */
  double *vw, *vb;          /* n x ld: row-wire and column-wire voltages */
  double *wl_c, *wl_m;      /* n x ld: Thomas factors of the row wires */
  double *bl_c, *bl_m;      /* n x ld: Thomas factors of the columns */
  double *d;                /* n x ld: forward-sweep scratch */
  double *link;             /* n: conductance from node k to k-1 (k=0: sense) */
  double *acc, *acc2;       /* cols: current sums */
  int iters;                /* iterations of the last solve */
  double err_est;           /* its estimated remaining voltage error / v_read */
} rram__ir;

/* Allocate for rows x cols; RRAM_OK or RRAM_ENOMEM (ir then freeable). */
int rram__ir_init(rram__ir *ir, int rows, int cols);
void rram__ir_free(rram__ir *ir);

/* Solve one drive. g: conductances, row-major with stride floats per row;
 * wl: driven-row bitmap; r_wl, r_bl: wire resistance per segment in units
 * of 1 / (one level step's conductance), 0 = ideal wire; tol relative to
 * v_read. Writes cols currents to cur and, if cur2 is not NULL, the sum of
 * squared cell currents per column (for read noise). */
void rram__ir_solve(rram__ir *ir, const float *g, size_t stride, const uint32_t *wl,
                    double r_wl, double r_bl, double tol, float *cur, float *cur2);

#endif

/* rram_ir.h: internal. The IR-drop solvers: bitline currents of a drive
 * when the wires have resistance, for both row models of rram_device.h.
 *
 * Network. Each row with wire nodes is a wire driven from the column-0 end,
 * one resistance r_wl per cell segment (driver to column 0, column j to
 * j+1), open at the far end. Each column is a wire held at 0 V (the sense
 * amplifier's virtual ground) at the row-0 end, one resistance r_bl per cell
 * segment (sense to row 0, row i to i+1), open past the last row; between
 * two rows with wire nodes the other rows' segments are in series. Cell
 * (k, j) is a conductance G between row node Vw[k][j] and column node
 * Vb[k][j]. Which rows have wire nodes:
 *  - isolated rows (1T1R, an undriven row's access transistors off): the
 *    driven rows, each driven at v_read (rram__ir_solve, one solve per
 *    drive);
 *  - connected rows (the drive's row group selected, its undriven rows held
 *    at 0 V by their drivers): every selected row. The network is then
 *    linear in the row voltages and the same for every drive of the group,
 *    so the column currents are I = T^T v with T the group's transfer
 *    matrix, T[k][j] = current into column j when row k alone is at v_read
 *    (rram__ir_transfer, one build per group and conductance change; a
 *    drive is then a sum of the driven rows of T, as cheap as an ideal one).
 *
 * Method (both): block Gauss-Seidel on the nodal equations (a symmetric
 * positive definite system, for which the method always converges), the
 * two blocks being all row wires and all column wires. With the column
 * voltages fixed the row wires are independent tridiagonal systems, and
 * vice versa, each solved exactly by the Thomas algorithm, whose factors
 * depend only on the conductances; an iteration is then one forward and one
 * back substitution over every node of both blocks. Start: Vb = 0. Stop
 * when the estimated remaining error, delta * rho / (1 - rho) with delta
 * the largest change of the last iteration and rho the observed contraction
 * (ratio of the last two deltas), is below the tolerance, or after
 * RRAM__IR_MAX_ITER iterations: of the node voltages for one drive, of each
 * transfer entry (a sense current) for a build. With only one wire
 * resistance non-zero a single iteration is exact. All in double;
 * conductances in units of one level step, voltages in units of v_read.
 *
 * The transfer build solves RRAM__IR_XB right-hand sides (drives of XB
 * rows) at once as SIMD lanes, keeps only the column voltages of the
 * network (the row wires are solved one group of rows at a time in L1), and
 * fuses each row solve with the columns' forward elimination, so that an
 * iteration is two passes over data that stays in a core's L2. */
#ifndef RRAM_IR_H
#define RRAM_IR_H

#include <stddef.h>
#include <stdint.h>

#define RRAM__IR_MAX_ITER 200
/* Right-hand sides solved together when building a transfer matrix. */
#define RRAM__IR_XB 8

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
  void *xw;                 /* x_rows x ld x XB doubles: transfer build (on use) */
  int x_rows;               /* selected rows the build's buffers hold */
  void *xu, *xs;            /* cols x XB doubles: one row wire; sense currents */
  double *row_a, *row_b;    /* x_rows x ld: row-wire forward factors g/m, gw/m */
  double *col_a, *col_b;    /* x_rows x ld: column forward factors g/m, link/m */
  int iters;                /* iterations of the last solve */
  double err_est;           /* its estimated remaining voltage error / v_read */
} rram__ir;

/* Allocate for rows x cols; RRAM_OK or RRAM_ENOMEM (ir then freeable). */
int rram__ir_init(rram__ir *ir, int rows, int cols);
void rram__ir_free(rram__ir *ir);

/* Solve one drive of isolated rows. g: conductances, row-major with stride
 * floats per row; wl: driven-row bitmap; r_wl, r_bl: wire resistance per segment in units
 * of 1 / (one level step's conductance), 0 = ideal wire; tol relative to
 * v_read. Writes cols currents to cur and, if cur2 is not NULL, the sum of
 * squared cell currents per column (for read noise). */
void rram__ir_solve(rram__ir *ir, const float *g, size_t stride, const uint32_t *wl,
                    double r_wl, double r_bl, double tol, float *cur, float *cur2);

/* Transfer matrix of the connected rows sel (the "connected" row model):
 * t[k][j], k-th connected row in ascending order, = current into column
 * j's sense amplifier when that row is at v_read and every other connected
 * row at 0 V (its driver holds it there). t is n x t_stride floats. tol: on
 * each sense current, in units of v_read x one level step. r_bl must be
 * > 0 (with ideal bitlines no row couples to another: use rram__ir_solve);
 * r_wl may be 0. RRAM_OK or RRAM_ENOMEM. iters / err_est: the worst
 * right-hand side's. */
int rram__ir_transfer(rram__ir *ir, const float *g, size_t stride, const uint32_t *sel,
                      double r_wl, double r_bl, double tol, float *t, size_t t_stride);

#endif

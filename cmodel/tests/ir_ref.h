/* ir_ref.h: test code only. Exact reference solves of the IR-drop network
 * of one drive, independent of cmodel/rram_ir.c, for check_ir_accuracy.c.
 *
 * Circuit (the one rram_ir.h documents). Rows 0..rows-1, columns
 * 0..cols-1. A driven row is a wire driven at v_read from its column-0 end
 * through r_wl (driver to column 0), one r_wl between columns j and j+1,
 * open after the last column. Every column is a wire held at 0 V (sense
 * amplifier) at its row-0 end through r_bl (sense to row 0), one r_bl
 * between rows i and i+1, open after the last row. Cell (i, j) of a driven
 * row is a conductance G[i][j] between row node (i, j) and column node
 * (i, j); the cells of an unselected row carry no current (1T1R, access
 * transistor off), so that row has no wire nodes and its column segments
 * are plain series resistors; a selected row that is not driven is a wire
 * like a driven one whose driver holds 0 V (connected rows). Units: G in
 * uS, r in ohm, v in V, currents in uA. Both resistances must be > 0.
 *
 * ir_ref_cg: every node explicit (2-D grid: one node per selected row and
 * column on the row wires, one node per row and column on every column,
 * undriven rows included), the nodal system G x = b assembled by stamping
 * each resistor and source, and solved by preconditioned conjugate
 * gradients to a relative residual ||b - A x|| / ||b|| <= tol, the true
 * residual recomputed at the end (tol 1e-14 is reachable in double; the
 * rounding floor of A x is about 1e-16 relative). Preconditioner: JACOBI
 * (diagonal) or LINE (the tridiagonal part of A in the node order: each row
 * wire and each column as one chain, solved exactly; no cell coupling), a
 * choice that changes the iteration count, not the answer.
 *
 * ir_ref_dense: a second formulation, for small sizes: only the selected
 * rows' column nodes, the unselected rows' segments between two of them
 * condensed into one series conductance, dense Gaussian elimination with
 * partial pivoting. O(N^3), N = 2 * selected rows * cols: 16 x 16 takes
 * milliseconds. */
#ifndef IR_REF_H
#define IR_REF_H

#include <stdint.h>

enum { IR_REF_JACOBI = 0, IR_REF_LINE = 1 };

typedef struct ir_ref_stats {
  int iters;        /* CG iterations */
  double rel_res;   /* true relative residual ||b - A x|| / ||b|| at the end */
  double kcl_ua;    /* largest |sense current - sum of the column's cell
                       currents|: 0 at the exact solution */
  double seconds;   /* wall time of the solve */
} ir_ref_stats;

/* Column currents into the sense amplifiers (cur_ua, cols values), each
 * the sum of the column's cell currents (equal at the solution, and less
 * sensitive to rounding than the current of the first wire segment). g_us:
 * rows x cols, row-major; sel: the rows with wire nodes (connected), wl:
 * those of them driven at v_read (the others held at 0 V), bitmaps with
 * bit r in word r / 32. sel = wl is the isolated-row circuit above; a
 * superset of wl is the connected-row circuit (rram_device.h row_model).
 * Returns 0 when the residual reached tol within max_iter iterations, 1 if
 * not (cur_ua then holds the last iterate's currents), -1 out of memory.
 * st may be NULL. */
int ir_ref_cg(int rows, int cols, const double *g_us, const uint32_t *sel, const uint32_t *wl,
              double r_wl_ohm, double r_bl_ohm, double v_read, int precond, double tol,
              int max_iter, double *cur_ua, ir_ref_stats *st);

/* The same currents by the dense direct solve; 0, or -1 out of memory or a
 * zero pivot. */
int ir_ref_dense(int rows, int cols, const double *g_us, const uint32_t *sel, const uint32_t *wl,
                 double r_wl_ohm, double r_bl_ohm, double v_read, double *cur_ua);

#endif

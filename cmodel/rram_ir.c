/* rram_ir.c: block Gauss-Seidel IR-drop solver (method in rram_ir.h).
 *
 * Loop order. Both sweeps run the Thomas recursion along the outer index
 * and the independent wires along the inner one: for the columns (recursion
 * over driven rows k) the inner index j is contiguous and vectorizes; for
 * the row wires (recursion over columns j) the inner index k is strided by
 * cols, which does not vectorize but removes the serial dependency, and the
 * lines touched (one per driven row) stay in L1 across eight j steps. */
#include "rram_ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rram_status.h"

/* max(m, |x|) as an expression the compiler keeps inline and vectorizes
 * (fmax is a libm call at -O2 and stops the sweeps' loops vectorizing). */
static inline double absmax(double m, double x) {
  const double a = x < 0.0 ? -x : x;
  return a > m ? a : m;
}

int rram__ir_init(rram__ir *ir, int rows, int cols) {
  memset(ir, 0, sizeof *ir);
  ir->rows = rows;
  ir->cols = cols;
  /* Row pitch of the node arrays: cols rounded up to a cache line plus one
   * line, so the row wires' sweep (stepping across rows at a fixed column)
   * does not hit the same few cache sets with a power-of-two stride. */
  ir->ld = ((size_t)cols + 7) / 8 * 8 + 8;
  const size_t n = (size_t)rows * ir->ld;
  ir->drv = malloc(sizeof *ir->drv * (size_t)rows);
  ir->link = malloc(sizeof *ir->link * (size_t)rows);
  ir->acc = malloc(sizeof *ir->acc * (size_t)cols);
  ir->acc2 = malloc(sizeof *ir->acc2 * (size_t)cols);
  double **blocks[] = {&ir->g, &ir->vw, &ir->vb, &ir->wl_c, &ir->wl_m, &ir->bl_c, &ir->bl_m, &ir->d};
  int ok = ir->drv && ir->link && ir->acc && ir->acc2 && n <= SIZE_MAX / sizeof(double);
  for (size_t i = 0; ok && i < sizeof blocks / sizeof blocks[0]; i++) {
    *blocks[i] = malloc(n * sizeof(double));
    ok = *blocks[i] != NULL;
  }
  return ok ? RRAM_OK : RRAM_ENOMEM;
}

void rram__ir_free(rram__ir *ir) {
  if (!ir) return;
  free(ir->drv);
  free(ir->link);
  free(ir->acc);
  free(ir->acc2);
  free(ir->g);
  free(ir->vw);
  free(ir->vb);
  free(ir->wl_c);
  free(ir->wl_m);
  free(ir->bl_c);
  free(ir->bl_m);
  free(ir->d);
  free(ir->xu);
  free(ir->xw);
  free(ir->xs);
  free(ir->row_a);
  free(ir->row_b);
  free(ir->col_a);
  free(ir->col_b);
  memset(ir, 0, sizeof *ir);
}

/* Thomas factors of every row wire: c'[k][j] and 1/m[k][j]. */
static void wl_factor(rram__ir *ir, int n, double gw) {
  const size_t C = (size_t)ir->cols;
  const size_t L = ir->ld;
  for (int k = 0; k < n; k++) {
    const double *g = ir->g + (size_t)k * L;
    double *c = ir->wl_c + (size_t)k * L, *im = ir->wl_m + (size_t)k * L;
    double cprev = 0.0;
    for (size_t j = 0; j < C; j++) {
      const double right = j + 1 < C ? gw : 0.0;
      const double m = gw + right + g[j] + gw * cprev; /* b_j - a_j c'_{j-1}, a_j = -gw */
      im[j] = 1.0 / m;
      cprev = j + 1 < C ? -gw * im[j] : 0.0;
      c[j] = cprev;
    }
  }
}

/* Thomas factors of every column over the driven rows. */
static void bl_factor(rram__ir *ir, int n) {
  const size_t C = (size_t)ir->cols;
  const size_t L = ir->ld;
  const double *l = ir->link;
  for (int k = 0; k < n; k++) {
    const double *g = ir->g + (size_t)k * L;
    const double lk = l[k], lnext = k + 1 < n ? l[k + 1] : 0.0;
    double *c = ir->bl_c + (size_t)k * L, *im = ir->bl_m + (size_t)k * L;
    const double *cprev = k > 0 ? ir->bl_c + (size_t)(k - 1) * L : NULL;
    for (size_t j = 0; j < C; j++) {
      const double m = lk + lnext + g[j] + (cprev ? lk * cprev[j] : 0.0);
      im[j] = 1.0 / m;
      c[j] = -lnext * im[j];
    }
  }
}

/* Row wires given vb: new vw; returns the largest change. */
static double wl_sweep(rram__ir *ir, int n, double gw) {
  const size_t C = (size_t)ir->cols;
  const size_t L = ir->ld;
  double *d = ir->d, *vw = ir->vw;
  const double *g = ir->g, *vb = ir->vb, *c = ir->wl_c, *im = ir->wl_m;
  for (int k = 0; k < n; k++) {
    const size_t i = (size_t)k * L;
    d[i] = (g[i] * vb[i] + gw) * im[i];
  }
  for (size_t j = 1; j < C; j++)
    for (int k = 0; k < n; k++) {
      const size_t i = (size_t)k * L + j;
      d[i] = (g[i] * vb[i] + gw * d[i - 1]) * im[i];
    }
  double delta = 0.0;
  for (int k = 0; k < n; k++) {
    const size_t i = (size_t)k * L + C - 1;
    delta = absmax(delta, d[i] - vw[i]);
    vw[i] = d[i];
  }
  for (size_t j = C - 1; j-- > 0;)
    for (int k = 0; k < n; k++) {
      const size_t i = (size_t)k * L + j;
      const double x = d[i] - c[i] * vw[i + 1];
      delta = absmax(delta, x - vw[i]);
      vw[i] = x;
    }
  return delta;
}

/* Columns given vw: new vb; returns the largest change. */
static double bl_sweep(rram__ir *ir, int n) {
  const size_t C = (size_t)ir->cols;
  const size_t L = ir->ld;
  double *d = ir->d, *vb = ir->vb;
  const double *g = ir->g, *vw = ir->vw, *c = ir->bl_c, *im = ir->bl_m, *l = ir->link;
  for (size_t j = 0; j < C; j++) d[j] = g[j] * vw[j] * im[j];
  for (int k = 1; k < n; k++) {
    const size_t r = (size_t)k * L;
    const double lk = l[k];
    for (size_t j = 0; j < C; j++) d[r + j] = (g[r + j] * vw[r + j] + lk * d[r - L + j]) * im[r + j];
  }
  double delta = 0.0;
  const size_t last = (size_t)(n - 1) * L;
  for (size_t j = 0; j < C; j++) {
    delta = absmax(delta, d[last + j] - vb[last + j]);
    vb[last + j] = d[last + j];
  }
  for (int k = n - 2; k >= 0; k--) {
    const size_t r = (size_t)k * L;
    for (size_t j = 0; j < C; j++) {
      const double x = d[r + j] - c[r + j] * vb[r + L + j];
      delta = absmax(delta, x - vb[r + j]);
      vb[r + j] = x;
    }
  }
  return delta;
}

void rram__ir_solve(rram__ir *ir, const float *g, size_t stride, const uint32_t *wl,
                    double r_wl, double r_bl, double tol, float *cur, float *cur2) {
  const size_t C = (size_t)ir->cols;
  const size_t L = ir->ld;
  int n = 0;
  for (int r = 0; r < ir->rows; r++)
    if ((wl[r / 32] >> (r % 32)) & 1u) ir->drv[n++] = r;
  ir->iters = 0;
  ir->err_est = 0.0;
  if (n == 0) {
    for (size_t j = 0; j < C; j++) {
      cur[j] = 0.0f;
      if (cur2) cur2[j] = 0.0f;
    }
    return;
  }
  for (int k = 0; k < n; k++) {
    const float *src = g + (size_t)ir->drv[k] * stride;
    double *dst = ir->g + (size_t)k * L;
    for (size_t j = 0; j < C; j++) dst[j] = src[j];
  }
  for (size_t i = 0; i < (size_t)n * L; i++) {
    ir->vw[i] = 1.0;
    ir->vb[i] = 0.0;
  }
  const double gw = r_wl > 0.0 ? 1.0 / r_wl : 0.0;
  if (r_wl > 0.0) wl_factor(ir, n, gw);
  if (r_bl > 0.0) {
    for (int k = 0; k < n; k++)
      ir->link[k] = 1.0 / (r_bl * (double)(ir->drv[k] - (k ? ir->drv[k - 1] : -1)));
    bl_factor(ir, n);
  }

  double prev = 0.0;
  for (int it = 1; it <= RRAM__IR_MAX_ITER; it++) {
    double delta = 0.0;
    if (r_wl > 0.0) delta = absmax(delta, wl_sweep(ir, n, gw));
    if (r_bl > 0.0) delta = absmax(delta, bl_sweep(ir, n));
    ir->iters = it;
    if (!(r_wl > 0.0 && r_bl > 0.0)) break; /* one block: exact in one pass */
    /* Geometric tail of a linearly converging iteration. */
    const double rho = it > 1 && prev > 0.0 ? delta / prev : 1.0;
    ir->err_est = rho < 1.0 ? delta * rho / (1.0 - rho) : delta;
    if (it > 1 && ir->err_est < tol) break;
    prev = delta;
  }

  double *acc = ir->acc, *acc2 = ir->acc2;
  for (size_t j = 0; j < C; j++) acc[j] = acc2[j] = 0.0;
  for (int k = 0; k < n; k++) {
    const size_t r = (size_t)k * L;
    for (size_t j = 0; j < C; j++) {
      const double i_cell = ir->g[r + j] * (ir->vw[r + j] - ir->vb[r + j]);
      acc[j] += i_cell;
      acc2[j] += i_cell * i_cell;
    }
  }
  for (size_t j = 0; j < C; j++) {
    cur[j] = (float)acc[j];
    if (cur2) cur2[j] = (float)acc2[j];
  }
}

/* ---- connected rows: the transfer matrix ------------------------------- */

/* XB right-hand sides as one vector, in the compiler's vector extension so
 * the lanes are SIMD whatever the optimisation level's cost model decides.
 * Double precision: the wires are stiff chains (segment conductance ~1e5
 * times a cell's), whose substitutions in single precision lose about 1e-5
 * relative over 256 cells. */
typedef double xvec __attribute__((vector_size(RRAM__IR_XB * sizeof(double))));

/* Row wires solved together in a sweep: the recursion along one wire is a
 * chain of dependent multiply-adds, XRB independent chains fill the pipeline. */
#define XRB 4

/* Compiled for AVX-512 and AVX2 as well where the compiler can dispatch at
 * run time; the baseline build stays portable. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define XSWEEP __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define XSWEEP
#endif

/* Row wires k1 .. k1+NB-1 given w, into the scratch rows u[q * C ..]:
 * forward sweep d_j = a_j w_j + b_j d_(j-1) (a = g/m, b = gw/m, so the
 * chain through d is one multiply-add), back substitution in place. NB is
 * a constant at each call and the loops over it unrolled, so the NB chains
 * stay in registers (not a stack array reloaded every step). */
static inline __attribute__((always_inline)) void
xrows(const rram__ir *ir, const xvec *restrict w, xvec *restrict u, int k1, const int NB,
      double gw, int k0) {
  const size_t C = (size_t)ir->cols, L = ir->ld;
  const double *restrict fa = ir->row_a, *restrict fb = ir->row_b, *restrict wc = ir->wl_c;
  xvec d[XRB];
  for (int q = 0; q < NB; q++) {
    const int k = k1 + q;
    const size_t r = (size_t)k * L;
    xvec src = {0};
    for (int b = 0; b < RRAM__IR_XB; b++)
      if (k == k0 + b) src[b] = gw * ir->wl_m[r];
    d[q] = fa[r] * w[r] + src;
    u[q * C] = d[q];
  }
  for (size_t j = 1; j < C; j++)
#pragma GCC unroll 8
    for (int q = 0; q < NB; q++) {
      const size_t i = (size_t)(k1 + q) * L + j;
      d[q] = fa[i] * w[i] + fb[i] * d[q];
      u[q * C + j] = d[q];
    }
  for (size_t j = C - 1; j-- > 0;)
#pragma GCC unroll 8
    for (int q = 0; q < NB; q++) {
      d[q] = u[q * C + j] - wc[(size_t)(k1 + q) * L + j] * d[q];
      u[q * C + j] = d[q];
    }
}

/* One block Gauss-Seidel iteration for XB right-hand sides at once (drive b
 * puts v_read on connected row k0 + b, 0 V on the others), in two passes
 * over the column voltages w (a [k][j] array of xvec), the only node array
 * kept, so that it and the factors stay in a core's L2:
 *  1. for each XRB rows in order: solve their row wires given w into the
 *     scratch u (in L1), then the columns' forward elimination steps for
 *     those rows, w_k = ca_k u_k + cb_k w_(k-1), which need only that u and
 *     the step before; the result replaces w of the rows, read for the last
 *     time by the row solve just done;
 *  2. the columns' back substitution, last row to first.
 * The caller reads the sense currents off w of row 0 (in double the first
 * segment's drop keeps ~1e-11 relative). */
XSWEEP static void xsweep(rram__ir *ir, int n, double gw, int k0, int first) {
  const size_t C = (size_t)ir->cols, L = ir->ld;
  xvec *restrict u = ir->xu, *restrict w = ir->xw;
  const double *restrict ca = ir->col_a, *restrict cb = ir->col_b, *restrict bc = ir->bl_c;
  for (int k1 = 0; k1 < n; k1 += XRB) {
    const int nb = n - k1 < XRB ? n - k1 : XRB;
    /* First iteration (w = 0): a row that no drive of the block puts on
     * v_read stays at 0 V; only the columns' elimination step remains. */
    const int idle = first && (k1 + nb <= k0 || k1 >= k0 + RRAM__IR_XB);
    if (idle) {
      for (int q = 0; q < nb; q++) {
        const size_t r = (size_t)(k1 + q) * L;
        if (k1 + q == 0) {
          for (size_t j = 0; j < C; j++) w[j] = (xvec){0};
        } else {
          for (size_t j = 0; j < C; j++) w[r + j] = cb[r + j] * w[r - L + j];
        }
      }
      continue;
    }
    if (gw == 0.0) {
      /* ideal row wires: every node at its driver's voltage */
      for (int q = 0; q < nb; q++) {
        xvec v = {0};
        for (int b = 0; b < RRAM__IR_XB; b++)
          if (k1 + q == k0 + b) v[b] = 1.0;
        for (size_t j = 0; j < C; j++) u[q * C + j] = v;
      }
    } else if (nb == XRB) {
      xrows(ir, w, u, k1, XRB, gw, k0);
    } else {
      for (int q = 0; q < nb; q++) xrows(ir, w, u + q * C, k1 + q, 1, gw, k0);
    }
    for (int q = 0; q < nb; q++) {
      const size_t r = (size_t)(k1 + q) * L;
      const xvec *restrict uq = u + q * C;
      if (k1 + q == 0) {
        for (size_t j = 0; j < C; j++) w[j] = ca[j] * uq[j];
      } else {
        for (size_t j = 0; j < C; j++) w[r + j] = ca[r + j] * uq[j] + cb[r + j] * w[r - L + j];
      }
    }
  }
  for (int k = n - 2; k >= 0; k--) {
    const size_t r = (size_t)k * L;
    for (size_t j = 0; j < C; j++) w[r + j] -= bc[r + j] * w[r + L + j];
  }
}

/* The transfer build's buffers for n selected rows, grown on demand: a
 * build needs them only for its group, which is usually far smaller than
 * the array. */
static int xalloc(rram__ir *ir, int n) {
  if (ir->xu && n <= ir->x_rows) return RRAM_OK;
  const size_t m = (size_t)n * ir->ld, vb = sizeof(xvec);
  free(ir->xw);
  free(ir->row_a);
  free(ir->row_b);
  free(ir->col_a);
  free(ir->col_b);
  ir->xw = NULL;
  ir->row_a = ir->row_b = ir->col_a = ir->col_b = NULL;
  ir->x_rows = 0;
  if (!ir->xu) ir->xu = aligned_alloc(vb, (size_t)XRB * (size_t)ir->cols * vb);
  if (!ir->xs) ir->xs = aligned_alloc(vb, (size_t)ir->cols * vb);
  ir->xw = aligned_alloc(vb, m * vb);
  double **f[] = {&ir->row_a, &ir->row_b, &ir->col_a, &ir->col_b};
  int ok = ir->xu && ir->xw && ir->xs;
  for (size_t i = 0; ok && i < sizeof f / sizeof f[0]; i++)
    ok = (*f[i] = malloc(m * sizeof(double))) != NULL;
  if (ok) ir->x_rows = n;
  return ok ? RRAM_OK : RRAM_ENOMEM;
}

int rram__ir_transfer(rram__ir *ir, const float *g, size_t stride, const uint32_t *sel,
                      double r_wl, double r_bl, double tol, float *t, size_t t_stride) {
  const size_t C = (size_t)ir->cols, L = ir->ld, B = RRAM__IR_XB;
  int n = 0;
  for (int r = 0; r < ir->rows; r++)
    if ((sel[r / 32] >> (r % 32)) & 1u) ir->drv[n++] = r;
  ir->iters = 0;
  ir->err_est = 0.0;
  if (n == 0) return RRAM_OK;
  if (xalloc(ir, n) != RRAM_OK) return RRAM_ENOMEM;
  for (int k = 0; k < n; k++) {
    const float *src = g + (size_t)ir->drv[k] * stride;
    double *dst = ir->g + (size_t)k * L;
    for (size_t j = 0; j < C; j++) dst[j] = src[j];
  }
  const double gw = r_wl > 0.0 ? 1.0 / r_wl : 0.0; /* 0: ideal row wires */
  if (gw > 0.0) wl_factor(ir, n, gw);
  for (int k = 0; k < n; k++)
    ir->link[k] = 1.0 / (r_bl * (double)(ir->drv[k] - (k ? ir->drv[k - 1] : -1)));
  bl_factor(ir, n);
  for (int k = 0; k < n; k++) {
    const size_t r = (size_t)k * L;
    const double lk = k > 0 ? ir->link[k] : 0.0;
    for (size_t j = 0; j < C; j++) {
      ir->row_a[r + j] = gw > 0.0 ? ir->g[r + j] * ir->wl_m[r + j] : 0.0;
      ir->row_b[r + j] = gw > 0.0 ? gw * ir->wl_m[r + j] : 0.0;
      ir->col_a[r + j] = ir->g[r + j] * ir->bl_m[r + j];
      ir->col_b[r + j] = lk * ir->bl_m[r + j];
    }
  }
  const double l0 = ir->link[0];
  const xvec *restrict xw = ir->xw;
  xvec *restrict xs = ir->xs;
  int max_it = 0;
  double max_err = 0.0;
  for (int k0 = 0; k0 < n; k0 += (int)B) {
    memset(ir->xw, 0, (size_t)n * L * sizeof(xvec));
    memset(ir->xs, 0, C * sizeof(xvec));
    double prev = 0.0, err = 0.0;
    int it;
    for (it = 1; it <= RRAM__IR_MAX_ITER; it++) {
      xsweep(ir, n, gw, k0, it == 1);
      double delta = 0.0;
      for (size_t j = 0; j < C; j++) {
        const xvec sj = l0 * xw[j], dd = sj - xs[j];
        for (size_t b = 0; b < B; b++) delta = absmax(delta, dd[b]);
        xs[j] = sj;
      }
      if (gw == 0.0) break; /* one block: exact in one pass */
      const double rho = it > 1 && prev > 0.0 ? delta / prev : 1.0;
      err = rho < 1.0 ? delta * rho / (1.0 - rho) : delta;
      if (it > 1 && err < tol) break;
      prev = delta;
    }
    if (it > RRAM__IR_MAX_ITER) it = RRAM__IR_MAX_ITER;
    if (it > max_it) max_it = it;
    if (err > max_err) max_err = err;
    for (size_t b = 0; b < B && k0 + (int)b < n; b++) {
      float *row = t + (size_t)(k0 + (int)b) * t_stride;
      for (size_t j = 0; j < C; j++) row[j] = (float)xs[j][b];
    }
  }
  ir->iters = max_it;
  ir->err_est = max_err;
  return RRAM_OK;
}

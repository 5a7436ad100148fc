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

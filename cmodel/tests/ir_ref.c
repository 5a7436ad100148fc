/* ir_ref.c: exact reference solves of the IR-drop network (see ir_ref.h).
 * Test code: nothing here is shared with cmodel/rram_ir.c. */
#include "ir_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- sparse nodal system ------------------------------------------------ */

/* Off-diagonal entries per node: a node touches at most two wire segments
 * and one cell. */
#define NB 3

typedef struct sys {
  int n;          /* nodes */
  double *diag;   /* n */
  double *off;    /* n x NB: off-diagonal values */
  int *col;       /* n x NB: their columns, -1 = empty */
  double *b;      /* n: right-hand side (source currents) */
} sys;

static int sys_init(sys *s, int n) {
  s->n = n;
  s->diag = calloc((size_t)n, sizeof *s->diag);
  s->off = calloc((size_t)n * NB, sizeof *s->off);
  s->col = malloc((size_t)n * NB * sizeof *s->col);
  s->b = calloc((size_t)n, sizeof *s->b);
  if (!s->diag || !s->off || !s->col || !s->b) return -1;
  for (size_t i = 0; i < (size_t)n * NB; i++) s->col[i] = -1;
  return 0;
}

static void sys_free(sys *s) {
  free(s->diag);
  free(s->off);
  free(s->col);
  free(s->b);
}

static void add_off(sys *s, int i, int j, double v) {
  for (int k = 0; k < NB; k++) {
    int *c = &s->col[(size_t)i * NB + k];
    if (*c == j || *c < 0) {
      *c = j;
      s->off[(size_t)i * NB + k] += v;
      return;
    }
  }
  abort(); /* more neighbours than the circuit has: an assembly bug */
}

/* Conductance g between nodes i and j. */
static void stamp(sys *s, int i, int j, double g) {
  s->diag[i] += g;
  s->diag[j] += g;
  add_off(s, i, j, -g);
  add_off(s, j, i, -g);
}

/* Conductance g from node i to a fixed voltage v (0 V: ground). */
static void stamp_fixed(sys *s, int i, double g, double v) {
  s->diag[i] += g;
  s->b[i] += g * v;
}

static void matvec(const sys *s, const double *x, double *y) {
  for (int i = 0; i < s->n; i++) {
    double acc = s->diag[i] * x[i];
    const int *c = s->col + (size_t)i * NB;
    const double *o = s->off + (size_t)i * NB;
    for (int k = 0; k < NB; k++)
      if (c[k] >= 0) acc += o[k] * x[c[k]];
    y[i] = acc;
  }
}

static double dot(const double *a, const double *b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static double entry(const sys *s, int i, int j) {
  for (int k = 0; k < NB; k++)
    if (s->col[(size_t)i * NB + k] == j) return s->off[(size_t)i * NB + k];
  return 0.0;
}

/* Preconditioner: z = M^-1 r. JACOBI: M = diag(A). LINE: M = the
 * tridiagonal part of A, factored once (Thomas: cp = super / pivot, ip =
 * 1 / pivot, sub kept). */
typedef struct prec {
  int kind;
  double *sub, *cp, *ip;
} prec;

static int prec_init(prec *p, const sys *s, int kind) {
  const int n = s->n;
  p->kind = kind;
  p->sub = malloc((size_t)n * sizeof *p->sub);
  p->cp = malloc((size_t)n * sizeof *p->cp);
  p->ip = malloc((size_t)n * sizeof *p->ip);
  if (!p->sub || !p->cp || !p->ip) return -1;
  for (int i = 0; i < n; i++) {
    if (kind == IR_REF_JACOBI) {
      p->sub[i] = p->cp[i] = 0.0;
      p->ip[i] = 1.0 / s->diag[i];
      continue;
    }
    p->sub[i] = i > 0 ? entry(s, i, i - 1) : 0.0;
    const double sup = i + 1 < n ? entry(s, i, i + 1) : 0.0;
    const double piv = s->diag[i] - (i > 0 ? p->sub[i] * p->cp[i - 1] : 0.0);
    p->ip[i] = 1.0 / piv;
    p->cp[i] = sup * p->ip[i];
  }
  return 0;
}

static void prec_free(prec *p) {
  free(p->sub);
  free(p->cp);
  free(p->ip);
}

static void prec_apply(const prec *p, const double *r, double *z, int n) {
  if (p->kind == IR_REF_JACOBI) {
    for (int i = 0; i < n; i++) z[i] = r[i] * p->ip[i];
    return;
  }
  for (int i = 0; i < n; i++) z[i] = (r[i] - (i > 0 ? p->sub[i] * z[i - 1] : 0.0)) * p->ip[i];
  for (int i = n - 2; i >= 0; i--) z[i] -= p->cp[i] * z[i + 1];
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Rows of sel in ascending order into drv (rows entries); their count. */
static int sel_rows(int rows, const uint32_t *sel, int *drv) {
  int nd = 0;
  for (int r = 0; r < rows; r++)
    if ((sel[r / 32] >> (r % 32)) & 1u) drv[nd++] = r;
  return nd;
}

/* The driver voltage of row r: v_read if wl drives it, else 0 V. */
static double row_v(const uint32_t *wl, int r, double v_read) {
  return (wl[r / 32] >> (r % 32)) & 1u ? v_read : 0.0;
}

int ir_ref_cg(int rows, int cols, const double *g_us, const uint32_t *sel, const uint32_t *wl,
              double r_wl_ohm, double r_bl_ohm, double v_read, int precond, double tol,
              int max_iter, double *cur_ua, ir_ref_stats *st) {
  const double t0 = now_s();
  int *drv = malloc((size_t)rows * sizeof *drv);
  if (!drv) return -1;
  const int nd = sel_rows(rows, sel, drv);
  /* Node numbers: row wire of the k-th driven row, column j: k * cols + j;
   * column j at row i: nw + j * rows + i (each wire contiguous, so the
   * tridiagonal part of A is exactly the wires without the cells). */
  const int nw = nd * cols, n = nw + rows * cols;
#define W(k, j) ((k) * cols + (j))
#define B(i, j) (nw + (j) * rows + (i))
  const double gw = 1e6 / r_wl_ohm, gb = 1e6 / r_bl_ohm; /* uS */
  sys s;
  prec p = {0, NULL, NULL, NULL};
  double *x = NULL, *r = NULL, *z = NULL, *pv = NULL, *q = NULL;
  int rc = -1;
  if (sys_init(&s, n) != 0) goto out;
  for (int k = 0; k < nd; k++) {
    stamp_fixed(&s, W(k, 0), gw, row_v(wl, drv[k], v_read)); /* driver to column 0 */
    for (int j = 0; j + 1 < cols; j++) stamp(&s, W(k, j), W(k, j + 1), gw);
    for (int j = 0; j < cols; j++) stamp(&s, W(k, j), B(drv[k], j), g_us[(size_t)drv[k] * cols + j]);
  }
  for (int j = 0; j < cols; j++) {
    stamp_fixed(&s, B(0, j), gb, 0.0); /* sense (virtual ground) to row 0 */
    for (int i = 0; i + 1 < rows; i++) stamp(&s, B(i, j), B(i + 1, j), gb);
  }
  if (prec_init(&p, &s, precond) != 0) goto out;
  x = calloc((size_t)n, sizeof *x);
  r = malloc((size_t)n * sizeof *r);
  z = malloc((size_t)n * sizeof *z);
  pv = malloc((size_t)n * sizeof *pv);
  q = malloc((size_t)n * sizeof *q);
  if (!x || !r || !z || !pv || !q) goto out;

  /* x0 = 0: r = b. Restarted from the true residual whenever the
   * recurrence claims convergence, so the stop is on b - A x itself. */
  const double bnorm = sqrt(dot(s.b, s.b, n));
  memcpy(r, s.b, (size_t)n * sizeof *r);
  double res = 1.0;
  int it = 0;
  rc = 1;
  while (it < max_iter) {
    prec_apply(&p, r, z, n);
    memcpy(pv, z, (size_t)n * sizeof *pv);
    double rz = dot(r, z, n);
    while (it < max_iter) {
      matvec(&s, pv, q);
      const double alpha = rz / dot(pv, q, n);
      for (int i = 0; i < n; i++) {
        x[i] += alpha * pv[i];
        r[i] -= alpha * q[i];
      }
      it++;
      if (sqrt(dot(r, r, n)) <= tol * bnorm) break;
      prec_apply(&p, r, z, n);
      const double rz_new = dot(r, z, n);
      const double beta = rz_new / rz;
      rz = rz_new;
      for (int i = 0; i < n; i++) pv[i] = z[i] + beta * pv[i];
    }
    matvec(&s, x, q);
    for (int i = 0; i < n; i++) r[i] = s.b[i] - q[i];
    res = sqrt(dot(r, r, n)) / bnorm;
    if (res <= tol) {
      rc = 0;
      break;
    }
  }
  /* The column's current as the sum of its cell currents G (Vw - Vb): the
   * node voltages' rounding error enters multiplied by G (tens of uS), not
   * by the wire conductance (1e6 uS at 1 ohm) as in gb * Vb(row 0); at the
   * solution both are the same current (KCL), kcl_ua reports how close. */
  double kcl = 0.0;
  for (int j = 0; j < cols; j++) {
    double cells = 0.0;
    for (int k = 0; k < nd; k++)
      cells += g_us[(size_t)drv[k] * cols + j] * (x[W(k, j)] - x[B(drv[k], j)]);
    cur_ua[j] = cells;
    kcl = fmax(kcl, fabs(gb * x[B(0, j)] - cells));
  }
  if (st) {
    st->iters = it;
    st->rel_res = res;
    st->kcl_ua = kcl;
  }
#undef W
#undef B
out:
  sys_free(&s);
  prec_free(&p);
  free(x);
  free(r);
  free(z);
  free(pv);
  free(q);
  free(drv);
  if (st) st->seconds = now_s() - t0;
  return rc;
}

/* ---- dense direct solve ------------------------------------------------- */

int ir_ref_dense(int rows, int cols, const double *g_us, const uint32_t *sel, const uint32_t *wl,
                 double r_wl_ohm, double r_bl_ohm, double v_read, double *cur_ua) {
  int *drv = malloc((size_t)rows * sizeof *drv);
  if (!drv) return -1;
  const int nd = sel_rows(rows, sel, drv);
  if (nd == 0) {
    for (int j = 0; j < cols; j++) cur_ua[j] = 0.0;
    free(drv);
    return 0;
  }
  /* Unknowns: row wire (k, j) at 2 (k cols + j), column node of driven row
   * k at 2 (k cols + j) + 1. */
  const size_t N = 2 * (size_t)nd * (size_t)cols;
  double *A = calloc(N * N, sizeof *A), *b = calloc(N, sizeof *b);
  if (!A || !b) {
    free(A);
    free(b);
    free(drv);
    return -1;
  }
#define AT(i, j) A[(size_t)(i) * N + (size_t)(j)]
#define WN(k, j) (2 * ((size_t)(k) * (size_t)cols + (size_t)(j)))
#define BN(k, j) (WN(k, j) + 1)
  const double gw = 1e6 / r_wl_ohm;
  for (int k = 0; k < nd; k++) {
    /* The series segments from this driven row up to the one above (or to
     * the sense end): drv[k] - drv[k-1] of them, or drv[0] + 1. */
    const int gap = drv[k] - (k > 0 ? drv[k - 1] : -1);
    const double gl = 1e6 / (r_bl_ohm * gap);
    for (int j = 0; j < cols; j++) {
      const size_t w = WN(k, j), c = BN(k, j);
      const double g = g_us[(size_t)drv[k] * cols + j];
      /* Row wire node: segment to the left (the driver for j = 0), to the
       * right, the cell. */
      AT(w, w) += gw + g;
      if (j > 0) AT(w, WN(k, j - 1)) -= gw;
      else b[w] += gw * row_v(wl, drv[k], v_read);
      if (j + 1 < cols) {
        AT(w, w) += gw;
        AT(w, WN(k, j + 1)) -= gw;
      }
      AT(w, c) -= g;
      /* Column node: the cell, the link up, the link down. */
      AT(c, c) += g + gl;
      AT(c, w) -= g;
      if (k > 0) AT(c, BN(k - 1, j)) -= gl;
      if (k + 1 < nd) {
        const double gd = 1e6 / (r_bl_ohm * (drv[k + 1] - drv[k]));
        AT(c, c) += gd;
        AT(c, BN(k + 1, j)) -= gd;
      }
    }
  }
  int rc = 0;
  for (size_t p = 0; p < N && rc == 0; p++) {
    size_t piv = p;
    for (size_t i = p + 1; i < N; i++)
      if (fabs(AT(i, p)) > fabs(AT(piv, p))) piv = i;
    if (AT(piv, p) == 0.0) {
      rc = -1;
      break;
    }
    if (piv != p) {
      for (size_t j = 0; j < N; j++) {
        const double t = AT(p, j);
        AT(p, j) = AT(piv, j);
        AT(piv, j) = t;
      }
      const double t = b[p];
      b[p] = b[piv];
      b[piv] = t;
    }
    for (size_t i = p + 1; i < N; i++) {
      const double f = AT(i, p) / AT(p, p);
      if (f == 0.0) continue;
      for (size_t j = p; j < N; j++) AT(i, j) -= f * AT(p, j);
      b[i] -= f * b[p];
    }
  }
  if (rc == 0) {
    for (size_t i = N; i-- > 0;) {
      double s = b[i];
      for (size_t j = i + 1; j < N; j++) s -= AT(i, j) * b[j];
      b[i] = s / AT(i, i);
    }
    /* Sum of the column's cell currents (see ir_ref_cg). */
    for (int j = 0; j < cols; j++) {
      double cells = 0.0;
      for (int k = 0; k < nd; k++)
        cells += g_us[(size_t)drv[k] * cols + j] * (b[WN(k, j)] - b[BN(k, j)]);
      cur_ua[j] = cells;
    }
  }
#undef AT
#undef WN
#undef BN
  free(A);
  free(b);
  free(drv);
  return rc;
}

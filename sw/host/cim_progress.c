/* cim_progress.c: progress line and interrupt flag (cim_progress.h). */
#include "cim_progress.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught; /* the signal, 0 if none */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void on_signal(int sig) {
  caught = sig;
  signal(sig, SIG_DFL); /* the second one kills */
}

int cim_interrupt_catch(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0 ? 0 : -1;
}

int cim_interrupted(void) { return (int)caught; }

void cim_progress_start(cim_progress *p, const char *what, uint64_t total) {
  const char *env = getenv("CIM_PROGRESS");
  memset(p, 0, sizeof *p);
  p->what = what;
  p->total = total;
  p->on = env != NULL && env[0] ? env[0] == '1' : isatty(STDERR_FILENO);
  p->t0_s = p->last_s = now_s();
}

void cim_progress_update(cim_progress *p, uint64_t done) {
  if (!p->on) return;
  const double t = now_s();
  if (t - p->last_s < 0.25 && done < p->total) return;
  p->last_s = t;
  const double el = t - p->t0_s;
  const double pct = p->total ? 100.0 * (double)done / (double)p->total : 100.0;
  char eta[32] = "";
  if (done > 0 && done < p->total)
    snprintf(eta, sizeof eta, ", %.0f s to go", el / (double)done * (double)(p->total - done));
  fprintf(stderr, "\r  %llu/%llu %s (%.0f %%), %.0f s%s  \033[K", (unsigned long long)done,
          (unsigned long long)p->total, p->what, pct, el, eta);
  fflush(stderr);
  p->shown = 1;
}

void cim_progress_end(cim_progress *p) {
  if (p->shown) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
  }
  p->shown = 0;
}

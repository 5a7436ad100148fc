/* cim_progress.h: what a long run owes the person at the terminal: a
 * progress line while it works, and a clean stop on Ctrl-C.
 *
 * Progress goes to stderr, only when stderr is a terminal (a log file or a
 * regression's pipe gets nothing), at most a few times a second, one line
 * rewritten in place and erased at the end.
 *
 * Interrupts: cim_interrupt_catch() makes SIGINT and SIGTERM set a flag
 * that the run polls between items (cim_interrupted()); the run then stops
 * at the next point where its outputs are consistent, says so, and exits
 * with 128 + the signal's number, as a shell expects. A second signal is
 * not caught: it kills at once. The flag is the process's one piece of
 * global state: a signal handler has no context to reach.
 *
 *   cim_interrupt_catch();
 *   cim_progress p;
 *   cim_progress_start(&p, "vectors", n);
 *   for (i = 0; i < n && !cim_interrupted(); i++) { ...; cim_progress_update(&p, i + 1); }
 *   cim_progress_end(&p);
 */
#ifndef CIM_PROGRESS_H
#define CIM_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cim_progress {
  const char *what; /* items' name: "vectors", "tiles" */
  uint64_t total;
  int on;           /* stderr is a terminal (or CIM_PROGRESS=1) */
  double t0_s, last_s;
  int shown;        /* a line is on the screen */
} cim_progress;

/* Start counting total items; prints nothing yet. CIM_PROGRESS=1 in the
 * environment shows the line on any stderr, =0 on none. */
void cim_progress_start(cim_progress *p, const char *what, uint64_t total);
/* done of total items finished: rewrites the line if 0.25 s passed. */
void cim_progress_update(cim_progress *p, uint64_t done);
/* Erase the line (before the run's report). */
void cim_progress_end(cim_progress *p);

/* Catch SIGINT and SIGTERM (once each: the handler then restores the
 * default action). 0, or -1 if sigaction failed. */
int cim_interrupt_catch(void);
/* The signal caught since cim_interrupt_catch(), or 0. */
int cim_interrupted(void);

#ifdef __cplusplus
}
#endif

#endif

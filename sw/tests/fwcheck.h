/* fwcheck.h: expectations recorded by firmware running inside the
 * simulation, asserted by the test once the simulation has returned. */
#ifndef FWCHECK_H
#define FWCHECK_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct fwcheck {
  int n_checked;
  int n_failed;
  char log[4096]; /* the first failures, one per line */
} fwcheck;

__attribute__((format(printf, 3, 4))) static inline void fwcheck_expect(fwcheck *c, int ok,
                                                                        const char *fmt, ...) {
  c->n_checked++;
  if (ok) return;
  c->n_failed++;
  size_t used = strlen(c->log);
  if (used + 2 >= sizeof c->log) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->log + used, sizeof c->log - used - 1, fmt, ap);
  va_end(ap);
  used = strlen(c->log);
  c->log[used] = '\n';
  c->log[used + 1] = '\0';
}

/* Assert, in the test body, that the firmware checked something and that
 * every expectation held; ctx is a struct with a fwcheck member c. */
#define ASSERT_FW_CLEAN(ctx)                                                                 \
  do {                                                                                       \
    ck_assert_msg((ctx).c.n_checked > 0, "the firmware checked nothing");                  \
    ck_assert_msg((ctx).c.n_failed == 0, "%d of %d checks failed:\n%s", (ctx).c.n_failed, \
                  (ctx).c.n_checked, (ctx).c.log);                                           \
  } while (0)

/* Value of field f of register reg in v (masks from the generated header). */
#define FIELD(reg, f, v) (((v) & CIM_REGS__##reg##__##f##_bm) >> CIM_REGS__##reg##__##f##_bp)

#endif

/* rram_status.c: text of the result codes, expanded from the same table as
 * the enum (rram_status.h) so a new code cannot lack its message, and the
 * message formatting the modules share (rram_util.h). */
#include "rram_status.h"

#include <stdarg.h>
#include <stdio.h>

#include "rram_util.h"

const char *rram_strerror(int status) {
  switch (status) {
#define RRAM_STATUS_TEXT(name, value, text) \
  case value:                               \
    return text;
    RRAM_STATUS_MAP(RRAM_STATUS_TEXT)
#undef RRAM_STATUS_TEXT
    default:
      return "unknown status";
  }
}

void rram__fmt_err(char *err, size_t err_len, const char *fmt, ...) {
  if (!err || err_len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
}

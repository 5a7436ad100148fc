/* rram_status.c: text of the result codes, expanded from the same table as
 * the enum (rram_status.h) so a new code cannot lack its message. */
#include "rram_status.h"

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

/* rram_util.h: internal helpers shared by the cmodel modules (not API). */
#ifndef RRAM_UTIL_H
#define RRAM_UTIL_H

#include <stddef.h>

/* printf into a caller's message buffer; err may be NULL or err_len 0
 * (the caller did not ask for a message). */
void rram__fmt_err(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

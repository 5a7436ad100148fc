/* rram_status.h: result codes shared by every cmodel module. */
#ifndef RRAM_STATUS_H
#define RRAM_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* One table, expanded into the enum and into rram_strerror(), so the two
 * cannot drift apart. 0 means success; every other code leaves the object it
 * was called on unchanged unless its function says otherwise. */
#define RRAM_STATUS_MAP(X)                                                   \
  X(RRAM_OK, 0, "success")                                                   \
  X(RRAM_EINVAL, 1, "argument out of range")                                 \
  X(RRAM_ENOMEM, 2, "out of memory")                                         \
  X(RRAM_ESEQ, 3, "the recorded run does not follow the controller's sequence") \
  X(RRAM_EIO, 4, "cannot read or parse a file")                             \
  X(RRAM_ENOTFOUND, 5, "no such preset or file")

enum rram_status {
#define RRAM_STATUS_ENUM(name, value, text) name = value,
  RRAM_STATUS_MAP(RRAM_STATUS_ENUM)
#undef RRAM_STATUS_ENUM
};

/* Static text for a status code; never NULL ("unknown status" if unknown). */
const char *rram_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif

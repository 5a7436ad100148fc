/* cim_outfile.c: outputs written whole or not at all (contract in
 * cim_outfile.h). */
#define _XOPEN_SOURCE 700 /* fsync, realpath, O_CLOEXEC alongside the build's POSIX level */
#include "cim_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bytes of the target's name kept in the temporary's name: the name plus
 * ".", ".tmp.XXXXXX" and the FST writer's ".hier" must stay under NAME_MAX
 * (255 on every Linux file system). */
#define OUTF__BASE_KEEP 200
/* Names tried before giving up on creating a temporary file. */
#define OUTF__TRIES 100

struct cim_outfile {
  char *path;   /* as given, for messages */
  char *target; /* what the rename replaces (symbolic links resolved) */
  char *tmp;    /* temporary file; NULL for stdout */
  FILE *fp;     /* NULL once closed */
  int is_stdout;
  int errnum;    /* first failure: errno, -1 unknown, 0 none (see failed) */
  int failed;
  char why[160]; /* reason when errnum is 0 */
};

static int outf_msg(char *err, size_t err_len, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int outf_msg(char *err, size_t err_len, int status, const char *fmt, ...) {
  if (err && err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
  }
  return status;
}

/* Folder and last component of path: "a/b/c" -> "a/b", "c"; "c" -> ".",
 * "c"; "/c" -> "/", "c". Both malloc'd; base is "" when path ends in '/'.
 * 0, or -1 when out of memory. */
static int outf_split(const char *path, char **dir, char **base) {
  const char *slash = strrchr(path, '/');
  if (!slash) {
    *dir = strdup(".");
    *base = strdup(path);
  } else {
    const size_t dlen = slash == path ? 1 : (size_t)(slash - path);
    *dir = malloc(dlen + 1);
    if (*dir) {
      memcpy(*dir, path, dlen);
      (*dir)[dlen] = '\0';
    }
    *base = strdup(slash + 1);
  }
  if (!*dir || !*base) {
    free(*dir);
    free(*base);
    *dir = *base = NULL;
    return -1;
  }
  return 0;
}

/* splitmix64: spreads the seed bits over the temporary's name. */
static uint64_t outf_mix(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Create a new file ".BASE.tmp.XXXXXX" in dir with O_EXCL, as mkstemp does,
 * but with mode 0666 under the umask (mkstemp gives 0600, which the rename
 * would then give the output). Returns the fd and *name (malloc'd), or -1
 * with errno set. */
static int outf_create_tmp(const char *dir, const char *base, char **name) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int local = 0;
  uint64_t seed = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
                  ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&local;
  const size_t blen = strlen(base) > OUTF__BASE_KEEP ? OUTF__BASE_KEEP : strlen(base);
  const size_t len = strlen(dir) + blen + 32;
  char *buf = malloc(len);
  if (!buf) {
    errno = ENOMEM;
    return -1;
  }
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int t = 0; t < OUTF__TRIES; t++) {
    uint64_t r = outf_mix(&seed);
    char suffix[7];
    for (int i = 0; i < 6; i++, r /= 36) suffix[i] = alphabet[r % 36];
    suffix[6] = '\0';
    snprintf(buf, len, "%s/.%.*s.tmp.%s", dir, (int)blen, base, suffix);
    const int fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      *name = buf;
      return fd;
    }
    if (errno != EEXIST) break;
  }
  const int e = errno;
  free(buf);
  errno = e;
  return -1;
}

/* Text of a non-regular file's kind, or NULL for a regular file. */
static const char *outf_kind(mode_t m) {
  if (S_ISREG(m)) return NULL;
  if (S_ISDIR(m)) return "a folder";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

/* ---- preflight ---------------------------------------------------------- */

/* What identifies a file named on the command line. */
typedef struct outf_id {
  int exists;
  dev_t dev;
  ino_t ino;
  char *canon; /* canonical folder + "/" + name, NULL if the folder is unknown */
} outf_id;

static void outf_identify(const char *path, outf_id *id) {
  struct stat st;
  memset(id, 0, sizeof *id);
  if (stat(path, &st) == 0) {
    id->exists = 1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
  }
  char *dir, *base;
  if (outf_split(path, &dir, &base) != 0) return;
  char *rdir = realpath(dir, NULL);
  if (rdir) {
    const size_t len = strlen(rdir) + strlen(base) + 2;
    id->canon = malloc(len);
    if (id->canon) snprintf(id->canon, len, "%s/%s", strcmp(rdir, "/") ? rdir : "", base);
  }
  free(rdir);
  free(dir);
  free(base);
}

static int outf_same(const outf_id *a, const outf_id *b) {
  if (a->exists && b->exists) return a->dev == b->dev && a->ino == b->ino;
  if (a->exists != b->exists) return 0;
  return a->canon && b->canon && strcmp(a->canon, b->canon) == 0;
}

/* One output on its own: kind, folder, a probe file in the folder. */
static int outf_check_one(const cim_outfile_spec *o, char *err, size_t err_len) {
  struct stat st, lst;
  const char *kind;
  if (lstat(o->path, &lst) == 0 && S_ISLNK(lst.st_mode) && stat(o->path, &st) != 0)
    return outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                    "%s: %s: a symbolic link to a missing file", o->opt, o->path);
  if (stat(o->path, &st) == 0 && (kind = outf_kind(st.st_mode)) != NULL)
    return outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                    "%s: %s: not a regular file (%s); outputs are written through a "
                    "temporary file and a rename, so only a regular file can be replaced",
                    o->opt, o->path, kind);
  /* The folder the rename happens in: that of the resolved file when the
   * path is a link (cim_outfile_open does the same). */
  char *resolved = NULL;
  if (lstat(o->path, &lst) == 0 && S_ISLNK(lst.st_mode)) resolved = realpath(o->path, NULL);
  char *dir, *base;
  if (outf_split(resolved ? resolved : o->path, &dir, &base) != 0) {
    free(resolved);
    return outf_msg(err, err_len, CIM_OUTFILE_ENOMEM, "%s: %s: out of memory", o->opt, o->path);
  }
  int rc = CIM_OUTFILE_OK;
  if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
    rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: %s: names a folder, not a file", o->opt,
                  o->path);
  } else if (stat(dir, &st) != 0) {
    const int e = errno;
    rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: %s: folder '%s' %s", o->opt, o->path,
                  dir, e == ENOENT ? "does not exist" : strerror(e));
  } else if (!S_ISDIR(st.st_mode)) {
    rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: %s: '%s' is not a folder", o->opt,
                  o->path, dir);
  } else {
    char *probe = NULL;
    const int fd = outf_create_tmp(dir, base, &probe);
    if (fd < 0) {
      rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                    "%s: %s: cannot create a file in folder '%s': %s", o->opt, o->path, dir,
                    strerror(errno));
    } else {
      close(fd);
      unlink(probe);
      free(probe);
    }
  }
  free(dir);
  free(base);
  free(resolved);
  return rc;
}

int cim_outfile_preflight(const cim_outfile_spec *outs, size_t n_outs,
                          const cim_outfile_spec *ins, size_t n_ins, char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
  if ((n_outs && !outs) || (n_ins && !ins))
    return outf_msg(err, err_len, CIM_OUTFILE_EINVAL, "cim_outfile_preflight: NULL list");
  outf_id *out_id = calloc(n_outs ? n_outs : 1, sizeof *out_id);
  outf_id *in_id = calloc(n_ins ? n_ins : 1, sizeof *in_id);
  int rc = CIM_OUTFILE_OK;
  if (!out_id || !in_id) {
    rc = outf_msg(err, err_len, CIM_OUTFILE_ENOMEM, "out of memory");
    goto out;
  }
  for (size_t j = 0; j < n_ins; j++)
    if (ins[j].path && strcmp(ins[j].path, "-") != 0) outf_identify(ins[j].path, &in_id[j]);
  const char *stdout_opt = NULL;
  for (size_t i = 0; i < n_outs && rc == CIM_OUTFILE_OK; i++) {
    const cim_outfile_spec *o = &outs[i];
    const char *opt = o->opt ? o->opt : "output";
    if (!o->path) continue;
    if (o->path[0] == '\0') {
      rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: empty file name", opt);
      break;
    }
    if (strcmp(o->path, "-") == 0) {
      if (!o->allow_stdout)
        rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                      "%s: -: this output cannot go to standard output; name a file", opt);
      else if (stdout_opt)
        rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                      "%s: -: standard output is already taken by %s", opt, stdout_opt);
      stdout_opt = opt;
      continue;
    }
    cim_outfile_spec named = *o;
    named.opt = opt;
    rc = outf_check_one(&named, err, err_len);
    if (rc != CIM_OUTFILE_OK) break;
    outf_identify(o->path, &out_id[i]);
    for (size_t j = 0; j < n_ins && rc == CIM_OUTFILE_OK; j++)
      if (ins[j].path && strcmp(ins[j].path, "-") != 0 && outf_same(&out_id[i], &in_id[j]))
        rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: %s: names the same file as %s",
                      opt, o->path, ins[j].opt ? ins[j].opt : "an input");
    for (size_t j = 0; j < i && rc == CIM_OUTFILE_OK; j++)
      if (outs[j].path && strcmp(outs[j].path, "-") != 0 && outf_same(&out_id[i], &out_id[j]))
        rc = outf_msg(err, err_len, CIM_OUTFILE_EREFUSE, "%s: %s: names the same file as %s",
                      opt, o->path, outs[j].opt ? outs[j].opt : "another output");
  }
out:
  for (size_t i = 0; out_id && i < n_outs; i++) free(out_id[i].canon);
  for (size_t j = 0; in_id && j < n_ins; j++) free(in_id[j].canon);
  free(out_id);
  free(in_id);
  return rc;
}

/* ---- writing ------------------------------------------------------------ */

static void outf_free(cim_outfile *o) {
  if (!o) return;
  free(o->path);
  free(o->target);
  free(o->tmp);
  free(o);
}

int cim_outfile_open(const char *path, cim_outfile **out, char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
  if (out) *out = NULL;
  if (!path || !out || !path[0])
    return outf_msg(err, err_len, CIM_OUTFILE_EINVAL, "cim_outfile_open: %s",
                    !out ? "NULL handle" : "empty file name");
  cim_outfile *o = calloc(1, sizeof *o);
  if (!o || !(o->path = strdup(path))) {
    free(o);
    return outf_msg(err, err_len, CIM_OUTFILE_ENOMEM, "%s: out of memory", path);
  }
  if (strcmp(path, "-") == 0) {
    o->is_stdout = 1;
    o->fp = stdout;
    *out = o;
    return CIM_OUTFILE_OK;
  }
  /* Never rename over a device or FIFO, even without a preflight: as root,
   * "/dev/full" would otherwise become a regular file. */
  struct stat lst, st;
  const char *kind;
  if (stat(path, &st) == 0 && (kind = outf_kind(st.st_mode)) != NULL) {
    outf_free(o);
    return outf_msg(err, err_len, CIM_OUTFILE_EREFUSE,
                    "%s: not a regular file (%s); outputs are written through a temporary "
                    "file and a rename, so only a regular file can be replaced",
                    path, kind);
  }
  if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) o->target = realpath(path, NULL);
  if (!o->target) o->target = strdup(path);
  char *dir = NULL, *base = NULL;
  if (!o->target || outf_split(o->target, &dir, &base) != 0) {
    outf_free(o);
    return outf_msg(err, err_len, CIM_OUTFILE_ENOMEM, "%s: out of memory", path);
  }
  const int fd = outf_create_tmp(dir, base, &o->tmp);
  if (fd < 0) {
    const int e = errno;
    outf_msg(err, err_len, CIM_OUTFILE_EIO, "%s: cannot create a temporary file in folder '%s': %s",
             path, dir, e == ENOENT ? "the folder does not exist" : strerror(e));
    free(dir);
    free(base);
    outf_free(o);
    return CIM_OUTFILE_EIO;
  }
  free(dir);
  free(base);
  o->fp = fdopen(fd, "wb");
  if (!o->fp) {
    const int e = errno;
    close(fd);
    unlink(o->tmp);
    outf_free(o);
    return outf_msg(err, err_len, CIM_OUTFILE_EIO, "%s: cannot open a stream: %s", path,
                    strerror(e));
  }
  *out = o;
  return CIM_OUTFILE_OK;
}

FILE *cim_outfile_fp(cim_outfile *o) { return o ? o->fp : NULL; }
const char *cim_outfile_path(const cim_outfile *o) { return o ? o->path : NULL; }
const char *cim_outfile_tmp_path(const cim_outfile *o) { return o ? o->tmp : NULL; }
int cim_outfile_error(const cim_outfile *o) {
  if (!o || !o->failed) return 0;
  return o->errnum ? o->errnum : -1;
}

void cim_outfile_fail(cim_outfile *o, int errnum, const char *why) {
  if (!o || o->failed) return;
  o->failed = 1;
  o->errnum = errnum;
  snprintf(o->why, sizeof o->why, "%s", why ? why : "write error");
}

/* Remember the first failure of a stdio call that set errno (0: unknown). */
static void outf_record(cim_outfile *o, int e) {
  cim_outfile_fail(o, e > 0 ? e : 0, "write error");
}

int cim_outfile_write(cim_outfile *o, const void *buf, size_t n) {
  if (!o || (!buf && n)) return CIM_OUTFILE_EINVAL;
  if (o->failed) return CIM_OUTFILE_EIO;
  if (!o->fp) {
    cim_outfile_fail(o, 0, "write after the stream was closed");
    return CIM_OUTFILE_EIO;
  }
  errno = 0;
  if (n && fwrite(buf, 1, n, o->fp) != n) {
    outf_record(o, errno);
    return CIM_OUTFILE_EIO;
  }
  return CIM_OUTFILE_OK;
}

int cim_outfile_printf(cim_outfile *o, const char *fmt, ...) {
  if (!o || !fmt) return CIM_OUTFILE_EINVAL;
  if (o->failed) return CIM_OUTFILE_EIO;
  if (!o->fp) {
    cim_outfile_fail(o, 0, "write after the stream was closed");
    return CIM_OUTFILE_EIO;
  }
  va_list ap;
  va_start(ap, fmt);
  errno = 0;
  const int n = vfprintf(o->fp, fmt, ap);
  va_end(ap);
  if (n < 0) {
    outf_record(o, errno);
    return CIM_OUTFILE_EIO;
  }
  return CIM_OUTFILE_OK;
}

/* Flush, sync and close the stream, each checked; stdout is flushed only. */
static void outf_finish_stream(cim_outfile *o) {
  if (!o->fp) return;
  errno = 0;
  if (fflush(o->fp) != 0) outf_record(o, errno);
  if (ferror(o->fp)) outf_record(o, 0); /* a writer that used the stream itself */
  if (o->is_stdout) {
    clearerr(o->fp); /* the caller reports it; later output gets its own check */
    return;
  }
  /* fsync so that a rename never publishes a file whose data the kernel
   * could still fail to write (delayed allocation, NFS, quota). */
  if (!o->failed && fsync(fileno(o->fp)) != 0 && errno != EINVAL) outf_record(o, errno);
  errno = 0;
  if (fclose(o->fp) != 0) outf_record(o, errno);
  o->fp = NULL;
}

int cim_outfile_close_stream(cim_outfile *o) {
  if (!o) return CIM_OUTFILE_EINVAL;
  if (!o->is_stdout) outf_finish_stream(o);
  return o->failed ? CIM_OUTFILE_EIO : CIM_OUTFILE_OK;
}

static const char *outf_reason(const cim_outfile *o) {
  return o->errnum > 0 ? strerror(o->errnum) : o->why;
}

int cim_outfile_commit(cim_outfile *o, char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
  if (!o) return outf_msg(err, err_len, CIM_OUTFILE_EINVAL, "cim_outfile_commit: NULL handle");
  outf_finish_stream(o);
  int rc = CIM_OUTFILE_OK;
  if (o->is_stdout) {
    if (o->failed)
      rc = outf_msg(err, err_len, CIM_OUTFILE_EIO, "standard output: write failed: %s",
                    outf_reason(o));
    outf_free(o);
    return rc;
  }
  if (!o->failed) { /* the stream was closed early: sync the file by name */
    const int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      outf_record(o, errno);
    else {
      if (fsync(fd) != 0 && errno != EINVAL) outf_record(o, errno);
      close(fd);
    }
  }
  if (o->failed) {
    rc = outf_msg(err, err_len, CIM_OUTFILE_EIO, "%s: write failed: %s", o->path,
                  outf_reason(o));
    unlink(o->tmp);
  } else if (rename(o->tmp, o->target) != 0) {
    rc = outf_msg(err, err_len, CIM_OUTFILE_EIO, "%s: cannot replace the file: %s", o->path,
                  strerror(errno));
    unlink(o->tmp);
  } else {
    /* Best effort: make the rename itself durable. */
    char *dir, *base;
    if (outf_split(o->target, &dir, &base) == 0) {
      const int dfd = open(dir, O_RDONLY | O_CLOEXEC);
      if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
      }
      free(dir);
      free(base);
    }
  }
  outf_free(o);
  return rc;
}

void cim_outfile_abort(cim_outfile *o) {
  if (!o) return;
  if (o->fp && !o->is_stdout) fclose(o->fp);
  if (o->tmp) unlink(o->tmp);
  outf_free(o);
}

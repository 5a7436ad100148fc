/* cim_outfile.h: output files that are written whole or not at all.
 *
 * Every output of the programs (the --out CSV, the --stats CSV, the FST
 * trace) is written the way compilers and git write theirs: into a new
 * temporary file in the target's own folder, every write checked, then
 * flushed, fsync'ed and closed (each checked), and renamed over the target
 * only when all of that succeeded. A failed or aborted output removes its
 * temporary file: the target is either the complete new file or whatever
 * was there before, never a partial file.
 *
 * Because the target is replaced by a rename, only a regular file (or a
 * name that does not exist yet) can be an output: a FIFO, a device such as
 * /dev/full or a directory is refused. A symbolic link to a regular file is
 * followed: the file it points to is replaced and the link kept.
 *
 * "-" names standard output where the caller allows it (see
 * cim_outfile_spec.allow_stdout): the data then goes straight to stdout,
 * without a temporary file, and the flush at commit is checked, so a full
 * disk or a closed pipe behind stdout is still an error.
 *
 * Before a long simulation starts, cim_outfile_preflight() checks a whole
 * command line's outputs against its inputs: folders exist and take a new
 * file (probed by creating and removing a temporary file there, never by
 * opening the target, which would hang on a FIFO), no output is a
 * non-regular file, and no output names an input or another output. The
 * programs report its message with exit status 2 (bad options).
 *
 * Typical use:
 *   char err[CIM_OUTFILE_MSG_LEN];
 *   const cim_outfile_spec outs[] = {{"--out", out_path, 1}, {"--stats", stats_path, 1},
 *                                    {"--trace", trace_path, 0}};
 *   const cim_outfile_spec ins[] = {{"--weights", w_path, 0}, {"--inputs", x_path, 0}};
 *   if (cim_outfile_preflight(outs, 3, ins, 2, err, sizeof err) != CIM_OUTFILE_OK)
 *     { fprintf(stderr, "cim_mvm: %s\n", err); return 2; }
 *   ... simulate ...
 *   cim_outfile *o;
 *   if (cim_outfile_open(stats_path, &o, err, sizeof err) != CIM_OUTFILE_OK) ...
 *   cim_check_write_csv(&chk, cim_outfile_fp(o));      // any stdio writer
 *   if (cim_outfile_commit(o, err, sizeof err) != CIM_OUTFILE_OK) ... // "s.csv: write failed: ..."
 *
 * A program using it should ignore SIGXFSZ at start (signal(SIGXFSZ,
 * SIG_IGN)): then a write past the file size limit (ulimit -f) fails with
 * EFBIG and is reported like a full disk, instead of killing the process
 * with a temporary file left behind.
 *
 * The module prints nothing and keeps no global state. */
#ifndef CIM_OUTFILE_H
#define CIM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum cim_outfile_status {
  CIM_OUTFILE_OK = 0,
  CIM_OUTFILE_EINVAL = 1, /* NULL or empty argument */
  CIM_OUTFILE_EREFUSE = 2, /* preflight: this output may not be written (message says why) */
  CIM_OUTFILE_EIO = 3,    /* cannot create the temporary, a write, flush, sync, close
                             or the rename failed */
  CIM_OUTFILE_ENOMEM = 4
};

/* A buffer of this size holds every message of the module except for very
 * long paths. */
#define CIM_OUTFILE_MSG_LEN 1024

/* The name to give "-" in messages. */
#define CIM_OUTFILE_STDOUT "-"

typedef struct cim_outfile cim_outfile;

/* One file named on the command line, for cim_outfile_preflight. */
typedef struct cim_outfile_spec {
  const char *opt;  /* option that named it, for messages ("--out"); not NULL */
  const char *path; /* NULL: the option was not given, skipped */
  int allow_stdout; /* outputs only: "-" means standard output */
} cim_outfile_spec;

/** Check outputs and inputs before any work starts. For each output with a
 * path: not empty; if it exists, a regular file (after symbolic links) and
 * not a directory, FIFO, device or socket; its folder exists and a file can
 * be created and removed there; it does not name the same file as an input
 * or an earlier output (the same device and inode when both exist, else the
 * same canonical folder and name). Inputs are only compared, never opened.
 * "-" as an output is standard output when allow_stdout is set (at most one
 * output may take it), else an error.
 * @return CIM_OUTFILE_OK, or CIM_OUTFILE_EREFUSE / CIM_OUTFILE_EINVAL with
 *         err naming the option and the path, e.g.
 *         "--out: y.csv: names the same file as --weights",
 *         "--trace: nodir/t.fst: folder 'nodir' does not exist",
 *         "--stats: /dev/full: not a regular file (a character device); outputs
 *          are written through a temporary file and a rename". */
int cim_outfile_preflight(const cim_outfile_spec *outs, size_t n_outs,
                          const cim_outfile_spec *ins, size_t n_ins, char *err, size_t err_len);

/** Start writing path: create a new temporary file ".NAME.tmp.XXXXXX" in
 * path's folder (mode 0666 less the umask, as a plain create would give).
 * "-" writes standard output. Does not check inputs: call
 * cim_outfile_preflight first.
 * @param[out] out the handle; NULL on error
 * @return CIM_OUTFILE_OK, CIM_OUTFILE_EIO ("t.fst: cannot create a temporary
 *         file in folder 'x': ..."), CIM_OUTFILE_EREFUSE (path is a FIFO,
 *         device, folder or socket), CIM_OUTFILE_EINVAL, CIM_OUTFILE_ENOMEM */
int cim_outfile_open(const char *path, cim_outfile **out, char *err, size_t err_len);

/** The stream to write with any stdio function (fprintf, fwrite, a library
 * writer taking a FILE *); errors on it are found at commit through ferror
 * and the final flush. NULL after cim_outfile_close_stream. */
FILE *cim_outfile_fp(cim_outfile *o);

/** Checked writes: the first failure is remembered (its errno) and every
 * later write is skipped. Return CIM_OUTFILE_OK or CIM_OUTFILE_EIO. */
int cim_outfile_write(cim_outfile *o, const void *buf, size_t n);
int cim_outfile_printf(cim_outfile *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** 0 while every write succeeded, else the errno of the first failure (-1
 * when unknown). */
int cim_outfile_error(const cim_outfile *o);

/** Record a failure found by the caller (e.g. a writer that works by file
 * name and validated its file): errnum as errno, or 0 with why as the
 * reason. Only the first failure is kept; commit then fails. */
void cim_outfile_fail(cim_outfile *o, int errnum, const char *why);

/** Target path as given to cim_outfile_open ("-" for stdout). */
const char *cim_outfile_path(const cim_outfile *o);

/** Path of the temporary file, for a writer that needs a file name (the FST
 * writer creates its own file there); NULL for stdout. */
const char *cim_outfile_tmp_path(const cim_outfile *o);

/** Flush and close the stream now (both checked and remembered), keeping the
 * temporary file for a writer that reopens it by name. Commit or abort still
 * follows. CIM_OUTFILE_OK or CIM_OUTFILE_EIO. */
int cim_outfile_close_stream(cim_outfile *o);

/** Finish: flush, fsync and close the temporary file (each checked), then
 * rename it over the target. On any failure, now or remembered from a
 * write, the temporary file is removed, the target is left as it was, and
 * err gets "PATH: write failed: REASON" (or "PATH: cannot replace the file:
 * REASON" when the rename failed). For stdout: flush and check. Frees o in
 * every case (NULL is EINVAL).
 * @return CIM_OUTFILE_OK or CIM_OUTFILE_EIO */
int cim_outfile_commit(cim_outfile *o, char *err, size_t err_len);

/** Give up: close and remove the temporary file, leave the target as it
 * was, free o. NULL is a no-op. */
void cim_outfile_abort(cim_outfile *o);

#ifdef __cplusplus
}
#endif
#endif

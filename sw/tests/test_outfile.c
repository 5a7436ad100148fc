/* test_outfile.c: outputs written whole or not at all (cim_outfile.h) and
 * the CSV writer on top of it. No simulation: every test works in its own
 * mkdtemp folder and runs in its own process (Check's fork mode), so the
 * file size limits and redirections it sets die with it. */
#define _XOPEN_SOURCE 700 /* mkdtemp, mkfifo, symlink, link, setrlimit */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cim_outfile.h"
#include "csv.h"
#include "suites.h"

/* Seconds any test may take: a test that hangs on a FIFO fails, not stalls. */
#define OUTFILE_ALARM_S 20

typedef struct tdir {
  char dir[256];
} tdir;

static void tdir_make(tdir *t) {
  const char *base = getenv("TMPDIR");
  snprintf(t->dir, sizeof t->dir, "%s/test_outfile.XXXXXX", base && *base ? base : "/tmp");
  ck_assert_msg(mkdtemp(t->dir) != NULL, "mkdtemp: %s", strerror(errno));
  alarm(OUTFILE_ALARM_S);
}

static char *tpath(const tdir *t, const char *name, char *buf, size_t len) {
  snprintf(buf, len, "%s/%s", t->dir, name);
  return buf;
}

/* Names in the folder other than "." and ".." (the test's own files plus any
 * temporary the module left behind). */
static int tdir_count(const tdir *t) {
  DIR *d = opendir(t->dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

/* Remove the folder and everything directly in it. */
static void tdir_done(tdir *t) {
  DIR *d = opendir(t->dir);
  if (!d) return;
  struct dirent *e;
  char p[600];
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(tpath(t, e->d_name, p, sizeof p));
  closedir(d);
  rmdir(t->dir);
}

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
  fputs(text, f);
  ck_assert(fclose(f) == 0);
}

/* The whole file as a string (static buffer of the test process). */
static const char *slurp(const char *path) {
  static char buf[1 << 16];
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

START_TEST(test_outfile_commit_replaces_whole) {
  tdir t;
  tdir_make(&t);
  char p[512], err[CIM_OUTFILE_MSG_LEN];
  tpath(&t, "y.csv", p, sizeof p);
  put(p, "old\n");
  cim_outfile *o;
  ck_assert_int_eq(cim_outfile_open(p, &o, err, sizeof err), CIM_OUTFILE_OK);
  ck_assert_msg(strstr(cim_outfile_tmp_path(o), "/.y.csv.tmp."), "%s", cim_outfile_tmp_path(o));
  ck_assert_int_eq(tdir_count(&t), 2); /* the target and its temporary */
  ck_assert_int_eq(cim_outfile_printf(o, "%d,%d\n", 1, 2), CIM_OUTFILE_OK);
  ck_assert_str_eq(slurp(p), "old\n"); /* nothing visible before the commit */
  fputs("3,4\n", cim_outfile_fp(o));   /* any stdio writer */
  ck_assert_int_eq(cim_outfile_commit(o, err, sizeof err), CIM_OUTFILE_OK);
  ck_assert_str_eq(slurp(p), "1,2\n3,4\n");
  ck_assert_int_eq(tdir_count(&t), 1);
  /* a new file gets 0666 under the umask, not mkstemp's 0600 */
  umask(022);
  tpath(&t, "new.csv", p, sizeof p);
  ck_assert_int_eq(csv_write_int32(p, (const int32_t[]){-1, 2}, 1, 2, err, sizeof err), CSV_OK);
  struct stat st;
  ck_assert_int_eq(stat(p, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0644);
  ck_assert_str_eq(slurp(p), "-1,2\n");
  tdir_done(&t);
}
END_TEST

START_TEST(test_outfile_abort_keeps_old) {
  tdir t;
  tdir_make(&t);
  char p[512], err[CIM_OUTFILE_MSG_LEN];
  tpath(&t, "y.csv", p, sizeof p);
  put(p, "old\n");
  cim_outfile *o;
  ck_assert_int_eq(cim_outfile_open(p, &o, err, sizeof err), CIM_OUTFILE_OK);
  cim_outfile_printf(o, "partial");
  cim_outfile_abort(o);
  ck_assert_str_eq(slurp(p), "old\n");
  ck_assert_int_eq(tdir_count(&t), 1);
  /* a failure the caller found (a by-name writer's check) fails the commit */
  ck_assert_int_eq(cim_outfile_open(p, &o, err, sizeof err), CIM_OUTFILE_OK);
  cim_outfile_printf(o, "new\n");
  ck_assert_int_eq(cim_outfile_close_stream(o), CIM_OUTFILE_OK);
  cim_outfile_fail(o, 0, "the file does not read back");
  ck_assert_int_eq(cim_outfile_commit(o, err, sizeof err), CIM_OUTFILE_EIO);
  char want[700];
  snprintf(want, sizeof want, "%s: write failed: the file does not read back", p);
  ck_assert_str_eq(err, want);
  ck_assert_str_eq(slurp(p), "old\n");
  ck_assert_int_eq(tdir_count(&t), 1);
  tdir_done(&t);
}
END_TEST

/* A file system that fills up: the file size limit makes writes fail with
 * EFBIG once SIGXFSZ is ignored, like ENOSPC on a full disk. */
START_TEST(test_outfile_write_error_leaves_old_file) {
  tdir t;
  tdir_make(&t);
  char p[512], err[CSV_ERRMSG_LEN];
  tpath(&t, "y.csv", p, sizeof p);
  put(p, "old\n");
  enum { ROWS = 2000, COLS = 50 };
  int32_t *m = calloc(ROWS * COLS, sizeof *m);
  for (int i = 0; i < ROWS * COLS; i++) m[i] = -1000000 - i;
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit rl = {16384, 16384};
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
  const int rc = csv_write_int32(p, m, ROWS, COLS, err, sizeof err);
  ck_assert_msg(rc == CSV_EIO, "rc %d: %s", rc, err);
  ck_assert_msg(strstr(err, "y.csv") && strstr(err, "write failed: File too large"), "%s", err);
  ck_assert_str_eq(slurp(p), "old\n");
  ck_assert_int_eq(tdir_count(&t), 1); /* no temporary left */
  /* the same through the handle's own checked writes */
  cim_outfile *o;
  char oerr[CIM_OUTFILE_MSG_LEN];
  ck_assert_int_eq(cim_outfile_open(p, &o, oerr, sizeof oerr), CIM_OUTFILE_OK);
  char block[4096];
  memset(block, 'x', sizeof block);
  int wrc = CIM_OUTFILE_OK;
  for (int i = 0; i < 10 && wrc == CIM_OUTFILE_OK; i++) wrc = cim_outfile_write(o, block, sizeof block);
  ck_assert_int_eq(wrc, CIM_OUTFILE_EIO);
  ck_assert_int_eq(cim_outfile_error(o), EFBIG);
  ck_assert_int_eq(cim_outfile_commit(o, oerr, sizeof oerr), CIM_OUTFILE_EIO);
  ck_assert_str_eq(slurp(p), "old\n");
  ck_assert_int_eq(tdir_count(&t), 1);
  free(m);
  tdir_done(&t);
}
END_TEST

START_TEST(test_outfile_stdout_checked) {
  /* stdout on a full device: the commit reports it */
  ck_assert_ptr_nonnull(freopen("/dev/full", "w", stdout));
  cim_outfile *o;
  char err[CIM_OUTFILE_MSG_LEN];
  ck_assert_int_eq(cim_outfile_open("-", &o, err, sizeof err), CIM_OUTFILE_OK);
  ck_assert_ptr_null(cim_outfile_tmp_path(o));
  cim_outfile_printf(o, "1,2\n");
  ck_assert_int_eq(cim_outfile_commit(o, err, sizeof err), CIM_OUTFILE_EIO);
  ck_assert_str_eq(err, "standard output: write failed: No space left on device");
  char cerr[CSV_ERRMSG_LEN];
  ck_assert_int_eq(csv_write_int32("-", (const int32_t[]){1}, 1, 1, cerr, sizeof cerr), CSV_EIO);
}
END_TEST

START_TEST(test_preflight_refuses_special_files) {
  tdir t;
  tdir_make(&t);
  char fifo[512], err[CIM_OUTFILE_MSG_LEN];
  tpath(&t, "pipe", fifo, sizeof fifo);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  /* a FIFO: refused without opening it (opening would block: the alarm
   * would end the test) */
  cim_outfile_spec outs[] = {{"--out", fifo, 1}};
  ck_assert_int_eq(cim_outfile_preflight(outs, 1, NULL, 0, err, sizeof err),
                   CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "--out: ") && strstr(err, "pipe: not a regular file (a FIFO)") &&
                    strstr(err, "temporary file and a rename"),
                "%s", err);
  cim_outfile *o;
  ck_assert_int_eq(cim_outfile_open(fifo, &o, err, sizeof err), CIM_OUTFILE_EREFUSE);
  /* a device, even for root */
  cim_outfile_spec full[] = {{"--stats", "/dev/full", 1}};
  ck_assert_int_eq(cim_outfile_preflight(full, 1, NULL, 0, err, sizeof err),
                   CIM_OUTFILE_EREFUSE);
  ck_assert_str_eq(err,
                   "--stats: /dev/full: not a regular file (a character device); outputs are "
                   "written through a temporary file and a rename, so only a regular file can be "
                   "replaced");
  ck_assert_int_eq(cim_outfile_open("/dev/full", &o, err, sizeof err), CIM_OUTFILE_EREFUSE);
  struct stat st;
  ck_assert_int_eq(stat("/dev/full", &st), 0);
  ck_assert(S_ISCHR(st.st_mode));
  /* a folder */
  cim_outfile_spec d[] = {{"--out", t.dir, 0}};
  ck_assert_int_eq(cim_outfile_preflight(d, 1, NULL, 0, err, sizeof err), CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "(a folder)"), "%s", err);
  ck_assert_int_eq(tdir_count(&t), 1); /* only the FIFO: the probes cleaned up */
  tdir_done(&t);
}
END_TEST

START_TEST(test_preflight_folders) {
  tdir t;
  tdir_make(&t);
  char p[512], want[1200], err[CIM_OUTFILE_MSG_LEN];
  tpath(&t, "nodir/t.fst", p, sizeof p);
  cim_outfile_spec outs[] = {{"--trace", p, 0}};
  ck_assert_int_eq(cim_outfile_preflight(outs, 1, NULL, 0, err, sizeof err),
                   CIM_OUTFILE_EREFUSE);
  snprintf(want, sizeof want, "--trace: %s: folder '%s/nodir' does not exist", p, t.dir);
  ck_assert_str_eq(err, want);
  cim_outfile *o;
  ck_assert_int_eq(cim_outfile_open(p, &o, err, sizeof err), CIM_OUTFILE_EIO);
  ck_assert_msg(strstr(err, "the folder does not exist"), "%s", err);
  /* a file where the folder should be */
  char f[512];
  put(tpath(&t, "plain", f, sizeof f), "x");
  tpath(&t, "plain/t.fst", p, sizeof p);
  ck_assert_int_eq(cim_outfile_preflight(outs, 1, NULL, 0, err, sizeof err),
                   CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "is not a folder") || strstr(err, "Not a directory"), "%s", err);
  /* a folder that takes no new file (not for root, who writes anyway) */
  if (geteuid() != 0) {
    char ro[512];
    tpath(&t, "ro", ro, sizeof ro);
    ck_assert_int_eq(mkdir(ro, 0500), 0);
    tpath(&t, "ro/y.csv", p, sizeof p);
    ck_assert_int_eq(cim_outfile_preflight(outs, 1, NULL, 0, err, sizeof err),
                     CIM_OUTFILE_EREFUSE);
    ck_assert_msg(strstr(err, "cannot create a file in folder") && strstr(err, "ermission"),
                  "%s", err);
    rmdir(ro);
  }
  /* "-" only where allowed, and only once */
  cim_outfile_spec dash[] = {{"--out", "-", 1}, {"--trace", "-", 0}};
  ck_assert_int_eq(cim_outfile_preflight(dash, 2, NULL, 0, err, sizeof err),
                   CIM_OUTFILE_EREFUSE);
  ck_assert_str_eq(err, "--trace: -: this output cannot go to standard output; name a file");
  cim_outfile_spec two[] = {{"--out", "-", 1}, {"--stats", "-", 1}};
  ck_assert_int_eq(cim_outfile_preflight(two, 2, NULL, 0, err, sizeof err), CIM_OUTFILE_EREFUSE);
  ck_assert_str_eq(err, "--stats: -: standard output is already taken by --out");
  /* all good: nothing created */
  tpath(&t, "y.csv", p, sizeof p);
  cim_outfile_spec good[] = {{"--out", p, 1}, {"--stats", NULL, 1}};
  ck_assert_msg(cim_outfile_preflight(good, 2, NULL, 0, err, sizeof err) == CIM_OUTFILE_OK, "%s",
                err);
  ck_assert_int_eq(tdir_count(&t), 1); /* "plain" only */
  tdir_done(&t);
}
END_TEST

START_TEST(test_preflight_same_file) {
  tdir t;
  tdir_make(&t);
  char w[512], x[512], y[512], alias[512], hard[512], want[1200], err[CIM_OUTFILE_MSG_LEN];
  put(tpath(&t, "w.csv", w, sizeof w), "1\n");
  put(tpath(&t, "x.csv", x, sizeof x), "1\n");
  tpath(&t, "y.csv", y, sizeof y);
  cim_outfile_spec ins[] = {{"--weights", w, 0}, {"--inputs", x, 0}, {"--device", "default", 0}};
  /* the same spelling */
  cim_outfile_spec o1[] = {{"--out", x, 1}};
  ck_assert_int_eq(cim_outfile_preflight(o1, 1, ins, 3, err, sizeof err), CIM_OUTFILE_EREFUSE);
  snprintf(want, sizeof want, "--out: %s: names the same file as --inputs", x);
  ck_assert_str_eq(err, want);
  /* another spelling, a symbolic link, a hard link */
  snprintf(alias, sizeof alias, "%s/./../%s/w.csv", t.dir, strrchr(t.dir, '/') + 1);
  cim_outfile_spec o2[] = {{"--stats", alias, 1}};
  ck_assert_int_eq(cim_outfile_preflight(o2, 1, ins, 3, err, sizeof err), CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "names the same file as --weights"), "%s", err);
  ck_assert_int_eq(symlink(w, tpath(&t, "sym.csv", alias, sizeof alias)), 0);
  cim_outfile_spec o3[] = {{"--out", alias, 1}};
  ck_assert_int_eq(cim_outfile_preflight(o3, 1, ins, 3, err, sizeof err), CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "names the same file as --weights"), "%s", err);
  ck_assert_int_eq(link(x, tpath(&t, "hard.csv", hard, sizeof hard)), 0);
  cim_outfile_spec o4[] = {{"--out", hard, 1}};
  ck_assert_int_eq(cim_outfile_preflight(o4, 1, ins, 3, err, sizeof err), CIM_OUTFILE_EREFUSE);
  ck_assert_msg(strstr(err, "names the same file as --inputs"), "%s", err);
  /* two outputs, neither exists yet: the same canonical folder and name */
  char y2[600];
  snprintf(y2, sizeof y2, "%s/./y.csv", t.dir);
  cim_outfile_spec o5[] = {{"--out", y, 1}, {"--stats", NULL, 1}, {"--trace", y2, 0}};
  ck_assert_int_eq(cim_outfile_preflight(o5, 3, ins, 3, err, sizeof err), CIM_OUTFILE_EREFUSE);
  snprintf(want, sizeof want, "--trace: %s: names the same file as --out", y2);
  ck_assert_str_eq(err, want);
  /* distinct files pass */
  cim_outfile_spec o6[] = {{"--out", y, 1}, {"--stats", NULL, 1}};
  ck_assert_msg(cim_outfile_preflight(o6, 2, ins, 3, err, sizeof err) == CIM_OUTFILE_OK, "%s",
                err);
  /* writing through the symbolic link replaces the file it points to */
  ck_assert_int_eq(csv_write_int32(alias, (const int32_t[]){7}, 1, 1, err, sizeof err), CSV_OK);
  struct stat st;
  ck_assert_int_eq(lstat(alias, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
  ck_assert_str_eq(slurp(w), "7\n");
  tdir_done(&t);
}
END_TEST

Suite *suite_outfile(void) {
  Suite *s = suite_create("outfile");
  suite_add_test(s, test_outfile_commit_replaces_whole);
  suite_add_test(s, test_outfile_abort_keeps_old);
  suite_add_test(s, test_outfile_write_error_leaves_old_file);
  suite_add_test(s, test_outfile_stdout_checked);
  suite_add_test(s, test_preflight_refuses_special_files);
  suite_add_test(s, test_preflight_folders);
  suite_add_test(s, test_preflight_same_file);
  return s;
}

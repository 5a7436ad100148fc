/* fuzz_replay.c: a main() for the fuzz targets without libFuzzer, so that
 * their seeds and regressions also run under gcc's ASan and UBSan
 * (mk/fuzz.mk, fuzz-replay). Each argument is an input file, or a folder
 * whose files are replayed in name order. A broken property aborts, as it
 * would under libFuzzer; the last "replaying" line names the input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "fuzz_replay: %s: cannot open\n", path);
    return -1;
  }
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) fuzz_fail("replay: out of memory");
      buf = nb;
    }
    const size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  const int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    fprintf(stderr, "fuzz_replay: %s: read error\n", path);
    return -1;
  }
  fprintf(stderr, "replaying %s (%zu bytes)\n", path, n);
  /* an exact-size copy, so ASan sees a read past the input's end */
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact) fuzz_fail("replay: out of memory");
  if (n) memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv) {
  int inputs = 0, errors = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* a target without regressions yet */
    if (!S_ISDIR(st.st_mode)) {
      errors += replay_file(argv[i]) != 0;
      inputs++;
      continue;
    }
    struct dirent **names = NULL;
    const int n = scandir(argv[i], &names, NULL, by_name);
    for (int k = 0; k < n; k++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
      if (names[k]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        errors += replay_file(path) != 0;
        inputs++;
      }
      free(names[k]);
    }
    free(names);
  }
  printf("%s: replayed %d inputs, all properties held\n", argv[0], inputs - errors);
  return errors ? 1 : 0;
}

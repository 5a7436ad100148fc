/* fuzz_device.c: the device-file parser (cmodel/rram_device.h) on any text.
 *
 * The input is the file's text (a NUL inside ends it, as it would a C
 * string). Properties, besides ASan and UBSan:
 *  - an error has a message and leaves the device unchanged;
 *  - a parsed device passes rram_device_check;
 *  - what rram_device_write prints parses back to the same device;
 *  - the same text loaded from a file (rram_device_load) gives the same
 *    status and device;
 *  - two runs of one input give the same transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rram_device.h"

static void put_dev(fuzz_out *o, const rram_device *d) {
  /* field by field through the writer: the struct has padding */
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) fuzz_fail("open_memstream failed");
  if (rram_device_write(mem, d) != RRAM_OK) fuzz_fail("rram_device_write failed");
  fclose(mem);
  fuzz_put(o, text, len);
  free(text);
}

static void run(const char *text, const char *path, fuzz_out *o) {
  rram_device dev, before;
  rram_device_ideal(&dev);
  before = dev;
  char err[512] = "";
  const int st = rram_device_parse(text, "fuzz.dev", &dev, err, sizeof err);
  fuzz_msg(st, err, "rram_device_parse");
  fuzz_int(o, st);
  fuzz_str(o, err);
  if (st != RRAM_OK) {
    if (!rram_device_equal(&dev, &before)) fuzz_fail("parse error %d changed the device", st);
  } else {
    char why[512] = "";
    if (rram_device_check(&dev, why, sizeof why) != RRAM_OK)
      fuzz_fail("a parsed device fails rram_device_check: %s", why);
    /* the writer's output is a device file that gives back the same bits */
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    if (!mem || rram_device_write(mem, &dev) != RRAM_OK) fuzz_fail("rram_device_write failed");
    fclose(mem);
    rram_device back;
    rram_device_ideal(&back);
    if (rram_device_parse(out, "written.dev", &back, why, sizeof why) != RRAM_OK ||
        !rram_device_equal(&back, &dev))
      fuzz_fail("the written device does not read back: %s", why);
    free(out);
  }
  put_dev(o, &dev);

  /* the file door: same status and device (messages name the file) */
  rram_device fdev;
  rram_device_ideal(&fdev);
  char ferr[512] = "";
  const int fst = rram_device_load(path, &fdev, ferr, sizeof ferr);
  fuzz_msg(fst, ferr, "rram_device_load");
  if (fst != st || !rram_device_equal(&fdev, &dev))
    fuzz_fail("rram_device_load gives %d (%s), rram_device_parse %d (%s)", fst, ferr, st, err);
  fuzz_str(o, ferr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  const char *path = fuzz_file(data, strlen(text)); /* the file ends where the text does */
  fuzz_out a = {0}, b = {0};
  run(text, path, &a);
  run(text, path, &b);
  fuzz_same(&a, &b, "device");
  free(text);
  return 0;
}

/* cim_energy.c: the parameter files and the energy sums (cim_energy.h). */
#include "cim_energy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rram_num.h"
#include "rram_switch.h"

#ifndef CIM_ENERGY_DIR
#error "build with -DCIM_ENERGY_DIR='\"<repository>/sw/energy\"' (Makefile)"
#endif

static const char *const k_presets[] = {"neurram_130nm", "neurosim_22nm", NULL};

const char *const *cim_energy_presets(void) { return k_presets; }

#define PKEY(f) {#f, offsetof(cim_energy_params, f)}
static const struct {
  const char *key;
  size_t off;
} k_keys[] = {PKEY(node_nm),         PKEY(clock_mhz),         PKEY(adc_fj_c0),
              PKEY(adc_fj_c1),       PKEY(adc_fj_c2),         PKEY(wl_cap_ff_fixed),
              PKEY(wl_cap_ff_per_col), PKEY(wl_v),            PKEY(shift_add_fj),
              PKEY(buffer_fj_per_word)};
#define N_KEYS (sizeof k_keys / sizeof k_keys[0])

/* Largest parameter file read, bytes. */
#define MAX_FILE ((size_t)64 * 1024)

static int parse(const char *text, const char *file, cim_energy_params *p, char *err, size_t len) {
  int line_of[N_KEYS] = {0};
  int line = 0;
  for (const char *s = text; *s;) {
    const char *eol = strchr(s, '\n');
    const size_t n = eol ? (size_t)(eol - s) : strlen(s);
    line++;
    char buf[256];
    if (n >= sizeof buf) {
      snprintf(err, len, "%s:%d: line longer than %zu characters", file, line, sizeof buf - 1);
      return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    s += n + (eol != NULL);
    char *hash = strchr(buf, '#');
    if (hash) *hash = '\0';
    char *k = buf + strspn(buf, " \t\r");
    if (*k == '\0') continue;
    char *eq = strchr(k, '=');
    if (!eq) {
      snprintf(err, len, "%s:%d: expected 'key = value', got '%.60s'", file, line, k);
      return -1;
    }
    char *kend = eq;
    while (kend > k && (kend[-1] == ' ' || kend[-1] == '\t')) kend--;
    *kend = '\0';
    char *v = eq + 1 + strspn(eq + 1, " \t");
    char *vend = v + strlen(v);
    while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t' || vend[-1] == '\r')) vend--;
    *vend = '\0';
    size_t i = 0;
    while (i < N_KEYS && strcmp(k_keys[i].key, k) != 0) i++;
    if (i == N_KEYS) {
      snprintf(err, len, "%s:%d: %.40s: unknown key", file, line, k);
      return -1;
    }
    if (line_of[i]) {
      snprintf(err, len, "%s:%d: %s: already set on line %d", file, line, k, line_of[i]);
      return -1;
    }
    double x = 0;
    char why[128];
    if (rram_num_real(v, 0.0, 1e12, &x, why, sizeof why) != RRAM_NUM_OK) {
      snprintf(err, len, "%s:%d: %s: %s", file, line, k, why);
      return -1;
    }
    *(double *)(void *)((char *)p + k_keys[i].off) = x;
    line_of[i] = line;
  }
  for (size_t i = 0; i < N_KEYS; i++) {
    if (!line_of[i]) {
      snprintf(err, len, "%s: %s: missing", file, k_keys[i].key);
      return -1;
    }
  }
  if (!(p->clock_mhz > 0.0)) {
    snprintf(err, len, "%s:%d: clock_mhz: must be > 0", file, line_of[1]);
    return -1;
  }
  return 0;
}

int cim_energy_load(const char *name, cim_energy_params *out, char *err, size_t len) {
  char dummy[8];
  if (!err || !len) {
    err = dummy;
    len = sizeof dummy;
  }
  if (!name || !out) {
    snprintf(err, len, "no energy parameters named");
    return -1;
  }
  char path[1024];
  int preset = 0;
  for (size_t i = 0; k_presets[i]; i++) preset |= strcmp(name, k_presets[i]) == 0;
  if (preset) snprintf(path, sizeof path, "%s/%s.energy", CIM_ENERGY_DIR, name);
  else snprintf(path, sizeof path, "%s", name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, len, "%s: %s (presets: neurram_130nm, neurosim_22nm)", name,
             errno == ENOENT ? "no such preset or file" : strerror(errno));
    return -1;
  }
  char *text = malloc(MAX_FILE + 1);
  size_t n = text ? fread(text, 1, MAX_FILE + 1, f) : 0;
  const int read_err = ferror(f);
  fclose(f);
  if (!text || read_err || n > MAX_FILE) {
    snprintf(err, len, "%s: %s", path, !text ? "out of memory" : read_err ? "read error"
                                                                           : "larger than 64 KiB");
    free(text);
    return -1;
  }
  text[n] = '\0';
  if (memchr(text, '\0', n)) {
    snprintf(err, len, "%s: not a text file (NUL byte)", path);
    free(text);
    return -1;
  }
  cim_energy_params p;
  memset(&p, 0, sizeof p);
  const int rc = parse(text, preset ? name : path, &p, err, len);
  free(text);
  if (rc != 0) return rc;
  snprintf(p.name, sizeof p.name, "%s", name);
  *out = p;
  return 0;
}

void cim_energy_activity_init(cim_energy_activity *e, const rram_array *array) {
  memset(e, 0, sizeof *e);
  const rram_geometry *g = rram_array_geometry(array);
  e->adc_bits = g->adc_bits;
  e->cols = g->cols;
  e->sense_bits = rram_switch_sense_bits(rram_array_device(array));
}

int cim_energy_mark_now(cim_dev *dev, const rram_array *array, cim_energy_mark *m) {
  const int st = cim_activity_read(dev, &m->act);
  if (st == CIM_OK) rram_array_activity(array, &m->model);
  return st;
}

int cim_energy_add_since(cim_dev *dev, const rram_array *array, cim_energy_mark *mark,
                         cim_energy_activity *e) {
  cim_energy_mark now;
  const int st = cim_energy_mark_now(dev, array, &now);
  if (st != CIM_OK) return st;
  cim_activity_add_delta(&e->act, &mark->act, &now.act);
  rram_activity *d = &e->model;
  const rram_activity *a = &mark->model, *b = &now.model;
  d->drives += b->drives - a->drives;
  d->wordlines += b->wordlines - a->wordlines;
  d->conversions += b->conversions - a->conversions;
  d->pulses += b->pulses - a->pulses;
  d->reads += b->reads - a->reads;
  d->e_drive_j += b->e_drive_j - a->e_drive_j;
  d->e_verify_j += b->e_verify_j - a->e_verify_j;
  d->e_pulse_j += b->e_pulse_j - a->e_pulse_j;
  *mark = now;
  return CIM_OK;
}

static double adc_fj(const cim_energy_params *p, int bits) {
  const double n = bits;
  return p->adc_fj_c0 + p->adc_fj_c1 * n + p->adc_fj_c2 * n * n;
}

void cim_energy_compute(const cim_energy_params *p, const cim_energy_activity *a, cim_energy *e) {
  memset(e, 0, sizeof *e);
  const double fj = 1e-15;
  const double c_wl = (p->wl_cap_ff_fixed + p->wl_cap_ff_per_col * a->cols) * fj;
  e->array_j = a->model.e_drive_j;
  e->adc_j = (double)a->act.conversions * adc_fj(p, a->adc_bits) * fj;
  e->drivers_j = (double)a->act.wordlines * c_wl * p->wl_v * p->wl_v;
  e->digital_j = ((double)a->act.shift_adds * p->shift_add_fj +
                  (double)a->buffer_words * p->buffer_fj_per_word) * fj;
  e->program_j = a->model.e_pulse_j + a->model.e_verify_j +
                 (double)a->act.reads * adc_fj(p, a->sense_bits) * fj;
  e->mvm_j = e->array_j + e->adc_j + e->drivers_j + e->digital_j;
  e->total_j = e->mvm_j + e->program_j;
  e->latency_s = (double)a->act.busy / (p->clock_mhz * 1e6);
  e->tops_per_w = e->mvm_j > 0.0 && a->macs > 0 ? 2.0 * (double)a->macs / e->mvm_j / 1e12 : 0.0;
}

/* cim_inject.c: test-only faults on the co-simulation path (cim_inject.h). */
#include "cim_inject.h"

#include <stdio.h>
#include <string.h>

#include "cim_reg_enums.h"
#include "rram_num.h"

enum { INJECT_NONE, INJECT_OUT, INJECT_ADC, INJECT_APB, INJECT_REG, INJECT_SLVERR };

static int g_kind = INJECT_NONE;
static long g_a, g_b;          /* out: word, bit; adc: conversion index, delta */
static unsigned long g_convs;  /* conversions seen since arming */
static unsigned long g_slverrs; /* PSLVERR answers seen since arming */

/* Split "kind:a[:b]" into its fields; returns the number of fields (1..3),
 * 0 when a field is too long. */
static int split(const char *spec, char *kind, char *a, char *b, size_t len) {
  const char *c1 = strchr(spec, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  const char *end = spec + strlen(spec);
  const char *e1 = c1 ? c1 : end, *e2 = c2 ? c2 : end;
  if ((size_t)(e1 - spec) >= len || (c1 && (size_t)(e2 - c1 - 1) >= len) ||
      (c2 && strlen(c2 + 1) >= len))
    return 0;
  snprintf(kind, len, "%.*s", (int)(e1 - spec), spec);
  a[0] = b[0] = '\0';
  if (c1) snprintf(a, len, "%.*s", (int)(e2 - c1 - 1), c1 + 1);
  if (c2) snprintf(b, len, "%s", c2 + 1);
  return c2 ? 3 : c1 ? 2 : 1;
}

int cim_inject_arm(const char *spec) {
  g_kind = INJECT_NONE;
  g_convs = 0;
  g_slverrs = 0;
  if (spec == NULL || spec[0] == '\0') return 0;
  char kind[24], a[24], b[24];
  int64_t va = 0, vb = 0;
  int n = split(spec, kind, a, b, sizeof a), kind_on = INJECT_NONE;
  if (n == 3 && strcmp(kind, "out") == 0 &&
      rram_num_int(a, 0, 1023, &va, NULL, 0) == RRAM_NUM_OK &&
      rram_num_int(b, 0, 31, &vb, NULL, 0) == RRAM_NUM_OK)
    kind_on = INJECT_OUT;
  else if (n == 3 && strcmp(kind, "adc") == 0 &&
           rram_num_int(a, 0, 1000000000, &va, NULL, 0) == RRAM_NUM_OK &&
           rram_num_int(b, -65535, 65535, &vb, NULL, 0) == RRAM_NUM_OK && vb != 0)
    kind_on = INJECT_ADC;
  else if (n == 3 && strcmp(kind, "reg") == 0 &&
           rram_num_int(a, 0, 0xFFFC, &va, NULL, 0) == RRAM_NUM_OK && va % 4 == 0 &&
           rram_num_int(b, -65535, 65535, &vb, NULL, 0) == RRAM_NUM_OK && vb != 0)
    kind_on = INJECT_REG;
  else if (n == 2 && strcmp(kind, "slverr") == 0 &&
           rram_num_int(a, 1, UINT32_MAX, &va, NULL, 0) == RRAM_NUM_OK)
    kind_on = INJECT_SLVERR;
  else if (n == 2 && strcmp(kind, "apb") == 0 &&
           rram_num_int(a, 1, UINT32_MAX, &va, NULL, 0) == RRAM_NUM_OK)
    kind_on = INJECT_APB;
  if (kind_on == INJECT_NONE) {
    fprintf(stderr, "cim_sim: fault injection '%s' is not out:WORD:BIT (0..1023, 0..31), "
                    "adc:N:DELTA (N >= 0, DELTA != 0), reg:OFFSET:DELTA (a word offset, DELTA != 0), "
                    "slverr:N or apb:N (N >= 1)\n", spec);
    return -1;
  }
  g_kind = kind_on;
  g_a = (long)va;
  g_b = (long)vb;
  fprintf(stderr, "cim_sim: test fault injection active: %s\n", spec);
  return 0;
}

int cim_inject_adc(int code) {
  if (g_kind != INJECT_ADC) return code;
  return g_convs++ == (unsigned long)g_a ? code + (int)g_b : code;
}

int cim_inject_hide_slverr(void) {
  if (g_kind != INJECT_SLVERR) return 0;
  return ++g_slverrs == (unsigned long)g_a;
}

uint32_t cim_inject_apb_glitch(void) { return g_kind == INJECT_APB ? (uint32_t)g_a : 0u; }

uint32_t cim_inject_read(uint32_t addr, uint32_t data) {
  if (g_kind == INJECT_OUT && addr == CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)g_a)
    return data ^ (1u << g_b);
  if (g_kind == INJECT_REG && addr == (uint32_t)g_a) return data + (uint32_t)g_b;
  return data;
}

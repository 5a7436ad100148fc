/* cim_inject.c: test-only faults on the co-simulation path (cim_inject.h). */
#include "cim_inject.h"

#include <stdio.h>
#include <string.h>

#include "cim_reg_enums.h"
#include "rram_num.h"

enum { INJECT_NONE, INJECT_OUT, INJECT_ADC };

static int g_kind = INJECT_NONE;
static long g_a, g_b;          /* out: word, bit; adc: conversion index, delta */
static unsigned long g_convs;  /* conversions seen since arming */

int cim_inject_arm(const char *spec) {
  g_kind = INJECT_NONE;
  g_convs = 0;
  if (spec == NULL || spec[0] == '\0') return 0;
  char kind[8], a[24], b[24];
  const char *c1 = strchr(spec, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  int ok = c1 && c2 && (size_t)(c1 - spec) < sizeof kind && (size_t)(c2 - c1 - 1) < sizeof a &&
           strlen(c2 + 1) < sizeof b;
  if (ok) {
    snprintf(kind, sizeof kind, "%.*s", (int)(c1 - spec), spec);
    snprintf(a, sizeof a, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    snprintf(b, sizeof b, "%s", c2 + 1);
    int64_t va = 0, vb = 0;
    if (strcmp(kind, "out") == 0) {
      ok = rram_num_int(a, 0, 1023, &va, NULL, 0) == RRAM_NUM_OK &&
           rram_num_int(b, 0, 31, &vb, NULL, 0) == RRAM_NUM_OK;
      g_kind = ok ? INJECT_OUT : INJECT_NONE;
    } else if (strcmp(kind, "adc") == 0) {
      ok = rram_num_int(a, 0, 1000000000, &va, NULL, 0) == RRAM_NUM_OK &&
           rram_num_int(b, -65535, 65535, &vb, NULL, 0) == RRAM_NUM_OK && vb != 0;
      g_kind = ok ? INJECT_ADC : INJECT_NONE;
    } else {
      ok = 0;
    }
    g_a = (long)va;
    g_b = (long)vb;
  }
  if (!ok) {
    fprintf(stderr, "cim_sim: fault injection '%s' is not out:WORD:BIT (0..1023, 0..31) or "
                    "adc:N:DELTA (N >= 0, DELTA != 0)\n", spec);
    return -1;
  }
  fprintf(stderr, "cim_sim: test fault injection active: %s\n", spec);
  return 0;
}

int cim_inject_adc(int code) {
  if (g_kind != INJECT_ADC) return code;
  return g_convs++ == (unsigned long)g_a ? code + (int)g_b : code;
}

uint32_t cim_inject_read(uint32_t addr, uint32_t data) {
  if (g_kind == INJECT_OUT && addr == CIM_REGS_OUTBUF_BASE + 4u * (uint32_t)g_a)
    return data ^ (1u << g_b);
  return data;
}

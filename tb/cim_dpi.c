/* cim_dpi.c: DPI-C imports of cim_macro, forwarded to the analog model.
 * Contract and ownership in cim_dpi.h; signatures checked against the
 * generated Vcim_macro__Dpi.h. No logic here: unpack, forward, report. */
#include "cim_dpi.h"

#include <stdio.h>

#include "Vcim_macro__Dpi.h"
#include "cim_inject.h"
#include "rram_array.h"

/* Errors printed in full; later ones are only counted. */
#define CIM_DPI_MAX_PRINTED 10

static rram_array *g_array;       /* registered by the harness, not owned */
static unsigned long g_errors;    /* model errors since registration */

void cim_dpi_set_array(rram_array *a) {
  g_array = a;
  g_errors = 0;
}

unsigned long cim_dpi_error_count(void) { return g_errors; }

static void cim_dpi_error(const char *call, const char *msg) {
  if (g_errors < CIM_DPI_MAX_PRINTED) {
    fprintf(stderr, "cim_dpi: %s: %s\n", call, msg);
  } else if (g_errors == CIM_DPI_MAX_PRINTED) {
    fprintf(stderr, "cim_dpi: further model errors are counted, not printed\n");
  }
  g_errors++;
}

/* The registered array, or NULL (reported as an error of call). */
static rram_array *registered(const char *call) {
  if (g_array == NULL) cim_dpi_error(call, "no array registered by the harness");
  return g_array;
}

void cim_dpi_drive(const svBitVecVal *sel, const svBitVecVal *wl) {
  rram_array *a = registered("cim_dpi_drive");
  if (a == NULL) return;
  /* svBitVecVal is uint32_t, bit r in word r/32: the model's own layout. */
  size_t n_words = ((size_t)rram_array_geometry(a)->rows + 31u) / 32u;
  if (rram_array_drive_rows(a, sel, wl, n_words) != RRAM_OK) {
    cim_dpi_error("rram_array_drive_rows", rram_array_errmsg(a));
  }
}

int cim_dpi_convert(int adc, int col) {
  rram_array *a = registered("cim_dpi_convert");
  int code = 0;
  if (a == NULL) return 0;
  if (rram_array_convert(a, adc, col, &code) != RRAM_OK) {
    char call[64];
    snprintf(call, sizeof call, "rram_array_convert(adc %d, col %d)", adc, col);
    cim_dpi_error(call, rram_array_errmsg(a));
    return 0;
  }
  return cim_inject_adc(code); /* the model's code unless a test injects a fault */
}

void cim_dpi_cell_pulse(int row, int col, int polarity, int amplitude, int width) {
  rram_array *a = registered("cim_dpi_cell_pulse");
  if (a == NULL) return;
  if (rram_array_pulse(a, row, col, polarity, amplitude, width) != RRAM_OK) {
    char call[96];
    snprintf(call, sizeof call, "rram_array_pulse(row %d, col %d)", row, col);
    cim_dpi_error(call, rram_array_errmsg(a));
  }
}

int cim_dpi_cell_read(int row, int col) {
  rram_array *a = registered("cim_dpi_cell_read");
  int code = 0;
  if (a == NULL) return 0;
  if (rram_array_verify_read(a, row, col, &code) != RRAM_OK) {
    char call[96];
    snprintf(call, sizeof call, "rram_array_verify_read(row %d, col %d)", row, col);
    cim_dpi_error(call, rram_array_errmsg(a));
    return 0;
  }
  return code;
}

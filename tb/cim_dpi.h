/* cim_dpi.h: the C side of the RTL's DPI imports, the analog/digital boundary.
 *
 * The RTL reaches the analog model (cmodel/rram_array.h) only through four
 * imports, each mirroring physical signals of an analog hard macro,
 * implemented in cim_dpi.c:
 *
 *   void cim_dpi_drive(bit [Rows-1:0] sel, wl);          one wordline phase
 *   int  cim_dpi_convert(int adc, int col);              one ADC conversion
 *   void cim_dpi_cell_pulse(int row, int col, int polarity,
 *                           int amplitude, int width);   one SET/RESET pulse
 *   int  cim_dpi_cell_read(int row, int col);            one verify read
 *
 * Ownership: the harness (cim_sim_run) owns the array and registers it here
 * for the duration of one run; every import acts on the registered array.
 * The registered pointer and an error counter are the glue's only state (one
 * static each: one simulation per process, see cim_sim.h). Everything else
 * only translates.
 *
 * This header is for the harness; it does not include svdpi.h. */
#ifndef CIM_DPI_H
#define CIM_DPI_H

#include "rram_array.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Register the array the imports act on (NULL unregisters) and reset the
 * error counter. */
void cim_dpi_set_array(rram_array *a);
/* Model errors since the last cim_dpi_set_array(): calls with no array
 * registered and operations the model refused (each printed to stderr). A
 * run with a non-zero count has failed. */
unsigned long cim_dpi_error_count(void);

#ifdef __cplusplus
}
#endif
#endif

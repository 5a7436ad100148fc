// DPI-C imports: the only crossings of the analog/digital boundary.
//
// The C side (tb/) implements them on the analog model (cmodel/) that the
// harness registered for the run. Each import mirrors physical signals of
// the analog hard macros, and nothing returns a dot product: the array is
// driven one phase at a time and read back one column conversion at a time;
// the write-verify engine pulses and reads one cell at a time.
package cim_dpi_pkg;

  // One wordline phase: bit r of sel is 1 when row r is selected (the row
  // group, access transistors on), bit r of wl when it is driven to the
  // read voltage; a selected row not driven is held at 0 V.
  import "DPI-C" function void cim_dpi_drive(
    input bit [cim_cfg_pkg::Rows-1:0] sel,
    input bit [cim_cfg_pkg::Rows-1:0] wl
  );

  // One conversion of physical column col (= adc * ColsPerAdc + mux select)
  // through ADC adc, with the bitline currents of the last drive.
  // Returns the code, 0..2^AdcBits-1.
  import "DPI-C" function int cim_dpi_convert(
    input int adc,
    input int col
  );

  // Write-verify programming (cmodel/rram_switch.h): one SET (polarity 0) or
  // RESET (polarity 1) pulse on cell (row, col) with a write-driver amplitude
  // code (10 mV each) and a width in clock cycles (10 ns each). Changes the
  // cell's conductance; opens no MVM phase.
  import "DPI-C" function void cim_dpi_cell_pulse(
    input int row,
    input int col,
    input int polarity,
    input int amplitude,
    input int width
  );

  // Verify read of cell (row, col) through the program/verify sense amplifier.
  // Returns the sense code, 0 (g_min) .. 255 (g_max); opens no MVM phase.
  import "DPI-C" function int cim_dpi_cell_read(
    input int row,
    input int col
  );

endpackage

// Behavioural model of the analog RRAM array hard macro.
//
// On silicon the wordline drivers switch the selected rows onto the read
// voltage and every bitline settles to its current sum. Here one drive
// strobe hands the wordline vector to the analog model (cmodel/) once per
// phase; the ADC macros then read the settled bitlines column by column.
module cim_array_macro
  import cim_cfg_pkg::*;
  import cim_dpi_pkg::*;
(
  input  logic            clk_i,
  input  logic            drive_i,  // one-cycle strobe: apply wl_i at this edge
  input  logic [Rows-1:0] wl_i      // bit r = wordline r driven
);


  // The drive happens at the clock edge that ends the strobe cycle, so any
  // conversion started afterwards sees this phase's bitline currents.
  always_ff @(posedge clk_i) begin
    if (drive_i) begin
      cim_dpi_drive(wl_i);
    end
  end

endmodule

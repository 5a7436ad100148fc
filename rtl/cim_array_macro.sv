// Behavioural model of the analog RRAM array hard macro.
//
// On silicon the row group's access transistors turn on (sel), the
// wordline drivers put its rows whose input bit is 1 on the read voltage
// and hold the others at 0 V (wl), and every bitline settles to its current
// sum. Here one drive strobe hands both vectors to the analog model
// (cmodel/) once per phase; the ADC macros then read the settled bitlines
// column by column.
module cim_array_macro
  import cim_cfg_pkg::*;
  import cim_dpi_pkg::*;
(
  input  logic            clk_i,
  input  logic            drive_i,  // one-cycle strobe: apply sel_i, wl_i at this edge
  input  logic [Rows-1:0] sel_i,    // bit r = row r selected (in the row group)
  input  logic [Rows-1:0] wl_i      // bit r = wordline r driven (a subset of sel_i)
);


  // The drive happens at the clock edge that ends the strobe cycle, so any
  // conversion started afterwards sees this phase's bitline currents.
  always_ff @(posedge clk_i) begin
    if (drive_i) begin
      cim_dpi_drive(sel_i, wl_i);
    end
  end

endmodule

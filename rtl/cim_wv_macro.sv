// Behavioural model of the analog write/verify hard macro: the write driver
// that applies one SET or RESET pulse to one cell, and the sense amplifier
// that reads one cell back as a sense code.
//
// pulse_i sampled high at a clock edge applies the pulse through the analog
// model at that edge; busy_o is then high for width_i cycles (the pulse on
// the cell), followed by done_o for one cycle. read_i sampled high reads the
// cell at that edge; busy_o is then high for read_cycles_i cycles, followed
// by done_o for one cycle with code_o valid; code_o holds until the next
// read. One operation at a time.
module cim_wv_macro
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_dpi_pkg::*;
(
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 pulse_i,      // strobe: apply one pulse
  input  logic                 read_i,       // strobe: one verify read
  input  logic [RowCntW-1:0]   row_i,
  input  logic [ColCntW-1:0]   col_i,
  input  logic                 polarity_i,   // 0 = SET (conductance up), 1 = RESET (down)
  input  logic [WvAmpW-1:0]    amp_i,        // write driver amplitude code
  input  logic [WvTimeW-1:0]   width_i,      // pulse width, cycles
  input  logic [WvTimeW-1:0]   read_cycles_i,
  output logic                 busy_o,
  output logic                 done_o,
  output logic [SenseBits-1:0] code_o
);

  localparam int unsigned CodeMax = (1 << SenseBits) - 1;

  logic [SenseBits-1:0] code_q;

  // A code past the sense range reads as its end (the model never sends one).
  function automatic logic [SenseBits-1:0] clip_code(int code);
    if (code < 0) return '0;
    if (code > int'(CodeMax)) return SenseBits'(CodeMax);
    return SenseBits'(code);
  endfunction

  // Operation timer: the pulse width or the read time.
  cim_op_timer #(
    .Width(WvTimeW)
  ) u_timer (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (pulse_i || read_i),
    .cycles_i(pulse_i ? width_i : read_cycles_i),
    .busy_o  (busy_o),
    .done_o  (done_o)
  );

  // The pulse and the read are analog: the model acts at the strobe's edge.
  always_ff @(posedge clk_i) begin
    if (pulse_i) begin
      cim_dpi_cell_pulse(int'(row_i), int'(col_i), int'(polarity_i), int'(amp_i), int'(width_i));
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      code_q <= '0;
    end else if (read_i) begin
      code_q <= clip_code(cim_dpi_cell_read(int'(row_i), int'(col_i)));
    end
  end

  assign code_o = code_q;

`ifndef SYNTHESIS
  // One operation at a time, never two strobes at once.
  OneOpAtATime_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      (pulse_i || read_i) |-> !busy_o && !(pulse_i && read_i));
  // A pulse or read lasts at least one cycle.
  TimeNonZero_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) pulse_i |-> width_i != '0);
  ReadTimeNonZero_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) read_i |-> read_cycles_i != '0);
`endif

endmodule

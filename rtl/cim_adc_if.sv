// Digital side of the column ADCs: column mux select, parallel start,
// done tracking and code capture into one register per physical column.
//
// All ADCs convert the same mux input sel_i at once. Only ADCs whose column
// is active (below act_cols_i, the n_outs * ColsPerOut columns of the MVM)
// and exists (below Cols) are started, so every active column is converted
// exactly once per phase and nothing else is.
module cim_adc_if
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic               clk_i,
  input  logic               rst_ni,
  // From the controller
  input  logic               start_i,     // StConvStart: start this mux input
  input  logic [SelW-1:0]    sel_i,       // mux select, held until conv_done_o
  input  logic [ColCntW-1:0] act_cols_i,  // active physical columns of the MVM
  output logic               conv_done_o, // every started ADC is done
  // To / from the ADC macros
  output logic [NAdc-1:0]    adc_start_o,
  output logic [SelW-1:0]    adc_sel_o,
  input  logic [NAdc-1:0]    adc_done_i,
  input  logic [NAdc-1:0][AdcBits-1:0] adc_code_i,
  // Captured codes for the shift-and-add: code_o[a][m] is physical column
  // a * ColsPerAdc + m (mux select m of ADC a)
  output logic [AdcBits-1:0]  code_o [NAdc][ColsPerAdc]
);

  logic [NAdc-1:0]    pending_d, pending_q;
  logic [AdcBits-1:0] code_q [NAdc][ColsPerAdc];

  // Start mask: the column of ADC a at this select is a * ColsPerAdc + sel_i.
  // Evaluated only while starting, so idle cycles cost nothing in simulation.
  always_comb begin
    adc_start_o = '0;
    if (start_i) begin
      for (int unsigned a = 0; a < NAdc; a++) begin
        adc_start_o[a] = (a * ColsPerAdc + 32'(sel_i) < 32'(act_cols_i)) &&
                         (a * ColsPerAdc + 32'(sel_i) < Cols);
      end
    end
  end

  assign adc_sel_o = sel_i;

  // ADCs still converting: loaded at start, each cleared by its done.
  always_comb begin
    pending_d = pending_q & ~adc_done_i;
    if (start_i) begin
      pending_d = adc_start_o;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q <= '0;
    end else begin
      pending_q <= pending_d;
    end
  end

  // Done once no started ADC is still busy, counting those finishing now
  // (their codes are captured at the same edge).
  assign conv_done_o = (pending_q & ~adc_done_i) == '0;

  // Code capture on each ADC's done, into the register of the column it
  // converted (the select is held until every ADC is done).
  for (genvar a = 0; a < NAdc; a++) begin : g_capture
    // No reset: a code is read only after the conversion that wrote it.
    always_ff @(posedge clk_i) begin
      if (adc_done_i[a]) begin
        code_q[a][sel_i] <= adc_code_i[a];
      end
    end
  end

  assign code_o = code_q;

`ifndef SYNTHESIS
  // The mux has ColsPerAdc inputs.
  SelInRange_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      start_i |-> 32'(sel_i) < ColsPerAdc);
  // A new start only after every ADC of the previous one is done.
  StartWhenIdle_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      start_i |-> pending_q == '0);
  // done only from an ADC that was started.
  DoneWasPending_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (adc_done_i & ~pending_q) == '0);
  // The select may not move while a conversion is pending.
  SelStable_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      pending_q != '0 |-> $stable(sel_i));
`endif

endmodule

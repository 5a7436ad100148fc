// Digital side of the column ADCs: column mux select, parallel start,
// done tracking, per-ADC offset/gain calibration and code capture into one
// register per physical column (calibrated, for the shift-and-add, and raw,
// for the CODES window that calibration firmware reads).
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
  input  logic [SelW-1:0]    sel_i,       // mux select of a start in this cycle
  input  logic [ColCntW-1:0] act_cols_i,  // active physical columns of the MVM
  input  logic [Cols-1:0]    col_en_i,    // COL_EN: a disabled column's code is 0
  output logic               conv_done_o, // every started ADC is done
  // To / from the ADC macros
  output logic [NAdc-1:0]    adc_start_o,
  output logic [SelW-1:0]    adc_sel_o,
  input  logic [NAdc-1:0]    adc_done_i,
  input  logic [NAdc-1:0][AdcBits-1:0] adc_code_i,
  // Calibrated codes for the shift-and-add: code_o[m][a] is physical column
  // a * ColsPerAdc + m (mux select m of ADC a)
  output logic [NAdc-1:0][CalBits-1:0] code_o [ColsPerAdc],
  // APB windows (word indexes already checked against NAdc / Cols)
  input  logic                cal_we_i,
  input  logic                cal_re_i,     // capture cal_rdata_o for the access phase
  input  logic [CalIdxW-1:0]  cal_idx_i,
  input  logic [31:0]         cal_wdata_i,
  output logic [31:0]         cal_rdata_o,
  input  logic                codes_re_i,   // capture codes_rdata_o for the access phase
  input  logic [CodeIdxW-1:0] codes_idx_i,
  output logic [31:0]         codes_rdata_o
);

  logic [NAdc-1:0] pending_d, pending_q;
  logic [SelW-1:0] conv_sel_q;  // the select being converted: where codes land
  // One row per mux select holding every ADC's code: a conversion round
  // writes one whole row, not NAdc separate elements.
  logic [NAdc-1:0][CalBits-1:0] code_q [ColsPerAdc];
  logic [NAdc-1:0][AdcBits-1:0] raw_q [ColsPerAdc];
  logic signed [CalOffW-1:0] cal_off_q [NAdc];
  logic [CalGainW-1:0]       cal_gain_q [NAdc];
  logic [31:0] cal_rdata_q, codes_rdata_q;

  // The calibration of ADC_CAL (see cim_pkg) of ADC a's code: offset in 1/16
  // LSB, gain with 1.0 = 2^14, rounded half up. The identity (0, 0x4000)
  // returns the code. One expression: function locals would be cleared on
  // every clock edge in each of the NAdc inlined copies.
  function automatic logic signed [CalBits-1:0] calibrate(int unsigned a);
    return CalBits
        '(((((CalProdW'($signed({1'b0, adc_code_i[a]})) <<< 4) - CalProdW'(cal_off_q[a])) * CalProdW
            '($signed({1'b0, cal_gain_q[a]}))) + (CalProdW'(1) <<< (CalFrac - 1))) >>> CalFrac);
  endfunction

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
      pending_q  <= '0;
      conv_sel_q <= '0;
    end else begin
      pending_q <= pending_d;
      if (start_i) begin
        conv_sel_q <= sel_i;
      end
    end
  end

  // Done once no started ADC is still busy, counting those finishing now
  // (their codes are captured at the same edge).
  assign conv_done_o = (pending_q & ~adc_done_i) == '0;

  // Code capture on each ADC's done, into the registers of the column it
  // converted (the select is held until every ADC is done). One block over
  // all ADCs, entered only on a done: idle cycles cost the model nothing.
  // No reset: a code is read only after the conversion that wrote it.
  always_ff @(posedge clk_i) begin
    if (adc_done_i != '0) begin
      code_q[conv_sel_q] <= code_row(code_q[conv_sel_q]);
      raw_q[conv_sel_q]  <= raw_row(raw_q[conv_sel_q]);
    end
  end

  // Calibration registers, reset to the identity of the register map and
  // written through one indexed port.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cal_off_q  <= '{default: cim_reg_pkg::ADC_CAL_CAL_OFFSET_RESET};
      cal_gain_q <= '{default: cim_reg_pkg::ADC_CAL_CAL_GAIN_RESET};
    end else if (cal_we_i) begin
      cal_off_q[AdcIdxW'(cal_idx_i)] <=
          cal_wdata_i[cim_reg_pkg::ADC_CAL_CAL_OFFSET_LSB +: CalOffW];
      cal_gain_q[AdcIdxW'(cal_idx_i)] <=
          cal_wdata_i[cim_reg_pkg::ADC_CAL_CAL_GAIN_LSB +: CalGainW];
    end
  end

  assign code_o = code_q;

  // Whether ADC a's column at the select being converted is enabled
  // (COL_EN). One expression, as calibrate().
  function automatic logic col_on(int unsigned a);
    return (a * ColsPerAdc + 32'(conv_sel_q) < Cols) &&
        col_en_i[ColIdxW'(a * ColsPerAdc + 32'(conv_sel_q))];
  endfunction

  // The row of a select after this cycle's conversions: each ADC done now
  // gives its calibrated code (0 for a disabled column), the others keep
  // theirs.
  function automatic logic [NAdc-1:0][CalBits-1:0] code_row(logic [NAdc-1:0][CalBits-1:0] row);
    for (int unsigned a = 0; a < NAdc; a++) begin
      if (adc_done_i[a]) begin
        row[a] = col_on(a) ? calibrate(a) : '0;
      end
    end
    return row;
  endfunction

  function automatic logic [NAdc-1:0][AdcBits-1:0] raw_row(logic [NAdc-1:0][AdcBits-1:0] row);
    for (int unsigned a = 0; a < NAdc; a++) begin
      if (adc_done_i[a]) begin
        row[a] = adc_code_i[a];
      end
    end
    return row;
  endfunction

  // ADC_CAL word of ADC a, fields as in the register map.
  function automatic logic [31:0] cal_word(logic [AdcIdxW-1:0] a);
    logic [31:0] w;
    w = '0;
    w[cim_reg_pkg::ADC_CAL_CAL_OFFSET_LSB +: CalOffW] = cal_off_q[a];
    w[cim_reg_pkg::ADC_CAL_CAL_GAIN_LSB +: CalGainW]  = cal_gain_q[a];
    return w;
  endfunction

  // Registered window reads: decoded in the APB setup phase, shown in the
  // access phase.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cal_rdata_q   <= '0;
      codes_rdata_q <= '0;
    end else begin
      if (cal_re_i) begin
        cal_rdata_q <= cal_word(AdcIdxW'(cal_idx_i));
      end
      if (codes_re_i) begin
        codes_rdata_q <= 32'(raw_q[32'(codes_idx_i)%ColsPerAdc][32'(codes_idx_i)/ColsPerAdc]);
      end
    end
  end

  assign cal_rdata_o   = cal_rdata_q;
  assign codes_rdata_o = codes_rdata_q;

`ifndef SYNTHESIS
  // The mux has ColsPerAdc inputs.
  SelInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) start_i |-> 32'(sel_i) < ColsPerAdc);
  // A new start only once every ADC of the previous one is done (it may be
  // the very cycle the last ones finish: back-to-back conversions).
  StartWhenIdle_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      start_i |-> (pending_q & ~adc_done_i) == '0);
  // done only from an ADC that was started.
  DoneWasPending_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (adc_done_i & ~pending_q) == '0);
  // The select being converted holds until its conversions are done (the
  // start rule above keeps it from being replaced early).
  ConvSelStable_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      (pending_q & ~adc_done_i) != '0 |=> $stable(
      conv_sel_q
  ));
`endif

endmodule

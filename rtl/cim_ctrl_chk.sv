// Coverage points of the controller (cim_ctrl), bound into it below so that
// the design files stay untouched: every FSM state and transition, every
// error code, and the corner configurations an MVM can start with. Cover
// properties count only in coverage builds (verilator --coverage, see
// `make coverage`); elsewhere this checker costs nothing.
module cim_ctrl_chk
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input logic               clk_i,
  input logic               rst_ni,
  input cim_state_e         state_q_i,
  input cim_state_e         state_d_i,
  input logic               start_i,
  input logic               conv_start_i,
  input cim_err_e           cfg_err_i,
  input cim_err_e           err_d_i,
  input logic               intr_err_i,
  input logic               intr_done_i,
  input cim_cfg_t           cfg_i,
  input logic [RowCntW-1:0] row_hi_q_i,
  input logic [RowCntW-1:0] n_rows_i
);

  // An MVM starts: START in StIdle with a configuration that passes.
  logic accept;
  assign accept = start_i && (state_q_i == StIdle) && (cfg_err_i == ErrNone);

  // ---------------------------------------------------------------- states
  StIdle_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StIdle);
  StDrive_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StDrive);
  StConvStart_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StConvStart);
  StConvWait_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StConvWait);
  StAccum_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StAccum);
  StRequant_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) state_q_i == StRequant);

  // ---------------------------------------------------------------- transitions
  IdleToDrive_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StIdle && state_d_i == StDrive);
  IdleRefused_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StIdle && start_i && state_d_i == StIdle);
  DriveToConvStart_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StDrive && state_d_i == StConvStart);
  ConvStartToWait_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StConvStart && state_d_i == StConvWait);
  ConvWaitStays_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StConvWait && state_d_i == StConvWait);
  ConvWaitToNextSel_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StConvWait && state_d_i == StConvWait && conv_start_i);
  ConvWaitToAccum_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StConvWait && state_d_i == StAccum);
  // Next bit plane of the same row group, and first plane of the next group.
  AccumToNextPlane_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StAccum && state_d_i == StDrive && row_hi_q_i == n_rows_i);
  AccumToNextGroup_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StAccum && state_d_i == StDrive && row_hi_q_i < n_rows_i);
  AccumToRequant_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StAccum && state_d_i == StRequant);
  RequantStays_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StRequant && state_d_i == StRequant);
  RequantToIdle_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      state_q_i == StRequant && state_d_i == StIdle);

  // ---------------------------------------------------------------- errors
  ErrStartBusy_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrStartBusy);
  ErrBadRows_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadRows);
  ErrBadOuts_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadOuts);
  ErrBadXbits_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadXbits);
  ErrBadGroup_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadGroup);
  ErrBadAdc_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadAdc);
  ErrBadOutput_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_err_i && err_d_i == ErrBadOutput);
  Done_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) intr_done_i);

  // ---------------------------------------------------------------- corners
  // Input formats.
  OneBitInputs_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.x_bits == 4'd1);
  OneBitSigned_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      accept && cfg_i.x_bits == 4'd1 && cfg_i.is_signed);
  FullInputs_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && 32'(cfg_i.x_bits) == XBits);
  FullSigned_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      accept && 32'(cfg_i.x_bits) == XBits && cfg_i.is_signed);
  // Row groups: one row at a time, the build's largest group, one group only.
  GroupOne_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.group_rows == 16'd1);
  GroupPMax_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && 32'(cfg_i.group_rows) == PMax);
  GroupAllRows_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni)
      accept && cfg_i.group_rows >= cfg_i.n_rows);
  // Shapes: one row, every row, one output, every output.
  OneRow_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.n_rows == 16'd1);
  AllRows_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && 32'(cfg_i.n_rows) == Rows);
  OneOut_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.n_outs == 16'd1);
  AllOuts_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && 32'(cfg_i.n_outs) == NOut);
  // ADC latency extremes and the output stage.
  ConvOneCycle_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.conv_cycles == 8'd1);
  ConvMax_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.conv_cycles == 8'd255);
  Relu_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.relu);
  ShiftMax_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.shift == 5'd31);
  OutBitsMin_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) accept && cfg_i.out_bits == 6'd2);

endmodule

bind cim_ctrl cim_ctrl_chk u_ctrl_chk (
  .clk_i       (clk_i),
  .rst_ni      (rst_ni),
  .state_q_i   (state_q),
  .state_d_i   (state_d),
  .start_i     (start_i),
  .conv_start_i (conv_start_o),
  .cfg_err_i   (cfg_err),
  .err_d_i     (err_d),
  .intr_err_i  (intr_err_o),
  .intr_done_i (intr_done_o),
  .cfg_i       (cfg_i),
  .row_hi_q_i  (row_hi_q),
  .n_rows_i    (n_rows)
);

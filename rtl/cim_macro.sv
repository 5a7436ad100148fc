// Top of the RRAM compute-in-memory macro: the digital periphery (APB CSRs,
// controller, input buffer, ADC interface, shift-and-add, requantization,
// output buffer, write-verify programming engine) around behavioural models
// of the analog hard macros (the array, NAdc column ADCs and the write/verify
// driver and sense amplifier), which reach the analog model through DPI-C.
module cim_macro
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // APB4 slave
  input  logic                    psel_i,
  input  logic                    penable_i,
  input  logic                    pwrite_i,
  input  logic [RegAddrWidth-1:0] paddr_i,
  input  logic [31:0]             pwdata_i,
  output logic [31:0]             prdata_o,
  output logic                    pready_o,
  output logic                    pslverr_o,
  // Interrupt: |(INTR_STATE & INTR_ENABLE)
  output logic                    irq_o
);

  // CSRs <-> controller
  cim_cfg_t cfg;
  logic start, busy, done, intr_done, intr_err;
  cim_err_e    err_code;
  cim_state_e  state;
  logic [31:0] cycles;

  // Buffers
  logic row_en_we, row_en_re, col_en_we, col_en_re;
  logic [EnIdxW-1:0] en_idx;
  logic [31:0] en_wdata, row_en_rdata, col_en_rdata;
  logic [Rows-1:0] row_en;
  logic [Cols-1:0] col_en;
  logic inbuf_we, inbuf_re;
  logic [InIdxW-1:0] inbuf_idx;
  logic [31:0] inbuf_wdata, inbuf_rdata;
  logic               outbuf_re;
  logic [OutIdxW-1:0] outbuf_ridx;
  logic [31:0]        outbuf_rdata;

  // Controller -> data path
  logic clear, wl_load, drive, conv_start, conv_done, accum, acc_neg, out_we;
  logic [RowCntW-1:0] wl_lo, wl_hi;
  logic [PlaneW-1:0] wl_plane, acc_plane;
  logic [SelW-1:0]    mux_sel;
  logic [ColCntW-1:0] act_cols;
  logic [OutIdxW:0]   n_outs;
  logic [OutIdxW-1:0] out_idx;
  logic [Rows-1:0] wl, row_sel;

  // ADCs
  logic [NAdc-1:0] adc_start, adc_busy, adc_done;
  logic [SelW-1:0]    adc_sel;
  logic [NAdc-1:0][AdcBits-1:0] adc_code;
  logic [NAdc-1:0][CalBits-1:0] col_code [ColsPerAdc];
  logic cal_we, cal_re, codes_re;
  logic [CalIdxW-1:0]           cal_idx;
  logic [CodeIdxW-1:0]          codes_idx;
  logic [31:0] cal_wdata, cal_rdata, codes_rdata;

  // Write-verify engine and its analog macro; the CSRs see the busy, error
  // code and error interrupt of the macro as a whole (MVM or programming).
  wv_cfg_t              wv_cfg;
  wv_stat_t             wv_stat;
  logic wv_start, wv_read_only, wv_busy, wv_accept, wv_intr_done, wv_intr_err;
  cim_err_e wv_err_code, err_code_any;
  logic mvm_start, busy_any, intr_err_any;
  logic err_wv_d, err_wv_q;
  logic wv_tgt_we, wv_tgt_re, wv_res_re;
  logic [WvWinIdxW-1:0] wv_tgt_idx, wv_res_idx;
  logic [31:0] wv_tgt_wdata, wv_tgt_rdata, wv_res_rdata;
  logic wv_pulse, wv_read, wv_pol, wv_op_busy, wv_op_done;
  logic [RowCntW-1:0]   wv_row;
  logic [ColCntW-1:0]   wv_col;
  logic [WvAmpW-1:0]    wv_amp;
  logic [SenseBits-1:0] wv_code;

  // Accumulators and output stage
  logic     act_clear;
  act_cnt_t act;

  logic signed [AccBits-1:0] acc [NOut];
  logic [31:0]               out_word;

  cim_apb_regs u_apb_regs (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .psel_i         (psel_i),
    .penable_i      (penable_i),
    .pwrite_i       (pwrite_i),
    .paddr_i        (paddr_i),
    .pwdata_i       (pwdata_i),
    .prdata_o       (prdata_o),
    .pready_o       (pready_o),
    .pslverr_o      (pslverr_o),
    .irq_o          (irq_o),
    .cfg_o          (cfg),
    .start_o        (start),
    .busy_i         (busy_any),
    .done_i         (done),
    .err_code_i     (err_code_any),
    .state_i        (state),
    .cycles_i       (cycles),
    .intr_done_i    (intr_done),
    .intr_err_i     (intr_err_any),
    .row_en_we_o    (row_en_we),
    .row_en_re_o    (row_en_re),
    .col_en_we_o    (col_en_we),
    .col_en_re_o    (col_en_re),
    .en_idx_o       (en_idx),
    .en_wdata_o     (en_wdata),
    .row_en_rdata_i (row_en_rdata),
    .col_en_rdata_i (col_en_rdata),
    .inbuf_we_o     (inbuf_we),
    .inbuf_re_o     (inbuf_re),
    .inbuf_idx_o    (inbuf_idx),
    .inbuf_wdata_o  (inbuf_wdata),
    .inbuf_rdata_i  (inbuf_rdata),
    .outbuf_re_o    (outbuf_re),
    .outbuf_idx_o   (outbuf_ridx),
    .outbuf_rdata_i (outbuf_rdata),
    .cal_we_o       (cal_we),
    .cal_re_o       (cal_re),
    .cal_idx_o      (cal_idx),
    .cal_wdata_o    (cal_wdata),
    .cal_rdata_i    (cal_rdata),
    .codes_re_o     (codes_re),
    .codes_idx_o    (codes_idx),
    .codes_rdata_i  (codes_rdata),
    .wv_cfg_o       (wv_cfg),
    .wv_start_o     (wv_start),
    .wv_read_o      (wv_read_only),
    .wv_stat_i      (wv_stat),
    .intr_wv_done_i (wv_intr_done),
    .wv_tgt_we_o    (wv_tgt_we),
    .wv_tgt_re_o    (wv_tgt_re),
    .wv_tgt_idx_o   (wv_tgt_idx),
    .wv_tgt_wdata_o (wv_tgt_wdata),
    .wv_tgt_rdata_i (wv_tgt_rdata),
    .wv_res_re_o    (wv_res_re),
    .wv_res_idx_o   (wv_res_idx),
    .wv_res_rdata_i (wv_res_rdata),
    .act_clear_o    (act_clear),
    .act_i          (act)
  );

  // MVMs and write-verify runs exclude each other: a START during a run never
  // reaches the controller (the engine records it as START_BUSY).
  assign mvm_start    = start && !wv_busy;
  assign busy_any     = busy || wv_busy;
  assign intr_err_any = intr_err || wv_intr_err;

  // STATUS.ERR_CODE is the code of the unit that last recorded an error or
  // accepted a start (each clears its own code when it accepts one).
  always_comb begin
    err_wv_d = err_wv_q;
    if (wv_accept || wv_intr_err) begin
      err_wv_d = 1'b1;
    end else if (clear || intr_err) begin
      err_wv_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_wv_q <= 1'b0;
    end else begin
      err_wv_q <= err_wv_d;
    end
  end

  assign err_code_any = err_wv_q ? wv_err_code : err_code;

  cim_ctrl u_ctrl (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .start_i      (mvm_start),
    .cfg_i        (cfg),
    .busy_o       (busy),
    .done_o       (done),
    .err_code_o   (err_code),
    .state_o      (state),
    .cycles_o     (cycles),
    .intr_done_o  (intr_done),
    .intr_err_o   (intr_err),
    .clear_o      (clear),
    .wl_load_o    (wl_load),
    .wl_lo_o      (wl_lo),
    .wl_hi_o      (wl_hi),
    .wl_plane_o   (wl_plane),
    .drive_o      (drive),
    .conv_start_o (conv_start),
    .mux_sel_o    (mux_sel),
    .act_cols_o   (act_cols),
    .conv_done_i  (conv_done),
    .accum_o      (accum),
    .acc_plane_o  (acc_plane),
    .acc_neg_o    (acc_neg),
    .n_outs_o     (n_outs),
    .out_we_o     (out_we),
    .out_idx_o    (out_idx)
  );

  cim_line_en u_line_en (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .row_we_i    (row_en_we),
    .row_re_i    (row_en_re),
    .col_we_i    (col_en_we),
    .col_re_i    (col_en_re),
    .idx_i       (en_idx),
    .wdata_i     (en_wdata),
    .row_rdata_o (row_en_rdata),
    .col_rdata_o (col_en_rdata),
    .row_en_o    (row_en),
    .col_en_o    (col_en)
  );

  cim_inbuf u_inbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .row_en_i   (row_en),
    .we_i       (inbuf_we),
    .re_i       (inbuf_re),
    .idx_i      (inbuf_idx),
    .wdata_i    (inbuf_wdata),
    .rdata_o    (inbuf_rdata),
    .wl_load_i  (wl_load),
    .wl_lo_i    (wl_lo),
    .wl_hi_i    (wl_hi),
    .wl_plane_i (wl_plane),
    .sel_o      (row_sel),
    .wl_o       (wl)
  );

  // Analog array hard macro (behavioural, DPI).
  cim_array_macro u_array (
    .clk_i   (clk_i),
    .drive_i (drive),
    .sel_i   (row_sel),
    .wl_i    (wl)
  );

  cim_adc_if u_adc_if (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (conv_start),
    .sel_i       (mux_sel),
    .act_cols_i  (act_cols),
    .col_en_i    (col_en),
    .conv_done_o (conv_done),
    .adc_start_o (adc_start),
    .adc_sel_o   (adc_sel),
    .adc_done_i  (adc_done),
    .adc_code_i  (adc_code),
    .code_o        (col_code),
    .cal_we_i      (cal_we),
    .cal_re_i      (cal_re),
    .cal_idx_i     (cal_idx),
    .cal_wdata_i   (cal_wdata),
    .cal_rdata_o   (cal_rdata),
    .codes_re_i    (codes_re),
    .codes_idx_i   (codes_idx),
    .codes_rdata_o (codes_rdata)
  );

  // Analog ADC hard macros (behavioural, DPI): NAdc ADCs of ColsPerAdc columns.
  cim_adc_bank u_adc_bank (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .start_i       (adc_start),
    .sel_i         (adc_sel),
    .conv_cycles_i (cfg.conv_cycles),
    .busy_o        (adc_busy),
    .done_o        (adc_done),
    .code_o        (adc_code)
  );

  cim_wv u_wv (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (wv_start),
    .read_only_i (wv_read_only),
    .cfg_i       (wv_cfg),
    .mvm_start_i (start),
    .mvm_busy_i  (busy),
    .busy_o      (wv_busy),
    .accept_o    (wv_accept),
    .stat_o      (wv_stat),
    .err_code_o  (wv_err_code),
    .intr_done_o (wv_intr_done),
    .intr_err_o  (wv_intr_err),
    .tgt_we_i    (wv_tgt_we),
    .tgt_re_i    (wv_tgt_re),
    .tgt_idx_i   (wv_tgt_idx),
    .tgt_wdata_i (wv_tgt_wdata),
    .tgt_rdata_o (wv_tgt_rdata),
    .res_re_i    (wv_res_re),
    .res_idx_i   (wv_res_idx),
    .res_rdata_o (wv_res_rdata),
    .pulse_o     (wv_pulse),
    .read_o      (wv_read),
    .row_o       (wv_row),
    .col_o       (wv_col),
    .polarity_o  (wv_pol),
    .amp_o       (wv_amp),
    .op_done_i   (wv_op_done),
    .code_i      (wv_code)
  );

  // Analog write driver and verify sense amplifier (behavioural, DPI).
  cim_wv_macro u_wv_macro (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .pulse_i       (wv_pulse),
    .read_i        (wv_read),
    .row_i         (wv_row),
    .col_i         (wv_col),
    .polarity_i    (wv_pol),
    .amp_i         (wv_amp),
    .width_i       (wv_cfg.width),
    .read_cycles_i (wv_cfg.read_cycles),
    .busy_o        (wv_op_busy),
    .done_o        (wv_op_done),
    .code_o        (wv_code)
  );

  cim_activity u_activity (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (act_clear),
    .drive_i     (drive),
    .wl_i        (wl),
    .adc_start_i (adc_start),
    .accum_i     (accum),
    .n_outs_i    (n_outs),
    .pulse_i     (wv_pulse),
    .read_i      (wv_read),
    .busy_i      (busy_any),
    .cnt_o       (act)
  );

  cim_shift_add u_shift_add (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear),
    .accum_i  (accum),
    .plane_i  (acc_plane),
    .neg_i    (acc_neg),
    .n_outs_i (n_outs),
    .code_i   (col_code),
    .acc_o    (acc)
  );

  cim_requant u_requant (
    .acc_i      (acc[out_idx]),  // requantized one output per StRequant cycle
    .relu_i     (cfg.relu),
    .shift_i    (cfg.shift),
    .out_bits_i (cfg.out_bits),
    .y_o        (out_word)
  );

  cim_outbuf u_outbuf (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (clear),
    .we_i    (out_we),
    .widx_i  (out_idx),
    .wdata_i (out_word),
    .re_i    (outbuf_re),
    .ridx_i  (outbuf_ridx),
    .rdata_o (outbuf_rdata)
  );

`ifndef SYNTHESIS
  // The array is driven only from the controller's StDrive state.
  DriveOnlyInStDrive_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) drive |-> state == StDrive);
  // ADCs start only in StConvStart (the first select of a phase) or in
  // StConvWait (the next select, as the last one ends), with a legal
  // conversion time, and never while one is still converting.
  AdcStartInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      adc_start != '0 |-> state inside {StConvStart, StConvWait} && adc_busy == '0 &&
      cfg.conv_cycles != '0);
  // An ADC turns busy only after its start, and is done only after busy.
  AdcBusyAfterStart_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (adc_busy & ~$past(
      adc_busy
  ) & ~$past(
      adc_start
  )) == '0);
  AdcDoneAfterBusy_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (adc_done & ~$past(adc_busy)) == '0);
  // Write-verify pulses and reads only inside the programming states, never
  // while the array is being driven for an MVM; no drive during a run.
  WvPulseInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      wv_pulse |-> wv_stat.state == StWvPulse && !busy);
  WvReadInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      wv_read |-> wv_stat.state == StWvRead && !busy);
  NoDriveDuringWv_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (drive || adc_start != '0) |-> !wv_busy);
  // The write/verify macro runs one operation at a time, for the engine only.
  WvOpOnlyWhenIdle_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (wv_pulse || wv_read) |-> !wv_op_busy);
  // The outputs are never unknown (meaningful for 4-state simulators).
  IrqKnown_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) !$isunknown(irq_o));
`endif

endmodule

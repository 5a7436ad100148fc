// Controller of one MVM: validates the configuration at START, then walks
// the sequence of cmodel/cim_golden.h:
//   for each row group g (rows g*P .. min(g*P+P, n_rows)-1)
//     for each input bit plane k, LSB first
//       drive the group's rows whose input has bit k set (one phase)
//       convert every active column, one mux select at a time
//       shift-and-add the phase into the accumulators
//   requantize the n_outs accumulators into the output buffer.
module cim_ctrl
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input  logic               clk_i,
  input  logic               rst_ni,
  // From the CSRs
  input  logic               start_i,      // CTRL.START written with 1
  input  cim_cfg_t           cfg_i,        // stable while busy (APB refuses writes)
  // Status to the CSRs
  output logic               busy_o,
  output logic               done_o,       // STATUS.DONE: last MVM finished
  output cim_err_e           err_code_o,
  output cim_state_e         state_o,
  output logic [31:0]        cycles_o,
  output logic               intr_done_o,  // pulse: MVM finished
  output logic               intr_err_o,   // pulse: an error was recorded
  // Data path
  output logic               clear_o,      // accepted START: clear acc and outputs
  output logic               wl_load_o,    // compute the next phase's wordlines
  output logic [RowCntW-1:0] wl_lo_o,
  output logic [RowCntW-1:0] wl_hi_o,
  output logic [PlaneW-1:0]  wl_plane_o,
  output logic               drive_o,      // drive strobe to the array
  output logic               conv_start_o, // start the ADCs on mux_sel_o
  output logic [SelW-1:0]    mux_sel_o,
  output logic [ColCntW-1:0] act_cols_o,
  input  logic               conv_done_i,
  output logic               accum_o,
  output logic [PlaneW-1:0]  acc_plane_o,
  output logic               acc_neg_o,
  output logic [OutIdxW:0]   n_outs_o,
  output logic               out_we_o,     // write requantized output out_idx_o
  output logic [OutIdxW-1:0] out_idx_o
);

  cim_state_e state_d, state_q;
  cim_err_e err_d, err_q, cfg_err;
  logic done_d, done_q;
  logic [31:0] cycles_d, cycles_q;
  logic [RowCntW-1:0] row_lo_d, row_lo_q;  // first row of the current group
  logic [RowCntW-1:0] row_hi_d, row_hi_q;  // one past its last row
  logic [PlaneW-1:0] plane_d, plane_q;
  logic [SelW-1:0] sel_d, sel_q;
  logic [OutIdxW-1:0] out_d, out_q;

  // Configuration narrowed to what a valid configuration can hold.
  logic [RowCntW-1:0] n_rows, group_rows, grp_lo, grp_end;
  logic [PlaneW-1:0]  plane_last;
  logic [SelW-1:0]    sel_last;
  logic [OutIdxW-1:0] out_last;
  logic [ColCntW-1:0] act_cols;

  assign n_rows     = RowCntW'(cfg_i.n_rows);
  assign group_rows = RowCntW'(cfg_i.group_rows);
  assign plane_last = PlaneW'(cfg_i.x_bits - 1'b1);
  assign out_last   = OutIdxW'(cfg_i.n_outs - 1'b1);
  assign act_cols   = ColCntW'(32'(cfg_i.n_outs) * ColsPerOut);
  // Mux selects past the active columns of ADC 0 have nothing to convert.
  assign sel_last   = (32'(act_cols) < ColsPerAdc) ? SelW'(act_cols - 1'b1)
                                                   : SelW'(ColsPerAdc - 1);

  // Row group that starts at grp_lo: a new MVM starts at row 0, the next
  // group where the current one ended; it ends at min(grp_lo + P, n_rows).
  assign grp_lo  = (state_q == StIdle) ? '0 : row_hi_q;
  assign grp_end = (grp_lo + group_rows > n_rows) ? n_rows : grp_lo + group_rows;

  // Configuration check at START, in the order of the error codes.
  always_comb begin
    cfg_err = ErrNone;
    if (cfg_i.n_rows == '0 || 32'(cfg_i.n_rows) > Rows) begin
      cfg_err = ErrBadRows;
    end else if (cfg_i.n_outs == '0 || 32'(cfg_i.n_outs) > NOut) begin
      cfg_err = ErrBadOuts;
    end else if (cfg_i.x_bits == '0 || 32'(cfg_i.x_bits) > XBits) begin
      cfg_err = ErrBadXbits;
    end else if (cfg_i.group_rows == '0 || 32'(cfg_i.group_rows) > PMax) begin
      cfg_err = ErrBadGroup;
    end else if (cfg_i.conv_cycles == '0) begin
      cfg_err = ErrBadAdc;
    end else if (cfg_i.out_bits < 6'd2 || cfg_i.out_bits > 6'd32) begin
      cfg_err = ErrBadOutput;
    end
  end

  always_comb begin
    state_d      = state_q;
    err_d        = err_q;
    done_d       = done_q;
    cycles_d     = (state_q != StIdle) ? cycles_q + 32'd1 : cycles_q;
    row_lo_d     = row_lo_q;
    row_hi_d     = row_hi_q;
    plane_d      = plane_q;
    sel_d        = sel_q;
    out_d        = out_q;
    intr_done_o  = 1'b0;
    intr_err_o   = 1'b0;
    clear_o      = 1'b0;
    drive_o      = 1'b0;
    conv_start_o = 1'b0;
    accum_o      = 1'b0;
    out_we_o     = 1'b0;

    // START while busy: the write is accepted, the running MVM goes on.
    if (start_i && state_q != StIdle) begin
      err_d      = ErrStartBusy;
      intr_err_o = 1'b1;
    end

    unique case (state_q)
      // StIdle: wait for START; refuse a bad configuration, else begin at
      // row group 0, plane 0 with cleared accumulators.
      StIdle: begin
        if (start_i) begin
          if (cfg_err != ErrNone) begin
            err_d      = cfg_err;
            intr_err_o = 1'b1;
          end else begin
            err_d    = ErrNone;
            done_d   = 1'b0;
            cycles_d = '0;
            clear_o  = 1'b1;
            row_lo_d = grp_lo;
            row_hi_d = grp_end;
            plane_d  = '0;
            state_d  = StDrive;
          end
        end
      end
      // StDrive: one-cycle strobe that applies the phase's wordlines.
      StDrive: begin
        drive_o = 1'b1;
        sel_d   = '0;
        state_d = StConvStart;
      end
      // StConvStart: select mux input sel_q and start every active ADC.
      StConvStart: begin
        conv_start_o = 1'b1;
`ifdef CIM_FAULT_DRIVE_STATE
        drive_o = 1'b1;  // test-only fault (FAULT=drive_state): a drive outside StDrive
`endif
        state_d = StConvWait;
      end
      // StConvWait: wait until every started ADC is done (codes are
      // captured at the same edge); the next select starts in that same
      // cycle, so the ADCs convert back to back. After the last: accumulate.
      StConvWait: begin
        if (conv_done_i) begin
          if (sel_q == sel_last) begin
            state_d = StAccum;
          end else begin
            sel_d        = sel_q + 1'b1;
            conv_start_o = 1'b1;
          end
        end
      end
      // StAccum: add the phase into the accumulators; next plane, else next
      // row group, else requantize.
      StAccum: begin
        accum_o = 1'b1;
        if (plane_q != plane_last) begin
          plane_d = plane_q + 1'b1;
          state_d = StDrive;
        end else if (row_hi_q < n_rows) begin
          row_lo_d = grp_lo;
          row_hi_d = grp_end;
          plane_d  = '0;
          state_d  = StDrive;
        end else begin
          out_d   = '0;
          state_d = StRequant;
        end
      end
      // StRequant: one output per cycle into the output buffer, then done.
      StRequant: begin
        out_we_o = 1'b1;
        if (out_q == out_last) begin
          done_d      = 1'b1;
          intr_done_o = 1'b1;
          state_d     = StIdle;
        end else begin
          out_d = out_q + 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      err_q    <= ErrNone;
      done_q   <= 1'b0;
      cycles_q <= '0;
      row_lo_q <= '0;
      row_hi_q <= '0;
      plane_q  <= '0;
      sel_q    <= '0;
      out_q    <= '0;
    end else begin
      state_q  <= state_d;
      err_q    <= err_d;
      done_q   <= done_d;
      cycles_q <= cycles_d;
      row_lo_q <= row_lo_d;
      row_hi_q <= row_hi_d;
      plane_q  <= plane_d;
      sel_q    <= sel_d;
      out_q    <= out_d;
    end
  end

  // The inbuf computes the wordlines of a phase in the cycle before its
  // StDrive, from the group and plane the FSM moves to.
  assign wl_load_o  = (state_d == StDrive);
  assign wl_lo_o    = row_lo_d;
  assign wl_hi_o    = row_hi_d;
  assign wl_plane_o = plane_d;

  assign mux_sel_o   = sel_d;  // the select of a start in this cycle
  assign act_cols_o  = act_cols;
  assign acc_plane_o = plane_q;
`ifdef CIM_FAULT_ACC_SIGN
  // Test-only fault (make regress FAULT=acc_sign): the sign on the LSB plane.
  assign acc_neg_o = cfg_i.is_signed && (plane_q == '0);
`else
  assign acc_neg_o = cfg_i.is_signed && (plane_q == plane_last);
`endif
  assign n_outs_o    = (OutIdxW + 1)'(cfg_i.n_outs);
  assign out_idx_o   = out_q;

  assign busy_o     = (state_q != StIdle);
  assign done_o     = done_q;
  assign err_code_o = err_q;
  assign state_o    = state_q;
  assign cycles_o   = cycles_q;

`ifndef SYNTHESIS
  // Only the six documented states are ever reached.
  StateLegal_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      state_q inside {StIdle, StDrive, StConvStart, StConvWait, StAccum, StRequant});
  // The wordlines are driven only from StDrive, one cycle at a time.
  DriveInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) drive_o |-> state_q == StDrive);
  DriveOneCycle_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) drive_o |=> !drive_o);
  // The mux select stays below ColsPerAdc.
  SelInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) 32'(sel_q) < ColsPerAdc);
  // The row group lies inside the active rows and is at most PMax rows.
  GroupInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      busy_o |-> (row_lo_q < row_hi_q) && (row_hi_q <= n_rows) &&
                 (32'(row_hi_q) - 32'(row_lo_q) <= PMax));
  // A running MVM never sees its configuration change.
  CfgStable_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (busy_o && $past(
      busy_o
  )) |-> $stable(
      cfg_i
  ));
`endif

endmodule

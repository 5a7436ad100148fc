// Write-verify programming engine: programs one row segment per run, cells
// (row, col + i) for i = 0..count-1, each to the sense code in its WV_TARGET
// byte, with incremental pulses (NeuRRAM, Wan et al., Nature 2022, Extended
// Data Fig. 3):
//   per cell
//     verify read
//     in the window target +- tol        -> done, next cell
//     max_iter pulses already            -> failed, next cell
//     below the window: SET, above: RESET; the amplitude starts at the
//       polarity's start, steps up by its step (to its max) on each further
//       pulse of the same polarity, restarts when the polarity changes
//     pulse, then read again
// A read-only run (WV_CTRL.READ) gives each cell one verify read and no
// pulse, and stores the sense code read as its result.
// It reaches the array only through the write/verify macro (cim_wv_macro:
// one pulse or one read at a time, DPI behind it). Runs and MVMs exclude each
// other: a start while the other one runs is refused with START_BUSY.
module cim_wv
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // From the CSRs
  input  logic                 start_i,       // WV_CTRL.START written with 1
  input  logic                 read_only_i,   // WV_CTRL.READ in the same write
  input  wv_cfg_t              cfg_i,         // stable while busy (APB refuses writes)
  input  logic                 mvm_start_i,   // CTRL.START written with 1
  input  logic                 mvm_busy_i,    // an MVM is running
  // Status to the CSRs
  output logic                 busy_o,
  output logic                 accept_o,      // pulse: a run was accepted
  output wv_stat_t             stat_o,
  output cim_err_e             err_code_o,    // last error of the engine's own
  output logic                 intr_done_o,   // pulse: a run finished
  output logic                 intr_err_o,    // pulse: an error was recorded
  // WV_TARGET window (word index already checked against WvWords)
  input  logic                 tgt_we_i,
  input  logic                 tgt_re_i,      // capture tgt_rdata_o for the access phase
  input  logic [WvWinIdxW-1:0] tgt_idx_i,
  input  logic [31:0]          tgt_wdata_i,
  output logic [31:0]          tgt_rdata_o,
  // WV_RESULT window (read-only)
  input  logic                 res_re_i,
  input  logic [WvWinIdxW-1:0] res_idx_i,
  output logic [31:0]          res_rdata_o,
  // To / from the write/verify macro
  output logic                 pulse_o,
  output logic                 read_o,
  output logic [RowCntW-1:0]   row_o,
  output logic [ColCntW-1:0]   col_o,
  output logic                 polarity_o,    // 0 = SET, 1 = RESET
  output logic [WvAmpW-1:0]    amp_o,
  input  logic                 op_done_i,
  input  logic [SenseBits-1:0] code_i
);

  wv_state_e state_d, state_q;
  cim_err_e err_d, err_q, cfg_err;
  logic done_d, done_q;
  logic [31:0] cycles_d, cycles_q;
  logic [WvIdxW-1:0] cell_d, cell_q;  // cell of the run being programmed
  logic [WvIterW-1:0] iter_d, iter_q;  // pulses on this cell so far
  logic [WvAmpW-1:0] amp_d, amp_q;  // amplitude of the pending pulse
  logic pol_d, pol_q;  // polarity of the pending / last pulse
  logic pulsed_d, pulsed_q;  // this cell had a pulse
  logic rdonly_d, rdonly_q;  // the run reads its cells only
  logic [WvCntW-1:0] n_done_d, n_done_q, n_fail_d, n_fail_q;
  logic [31:0] pulses_d, pulses_q;
  logic [15:0] fail_row_d, fail_row_q, fail_col_d, fail_col_q;

  logic [SenseBits-1:0]  tgt_q [WvCells];     // WV_TARGET, one byte per cell
  logic [7:0]            res_q [WvCells];     // WV_RESULT: {failed, pulses}
  logic                  res_we;
  logic [7:0]            res_wdata;
  logic [31:0] tgt_rdata_q, res_rdata_q;

  logic [SenseBits-1:0] target;
  logic below, above, last_cell;
  logic [WvAmpW:0]       amp_up;
  logic [WvAmpW-1:0]     amp_step;
  logic [WvAmpW-1:0] set_next, reset_next;

  // ---------------------------------------------------------------- decisions
  assign target    = tgt_q[cell_q];
  // Below / above the window target +- tol, in one bit more than either.
  assign below     = (32'(code_i) + 32'(cfg_i.tol)) < 32'(target);
  assign above     = 32'(code_i) > (32'(target) + 32'(cfg_i.tol));
  assign last_cell = (32'(cell_q) + 32'd1) == 32'(cfg_i.count);

  // The next amplitude of each polarity: its start after a change of polarity
  // (or on the cell's first pulse), else one step up, capped at its max.
  assign amp_step   = pol_q ? cfg_i.reset_amp.step : cfg_i.set_amp.step;
  assign amp_up     = (WvAmpW + 1)'(amp_q) + (WvAmpW + 1)'(amp_step);
  assign set_next   = (!pulsed_q || pol_q) ? cfg_i.set_amp.start :
                      (amp_up > (WvAmpW + 1)'(cfg_i.set_amp.limit)) ? cfg_i.set_amp.limit :
                                                                      amp_up[WvAmpW-1:0];
  assign reset_next = (!pulsed_q || !pol_q) ? cfg_i.reset_amp.start :
                      (amp_up > (WvAmpW + 1)'(cfg_i.reset_amp.limit)) ? cfg_i.reset_amp.limit :
                                                                        amp_up[WvAmpW-1:0];

  // Configuration check at WV_CTRL.START, in the order of the error codes.
  always_comb begin
    cfg_err = ErrNone;
    if (cfg_i.count == '0 || 32'(cfg_i.count) > WvCells || 32'(cfg_i.row) >= Rows ||
        32'(cfg_i.col) + 32'(cfg_i.count) > Cols) begin
      cfg_err = ErrBadWvRange;
    end else if (cfg_i.max_iter == '0) begin
      cfg_err = ErrBadWvIter;
    end else if (cfg_i.set_amp.start == '0 || cfg_i.set_amp.start > cfg_i.set_amp.limit ||
                 cfg_i.reset_amp.start == '0 || cfg_i.reset_amp.start > cfg_i.reset_amp.limit) begin
      cfg_err = ErrBadWvAmp;
    end else if (cfg_i.width == '0 || cfg_i.read_cycles == '0) begin
      cfg_err = ErrBadWvTiming;
    end
  end

  // ---------------------------------------------------------------- FSM
  always_comb begin
    state_d     = state_q;
    err_d       = err_q;
    done_d      = done_q;
    cycles_d    = (state_q != StWvIdle) ? cycles_q + 32'd1 : cycles_q;
    cell_d      = cell_q;
    iter_d      = iter_q;
    amp_d       = amp_q;
    pol_d       = pol_q;
    pulsed_d    = pulsed_q;
    rdonly_d    = rdonly_q;
    n_done_d    = n_done_q;
    n_fail_d    = n_fail_q;
    pulses_d    = pulses_q;
    fail_row_d  = fail_row_q;
    fail_col_d  = fail_col_q;
    accept_o    = 1'b0;
    intr_done_o = 1'b0;
    intr_err_o  = 1'b0;
    pulse_o     = 1'b0;
    read_o      = 1'b0;
    res_we      = 1'b0;
    res_wdata   = '0;

    // A start of either kind while a run goes on: accepted, the run goes on.
    if ((start_i || mvm_start_i) && state_q != StWvIdle) begin
      err_d      = ErrStartBusy;
      intr_err_o = 1'b1;
    end

    unique case (state_q)
      // StWvIdle: wait for WV_CTRL.START; refuse it while an MVM runs or for a
      // bad configuration, else clear the counters and read the first cell.
      StWvIdle: begin
        if (start_i) begin
          if (mvm_busy_i) begin
            err_d      = ErrStartBusy;
            intr_err_o = 1'b1;
          end else if (cfg_err != ErrNone) begin
            err_d      = cfg_err;
            intr_err_o = 1'b1;
          end else begin
            accept_o = 1'b1;
            err_d    = ErrNone;
            done_d   = 1'b0;
            cycles_d = '0;
            cell_d   = '0;
            iter_d   = '0;
            pulsed_d = 1'b0;
            rdonly_d = read_only_i;
            n_done_d = '0;
            n_fail_d = '0;
            pulses_d = '0;
            state_d  = StWvRead;
          end
        end
      end
      // StWvRead: one-cycle strobe of the verify read.
      StWvRead: begin
        read_o  = 1'b1;
        state_d = StWvReadWait;
      end
      // StWvReadWait: on the sense code, finish the cell (a read-only run, in
      // the window, or at the iteration limit) or choose the next pulse.
      StWvReadWait: begin
        if (op_done_i) begin
          if (rdonly_q || (!below && !above) || (iter_q == cfg_i.max_iter)) begin
            res_we    = 1'b1;
            res_wdata = rdonly_q ? 8'(code_i) : {below || above, 7'(iter_q)};
            n_done_d  = n_done_q + 1'b1;
            if (!rdonly_q && (below || above)) begin
              n_fail_d = n_fail_q + 1'b1;
              if (n_fail_q == '0) begin
                fail_row_d = 16'(row_o);
                fail_col_d = 16'(col_o);
              end
            end
            if (last_cell) begin
              done_d      = 1'b1;
              intr_done_o = 1'b1;
              state_d     = StWvIdle;
            end else begin
              cell_d   = cell_q + 1'b1;
              iter_d   = '0;
              pulsed_d = 1'b0;
              state_d  = StWvRead;
            end
          end else begin
            pol_d    = above;
            amp_d    = above ? reset_next : set_next;
            pulsed_d = 1'b1;
            state_d  = StWvPulse;
          end
        end
      end
      // StWvPulse: one-cycle strobe of the pulse, counted.
      StWvPulse: begin
        pulse_o  = 1'b1;
        iter_d   = iter_q + 1'b1;
        pulses_d = pulses_q + 32'd1;
        state_d  = StWvPulseWait;
      end
      // StWvPulseWait: the pulse lasts WV_TIMING.WIDTH cycles; then verify.
      StWvPulseWait: begin
        if (op_done_i) begin
          state_d = StWvRead;
        end
      end
      default: state_d = StWvIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StWvIdle;
      err_q      <= ErrNone;
      done_q     <= 1'b0;
      cycles_q   <= '0;
      cell_q     <= '0;
      iter_q     <= '0;
      amp_q      <= '0;
      pol_q      <= 1'b0;
      pulsed_q   <= 1'b0;
      rdonly_q   <= 1'b0;
      n_done_q   <= '0;
      n_fail_q   <= '0;
      pulses_q   <= '0;
      fail_row_q <= '0;
      fail_col_q <= '0;
    end else begin
      state_q    <= state_d;
      err_q      <= err_d;
      done_q     <= done_d;
      cycles_q   <= cycles_d;
      cell_q     <= cell_d;
      iter_q     <= iter_d;
      amp_q      <= amp_d;
      pol_q      <= pol_d;
      pulsed_q   <= pulsed_d;
      rdonly_q   <= rdonly_d;
      n_done_q   <= n_done_d;
      n_fail_q   <= n_fail_d;
      pulses_q   <= pulses_d;
      fail_row_q <= fail_row_d;
      fail_col_q <= fail_col_d;
    end
  end

  // ---------------------------------------------------------------- buffers
  // Targets from the APB window, four cells per word; outcomes from the FSM,
  // one per finished cell. Storage without reset (as the ADC code registers):
  // a target is read only after firmware wrote it, a result after the run
  // that wrote it.
  always_ff @(posedge clk_i) begin
    if (tgt_we_i) begin
      for (int unsigned b = 0; b < 4; b++) begin
        if (4 * 32'(tgt_idx_i) + b < WvCells) begin
          tgt_q[4*32'(tgt_idx_i)+b] <= tgt_wdata_i[8*b+:SenseBits];
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (res_we) begin
      res_q[cell_q] <= res_wdata;
    end
  end

  // Byte b of window word w: cell 4w + b, or 0 past the implemented cells.
  function automatic logic [31:0] tgt_word(logic [WvWinIdxW-1:0] w);
    logic [31:0] v;
    v = '0;
    for (int unsigned b = 0; b < 4; b++) begin
      if (4 * 32'(w) + b < WvCells) v[8*b+:8] = 8'(tgt_q[4*32'(w)+b]);
    end
    return v;
  endfunction

  function automatic logic [31:0] res_word(logic [WvWinIdxW-1:0] w);
    logic [31:0] v;
    v = '0;
    for (int unsigned b = 0; b < 4; b++) begin
      if (4 * 32'(w) + b < WvCells) v[8*b+:8] = res_q[4*32'(w)+b];
    end
    return v;
  endfunction

  // Registered window reads: decoded in the APB setup phase, shown in the
  // access phase.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tgt_rdata_q <= '0;
      res_rdata_q <= '0;
    end else begin
      if (tgt_re_i) begin
        tgt_rdata_q <= tgt_word(tgt_idx_i);
      end
      if (res_re_i) begin
        res_rdata_q <= res_word(res_idx_i);
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign tgt_rdata_o = tgt_rdata_q;
  assign res_rdata_o = res_rdata_q;
  assign row_o       = RowCntW'(cfg_i.row);
  assign col_o       = ColCntW'(32'(cfg_i.col) + 32'(cell_q));
  assign polarity_o  = pol_q;
  assign amp_o       = amp_q;
  assign busy_o      = (state_q != StWvIdle);
  assign err_code_o  = err_q;

  assign stat_o.busy         = busy_o;
  assign stat_o.done         = done_q;
  assign stat_o.state        = state_q;
  assign stat_o.cells_done   = 16'(n_done_q);
  assign stat_o.cells_failed = 16'(n_fail_q);
  assign stat_o.pulses       = pulses_q;
  assign stat_o.fail_row     = fail_row_q;
  assign stat_o.fail_col     = fail_col_q;
  assign stat_o.cycles       = cycles_q;

`ifndef SYNTHESIS
  // Only the five documented states are ever reached.
  StateLegal_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      state_q inside {StWvIdle, StWvRead, StWvReadWait, StWvPulse, StWvPulseWait});
  // Write-verify pulses and reads only inside their programming states, never
  // during an MVM.
  PulseInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      pulse_o |-> state_q == StWvPulse && !mvm_busy_i);
  ReadInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      read_o |-> state_q == StWvRead && !mvm_busy_i);
  // A run and an MVM never overlap.
  ExclusiveWithMvm_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) !(busy_o && mvm_busy_i));
  // No cell takes more pulses than WV_VERIFY.MAX_ITER.
  IterLimit_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) busy_o |-> iter_q <= cfg_i.max_iter);
  // The cell being programmed lies inside the segment and the array.
  CellInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      busy_o |-> 32'(cell_q) < 32'(cfg_i.count) && 32'(col_o) < Cols && 32'(row_o) < Rows);
  // Amplitudes stay inside the configured ramp.
  AmpInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      pulse_o |-> (pol_q ? (amp_q >= cfg_i.reset_amp.start && amp_q <= cfg_i.reset_amp.limit)
                         : (amp_q >= cfg_i.set_amp.start && amp_q <= cfg_i.set_amp.limit)));
  // A read-only run never pulses.
  ReadOnlyNoPulse_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) rdonly_q |-> !pulse_o);
  // A running engine never sees its configuration change.
  CfgStable_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (busy_o && $past(
      busy_o
  )) |-> $stable(
      cfg_i
  ));
`endif

endmodule

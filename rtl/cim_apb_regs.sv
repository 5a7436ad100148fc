// APB4 slave with every CSR of rtl/cim_regs.rdl (offsets and field
// positions from the generated cim_reg_pkg) and its windows (INBUF, OUTBUF,
// ADC_CAL, CODES, WV_TARGET, WV_RESULT, ROW_EN, COL_EN).
//
// Timing: the address is decoded and the read data and error captured in
// the setup phase (PSEL && !PENABLE); the access phase (PREADY is always 1)
// shows them and commits a write. Reads thus return the state at the end of
// the setup cycle, and no decode logic runs while the bus is idle.
//
// PSLVERR, and nothing changes, for: an unmapped or misaligned address, a
// write to a read-only register or to OUTBUF, any INBUF/OUTBUF access while
// busy, a write to SHAPE/INPUT/ADC/OUTPUT or to a WV_* configuration
// register while busy, any ADC_CAL/CODES/WV_TARGET/WV_RESULT/ROW_EN/COL_EN
// access while busy, a write to CODES or WV_RESULT, and a window word past
// the implemented entries (INBUF >= ceil(Rows/4), OUTBUF >= NOut, ADC_CAL >=
// NAdc, CODES >= Cols, WV_TARGET and WV_RESULT >= WvWords, ROW_EN >=
// ceil(Rows/32), COL_EN >= ceil(Cols/32)).
// busy_i is the macro's: an MVM or a write-verify run.
// CTRL and WV_CTRL are write-only (singlepulse START) and read as 0 without
// an error.
module cim_apb_regs
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // APB4
  input  logic                    psel_i,
  input  logic                    penable_i,
  input  logic                    pwrite_i,
  input  logic [RegAddrWidth-1:0] paddr_i,
  input  logic [31:0]             pwdata_i,
  output logic [31:0]             prdata_o,
  output logic                    pready_o,
  output logic                    pslverr_o,
  // Interrupt
  output logic                    irq_o,
  // Configuration and control to the controller
  output cim_cfg_t                cfg_o,
  output logic                    start_o,
  // Status from the controller
  input  logic                    busy_i,
  input  logic                    done_i,
  input  cim_err_e                err_code_i,
  input  cim_state_e              state_i,
  input  logic [31:0]             cycles_i,
  input  logic                    intr_done_i,
  input  logic                    intr_err_i,
  // Input buffer window
  output logic                    inbuf_we_o,
  output logic                    inbuf_re_o,
  output logic [InIdxW-1:0]       inbuf_idx_o,
  output logic [31:0]             inbuf_wdata_o,
  input  logic [31:0]             inbuf_rdata_i,
  // Output buffer window (read-only)
  output logic                    outbuf_re_o,
  output logic [OutIdxW-1:0]      outbuf_idx_o,
  input  logic [31:0]             outbuf_rdata_i,
  // ADC calibration window
  output logic                    cal_we_o,
  output logic                    cal_re_o,
  output logic [CalIdxW-1:0]      cal_idx_o,
  output logic [31:0]             cal_wdata_o,
  input  logic [31:0]             cal_rdata_i,
  // Raw ADC code window (read-only)
  output logic                    codes_re_o,
  output logic [CodeIdxW-1:0]     codes_idx_o,
  input  logic [31:0]             codes_rdata_i,
  // Write-verify engine: configuration, start and status
  output wv_cfg_t                 wv_cfg_o,
  output logic                    wv_start_o,
  output logic                    wv_read_o,      // with wv_start_o: a read-only run
  input  wv_stat_t                wv_stat_i,
  input  logic                    intr_wv_done_i,
  // WV_TARGET window
  output logic                    wv_tgt_we_o,
  output logic                    wv_tgt_re_o,
  output logic [WvWinIdxW-1:0]    wv_tgt_idx_o,
  output logic [31:0]             wv_tgt_wdata_o,
  input  logic [31:0]             wv_tgt_rdata_i,
  // WV_RESULT window (read-only)
  output logic                    wv_res_re_o,
  output logic [WvWinIdxW-1:0]    wv_res_idx_o,
  input  logic [31:0]             wv_res_rdata_i,
  // ROW_EN and COL_EN windows
  output logic                    row_en_we_o,
  output logic                    row_en_re_o,
  output logic                    col_en_we_o,
  output logic                    col_en_re_o,
  output logic [EnIdxW-1:0]       en_idx_o,
  output logic [31:0]             en_wdata_o,
  input  logic [31:0]             row_en_rdata_i,
  input  logic [31:0]             col_en_rdata_i,
  // Activity counters
  output logic                    act_clear_o,
  input  act_cnt_t                act_i
);

  // Target of the current transfer, decoded in the setup phase.
  typedef enum logic [5:0] {
    TgtNone,
    TgtId,
    TgtVersion,
    TgtParamArray,
    TgtParamBits,
    TgtParamAdc,
    TgtParamOut,
    TgtCtrl,
    TgtStatus,
    TgtShape,
    TgtInput,
    TgtAdc,
    TgtOutput,
    TgtCycles,
    TgtIntrState,
    TgtIntrEnable,
    TgtInbuf,
    TgtOutbuf,
    TgtAdcCal,
    TgtCodes,
    TgtWvCtrl,
    TgtWvStatus,
    TgtWvAddr,
    TgtWvCount,
    TgtWvVerify,
    TgtWvSet,
    TgtWvReset,
    TgtWvTiming,
    TgtWvCells,
    TgtWvPulses,
    TgtWvFail,
    TgtWvCycles,
    TgtActCtrl,
    TgtActPhases,
    TgtActWordlines,
    TgtActConversions,
    TgtActShiftAdds,
    TgtActPulses,
    TgtActReads,
    TgtActBusy,
    TgtWvTarget,
    TgtWvResult,
    TgtRowEn,
    TgtColEn
  } tgt_e;

  logic setup, access;
  tgt_e tgt_d, tgt_q;
  logic err_d, err_q;
  logic [31:0] rdata_d, rdata_q;
  logic [31:0] in_off, out_off, cal_off, codes_off, wvt_off, wvr_off, ren_off, cen_off;
  logic [31:0] win_idx;
  logic        wr_en;

  // Configuration registers and interrupt registers.
  cim_cfg_t    cfg_q;
  wv_cfg_t     wv_cfg_q;
  logic [2:0] intr_state_d, intr_state_q;  // {WV_DONE, ERROR, DONE}
  logic [2:0] intr_enable_q;

  assign setup  = psel_i && !penable_i;
  assign access = psel_i && penable_i;

  // ---------------------------------------------------------------- decode
  // Unsigned offsets into the windows: an address below a base wraps to a
  // large value and so misses the window.
  assign in_off  = 32'(paddr_i) - 32'(INBUF_BASE);
  assign out_off   = 32'(paddr_i) - 32'(OUTBUF_BASE);
  assign cal_off   = 32'(paddr_i) - 32'(ADC_CAL_BASE);
  assign codes_off = 32'(paddr_i) - 32'(CODES_BASE);
  assign wvt_off   = 32'(paddr_i) - 32'(WV_TARGET_BASE);
  assign wvr_off   = 32'(paddr_i) - 32'(WV_RESULT_BASE);
  assign ren_off   = 32'(paddr_i) - 32'(ROW_EN_BASE);
  assign cen_off   = 32'(paddr_i) - 32'(COL_EN_BASE);
  always_comb begin
    unique case (tgt_d)
      TgtInbuf:    win_idx = in_off >> 2;
      TgtOutbuf:   win_idx = out_off >> 2;
      TgtAdcCal:   win_idx = cal_off >> 2;
      TgtWvTarget: win_idx = wvt_off >> 2;
      TgtWvResult: win_idx = wvr_off >> 2;
      TgtRowEn:    win_idx = ren_off >> 2;
      TgtColEn:    win_idx = cen_off >> 2;
      default:     win_idx = codes_off >> 2;
    endcase
  end

  always_comb begin
    tgt_d = TgtNone;
    if (paddr_i[1:0] == 2'b00) begin
      unique case (paddr_i)
        ID_OFFSET:          tgt_d = TgtId;
        VERSION_OFFSET:     tgt_d = TgtVersion;
        PARAM_ARRAY_OFFSET: tgt_d = TgtParamArray;
        PARAM_BITS_OFFSET:  tgt_d = TgtParamBits;
        PARAM_ADC_OFFSET:   tgt_d = TgtParamAdc;
        PARAM_OUT_OFFSET:   tgt_d = TgtParamOut;
        CTRL_OFFSET:        tgt_d = TgtCtrl;
        STATUS_OFFSET:      tgt_d = TgtStatus;
        SHAPE_OFFSET:       tgt_d = TgtShape;
        INPUT_OFFSET:       tgt_d = TgtInput;
        ADC_OFFSET:         tgt_d = TgtAdc;
        OUTPUT_OFFSET:      tgt_d = TgtOutput;
        CYCLES_OFFSET:      tgt_d = TgtCycles;
        INTR_STATE_OFFSET:  tgt_d = TgtIntrState;
        INTR_ENABLE_OFFSET: tgt_d = TgtIntrEnable;
        WV_CTRL_OFFSET:     tgt_d = TgtWvCtrl;
        WV_STATUS_OFFSET:   tgt_d = TgtWvStatus;
        WV_ADDR_OFFSET:     tgt_d = TgtWvAddr;
        WV_COUNT_OFFSET:    tgt_d = TgtWvCount;
        WV_VERIFY_OFFSET:   tgt_d = TgtWvVerify;
        WV_SET_OFFSET:      tgt_d = TgtWvSet;
        WV_RESET_OFFSET:    tgt_d = TgtWvReset;
        WV_TIMING_OFFSET:   tgt_d = TgtWvTiming;
        WV_CELLS_OFFSET:    tgt_d = TgtWvCells;
        WV_PULSES_OFFSET:   tgt_d = TgtWvPulses;
        WV_FAIL_OFFSET:     tgt_d = TgtWvFail;
        WV_CYCLES_OFFSET:   tgt_d = TgtWvCycles;
        ACT_CTRL_OFFSET:        tgt_d = TgtActCtrl;
        ACT_PHASES_OFFSET:      tgt_d = TgtActPhases;
        ACT_WORDLINES_OFFSET:   tgt_d = TgtActWordlines;
        ACT_CONVERSIONS_OFFSET: tgt_d = TgtActConversions;
        ACT_SHIFT_ADDS_OFFSET:  tgt_d = TgtActShiftAdds;
        ACT_PULSES_OFFSET:      tgt_d = TgtActPulses;
        ACT_READS_OFFSET:       tgt_d = TgtActReads;
        ACT_BUSY_OFFSET:        tgt_d = TgtActBusy;
        default: begin
          if (in_off < 32'(4 * INBUF_WORDS)) begin
            tgt_d = TgtInbuf;
          end else if (out_off < 32'(4 * OUTBUF_WORDS)) begin
            tgt_d = TgtOutbuf;
          end else if (cal_off < 32'(4 * ADC_CAL_WORDS)) begin
            tgt_d = TgtAdcCal;
          end else if (codes_off < 32'(4 * CODES_WORDS)) begin
            tgt_d = TgtCodes;
          end else if (wvt_off < 32'(4 * WV_TARGET_WORDS)) begin
            tgt_d = TgtWvTarget;
          end else if (wvr_off < 32'(4 * WV_RESULT_WORDS)) begin
            tgt_d = TgtWvResult;
          end else if (ren_off < 32'(4 * ROW_EN_WORDS)) begin
            tgt_d = TgtRowEn;
          end else if (cen_off < 32'(4 * COL_EN_WORDS)) begin
            tgt_d = TgtColEn;
          end
        end
      endcase
    end
  end

  // Access rules of the register map (see the header comment).
  always_comb begin
    err_d = 1'b0;
    unique case (tgt_d)
      TgtNone: err_d = 1'b1;
      TgtId, TgtVersion, TgtParamArray, TgtParamBits, TgtParamAdc, TgtParamOut,
      TgtStatus, TgtCycles, TgtWvStatus, TgtWvCells, TgtWvPulses, TgtWvFail,
      TgtWvCycles, TgtActPhases, TgtActWordlines, TgtActConversions, TgtActShiftAdds,
      TgtActPulses, TgtActReads, TgtActBusy: err_d = pwrite_i;
      TgtShape, TgtInput, TgtAdc, TgtOutput, TgtWvAddr, TgtWvCount, TgtWvVerify, TgtWvSet,
      TgtWvReset, TgtWvTiming: err_d = pwrite_i && busy_i;
      TgtInbuf: err_d = busy_i || (win_idx >= InWords);
      TgtOutbuf: err_d = pwrite_i || busy_i || (win_idx >= NOut);
      TgtAdcCal: err_d = busy_i || (win_idx >= NAdc);
      TgtCodes: err_d = pwrite_i || busy_i || (win_idx >= Cols);
      TgtWvTarget: err_d = busy_i || (win_idx >= WvWords);
      TgtWvResult: err_d = pwrite_i || busy_i || (win_idx >= WvWords);
      TgtRowEn: err_d = busy_i || (win_idx >= RowEnWords);
      TgtColEn: err_d = busy_i || (win_idx >= ColEnWords);
      default: err_d = 1'b0;
    endcase
  end

  // Read data, gated by the setup phase so idle cycles evaluate nothing.
  always_comb begin
    rdata_d = '0;
    if (setup) begin
      unique case (tgt_d)
        TgtId: rdata_d[ID_MAGIC_LSB +: ID_MAGIC_WIDTH] = IdMagic;
        TgtVersion: begin
          rdata_d[VERSION_MAJOR_LSB +: VERSION_MAJOR_WIDTH] = VersionMajor;
          rdata_d[VERSION_MINOR_LSB +: VERSION_MINOR_WIDTH] = VersionMinor;
        end
        TgtParamArray: begin
          rdata_d[PARAM_ARRAY_ROWS_LSB +: PARAM_ARRAY_ROWS_WIDTH] = PARAM_ARRAY_ROWS_WIDTH'(Rows);
          rdata_d[PARAM_ARRAY_COLS_LSB +: PARAM_ARRAY_COLS_WIDTH] = PARAM_ARRAY_COLS_WIDTH'(Cols);
        end
        TgtParamBits: begin
          rdata_d[PARAM_BITS_W_BITS_LSB +: PARAM_BITS_W_BITS_WIDTH] =
              PARAM_BITS_W_BITS_WIDTH'(WBits);
          rdata_d[PARAM_BITS_CELL_BITS_LSB +: PARAM_BITS_CELL_BITS_WIDTH] =
              PARAM_BITS_CELL_BITS_WIDTH'(CellBits);
          rdata_d[PARAM_BITS_X_BITS_LSB +: PARAM_BITS_X_BITS_WIDTH] =
              PARAM_BITS_X_BITS_WIDTH'(XBits);
          rdata_d[PARAM_BITS_ADC_BITS_LSB +: PARAM_BITS_ADC_BITS_WIDTH] =
              PARAM_BITS_ADC_BITS_WIDTH'(AdcBits);
        end
        TgtParamAdc: begin
          rdata_d[PARAM_ADC_COLS_PER_ADC_LSB +: PARAM_ADC_COLS_PER_ADC_WIDTH] =
              PARAM_ADC_COLS_PER_ADC_WIDTH'(ColsPerAdc);
          rdata_d[PARAM_ADC_P_MAX_LSB +: PARAM_ADC_P_MAX_WIDTH] = PARAM_ADC_P_MAX_WIDTH'(PMax);
        end
        TgtParamOut: begin
          rdata_d[PARAM_OUT_N_OUT_LSB +: PARAM_OUT_N_OUT_WIDTH] = PARAM_OUT_N_OUT_WIDTH'(NOut);
          rdata_d[PARAM_OUT_ACC_BITS_LSB +: PARAM_OUT_ACC_BITS_WIDTH] =
              PARAM_OUT_ACC_BITS_WIDTH'(AccBits);
        end
        TgtStatus: begin
          rdata_d[STATUS_BUSY_LSB]  = busy_i;
          rdata_d[STATUS_DONE_LSB]  = done_i;
          rdata_d[STATUS_ERROR_LSB] = (err_code_i != ErrNone);
          rdata_d[STATUS_STATE_LSB +: STATUS_STATE_WIDTH]       = state_i;
          rdata_d[STATUS_ERR_CODE_LSB +: STATUS_ERR_CODE_WIDTH] = err_code_i;
        end
        TgtShape: begin
          rdata_d[SHAPE_N_ROWS_LSB +: SHAPE_N_ROWS_WIDTH] = cfg_q.n_rows;
          rdata_d[SHAPE_N_OUTS_LSB +: SHAPE_N_OUTS_WIDTH] = cfg_q.n_outs;
        end
        TgtInput: begin
          rdata_d[INPUT_X_BITS_LSB +: INPUT_X_BITS_WIDTH]         = cfg_q.x_bits;
          rdata_d[INPUT_SIGNED_LSB]                               = cfg_q.is_signed;
          rdata_d[INPUT_GROUP_ROWS_LSB +: INPUT_GROUP_ROWS_WIDTH] = cfg_q.group_rows;
        end
        TgtAdc: rdata_d[ADC_CONV_CYCLES_LSB +: ADC_CONV_CYCLES_WIDTH] = cfg_q.conv_cycles;
        TgtOutput: begin
          rdata_d[OUTPUT_RELU_LSB]                            = cfg_q.relu;
          rdata_d[OUTPUT_SHIFT_LSB +: OUTPUT_SHIFT_WIDTH]     = cfg_q.shift;
          rdata_d[OUTPUT_OUT_BITS_LSB +: OUTPUT_OUT_BITS_WIDTH] = cfg_q.out_bits;
        end
        TgtCycles: rdata_d[CYCLES_COUNT_LSB +: CYCLES_COUNT_WIDTH] = cycles_i;
        TgtIntrState: begin
          rdata_d[INTR_STATE_DONE_LSB]    = intr_state_q[0];
          rdata_d[INTR_STATE_ERROR_LSB]   = intr_state_q[1];
          rdata_d[INTR_STATE_WV_DONE_LSB] = intr_state_q[2];
        end
        TgtIntrEnable: begin
          rdata_d[INTR_ENABLE_DONE_LSB]    = intr_enable_q[0];
          rdata_d[INTR_ENABLE_ERROR_LSB]   = intr_enable_q[1];
          rdata_d[INTR_ENABLE_WV_DONE_LSB] = intr_enable_q[2];
        end
        TgtWvStatus: begin
          rdata_d[WV_STATUS_BUSY_LSB] = wv_stat_i.busy;
          rdata_d[WV_STATUS_DONE_LSB] = wv_stat_i.done;
          rdata_d[WV_STATUS_STATE_LSB +: WV_STATUS_STATE_WIDTH] = wv_stat_i.state;
        end
        TgtWvAddr: begin
          rdata_d[WV_ADDR_ROW_LSB +: WV_ADDR_ROW_WIDTH] = wv_cfg_q.row;
          rdata_d[WV_ADDR_COL_LSB +: WV_ADDR_COL_WIDTH] = wv_cfg_q.col;
        end
        TgtWvCount: rdata_d[WV_COUNT_COUNT_LSB +: WV_COUNT_COUNT_WIDTH] = wv_cfg_q.count;
        TgtWvVerify: begin
          rdata_d[WV_VERIFY_TOL_LSB +: WV_VERIFY_TOL_WIDTH]           = wv_cfg_q.tol;
          rdata_d[WV_VERIFY_MAX_ITER_LSB +: WV_VERIFY_MAX_ITER_WIDTH] = wv_cfg_q.max_iter;
        end
        TgtWvSet: begin
          rdata_d[WV_SET_START_LSB +: WV_SET_START_WIDTH] = wv_cfg_q.set_amp.start;
          rdata_d[WV_SET_STEP_LSB +: WV_SET_STEP_WIDTH]   = wv_cfg_q.set_amp.step;
          rdata_d[WV_SET_MAX_LSB +: WV_SET_MAX_WIDTH]     = wv_cfg_q.set_amp.limit;
        end
        TgtWvReset: begin
          rdata_d[WV_RESET_START_LSB +: WV_RESET_START_WIDTH] = wv_cfg_q.reset_amp.start;
          rdata_d[WV_RESET_STEP_LSB +: WV_RESET_STEP_WIDTH]   = wv_cfg_q.reset_amp.step;
          rdata_d[WV_RESET_MAX_LSB +: WV_RESET_MAX_WIDTH]     = wv_cfg_q.reset_amp.limit;
        end
        TgtWvTiming: begin
          rdata_d[WV_TIMING_WIDTH_LSB +: WV_TIMING_WIDTH_WIDTH]             = wv_cfg_q.width;
          rdata_d[WV_TIMING_READ_CYCLES_LSB +: WV_TIMING_READ_CYCLES_WIDTH] = wv_cfg_q.read_cycles;
        end
        TgtWvCells: begin
          rdata_d[WV_CELLS_DONE_LSB +: WV_CELLS_DONE_WIDTH]     = wv_stat_i.cells_done;
          rdata_d[WV_CELLS_FAILED_LSB +: WV_CELLS_FAILED_WIDTH] = wv_stat_i.cells_failed;
        end
        TgtWvPulses: rdata_d[WV_PULSES_COUNT_LSB +: WV_PULSES_COUNT_WIDTH] = wv_stat_i.pulses;
        TgtWvFail: begin
          rdata_d[WV_FAIL_ROW_LSB +: WV_FAIL_ROW_WIDTH] = wv_stat_i.fail_row;
          rdata_d[WV_FAIL_COL_LSB +: WV_FAIL_COL_WIDTH] = wv_stat_i.fail_col;
        end
        TgtWvCycles: rdata_d[WV_CYCLES_COUNT_LSB +: WV_CYCLES_COUNT_WIDTH] = wv_stat_i.cycles;
        TgtActPhases:      rdata_d = act_i.phases;
        TgtActWordlines:   rdata_d = act_i.wordlines;
        TgtActConversions: rdata_d = act_i.conversions;
        TgtActShiftAdds:   rdata_d = act_i.shift_adds;
        TgtActPulses:      rdata_d = act_i.pulses;
        TgtActReads:       rdata_d = act_i.reads;
        TgtActBusy:        rdata_d = act_i.busy;
        default: rdata_d = '0;  // CTRL, WV_CTRL, windows (their own read ports), none
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tgt_q   <= TgtNone;
      err_q   <= 1'b0;
      rdata_q <= '0;
    end else if (setup) begin
      tgt_q   <= tgt_d;
      err_q   <= err_d;
      rdata_q <= rdata_d;
    end
  end

  // ---------------------------------------------------------------- windows
  assign inbuf_re_o    = setup && (tgt_d == TgtInbuf) && !err_d && !pwrite_i;
  assign outbuf_re_o   = setup && (tgt_d == TgtOutbuf) && !err_d;
  assign inbuf_idx_o   = InIdxW'(win_idx);
  assign outbuf_idx_o  = OutIdxW'(win_idx);
  assign inbuf_we_o    = wr_en && (tgt_q == TgtInbuf);
  assign inbuf_wdata_o = pwdata_i;
  assign cal_re_o      = setup && (tgt_d == TgtAdcCal) && !err_d && !pwrite_i;
  assign cal_idx_o     = CalIdxW'(win_idx);
  assign cal_we_o      = wr_en && (tgt_q == TgtAdcCal);
  assign cal_wdata_o   = pwdata_i;
  assign codes_re_o    = setup && (tgt_d == TgtCodes) && !err_d;
  assign codes_idx_o   = CodeIdxW'(win_idx);
  assign wv_tgt_re_o    = setup && (tgt_d == TgtWvTarget) && !err_d && !pwrite_i;
  assign wv_tgt_idx_o   = WvWinIdxW'(win_idx);
  assign wv_tgt_we_o    = wr_en && (tgt_q == TgtWvTarget);
  assign wv_tgt_wdata_o = pwdata_i;
  assign wv_res_re_o    = setup && (tgt_d == TgtWvResult) && !err_d;
  assign wv_res_idx_o   = WvWinIdxW'(win_idx);
  assign row_en_re_o    = setup && (tgt_d == TgtRowEn) && !err_d && !pwrite_i;
  assign col_en_re_o    = setup && (tgt_d == TgtColEn) && !err_d && !pwrite_i;
  assign row_en_we_o    = wr_en && (tgt_q == TgtRowEn);
  assign col_en_we_o    = wr_en && (tgt_q == TgtColEn);
  assign en_idx_o       = EnIdxW'(win_idx);
  assign en_wdata_o     = pwdata_i;

  // ---------------------------------------------------------------- writes
  // Committed in the access phase, unless the setup phase flagged an error.
  assign wr_en = access && pwrite_i && !err_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // Reset values of rtl/cim_regs.rdl.
      cfg_q.n_rows      <= SHAPE_N_ROWS_RESET;
      cfg_q.n_outs      <= SHAPE_N_OUTS_RESET;
      cfg_q.x_bits      <= INPUT_X_BITS_RESET;
      cfg_q.is_signed   <= INPUT_SIGNED_RESET;
      cfg_q.group_rows  <= INPUT_GROUP_ROWS_RESET;
      cfg_q.conv_cycles <= ADC_CONV_CYCLES_RESET;
      cfg_q.relu        <= OUTPUT_RELU_RESET;
      cfg_q.shift       <= OUTPUT_SHIFT_RESET;
      cfg_q.out_bits    <= OUTPUT_OUT_BITS_RESET;
      intr_enable_q     <= {INTR_ENABLE_WV_DONE_RESET, INTR_ENABLE_ERROR_RESET,
                            INTR_ENABLE_DONE_RESET};
      wv_cfg_q.row             <= WV_ADDR_ROW_RESET;
      wv_cfg_q.col             <= WV_ADDR_COL_RESET;
      wv_cfg_q.count           <= WV_COUNT_COUNT_RESET;
      wv_cfg_q.tol             <= WV_VERIFY_TOL_RESET;
      wv_cfg_q.max_iter        <= WV_VERIFY_MAX_ITER_RESET;
      wv_cfg_q.set_amp.start   <= WV_SET_START_RESET;
      wv_cfg_q.set_amp.step    <= WV_SET_STEP_RESET;
      wv_cfg_q.set_amp.limit   <= WV_SET_MAX_RESET;
      wv_cfg_q.reset_amp.start <= WV_RESET_START_RESET;
      wv_cfg_q.reset_amp.step  <= WV_RESET_STEP_RESET;
      wv_cfg_q.reset_amp.limit <= WV_RESET_MAX_RESET;
      wv_cfg_q.width           <= WV_TIMING_WIDTH_RESET;
      wv_cfg_q.read_cycles     <= WV_TIMING_READ_CYCLES_RESET;
    end else if (wr_en) begin
      unique case (tgt_q)
        TgtShape: begin
          cfg_q.n_rows <= pwdata_i[SHAPE_N_ROWS_LSB +: SHAPE_N_ROWS_WIDTH];
          cfg_q.n_outs <= pwdata_i[SHAPE_N_OUTS_LSB +: SHAPE_N_OUTS_WIDTH];
        end
        TgtInput: begin
          cfg_q.x_bits     <= pwdata_i[INPUT_X_BITS_LSB +: INPUT_X_BITS_WIDTH];
          cfg_q.is_signed  <= pwdata_i[INPUT_SIGNED_LSB];
          cfg_q.group_rows <= pwdata_i[INPUT_GROUP_ROWS_LSB +: INPUT_GROUP_ROWS_WIDTH];
        end
        TgtAdc: cfg_q.conv_cycles <= pwdata_i[ADC_CONV_CYCLES_LSB +: ADC_CONV_CYCLES_WIDTH];
        TgtOutput: begin
          cfg_q.relu     <= pwdata_i[OUTPUT_RELU_LSB];
          cfg_q.shift    <= pwdata_i[OUTPUT_SHIFT_LSB +: OUTPUT_SHIFT_WIDTH];
          cfg_q.out_bits <= pwdata_i[OUTPUT_OUT_BITS_LSB +: OUTPUT_OUT_BITS_WIDTH];
        end
        TgtIntrEnable: begin
          intr_enable_q[0] <= pwdata_i[INTR_ENABLE_DONE_LSB];
          intr_enable_q[1] <= pwdata_i[INTR_ENABLE_ERROR_LSB];
          intr_enable_q[2] <= pwdata_i[INTR_ENABLE_WV_DONE_LSB];
        end
        TgtWvAddr: begin
          wv_cfg_q.row <= pwdata_i[WV_ADDR_ROW_LSB +: WV_ADDR_ROW_WIDTH];
          wv_cfg_q.col <= pwdata_i[WV_ADDR_COL_LSB +: WV_ADDR_COL_WIDTH];
        end
        TgtWvCount: wv_cfg_q.count <= pwdata_i[WV_COUNT_COUNT_LSB +: WV_COUNT_COUNT_WIDTH];
        TgtWvVerify: begin
          wv_cfg_q.tol      <= pwdata_i[WV_VERIFY_TOL_LSB +: WV_VERIFY_TOL_WIDTH];
          wv_cfg_q.max_iter <= pwdata_i[WV_VERIFY_MAX_ITER_LSB +: WV_VERIFY_MAX_ITER_WIDTH];
        end
        TgtWvSet: begin
          wv_cfg_q.set_amp.start <= pwdata_i[WV_SET_START_LSB +: WV_SET_START_WIDTH];
          wv_cfg_q.set_amp.step  <= pwdata_i[WV_SET_STEP_LSB +: WV_SET_STEP_WIDTH];
          wv_cfg_q.set_amp.limit   <= pwdata_i[WV_SET_MAX_LSB +: WV_SET_MAX_WIDTH];
        end
        TgtWvReset: begin
          wv_cfg_q.reset_amp.start <= pwdata_i[WV_RESET_START_LSB +: WV_RESET_START_WIDTH];
          wv_cfg_q.reset_amp.step  <= pwdata_i[WV_RESET_STEP_LSB +: WV_RESET_STEP_WIDTH];
          wv_cfg_q.reset_amp.limit   <= pwdata_i[WV_RESET_MAX_LSB +: WV_RESET_MAX_WIDTH];
        end
        TgtWvTiming: begin
          wv_cfg_q.width       <= pwdata_i[WV_TIMING_WIDTH_LSB +: WV_TIMING_WIDTH_WIDTH];
          wv_cfg_q.read_cycles <=
              pwdata_i[WV_TIMING_READ_CYCLES_LSB +: WV_TIMING_READ_CYCLES_WIDTH];
        end
        default: ;  // read-only targets never reach here (err_q), others below
      endcase
    end
  end

  // CTRL.START is a single pulse; writing 0 does nothing.
  assign start_o    = wr_en && (tgt_q == TgtCtrl) && pwdata_i[CTRL_START_LSB];
  assign wv_start_o = wr_en && (tgt_q == TgtWvCtrl) && pwdata_i[WV_CTRL_START_LSB];
  assign wv_read_o  = wr_en && (tgt_q == TgtWvCtrl) && pwdata_i[WV_CTRL_READ_LSB];
  assign act_clear_o = wr_en && (tgt_q == TgtActCtrl) && pwdata_i[ACT_CTRL_CLEAR_LSB];

  // INTR_STATE: hardware sets win over a software clear in the same cycle.
  always_comb begin
    intr_state_d = intr_state_q;
    if (wr_en && (tgt_q == TgtIntrState)) begin
      intr_state_d = intr_state_q & ~{pwdata_i[INTR_STATE_WV_DONE_LSB],
                                      pwdata_i[INTR_STATE_ERROR_LSB],
                                      pwdata_i[INTR_STATE_DONE_LSB]};
    end
    intr_state_d = intr_state_d | {intr_wv_done_i, intr_err_i, intr_done_i};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      intr_state_q <= '0;
    end else begin
      intr_state_q <= intr_state_d;
    end
  end

  // ---------------------------------------------------------------- outputs
  assign cfg_o     = cfg_q;
  assign wv_cfg_o  = wv_cfg_q;
  assign irq_o     = |(intr_state_q & intr_enable_q);
  assign pready_o  = 1'b1;
  assign pslverr_o = access && err_q;
  always_comb begin
    unique case (tgt_q)
      TgtInbuf:  prdata_o = inbuf_rdata_i;
      TgtOutbuf: prdata_o = outbuf_rdata_i;
      TgtAdcCal: prdata_o = cal_rdata_i;
      TgtCodes:  prdata_o = codes_rdata_i;
      TgtWvTarget: prdata_o = wv_tgt_rdata_i;
      TgtWvResult: prdata_o = wv_res_rdata_i;
      TgtRowEn:    prdata_o = row_en_rdata_i;
      TgtColEn:    prdata_o = col_en_rdata_i;
      default:   prdata_o = rdata_q;
    endcase
  end

`ifndef SYNTHESIS
  // PENABLE only in the cycle after a setup phase (PSEL && !PENABLE).
  ApbEnableAfterSetup_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) penable_i |-> psel_i && $past(
      psel_i && !penable_i
  ));
  // A setup phase is always followed by its access phase.
  ApbSetupThenAccess_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      (psel_i && !penable_i) |=> (psel_i && penable_i));
  // Address, direction and write data hold from setup to access.
  ApbStable_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) penable_i |-> $stable(
      paddr_i
  ) && $stable(
      pwrite_i
  ) && (!pwrite_i || $stable(
      pwdata_i
  )));
  // PSLVERR is only ever shown in an access phase.
  ApbErrOnlyInAccess_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) pslverr_o |-> access);
`endif

endmodule

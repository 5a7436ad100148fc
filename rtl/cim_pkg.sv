// Derived parameters and shared types of the CIM macro periphery.
//
// The build parameters themselves (Rows, Cols, WBits, ...) and the values
// software needs too (Slices, NOut, NAdc, PFit, ...) come from the generated
// cim_cfg_pkg; the widths here are computed from them and from the register
// map so that one configuration file sets the whole macro. AccBits stays here:
// it follows the calibration's fixed-point format, which only the RTL knows
// (software reads it from PARAM_OUT.ACC_BITS).
package cim_pkg;

  import cim_cfg_pkg::*;

  // ------------------------------------------------------------ data path
  // Slices, ColsPerOut, NOut, NAdc (and LevelMax, AdcMax, PFit) are derived
  // once, by tools/gen_cfg.py, in cim_cfg_pkg: modules that use them import it.

  // ------------------------------------------------------------ calibration
  // Every captured code is calibrated per ADC (ADC_CAL in the register map):
  //   cal = ((16 * code - OFFSET) * GAIN + 2^(CalFrac-1)) >>> CalFrac
  // with OFFSET signed in 1/16 LSB and GAIN unsigned with 1.0 = 2^14.
  localparam int unsigned CalOffW = cim_reg_pkg::ADC_CAL_CAL_OFFSET_WIDTH;
  localparam int unsigned CalGainW = cim_reg_pkg::ADC_CAL_CAL_GAIN_WIDTH;
  localparam int unsigned CalFrac = 18;  // 4 offset fraction bits + 14 gain fraction bits
  // 16 * code - OFFSET: |x| < 2^(AdcBits+4) + 2^(CalOffW-1), plus a sign bit.
  localparam int unsigned CalXW = ((AdcBits + 4 > CalOffW - 1) ? AdcBits + 4 : CalOffW - 1) + 2;
  localparam int unsigned CalProdW = CalXW + CalGainW + 1;
  // |cal| <= 2^(AdcBits+4+CalGainW-CalFrac) + 2^(CalOffW-1+CalGainW-CalFrac): one bit for
  // the sum of the two terms, one for the sign.
  localparam int unsigned CalHiW = (AdcBits + 4 > CalOffW - 1) ? AdcBits + 4 : CalOffW - 1;
  localparam int unsigned CalBits = CalHiW + CalGainW - CalFrac + 2;

  // Accumulator width. Bound: one (group, plane) term of output j is
  //   |sum_s (c+ - c-) 2^(k + s*CellBits)|, |c+ - c-| < 2^CalBits, so the term is
  //   < 2^(CalBits + k + Slices*CellBits); summing k over 0..XBits-1 gives
  //   < 2^(CalBits + Slices*CellBits + XBits) per row group, and there are at
  // most Rows row groups (P = 1), so
  //   |acc| < 2^(CalBits + Slices*CellBits + XBits + clog2(Rows)).
  // One sign bit on top makes it exact for any ADC codes, any calibration and
  // any legal configuration (signed inputs only flip the sign of terms).
  localparam int unsigned AccBits = CalBits + Slices * CellBits + XBits + $clog2(Rows) + 1;

  // ------------------------------------------------------------ counters
  // Row numbers 0..Rows and the sum of a row index and a group size (< 2*Rows).
  localparam int unsigned RowCntW = $clog2(Rows + 1) + 1;
  // Physical column counts 0..Cols.
  localparam int unsigned ColCntW = $clog2(Cols + 1);
  // Input bit plane index 0..XBits-1.
  localparam int unsigned PlaneW = (XBits > 1) ? $clog2(XBits) : 1;
  // Column mux select 0..ColsPerAdc-1.
  localparam int unsigned SelW = (ColsPerAdc > 1) ? $clog2(ColsPerAdc) : 1;
  // Logical output index 0..NOut-1.
  localparam int unsigned OutIdxW = (NOut > 1) ? $clog2(NOut) : 1;
  // Implemented input buffer words (4 inputs per 32-bit word).
  localparam int unsigned InWords = (Rows + 3) / 4;
  // Word index inside the INBUF window of the register map.
  localparam int unsigned InIdxW = $clog2(cim_reg_pkg::INBUF_WORDS);
  // ADC index 0..NAdc-1.
  localparam int unsigned AdcIdxW = (NAdc > 1) ? $clog2(NAdc) : 1;
  // Word index inside the ADC_CAL and CODES windows.
  localparam int unsigned CalIdxW = $clog2(cim_reg_pkg::ADC_CAL_WORDS);
  localparam int unsigned CodeIdxW = $clog2(cim_reg_pkg::CODES_WORDS);
  // Words of the ROW_EN and COL_EN windows the build implements, and an index.
  localparam int unsigned RowEnWords = (Rows + 31) / 32;
  localparam int unsigned ColEnWords = (Cols + 31) / 32;
  localparam int unsigned EnIdxW = $clog2(cim_reg_pkg::ROW_EN_WORDS);
  // Index of a physical column.
  localparam int unsigned ColIdxW = (Cols > 1) ? $clog2(Cols) : 1;
  // Conversion time counter (ADC.CONV_CYCLES).
  localparam int unsigned ConvW = cim_reg_pkg::ADC_CONV_CYCLES_WIDTH;

  // ------------------------------------------------------------ write-verify
  // Cells one run programs at most: one target byte each in WV_TARGET,
  // capped by the columns of a row.
  localparam int unsigned WvWinCells = 4 * cim_reg_pkg::WV_TARGET_WORDS;
  localparam int unsigned WvCells = (Cols < WvWinCells) ? Cols : WvWinCells;
  localparam int unsigned WvWords = (WvCells + 3) / 4;
  // Cell index in a run 0..WvCells-1, and counts 0..WvCells.
  localparam int unsigned WvIdxW = (WvCells > 1) ? $clog2(WvCells) : 1;
  localparam int unsigned WvCntW = $clog2(WvCells + 1);
  // Word index inside the WV_TARGET / WV_RESULT windows.
  localparam int unsigned WvWinIdxW = $clog2(cim_reg_pkg::WV_TARGET_WORDS);
  // Verify sense codes: one byte, 0 = g_min .. 255 = g_max (cmodel/rram_switch.h).
  localparam int unsigned SenseBits = 8;
  // Pulses per cell (WV_VERIFY.MAX_ITER) and the result byte's pulse count.
  localparam int unsigned WvIterW = cim_reg_pkg::WV_VERIFY_MAX_ITER_WIDTH;
  localparam int unsigned WvAmpW = cim_reg_pkg::WV_SET_START_WIDTH;
  localparam int unsigned WvTimeW = cim_reg_pkg::WV_TIMING_WIDTH_WIDTH;

  // ------------------------------------------------------------ identity
  // Reset values of ID and VERSION in rtl/cim_regs.rdl.
  localparam logic [31:0] IdMagic = cim_reg_pkg::ID_MAGIC_RESET;  // ASCII "CIM1"
  localparam logic [15:0] VersionMajor = cim_reg_pkg::VERSION_MAJOR_RESET;
  localparam logic [15:0] VersionMinor = cim_reg_pkg::VERSION_MINOR_RESET;

  // Run-time configuration as held in the CSRs (register field widths).
  typedef struct packed {
    logic [cim_reg_pkg::SHAPE_N_ROWS_WIDTH-1:0]       n_rows;
    logic [cim_reg_pkg::SHAPE_N_OUTS_WIDTH-1:0]       n_outs;
    logic [cim_reg_pkg::INPUT_X_BITS_WIDTH-1:0]       x_bits;
    logic                                             is_signed;
    logic [cim_reg_pkg::INPUT_GROUP_ROWS_WIDTH-1:0]   group_rows;
    logic [ConvW-1:0]                                 conv_cycles;
    logic                                             relu;
    logic [cim_reg_pkg::OUTPUT_SHIFT_WIDTH-1:0]       shift;
    logic [cim_reg_pkg::OUTPUT_OUT_BITS_WIDTH-1:0]    out_bits;
  } cim_cfg_t;

  // Pulse amplitude ramp of one polarity (WV_SET, WV_RESET).
  typedef struct packed {
    logic [WvAmpW-1:0] start;
    logic [WvAmpW-1:0] step;
    logic [WvAmpW-1:0] limit;  // MAX field
  } wv_amp_t;

  // Write-verify configuration as held in the CSRs (register field widths).
  typedef struct packed {
    logic [cim_reg_pkg::WV_ADDR_ROW_WIDTH-1:0]        row;
    logic [cim_reg_pkg::WV_ADDR_COL_WIDTH-1:0]        col;
    logic [cim_reg_pkg::WV_COUNT_COUNT_WIDTH-1:0]     count;
    logic [cim_reg_pkg::WV_VERIFY_TOL_WIDTH-1:0]      tol;
    logic [WvIterW-1:0]                               max_iter;
    wv_amp_t                                          set_amp;    // WV_SET
    wv_amp_t                                          reset_amp;  // WV_RESET
    logic [WvTimeW-1:0]                               width;
    logic [cim_reg_pkg::WV_TIMING_READ_CYCLES_WIDTH-1:0] read_cycles;
  } wv_cfg_t;

  // Write-verify status and counters shown in the CSRs.
  typedef struct packed {
    logic                                          busy;
    logic                                          done;
    cim_reg_pkg::wv_state_e                        state;
    logic [cim_reg_pkg::WV_CELLS_DONE_WIDTH-1:0]   cells_done;
    logic [cim_reg_pkg::WV_CELLS_FAILED_WIDTH-1:0] cells_failed;
    logic [31:0]                                   pulses;
    logic [cim_reg_pkg::WV_FAIL_ROW_WIDTH-1:0]     fail_row;
    logic [cim_reg_pkg::WV_FAIL_COL_WIDTH-1:0]     fail_col;
    logic [31:0]                                   cycles;
  } wv_stat_t;

  // Activity counters (ACT_* registers, cim_activity).
  typedef struct packed {
    logic [31:0] phases;       // MVM phases (wordline drives)
    logic [31:0] wordlines;    // wordlines driven, summed over the phases
    logic [31:0] conversions;  // ADC conversions
    logic [31:0] shift_adds;   // column codes added by the shift-and-add
    logic [31:0] pulses;       // write-verify pulses
    logic [31:0] reads;        // verify reads
    logic [31:0] busy;         // cycles with an MVM or a write-verify run going on
  } act_cnt_t;

endpackage

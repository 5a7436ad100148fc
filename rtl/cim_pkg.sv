// Derived parameters and shared types of the CIM macro periphery.
//
// The build parameters themselves (Rows, Cols, WBits, ...) come from the
// generated cim_cfg_pkg; everything here is computed from them so that one
// configuration file sets the whole macro.
package cim_pkg;

  import cim_cfg_pkg::*;

  // ------------------------------------------------------------ data path
  // Weight slices per weight and physical columns per logical output (a
  // differential G+/G- pair per slice, see cmodel/cim_map.h).
  localparam int unsigned Slices     = (WBits + CellBits - 1) / CellBits;
  localparam int unsigned ColsPerOut = 2 * Slices;
  // Logical outputs; physical columns at or above NOut * ColsPerOut are unused.
  localparam int unsigned NOut       = Cols / ColsPerOut;
  // ADCs; the last one may have fewer than ColsPerAdc real columns behind it.
  localparam int unsigned NAdc       = (Cols + ColsPerAdc - 1) / ColsPerAdc;

  // Accumulator width. Bound: one (group, plane) term of output j is
  //   |sum_s (c+ - c-) 2^(k + s*CellBits)| <= (2^AdcBits - 1) * 2^k *
  //   (2^(Slices*CellBits) - 1) / (2^CellBits - 1) < 2^(AdcBits + k + Slices*CellBits),
  // summing k over 0..XBits-1 gives < 2^(AdcBits + Slices*CellBits + XBits)
  // per row group, and there are at most Rows row groups (P = 1), so
  //   |acc| < 2^(AdcBits + Slices*CellBits + XBits + clog2(Rows)).
  // One sign bit on top makes it exact for any ADC codes and any legal
  // configuration (signed inputs only flip the sign of terms). The largest
  // legal build (AdcBits 16, WBits 8 / CellBits 3, XBits 8, Rows 4096) needs 46.
  localparam int unsigned AccBits = AdcBits + Slices * CellBits + XBits + $clog2(Rows) + 1;

  // ------------------------------------------------------------ counters
  // Row numbers 0..Rows and the sum of a row index and a group size (< 2*Rows).
  localparam int unsigned RowCntW = $clog2(Rows + 1) + 1;
  // Physical column counts 0..Cols.
  localparam int unsigned ColCntW = $clog2(Cols + 1);
  // Input bit plane index 0..XBits-1.
  localparam int unsigned PlaneW  = (XBits > 1) ? $clog2(XBits) : 1;
  // Column mux select 0..ColsPerAdc-1.
  localparam int unsigned SelW    = (ColsPerAdc > 1) ? $clog2(ColsPerAdc) : 1;
  // Logical output index 0..NOut-1.
  localparam int unsigned OutIdxW = (NOut > 1) ? $clog2(NOut) : 1;
  // Implemented input buffer words (4 inputs per 32-bit word).
  localparam int unsigned InWords = (Rows + 3) / 4;
  // Word index inside the INBUF window of the register map.
  localparam int unsigned InIdxW  = $clog2(cim_reg_pkg::INBUF_WORDS);
  // Conversion time counter (ADC.CONV_CYCLES).
  localparam int unsigned ConvW   = cim_reg_pkg::ADC_CONV_CYCLES_WIDTH;

  // ------------------------------------------------------------ identity
  // Reset values of ID and VERSION in rtl/cim_regs.rdl.
  localparam logic [31:0] IdMagic      = 32'h4349_4D31;  // ASCII "CIM1"
  localparam logic [15:0] VersionMajor = 16'd1;
  localparam logic [15:0] VersionMinor = 16'd0;

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

endpackage

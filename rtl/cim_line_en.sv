// Row and column enables (ROW_EN, COL_EN windows): which wordlines an MVM
// may select and drive, and which columns' codes enter the shift-and-add.
// Firmware clears the bits of the bad lines it found (sw/fw/cim_lines.h)
// and maps weights onto the others. Reset: every line enabled.
module cim_line_en
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic              clk_i,
  input  logic              rst_ni,
  // APB windows (word index already checked against RowEnWords / ColEnWords)
  input  logic              row_we_i,
  input  logic              row_re_i,   // capture row_rdata_o for the access phase
  input  logic              col_we_i,
  input  logic              col_re_i,   // capture col_rdata_o for the access phase
  input  logic [EnIdxW-1:0] idx_i,
  input  logic [31:0]       wdata_i,
  output logic [31:0]       row_rdata_o,
  output logic [31:0]       col_rdata_o,
  // The enables
  output logic [Rows-1:0]   row_en_o,
  output logic [Cols-1:0]   col_en_o
);

  // Whole words, bits past the last line held at 0.
  localparam int unsigned RowBits = 32 * RowEnWords;
  localparam int unsigned ColBits = 32 * ColEnWords;
  localparam logic [RowBits-1:0] RowMask = RowBits'({Rows{1'b1}});
  localparam logic [ColBits-1:0] ColMask = ColBits'({Cols{1'b1}});

  logic [RowBits-1:0] row_q;
  logic [ColBits-1:0] col_q;
  logic [31:0] row_rdata_q, col_rdata_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_q <= RowMask;
      col_q <= ColMask;
    end else begin
      if (row_we_i) begin
        row_q <= (row_q & ~(RowBits'(32'hffff_ffff) << (32 * 32'(idx_i)))) |
                 ((RowBits'(wdata_i) << (32 * 32'(idx_i))) & RowMask);
      end
      if (col_we_i) begin
        col_q <= (col_q & ~(ColBits'(32'hffff_ffff) << (32 * 32'(idx_i)))) |
                 ((ColBits'(wdata_i) << (32 * 32'(idx_i))) & ColMask);
      end
    end
  end

  // Registered window reads: decoded in the APB setup phase, shown in the
  // access phase.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_rdata_q <= '0;
      col_rdata_q <= '0;
    end else begin
      if (row_re_i) begin
        row_rdata_q <= 32'(row_q >> (32 * 32'(idx_i)));
      end
      if (col_re_i) begin
        col_rdata_q <= 32'(col_q >> (32 * 32'(idx_i)));
      end
    end
  end

  assign row_rdata_o = row_rdata_q;
  assign col_rdata_o = col_rdata_q;
  assign row_en_o    = row_q[Rows-1:0];
  assign col_en_o    = col_q[Cols-1:0];

`ifndef SYNTHESIS
  RowIdxInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      (row_we_i || row_re_i) |-> 32'(idx_i) < RowEnWords);
  ColIdxInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      (col_we_i || col_re_i) |-> 32'(idx_i) < ColEnWords);
`endif

endmodule

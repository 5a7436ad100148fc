// Input buffer and wordline pattern generator.
//
// Inputs are stored as XBits bit planes of Rows bits, the layout bit-serial
// CIM reads them in: the wordlines of one phase are one plane ANDed with the
// rows of the current row group, one wide AND instead of a per-row loop.
// The APB view is one word per 4 inputs, one input per byte (low XBits bits).
module cim_inbuf
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic [Rows-1:0]    row_en_i,  // ROW_EN: rows an MVM may select
  // APB window (word index already checked against InWords)
  input  logic               we_i,
  input  logic               re_i,      // capture rdata_o for the access phase
  input  logic [InIdxW-1:0]  idx_i,
  input  logic [31:0]        wdata_i,
  output logic [31:0]        rdata_o,
  // Wordline pattern of the next phase: rows [wl_lo_i, wl_hi_i) of plane
  input  logic               wl_load_i,
  input  logic [RowCntW-1:0] wl_lo_i,
  input  logic [RowCntW-1:0] wl_hi_i,
  input  logic [PlaneW-1:0]  wl_plane_i,
  output logic [Rows-1:0]    sel_o,     // rows of the phase's row group
  output logic [Rows-1:0]    wl_o       // its rows whose input bit is 1
);

  // One register per plane, each updated by a plain expression: no wide
  // temporaries, which Verilator would clear on every clock edge.
  logic [Rows-1:0] plane_q[XBits];
  logic [Rows-1:0] wl_q, sel_q;
  logic [31:0] rdata_q;

  // APB read: gather the four inputs of word idx back into bytes.
  function automatic logic [31:0] word_read(logic [InIdxW-1:0] idx);
    logic [31:0] word;
    word = '0;
    for (int unsigned b = 0; b < 4; b++) begin
      if (32'(idx) * 4 + b < Rows) begin
        for (int unsigned k = 0; k < XBits; k++) begin
          word[8*b+k] = plane_q[k][32'(idx)*4+b];
        end
      end
    end
    return word;
  endfunction

  // APB write: bit k of the four bytes lands on rows 4*idx .. 4*idx+3 of
  // plane k; rows past the last one and bits above XBits are dropped (they
  // read back as 0).
  for (genvar k = 0; k < XBits; k++) begin : g_plane
    logic [3:0] nibble;
    assign nibble = {wdata_i[24+k], wdata_i[16+k], wdata_i[8+k], wdata_i[k]};

    // Storage without reset, like an SRAM macro: firmware writes the inputs
    // before a START (each reset site would cost Verilator a temporary per edge).
    always_ff @(posedge clk_i) begin
      if (we_i) begin
        plane_q[k] <= (plane_q[k] & ~(Rows'(4'hf) << {idx_i, 2'b00})) |
                      (Rows'(nibble) << {idx_i, 2'b00});
      end
    end
  end

  // Registered read: the APB slave decodes in the setup phase, so the data
  // is ready for the access phase and idle cycles cost no gather.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rdata_q <= '0;
    end else if (re_i) begin
      rdata_q <= word_read(idx_i);
    end
  end

  // Rows of one phase: sel[r] = (wl_lo_i <= r < wl_hi_i) && en[r], the row
  // group whose access transistors are on (a disabled row never is);
  // wl[r] = sel[r] && x[r][plane], the rows driven to the read voltage (the
  // others of the group held at 0 V).
  // Shifting all-ones by a count >= Rows gives 0, so wl_hi_i == Rows works.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sel_q <= '0;
      wl_q  <= '0;
    end else if (wl_load_i) begin
      sel_q <= ({Rows{1'b1}} << wl_lo_i) & ~({Rows{1'b1}} << wl_hi_i) & row_en_i;
      wl_q  <= plane_q[wl_plane_i] & ({Rows{1'b1}} << wl_lo_i) & ~({Rows{1'b1}} << wl_hi_i) &
               row_en_i;
    end
  end

  assign sel_o   = sel_q;
  assign wl_o    = wl_q;
  assign rdata_o = rdata_q;

`ifndef SYNTHESIS
  WlPlaneInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      wl_load_i |-> (32'(wl_plane_i) < XBits) && (wl_lo_i < wl_hi_i) &&
                    (32'(wl_hi_i) <= Rows));
  IdxInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (we_i || re_i) |-> 32'(idx_i) < InWords);
`endif

endmodule

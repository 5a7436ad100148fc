// Output buffer: NOut words of 32 bits, written by the controller in
// StRequant and read through the APB OUTBUF window while idle.
module cim_outbuf
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               clear_i,  // accepted START: stale outputs read 0
  input  logic               we_i,
  input  logic [OutIdxW-1:0] widx_i,
  input  logic [31:0]        wdata_i,
  input  logic               re_i,     // capture rdata_o for the access phase
  input  logic [OutIdxW-1:0] ridx_i,
  output logic [31:0]        rdata_o
);

  logic [31:0] mem_q [NOut];
  logic [31:0] rdata_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mem_q <= '{default: '0};
    end else if (clear_i) begin
      mem_q <= '{default: '0};
    end else if (we_i) begin
      mem_q[widx_i] <= wdata_i;
    end
  end

  // Registered read: decoded in the APB setup phase, shown in the access phase.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rdata_q <= '0;
    end else if (re_i) begin
      rdata_q <= mem_q[ridx_i];
    end
  end

  assign rdata_o = rdata_q;

`ifndef SYNTHESIS
  WidxInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) we_i |-> 32'(widx_i) < NOut);
  RidxInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) re_i |-> 32'(ridx_i) < NOut);
`endif

endmodule

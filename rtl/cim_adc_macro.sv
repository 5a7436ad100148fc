// Behavioural model of one column ADC hard macro (instantiated NAdc times).
//
// start_i sampled high at a clock edge converts physical column
// AdcIdx * ColsPerAdc + sel_i through the analog model at that edge. busy_o
// is then high for conv_cycles_i cycles, followed by done_o for one cycle
// with code_o valid; code_o holds until the next start.
module cim_adc_macro
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_dpi_pkg::*;
#(
  parameter int unsigned AdcIdx = 0
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               start_i,
  input  logic [SelW-1:0]    sel_i,
  input  logic [ConvW-1:0]   conv_cycles_i,
  output logic               busy_o,
  output logic               done_o,
  output logic [AdcBits-1:0] code_o
);

  chandle array_h;
  logic               busy_d, busy_q;
  logic               done_d, done_q;
  logic [ConvW-1:0]   cnt_d, cnt_q;
  logic [AdcBits-1:0] code_q;

  // The harness registers the analog model before the first evaluation.
  initial array_h = cim_dpi_array();

  // Conversion timer: count conv_cycles_i busy cycles down, then one done cycle.
  always_comb begin
    busy_d = busy_q;
    done_d = 1'b0;
    cnt_d  = cnt_q;
    if (start_i) begin
      busy_d = 1'b1;
      cnt_d  = conv_cycles_i;
    end else if (busy_q) begin
      cnt_d = cnt_q - 1'b1;
      if (cnt_q <= ConvW'(1)) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      cnt_q  <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      cnt_q  <= cnt_d;
    end
  end

  // The sample-and-hold and the conversion itself are analog: the code comes
  // from the model at the start edge and is shown at done.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      code_q <= '0;
    end else if (start_i) begin
      code_q <= AdcBits'(cim_dpi_convert(array_h, int'(AdcIdx),
                                         int'(AdcIdx * ColsPerAdc) + int'(sel_i)));
    end
  end

  assign busy_o = busy_q;
  assign done_o = done_q;
  assign code_o = code_q;

  // The handshake assertions (no start while busy, done only after busy)
  // sit in cim_macro over the vector of all ADCs: one check per cycle
  // instead of one per instance.

endmodule

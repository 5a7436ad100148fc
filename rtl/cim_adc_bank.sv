// Behavioural model of the bank of column ADC hard macros (NAdc ADCs).
//
// The ADCs of a bank share one conversion clock and its timer: a start of
// any subset converts physical column a * ColsPerAdc + sel_i on each started
// ADC a through the analog model at that edge; busy_o[a] is then high for
// conv_cycles_i cycles, followed by done_o[a] for one cycle with code_o[a]
// valid; code_o holds until the next start of that ADC. Starting while the
// bank converts is a protocol error (asserted in cim_macro). One timer for
// the bank instead of one per ADC keeps the idle cost of the model flat.
module cim_adc_bank
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_dpi_pkg::*;
(
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic [NAdc-1:0]              start_i,
  input  logic [SelW-1:0]              sel_i,
  input  logic [ConvW-1:0]             conv_cycles_i,
  output logic [NAdc-1:0]              busy_o,
  output logic [NAdc-1:0]              done_o,
  output logic [NAdc-1:0][AdcBits-1:0] code_o
);

  logic busy, done;
  logic [NAdc-1:0]              started_q;
  logic [NAdc-1:0][AdcBits-1:0] code_q;
  logic                         start;

  assign start = start_i != '0;

  // Conversion timer, shared by the bank.
  cim_op_timer #(
    .Width(ConvW)
  ) u_timer (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (start),
    .cycles_i(conv_cycles_i),
    .busy_o  (busy),
    .done_o  (done)
  );

  // The ADCs of the last start: they are the ones busy and then done.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      started_q <= '0;
    end else if (start) begin
      started_q <= start_i;
    end
  end

  // The sample-and-hold and the conversions are analog: each started ADC's
  // code comes from the model at the start edge and is shown at done.
  always_ff @(posedge clk_i) begin
    if (start) begin
      for (int unsigned a = 0; a < NAdc; a++) begin
        if (start_i[a]) begin
          code_q[a] <= AdcBits'(cim_dpi_convert(int'(a), int'(a * ColsPerAdc) + int'(sel_i)));
        end
      end
    end
  end

  assign busy_o = busy ? started_q : '0;
  assign done_o = done ? started_q : '0;
  assign code_o = code_q;

endmodule

// Busy/done timer of a behavioural hard macro (the ADC bank, the write/verify
// macro): start_i sampled high loads cycles_i; busy_o is then high for that
// many cycles, followed by done_o for one cycle.
module cim_op_timer #(
  parameter int unsigned Width = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic [Width-1:0] cycles_i,  // at least 1
  output logic             busy_o,
  output logic             done_o
);

  logic busy_d, busy_q;
  logic done_d, done_q;
  logic [Width-1:0] cnt_d, cnt_q;

  // Count cycles_i busy cycles down, then one done cycle.
  always_comb begin
    busy_d = busy_q;
    done_d = 1'b0;
    cnt_d  = cnt_q;
    if (start_i) begin
      busy_d = 1'b1;
      cnt_d  = cycles_i;
    end else if (busy_q) begin
      cnt_d = cnt_q - 1'b1;
      if (cnt_q <= Width'(1)) begin
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

  assign busy_o = busy_q;
  assign done_o = done_q;

endmodule

// Activity counters (ACT_* in the register map): what the periphery did,
// counted at the strobes that cross into the analog macros, for energy and
// latency estimates. Each counts since reset or the last ACT_CTRL.CLEAR and
// wraps at 2^32; software reads differences. A clear wins over a count in
// the same cycle.
module cim_activity
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,      // ACT_CTRL.CLEAR
  input  logic                 drive_i,      // one MVM phase: wordlines applied
  input  logic [Rows-1:0]      wl_i,         // the wordlines of that phase
  input  logic [NAdc-1:0]      adc_start_i,  // one conversion per set bit
  input  logic                 accum_i,      // one shift-and-add step (StAccum)
  input  logic [OutIdxW:0]     n_outs_i,     // active outputs of the job
  input  logic                 pulse_i,      // one write-verify pulse
  input  logic                 read_i,       // one verify read
  input  logic                 busy_i,       // an MVM or a write-verify run
  output act_cnt_t             cnt_o
);

  // Set bits of a vector (wordlines or ADC starts, zero-extended to the
  // wider); a loop the synthesis tools read as an adder tree.
  localparam int unsigned OnesW = (Rows > NAdc) ? Rows : NAdc;
  function automatic logic [31:0] ones(logic [OnesW-1:0] v);
    logic [31:0] n;
    n = '0;
    for (int unsigned i = 0; i < OnesW; i++) n = n + 32'(v[i]);
    return n;
  endfunction

  // The counts sit in enabled loads rather than in an always_comb: Verilator
  // evaluates combinational logic on every clock edge, while a wordline
  // count is needed once per phase.
  act_cnt_t cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= '0;
    end else if (clear_i) begin
      cnt_q <= '0;
    end else begin
      if (drive_i) begin
        cnt_q.phases    <= cnt_q.phases + 32'd1;
        cnt_q.wordlines <= cnt_q.wordlines + ones(OnesW'(wl_i));
      end
      if (adc_start_i != '0) begin
        cnt_q.conversions <= cnt_q.conversions + ones(OnesW'(adc_start_i));
      end
      if (accum_i) begin
        // every active output adds its 2S column codes
        cnt_q.shift_adds <= cnt_q.shift_adds + 32'(n_outs_i) * 32'(ColsPerOut);
      end
      if (pulse_i) begin
        cnt_q.pulses <= cnt_q.pulses + 32'd1;
      end
      if (read_i) begin
        cnt_q.reads <= cnt_q.reads + 32'd1;
      end
      if (busy_i) begin
        cnt_q.busy <= cnt_q.busy + 32'd1;
      end
    end
  end

  assign cnt_o = cnt_q;

endmodule

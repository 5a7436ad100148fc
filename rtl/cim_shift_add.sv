// Shift-and-add accumulators, one per logical output.
//
// Once per phase (StAccum), after every active column of the phase has been
// converted, output j adds
//   sgn * sum_s (code[j,s,+] - code[j,s,-]) << (plane + s * CellBits)
// with code[j,s,p] on physical column j * ColsPerOut + 2s + p (cim_map.h) and
// sgn = -1 for the MSB plane of signed inputs. One adder tree per output per
// phase, instead of one add per conversion.
module cim_shift_add
  import cim_cfg_pkg::*;
  import cim_pkg::*;
(
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      clear_i,   // accepted START
  input  logic                      accum_i,   // StAccum
  input  logic [PlaneW-1:0]         plane_i,   // input bit plane k of the phase
  input  logic                      neg_i,     // MSB plane of signed inputs
  input  logic [OutIdxW:0]          n_outs_i,  // active outputs; the rest stay 0
  input  logic [NAdc-1:0][CalBits-1:0] code_i [ColsPerAdc],  // [mux select][ADC], calibrated
  output logic signed [AccBits-1:0] acc_o [NOut]
);


  // Code of physical column c, sign-extended to the accumulator: ADC
  // c / ColsPerAdc at mux select c % ColsPerAdc. A macro, not a function:
  // every inlined function copy gets temporaries that Verilator clears on
  // every clock edge, and this is used NOut * 2 * Slices times.
  `define CIM_COL_CODE(c) \
    AccBits'($signed(code_i[(c) % ColsPerAdc][(c) / ColsPerAdc]))

  // Contribution of one phase to output j: the adder tree over its slices.
  function automatic logic signed [AccBits-1:0] phase_sum(int unsigned j);
    logic signed [AccBits-1:0] sum;
    sum = '0;
    for (int unsigned s = 0; s < Slices; s++) begin
      sum = sum + ((
      `CIM_COL_CODE(j * ColsPerOut + 2 * s)
      -
      `CIM_COL_CODE(j * ColsPerOut + 2 * s + 1)
      ) <<< (s * CellBits));
    end
    sum = sum <<< plane_i;
    return neg_i ? -sum : sum;
  endfunction
  `undef CIM_COL_CODE

  // acc[j] plus its phase sum. No accumulator overflows: cim_pkg derives
  // AccBits so that no legal job can, and the sum is checked one bit wider
  // here, where it is computed anyway (a concurrent assertion would compute
  // every tree on every clock edge).
  function automatic logic signed [AccBits-1:0] acc_add(logic signed [AccBits-1:0] acc,
                                                        int unsigned j);
    logic signed [AccBits:0] wide;
    wide = (AccBits + 1)'(acc) + (AccBits + 1)'(phase_sum(j));
`ifndef SYNTHESIS
    AccNoOverflow_A : assert (wide[AccBits] == wide[AccBits-1]);
`endif
    return wide[AccBits-1:0];
  endfunction

  // The trees sit in the enabled load rather than in an always_comb: Verilator
  // evaluates combinational logic on every clock edge, while these run only
  // in the one StAccum cycle of each phase. Outputs at or above n_outs_i
  // stay 0.
  for (genvar j = 0; j < NOut; j++) begin : g_acc
    // One register per output rather than an array: Verilator writes it
    // directly instead of through per-element flags cleared on every edge.
    logic signed [AccBits-1:0] acc_q;

    // No reset: every accepted START clears the accumulators first.
    always_ff @(posedge clk_i) begin
      if (clear_i) begin
        acc_q <= '0;
      end else if (accum_i && (j < 32'(n_outs_i))) begin
        acc_q <= acc_add(acc_q, j);
      end
    end

    assign acc_o[j] = acc_q;
  end

`ifndef SYNTHESIS
  // A phase is never accumulated in the cycle that clears for a new MVM.
  ClearNotAccum_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) !(clear_i && accum_i));
  // The plane of a phase is one of the XBits input bits.
  PlaneInRange_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) accum_i |-> 32'(plane_i) < XBits);
`endif

endmodule

// Checker of the macro top (cim_macro), bound into it below so that the
// design files stay untouched: assertions on the strobes between the
// controller and the data path, and coverage of output saturation and of the
// bus's error and interrupt paths. Assertions run in every build (--assert);
// cover properties count only in coverage builds (`make coverage`).
module cim_macro_chk
  import cim_cfg_pkg::*;
  import cim_pkg::*;
  import cim_reg_pkg::*;
(
  input logic            clk_i,
  input logic            rst_ni,
  // Controller and data path strobes
  input cim_state_e      state_i,
  input logic            busy_i,
  input logic            done_i,
  input logic [31:0]     cycles_i,
  input logic            clear_i,
  input logic            conv_start_i,
  input logic            accum_i,
  input logic            out_we_i,
  // Output stage: the requantized value is above / below the saturation limits
  input logic            sat_hi_i,
  input logic            sat_lo_i,
  // APB
  input logic            psel_i,
  input logic            penable_i,
  input logic            pwrite_i,
  input logic            pready_i,
  input logic            pslverr_i,
  input logic            irq_i
);

  // ---------------------------------------------------------------- assertions
  // Each data-path strobe comes from its own controller state_i only.
  ClearFromIdle_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) clear_i |-> state_i == StIdle);
  ConvStartInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      conv_start_i |-> state_i inside {StConvStart, StConvWait});
  AccumInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) accum_i |-> state_i == StAccum);
  OutWeInState_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) out_we_i |-> state_i == StRequant);
  // DONE rises only at the end of StRequant; CYCLES counts every busy_i cycle.
  DoneAfterRequant_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) $rose(
      done_i
  ) |-> $past(
      state_i
  ) == StRequant);
  CyclesCount_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni) (busy_i && $past(
      busy_i
  )) |-> cycles_i == $past(
      cycles_i
  ) + 32'd1);
  // PSLVERR only with PREADY, in an access phase.
  ApbErrWithReady_A :
  assert property (@(posedge clk_i) disable iff (!rst_ni)
      pslverr_i |-> pready_i && psel_i && penable_i);

  // ---------------------------------------------------------------- coverage
  // Every physical column converted: one cover point per column, generated
  // per build by tools/gen_cov_points.py (Verilator merges the points of
  // generate-loop instances into one).
  // Outputs saturated at either limit.
  SatHigh_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) out_we_i && sat_hi_i);
  SatLow_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) out_we_i && sat_lo_i);
  // The bus refused a read and a write; the interrupt line rose.
  ApbErrRead_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) pslverr_i && !pwrite_i);
  ApbErrWrite_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) pslverr_i && pwrite_i);
  Irq_C :
  cover property (@(posedge clk_i) disable iff (!rst_ni) $rose(irq_i));

endmodule

bind cim_macro cim_macro_chk u_macro_chk (
  .clk_i      (clk_i),
  .rst_ni     (rst_ni),
  .state_i    (state),
  .busy_i     (busy),
  .done_i     (done),
  .cycles_i   (cycles),
  .clear_i    (clear),
  .conv_start_i (conv_start),
  .accum_i    (accum),
  .out_we_i   (out_we),
  .sat_hi_i   (u_requant.rounded > u_requant.lim_hi),
  .sat_lo_i   (u_requant.rounded < u_requant.lim_lo),
  .psel_i     (psel_i),
  .penable_i  (penable_i),
  .pwrite_i   (pwrite_i),
  .pready_i   (pready_o),
  .pslverr_i  (pslverr_o),
  .irq_i      (irq_o)
);

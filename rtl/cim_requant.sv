// Output stage of one accumulator: optional ReLU, arithmetic right shift
// rounding half up, saturation to a signed out_bits_i-bit value, returned
// sign-extended to 32 bits:
//   v = relu ? max(acc, 0) : acc
//   v = shift ? (v + 2^(shift-1)) >>> shift : v
//   y = clamp(v, -2^(out_bits-1), 2^(out_bits-1) - 1)
module cim_requant
  import cim_pkg::*;
(
  input  logic signed [AccBits-1:0]                         acc_i,
  input  logic                                              relu_i,
  input  logic [cim_reg_pkg::OUTPUT_SHIFT_WIDTH-1:0]        shift_i,
  input  logic [cim_reg_pkg::OUTPUT_OUT_BITS_WIDTH-1:0]     out_bits_i,  // 2..32
  output logic [31:0]                                       y_o
);

  // Wide enough for acc plus the rounding term 2^30 without overflow, and for
  // the saturation limits of 32-bit outputs.
  localparam int unsigned W = ((AccBits > 32) ? AccBits : 32) + 2;

  localparam logic signed [W-1:0] One = W'(1);

  logic signed [W-1:0] v, half, rounded, lim_hi, lim_lo, sat;

  always_comb begin
    v = W'(acc_i);  // sign-extends: acc_i is signed
    if (relu_i && acc_i < 0) begin
      v = '0;
    end
    half    = '0;
    rounded = v;
    if (shift_i != '0) begin
      half    = One <<< (shift_i - 1'b1);
      rounded = (v + half) >>> shift_i;
    end
    lim_hi = One <<< (out_bits_i - 1'b1);
    lim_lo = -lim_hi;
    lim_hi = lim_hi - One;
    if (rounded > lim_hi) begin
      sat = lim_hi;
    end else if (rounded < lim_lo) begin
      sat = lim_lo;
    end else begin
      sat = rounded;
    end
    y_o = sat[31:0];
  end

endmodule

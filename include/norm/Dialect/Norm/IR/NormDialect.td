//===- NormDialect.td - norm dialect definition -------------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMDIALECT_TD
#define NORM_DIALECT_NORM_IR_NORMDIALECT_TD

include "mlir/IR/OpBase.td"

def Norm_Dialect : Dialect {
  let name = "norm";
  let summary = "Normalization and quantization operations for ML inference";
  let description = [{
    The `norm` dialect models the row-wise normalization and quantization
    kernels that surround every transformer layer: RMSNorm, the fused residual
    add + RMSNorm, and FP8/INT8 quantization with per-token, per-group and
    static scales. Every op normalizes or quantizes over the innermost
    dimension; leading dimensions are collapsed into rows.

    The ops are in destination-passing style: on tensors they take `into`
    operands whose shapes and element types are the results' and return the
    results; on memrefs they write into the `into` buffers and return nothing.
    `one-shot-bufferize` turns the first form into the second.

    Numerics (shared by every backend and the float64 CPU reference):
    accumulation in f32 (f64 in the reference), `rms = sqrt(mean(x^2) + eps)`,
    `y = x / rms * (gamma + weight_offset)`; quantization
    `scale = max(min(amax, scale_ub) / qmax, min_scale)`,
    `q = saturate(round_to_nearest_even(x / scale))`.
  }];
  let cppNamespace = "::mlir::norm";
  let useDefaultAttributePrinterParser = 1;
}

#endif // NORM_DIALECT_NORM_IR_NORMDIALECT_TD

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

    Discardable attributes, verified by the dialect (any other `norm.`
    attribute of an operation is an error): `norm.kernels`, the kernel
    manifest on a module (a dictionary), and `norm.row_cache_policy` on a
    function, a RowCachePolicy as its string (`"streaming"`,
    `"evict_last_loads"`).
  }];
  let cppNamespace = "::mlir::norm";
  let useDefaultAttributePrinterParser = 1;
  // Checks the discardable attributes below.
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Module attribute: the kernel manifest norm-to-gpu writes (a
    /// dictionary) and norm-export-bundle reads.
    static constexpr ::llvm::StringLiteral getKernelsAttrName() {
      return "norm.kernels";
    }
    /// Function attribute: a RowCachePolicy, as its string.
    static constexpr ::llvm::StringLiteral getRowCachePolicyAttrName() {
      return "norm.row_cache_policy";
    }
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMDIALECT_TD

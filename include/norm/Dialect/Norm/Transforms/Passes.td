//===- Passes.td - norm dialect transformation passes -------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
#define NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormFuse : Pass<"norm-fuse"> {
  let summary = "Fuse residual adds and quantizations into norm ops";
  let description = [{
    Rewrites chains of ops on tensors (run it before bufferization) into
    fewer norm ops, each one kernel, without changing any result:

    - `residual-add`: an elementwise add of two tensors of the same type
      (`arith.addf`, `linalg.add`, or a `linalg.generic` / `linalg.elementwise`
      whose body is one `arith.addf` of its two inputs, all maps identity)
      that feeds `norm.rmsnorm`'s input becomes `norm.add_rmsnorm` (the
      add's operands become `input` and `residual`). Other users of the sum
      read the updated residual instead, written where the add wrote the sum
      (its `outs`, or a new `tensor.empty`), never over an operand. The add
      rounds to its element type exactly as `norm.add_rmsnorm` rounds the
      residual.
    - `quantize`: `norm.quantize` of the normalized result of `norm.rmsnorm`
      or `norm.add_rmsnorm` becomes `norm.rmsnorm_quantize` with every
      quantization operand and attribute carried over and
      `intermediate_type` set to the normalized tensor's element type, so
      the quantizer sees the values it read before. A normalized tensor with
      other users stays an output (`normalized_out`).

    Nothing is fused across blocks, through broadcasts, casts or slices, or
    between operands whose types differ; an op is placed where every value
    it replaces is still dominated. Example:

    ```mlir
    %sum = arith.addf %x, %res : tensor<?x4096xbf16>
    %y = norm.rmsnorm %sum : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
           into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
    %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16>
               into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
               -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
    // becomes
    %q, %s, %sum = norm.rmsnorm_quantize per_token %x : tensor<?x4096xbf16>
                     residual %res : tensor<?x4096xbf16>
                     gamma %w : tensor<4096xbf16>
                     into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
                     residual_out %empty : tensor<?x4096xbf16>
                     {intermediate_type = bf16} -> ...
    ```
  }];
  let dependentDialects = [
    "::mlir::norm::NormDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"fuseResidualAdd", "residual-add", "bool", /*default=*/"true",
           "Fuse an elementwise add feeding norm.rmsnorm into "
           "norm.add_rmsnorm">,
    Option<"fuseQuantize", "quantize", "bool", /*default=*/"true",
           "Fuse norm.quantize of a normalized value into "
           "norm.rmsnorm_quantize">
  ];
}

def NormRaise : Pass<"norm-raise"> {
  let summary = "Raise RMSNorm written in linalg/arith/math to norm.rmsnorm";
  let description = [{
    Recognizes RMSNorm on tensors as ML front ends (torch-mlir, IREE,
    StableHLO) emit it, and replaces it by `norm.rmsnorm`:

    ```
    x   = extf(input)                                (optional)
    ms  = sum(x * x  |  powf(x, 2)) over the last dim / H  (or * (1 / H))
    y   = x * rsqrt(ms + eps)  |  x / sqrt(ms + eps)  |  x * (1 / sqrt(...))
    y   = y * w  |  y * (c + w)                      (gamma, weight_offset c)
    out = truncf(y)                                  (optional)
    ```

    The ops may be `linalg.generic` (with the elementwise steps fused into
    one body or not), named linalg ops (`linalg.mul`, `linalg.div`,
    `linalg.add`, `linalg.square`, `linalg.rsqrt`, `linalg.sqrt`,
    `linalg.reduce`, `linalg.broadcast`, ...) or `arith`/`math` ops on
    tensors; the row statistic may be kept as `[rows, 1]` or `[rows]`
    (`tensor.expand_shape` / `collapse_shape` between them). All arithmetic
    must be f32, as the kernel's is, and the reduction must start from 0.
    The kernel's reduction order and `rsqrt` replace the source's, the usual
    freedom of a reduction. A weight multiply after the cast back (the
    Hugging Face Llama form) stays as it is, so nothing is rounded where the
    source did not round. Near misses (another reduction dim, no or a
    misplaced epsilon, a divisor other than H, the square of another tensor)
    are left alone.

    Raising composes with earlier results: a cast, a weight multiply or an
    input `extf` next to a `norm.rmsnorm` (f32 result used once) is folded
    into it. Run `norm-fuse` afterwards to merge residual adds and
    quantizations.
  }];
  let dependentDialects = [
    "::mlir::norm::NormDialect", "::mlir::tensor::TensorDialect"
  ];
}

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD

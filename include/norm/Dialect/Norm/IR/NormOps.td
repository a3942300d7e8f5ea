//===- NormOps.td - norm dialect operations -----------------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_TD
#define NORM_DIALECT_NORM_IR_NORMOPS_TD

include "norm/Dialect/Norm/IR/NormDialect.td"
include "norm/Dialect/Norm/IR/NormAttrs.td"
include "norm/Dialect/Norm/IR/NormInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Every operand of a norm op is a ranked tensor (value semantics) or a ranked
// memref (after bufferization); an op never mixes the two.
def Norm_ShapedValue : AnyTypeOf<[AnyRankedTensor, AnyMemRef],
                                 "ranked tensor or memref">;

class Norm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Norm_Dialect, mnemonic, !listconcat(traits, [
        DestinationStyleOpInterface,
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
        DeclareOpInterfaceMethods<Norm_RowKernelOpInterface,
                                  ["hasColumnMajorScales"]>])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

def Norm_RMSNormOp : Norm_Op<"rmsnorm"> {
  let summary = "Root-mean-square normalization over the innermost dimension";
  let description = [{
    Normalizes every row of `input` (the innermost dimension, of size `H`;
    leading dimensions are collapsed into rows) by its root mean square and
    scales it by `gamma + weight_offset`:

    ```
    rms[r]   = sqrt(sum_c(x[r, c]^2) / H + epsilon)
    y[r, c]  = x[r, c] / rms[r] * (gamma[c] + weight_offset)
    ```

    Without `gamma` the result is `x / rms` (`weight_offset` is then unused).
    Accumulation is in f32; the result is rounded once to the element type of
    `into`, which may differ from the input's.

    With `normalized_type = T`, `x / rms` is rounded to `T` (truncf, then extf
    back to f32) before the multiply by `gamma`; the product is then rounded
    to the element type of `into` as usual:

    ```
    y[r, c]  = round_to(T, x[r, c] / rms[r]) * gamma[c]
    ```

    This is the Hugging Face Llama spelling
    `weight * (x_f32 * rsqrt(mean(x_f32^2) + eps)).to(bf16)`, which multiplies
    by the weight in the narrow type. `normalized_type` requires `gamma` and
    `weight_offset = 0` (an unfused `1 + w` would be rounded in `T` too).

    - `input`: rank >= 1, element type f32, f16 or bf16; dynamic dims allowed.
    - `gamma` (optional): shape `[H]`, element type f32, f16 or bf16.
    - `into`: same shape as `input`, element type f32, f16 or bf16.
    - `epsilon`: f32 > 0, default 1e-6.
    - `weight_offset`: f32, default 0 (Gemma models use 1).
    - `normalized_type` (optional): f32, f16 or bf16; only with `gamma` and
      `weight_offset = 0`.
    - `schedule` (optional): the `#norm.schedule` of the kernel, checked
      against the op; `norm-tile` chooses one, `norm-to-gpu` obeys it.

    Example:

    ```mlir
    %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
           into %init : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32}
           -> tensor<?x4096xbf16>
    // Hugging Face Llama: the weight multiplies the bf16-rounded value.
    %z = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
           into %init : tensor<?x4096xbf16>
           {epsilon = 1.0e-05 : f32, normalized_type = bf16}
           -> tensor<?x4096xbf16>
    // After bufferization:
    norm.rmsnorm %xb : memref<?x4096xbf16>, gamma %wb : memref<4096xbf16>
        into %yb : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32}
    ```
  }];

  let arguments = (ins Norm_ShapedValue:$input,
                       Optional<Norm_ShapedValue>:$gamma,
                       Norm_ShapedValue:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.0">:$weight_offset,
                       OptionalAttr<TypeAttr>:$normalized_type,
                       OptionalAttr<Norm_ScheduleAttr>:$schedule);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    $input `:` type($input) (`,` `gamma` $gamma^ `:` type($gamma))?
    `into` $init `:` type($init) attr-dict (`->` type($results)^)?
  }];

  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
}

//===----------------------------------------------------------------------===//
// AddRMSNormOp
//===----------------------------------------------------------------------===//

def Norm_AddRMSNormOp : Norm_Op<"add_rmsnorm"> {
  let summary = "Residual add followed by RMSNorm; also yields the new residual";
  let description = [{
    Adds `residual` to `input`, writes the sum (rounded to the residual's
    element type) as the updated residual, and normalizes that rounded sum as
    `norm.rmsnorm` does:

    ```
    s[r, c]            = round_to(residual type, x[r, c] + residual[r, c])
    residual_out[r, c] = s[r, c]
    rms[r]             = sqrt(sum_c(s[r, c]^2) / H + epsilon)
    y[r, c]            = s[r, c] / rms[r] * (gamma[c] + weight_offset)
    ```

    - `input`, `residual`: same shape, rank >= 1, element type f32, f16 or
      bf16.
    - `gamma` (optional): shape `[H]`, element type f32, f16 or bf16.
    - `into`: first the normalized output (same shape, element type f32, f16
      or bf16), then the updated residual (same shape and element type as
      `residual`). Passing `residual` itself as the second destination
      updates it in place after bufferization.
    - `epsilon`, `weight_offset`, `normalized_type`, `schedule`: as for
      `norm.rmsnorm` (`normalized_type` rounds `s / rms` before the multiply
      by `gamma`).

    Example:

    ```mlir
    %y, %r = norm.add_rmsnorm %x : tensor<?x4096xbf16>,
               residual %res : tensor<?x4096xbf16>,
               gamma %w : tensor<4096xbf16>
               into %e0 : tensor<?x4096xbf16>, %e1 : tensor<?x4096xbf16>
               -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
    ```
  }];

  let arguments = (ins Norm_ShapedValue:$input,
                       Norm_ShapedValue:$residual,
                       Optional<Norm_ShapedValue>:$gamma,
                       Norm_ShapedValue:$init,
                       Norm_ShapedValue:$residual_init,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.0">:$weight_offset,
                       OptionalAttr<TypeAttr>:$normalized_type,
                       OptionalAttr<Norm_ScheduleAttr>:$schedule);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    $input `:` type($input) `,` `residual` $residual `:` type($residual)
    (`,` `gamma` $gamma^ `:` type($gamma))?
    `into` $init `:` type($init) `,` $residual_init `:` type($residual_init)
    attr-dict (`->` type($results)^)?
  }];

  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      // The two destinations are the last two operands.
      return ::mlir::MutableOperandRange(getOperation(),
                                         getOperation()->getNumOperands() - 2,
                                         2);
    }
  }];
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

def Norm_QuantizeOp : Norm_Op<"quantize", [AttrSizedOperandSegments]> {
  let summary = "FP8 / INT8 quantization with per-token, per-group or static scales";
  let description = [{
    Quantizes every row of `input` (innermost dimension of size `H`) to the
    element type of the first destination: `f8E4M3FN` (qmax 448),
    `f8E4M3FNUZ` (qmax 240), `f8E5M2` (qmax 57344) or `i8` (qmax 127).

    ```
    x        = input[r, c] * smooth[c]            (if `smooth` is given)
    x        = clamp(x, -clip, clip)              (if `clip` is given)
    amax     = max |x| over the row (per_token) or over each group of
               `G` consecutive columns (per_group(G))
    amax     = min(amax, scale_ub)                (if `scale_ub` is given)
    scale    = max(amax / qmax, min_scale)        (dynamic schemes, as f32)
    q[r, c]  = saturate(round_to_nearest_even(x / scale))
    ```

    With the `static` scheme `scale` is the `scale` operand (`tensor<1xf32>`
    or `tensor<f32>`) and no scales are produced. `min_scale` defaults to
    `1 / (qmax * 512)`, so an all-zero row gets a finite scale and zero
    codes, never NaN. Saturation clamps to the largest finite value of the
    target type (`[-128, 127]` for i8); NaN inputs give the type's NaN (0 for
    i8). The amax propagates NaN (as `torch.amax` and `arith.maximumf`): a
    NaN in a row (per_token) or group makes its scale NaN and so every code
    of it NaN (0 for i8).

    Scales are f32 and have the shape:
    - `per_token`: the input shape with the innermost dim replaced by 1;
    - `per_group(G)` (row-major, default): innermost dim replaced by `H / G`;
    - `per_group(G, col_major)`: `[H / G]` followed by the leading dims, the
      transposed layout that blockwise-FP8 GEMMs read.

    - `input`: rank >= 1, element type f32, f16 or bf16.
    - `smooth` (optional, SmoothQuant): shape `[H]`, element type f32.
    - `into`: the quantized output (same shape as `input`), then the scales
      for dynamic schemes.
    - `scale_ub`, `clip`, `min_scale` (optional f32 > 0); `scale_ub` and
      `min_scale` only apply to dynamic schemes.
    - `schedule` (optional): as for `norm.rmsnorm`.

    Example:

    ```mlir
    %q, %s = norm.quantize per_group(128) %x : tensor<?x4096xbf16>
               into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x32xf32>
               -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf32>
    %q8 = norm.quantize static %x : tensor<?x4096xbf16>
            scale %sc : tensor<1xf32>
            into %q1 : tensor<?x4096xi8> -> tensor<?x4096xi8>
    ```
  }];

  let arguments = (ins Norm_ShapedValue:$input,
                       Optional<Norm_ShapedValue>:$scale,
                       Optional<Norm_ShapedValue>:$smooth,
                       Norm_ShapedValue:$init,
                       Optional<Norm_ShapedValue>:$scale_init,
                       Norm_QuantSchemeAttr:$scheme,
                       OptionalAttr<I64Attr>:$group_size,
                       OptionalAttr<Norm_ScaleLayoutAttr>:$scale_layout,
                       OptionalAttr<F32Attr>:$scale_ub,
                       OptionalAttr<F32Attr>:$clip,
                       OptionalAttr<F32Attr>:$min_scale,
                       OptionalAttr<Norm_ScheduleAttr>:$schedule);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  let assemblyFormat = [{
    custom<QuantScheme>($scheme, $group_size, $scale_layout)
    $input `:` type($input)
    (`scale` $scale^ `:` type($scale))?
    (`smooth` $smooth^ `:` type($smooth))?
    `into` $init `:` type($init) (`,` $scale_init^ `:` type($scale_init))?
    attr-dict (`->` type($results)^)?
  }];

  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      // The destinations (output, then optional scales) are the trailing
      // operands.
      unsigned numInits = getScaleInit() ? 2 : 1;
      return ::mlir::MutableOperandRange(
          getOperation(), getOperation()->getNumOperands() - numInits,
          numInits);
    }
    /// Largest finite value of the quantized element type.
    double getQMax();
    /// `min_scale` if set, else its documented default 1 / (qmax * 512).
    double getEffectiveMinScale();
  }];
}

//===----------------------------------------------------------------------===//
// RMSNormQuantizeOp
//===----------------------------------------------------------------------===//

def Norm_RMSNormQuantizeOp : Norm_Op<"rmsnorm_quantize",
                                     [AttrSizedOperandSegments]> {
  let summary = "[Residual add +] RMSNorm + quantization in one kernel";
  let description = [{
    Computes, per row, what `norm.rmsnorm` (or `norm.add_rmsnorm` when
    `residual` is given) followed by `norm.quantize` of the normalized value
    computes, reading the row once: the quantizer works on the normalized
    row kept on chip instead of a copy stored to and read back from memory.

    ```
    s[r, c]  = round_to(residual type, x[r, c] + residual[r, c])   (with residual)
             = x[r, c]                                            (without)
    n[r, c]  = s[r, c] / sqrt(sum_c(s[r, c]^2) / H + epsilon)     (f32)
    n[r, c]  = round_to(normalized_type, n[r, c])                 (if set)
    y[r, c]  = n[r, c] * (gamma[c] + weight_offset)               (f32)
    y[r, c]  = round_to(intermediate_type, y[r, c])               (if set)
    q, scales = quantize(y)                       as `norm.quantize` does
    ```

    `intermediate_type` is the element type the unfused chain stored the
    normalized value in: with it the quantizer sees exactly the values the
    separate `norm.quantize` would have read back, so fusing never changes
    results. Without it the quantizer gets the f32 normalized value.

    - `input`: rank >= 1, element type f32, f16 or bf16.
    - `residual` (optional): shape of `input`, element type f32, f16 or
      bf16; requires `residual_out`.
    - `gamma` (optional): shape `[H]`, element type f32, f16 or bf16.
    - `scale`, `smooth`, the scheme and `scale_ub`, `clip`, `min_scale`: as
      for `norm.quantize`.
    - `into`: the quantized output (shape of `input`, f8E4M3FN, f8E4M3FNUZ,
      f8E5M2 or i8), then the scales for dynamic schemes.
    - `residual_out` (with `residual`): the updated residual, element type
      of `residual`.
    - `normalized_out` (optional): also stores the normalized value (f32, f16
      or bf16), for a normalized tensor that has users besides the
      quantizer.
    - `epsilon`, `weight_offset`, `normalized_type`, `schedule`: as for
      `norm.rmsnorm`.
    - `intermediate_type` (optional): f32, f16 or bf16; with
      `normalized_out` it must be that output's element type.

    Results, in order: quantized output, scales (dynamic schemes), updated
    residual (with `residual`), normalized value (with `normalized_out`).

    Example:

    ```mlir
    %q, %s, %r = norm.rmsnorm_quantize per_token %x : tensor<?x4096xbf16>
                   residual %res : tensor<?x4096xbf16>
                   gamma %w : tensor<4096xbf16>
                   into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
                   residual_out %r0 : tensor<?x4096xbf16>
                   {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
                   -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>,
                      tensor<?x4096xbf16>
    // After bufferization, updating the residual in place:
    norm.rmsnorm_quantize per_token %xb : memref<?x4096xbf16>
        residual %rb : memref<?x4096xbf16> gamma %wb : memref<4096xbf16>
        into %qb : memref<?x4096xf8E4M3FN>, %sb : memref<?x1xf32>
        residual_out %rb : memref<?x4096xbf16>
        {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
    ```
  }];

  let arguments = (ins Norm_ShapedValue:$input,
                       Optional<Norm_ShapedValue>:$residual,
                       Optional<Norm_ShapedValue>:$gamma,
                       Optional<Norm_ShapedValue>:$scale,
                       Optional<Norm_ShapedValue>:$smooth,
                       Norm_ShapedValue:$init,
                       Optional<Norm_ShapedValue>:$scale_init,
                       Optional<Norm_ShapedValue>:$residual_init,
                       Optional<Norm_ShapedValue>:$normalized_init,
                       Norm_QuantSchemeAttr:$scheme,
                       OptionalAttr<I64Attr>:$group_size,
                       OptionalAttr<Norm_ScaleLayoutAttr>:$scale_layout,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.0">:$weight_offset,
                       OptionalAttr<F32Attr>:$scale_ub,
                       OptionalAttr<F32Attr>:$clip,
                       OptionalAttr<F32Attr>:$min_scale,
                       OptionalAttr<TypeAttr>:$intermediate_type,
                       OptionalAttr<TypeAttr>:$normalized_type,
                       OptionalAttr<Norm_ScheduleAttr>:$schedule);
  let results = (outs Variadic<AnyRankedTensor>:$results);

  // Keyword-led optional groups (as `norm.quantize`): a comma-led optional
  // group cannot follow another one.
  let assemblyFormat = [{
    custom<QuantScheme>($scheme, $group_size, $scale_layout)
    $input `:` type($input)
    (`residual` $residual^ `:` type($residual))?
    (`gamma` $gamma^ `:` type($gamma))?
    (`scale` $scale^ `:` type($scale))?
    (`smooth` $smooth^ `:` type($smooth))?
    `into` $init `:` type($init) (`,` $scale_init^ `:` type($scale_init))?
    (`residual_out` $residual_init^ `:` type($residual_init))?
    (`normalized_out` $normalized_init^ `:` type($normalized_init))?
    attr-dict (`->` type($results)^)?
  }];

  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      // The destinations (output, then the optional scales, residual and
      // normalized value) are the trailing operands.
      unsigned numInits = 1 + (getScaleInit() ? 1 : 0) +
                          (getResidualInit() ? 1 : 0) +
                          (getNormalizedInit() ? 1 : 0);
      return ::mlir::MutableOperandRange(
          getOperation(), getOperation()->getNumOperands() - numInits,
          numInits);
    }
    /// Largest finite value of the quantized element type.
    double getQMax();
    /// `min_scale` if set, else its documented default 1 / (qmax * 512).
    double getEffectiveMinScale();
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMOPS_TD

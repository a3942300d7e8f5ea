// Every quantization scheme and option of norm.quantize, from bf16 input.
//
//   norm-opt examples/quantization_schemes.mlir

// DeepSeek-V3-style blockwise FP8: one scale per 128 columns, stored
// column-major ([H/128, tokens]) as the blockwise GEMM reads it.
func.func @per_group_fp8_col_major(%x: tensor<?x7168xbf16>,
                                   %q: tensor<?x7168xf8E4M3FN>,
                                   %s: tensor<56x?xf32>)
    -> (tensor<?x7168xf8E4M3FN>, tensor<56x?xf32>) {
  %0, %1 = norm.quantize per_group(128, col_major) %x : tensor<?x7168xbf16>
      into %q : tensor<?x7168xf8E4M3FN>, %s : tensor<56x?xf32>
      -> tensor<?x7168xf8E4M3FN>, tensor<56x?xf32>
  return %0, %1 : tensor<?x7168xf8E4M3FN>, tensor<56x?xf32>
}

// Per-token FP8 with an upper bound on the scale (vLLM's scale_ub) for AMD's
// e4m3fnuz format.
func.func @per_token_fnuz_scale_ub(%x: tensor<?x4096xbf16>,
                                   %q: tensor<?x4096xf8E4M3FNUZ>,
                                   %s: tensor<?x1xf32>)
    -> (tensor<?x4096xf8E4M3FNUZ>, tensor<?x1xf32>) {
  %0, %1 = norm.quantize per_token %x : tensor<?x4096xbf16>
      into %q : tensor<?x4096xf8E4M3FNUZ>, %s : tensor<?x1xf32>
      {scale_ub = 1200.0 : f32}
      -> tensor<?x4096xf8E4M3FNUZ>, tensor<?x1xf32>
  return %0, %1 : tensor<?x4096xf8E4M3FNUZ>, tensor<?x1xf32>
}

// SmoothQuant W8A8: per-column smoothing factors, then dynamic per-token INT8.
func.func @smoothquant_int8(%x: tensor<?x4096xbf16>, %smooth: tensor<4096xf32>,
                            %q: tensor<?x4096xi8>, %s: tensor<?x1xf32>)
    -> (tensor<?x4096xi8>, tensor<?x1xf32>) {
  %0, %1 = norm.quantize per_token %x : tensor<?x4096xbf16>
      smooth %smooth : tensor<4096xf32>
      into %q : tensor<?x4096xi8>, %s : tensor<?x1xf32>
      -> tensor<?x4096xi8>, tensor<?x1xf32>
  return %0, %1 : tensor<?x4096xi8>, tensor<?x1xf32>
}

// Static (calibrated) scale with clipping of outliers, e5m2 output.
func.func @static_e5m2_clip(%x: tensor<?x4096xf16>, %scale: tensor<1xf32>,
                            %q: tensor<?x4096xf8E5M2>)
    -> tensor<?x4096xf8E5M2> {
  %0 = norm.quantize static %x : tensor<?x4096xf16>
      scale %scale : tensor<1xf32>
      into %q : tensor<?x4096xf8E5M2> {clip = 3.0e+04 : f32}
      -> tensor<?x4096xf8E5M2>
  return %0 : tensor<?x4096xf8E5M2>
}

// Gemma's RMSNorm scales by (1 + weight): weight_offset = 1. f32 input and
// bf16 output in one op; the batch and sequence dims collapse into rows.
//
//   norm-opt examples/gemma_rmsnorm.mlir

func.func @gemma_rmsnorm(%x: tensor<?x?x3072xf32>, %w: tensor<3072xf32>,
                         %out: tensor<?x?x3072xbf16>)
    -> tensor<?x?x3072xbf16> {
  %y = norm.rmsnorm %x : tensor<?x?x3072xf32>, gamma %w : tensor<3072xf32>
      into %out : tensor<?x?x3072xbf16>
      {epsilon = 1.0e-06 : f32, weight_offset = 1.0 : f32}
      -> tensor<?x?x3072xbf16>
  return %y : tensor<?x?x3072xbf16>
}

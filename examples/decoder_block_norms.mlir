// The norms of one Llama-style decoder block at inference time: the residual
// add + RMSNorm before attention and before the MLP, each feeding a per-token
// FP8 quantization for the following FP8 GEMM. Rows are tokens (dynamic).
// The pipelines fuse each add_rmsnorm + quantize pair into one
// norm.rmsnorm_quantize kernel (norm-fuse; pass fuse=false to keep four);
// examples/decoder_block_fused.mlir starts from linalg instead.
//
//   norm-opt examples/decoder_block_norms.mlir
//   norm-opt examples/decoder_block_norms.mlir --norm-fuse
//   norm-opt examples/decoder_block_norms.mlir \
//     -one-shot-bufferize="bufferize-function-boundaries"

func.func @decoder_block_norms(
    %hidden: tensor<?x4096xbf16>, %residual: tensor<?x4096xbf16>,
    %attn_out: tensor<?x4096xbf16>,
    %w_attn_norm: tensor<4096xbf16>, %w_mlp_norm: tensor<4096xbf16>)
    -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>,
        tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>) {
  %c0 = arith.constant 0 : index
  %tokens = tensor.dim %hidden, %c0 : tensor<?x4096xbf16>
  %y0 = tensor.empty(%tokens) : tensor<?x4096xbf16>
  %r0 = tensor.empty(%tokens) : tensor<?x4096xbf16>
  %q0 = tensor.empty(%tokens) : tensor<?x4096xf8E4M3FN>
  %s0 = tensor.empty(%tokens) : tensor<?x1xf32>

  // Before attention: residual += hidden; normalize; quantize for QKV GEMM.
  %attn_in, %res1 = norm.add_rmsnorm %hidden : tensor<?x4096xbf16>,
      residual %residual : tensor<?x4096xbf16>,
      gamma %w_attn_norm : tensor<4096xbf16>
      into %y0 : tensor<?x4096xbf16>, %r0 : tensor<?x4096xbf16>
      {epsilon = 1.0e-05 : f32}
      -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
  %q_attn, %s_attn = norm.quantize per_token %attn_in : tensor<?x4096xbf16>
      into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
      -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>

  // Before the MLP: residual += attention output; normalize; quantize.
  %mlp_in, %res2 = norm.add_rmsnorm %attn_out : tensor<?x4096xbf16>,
      residual %res1 : tensor<?x4096xbf16>,
      gamma %w_mlp_norm : tensor<4096xbf16>
      into %y0 : tensor<?x4096xbf16>, %r0 : tensor<?x4096xbf16>
      {epsilon = 1.0e-05 : f32}
      -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
  %q_mlp, %s_mlp = norm.quantize per_token %mlp_in : tensor<?x4096xbf16>
      into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
      -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>

  return %q_attn, %s_attn, %q_mlp, %s_mlp, %res2
      : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>,
        tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>
}
